"""A second mail-stream generator, written apart from `synth`, to measure the matcher from outside.

`matching/synth.py` is the stream the matcher was built and tuned against; a stream whose
noise the matcher's authors chose says little about mail written by others. This module shares
none of synth's tables, names or corruption functions: only the public types (`CoveredOrder`,
`Attorney`, the mail-piece event), `postal.address.parse_lines` to turn an order's address
text into the normalised `Address` as the application does when a request is filed,
Publication 28's tables (`postal.pub28`) and the law's `may_record`. The matcher is never run.

`world(count, seed, now)` makes `count` orders in force (or lately ended) about people with
households, aliases and attorneys; `stream(world, pieces, seed)` yields mail-piece events
(DESIGN.md's JSON object) each with its `Truth`: the kind of piece, the orders the law says
must capture it, and the corruption codes applied to it. The truth is decided by
construction (whose mail it is, which delivery point, when), never by reading the text back.

Sources of the data:

* Names: the US Census Bureau's 1990 frequency lists of surnames (dist.all.last, 88,799
  names) and of male and female first names, as shipped in the `names` package (PyPI
  `names` 0.3.0, T. Hunner, MIT; a dev extra, imported only when a world is made). Drawn by
  their published frequencies, so SMITH is common and most surnames rare.
* Places: real city, state and ZIP Code triples from the `zipcodes` package's `list_all()`
  (active STANDARD ZIP Codes of the 50 states and DC). Street names are census surnames and
  ordinals, house numbers and ZIP+4 add-ons are drawn (the ZIP+4 is one per block face, as
  the Postal Service assigns them, so neighbours share it).
* Designators and suffixes: Publication 28, Appendix C1 (`STREET_SUFFIXES`,
  `SUFFIX_NAMES`) and C2 (`SECONDARY_UNITS`), as `postal/pub28.py` holds them.

The error model (corruption codes in brackets):

* OCR slips [ocr-name, ocr-number, ocr-street, ocr-unit, ocr-city, ocr-state, ocr-zip]: the
  character confusions of FEBRL 0.4.2's `dsgen/librules/lib_ocr_rules.txt`, the same pairs
  as GeCo's `lookup-files/ocr-variations.csv` (P. Christen and D. Vatsalan, "Flexible and
  extensible generation and corruption of personal data", CIKM 2013), read both ways as GeCo
  reads them, kept to the pairs that exist in upper-case print (S/5, Z/2, G/6, B/8, A/4, O/0,
  D/O, Q/O, U/V, Y/V, F/P, E/F, RN/M, VV/W, CL/D, LI/U) and with the lower-case l of the
  l/I, l/1 and l/J pairs folded to capital L and to the single stroke I (I/L, L/1, I/1).
  The slip's position is GeCo's `position_mod_normal` (a normal law of mean len/2 + 1 and
  deviation len/4, drawn again until inside the text). In a number (house, unit, ZIP) only a
  digit read as a letter is a slip (1 as I, 5 as S, 0 as O, ...): a digit read as another
  digit is another address, which no reader can undo.
* Typing slips [given-typo, city-typo]: one insertion, deletion, substitution by a QWERTY
  neighbour (GeCo's keyboard corruptor: same row or same column, half each) or transposition
  of two adjacent letters, in Damerau's (1964) proportions as FEBRL's `generate2.py` quotes
  them (567 substitutions, 153 deletions, 99 insertions and 23 transpositions of 842 single
  errors), at GeCo's normal position. Never in the first letter of a given name (Pollock and
  Zamora, quoted there: the first letter is the one least often wrong).
* Phonetic variants [given-phonetic]: rewrite rules taken from FEBRL's
  `lib_phonetic_rules.txt` (PH as F, CK as K, a doubled consonant single, final Y as IE ...).
* Writing habits, each a `Habits` rate: an honorific before the name [honorific]; the middle
  name or initial left out [middle-dropped] or written where the order has none
  [middle-added]; the ZIP+4 left out [zip4-dropped]; lower or mixed case [lower-case,
  mixed-case]; periods and commas [punctuation]; the state spelt out [state-name]; the
  street suffix spelt out or in another C1 spelling [suffix-spelt, suffix-variant]; a
  directional spelt out [directional-spelt]; the unit designator chosen freely among APT,
  UNIT, STE, # or none [unit-designator, always another than the order's], the unit on a line
  of its own above or below the street line [unit-line]. A `careless` share of pieces has
  every rate tripled, so several come at once.

The rates are stated parameters, chosen to look like mail, not measured on mail: no public
study of mail-piece address errors was found. Where a source gives a proportion (the kinds
of typing slip, the position of a slip) it is used.

What the generator assumes, and so what a matcher that passes it still risks:

* A building numbers its units once: APT 19, STE 19, UNIT 19, # 19 and a bare 19 are one
  delivery point. A building with both an apartment 19 and a suite 19 is not modelled.
  A building designator (BLDG) is another level: BLDG 2 APT 4 is not BLDG 3 APT 4.
* Mail to the subject with a slip in the given name is mail to the subject. A household
  member's given name is never within two slips of a name the order lists (nor shares its
  initial): closer names are indistinguishable from a slip, for a reader as for a matcher.
* Pieces are text only (no Intelligent Mail barcode): `synth` measures the barcode path.
* No PO boxes, rural routes or military addresses; no unit left out by the sender.
"""

from __future__ import annotations

