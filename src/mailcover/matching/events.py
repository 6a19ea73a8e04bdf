"""The mail-piece event (DESIGN.md, one JSON object a line) read into a `Piece`, or refused.

Every refusal is an `EventError` whose message names the field and what is wrong with it,
never the value: the piece may be one no order covers, and the message goes back to the
sender, into an API answer that is kept for Idempotency-Key replays, and onto a terminal.

Two paths read an event. `_valid_piece` is the common case, a well-formed event, in a few
checks over all its fields at once (one look for control characters in all its text, for
instance); it gives a `Piece` only when every check passes, and otherwise nothing. Then
`_checked_piece` reads the event field by field, in a fixed order, and refuses it with the
first problem. So what is refused, and the message, are those of `_checked_piece` alone;
tests/matching/test_events.py holds the two to give the same pieces.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

import orjson

from mailcover.matching.piece import MAIL_CLASSES, Piece, checked_piece

MAX_CLOCK_SKEW = timedelta(minutes=5)
"""How far ahead of this server's clock a scan may be stamped before it is 'in the future'."""

MAX_LINE_BYTES = 65_536
"""The longest JSON line read; a piece's exterior is a few hundred bytes."""

MAX_LINES = 12
"""Address lines per side: Publication 28's block is at most 6, OCR adds a few."""

MAX_LINE_CHARS = 200
MAX_FIELD_CHARS = 200
BARS = 65

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
"""Control characters and lone surrogates: no exterior of a piece holds them, and neither
the ledger's UTF-8 nor PostgreSQL's text can."""

_PIECE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_NOT_BARS = re.compile(r"[^ADFT]")
_PATH_PARTS = re.compile(r"[/\\]")
_MAIL_CLASSES = ", ".join(sorted(MAIL_CLASSES))


_LONG_NUMBER = re.compile(rb"[0-9]{19}")
_LONG_NUMBER_TEXT = re.compile(r"[0-9]{19}")


class EventError(ValueError):
    """An event that is not a valid mail-piece event. The message quotes none of it."""


def read_line(line: bytes | str) -> Any:
    """One JSON Lines line, parsed; `EventError` when it is not JSON (the message gives the
    column, not the text)."""
    if len(line) > MAX_LINE_BYTES:
        raise EventError(f"the line is longer than {MAX_LINE_BYTES} bytes")
    # The common case, fast. orjson refuses a few texts json reads (NaN, lone surrogates,
    # UTF-16) and reads an integer of more than 64 bits as a float, where json keeps it (or
    # refuses one of thousands of digits): a line with such a run of digits, or one orjson
    # refuses, is read by json, whose reading and messages are the contract.
    long_number = _LONG_NUMBER if isinstance(line, bytes) else _LONG_NUMBER_TEXT
    if long_number.search(line) is None:  # type: ignore[arg-type]
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(line)
    except UnicodeDecodeError:
        raise EventError("the line is not UTF-8") from None
    except json.JSONDecodeError as error:
        raise EventError(f"not JSON: {error.msg} at column {error.colno}") from None
    except RecursionError:
        raise EventError("not JSON: nested too deeply") from None
    except ValueError:  # e.g. an integer of more digits than Python converts
        raise EventError("not JSON that can be read: a number is too long") from None


def piece_from(event: Any, now: datetime) -> Piece:
    """The `Piece` an event describes. `now` is this server's clock (scans are not later)."""
    piece = _valid_piece(event, now)
    return piece if piece is not None else _checked_piece(event, now)


def _valid_piece(event: Any, now: datetime) -> Piece | None:
    """The piece of a well-formed event, or None for anything `_checked_piece` must look at:
    the same checks, made together. A value that the checked path would strip (surrounding
    spaces) or a subclass of a JSON type is left to it."""
    if type(event) is not dict:
        return None
    get = event.get
    piece_id, scanned, facility = get("piece_id"), get("scanned_at"), get("facility")
    mail_class, imb, image = get("mail_class"), get("imb"), get("image")
    to, back = get("addressee"), get("return_address")
    addressee = _NO_LINES if to is None else to
    sender = _NO_LINES if back is None else back
    if not (
        type(piece_id) is str
        and _PIECE_ID.fullmatch(piece_id)
        and type(scanned) is str
        and 0 < len(scanned) <= 40
        and type(facility) is str
        and 0 < len(facility) <= MAX_FIELD_CHARS
        and type(mail_class) is str
        and mail_class in MAIL_CLASSES
        and (imb is None or (type(imb) is str and len(imb) == BARS and not imb.strip("ADFT")))
        and (image is None or (type(image) is str and _image_ok(image)))
        and type(addressee) is list
        and type(sender) is list
        and len(addressee) <= MAX_LINES
        and len(sender) <= MAX_LINES
        and scanned == scanned.strip()
        and facility == facility.strip()
    ):
        return None
    try:  # a line that is not a string cannot be joined
        text = "".join((facility, scanned, image or "", *addressee, *sender))
    except TypeError:
        return None
    longest = max(map(len, (*addressee, *sender)), default=0)
    if longest > MAX_LINE_CHARS or _UNPRINTABLE.search(text):
        return None
    try:
        moment = datetime.fromisoformat(scanned)
    except ValueError:
        return None
    if moment.utcoffset() is None or moment > now + MAX_CLOCK_SKEW:
        return None
    return checked_piece(  # the zone and the mail class are checked above
        piece_id,
        moment,
        facility,
        mail_class,
        imb,
        None if to is None else tuple(to),
        None if back is None else tuple(back),
        image,
    )


