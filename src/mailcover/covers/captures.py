"""Captures in and out of their seal: the one way to write or read what an order captured.

The personal exterior of a piece (its addressee and return address lines and its barcode)
and its image are kept only as ciphertexts under the order's key (`covers.sealing`). The
clear columns of a `Capture` are what queries need and say nothing of the person: the
order, the piece number, when and where it was scanned, its class, how it matched.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from PIL import Image

from mailcover.covers import sealing
from mailcover.covers.models import Capture

IMAGE_SUFFIXES = {"PNG": "png", "JPEG": "jpg", "TIFF": "tif", "WEBP": "webp", "BMP": "bmp"}


@dataclass(frozen=True)
class Exterior:
    """What a capture holds of the person: the lines as read, and the barcode's bars."""

    imb: str | None
    addressee: tuple[str, ...] | None
    return_address: tuple[str, ...] | None

    def as_json(self) -> bytes:
        return json.dumps(
            {
                "imb": self.imb,
                "addressee": list(self.addressee) if self.addressee is not None else None,
                "return_address": (
                    list(self.return_address) if self.return_address is not None else None
                ),
            },
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Exterior:
        data: dict[str, Any] = json.loads(raw)
        return cls(
            imb=data["imb"],
            addressee=_lines(data["addressee"]),
            return_address=_lines(data["return_address"]),
        )


def _lines(value: list[str] | None) -> tuple[str, ...] | None:
    return tuple(value) if value is not None else None


def seal_exterior(
    order_id: int, piece_id: str, exterior: Exterior, keys: dict[int, bytes] | None = None
) -> bytes:
    """The value of `Capture.sealed` for a new capture (the order's key made on first use).
    `keys`: the keys already read for the batch this capture is written in (filled here),
    so that a batch reads each order's key file once; never kept beyond the batch, so a
    key destroyed since (MC-RETENTION) is not used for the next."""
    key = keys.get(order_id) if keys is not None else None
    if key is None:
        key = sealing.order_key(order_id, create=True)
        if keys is not None:
            keys[order_id] = key
    return sealing.seal(key, sealing.exterior_context(order_id, piece_id), exterior.as_json())


def exterior(capture: Capture) -> Exterior:
    """The capture's exterior; sealing.KeyMissing when the order's key is gone,
    sealing.Unsealable when the value is not this row's."""
    return exteriors([capture])[0]


def exteriors(captures: Sequence[Capture]) -> list[Exterior]:
    """The exteriors of a page of captures, each order's key read once."""
    keys: dict[int, bytes] = {}
    opened = []
    for capture in captures:
        if capture.order_id not in keys:
            keys[capture.order_id] = sealing.order_key(capture.order_id)
        context = sealing.exterior_context(capture.order_id, capture.piece_id)
        raw = sealing.unseal(keys[capture.order_id], context, bytes(capture.sealed))
        opened.append(Exterior.from_json(raw))
    return opened


def image_name(order_id: int, data: bytes) -> str:
    """The name a checked image is kept under: in its order's folder, by its digest and
    real format. One order's images are never another's file, so destroying one order's
    key leaves nothing readable of its images."""
    digest = hashlib.sha256(data).hexdigest()
    with Image.open(io.BytesIO(data)) as opened:  # already checked by open_image
        suffix = IMAGE_SUFFIXES[str(opened.format)]
    return f"captures/order-{order_id}/{digest}.{suffix}"


def save_image(order_id: int, name: str, data: bytes) -> None:
    """Write an image, sealed under its order's key, through Django's storage API (once
    per content and order)."""
    if default_storage.exists(name):
        return
    try:
        # Made with the capture's sealed exterior; gone only if the order's data was
        # destroyed meanwhile (an improper ruling), and then no image is kept either.
        key = sealing.order_key(order_id)
    except sealing.KeyMissing:
        return
    sealed = sealing.seal(key, sealing.image_context(order_id, name), data)
    default_storage.save(name, ContentFile(sealed))


def read_image(capture: Capture) -> bytes:
    """The exterior image kept with a capture; OSError when it is not in storage,
    sealing.KeyMissing when its order's key is gone."""
    with default_storage.open(capture.image, "rb") as stored:
        sealed: bytes = stored.read()
    key = sealing.order_key(capture.order_id)
    return sealing.unseal(key, sealing.image_context(capture.order_id, capture.image), sealed)


IMAGE_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "tif": "image/tiff",
    "webp": "image/webp",
    "bmp": "image/bmp",
}


def image_response(capture: Capture, data: bytes) -> HttpResponse:
    """The stored image, typed by its checked format (never by what a sender claimed)."""
    kind = IMAGE_TYPES.get(capture.image.rsplit(".", 1)[-1], "application/octet-stream")
    response = HttpResponse(data, content_type=kind)
    response["Cache-Control"] = "private, no-store"  # each view is a disclosure
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