import importlib
import importlib.resources
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import accumulate
from typing import Any

import zipcodes
from rapidfuzz.distance import OSA

from mailcover.law.orders import OrderFacts, may_record
from mailcover.law.periods import Period
from mailcover.law.terms import Grounds, Scope
from mailcover.matching.index import Attorney, CoveredOrder
from mailcover.postal.address import AddressError, parse_lines
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
    "sender",
    "household",
    "neighbour",
    "attorney_to",
    "attorney_from",
    "outside_window",
    "elsewhere",
)
"""What a piece is, relative to the order it was made about:

* subject, alias: to the subject at the subject's delivery point, by the subject's name or one
  of the order's aliases. Captured under scopes addressee and delivery_point.
* sender: from the subject (name and address on the return address). Captured under scope
  sender.
* household: to (for scope sender: from) another person at the subject's delivery point, with
  the subject's surname and another given name. Captured only under scope delivery_point.
* neighbour: at another delivery point on the subject's street (another house number) or in
  the subject's building (another unit, or the same unit in another building), by a random
  person, a relative, or the subject's own name. Never captured.
* attorney_to: from the subject to one of the order's attorneys; attorney_from: from an
  attorney to the subject. Never captured (MC-ATTORNEY).
* outside_window: like subject or sender, scanned when the order was not in force, or about
  an order no longer in force when the stream is recorded. Never captured.
* elsewhere: random people at random addresses, some in an order's ZIP Code, a few bearing a
  subject's name (a namesake in another town). Never captured.
"""

CODES = (
    "honorific",
    "middle-dropped",
    "middle-added",
    "given-typo",
    "given-phonetic",
    "zip4-dropped",
    "lower-case",
    "mixed-case",
    "punctuation",
    "state-name",
    "city-typo",
    "suffix-spelt",
    "suffix-variant",
    "directional-spelt",
    "unit-designator",
    "unit-line",
    "ocr-name",
    "ocr-number",
    "ocr-street",
    "ocr-unit",
    "ocr-city",
    "ocr-state",
    "ocr-zip",
)
"""Every corruption code a `Truth` may list (the module docstring says what each one is)."""

_RECEIVING = frozenset({Scope.ADDRESSEE, Scope.DELIVERY_POINT})
_APARTMENT = ("APT", "UNIT", "STE", "#", "")  # what a sender writes before a unit number


@dataclass(frozen=True)
class Truth:
    """What one piece is: its kind, the order it was made about (None for unrelated mail),
    the orders that must capture it when recorded at the world's `now` (ascending ids), and
    the corruption codes applied to it (sorted, each once)."""

    piece_id: str
    kind: str
    captures: tuple[int, ...]
    order_id: int | None
    corruptions: tuple[str, ...]


@dataclass(frozen=True)
class Habits:
    """How senders write and scanners read: each field the share of the occasions it can
    apply to (a piece, a name, a field of an address). Stated, not measured (see above)."""

    honorific: float = 0.15
    middle_dropped: float = 0.45
    middle_added: float = 0.3
    given_typo: float = 0.04
    given_phonetic: float = 0.01
    zip4_dropped: float = 0.4
    lower_case: float = 0.03
    mixed_case: float = 0.2
    punctuation: float = 0.15
    state_name: float = 0.04
    city_typo: float = 0.03
    suffix_spelt: float = 0.25
    suffix_variant: float = 0.05
    directional_spelt: float = 0.2
    unit_designator: float = 0.35
    unit_line: float = 0.2
    ocr_piece: float = 0.2
    """Share of pieces read with OCR slips; within them, each field slips at `ocr_field`."""
    ocr_field: float = 0.25
    careless: float = 0.08
    """Share of pieces on which every rate above is tripled (at most 0.95)."""

    def tripled(self) -> Habits:
        rates = {name: min(0.95, 3 * value) for name, value in vars(self).items()}
        rates["careless"] = self.careless
        return Habits(**rates)


@dataclass(frozen=True)
class Mix:
    """The share of each kind of piece; `elsewhere` is what the others leave."""

    subject: float = 0.05
    alias: float = 0.015
    sender: float = 0.02
    household: float = 0.02
    neighbour: float = 0.04
    attorney_to: float = 0.006
    attorney_from: float = 0.01
    outside_window: float = 0.012

    def shares(self) -> list[tuple[str, float]]:
        kinds = [(name, getattr(self, name)) for name in KINDS[:-1]]
        rest = 1 - sum(share for _, share in kinds)
        if rest < 0:
            raise ValueError("the kind shares add up to more than 1")
        return [*kinds, ("elsewhere", rest)]


# -- sources ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _List:
    """A published frequency list: names and their cumulative frequencies, for `choices`."""

    names: tuple[str, ...]
    cumulative: tuple[float, ...]

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.names, cum_weights=self.cumulative)[0]


_NOT_A_NAME = frozenset(
    {*SECONDARY_UNITS, *STATES, *DIRECTIONALS, "MR", "MRS", "MS", "DR", "ESQ", "JR", "SR"}
)


