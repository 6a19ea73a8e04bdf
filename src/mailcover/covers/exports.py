"""The captures of an order as a CSV file: UTF-8, a header row in words, times in UTC and in
the reader's time zone, and no cell a spreadsheet would run as a formula.

What goes into the file is decided by `covers.actions.export_captures`, which records the
export as a disclosure; this module only writes the rows it is given.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC

from mailcover.covers.captures import Exterior
from mailcover.covers.models import Capture
from mailcover.web.labels import label
from mailcover.web.times import zoned_text

HEADER = (
    "Piece",
    "Scanned (UTC)",
    "Scanned (your time zone)",
    "Facility",
    "Mail class",
    "Addressee",
    "Return address",
    "Barcode (Intelligent Mail)",
    "Matched on",
    "Lines read by",
    "OCR confidence",
)

# A cell beginning with one of these is a formula to a spreadsheet (OWASP, CSV injection):
# an address line such as "=HYPERLINK(...)" printed on an envelope must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Excel takes a file without it for its local code page and garbles the accents.
BYTE_ORDER_MARK = "\ufeff"


def safe_cell(value: str) -> str:
    """The value as text a spreadsheet shows and never evaluates."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _lines(lines: tuple[str, ...] | None) -> str:
    return "\n".join(lines) if lines else ""


def read_by(capture: Capture) -> tuple[str, str]:
    """Who read the address lines, and how sure the OCR engine was when it was OCR."""
    if capture.ocr_confidence is None:
        return "as sent by the mail-processing equipment", ""
    return "OCR from the photograph", f"{round(capture.ocr_confidence * 100)}%"


def header(zone_name: str) -> tuple[str, ...]:
    """The header row, the second time column named by the reader's zone."""
    return tuple(f"Scanned ({zone_name})" if h == "Scanned (your time zone)" else h for h in HEADER)


def captures_csv(
    rows: Sequence[Capture], exteriors: Sequence[Exterior], zone_name: str = "UTC"
) -> str:
    """The rows, the scan time in UTC and in `zone_name` (the reader's, named in the
    header and abbreviated in each cell, as EST or EDT changes within one file)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(zone_name))
    for capture, exterior in zip(rows, exteriors, strict=True):
        cells = [
            capture.piece_id,
            f"{capture.scanned_at.astimezone(UTC):%Y-%m-%d %H:%M}",
            zoned_text(capture.scanned_at, zone_name),
            capture.facility,
            label("mail_class", capture.mail_class),
            _lines(exterior.addressee),
            _lines(exterior.return_address),
            exterior.imb or "",
            label("matched_on", capture.matched_on),
            *read_by(capture),
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
    return BYTE_ORDER_MARK + out.getvalue()