_NO_LINES: list[str] = []  # never changed: read only, as the lines of a side that has none


def _checked_piece(event: Any, now: datetime) -> Piece:
    """The piece, or an EventError naming the first field that is wrong."""
    if not isinstance(event, dict):
        raise EventError("the event must be a JSON object")
    piece_id = _required_text(event, "piece_id", 64)
    if not _PIECE_ID.fullmatch(piece_id):
        raise EventError(
            "piece_id must be 1 to 64 letters, digits, '.', '_', ':' or '-', "
            "starting with a letter or digit"
        )
    return Piece(
        piece_id=piece_id,
        scanned_at=_scanned_at(event, now),
        facility=_required_text(event, "facility", MAX_FIELD_CHARS),
        mail_class=_mail_class(event),
        imb=_imb(event),
        addressee=_lines(event, "addressee"),
        return_address=_lines(event, "return_address"),
        image=_image(event),
    )


def _required_text(event: dict[str, Any], field: str, longest: int) -> str:
    if field not in event or event[field] is None:
        raise EventError(f"{field} is missing")
    value = event[field]
    if not isinstance(value, str):
        raise EventError(f"{field} must be a string, not {_kind(value)}")
    value = value.strip()
    if not value:
        raise EventError(f"{field} is empty")
    if len(value) > longest:
        raise EventError(f"{field} is longer than {longest} characters")
    _printable(value, field)
    return value


def _printable(value: str, where: str) -> None:
    if _UNPRINTABLE.search(value):
        raise EventError(f"{where} holds a control character or an unpaired surrogate")


def _scanned_at(event: dict[str, Any], now: datetime) -> datetime:
    text = _required_text(event, "scanned_at", 40)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise EventError(
            "scanned_at must be an ISO 8601 date and time with a zone, e.g. 2026-11-24T10:15:00Z"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise EventError(
            "scanned_at has no time zone; add one (Z for UTC): the order's window is in UTC"
        )
    if moment > now + MAX_CLOCK_SKEW:
        raise EventError(
            "scanned_at is in the future (more than "
            f"{int(MAX_CLOCK_SKEW.total_seconds() // 60)} minutes ahead of this server's clock)"
        )
    return moment


def _mail_class(event: dict[str, Any]) -> str:
    value = _required_text(event, "mail_class", 20)
    if value not in MAIL_CLASSES:
        raise EventError(f"mail_class must be one of {_MAIL_CLASSES}")
    return value


def _imb(event: dict[str, Any]) -> str | None:
    value = event.get("imb")
    if value is None:
        return None
    if not isinstance(value, str):
        raise EventError(f"imb must be a string of bars or null, not {_kind(value)}")
    if len(value) != BARS:
        raise EventError(f"imb must be {BARS} bars, not {len(value)}")
    wrong = [m.start() + 1 for m in _NOT_BARS.finditer(value)]
    if wrong:
        shown = ", ".join(str(p) for p in wrong[:5]) + (", ..." if len(wrong) > 5 else "")
        raise EventError(f"imb bars must each be A, D, F or T; bar {shown} is not")
    return value


def _lines(event: dict[str, Any], field: str) -> tuple[str, ...] | None:
    value = event.get(field)
    if value is None:
        return None
    if not isinstance(value, list):
        raise EventError(f"{field} must be a list of lines or null, not {_kind(value)}")
    if len(value) > MAX_LINES:
        raise EventError(f"{field} has more than {MAX_LINES} lines")
    for number, line in enumerate(value, 1):
        if not isinstance(line, str):
            raise EventError(f"{field} line {number} must be a string, not {_kind(line)}")
        if len(line) > MAX_LINE_CHARS:
            raise EventError(f"{field} line {number} is longer than {MAX_LINE_CHARS} characters")
        _printable(line, f"{field} line {number}")
    return tuple(value)


def _image(event: dict[str, Any]) -> str | None:
    value = event.get("image")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise EventError("image must be a path relative to the stream file, or null")
    _printable(value, "image")
    if not _image_ok(value):
        raise EventError("image must be a path relative to the stream file, inside its folder")
    return value


def _image_ok(value: str) -> bool:
    """An inline image, or a path that stays inside the stream file's folder."""
    if value.startswith("data:image/"):
        return True  # inline, e.g. from the API; decoded and checked when it is read
    return bool(value.strip()) and not (
        value.startswith(("/", "\\")) or ".." in _PATH_PARTS.split(value) or ":" in value
    )


def _kind(value: Any) -> str:
    """The JSON type of a value, for messages that must not quote it."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"