@cache
def _census(which: str) -> _List:
    """One Census 1990 list from the `names` package: 'last', 'male' or 'female'."""
    try:
        package = importlib.import_module("names")
    except ImportError as error:  # pragma: no cover - the dev extra is missing
        raise RuntimeError(
            "mailgen needs the Census name lists of the `names` package: install the dev "
            "extra (pip install -e '.[dev]')"
        ) from error
    file = {"last": "dist.all.last", "male": "dist.male.first", "female": "dist.female.first"}
    path = importlib.resources.files(package).joinpath(file[which])
    rows = [line.split() for line in path.read_text(encoding="ascii").splitlines()]
    kept = [(row[0], float(row[1])) for row in rows if _usable(row[0])]
    return _List(tuple(n for n, _ in kept), tuple(accumulate(f + 1e-6 for _, f in kept)))


def _usable(name: str) -> bool:
    return name.isalpha() and len(name) >= 2 and name not in _NOT_A_NAME


@dataclass(frozen=True)
class _Place:
    zip5: str
    city: str
    state: str


@cache
def _places() -> tuple[_Place, ...]:
    states = {code for code in STATES.values() if len(code) == 2}
    territories = {"AS", "FM", "GU", "MH", "MP", "PW", "PR", "VI", "AA", "AE", "AP"}
    return tuple(
        _Place(z["zip_code"], z["city"].upper(), z["state"])
        # zipcodes 3 ships py.typed but leaves list_all unannotated; it returns list[dict].
        for z in zipcodes.list_all()  # type: ignore[no-untyped-call]
        if z["active"]
        and z["zip_code_type"] == "STANDARD"
        and z["state"] in states - territories
        and z["city"].replace(" ", "").isalpha()
    )


@cache
def _places_in(state: str) -> tuple[_Place, ...]:
    return tuple(p for p in _places() if p.state == state)


# -- delivery points and people ------------------------------------------------------------


@dataclass(frozen=True)
class _Point:
    """A delivery point as it really is, in Publication 28's standard form."""

    place: _Place
    number: int
    predirectional: str
    street: str
    suffix: str
    building: str = ""
    designator: str = ""  # the order's (or the resident's) designator, "" when no unit
    unit: str = ""

    @property
    def key(self) -> tuple[str, ...]:
        """The point, whatever designator is written before the unit (the generator's own
        notion of a delivery point, not the matcher's)."""
        return (
            self.place.zip5,
            str(self.number),
            self.predirectional,
            self.street,
            self.suffix,
            self.building,
            self.unit,
        )

    @property
    def zip4(self) -> str:
        """One add-on per block face, as assigned: neighbours on one side of a block share it."""
        face = f"{self.place.zip5}|{self.street}|{self.number // 100}|{self.number % 2}"
        return f"{random.Random(face).randint(1, 9999):04d}"


@dataclass(frozen=True)
class _Person:
    given: str
    middle: str
    surname: str
    male: bool

    def written(self, middle: str) -> str:
        """As an order writes it: middle 'full', 'initial' or 'none'."""
        mid = {"full": self.middle, "initial": self.middle[:1], "none": ""}[middle]
        return " ".join(p for p in (self.given, mid, self.surname) if p)


@dataclass(frozen=True)
class _Case:
    """One order and the people and places around it that the stream writes about."""

    order: CoveredOrder
    subject: _Person
    middle_written: str  # how the order writes the subject's middle name
    aliases: tuple[_Person, ...]
    household: tuple[_Person, ...]
    point: _Point
    attorneys: tuple[tuple[_Person, _Point], ...]


@dataclass(frozen=True)
class World:
    """Orders and, hidden from the matcher, the people and places they are about."""

    now: datetime
    seed: int
    orders: tuple[CoveredOrder, ...]
    cases: tuple[_Case, ...] = field(repr=False)
    taken: frozenset[tuple[str, ...]] = field(repr=False)
    """Every delivery point of an order or an attorney: other mail goes elsewhere."""


def _person(rng: random.Random, surname: str | None = None) -> _Person:
    male = rng.random() < 0.5
    given = _census("male" if male else "female").draw(rng)
    middle = _census("male" if rng.random() < 0.5 else "female").draw(rng)
    return _Person(given, middle, surname or _census("last").draw(rng), male)


def _street_word(rng: random.Random) -> str:
    for _ in range(100):
        if rng.random() < 0.12:
            n = rng.randint(1, 60)
            tail = "TH" if 10 <= n % 100 <= 20 else {1: "ST", 2: "ND", 3: "RD"}.get(n % 10, "TH")
            return f"{n}{tail}"
        word = _census("last").draw(rng)
        if word not in STREET_SUFFIXES and len(word) >= 3:
            return word
    raise RuntimeError("no street name in 100 tries")


_SUFFIXES = ("ST", "ST", "AVE", "AVE", "RD", "DR", "LN", "CT", "BLVD", "WAY", "PL", "CIR", "TER")


def _point(rng: random.Random, place: _Place | None = None, office: bool = False) -> _Point:
    place = place or rng.choice(_places())
    point = _Point(
        place,
        rng.randint(1, 99) if rng.random() < 0.15 else rng.randint(100, 24999),
        rng.choice(("N", "S", "E", "W")) if rng.random() < 0.2 else "",
        _street_word(rng),
        rng.choice(_SUFFIXES),
    )
    r = rng.random()
    if office:
        return (
            replace(point, designator="STE", unit=str(rng.randint(1, 30) * 100))
            if r < 0.6
            else point
        )
    if r < 0.08:
        return replace(
            point, building=str(rng.randint(1, 12)), designator="APT", unit=str(rng.randint(1, 40))
        )
    if r < 0.4:
        unit = (
            str(rng.randint(1, 60))
            if rng.random() < 0.8
            else f"{rng.randint(1, 9)}{rng.choice('ABCD')}"
        )
        return replace(point, designator=rng.choice(("APT", "APT", "UNIT", "#")), unit=unit)
    return point


