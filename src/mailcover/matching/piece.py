"""A piece of mail as the matcher sees it, what matching it yields, and the only trace it leaves.

`Piece` mirrors the mail-piece event of DESIGN.md (one JSON object a line); reading the JSON is
the ingest side's work. A piece that becomes a `Capture` is kept by the caller; any other piece
leaves nothing but one more count in `Counters` (MC-NO-ORDER-NO-DATA, DESIGN.md "No
dragnet"): the result for it holds no part of it, not even its id.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum

MAIL_CLASSES = frozenset({"first-class", "marketing", "periodical", "package"})
"""The `mail_class` values of the event schema."""


@dataclass(frozen=True, init=False)
class Piece:
    """One mail-piece event: the exterior of one piece, as the equipment read it (MC-DEFINITION).

    `imb` is the 65-bar string or None; `addressee` and `return_address` are the lines as read
    (name first) or None; `image` is a path relative to the stream file or None.
    """

    piece_id: str
    scanned_at: datetime
    facility: str
    mail_class: str
    imb: str | None = None
    addressee: tuple[str, ...] | None = None
    return_address: tuple[str, ...] | None = None
    image: str | None = None

    def __init__(
        self,
        piece_id: str,
        scanned_at: datetime,
        facility: str,
        mail_class: str,
        imb: str | None = None,
        addressee: tuple[str, ...] | None = None,
        return_address: tuple[str, ...] | None = None,
        image: str | None = None,
    ) -> None:
        # The messages name the field, never its value: this piece may be one no order covers.
        if scanned_at.tzinfo is None or scanned_at.utcoffset() is None:
            raise ValueError(
                "scanned_at must carry a time zone: it is compared with the order's window "
                "(MC-NO-ORDER-NO-DATA), which is in UTC"
            )
        if mail_class not in MAIL_CLASSES:
            raise ValueError(f"mail_class must be one of {', '.join(sorted(MAIL_CLASSES))}")
        # Written straight into the instance's dict, once: the frozen dataclass's own __init__
        # sets each field through object.__setattr__, which costs as much as reading the event.
        _fill(
            self, piece_id, scanned_at, facility, mail_class, imb, addressee, return_address, image
        )


def checked_piece(
    piece_id: str,
    scanned_at: datetime,
    facility: str,
    mail_class: str,
    imb: str | None,
    addressee: tuple[str, ...] | None,
    return_address: tuple[str, ...] | None,
    image: str | None,
) -> Piece:
    """A `Piece` of values its caller has checked as `Piece()` checks them (a zone on the scan,
    a known mail class): events.py's reading of a well-formed event, made without checking
    them twice."""
    piece = object.__new__(Piece)
    _fill(piece, piece_id, scanned_at, facility, mail_class, imb, addressee, return_address, image)
    return piece


_FIELDS = ("piece_id", "scanned_at", "facility", "mail_class", "imb", "addressee",
           "return_address", "image")  # fmt: skip


def _fill(piece: Piece, *values: object) -> None:
    """The fields written straight into the instance's dict, in `Piece`'s order, once."""
    piece.__dict__.update(zip(_FIELDS, values, strict=True))


class MatchedOn(StrEnum):
    """What placed a captured piece at the order's delivery point."""

    ROUTING = "routing"  # the barcode's 11-digit routing code equals the order's
    ADDRESS = "address"  # the addressee's address, normalised, has the order's delivery point
    RETURN_ADDRESS = "return_address"  # scope sender: the return address has it


@dataclass(frozen=True)
class Capture:
    """A piece one order covers, in scope and not to or from its subject's known attorney."""

    order_id: int
    case_number: str
    piece: Piece
    matched_on: MatchedOn


class Outcome(StrEnum):
    """What became of a piece. Exactly one per piece; the names are `Counters` fields."""

    MATCHED = "matched"  # captured under at least one order
    EXCLUDED_ATTORNEY = "excluded_attorney"  # MC-ATTORNEY: would have been captured
    OUTSIDE_WINDOW = "outside_window"  # MC-NO-ORDER-NO-DATA: the order was not in force then
    UNREADABLE = "unreadable"  # neither barcode nor address text gave its delivery point
    NO_ORDER = "no_order"  # no order covers its delivery point, names or return address


@dataclass(frozen=True)
class MatchResult:
    """The captures a piece gave, and the orders that withheld it under MC-ATTORNEY.

    MC-ATTORNEY keeps the count of excluded pieces, so the orders are named: oversight counts
    them per order. A piece captured nowhere gives a result with no part of the piece in it.
    """

    outcome: Outcome
    captures: tuple[Capture, ...] = ()
    excluded_by_attorney: tuple[int, ...] = ()
    problem: str | None = None
    """For an UNREADABLE piece whose barcode does not give its delivery point: why its text
    does not either, in fixed words that quote nothing of it. The same whatever orders the
    index holds, so it may be told to whoever sent the piece; None otherwise."""


@dataclass(frozen=True)
class Counters:
    """The aggregate counts a matcher keeps: all that is left of the pieces it dropped.

    `received` is the sum of the five outcomes; `captures` may exceed `matched` when orders
    overlap. Counters from several workers add up with `+`.
    """

    received: int = 0
    matched: int = 0
    excluded_attorney: int = 0
    outside_window: int = 0
    unreadable: int = 0
    no_order: int = 0
    captures: int = 0

    def __add__(self, other: Counters) -> Counters:
        return Counters(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )
