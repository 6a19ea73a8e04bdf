"""The in-memory index of covered orders, and matching one piece of mail against it.

What a piece must be, to be captured under an order:

1. At the order's delivery point. For scopes `addressee` and `delivery_point` that is the
   addressee's: read from the barcode's routing code when the bars decode and carry one,
   else from the addressee lines normalised by `postal.address`. For scope `sender` it is
   the return address's (text only: a barcode routes to the addressee).
2. In scope (MC-ALL-NAMES): `addressee` and `sender` need a name on that side that is the
   subject's or an alias (matching/names.py); `delivery_point` takes every name.
3. Scanned while the order was in force: `law.orders.in_force` (MC-NO-ORDER-NO-DATA). The
   index may hold orders not yet or no longer in force; this check is what makes it safe.
4. Not to or from the subject's known attorney (MC-ATTORNEY): the other side of the piece
   names one of the order's attorneys, or has an attorney's delivery point. Either is
   enough: a letter from the attorney's firm, or from the attorney's own name at a new
   address, is still privileged, and missing a capture is the lawful direction.

How a barcode-keyed piece is looked up, without reading its text (the hot path). An order's
address gives ZIP5|primary|unit (the delivery-point key), perhaps a ZIP+4, but not the two
delivery-point digits, which the Postal Service assigns; a barcode gives ZIP5, ZIP+4 and
those digits (5, 9 or 11 digits in all). So the index keeps the orders by the finest code
each one knows:

* by the 11-digit routing code, when the order was given one (`CoveredOrder.routing`): a
  barcode with that code is at the delivery point without any text;
* by ZIP+4, when the order's address has one: a barcode with another ZIP+4 is elsewhere
  (the ZIP+4 is derived from the address, so one delivery point has one);
* by ZIP5, when the address has no ZIP+4.

A barcode that reaches none of these buckets is dropped after three dictionary look-ups:
the common case. One that reaches a bucket whose orders it cannot confirm alone has its
addressee text normalised and compared by delivery-point key. A piece whose bars do not
decode, or carry no routing code, goes by its text; its ZIP Codes are picked out with one
regular expression first, so that text naming no indexed ZIP is dropped without the (much
slower) address parser. The return address is read the same way, and only when some order
has scope `sender` or an attorney at one of its ZIP Codes.

Minimisation (DESIGN.md "No dragnet"). Nothing about a piece outlives `match` unless it is
captured: the index keeps the orders and `Counters`, and no cache; an `AddressError` or
`ImbError` raised by a piece's text is caught and counted, never re-raised (its message
quotes the text); any other failure is re-raised as a `MatchError` that names no part of it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from mailcover.law.orders import OrderFacts, in_force
from mailcover.law.terms import Scope
from mailcover.matching.names import PersonName, names_anyone, readings
from mailcover.matching.piece import (
    Capture,
    Counters,
    MatchedOn,
    MatchResult,
    Outcome,
    Piece,
)
from mailcover.postal.address import Address, AddressError, parse_lines
from mailcover.postal.imb import ImbError, read

ROUTING_DIGITS = 11
"""ZIP5 + ZIP+4 + the two delivery-point digits: the routing code that names one delivery point."""


class MatchError(RuntimeError):
    """The matcher failed on a piece. The message names no part of the piece, by design."""


@dataclass(frozen=True)
class Attorney:
    """A known attorney of the subject (MC-ATTORNEY): a name, and an address when known."""

    name: str
    address: Address | None = None


@dataclass(frozen=True)
class CoveredOrder:
    """What the matcher needs of one order.

    `names` is the subject's name first, then the aliases. `address` is the subject's
    address (for scope `sender`, the return address the subject's mail bears), already
    normalised. `routing` is the 11-digit routing code of that delivery point when the
    caller knows it (from the Postal Service's address records, say); without it a barcode
    is checked against the address text. `facts` decide when the order is in force.
    """

    order_id: int
    case_number: str
    scope: Scope
    names: tuple[str, ...]
    address: Address
    facts: OrderFacts
    attorneys: tuple[Attorney, ...] = ()
    routing: str | None = None

    def __post_init__(self) -> None:
        where = f"order {self.case_number}"
        if not self.names:
            raise ValueError(f"{where}: names is empty; a cover is on a named subject")
        for name in self.names:
            if not any(reading.given and reading.surname for reading in readings(name)):
                raise ValueError(
                    f"{where}: the name {name!r} has no given name and surname to compare "
                    "mail with; write it as on the mail, e.g. JOHN Q PUBLIC"
                )
        if self.routing is not None:
            self._check_routing(where)

    def _check_routing(self, where: str) -> None:
        routing = self.routing or ""
        if not (len(routing) == ROUTING_DIGITS and routing.isdigit()):
            raise ValueError(f"{where}: routing must be 11 digits (ZIP+4 and delivery point)")
        if routing[:5] != self.address.zip5 or (
            self.address.zip4 and routing[5:9] != self.address.zip4
        ):
            raise ValueError(
                f"{where}: routing {routing} is not in the address's ZIP+4 "
                f"{self.address.zip_code}; one of them is wrong"
            )


@dataclass(frozen=True)
class _Entry:
    """An order with its names read once, at build time."""

    order: CoveredOrder
    subject: tuple[PersonName, ...]
    attorney_names: tuple[PersonName, ...]
    attorney_points: frozenset[str]
    attorney_zip5s: frozenset[str]

    @classmethod
    def of(cls, order: CoveredOrder) -> _Entry:
        points = {a.address.delivery_point_key for a in order.attorneys if a.address}
        return cls(
            order,
            tuple(r for name in order.names for r in readings(name, surname_first_too=False)),
            tuple(r for a in order.attorneys for r in readings(a.name, surname_first_too=False)),
            frozenset(points),
            frozenset(point.split("|", 1)[0] for point in points),
        )


Bucket = tuple[_Entry, ...]
_KeyOf = Callable[[Address, str | None], str | None]


@dataclass(frozen=True)
class _Tables:
    """The look-up tables; replaced whole on refresh, so a match sees one version."""

    orders: tuple[CoveredOrder, ...]
    by_routing: dict[str, Bucket]  # addressee-side orders that know their 11-digit routing
    unrouted_by_zip9: dict[str, Bucket]  # ... with a ZIP+4 and no routing
    by_zip9: dict[str, Bucket]  # ... with a ZIP+4
    open_by_zip5: dict[str, Bucket]  # ... without a ZIP+4: any ZIP+4 in the ZIP5 may be theirs
    by_zip5: dict[str, Bucket]  # every addressee-side order
    by_point: dict[str, Bucket]  # every addressee-side order, by delivery-point key
    senders_by_zip5: dict[str, Bucket]  # scope sender
    attorney_zip5s: frozenset[str]

    @classmethod
    def build(cls, orders: Iterable[CoveredOrder]) -> _Tables:
        entries = tuple(_Entry.of(order) for order in orders)
        ids = [e.order.order_id for e in entries]
        if len(set(ids)) != len(ids):
            raise ValueError("an order is given twice (the same order_id)")
        receiving = [e for e in entries if e.order.scope is not Scope.SENDER]
        return cls(
            orders=tuple(e.order for e in entries),
            by_routing=_group(receiving, lambda a, r: r),
            unrouted_by_zip9=_group(receiving, lambda a, r: None if r else _zip9(a)),
            by_zip9=_group(receiving, lambda a, r: _zip9(a)),
            # Each order sits in exactly one bucket a piece can reach by routing (by its
            # code, its ZIP+4 or its ZIP5), so no piece is weighed twice under one order.
            open_by_zip5=_group(receiving, lambda a, r: None if a.zip4 or r else a.zip5),
            by_zip5=_group(receiving, lambda a, r: a.zip5),
            by_point=_group(receiving, lambda a, r: a.delivery_point_key),
            senders_by_zip5=_group(
                [e for e in entries if e.order.scope is Scope.SENDER], lambda a, r: a.zip5
            ),
            attorney_zip5s=frozenset(z for e in entries for z in e.attorney_zip5s),
        )


def _zip9(address: Address) -> str | None:
    return address.zip5 + address.zip4 if address.zip4 else None


def _group(entries: Iterable[_Entry], key_of: _KeyOf) -> dict[str, Bucket]:
    groups: defaultdict[str, list[_Entry]] = defaultdict(list)
    for entry in entries:
        key = key_of(entry.order.address, entry.order.routing)
        if key is not None:
            groups[key].append(entry)
    return {key: tuple(group) for key, group in groups.items()}


_NO_ORDER = MatchResult(Outcome.NO_ORDER)
_UNREADABLE = MatchResult(Outcome.UNREADABLE)


class MatchIndex:
    """The covered orders, and the counters of every piece matched against them.

    Build it with the orders from the database; call `refresh` when an order is added,
    changes, starts or ends. Orders not in force may stay in it: a piece is captured only if
    its order was in force when it was scanned. `match` is the one way in.
    """

    def __init__(self, orders: Iterable[CoveredOrder] = ()) -> None:
        self._tables = _Tables.build(orders)
        self._counts = dict.fromkeys(Outcome, 0)
        self._captures = 0

    @classmethod
    def build(cls, orders: Iterable[CoveredOrder]) -> MatchIndex:
        return cls(orders)

    def refresh(self, orders: Iterable[CoveredOrder]) -> None:
        """Replace the orders, keeping the counters. A match under way finishes on the old set."""
        self._tables = _Tables.build(orders)

    @property
    def orders(self) -> tuple[CoveredOrder, ...]:
        return self._tables.orders

    @property
    def counters(self) -> Counters:
        counts = self._counts
        return Counters(
            received=sum(counts.values()),
            matched=counts[Outcome.MATCHED],
            excluded_attorney=counts[Outcome.EXCLUDED_ATTORNEY],
            outside_window=counts[Outcome.OUTSIDE_WINDOW],
            unreadable=counts[Outcome.UNREADABLE],
            no_order=counts[Outcome.NO_ORDER],
            captures=self._captures,
        )

    def match(self, piece: Piece) -> MatchResult:
        """The captures of one piece; a piece no order covers leaves only a count."""
        failed = ""
        try:
            result = _Matching(self._tables, piece).result()
        except Exception as error:
            failed = type(error).__name__
        if failed:
            # Raised outside the `except`, so the error carries no __context__: the original
            # exception, its message and its traceback's frames may all hold the piece's text.
            self._counts[Outcome.UNREADABLE] += 1
            del piece
            raise MatchError(
                f"matching a piece failed ({failed}); the piece is withheld and counted as "
                "unreadable"
            )
        self._counts[result.outcome] += 1
        self._captures += len(result.captures)
        return result


class _Side:
    """One side of a piece (addressee or return address), read no more than it must be."""

    __slots__ = ("_address", "_read", "lines")

    def __init__(self, lines: tuple[str, ...] | None) -> None:
        self.lines: tuple[str, ...] = lines or ()
        self._address: Address | None = None
        self._read = False

    def address(self) -> Address | None:
        """The normalised address, or None when it cannot be read (the error says why, with
        the text in it, so it is dropped here)."""
        if not self._read:
            self._read = True
            try:
                self._address = parse_lines(self.lines) if self.lines else None
            except AddressError:
                self._address = None
        return self._address

    def name_lines(self) -> Sequence[str]:
        """The lines that name the addressee or sender: all of them when the address is not
        parsed (a street line names nobody, so reading it as a name costs only time)."""
        address = self._address
        return address.recipient if address is not None else self.lines

    def point(self) -> str | None:
        address = self.address()
        return address.delivery_point_key if address is not None else None


class _Matching:
    """The work of matching one piece. Lives only for the call to `MatchIndex.match`."""

    def __init__(self, tables: _Tables, piece: Piece) -> None:
        self.tables = tables
        self.piece = piece
        self.to = _Side(piece.addressee)
        self.back = _Side(piece.return_address)
        self.captures: list[Capture] = []
        self.excluded: list[int] = []
        self.outside_window = False
        self.unreadable = False

    def result(self) -> MatchResult:
        self._receiving()
        self._sending()
        if self.captures or self.excluded:
            outcome = Outcome.MATCHED if self.captures else Outcome.EXCLUDED_ATTORNEY
            return MatchResult(outcome, tuple(self.captures), tuple(self.excluded))
        if self.outside_window:
            return MatchResult(Outcome.OUTSIDE_WINDOW)
        return _UNREADABLE if self.unreadable else _NO_ORDER

    # -- scopes addressee and delivery_point: the addressee's delivery point ----------------

    def _receiving(self) -> None:
        routing = self._routing()
        if routing:
            confirmed, unconfirmed = self._by_routing(routing)
        else:
            confirmed, unconfirmed = (), self._by_text()
        for entry in confirmed:
            self._consider(entry, self.to, MatchedOn.ROUTING)
        if not unconfirmed:
            return
        point = self.to.point()
        if point is None:
            self.unreadable = True
            return
        for entry in unconfirmed:
            if entry.order.address.delivery_point_key == point:
                self._consider(entry, self.to, MatchedOn.ADDRESS)

    def _routing(self) -> str:
        if not self.piece.imb:
            return ""
        try:
            return read(self.piece.imb).imb.routing
        except ImbError:
            return ""  # misread bars: the address text decides

    def _by_routing(self, routing: str) -> tuple[Bucket, Bucket]:
        tables, zip5 = self.tables, routing[:5]
        if len(routing) == ROUTING_DIGITS:
            unconfirmed = tables.unrouted_by_zip9.get(routing[:9], ())
            unconfirmed += tables.open_by_zip5.get(zip5, ())
            return tables.by_routing.get(routing, ()), unconfirmed
        if len(routing) == 9:
            return (), tables.by_zip9.get(routing, ()) + tables.open_by_zip5.get(zip5, ())
        return (), tables.by_zip5.get(zip5, ())

    def _by_text(self) -> Bucket:
        """Orders at a ZIP the addressee text names; the parser runs only if there are any."""
        zips = zip5_candidates(self.to.lines)
        if not zips:
            self.unreadable = True
            return ()
        by_zip5 = self.tables.by_zip5
        if not any(z in by_zip5 for z in zips):
            return ()
        point = self.to.point()
        if point is None:
            self.unreadable = True
            return ()
        return self.tables.by_point.get(point, ())

    # -- scope sender: the return address ---------------------------------------------------

    def _sending(self) -> None:
        senders = self.tables.senders_by_zip5
        if not senders or not self.back.lines:
            return
        if not any(z in senders for z in zip5_candidates(self.back.lines)):
            return
        point = self.back.point()
        if point is None:
            self.unreadable = True
            return
        for entry in senders.get(point.split("|", 1)[0], ()):
            if entry.order.address.delivery_point_key == point:
                self._consider(entry, self.back, MatchedOn.RETURN_ADDRESS)

    # -- one order ---------------------------------------------------------------------------

    def _consider(self, entry: _Entry, side: _Side, matched_on: MatchedOn) -> None:
        """The piece is at the order's delivery point on `side`: scope, window, attorney."""
        order = entry.order
        if order.scope is not Scope.DELIVERY_POINT:  # MC-ALL-NAMES: only the subject's names
            side.address()
            if not names_anyone(entry.subject, side.name_lines()):
                return
        if not in_force(order.facts, self.piece.scanned_at):  # MC-NO-ORDER-NO-DATA
            self.outside_window = True
            return
        other = self.back if side is self.to else self.to
        if self._attorney(entry, other):  # MC-ATTORNEY
            self.excluded.append(order.order_id)
            return
        self.captures.append(Capture(order.order_id, order.case_number, self.piece, matched_on))

    def _attorney(self, entry: _Entry, other: _Side) -> bool:
        """MC-ATTORNEY: the other side names a known attorney or is at an attorney's address."""
        if not other.lines or not (entry.attorney_names or entry.attorney_points):
            return False
        nearby = entry.attorney_zip5s & zip5_candidates(other.lines)
        if nearby and other.point() in entry.attorney_points:
            return True
        return names_anyone(entry.attorney_names, other.name_lines())


# -- ZIP Codes in text, cheaply ---------------------------------------------------------------

_DIGIT_RUN = re.compile(r"\d{5,}")
_OCR_ZIP_DIGITS = str.maketrans("OIL", "011")


def zip5_candidates(lines: Iterable[str]) -> frozenset[str]:
    """Every 5-digit run the address parser could read as the ZIP Code, and some it would not.

    A superset, so that dropping text whose candidates are all unindexed never drops a piece
    the parser would have placed at an indexed delivery point: it reads O, I and L as digits
    everywhere (postal.address does so only in a ZIP-like run) and takes every five digits in
    a longer run (a ZIP+4 written without its hyphen, or glued to the state).
    """
    found: set[str] = set()
    for line in lines:
        text = line if line.isascii() else unicodedata.normalize("NFKD", line)
        text = text.upper().replace("'", "").translate(_OCR_ZIP_DIGITS)
        for run in _DIGIT_RUN.findall(text):
            found.update(run[i : i + 5] for i in range(len(run) - 4))
    return frozenset(found)
