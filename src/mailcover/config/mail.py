"""The default e-mail backend: Django's folder of message files, kept private."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends import filebased


class PrivateFileEmailBackend(filebased.EmailBackend):
    """Django's file backend, with its folder 0700 and each file 0600 whatever the umask:
    a customer notice names the customer and the records request (docs/security.md)."""

    def __init__(self, file_path: str | None = None, **kwargs: Any) -> None:
        folder = Path(file_path or settings.EMAIL_FILE_PATH)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        super().__init__(file_path=str(folder), **kwargs)

    def open(self) -> bool:
        if self.stream is None:
            handle = os.open(self._get_filename(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            self.stream = os.fdopen(handle, "ab")
            return True
        return False
