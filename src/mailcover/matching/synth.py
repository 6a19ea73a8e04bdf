"""A synthetic mail stream whose every piece carries the ground truth of the law.

Used by `mailcover synth stream`, the demo, the tests and the matcher's benchmark. Pure: no
Django, no I/O and no clock (`now` is a parameter); the same arguments always give the same
orders and the same stream (one `random.Random` and one seeded Faker per call, no global
state).

`orders` makes covered orders as the database loader would give them: the address is text
normalised by `postal.address.parse`, at a ZIP Code of the `zipcodes` list. `stream` takes
those or any other orders and yields pieces of mail (DESIGN.md's mail-piece event, as a
JSON-ready dict) with a `Truth`: the kind of piece it is and the orders that the law says
capture it. The truth is decided from what the piece really is (whose name, which delivery
point, when, from whom), by the rules the matcher must follow (matching/index.py's module
docstring): the delivery point, the scope (MC-ALL-NAMES), `law.orders.may_record` with the
piece recorded at the stream's `now` (MC-NO-ORDER-NO-DATA: in force when scanned and when
recorded) and the attorney exclusion (MC-ATTORNEY). The matcher is never run.

The noise is what a careful reader can still read, and no more: a barcode, when present and
not damaged, carries the true routing code (ZIP5, ZIP+4, two delivery-point digits, stable
for one delivery point); a damaged one fails its CRC, and the text decides. Text printed
with a barcode is clean; text without one is read with OCR slips (case, stray punctuation,
O/0 and I/1 in words, a ZIP digit read as a letter), a unit on a line of its own, a ZIP+4
left out. A nickname appears only where the order lists it as an alias (matching/names.py
does not guess nicknames), an initial only for the subject's own names, and a household
member's given name never shares its initial with the subject's (names.py documents that
"J PUBLIC" is read as mail to JOHN PUBLIC: an accepted risk the stream does not test).
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import accumulate
from typing import Any

import zipcodes
from faker import Faker

from mailcover.law.orders import OrderFacts, may_record
from mailcover.law.periods import Period
from mailcover.law.terms import Grounds, Scope
from mailcover.matching.index import Attorney, CoveredOrder
from mailcover.matching.names import CREDENTIALS, GENERATIONS, NOBODY, PARTICLES, TITLES
from mailcover.matching.piece import Piece
from mailcover.postal.address import Address, AddressError, parse
from mailcover.postal.imb import ImbError, encode, read, rotated
from mailcover.postal.pub28 import (
    DIRECTIONALS,
    SECONDARY_UNITS,
    STATES,
    STREET_SUFFIXES,
    SUFFIX_NAMES,
)

KINDS = (
    "subject",
    "alias",
    "initials",
    "household",
    "neighbour",
    "attorney_to",
    "attorney_from",
    "outside_window",
    "sender",
    "elsewhere",
)
"""What a piece is, relative to the order it was made about:

* subject, alias, initials: to the subject at the subject's delivery point, by the name as
  the order gives it (middle name perhaps left out, perhaps surname first), by one of the
  order's aliases, or by initials ("J Q PUBLIC").
* household: to another person at the subject's point (another given name with the
  subject's surname, or "CURRENT RESIDENT"); for a scope `sender` order, from them.
* neighbour: at another delivery point in the subject's building or street (other unit,
  other house number, other PO box), on the side the order watches.
* attorney_to: to one of the order's attorneys, from the subject; attorney_from: from an
  attorney, to the subject. The attorney appears by name and address, by firm name at the
  attorney's address, or by name at another address.
* outside_window: like subject or alias, on the side the order watches, at a moment by `now`
  when nothing may be recorded under the order: before it began, after it ended, or (an
  order no longer in force at `now`) within its window, since the piece is recorded at
  `now`.
* sender: from the subject (name and address on the return address), to someone else.
* elsewhere: unrelated mail: random people and businesses at random valid addresses, some
  in the ZIP Code or ZIP+4 of an order, a few with no addressee lines at all.
