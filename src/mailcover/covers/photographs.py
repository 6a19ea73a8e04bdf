"""The photographs a mail stream sends: loaded from the stream file's folder or inline, and
which events are a photograph alone (read by OCR before they are matched)."""

from __future__ import annotations

import base64
import binascii
import stat
from pathlib import Path
from typing import Any

from mailcover.imaging.read import MAX_IMAGE_BYTES, ImageError


class FolderImages:
    """Images named by path relative to a stream file's folder (DESIGN.md), or given inline
    as a `data:image/...;base64,` URL (the API has no folder)."""

    def __init__(self, base: Path | None) -> None:
        self.base = base.resolve() if base is not None else None

    def load(self, name: str) -> bytes:
        if name.startswith("data:"):
            header, _, payload = name.partition(",")
            if not header.endswith(";base64"):
                raise ImageError("data-url", "an inline image must be a base64 data: URL")
            try:
                return base64.b64decode(payload, validate=True)
            except (binascii.Error, ValueError):
                raise ImageError("data-url", "the inline image is not valid base64") from None
        if self.base is None:
            raise ImageError(
                "no-folder", "an image path needs a stream file; send the image inline"
            )
        path = (self.base / name).resolve()
        if not path.is_relative_to(self.base):
            raise ImageError("outside", "the image path leads outside the stream's folder")
        try:
            if not stat.S_ISREG(path.stat().st_mode):  # a pipe or a device would never end
                raise ImageError("not-a-file", "the image path is not a regular file")
            if path.stat().st_size > MAX_IMAGE_BYTES:
                raise ImageError("too-large", f"the image file is over {MAX_IMAGE_BYTES} bytes")
            return path.read_bytes()
        except FileNotFoundError:
            raise ImageError("missing", "the image file does not exist") from None
        except OSError:
            raise ImageError("unreadable", "the image file cannot be read") from None


def photograph_alone(event: Any) -> str | None:
    """The image an event names when it sends a photograph and neither addressee nor barcode
    (the piece is read from the image), else None. Read before the event is checked: `feed`
    still decides what the piece is."""
    if not isinstance(event, dict):
        return None
    image = event.get("image")
    if not isinstance(image, str) or event.get("addressee") is not None:
        return None
    return image if event.get("imb") is None else None


def image_only(events: list[Any]) -> int:
    """How many events of a batch carry an image and neither addressee nor barcode: the
    pieces that must be read by OCR (about a second each)."""
    return sum(
        1
        for event in events
        if isinstance(event, dict)
        and event.get("image")
        and not event.get("addressee")
        and not event.get("imb")
    )