def _standard_lines(point: _Point, zip4: bool) -> tuple[str, str]:
    """The point as a careful clerk writes it (Publication 28 form)."""
    street = " ".join(
        p for p in (str(point.number), point.predirectional, point.street, point.suffix) if p
    )
    if point.building:
        street += f" BLDG {point.building}"
    if point.unit:
        street += f" {point.designator} {point.unit}"
    zip_code = f"{point.place.zip5}-{point.zip4}" if zip4 else point.place.zip5
    return street, f"{point.place.city} {point.place.state} {zip_code}"


def _filed_address(point: _Point, rng: random.Random) -> Any:
    """The order's `Address`, from its text as the application reads it; None if the parser
    reads the text as another point than the one meant (a clerk would rewrite it)."""
    try:
        address = parse_lines(_standard_lines(point, rng.random() < 0.5))
    except AddressError:
        return None
    meant = (
        address.number == str(point.number)
        and address.street_name == point.street
        and address.suffix == point.suffix
        and address.unit_number == point.unit
        and address.building == point.building
        and address.zip5 == point.place.zip5
    )
    return address if meant else None


# -- the world ------------------------------------------------------------------------------


def world(count: int, seed: int, now: datetime) -> World:
    """`count` orders (ids 1 to count) at distinct delivery points, about Census-named people.

    About 70% have scope addressee, 15% delivery_point and 15% sender; each has one 30-day
    period, in force at `now` for about 90% of them and ended before it for the rest; each
    has 0 to 2 attorneys with offices in the subject's state; about half have an alias.
    """
    if count < 0:
        raise ValueError("count must be 0 or more")
    if now.utcoffset() is None:
        raise ValueError("now must carry a time zone")
    rng = random.Random(f"mailcover.mailgen.world:{seed}")
    cases: list[_Case] = []
    taken: set[tuple[str, ...]] = set()
    while len(cases) < count:
        case = _case(rng, len(cases) + 1, now.astimezone(UTC), taken)
        if case is not None:
            cases.append(case)
            taken.add(case.point.key)
            taken.update(p.key for _, p in case.attorneys)
    return World(
        now.astimezone(UTC), seed, tuple(c.order for c in cases), tuple(cases), frozenset(taken)
    )


def _case(
    rng: random.Random, number: int, now: datetime, taken: set[tuple[str, ...]]
) -> _Case | None:
    point = _point(rng)
    address = _filed_address(point, rng)
    if address is None or point.key in taken:
        return None
    subject = _person(rng)
    aliases = _aliases(rng, subject)
    middle = rng.choice(("full", "initial", "initial", "none", "none"))
    household = tuple(_relative(rng, subject, aliases) for _ in range(rng.randint(1, 3)))
    attorneys = []
    for _ in range(rng.choice((0, 1, 1, 1, 2))):
        office = _point(rng, rng.choice(_places_in(point.place.state)), True)
        office_address = _filed_address(office, rng)
        if office_address is None or office.key in taken or office.key == point.key:
            continue
        attorneys.append((_person(rng), office, office_address))
    r = rng.random()
    scope = Scope.ADDRESSEE if r < 0.7 else Scope.DELIVERY_POINT if r < 0.85 else Scope.SENDER
    order = CoveredOrder(
        order_id=number,
        case_number=f"{now.year}-GEN-{number:04d}",
        scope=scope,
        names=(subject.written(middle), *(a.written("none") for a in aliases)),
        address=address,
        facts=_facts(rng, now),
        attorneys=tuple(
            Attorney(f"{p.given} {p.surname}" + (" ESQ" if rng.random() < 0.4 else ""), a)
            for p, _, a in attorneys
        ),
    )
    return _Case(
        order, subject, middle, aliases, household, point, tuple((p, o) for p, o, _ in attorneys)
    )


def _aliases(rng: random.Random, subject: _Person) -> tuple[_Person, ...]:
    r = rng.random()
    if r < 0.2:  # goes by the middle name
        return (_Person(subject.middle, "", subject.surname, subject.male),)
    if r < 0.4:  # another surname (maiden or former married name)
        return (replace(subject, middle="", surname=_census("last").draw(rng)),)
    if r < 0.5:  # another name altogether
        return (replace(_person(rng), middle=""),)
    return ()


def _relative(rng: random.Random, subject: _Person, aliases: Sequence[_Person]) -> _Person:
    """Someone at the subject's address with the subject's surname and a given name that no
    slip could turn into one of the order's given names."""
    givens = {subject.given, subject.middle, *(a.given for a in aliases)}
    for _ in range(1000):
        person = _person(rng, subject.surname)
        if all(person.given[0] != g[0] and OSA.distance(person.given, g) >= 3 for g in givens):
            return person
    raise RuntimeError("no household name in 1000 tries")


def _facts(rng: random.Random, now: datetime) -> OrderFacts:
    ended = rng.random() < 0.1
    days_ago = rng.uniform(32, 60) if ended else rng.uniform(1, 29)
    start = (now - timedelta(days=days_ago)).replace(microsecond=0)
    grounds = rng.choice((Grounds.CRIME, Grounds.CRIME, Grounds.POSTAL_STATUTE, Grounds.FUGITIVE))
    return OrderFacts(grounds, (Period(start, start + timedelta(days=30)),))


