"""The legal instrument as uploaded: a real PDF of bounded size, kept by its SHA-256.

A file named .pdf is not taken on its name: it must start as a PDF does, parse, and
have at least one page. The check runs on the bytes in memory, with pypdf in its
non-strict mode; pypdf's errors for broken files are many and change between
versions, so any exception from it means "not a PDF we can read".
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)

MAGIC = b"%PDF-"


class InstrumentFileError(ValueError):
    """The upload is not an instrument we keep; `too_big` answers 413, else 422."""

    def __init__(self, message: str, *, too_big: bool = False) -> None:
        super().__init__(message)
        self.too_big = too_big


@dataclass(frozen=True)
class InstrumentFile:
    data: bytes
    sha256: str
    pages: int


def check_pdf(data: bytes, max_bytes: int) -> InstrumentFile:
    """The instrument's bytes, checked: size, PDF header, parsed, with pages."""
    if len(data) > max_bytes:
        raise InstrumentFileError(
            f"instrument_pdf is {len(data):,} bytes; the limit is {max_bytes:,}", too_big=True
        )
    if not data:
        raise InstrumentFileError("instrument_pdf is empty")
    # The header may follow a little junk (PDF 1.7, 7.5.2 allows it in the first 1024).
    if MAGIC not in data[:1024]:
        raise InstrumentFileError("instrument_pdf is not a PDF (it does not start with %PDF-)")
    pages = _page_count(data)
    if pages < 1:
        raise InstrumentFileError("instrument_pdf has no pages")
    return InstrumentFile(data=data, sha256=hashlib.sha256(data).hexdigest(), pages=pages)


def _page_count(data: bytes) -> int:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise InstrumentFileError(
                "instrument_pdf is encrypted: upload it without a password, so it can be "
                "read and kept with the request"
            )
        return len(reader.pages)
    except InstrumentFileError:
        raise
    except Exception as exc:  # pypdf raises many kinds for a broken file
        logger.info("an uploaded instrument did not parse: %s", type(exc).__name__)
        raise InstrumentFileError(
            "instrument_pdf is damaged or not a PDF: it cannot be read"
        ) from None


def store(checked: InstrumentFile) -> str:
    """Keep the PDF under its hash; the same instrument uploaded twice is one file."""
    name = f"instruments/{checked.sha256}.pdf"
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(checked.data))
        if saved != name:  # a concurrent upload of the same file won the name
            default_storage.delete(saved)
    return name
