"""The in-memory index of covered orders, and matching one piece of mail against it.

What a piece must be, to be captured under an order:

1. At the order's delivery point. For scopes `addressee` and `delivery_point` that is the
   addressee's: read from the barcode's routing code when the bars decode and carry one,
   else from the addressee lines normalised by `postal.address` and compared with the
   order's address by `same_delivery_point`, which forgives the unit designator the sender
   chose and OCR slips in the street name, suffix, city and state code. For scope `sender` it is
   the return address's (text only: a barcode routes to the addressee).
2. In scope (MC-ALL-NAMES): `addressee` and `sender` need a name on that side that is the
   subject's or an alias (matching/names.py); `delivery_point` takes every name.
3. Scanned while the order was in force, and still in force when the piece is recorded:
   `law.orders.may_record` (MC-NO-ORDER-NO-DATA). The
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

A barcode that reaches none of these buckets is dropped after two dictionary look-ups: the
common case. One that reaches a bucket whose orders it cannot confirm alone has its addressee
text normalised and compared with `postal.delivery_point.same_delivery_point` (ZIP, house number
and unit equal; street name and suffix despite OCR slips). A piece whose bars do not decode,
or carry less than a full routing code, goes by its text: first `postal.precheck.precheck`,
for every piece (no ZIP, an unlisted ZIP, another state's code, no street: the `problem`
named), then, only if an order is at one of its ZIP Codes and the text holds that order's
house number, the full parse (usaddress, the slow part). Whether a piece is refused, and the
`problem` named, must not depend on which addresses are under cover, or an operator could
probe them with made-up addresses: the precheck does not look at the index, and a piece that
passes it but fails the full parse is counted unreadable, never named. The return address is
read only when some order has scope `sender` or an attorney at one of its ZIP Codes (its ZIP
Codes picked out with one regular expression first); a return address that cannot be read is
counted, never named.

Minimisation (DESIGN.md "No dragnet"). Nothing about a piece outlives `match` unless it is
captured: the index keeps the orders and `Counters`, and no cache; an `AddressError` or
`ImbError` raised by a piece's text is caught and counted, never re-raised (its message
quotes the text); any other failure is re-raised as a `MatchError` that names no part of it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from mailcover.law.orders import OrderFacts, may_record
from mailcover.law.terms import Scope
from mailcover.matching.matchable import names_nobody
from mailcover.matching.names import PersonName, names_anyone, readings
from mailcover.matching.piece import (
    Capture,
    Counters,
    MatchedOn,
    MatchResult,
    Outcome,
    Piece,
)
from mailcover.matching.side import Side
from mailcover.postal import address as postal_address
from mailcover.postal.address import (
    Address,
    AddressError,
)
from mailcover.postal.confusion import digit_pattern
from mailcover.postal.delivery_point import same_delivery_point
from mailcover.postal.imb import ImbError, routing_of_bars
from mailcover.postal.precheck import precheck
from mailcover.postal.zips import zip5_candidates

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
            if names_nobody(name):  # SVC-MATCHABLE refuses such a name at filing
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
    attorney_addresses: tuple[Address, ...]
    attorney_zip5s: frozenset[str]
    number: re.Pattern[str] | None
    """The first digits of the address's primary line (house, box or route number), as a
    whole number in text: the parser takes the key's number from the text as written, so
    text without it cannot be at this delivery point and need not be parsed."""
    printed: frozenset[tuple[str, str]]
    """The address's own last two lines in Publication 28 form (with the ZIP+4 and without),
    each only if the parser reads it back as this delivery point: a side whose
    `printed_lines` are one of these is at it without being parsed."""

    @property
    def named(self) -> bool:
        """Whether a piece must also name the subject (scopes addressee and sender), which
        lets its numbers be read through the OCR table (`same_delivery_point`)."""
        return self.order.scope is not Scope.DELIVERY_POINT

    @classmethod
    def of(cls, order: CoveredOrder) -> _Entry:
        addresses = tuple(a.address for a in order.attorneys if a.address)
        digits = _FIRST_DIGITS.search(order.address.primary_line)
        number = digits.group().lstrip("0") if digits else ""
        return cls(
            order,
            tuple(r for name in order.names for r in readings(name, surname_first_too=False)),
            tuple(r for a in order.attorneys for r in readings(a.name, surname_first_too=False)),
            addresses,
            frozenset(address.zip5 for address in addresses),
            re.compile(rf"(?<![0-9A-Z])0*{digit_pattern(number)}(?![0-9A-Z])", re.IGNORECASE)
            if number
            else None,
            _printed_forms(order.address),
        )


def _printed_forms(address: Address) -> frozenset[tuple[str, str]]:
    delivery, last = address.lines()
    forms = {(delivery, last), (delivery, " ".join(p for p in (address.city, address.state,
                                                                address.zip5) if p))}  # fmt: skip
    checked = set()
    for form in forms:
        try:  # the order's own address, once per build: no piece's text is read here
            read = postal_address.parse_lines(("CURRENT RESIDENT", *form))
        except AddressError:
            continue
        if (read.delivery_point_key, read.number_key) == (
            address.delivery_point_key,
            address.number_key,
        ):
            checked.add(form)
    return frozenset(checked)


_FIRST_DIGITS = re.compile(r"\d+")


Bucket = tuple[_Entry, ...]
_KeyOf = Callable[[Address, str | None], str | None]


@dataclass(frozen=True)
class _Tables:
    """The look-up tables; replaced whole on refresh, so a match sees one version."""

    orders: tuple[CoveredOrder, ...]
    by_routing: dict[str, Bucket]  # addressee-side orders that know their 11-digit routing
    unrouted_by_zip9: dict[str, Bucket]  # ... with a ZIP+4 and no routing
    open_by_zip5: dict[str, Bucket]  # ... without a ZIP+4: any ZIP+4 in the ZIP5 may be theirs
    by_zip5: dict[str, Bucket]  # every addressee-side order, by ZIP5 (text-only pieces)
    by_number: dict[str, Bucket]  # every addressee-side order, by `Address.number_key`
    named_by_number: dict[str, Bucket]  # scope addressee only, by `named_number_key`
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
            # Each order sits in exactly one bucket a piece can reach by routing (by its
            # code, its ZIP+4 or its ZIP5), so no piece is weighed twice under one order.
            open_by_zip5=_group(receiving, lambda a, r: None if a.zip4 or r else a.zip5),
            by_zip5=_group(receiving, lambda a, r: a.zip5),
            by_number=_group(receiving, lambda a, r: a.number_key),
            named_by_number=_group(
                [e for e in receiving if e.named], lambda a, r: a.named_number_key
            ),
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

    def match(
        self, piece: Piece, now: datetime | None = None, *, even: bool = False
    ) -> MatchResult:
        """The captures of one piece; a piece no order covers leaves only a count.

        `now` is when the piece is recorded (MC-NO-ORDER-NO-DATA: nothing after the order
        ends); the ingest worker passes its clock. Left out, it is the moment of the scan.

        `even`: read every piece's address text in full, whether or not an order is near it,
        so that the time a piece takes does not depend on which addresses are under cover
        (SEC-OPERATOR). For a feed whose sender could time the answers (the operator's API);
        the server's own ingest leaves it off and parses only near an order.
        """
        failed = ""
        try:
            result = _Matching(self._tables, piece, now or piece.scanned_at, even).result()
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


# Why a piece has no delivery point, in words that hold no part of it (MatchResult.problem).
_BARCODE_PROBLEMS = {
    "none": "no barcode",
    "no-routing": "the barcode's routing code does not name a delivery point",
}
_ADDRESS_PROBLEMS = {
    "none": "no addressee lines",
    "empty": "the addressee lines are empty",
    "unparseable": "the addressee lines could not be read as an address",
    "no-zip": "the addressee lines have no ZIP Code",
    "bad-zip": "the addressee's ZIP Code is malformed",
    "unknown-zip": "the addressee's ZIP Code is not on the ZIP Code list",
    "unknown-state": "the addressee's state is not a state code",
    "zip-state-mismatch": "the addressee's ZIP Code belongs to another state",
    "no-street": "the addressee lines have no street address, PO box, route or military address",
    "intersection": "the addressee lines give a street corner, not a delivery point",
}


def _problem(barcode_error: str, address_error: str) -> str:
    barcode = _BARCODE_PROBLEMS.get(barcode_error, f"the barcode did not decode ({barcode_error})")
    address = _ADDRESS_PROBLEMS.get(address_error, _ADDRESS_PROBLEMS["unparseable"])
    return f"no delivery point: {barcode}, and {address}"


class _Matching:
    """The work of matching one piece. Lives only for the call to `MatchIndex.match`."""

    def __init__(self, tables: _Tables, piece: Piece, now: datetime, even: bool = False) -> None:
        self.tables = tables
        self.piece = piece
        self.now = now
        self.to = Side(piece.addressee)
        self.back = Side(piece.return_address)
        # Under `even` no name is read before the address is compared: how long the names of
        # a piece take to read would tell which numbers of its ZIP Code are under cover.
        self.even = even
        if even:  # the same work for every piece, whatever the index holds
            self.to.address()
            self.back.address()
        self.captures: list[Capture] = []
        self.excluded: list[int] = []
        self.outside_window = False
        self.unreadable = False
        self.barcode_error = "none"  # what kept the barcode from naming the delivery point
        self.problem: str | None = None

    def result(self) -> MatchResult:
        self._receiving()
        self._sending()
        if self.captures or self.excluded:
            outcome = Outcome.MATCHED if self.captures else Outcome.EXCLUDED_ATTORNEY
            return MatchResult(outcome, tuple(self.captures), tuple(self.excluded))
        if self.outside_window:
            return MatchResult(Outcome.OUTSIDE_WINDOW)
        if self.unreadable:
            return MatchResult(Outcome.UNREADABLE, problem=self.problem)
        return _NO_ORDER

    # -- scopes addressee and delivery_point: the addressee's delivery point ----------------

    def _receiving(self) -> None:
        routing = self._routing()
        if len(routing) == ROUTING_DIGITS:
            self._by_routing(routing)
            return
        # Without a full routing code the text decides. What can be told of it cheaply
        # (`precheck`: no ZIP, an unlisted ZIP, another state's code, no street) is read for
        # every piece, whatever the index holds, and is what the sender is told: so whether a
        # piece is refused, and why, never depends on which addresses are under cover (an
        # operator could otherwise probe them). Only then is the index asked, and the text
        # parsed (the slow part) only when an order is at one of its ZIP Codes, its house
        # number is in the text and, when the order's mail must name the subject, the lines
        # above the street name them (`_worth_reading`). A piece that passes the precheck but
        # does not parse there is counted unreadable, never named: that outcome depends on the
        # index.
        lines = self.to.lines
        problem = precheck(lines) if lines else "none"
        if problem is not None:
            self.unreadable = True
            self.problem = _problem(self.barcode_error, problem)
            return
        by_zip5 = self.tables.by_zip5
        found = [e for z in zip5_candidates(lines) for e in by_zip5.get(z, ())]
        nearby, printed = self._printed(found, self.to, MatchedOn.ADDRESS)
        if not nearby or not (self.even or _worth_reading(nearby, self.to)):
            return  # (under `even` the text is parsed already, and no name is read first)
        address = self.to.address()
        if address is None:
            self.unreadable = True
            return
        tables = self.tables
        entries = tables.by_number.get(address.number_key, ())
        if address.named_number_key != address.number_key:  # a letter in a number: 370B
            # Orders with the number as written are in both buckets: each weighed once.
            exact = {e.order.order_id for e in entries}
            entries += tuple(
                e
                for e in tables.named_by_number.get(address.named_number_key, ())
                if e.order.order_id not in exact
            )
        for entry in entries:
            if entry.order.order_id not in printed and same_delivery_point(
                entry.order.address, address, named=entry.named
            ):
                self._consider(entry, self.to, MatchedOn.ADDRESS)

    def _printed(
        self, entries: Sequence[_Entry], side: Side, matched_on: MatchedOn
    ) -> tuple[Sequence[_Entry], frozenset[int]]:
        """The entries whose Publication 28 lines the side's last two lines are exactly, taken
        as at the side's address without parsing it (`_Entry.printed`); the others are left
        for the parse, with the orders already considered. Not under `even`, which parses
        every piece the same way."""
        if self.even or not entries:
            return entries, frozenset()
        printed = side.printed()
        if printed is None:
            return entries, frozenset()
        rest = []
        done = set()
        for entry in entries:
            if printed in entry.printed:
                done.add(entry.order.order_id)
                self._consider(entry, side, matched_on)
            else:
                rest.append(entry)
        return rest, frozenset(done)

    def _routing(self) -> str:
        if not self.piece.imb:
            return ""
        try:
            routing = routing_of_bars(self.piece.imb)  # postal.imb.read's, without the rest
        except ImbError as error:
            self.barcode_error = error.code
            return ""  # misread bars: the address text decides
        if len(routing) != ROUTING_DIGITS:
            self.barcode_error = "no-routing"
        return routing

    def _by_routing(self, routing: str) -> None:
        """An 11-digit routing code: orders that know it are confirmed by it; orders that know
        only its ZIP+4, or only its ZIP5, by the address text (read only when there are any)."""
        tables = self.tables
        for entry in tables.by_routing.get(routing, ()):
            self._consider(entry, self.to, MatchedOn.ROUTING)
        known_by_text = tables.unrouted_by_zip9.get(routing[:9], ()) + tables.open_by_zip5.get(
            routing[:5], ()
        )
        unconfirmed, _ = self._printed(known_by_text, self.to, MatchedOn.ADDRESS)
        # Most pieces in an order's ZIP+4 are the neighbours' or the household's: a text
        # without the order's house number, or without the subject's name when the order
        # needs it, is not parsed (the slow part), since it cannot be captured for it.
        if not unconfirmed or not (self.even or _worth_reading(unconfirmed, self.to)):
            return
        address = self.to.address()
        if address is None:
            self.unreadable = True  # counted, never named: this depends on the index
            return
        for entry in unconfirmed:
            if same_delivery_point(entry.order.address, address, named=entry.named):
                self._consider(entry, self.to, MatchedOn.ADDRESS)

    # -- scope sender: the return address ---------------------------------------------------

    def _sending(self) -> None:
        senders = self.tables.senders_by_zip5
        if not senders or not self.back.lines:
            return
        found = [e for z in zip5_candidates(self.back.lines) for e in senders.get(z, ())]
        nearby, printed = self._printed(found, self.back, MatchedOn.RETURN_ADDRESS)
        if not nearby or not (self.even or _worth_reading(nearby, self.back)):
            return
        address = self.back.address()
        if address is None:
            self.unreadable = True
            return
        for entry in senders.get(address.zip5, ()):
            if entry.order.order_id not in printed and same_delivery_point(
                entry.order.address, address, named=entry.named
            ):
                self._consider(entry, self.back, MatchedOn.RETURN_ADDRESS)

    # -- one order ---------------------------------------------------------------------------

    def _consider(self, entry: _Entry, side: Side, matched_on: MatchedOn) -> None:
        """The piece is at the order's delivery point on `side`: scope, window, attorney."""
        order = entry.order
        # MC-ALL-NAMES: only the subject's names, unless the scope takes every name.
        if order.scope is not Scope.DELIVERY_POINT and not side.names(entry.subject):
            return
        if not may_record(order.facts, self.piece.scanned_at, self.now):  # MC-NO-ORDER-NO-DATA
            self.outside_window = True
            return
        other = self.back if side is self.to else self.to
        if self._attorney(entry, other):  # MC-ATTORNEY
            self.excluded.append(order.order_id)
            return
        self.captures.append(Capture(order.order_id, order.case_number, self.piece, matched_on))

    def _attorney(self, entry: _Entry, other: Side) -> bool:
        """MC-ATTORNEY: the other side names a known attorney or is at an attorney's address."""
        if not other.lines or not (entry.attorney_names or entry.attorney_addresses):
            return False
        if entry.attorney_zip5s & zip5_candidates(other.lines):
            address = other.address()
            if address is not None and any(
                same_delivery_point(known, address) for known in entry.attorney_addresses
            ):
                return True
        return names_anyone(entry.attorney_names, other.attorney_lines(), lenient=True)


def _worth_reading(entries: Iterable[_Entry], side: Side) -> bool:
    """Whether the side may be at the delivery point of one of the orders and be theirs: the
    text holds the order's house number (or box, route or unit number), and, when the piece
    must also name the subject, names them. Otherwise the address need not be parsed (the
    slow part): it could not be captured for any of them."""
    text = " ".join(side.lines)
    return any(
        (e.number is None or e.number.search(text)) and (not e.named or side.names(e.subject))
        for e in entries
    )