# -- corruptions ----------------------------------------------------------------------------

# FEBRL lib_ocr_rules.txt / GeCo ocr-variations.csv, upper-case print (module docstring).
_OCR_PAIRS = (("S", "5"), ("Z", "2"), ("G", "6"), ("B", "8"), ("A", "4"), ("O", "0"),
              ("D", "O"), ("Q", "O"), ("U", "V"), ("Y", "V"), ("F", "P"), ("E", "F"),
              ("RN", "M"), ("VV", "W"), ("CL", "D"), ("LI", "U"), ("I", "L"), ("L", "1"),
              ("I", "1"))  # fmt: skip
_OCR: dict[str, tuple[str, ...]] = {}
for _a, _b in _OCR_PAIRS:
    _OCR[_a] = (*_OCR.get(_a, ()), _b)
    _OCR[_b] = (*_OCR.get(_b, ()), _a)
_OCR_DIGITS = {"0": ("O",), "1": ("I", "L"), "2": ("Z",), "5": ("S",), "6": ("G",), "8": ("B",)}
"""In a number only a digit read as a letter: a digit read as another digit is another place."""

# GeCo's keyboard corruptor on a QWERTY layout: neighbours in the same row and column.
_ROWS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
_SAME_ROW = {k: r[max(i - 1, 0) : i] + r[i + 1 : i + 2] for r in _ROWS for i, k in enumerate(r)}
_SAME_COLUMN = {
    k: "".join(
        _ROWS[j][c]
        for j, cs in ((n - 1, (i, i + 1)), (n + 1, (i - 1, i)))  # the rows are staggered
        for c in cs
        if 0 <= j < len(_ROWS) and 0 <= c < len(_ROWS[j])
    )
    for n, r in enumerate(_ROWS)
    for i, k in enumerate(r)
}
# Damerau (1964) as FEBRL's generate2.py quotes it: the kinds of single typing errors.
_TYPO_KINDS = ("substitute", "delete", "insert", "transpose")
_TYPO_COUNTS = (567.0, 153.0, 99.0, 23.0)
# FEBRL lib_phonetic_rules.txt, the rules that keep a given name a name (pattern, spelling).
_PHONETIC = (("PH", "F"), ("CK", "K"), ("TH", "T"), ("LL", "L"), ("NN", "N"), ("TT", "T"),
             ("RR", "R"), ("MM", "M"), ("FF", "F"), ("PP", "P"), ("IE", "I"), ("EY", "Y"),
             ("C", "K"), ("Z", "S"), ("S", "Z"), ("H", ""))  # fmt: skip


def _position(text: str, rng: random.Random) -> int:
    """GeCo's position_mod_normal: mean len/2 + 1, deviation len/4, drawn until inside."""
    while True:
        pos = round(rng.gauss(len(text) / 2 + 1, len(text) / 4))
        if 0 <= pos < len(text):
            return pos


def ocr_slip(text: str, rng: random.Random, digits_only: bool = False) -> str:
    """`text` with one OCR confusion at a GeCo position (ten tries), or unchanged."""
    table = _OCR_DIGITS if digits_only else _OCR
    for _ in range(10):
        pos = _position(text, rng)
        options = [
            (text[pos : pos + n], v) for n in (1, 2) for v in table.get(text[pos : pos + n], ())
        ]
        if options:
            found, variant = rng.choice(options)
            return text[:pos] + variant + text[pos + len(found) :]
    return text


def typo(word: str, rng: random.Random, keep_first: bool = True) -> str:
    """`word` with one typing slip (Damerau's kinds, GeCo's keyboard and position)."""
    for _ in range(20):
        pos = _position(word, rng)
        if keep_first and pos == 0:
            continue
        kind = rng.choices(_TYPO_KINDS, _TYPO_COUNTS)[0]
        letter = word[pos]
        near = (_SAME_ROW if rng.random() < 0.5 else _SAME_COLUMN).get(letter, "")
        if kind == "substitute" and near:
            slipped = word[:pos] + rng.choice(near) + word[pos + 1 :]
        elif kind == "delete" and len(word) > 2:
            slipped = word[:pos] + word[pos + 1 :]
        elif kind == "insert" and near:
            slipped = word[:pos] + rng.choice(near) + word[pos:]
        elif kind == "transpose" and pos + 1 < len(word):
            slipped = word[:pos] + word[pos + 1] + letter + word[pos + 2 :]
        else:
            continue
        if slipped != word:
            return slipped
    return word


def phonetic(word: str, rng: random.Random) -> str:
    """`word` respelt by one of FEBRL's phonetic rules, never at its first letter."""
    options = [
        (i, p, s) for p, s in _PHONETIC for i in range(1, len(word)) if word.startswith(p, i)
    ]
    if not options:
        return word
    i, pattern, spelling = rng.choice(options)
    return word[:i] + spelling + word[i + len(pattern) :]


# -- writing one piece ----------------------------------------------------------------------

_TITLE_CASE_EXEMPT = frozenset(STATES.values())