"""

_ORDER_KINDS = KINDS[:-1]
_RECEIVING = frozenset({Scope.ADDRESSEE, Scope.DELIVERY_POINT})
_SECOND = timedelta(seconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Truth:
    """What one piece really is, and the orders the law says must capture it when it is
    recorded at the stream's `now`.

    `captures` holds order ids, ascending (empty: no order may keep the piece); `order_id`
    is the order the piece was made about (None for unrelated mail); `damaged` says that
    the piece's barcode had one bar misread, so that it must not decode.
    """

    piece_id: str
    kind: str
    captures: tuple[int, ...]
    order_id: int | None
    damaged: bool = False


@dataclass(frozen=True)
class Mix:
    """The shares of each kind of piece and the levels of noise: every field but `span_days`
    is a share, from 0 to 1.

    The kind shares (`subject` to `sender`) are of all pieces; `elsewhere` is what they leave
    (95% by default). A kind that no order can give (no alias, no attorney, no time before
    `now` when the order was in force and still is) gives an elsewhere piece instead.
    """

    subject: float = 0.016
    alias: float = 0.006
    initials: float = 0.004
    household: float = 0.005
    neighbour: float = 0.006
    attorney_to: float = 0.002
    attorney_from: float = 0.003
    outside_window: float = 0.004
    sender: float = 0.004
    cross_scope: float = 0.1
    """Of subject, alias, initials, household, attorney and sender pieces: made about an order
    of the other scope family (mail to a scope `sender` subject, from an `addressee` one),
    which the law does not capture."""
    barcode: float = 0.7
    """Pieces that carry an Intelligent Mail barcode (routed to the addressee)."""
    damaged: float = 0.02
    """Of barcodes: one bar misread, so that the CRC (or a character) fails."""
    upside_down: float = 0.01
    """Of barcodes: read turned round (postal.imb.read turns them back)."""
    short_routing: float = 0.05
    """Of barcodes: a routing code of ZIP5 or ZIP+4 only, or none."""
    ocr: float = 0.6
    """Of sides read without a barcode (return addresses always): with OCR slips in the
    words of the names and city (O/0, I/1, S/5, B/8) and a ZIP digit read as a letter."""
    city_ocr: float = 1.0
    """Of OCR-read sides: whether the city may be among the words slipped (the slips fall on
    one or two of the names, the city and the ZIP Code)."""
    street_ocr: float = 0.0
    """Of OCR-read sides: a slip in the street name too. Off by default: the address key
    compares street names as written (postal/address.py), so "MA1N ST" is another street."""
    zip4_dropped: float = 0.4
    """Sides that leave out the ZIP+4 they know."""
    unit_own_line: float = 0.2
    """Of addresses with a unit: the unit on a line of its own, above or below the street."""
    spelled_out: float = 0.2
    """Suffixes, directionals and unit designators spelt out (STREET, NORTH, SUITE, ...)."""
    odd_case: float = 0.15
    """Of OCR-read sides: in lower or title case."""
    punctuation: float = 0.3
    """Of OCR-read sides: periods after abbreviations, a comma after the city, stray marks."""
    return_address: float = 0.7
    """Pieces of unrelated mail, and to subjects, that have a return address."""
    near_orders: float = 0.3
    """Of elsewhere pieces: at an order's ZIP Code (a third of them at its ZIP+4 too)."""
    unreadable: float = 0.005
    """Of elsewhere pieces: no addressee text at all."""
    span_days: float = 30.0
    """How far before `now` unrelated mail is scanned."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "span_days" and not 0.0 <= value <= 1.0:
                raise ValueError(f"Mix.{f.name} is a share: 0 to 1, not {value}")
        if self.span_days <= 0:
            raise ValueError("Mix.span_days must be more than 0")
        if sum(self.share(kind) for kind in _ORDER_KINDS) > 1.0 + 1e-9:
            raise ValueError("the kind shares of a Mix add up to more than 1")

    def share(self, kind: str) -> float:
        """The share of pieces of one kind (elsewhere: what the others leave)."""
        if kind == "elsewhere":
            return max(0.0, 1.0 - sum(self.share(k) for k in _ORDER_KINDS))
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; the kinds are {', '.join(KINDS)}")
        share: float = getattr(self, kind)
        return share


# -- the tables: ZIP Codes, names, streets -------------------------------------------------


@dataclass(frozen=True)
class _Zip:
    zip5: str
    city: str
    state: str


class _Weighted:
    """Values drawn with their weights, by one `random()` and a bisection."""

    def __init__(self, weighted: dict[str, float]) -> None:
        self.values = tuple(weighted)
        self.cumulative = tuple(accumulate(weighted.values()))

    def pick(self, rng: random.Random) -> str:
        at = bisect(self.cumulative, rng.random() * self.cumulative[-1])
        return self.values[min(at, len(self.values) - 1)]


@dataclass(frozen=True)
class _Tables:
    zips: tuple[_Zip, ...]
    by_state: dict[str, tuple[_Zip, ...]]
    male: _Weighted
    female: _Weighted
    surnames: _Weighted
    street_words: tuple[str, ...]


_STATES_50 = frozenset(code for code in STATES.values() if len(code) == 2) - {
    "AS", "FM", "GU", "MH", "MP", "PW", "PR", "VI", "AA", "AE", "AP",
}  # fmt: skip
# Words that would read as something other than a name: a title, a credential, a surname
# particle, a generation, "FAMILY", a unit designator (a name line "KEY 4" is a unit line).
_NOT_NAMES = TITLES | CREDENTIALS | PARTICLES | NOBODY | GENERATIONS.keys() | SECONDARY_UNITS.keys()
_NOT_STREETS = _NOT_NAMES | STREET_SUFFIXES.keys() | DIRECTIONALS.keys() | STATES.keys()


@cache
def _tables() -> _Tables:
    """The ZIP Code list (standard, active, in the states and DC) and Faker's name lists.

    Read once: they are data, not state. The stream draws from them with its own
    `random.Random` (a Faker call per name would take most of the stream's time).
    """
    rows = tuple(
        _Zip(str(row["zip_code"]), " ".join(str(row["city"]).upper().split()), str(row["state"]))
        for row in zipcodes.list_all()  # type: ignore[no-untyped-call]
        if row["zip_code_type"] == "STANDARD" and row["active"] and row["state"] in _STATES_50
    )
    by_state: defaultdict[str, list[_Zip]] = defaultdict(list)
    for row in rows:
        by_state[row.state].append(row)
    person: Any = Faker("en_US").provider("faker.providers.person")

    def names(weighted: dict[str, float]) -> dict[str, float]:
        return {
            n.upper(): w for n, w in weighted.items() if n.isalpha() and n.upper() not in _NOT_NAMES
        }

    surnames = names(person.last_names)
    given = [*person.first_names_male, *person.first_names_female]
    words = {w.upper() for w in [*surnames, *given] if len(w) >= 4 and w.isalpha()}
    return _Tables(
        zips=rows,
        by_state={state: tuple(group) for state, group in by_state.items()},
        male=_Weighted(names(person.first_names_male)),
        female=_Weighted(names(person.first_names_female)),
        surnames=_Weighted(surnames),
        street_words=tuple(sorted(words - _NOT_STREETS)),
    )


NICKNAMES: dict[str, tuple[str, ...]] = {
    "WILLIAM": ("BILL", "WILL", "BILLY"), "ROBERT": ("BOB", "ROB", "BOBBY"),
    "RICHARD": ("RICK", "DICK", "RICH"), "JAMES": ("JIM", "JIMMY"), "JOHN": ("JACK", "JOHNNY"),
    "MICHAEL": ("MIKE",), "JOSEPH": ("JOE",), "THOMAS": ("TOM", "TOMMY"),
    "CHARLES": ("CHUCK", "CHARLIE"), "CHRISTOPHER": ("CHRIS",), "DANIEL": ("DAN", "DANNY"),
    "MATTHEW": ("MATT",), "ANTHONY": ("TONY",), "DAVID": ("DAVE",), "STEVEN": ("STEVE",),
    "STEPHEN": ("STEVE",), "EDWARD": ("ED", "TED", "EDDIE"), "KENNETH": ("KEN",),
    "RONALD": ("RON",), "TIMOTHY": ("TIM",), "JEFFREY": ("JEFF",), "GREGORY": ("GREG",),
    "SAMUEL": ("SAM",), "BENJAMIN": ("BEN",), "NICHOLAS": ("NICK",), "ALEXANDER": ("ALEX",),
    "PATRICK": ("PAT",), "PETER": ("PETE",), "ANDREW": ("ANDY", "DREW"), "JONATHAN": ("JON",),
    "DONALD": ("DON",), "GERALD": ("JERRY",), "LAWRENCE": ("LARRY",), "RAYMOND": ("RAY",),
    "ZACHARY": ("ZACH",), "JOSHUA": ("JOSH",), "ELIZABETH": ("LIZ", "BETH", "BETTY"),
    "MARGARET": ("PEGGY", "MAGGIE"), "KATHERINE": ("KATE", "KATHY"),
    "CATHERINE": ("CATHY", "KATE"), "JENNIFER": ("JENNY", "JEN"), "PATRICIA": ("PATTY", "TRISH"),
    "SUSAN": ("SUE",), "DEBORAH": ("DEBBIE", "DEB"), "REBECCA": ("BECKY",), "BARBARA": ("BARB",),
    "KIMBERLY": ("KIM",), "JESSICA": ("JESS",), "VICTORIA": ("VICKY", "TORI"),
    "CHRISTINE": ("CHRIS",), "SAMANTHA": ("SAM",), "ALEXANDRA": ("ALEX",), "ABIGAIL": ("ABBY",),
    "PAMELA": ("PAM",), "CYNTHIA": ("CINDY",), "JACQUELINE": ("JACKIE",), "THERESA": ("TERRI",),
    "KATHLEEN": ("KATHY",), "MEGAN": ("MEG",),
}  # fmt: skip
"""Formal given names and their usual nicknames: the aliases `orders` may list."""

_SUFFIXES = ("ST", "ST", "ST", "AVE", "AVE", "RD", "DR", "LN", "CT", "BLVD", "WAY", "PL", "CIR",
             "TER", "PKWY", "TRL", "HWY", "LOOP")  # fmt: skip
_SPELLED = {
    "N": "NORTH", "S": "SOUTH", "E": "EAST", "W": "WEST", "ST": "STREET", "AVE": "AVENUE",
    "RD": "ROAD", "DR": "DRIVE", "LN": "LANE", "CT": "COURT", "BLVD": "BOULEVARD", "PL": "PLACE",
    "CIR": "CIRCLE", "TER": "TERRACE", "PKWY": "PARKWAY", "TRL": "TRAIL", "HWY": "HIGHWAY",
    "APT": "APARTMENT", "STE": "SUITE", "FL": "FLOOR", "RM": "ROOM", "BLDG": "BUILDING",
}  # fmt: skip
_GROUNDS = (*[Grounds.CRIME] * 12, *[Grounds.POSTAL_STATUTE] * 3, *[Grounds.FUGITIVE] * 2,
            Grounds.FORFEITURE, Grounds.FORFEITURE, Grounds.NATIONAL_SECURITY)  # fmt: skip
_MAIL_CLASSES = ("first-class",) * 10 + ("marketing",) * 7 + ("periodical", "package", "package")
_BUSINESS = ("INC", "LLC", "CORP", "CO", "GROUP", "ASSOCIATES", "PARTNERS", "SUPPLY")
_OCR_SLIPS = {"O": "0", "I": "1", "S": "5", "B": "8"}
_ZIP_SLIPS = {"0": "O", "1": "I"}


# -- routing codes -------------------------------------------------------------------------


def _hashed(text: str, modulus: int) -> int:
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % modulus


def routing_code(address: Address) -> str:
    """The 11-digit routing code of a delivery point, stable for it: ZIP5, the address's own
    ZIP+4 (or one derived from the ZIP5 and primary line, so that a building has one) and two
    delivery-point digits derived from the delivery-point key."""
    return _routing_code(address, address.delivery_point_key)


def _routing_code(address: Address, point: str) -> str:
    zip4 = address.zip4 or f"{_hashed(point.rsplit('|', 1)[0], 10_000):04d}"
    return f"{address.zip5}{zip4}{_hashed(point, 100):02d}"


# -- names ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Name:
    """A name split for rewriting: "JOHN Q PUBLIC JR" is JOHN, (Q,), (PUBLIC,), JR."""

    given: str
    middles: tuple[str, ...]
    surname: tuple[str, ...]
    generation: str = ""

    @classmethod
    def split(cls, text: str) -> _Name | None:
        """The parts of a name written given name first, or None (a comma, one word)."""
        words = text.upper().replace(".", " ").split()
        generation = words.pop() if words and words[-1] in GENERATIONS else ""
        while len(words) > 2 and words[-1] in CREDENTIALS:
            words.pop()
        if "," in text or len(words) < 2:
            return None
        start = len(words) - 1
        while start > 1 and words[start - 1] in PARTICLES:
            start -= 1
        return cls(words[0], tuple(words[1:start]), tuple(words[start:]), generation)

    def written(self, *, middles: bool = True, surname_first: bool = False) -> str:
        given = " ".join((self.given, *(self.middles if middles else ())))
        surname = " ".join(self.surname)
        if surname_first:
            return f"{surname}, {given}" + (f" {self.generation}" if self.generation else "")
        return " ".join(w for w in (given, surname, self.generation) if w)

    def initials(self, rng: random.Random) -> str:
        dot = "." if rng.random() < 0.3 else ""
        middles = self.middles if rng.random() < 0.7 else ()
        letters = [w[0] + dot for w in (self.given, *middles)]
        return " ".join([*letters, *self.surname, *([self.generation] if self.generation else [])])


def _norm(name: str) -> str:
    """A name in one canonical form, to tell whether two writings are the same name:
    "PUBLIC, JOHN Q" and "MR JOHN Q PUBLIC" are JOHN Q PUBLIC, "JANE ROE ESQ" is JANE ROE."""
    text = name.upper().replace(".", " ")
    if "," in text:
        surname, _, rest = text.partition(",")
        words = rest.split()
        if words and not all(w in CREDENTIALS for w in words) and " ".join(words) != _AT_LAW:
            generation = [w for w in words if w in GENERATIONS]
            text = " ".join([*(w for w in words if w not in GENERATIONS), surname, *generation])
        else:
            text = surname
    words = text.split()
    while len(words) > 2 and words[-1] in CREDENTIALS:
        words.pop()
    if len(words) > 2 and words[0] in TITLES:
        words.pop(0)
    return " ".join(words)


_AT_LAW = "ATTORNEY AT LAW"


def _given_initial(name: str) -> str:
    """The initial of the given name ("PUBLIC, JOHN Q" too), or "" when there is none."""
    split = _Name.split(name)
    if split:
        return split.given[0]
    after = name.upper().split(",", 1)[-1].split()
    return after[0][0] if after else ""


def _surname_of(name: str) -> str:
    split = _Name.split(name)
    if split:
        return " ".join(split.surname)
    return name.upper().split(",", 1)[0].strip() if "," in name else name.upper().split()[-1]


# -- time ----------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("now must carry a time zone (UTC is what the stream writes)")
    return moment.astimezone(UTC)


def _floor_s(moment: datetime) -> int:
    return (moment - _EPOCH) // _SECOND


def _ceil_s(moment: datetime) -> int:
    return -((_EPOCH - moment) // _SECOND)


def _at(seconds: int) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


# -- orders --------------------------------------------------------------------------------


def orders(count: int, seed: int, now: datetime, *, routed: float = 0.0) -> list[CoveredOrder]:
    """`count` synthetic orders (order ids 1 to count), at distinct delivery points.

    Most are on scope addressee, about 10% delivery_point and 10% sender; each has one 30-day
    period, which covers `now` for about 92% of them and ended before it for the rest. Each
    has 0 to 2 attorneys, each with an office elsewhere in the state. `routed` is the share
    given their routing code (`CoveredOrder.routing`), as if from the Postal Service's
    address records; the database loader gives none.
    """
    if count < 0:
        raise ValueError("count must be 0 or more")
    now = _utc(now)
    rng = random.Random(f"mailcover.synth.orders:{seed}")
    fake = Faker("en_US")
    fake.seed_instance(seed)
    made: list[CoveredOrder] = []
    points: set[str] = set()
    while len(made) < count:
        address = _order_address(rng, points)
        points.add(address.delivery_point_key)
        number = len(made) + 1
        made.append(
            CoveredOrder(
                order_id=number,
                case_number=f"{now.year}-SYN-{number:04d}",
                scope=_scope(rng),
                names=_subject_names(rng, fake),
                address=address,
                facts=_facts(rng, now),
                attorneys=_attorneys(rng, fake, address.state, points),
                routing=routing_code(address) if rng.random() < routed else None,
            )
        )
    return made


def _scope(rng: random.Random) -> Scope:
    r = rng.random()
    return Scope.ADDRESSEE if r < 0.8 else Scope.DELIVERY_POINT if r < 0.9 else Scope.SENDER


def _subject_names(rng: random.Random, fake: Faker) -> tuple[str, ...]:
    male = rng.random() < 0.5
    given = _faker_word(fake.first_name_male if male else fake.first_name_female)
    surname = _faker_word(fake.last_name)
    middle = _faker_word(fake.first_name)
    r = rng.random()
    middles = (middle[0],) if r < 0.35 else (middle,) if r < 0.55 else ()
    generation = rng.choice(("JR", "SR", "III")) if male and rng.random() < 0.05 else ""
    name = _Name(given, middles, (surname,), generation)
    names = [name.written()]
    if given in NICKNAMES and rng.random() < 0.6:
        names.append(f"{rng.choice(NICKNAMES[given])} {surname}")
    if rng.random() < 0.25:
        names.append(f"{given} {_faker_word(fake.last_name)}")
    if rng.random() < 0.1:
        names.append(f"{_faker_word(fake.first_name)} {_faker_word(fake.last_name)}")
    return tuple(dict.fromkeys(names))


def _faker_word(draw: Any) -> str:
    for _ in range(100):
        word = str(draw()).upper()
        if word.isalpha() and word not in _NOT_NAMES:
            return word
    raise RuntimeError("Faker gave no usable name in 100 tries")


def address(rng: random.Random, state: str | None = None) -> Address:
    """A realistic address (on the ZIP list, normalised as the loader would), for the demo;
    in `state` (a two-letter code) when one is given."""
    return _order_address(rng, set(), state)


def _order_address(rng: random.Random, taken: set[str], state: str | None = None) -> Address:
    """A realistic address written as text and normalised as the loader would."""
    places = _tables().zips if state is None else _tables().by_state[state]
    for _ in range(100):
        place = rng.choice(places)
        text = f"{_street_text(rng)}, {place.city.title()}, {place.state} {place.zip5}"
        if rng.random() < 0.5:
            text += f"-{rng.randint(1, 9999):04d}"
        try:
            address = parse(text)
        except AddressError:
            continue
        if address.delivery_point_key not in taken:
            return address
    raise RuntimeError("no new delivery point in 100 tries")


def _street_text(rng: random.Random, suite: bool = False) -> str:
    words = _tables().street_words
    if rng.random() < 0.08 and not suite:
        return f"{rng.choice(('PO Box', 'P.O. Box'))} {rng.randint(1, 9999)}"
    number = str(rng.randint(1, 99) if rng.random() < 0.2 else rng.randint(100, 19999))
    predirectional = (
        rng.choice(("N", "S", "E", "W", "North", "South")) if rng.random() < 0.2 else ""
    )
    name = _ordinal(rng.randint(1, 60)) if rng.random() < 0.1 else rng.choice(words).title()
    suffix = rng.choice(_SUFFIXES)
    street = " ".join(w for w in (number, predirectional, name, _SPELLED.get(suffix, suffix)) if w)
    if suite:
        return f"{street} Ste {rng.randint(1, 30) * 100}" if rng.random() < 0.5 else street
    r = rng.random()
    if r < 0.3:
        unit = rng.choice((str(rng.randint(1, 40)), f"{rng.randint(1, 9)}{rng.choice('ABCD')}"))
        return f"{street} {rng.choice(('Apt', 'Apt', 'Unit', '#'))} {unit}"
    return street


def _ordinal(n: int) -> str:
    return f"{n}{'TH' if 10 <= n % 100 <= 20 else {1: 'ST', 2: 'ND', 3: 'RD'}.get(n % 10, 'TH')}"


def _facts(rng: random.Random, now: datetime) -> OrderFacts:
    """One 30-day period: most began up to 30 days before `now`, some ended before it."""
    ended = rng.random() < 0.08
    days = rng.uniform(31, 75) if ended else rng.uniform(0.2, 29.8)
    start = _at(_floor_s(now) - int(days * 86400))
    return OrderFacts(rng.choice(_GROUNDS), (Period(start, start + timedelta(days=30)),))


def _attorneys(
    rng: random.Random, fake: Faker, state: str, taken: set[str]
) -> tuple[Attorney, ...]:
    found = []
    for _ in range(rng.choice((0, 0, 0, 1, 1, 1, 1, 2, 2))):
        name = f"{_faker_word(fake.first_name)} {_faker_word(fake.last_name)}"
        name += " ESQ" if rng.random() < 0.5 else ""
        address = _attorney_address(rng, state, taken)
        taken.add(address.delivery_point_key)
        found.append(Attorney(name, address))
    return tuple(found)


def _attorney_address(rng: random.Random, state: str, taken: set[str]) -> Address:
    tables = _tables()
    for _ in range(100):
        place = rng.choice(tables.by_state.get(state) or tables.zips)
        text = f"{_street_text(rng, suite=True)}, {place.city}, {place.state} {place.zip5}"
        try:
            address = parse(text)
        except AddressError:
            continue
        if address.delivery_point_key not in taken:
            return address
    raise RuntimeError("no new delivery point in 100 tries")


# -- the stream ----------------------------------------------------------------------------


def stream(
    orders: Sequence[CoveredOrder], pieces: int, seed: int, now: datetime, mix: Mix = Mix()
) -> Iterator[tuple[dict[str, Any], Truth]]:
    """`pieces` (event, truth) pairs about `orders` (any, even none), all scanned by `now`.

    The pieces are to be recorded at `now`: those about an order are scanned while it is in
    force, and only for orders still in force at `now` (`law.orders.may_record`); the
    outside_window ones are scanned when it was not, or are for an order that has ended. An
    order that cannot be recorded under at `now` gives only outside_window and neighbour
    pieces; with no orders, every piece is elsewhere.
    """
    if pieces < 0:
        raise ValueError("pieces must be 0 or more")
    return _Stream(orders, seed, _utc(now), mix).pieces(pieces)


def piece_of(event: dict[str, Any]) -> Piece:
    """The matcher's `Piece` for an event of the stream (what the ingest side reads)."""
    addressee, back = event.get("addressee"), event.get("return_address")
    return Piece(
        piece_id=str(event["piece_id"]),
        scanned_at=datetime.fromisoformat(str(event["scanned_at"])),
        facility=str(event["facility"]),
        mail_class=str(event["mail_class"]),
        imb=event.get("imb"),
        addressee=tuple(addressee) if addressee is not None else None,
        return_address=tuple(back) if back is not None else None,
        image=event.get("image"),
    )


class _Party:
    """One side of a piece as it really is: the name it bears, in `_norm`'s form, before any
    rewriting (initials, surname first) and noise (what the law compares with an order's
    names: empty for "CURRENT RESIDENT"; for an attorney, the attorney's name even under a
    firm's), the name lines as written, and where: the address, its delivery-point key and
    (once asked for) its routing code."""

    __slots__ = ("address", "names", "point", "routing", "written")

    def __init__(
        self, names: frozenset[str], written: tuple[str, ...], address: Address, point: str = ""
    ) -> None:
        self.names = names
        self.written = written
        self.address = address
        self.point = point or address.delivery_point_key
        self.routing = ""


@dataclass(frozen=True)
class _Order:
    """An order with what the stream needs of it, worked out once."""

    order: CoveredOrder
    name: _Name | None
    names: frozenset[str]
    attorney_names: frozenset[str]
    attorney_points: frozenset[str]
    attorney_surnames: frozenset[str]
    live: tuple[int, ...]  # in-force seconds on a grid over [starts_at, min(ends_at, now)]
    span: tuple[int, int]  # that range, in seconds since the epoch

    @classmethod
    def of(cls, order: CoveredOrder, now: datetime) -> _Order:
        facts, now_s = order.facts, _floor_s(now)
        low, high = _ceil_s(facts.starts_at), min(_ceil_s(facts.ends_at), now_s + 1)
        grid = range(low, high, max(1, (high - low) // 48)) if high > low else range(0)
        return cls(
            order,
            _Name.split(order.names[0]),
            frozenset(_norm(n) for n in order.names),
            frozenset(_norm(a.name) for a in order.attorneys),
            frozenset(a.address.delivery_point_key for a in order.attorneys if a.address),
            frozenset(_surname_of(a.name) for a in order.attorneys),
            tuple(s for s in grid if may_record(facts, _at(s), now)),
            (low, high),
        )

    @property
    def receiving(self) -> bool:
        return self.order.scope in _RECEIVING

    @property
    def point(self) -> str:
        return self.order.address.delivery_point_key


_Made = tuple[_Party | None, _Party | None, int, bool]
"""A piece before it is written: addressee, return address, when (seconds), text hidden."""


class _Stream:
    """The state of one stream: its random generator, the orders, and the truth's tables."""

    def __init__(self, orders: Sequence[CoveredOrder], seed: int, now: datetime, mix: Mix) -> None:
        self.rng = random.Random(f"mailcover.synth.stream:{seed}")
        self.mix = mix
        self.now_s = _floor_s(now)
        self.tables = _tables()
        self.now = now
        self.orders = [_Order.of(order, now) for order in orders]
        self.receiving_at: defaultdict[str, list[_Order]] = defaultdict(list)
        self.senders_at: defaultdict[str, list[_Order]] = defaultdict(list)
        self.initials_at: defaultdict[str, set[str]] = defaultdict(set)
        self.known_routing: dict[str, str] = {}
        for o in self.orders:
            (self.receiving_at if o.receiving else self.senders_at)[o.point].append(o)
            self.initials_at[o.point].update(_given_initial(n) for n in o.order.names)
            if o.order.routing:
                self.known_routing[o.point] = o.order.routing
        attorney_points = {p for o in self.orders for p in o.attorney_points}
        self.avoid_to = frozenset(self.receiving_at.keys() | attorney_points)
        self.avoid_back = frozenset(self.senders_at.keys() | attorney_points)
        self.avoid_routing = frozenset(
            self.routing(o.order.address) for o in self.orders if o.receiving
        )
        self.kinds = tuple(
            zip(_ORDER_KINDS, accumulate(mix.share(k) for k in _ORDER_KINDS), strict=True)
        )
        self.pools = self._pools()

    def _pools(self) -> dict[str, tuple[list[_Order], list[_Order]]]:
        """For each kind, the orders it is made about: (usual, of the other scope family)."""
        live = [o for o in self.orders if o.live]
        to = [o for o in live if o.receiving]
        back = [o for o in live if not o.receiving]
        aliased = [o for o in live if len(o.order.names) > 1]
        advised = [o for o in live if o.order.attorneys]
        return {
            "subject": (to, back),
            "alias": ([o for o in aliased if o.receiving], [o for o in aliased if not o.receiving]),
            "initials": ([o for o in to if o.name], [o for o in back if o.name]),
            "household": (to, back),
            "neighbour": (list(self.orders), []),
            "attorney_to": (
                [o for o in advised if not o.receiving],
                [o for o in advised if o.receiving],
            ),
            "attorney_from": (
                [o for o in advised if o.receiving],
                [o for o in advised if not o.receiving],
            ),
            "outside_window": (list(self.orders), []),
            "sender": (back, to),
        }

    def routing(self, address: Address) -> str:
        return self.known_routing.get(address.delivery_point_key) or routing_code(address)

    def routing_of(self, party: _Party) -> str:
        if not party.routing:
            known = self.known_routing.get(party.point)
            party.routing = known or _routing_code(party.address, party.point)
        return party.routing

    # -- pieces ------------------------------------------------------------------------------

    def pieces(self, count: int) -> Iterator[tuple[dict[str, Any], Truth]]:
        width = max(6, len(str(count)))
        for number in range(1, count + 1):
            kind, order, made = self._made()
            to, back, seconds, hidden = made
            yield self._event(f"P-{number:0{width}d}", kind, order, to, back, seconds, hidden)

    def _made(self) -> tuple[str, _Order | None, _Made]:
        r = self.rng.random()
        kind = next((k for k, upto in self.kinds if r < upto), "elsewhere")
        if kind != "elsewhere":
            order = self._order_for(kind)
            made = self._about(kind, order) if order else None
            if made is not None:
                return kind, order, made
        return "elsewhere", None, self._elsewhere()

    def _order_for(self, kind: str) -> _Order | None:
        usual, other = self.pools[kind]
        if other and (not usual or self.rng.random() < self.mix.cross_scope):
            return self.rng.choice(other)
        return self.rng.choice(usual) if usual else None

    def _about(self, kind: str, o: _Order) -> _Made | None:
        if kind == "outside_window":
            seconds = self._outside(o)
            if seconds is None:
                return None
            subject = self._subject(o, self.rng.choice(("subject", "subject", "alias")))
            return self._with_other(o, subject, o.receiving, seconds)
        if kind == "neighbour":
            seconds = self._live(o) if o.live else self._any_time()
            neighbour = self._neighbour(o)
            if neighbour is None:
                return None
            return self._with_other(o, neighbour, o.receiving, seconds)
        seconds = self._live(o)
        if kind in ("subject", "alias", "initials"):
            return self._with_other(o, self._subject(o, kind), True, seconds)
        if kind == "household":
            return self._with_other(o, self._household(o), o.receiving, seconds)
        if kind == "sender":
            subject = self._subject(o, self.rng.choice(("subject", "subject", "alias")))
            return self._with_other(o, subject, False, seconds)
        subject, attorney = self._subject(o, "subject"), self._attorney(o)
        if kind == "attorney_from":
            return subject, attorney, seconds, False
        return attorney, subject, seconds, False

    def _with_other(self, o: _Order, party: _Party, to_side: bool, seconds: int) -> _Made:
        """`party` on one side, someone unrelated (never the order's attorney) on the other."""
        if to_side:
            back = None
            if self.rng.random() < self.mix.return_address:
                back = self._random_party(False, None, o.attorney_surnames)
            return party, back, seconds, False
        return self._random_party(True, None, o.attorney_surnames), party, seconds, False

    def _elsewhere(self) -> _Made:
        rng, mix = self.rng, self.mix
        near = rng.choice(self.orders) if self.orders and rng.random() < mix.near_orders else None
        to = self._random_party(True, near, frozenset())
        back = None
        if rng.random() < mix.return_address:
            back = self._random_party(False, None, frozenset())
        return to, back, self._any_time(), rng.random() < mix.unreadable

    # -- when ----------------------------------------------------------------------------------

    def _any_time(self) -> int:
        return self.now_s - self.rng.randrange(int(self.mix.span_days * 86400) + 1)

    def _live(self, o: _Order) -> int:
        low, high = o.span
        for _ in range(8):
            seconds = self.rng.randrange(low, high)
            if may_record(o.order.facts, _at(seconds), self.now):
                return seconds
        return self.rng.choice(o.live)

    def _outside(self, o: _Order) -> int | None:
        """A moment by `now` at which nothing may be recorded under the order: before it
        began, after it ended, or (an order no longer in force) within its window, since
        what is recorded after an order ends is not captured (`law.orders.may_record`)."""
        rng, now_s = self.rng, self.now_s
        low, high = o.span
        before = min(low, now_s + 1)
        ranges = [(before - 20 * 86400, before)]
        ended = _ceil_s(o.order.facts.ends_at)
        if ended <= now_s:
            ranges.append((ended, now_s + 1))
        if high > low and not o.live:
            ranges.append((low, high))
        for _ in range(8):
            start, stop = rng.choice(ranges)
            seconds = rng.randrange(start, stop)
            if not may_record(o.order.facts, _at(seconds), self.now):
                return seconds
        return None

    # -- who -----------------------------------------------------------------------------------

    def _subject(self, o: _Order, kind: str) -> _Party:
        rng, names = self.rng, o.order.names
        if kind == "initials" and o.name:
            named = frozenset({_norm(names[0])})
            return _Party(named, (o.name.initials(rng),), o.order.address)
        source = rng.choice(names[1:]) if kind == "alias" and len(names) > 1 else names[0]
        split, text = _Name.split(source), source
        r = rng.random()
        if split and r < 0.15 and split.middles:
            text = split.written(middles=False)
        elif split and r < 0.25:
            text = split.written(middles=rng.random() < 0.5, surname_first=True)
        return _Party(frozenset({_norm(source)}), (text,), o.order.address)

    def _household(self, o: _Order) -> _Party:
        rng = self.rng
        surname = _surname_of(o.order.names[0])
        if rng.random() < 0.15:
            nobody = rng.choice(("CURRENT RESIDENT", "RESIDENT", f"THE {surname} FAMILY"))
            return _Party(frozenset(), (nobody,), o.order.address)
        taken = self.initials_at[o.point]
        for _ in range(50):
            given = (self.tables.male if rng.random() < 0.5 else self.tables.female).pick(rng)
            if given[0] not in taken:
                break
        else:
            return _Party(frozenset(), ("CURRENT RESIDENT",), o.order.address)
        written = f"{given} {surname}"
        return _Party(frozenset({_norm(written)}), (written,), o.order.address)

    def _neighbour(self, o: _Order) -> _Party | None:
        for _ in range(10):
            address = self._next_door(o.order.address)
            if address is None:
                return None
            key = address.delivery_point_key
            if key in self.avoid_to or key in self.avoid_back:
                continue
            if self.routing(address) in self.avoid_routing:
                continue
            r = self.rng.random()
            if r < 0.1 and o.name:  # the subject's name at another point: not theirs
                return _Party(frozenset({_norm(o.order.names[0])}), (o.order.names[0],), address)
            written = self._person(o.attorney_surnames)
            if r < 0.4 and o.name:  # a relative next door
                split = _Name.split(written)
                if split and split.given[0] not in self.initials_at[o.point]:
                    written = f"{split.given} {' '.join(o.name.surname)}"
            return _Party(frozenset({_norm(written)}), (written,), address, key)
        return None

    def _next_door(self, a: Address) -> Address | None:
        rng = self.rng
        step = rng.choice((-4, -2, -1, 1, 2, 4, 10))
        if a.po_box.isdigit():
            return replace(a, po_box=str(max(1, int(a.po_box) + step)))
        if a.box.isdigit():
            return replace(a, box=str(max(1, int(a.box) + step)))
        if a.unit_number and (rng.random() < 0.6 or not a.number.isdigit()):
            return replace(a, unit_number=_other_unit(a.unit_number, step))
        if a.number.isdigit():
            return replace(a, number=str(max(1, int(a.number) + 2 * step)))
        return None

    def _attorney(self, o: _Order) -> _Party:
        rng = self.rng
        attorney = rng.choice(o.order.attorneys)
        identity = frozenset({_norm(attorney.name)})
        split = _Name.split(attorney.name)
        base = split.written() if split else attorney.name
        written = rng.choice((attorney.name, base, f"{base} ESQ", f"{base}, ATTORNEY AT LAW"))
        r = rng.random()
        if attorney.address is not None and r < 0.5:
            return _Party(identity, (written,), attorney.address)
        if attorney.address is not None and r < 0.7:
            surname = _surname_of(attorney.name)
            firm = rng.choice((f"{surname} LAW GROUP", f"LAW OFFICES OF {base}", f"{surname} & CO"))
            lines = (firm, f"ATTN {base}") if rng.random() < 0.3 else (firm,)
            return _Party(identity, lines, attorney.address)
        elsewhere = self._random_party(True, None, frozenset()).address
        return _Party(identity, (written,), elsewhere)

    def _random_party(
        self, to_side: bool, near: _Order | None, avoid_surnames: frozenset[str]
    ) -> _Party:
        avoid = self.avoid_to if to_side else self.avoid_back
        for _ in range(20):
            address = self._random_address(near)
            key = address.delivery_point_key
            if key in avoid:
                continue
            written = self._person(avoid_surnames, business=True)
            party = _Party(frozenset({_norm(written)}), (written,), address, key)
            if to_side and self.avoid_routing and self.routing_of(party) in self.avoid_routing:
                continue
            return party
        raise RuntimeError("no free delivery point in 20 tries")

    def _person(self, avoid_surnames: frozenset[str], business: bool = False) -> str:
        """A name as written: a person's, now and then a business's."""
        rng, tables = self.rng, self.tables
        surname = tables.surnames.pick(rng)
        while surname in avoid_surnames:
            surname = tables.surnames.pick(rng)
        if business and rng.random() < 0.12:
            written = f"{surname} {rng.choice(_BUSINESS)}"
        else:
            given = (tables.male if rng.random() < 0.5 else tables.female).pick(rng)
            middle = f" {chr(rng.randint(65, 90))}" if rng.random() < 0.15 else ""
            written = f"{given}{middle} {surname}"
        return written

    def _random_address(self, near: _Order | None) -> Address:
        rng = self.rng
        zip4 = ""
        if near is not None:
            a = near.order.address
            place = _Zip(a.zip5, a.city, a.state)
            if rng.random() < 1 / 3:
                zip4 = self.routing(a)[5:9]
        else:
            place = rng.choice(self.tables.zips)
        city, state, zip5 = place.city, place.state, place.zip5
        if rng.random() < 0.08:
            box = str(rng.randint(1, 9999))
            return Address(po_box=box, city=city, state=state, zip5=zip5, zip4=zip4)
        if rng.random() < 0.1:
            street = _ordinal(rng.randint(1, 99))
        else:
            street = rng.choice(self.tables.street_words)
        unit, designator = "", ""
        if rng.random() < 0.2:
            designator = rng.choice(("APT", "APT", "UNIT", "#", "STE"))
            unit = str(rng.randint(1, 40))
        return Address(
            city=city,
            state=state,
            zip5=zip5,
            zip4=zip4,
            number=str(rng.randint(1, 19999)),
            predirectional=rng.choice(("N", "S", "E", "W")) if rng.random() < 0.15 else "",
            street_name=street,
            suffix=rng.choice(_SUFFIXES),
            unit_designator=designator,
            unit_number=unit,
        )

    # -- the event -----------------------------------------------------------------------------

    def _event(
        self,
        piece_id: str,
        kind: str,
        o: _Order | None,
        to: _Party | None,
        back: _Party | None,
        seconds: int,
        hidden: bool,
    ) -> tuple[dict[str, Any], Truth]:
        rng, mix = self.rng, self.mix
        imb, damaged = None, False
        if to is not None and rng.random() < mix.barcode:
            imb, damaged = self._imb(self.routing_of(to))
        at = _at(seconds)
        place = to.address if to else back.address if back else Address()
        event = {
            "piece_id": piece_id,
            "scanned_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "facility": f"{place.city or 'NATIONAL'} {place.state or 'US'} P&DC",
            "mail_class": rng.choice(_MAIL_CLASSES),
            "imb": imb,
            "addressee": None if to is None or hidden else self._lines(to, imb is None),
            "return_address": None if back is None else self._lines(back, True),
            "image": None,
        }
        truth = Truth(
            piece_id,
            kind,
            self._captures(to, back, at),
            o.order.order_id if o else None,
            damaged,
        )
        return event, truth

    def _captures(self, to: _Party | None, back: _Party | None, at: datetime) -> tuple[int, ...]:
        """The law, from what the piece really is (matching/index.py's docstring, items 1-4)."""
        found = []
        if to is not None:
            for o in self.receiving_at.get(to.point, ()):
                in_scope = o.order.scope is Scope.DELIVERY_POINT or bool(to.names & o.names)
                if in_scope and self._may_record(o, at) and not _privileged(o, back):
                    found.append(o.order.order_id)
        if back is not None:
            for o in self.senders_at.get(back.point, ()):
                if back.names & o.names and self._may_record(o, at) and not _privileged(o, to):
                    found.append(o.order.order_id)
        return tuple(sorted(set(found)))

    def _may_record(self, o: _Order, scanned_at: datetime) -> bool:
        """MC-NO-ORDER-NO-DATA: in force when scanned, and when recorded (at `now`)."""
        return may_record(o.order.facts, scanned_at, self.now)

    def _imb(self, routing: str) -> tuple[str, bool]:
        rng, mix = self.rng, self.mix
        if rng.random() < mix.short_routing:
            routing = rng.choice((routing[:5], routing[:9], ""))
        bars = encode(self._tracking(), routing)
        if rng.random() < mix.upside_down:
            bars = rotated(bars)
        if rng.random() < mix.damaged:
            return self._damage(bars), True
        return bars, False

    def _tracking(self) -> str:
        rng = self.rng
        service = rng.choice(("040", "300", "301", "270", "271", "700", "310", "050", "260"))
        if rng.random() < 0.3:
            mailer, serial = f"9{rng.randrange(10**8):08d}", f"{rng.randrange(10**6):06d}"
        else:
            mailer, serial = f"{rng.randrange(9 * 10**5):06d}", f"{rng.randrange(10**9):09d}"
        return f"00{service}{mailer}{serial}"

    def _damage(self, bars: str) -> str:
        """One bar misread, such that the bars decode neither way up."""
        for _ in range(50):
            at = self.rng.randrange(len(bars))
            symbol = self.rng.choice([s for s in "ADFT" if s != bars[at]])
            damaged = bars[:at] + symbol + bars[at + 1 :]
            try:
                read(damaged)
            except ImbError:
                return damaged
        raise RuntimeError("no bar could be damaged so that the CRC fails")

    # -- the text ------------------------------------------------------------------------------

    def _lines(self, party: _Party, noisy: bool) -> list[str]:
        """The side as read: clean when printed with a barcode, with OCR noise when not."""
        rng, mix = self.rng, self.mix
        slips: set[str] = set()
        if noisy and rng.random() < mix.ocr:
            places = ("name", "city", "zip") if rng.random() < mix.city_ocr else ("name", "zip")
            slips = set(rng.sample(places, rng.choice((1, 1, 2))))
            if rng.random() < mix.street_ocr:
                slips.add("street")
        dotted = noisy and rng.random() < mix.punctuation
        names = [_dotted_initials(n) if dotted else n for n in party.written]
        if "name" in slips:
            at = rng.randrange(len(names))
            names[at] = " ".join(
                _slipped(w, rng) if _slippable(w) else w for w in names[at].split()
            )
        zip4 = "" if rng.random() < mix.zip4_dropped else self.routing_of(party)[5:9]
        lines = [*names, *self._address_lines(party.address, zip4, slips, dotted)]
        if dotted and rng.random() < 0.3:
            at = rng.randrange(len(lines))
            lines[at] += rng.choice(("*", "`", "'", ";", ":"))
        if noisy and rng.random() < mix.odd_case:
            lines = [line.lower() if rng.random() < 0.5 else line.title() for line in lines]
        return lines

    def _address_lines(self, a: Address, zip4: str, slips: set[str], dotted: bool) -> list[str]:
        rng, spelled = self.rng, self.mix.spelled_out
        dot = "." if dotted else ""
        if a.po_box:
            delivery = f"{rng.choice(('PO BOX', 'P.O. BOX', 'POST OFFICE BOX'))} {a.po_box}"
        elif a.route_type or a.military_type:
            delivery = a.primary_line
        else:
            street = _slipped(a.street_name, rng) if "street" in slips else a.street_name
            words = [a.number]
            for at, part in enumerate((a.predirectional, street, a.suffix, a.postdirectional)):
                if not part or at == 1:
                    words.extend([part] if part else [])
                elif rng.random() < spelled:
                    words.append(_SPELLED.get(part) or SUFFIX_NAMES.get(part, part))
                else:
                    words.append(part + dot)
            delivery = " ".join(words)
        unit = self._unit(a, dot)
        lines = [delivery]
        if unit and not a.building and rng.random() < self.mix.unit_own_line:
            lines.insert(rng.randrange(2), unit)
        elif unit:
            lines[0] = f"{delivery} {unit}"
        city = a.city
        if "city" in slips and city:
            words = city.split()
            at = rng.randrange(len(words))
            words[at] = _slipped(words[at], rng)
            city = " ".join(words)
        zip5 = _slipped(a.zip5, rng, _ZIP_SLIPS) if "zip" in slips else a.zip5
        comma = "," if dotted or rng.random() < 0.2 else ""
        last = f"{city}{comma} {a.state} {zip5}" + (f"-{zip4}" if zip4 else "")
        return [*lines, last.strip()]

    def _unit(self, a: Address, dot: str) -> str:
        rng = self.rng
        designator, number = a.unit_designator, a.unit_number
        apartment = number and designator in ("", "#", "APT", "UNIT")
        if apartment and (not designator or rng.random() < 0.3):
            designator = rng.choice(("APT", "APT", "UNIT", "#"))
        if designator in _SPELLED and rng.random() < self.mix.spelled_out:
            designator = _SPELLED[designator]
        elif designator and designator != "#":
            designator += dot
        return " ".join(w for w in (a.building, designator, number) if w)


def _privileged(o: _Order, other: _Party | None) -> bool:
    """MC-ATTORNEY: the other side is one of the order's attorneys, or at an attorney's point."""
    if other is None:
        return False
    return bool(other.names & o.attorney_names) or (other.point in o.attorney_points)


def _other_unit(unit: str, step: int) -> str:
    if unit.isdigit():
        return str(max(1, int(unit) + step)) if int(unit) + step != int(unit) else unit + "A"
    if unit[:-1].isdigit() and unit[-1].isalpha():
        letter = chr((ord(unit[-1]) - 65 + step) % 26 + 65)
        return unit[:-1] + (letter if letter != unit[-1] else "Z")
    return unit + "A"


_NO_SLIPS = _NOT_NAMES | {"AND", "ATTN", "LAW", "OF"}


def _slippable(word: str) -> bool:
    return len(word) >= 3 and word.isalpha() and word.upper() not in _NO_SLIPS


def _slipped(word: str, rng: random.Random, slips: dict[str, str] = _OCR_SLIPS) -> str:
    """One character read as its look-alike (O as 0, I as 1, ...), if the word has one."""
    places = [i for i, c in enumerate(word) if c in slips]
    if not places:
        return word
    at = rng.choice(places)
    return word[:at] + slips[word[at]] + word[at + 1 :]


def _dotted_initials(name: str) -> str:
    return " ".join(w + "." if len(w) == 1 and w.isalpha() else w for w in name.split())


__all__ = [
    "KINDS",
    "NICKNAMES",
    "Mix",
    "Truth",
    "orders",
    "piece_of",
    "routing_code",
    "stream",
]
