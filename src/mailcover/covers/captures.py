"""Reading what an order captured: the one way in for every caller that shows or exports it."""

from __future__ import annotations

from django.core.files.storage import default_storage

from mailcover.covers.models import Capture


def read_image(capture: Capture) -> bytes:
    """The exterior image kept with a capture; OSError when it is not in storage."""
    with default_storage.open(capture.image, "rb") as stored:
        data: bytes = stored.read()
    return data