class _Writer:
    """One piece written by one sender and read by one scanner: the habits are drawn once
    per piece, and the codes of what was done on the sides that concern an order are kept."""

    def __init__(self, rng: random.Random, habits: Habits) -> None:
        self.rng = rng
        self.h = habits.tripled() if rng.random() < habits.careless else habits
        self.ocr = rng.random() < self.h.ocr_piece
        r = rng.random()
        self.case = (
            "lower"
            if r < self.h.lower_case
            else "mixed"
            if r < self.h.lower_case + self.h.mixed_case
            else ""
        )
        self.dots = rng.random() < self.h.punctuation
        self.codes: set[str] = set()
        self.noting = True

    def chance(self, rate: float) -> bool:
        return self.rng.random() < rate

    def note(self, code: str) -> None:
        if self.noting:
            self.codes.add(code)

    def slipped(self, text: str, code: str, digits_only: bool = False) -> str:
        if not (self.ocr and self.chance(self.h.ocr_field)):
            return text
        if digits_only and sum(c.isdigit() for c in text) < 2:
            return text  # a lone digit read as a letter leaves no number to read back
        slipped = ocr_slip(text, self.rng, digits_only)
        if slipped != text:
            self.note(code)
        return slipped

    def cased(self, text: str) -> str:
        if self.case == "lower":
            self.note("lower-case")
            return text.lower()
        if self.case == "mixed":
            self.note("mixed-case")
            return " ".join(w if w in _TITLE_CASE_EXEMPT else w.title() for w in text.split(" "))
        return text

    def dotted(self, word: str) -> str:
        if self.dots and word:
            self.note("punctuation")
            return word + "."
        return word

    # -- names --

    def name(self, person: _Person, order_middle: str | None, slips: bool = True) -> str:
        """A person's name line. `order_middle` is how an order writes the middle name
        ('full', 'initial', 'none'), None for a person no order names."""
        words = []
        if self.chance(self.h.honorific):
            self.note("honorific")
            title = (
                "DR"
                if self.chance(0.1)
                else "MR"
                if person.male
                else self.rng.choice(("MRS", "MS"))
            )
            words.append(self.dotted(title))
        words.append(self._given(person.given) if slips else person.given)
        middle = self._middle(person, order_middle)
        words.append(self.dotted(middle) if len(middle) == 1 else middle)
        words.append(person.surname)
        return self.cased(self.slipped(" ".join(w for w in words if w), "ocr-name"))

    def _given(self, given: str) -> str:
        if self.chance(self.h.given_typo):
            slipped = typo(given, self.rng)
            if slipped != given:
                self.note("given-typo")
                return slipped
        if self.chance(self.h.given_phonetic):
            respelt = phonetic(given, self.rng)
            if respelt != given:
                self.note("given-phonetic")
                return respelt
        return given

    def _middle(self, person: _Person, order_middle: str | None) -> str:
        if not person.middle:
            return ""
        if order_middle in ("full", "initial"):
            if self.chance(self.h.middle_dropped):
                self.note("middle-dropped")
                return ""
            return person.middle if self.chance(0.3) else person.middle[0]
        if order_middle == "none":
            if self.chance(self.h.middle_added):
                self.note("middle-added")
                return person.middle[0]
            return ""
        return person.middle[0] if self.chance(0.3) else ""

    # -- addresses --

    def address(self, point: _Point, designator: str | None = None) -> list[str]:
        """The address lines of `point`; `designator` is the one the order writes (None: the
        point's own), which the sender may change."""
        street = " ".join(
            w
            for w in (
                self._number(point),
                self._directional(point),
                self.slipped(point.street, "ocr-street"),
                self._suffix(point),
            )
            if w
        )
        street = self.cased(street)
        unit = self.cased(
            self._unit(point, designator if designator is not None else point.designator)
        )
        lines = [street]
        if unit and self.chance(self.h.unit_line):
            self.note("unit-line")
            lines.insert(0 if self.chance(0.5) else 1, unit)
        elif unit:
            lines[0] += " " + unit
        return [*lines, self._last_line(point)]

    def _number(self, point: _Point) -> str:
        return self.slipped(str(point.number), "ocr-number", digits_only=True)

    def _directional(self, point: _Point) -> str:
        if not point.predirectional:
            return ""
        if self.chance(self.h.directional_spelt):
            self.note("directional-spelt")
            return {"N": "NORTH", "S": "SOUTH", "E": "EAST", "W": "WEST"}[point.predirectional]
        return self.dotted(point.predirectional)

    def _suffix(self, point: _Point) -> str:
        suffix = point.suffix
        if self.chance(self.h.suffix_spelt):
            self.note("suffix-spelt")
            suffix = SUFFIX_NAMES[suffix]
        elif self.chance(self.h.suffix_variant):
            others = sorted(
                s
                for s, std in STREET_SUFFIXES.items()
                if std == suffix and s not in (suffix, SUFFIX_NAMES[suffix])
            )
            if others:
                self.note("suffix-variant")
                suffix = self.rng.choice(others)
        else:
            suffix = self.dotted(suffix)
        return self.slipped(suffix, "ocr-street")

    def _unit(self, point: _Point, designator: str) -> str:
        if not point.unit:
            return ""
        written = designator
        if self.chance(self.h.unit_designator):
            self.note("unit-designator")
            written = self.rng.choice([d for d in _APARTMENT if d != designator])
        number = self.slipped(point.unit, "ocr-unit", digits_only=True)
        written = self.dotted(written) if written not in ("", "#") else written
        unit = f"{written} {number}" if written else number
        return f"BLDG {point.building} {unit}" if point.building else unit

    def _last_line(self, point: _Point) -> str:
        place = point.place
        city = place.city
        if self.chance(self.h.city_typo):
            slipped = " ".join(
                typo(w, self.rng, keep_first=False) if len(w) > 3 else w for w in city.split()
            )
            if slipped != city:
                self.note("city-typo")
                city = slipped
        city = self.cased(self.slipped(city, "ocr-city"))
        if self.chance(self.h.state_name):
            self.note("state-name")
            state = self.cased(_STATE_NAMES[place.state])
        else:
            state = self.slipped(place.state, "ocr-state")
            state = state.lower() if self.case == "lower" else state
        zip_code = place.zip5
        if self.chance(self.h.zip4_dropped):
            self.note("zip4-dropped")
        else:
            zip_code += f"-{point.zip4}"
        zip_code = self.slipped(zip_code, "ocr-zip", digits_only=True)
        comma = "," if self.dots or self.chance(0.3) else ""
        return f"{city}{comma} {state} {zip_code}"


_STATE_NAMES = {code: name for name, code in STATES.items() if name != code}


# -- the stream -----------------------------------------------------------------------------

_MAIL_CLASSES = ("first-class",) * 6 + ("marketing",) * 5 + ("periodical", "package")
_RECENT = timedelta(days=14)


def stream(
    world: World, pieces: int, seed: int, habits: Habits = Habits(), mix: Mix = Mix()
) -> Iterator[tuple[dict[str, Any], Truth]]:
    """`pieces` (event, truth) pairs about the world's orders, all scanned by its `now`.

    A kind no order can give (no order in force, none with an alias or an attorney) gives an
    elsewhere piece instead; with no orders every piece is elsewhere.
    """
    if pieces < 0:
        raise ValueError("pieces must be 0 or more")
    rng = random.Random(f"mailcover.mailgen.stream:{world.seed}:{seed}")
    kinds, shares = zip(*mix.shares(), strict=True)
    live = [c for c in world.cases if may_record(c.order.facts, world.now, world.now)]
    for number in range(1, pieces + 1):
        kind = rng.choices(kinds, shares)[0]
        yield _piece(_Piece(world, live, rng, habits, f"M{seed % 1000:03d}-{number:07d}"), kind)


class _Piece:
    """The making of one piece: who writes to whom, when, and how it is written."""

    def __init__(
        self, world: World, live: list[_Case], rng: random.Random, habits: Habits, piece_id: str
    ) -> None:
        self.world = world
        self.live = live  # the cases whose order is in force at `now`
        self.rng = rng
        self.piece_id = piece_id
        self.writer = _Writer(rng, habits)

    def when(self, case: _Case | None) -> datetime:
        """A moment in the last two weeks at which `case`'s order (if any) was in force."""
        now = self.world.now
        start = now - _RECENT
        if case is not None:
            start = max(start, case.order.facts.periods[0].starts_at)
        return start + (now - start) * self.rng.random()

    def elsewhere_point(self, near: _Point | None = None) -> _Point:
        for _ in range(100):
            point = _point(self.rng, near.place if near is not None else None)
            if point.key not in self.world.taken:
                return point
        raise RuntimeError("no free delivery point in 100 tries")

    def stranger(self) -> tuple[str, list[str]]:
        """A random person at a random address (not noted: nothing about it concerns an order)."""
        noting, self.writer.noting = self.writer.noting, False
        point = self.elsewhere_point()
        person = _person(self.rng)
        lines = [self.writer.name(person, None), *self.writer.address(point)]
        self.writer.noting = noting
        return person.surname, lines

    def event(
        self, to: list[str] | None, back: list[str] | None, scanned_at: datetime
    ) -> dict[str, Any]:
        place = self.rng.choice(_places())
        return {
            "piece_id": self.piece_id,
            "scanned_at": scanned_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "facility": f"{place.city} {place.state} P&DC",
            "mail_class": self.rng.choice(_MAIL_CLASSES),
            "imb": None,
            "addressee": to,
            "return_address": back,
            "image": None,
        }


def _piece(p: _Piece, kind: str) -> tuple[dict[str, Any], Truth]:
    make = _MAKERS.get(kind)
    made = make(p) if make is not None and p.live else None
    if made is None:
        kind, made = "elsewhere", _elsewhere(p)
    to, back, scanned_at, case, covered = made
    # What the piece is decides whether the order reaches it; the law decides whether it
    # may be recorded then (MC-NO-ORDER-NO-DATA), with the piece recorded at `now`.
    captured = (
        covered and case is not None and may_record(case.order.facts, scanned_at, p.world.now)
    )
    truth = Truth(
        p.piece_id,
        kind,
        (case.order.order_id,) if captured and case is not None else (),
        case.order.order_id if case is not None else None,
        tuple(sorted(p.writer.codes)),
    )
    return p.event(to, back, scanned_at), truth


_Made = tuple[list[str] | None, list[str] | None, datetime, "_Case | None", bool]


def _random_return(p: _Piece) -> list[str] | None:
    return p.stranger()[1] if p.rng.random() < 0.6 else None


def _to_subject(p: _Piece, case: _Case, person: _Person, middle: str | None) -> list[str]:
    return [p.writer.name(person, middle), *p.writer.address(case.point, case.point.designator)]


def _subject(p: _Piece) -> _Made:
    case = p.rng.choice(p.live)
    scanned_at = p.when(case)
    to = _to_subject(p, case, case.subject, case.middle_written)
    return to, _random_return(p), scanned_at, case, case.order.scope in _RECEIVING


def _alias(p: _Piece) -> _Made | None:
    cases = [c for c in p.live if c.aliases]
    if not cases:
        return None
    case = p.rng.choice(cases)
    to = _to_subject(p, case, p.rng.choice(case.aliases), "none")
    return to, _random_return(p), p.when(case), case, case.order.scope in _RECEIVING


def _sender(p: _Piece) -> _Made:
    senders = [c for c in p.live if c.order.scope is Scope.SENDER]
    case = p.rng.choice(senders if senders and p.rng.random() < 0.75 else p.live)
    back = _to_subject(p, case, case.subject, case.middle_written)
    p.writer.noting = False
    to = p.stranger()[1]
    return to, back, p.when(case), case, case.order.scope is Scope.SENDER


def _household(p: _Piece) -> _Made:
    case = p.rng.choice(p.live)
    lines = _to_subject(p, case, p.rng.choice(case.household), None)
    captured = case.order.scope is Scope.DELIVERY_POINT
    if case.order.scope is Scope.SENDER:
        p.writer.noting = False
        return p.stranger()[1], lines, p.when(case), case, False
    return lines, _random_return(p), p.when(case), case, captured


def _neighbour(p: _Piece) -> _Made | None:
    case = p.rng.choice(p.world.cases)
    point = _next_door(p, case.point)
    if point is None:
        return None
    r = p.rng.random()
    person = (
        _person(p.rng)
        if r < 0.4
        else _relative(p.rng, case.subject, case.aliases)
        if r < 0.7
        else case.subject
    )
    lines = [
        p.writer.name(person, case.middle_written if person is case.subject else None),
        *p.writer.address(point, case.point.designator if point.unit else None),
    ]
    if case.order.scope is Scope.SENDER:
        p.writer.noting = False
        return p.stranger()[1], lines, p.when(None), case, False
    return lines, _random_return(p), p.when(None), case, False


def _next_door(p: _Piece, point: _Point) -> _Point | None:
    """Another delivery point on the street (another house number) or in the building
    (another unit, or the same unit in another building)."""
    rng = p.rng
    for _ in range(20):
        r = rng.random()
        if point.building and r < 0.4:
            other = replace(point, building=str(int(point.building) + rng.choice((-2, -1, 1, 2))))
        elif point.unit and r < 0.7:
            other = replace(point, unit=_other_unit(point.unit, rng))
        else:
            step = rng.choice((-8, -6, -4, -2, 2, 4, 6, 8, 10, 20))
            other = replace(point, number=point.number + step, building="", designator="", unit="")
        if other.number > 0 and other.building != "0" and other.key not in p.world.taken:
            return other
    return None


def _other_unit(unit: str, rng: random.Random) -> str:
    if unit.isdigit():
        n = int(unit)
        return str(
            max(
                1,
                n + rng.choice((-3, -2, -1, 1, 2, 3, 100, -100))
                if n > 100
                else n + rng.choice((1, 2, 3, 10)),
            )
        )
    return unit[:-1] + rng.choice([c for c in "ABCDE" if c != unit[-1]])


def _attorney(p: _Piece, to_attorney: bool) -> _Made | None:
    cases = [c for c in p.live if c.attorneys]
    if not cases:
        return None
    case = p.rng.choice(cases)
    lawyer, office = p.rng.choice(case.attorneys)
    name = p.writer.name(lawyer, None)
    if p.rng.random() < 0.4:
        name += ", ESQ" if p.writer.dots else " ESQ"
    attorney_lines = [name, *p.writer.address(office)]
    subject_lines = _to_subject(p, case, case.subject, case.middle_written)
    to, back = (attorney_lines, subject_lines) if to_attorney else (subject_lines, attorney_lines)
    return to, back, p.when(case), case, False


def _outside_window(p: _Piece) -> _Made:
    case = p.rng.choice(p.world.cases)
    facts, now = case.order.facts, p.world.now
    start, end = facts.periods[0].starts_at, facts.periods[0].ends_at
    if end <= now and p.rng.random() < 0.6:  # in force when scanned, not when recorded
        scanned_at = start + (end - start) * p.rng.random()
    elif end <= now:
        scanned_at = end + (now - end) * p.rng.random()
    else:
        scanned_at = start - timedelta(days=p.rng.uniform(0.01, 20))
    if may_record(facts, scanned_at, now):  # by construction it cannot be; the law decides
        raise AssertionError("an outside_window piece would be recorded")
    lines = _to_subject(p, case, case.subject, case.middle_written)
    if case.order.scope is Scope.SENDER:
        p.writer.noting = False
        return p.stranger()[1], lines, scanned_at, case, False
    return lines, _random_return(p), scanned_at, case, False


def _elsewhere(p: _Piece) -> _Made:
    rng = p.rng
    r = rng.random()
    near = rng.choice(p.world.cases).point if p.world.cases and r < 0.3 else None
    point = p.elsewhere_point(near)
    person = rng.choice(p.world.cases).subject if p.world.cases and r > 0.97 else _person(rng)
    to = [p.writer.name(person, None), *p.writer.address(point)]
    return to, _random_return(p), p.when(None), None, False


_MAKERS = {
    "subject": _subject,
    "alias": _alias,
    "sender": _sender,
    "household": _household,
    "neighbour": _neighbour,
    "attorney_to": lambda p: _attorney(p, to_attorney=True),
    "attorney_from": lambda p: _attorney(p, to_attorney=False),
    "outside_window": _outside_window,
}
