"""US addresses read from mail, normalised to USPS Publication 28 and keyed by delivery point.

`parse_lines` takes the lines of an address as read from an envelope (a name first, the
unit perhaps on a line of its own); `parse` takes one string ("123 MAIN ST APT 4,
SPRINGFIELD IL 62704-1234"). Both return an `Address` whose fields are in Publication 28's
standard form (pub28.py holds the tables and says where each comes from) or raise an
`AddressError` whose `code` names what is missing or wrong. Nothing else is raised for
any string.

The parts of an address are labelled by `usaddress`, a model trained on real addresses; this
module cleans what an OCR engine returns before it (case, stray punctuation, a ZIP+4 written
"62704 1234"), and corrects its labels after it where Publication 28 knows better: the C2
designators that take no number (REAR, UPPR), the two-suffix rule of section 234.2, the
military PSC/CMR/UNIT and BOX pair that usaddress labels twice as a box.

ZIP Codes are checked against the list shipped inside the `zipcodes` wheel (postal/zips.py);
it knows the military ZIPs of AA, AE and AP, and the territories. A ZIP it lists as no
longer active is still accepted: mail and old records carry them, and Publication 28's own
military example (09499) is one.

The delivery-point key. The Postal Service delivers to a delivery point: one ZIP+4 plus a
two-digit delivery-point code, which stand for a primary address (house number and street,
PO box, rural-route box, military unit box) and, in a building with units, the secondary
number. The key is therefore ZIP5, the normalised primary line and the unit number, joined
by "|": "62704|123 N MAIN ST|4". It leaves out

* the ZIP+4, which the sender often omits and which is derived from the rest;
* the city and state, which the ZIP determines (a city may be written several ways); and
* the unit designator when a number follows it and the designator names a unit of the
  same kind (APT, UNIT, STE, RM, #, or none): the designator does not pick the delivery
  point, the number does, and senders use these words for one another ("APT 19", "STE 19",
  "UNIT 19" and "# 19" at one building are one box). A designator that names another level
  or another kind of place (BLDG, FL, DEPT, LOT, SPC, TRLR...) stays in the key, and so does
  one that takes no number (REAR, BSMT), which is the unit itself. Precision risk: a
  building with both a suite 4 and an apartment 4 (offices below, flats above) is one
  delivery point to the key; the name on the piece still has to be the subject's.

Reading OCR slips (postal/confusion.py): the ZIP Code is the authority for the city and the
state. A state code that is not one but reads as the ZIP's state through the OCR table (K5
for KS, 1A for IA) is the ZIP's state; a city not on the ZIP's list is replaced by the ZIP's
own for labelling. Street names are compared with tolerance only in
`postal.delivery_point.same_delivery_point`, once the ZIP, the house number and the unit are
equal; what can be told without labelling at all is `postal.precheck.precheck`.

Known limits: a street name abbreviation other than the suffix and directionals
("MT VERNON" against "MOUNT VERNON") is kept as written; "N ST" and "NORTH ST" stay two
streets, as Publication 28 cannot tell the letter N from the directional either.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import usaddress

from mailcover.postal.confusion import DIGIT_LIKE, DIGIT_OF, folds, ocr_same
from mailcover.postal.precheck import NUMBER_WORDS
from mailcover.postal.pub28 import (
    DIRECTIONALS,
    MILITARY_CITIES,
    MILITARY_STATES,
    RANGELESS_UNITS,
    SECONDARY_UNITS,
    STATES,
    STREET_SUFFIXES,
    SUFFIX_NAMES,
)
from mailcover.postal.zips import zip_cities, zip_list, zip_state


class AddressError(ValueError):
    """An address that cannot be normalised to a delivery point.

    `code` is one of: "empty", "unparseable", "no-zip", "bad-zip", "unknown-zip",
    "unknown-state", "zip-state-mismatch", "no-street", "intersection".
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Address:
    """One address in Publication 28 form. Empty parts are "" so that fields compare simply."""

    number: str = ""
    predirectional: str = ""
    street_name: str = ""
    suffix: str = ""
    postdirectional: str = ""
    unit_designator: str = ""
    unit_number: str = ""
    po_box: str = ""
    route_type: str = ""  # "RR" (rural route, section 24) or "HC" (highway contract, 25)
    route_number: str = ""
    military_type: str = ""  # "UNIT", "PSC" or "CMR" (section 225), or "SHIP"
    military_number: str = ""  # the unit, PSC or CMR number, or the ship's name
    box: str = ""  # the BOX of a rural route, highway contract route or military address
    city: str = ""
    state: str = ""
    zip5: str = ""
    zip4: str = ""
    recipient: tuple[str, ...] = ()
    """The line(s) naming the addressee, as read (cleaned); not part of the address."""
    building: str = ""
    """A building written besides the unit ("BLDG 2" of "BLDG 2 APT 4"), else ""."""

    @property
    def primary_line(self) -> str:
        """The delivery address line without the unit: "123 N MAIN ST", "PO BOX 100"."""
        if self.po_box:
            return f"PO BOX {self.po_box}"
        if self.route_type:
            return _join(self.route_type, self.route_number, self.box and f"BOX {self.box}")
        if self.military_type == "SHIP":
            return self.military_number
        if self.military_type:
            return _join(self.military_type, self.military_number, self.box and f"BOX {self.box}")
        number = self.number.lstrip("0") or self.number  # "0123 MAIN ST" is 123
        return _join(
            number, self.predirectional, self.street_name, self.suffix, self.postdirectional
        )

    @property
    def unit(self) -> str:
        """The unit as the key holds it.

        Designators of one unit of a building (APT, UNIT, STE, RM, #, or none) are one
        kind: "APT 4", "STE 4", "# 4" and "UNIT 4" at one building are one box, so only the
        number counts. Any other designator stays in the key, since FL 4, LOT 4 and BLDG 4
        are other places than APT 4; a building is kept before the unit (BLDG 2 APT 4 is
        not BLDG 3 APT 4).
        Numbers lose leading zeros and hyphens ("04" is 4, "4-A" is 4A).
        """
        number = _unit_number(self.unit_number)
        if self.unit_designator in _APARTMENT_LIKE:
            unit = number
        else:
            unit = _join(self.unit_designator, number)
        return _join(self.building, unit)

    @property
    def delivery_point_key(self) -> str:
        """ZIP5|primary line|unit: the same for every spelling of one delivery point."""
        return f"{self.zip5}|{self.primary_line}|{self.unit}"

    @property
    def number_key(self) -> str:
        """ZIP5|house number|unit for a street address, else the delivery-point key: what
        must be equal before street names are compared with tolerance (`same_delivery_point`)."""
        if not self.street_name or self.po_box or self.route_type or self.military_type:
            return self.delivery_point_key
        number = self.number.lstrip("0") or self.number
        # In a number, only the letters that buildings do not use for units, because they
        # look like digits, are read as the digits (561S is 5615, APT 2I is 21): O, Q, I, L,
        # Z and S. A, B, D, E, G... stay letters: 12B, 1D, APT 2E and APT 4A are real half
        # addresses and units, other than 128, 10, 2F and 44.
        unit = self.unit.translate(_NUMBER_LETTERS)
        return f"{self.zip5}|{number.translate(_NUMBER_LETTERS)}|{unit}"

    @property
    def named_number_key(self) -> str:
        """`number_key` with every letter OCR reads for a digit read as the digit (370B is
        3708, 665G is 6656, unit 3G is 36). Only for an order whose piece must also name the
        subject (scopes addressee and sender): 370B may be a real half address, but mail
        there naming the subject at 3708 is the subject's; under scope delivery_point, which
        takes every name, numbers compare by `number_key` only."""
        key = self.number_key
        if key == self.delivery_point_key:
            return key
        zip5, number, unit = key.split("|")
        return f"{zip5}|{number.translate(DIGIT_OF)}|{unit.translate(DIGIT_OF)}"

    @property
    def zip_code(self) -> str:
        """ZIP or ZIP+4 as printed: "62704" or "62704-1234"."""
        return f"{self.zip5}-{self.zip4}" if self.zip4 else self.zip5

    def lines(self) -> tuple[str, ...]:
        """The address in Publication 28 form: delivery line and last line (no recipient)."""
        delivery = _join(self.primary_line, self.unit_designator, self.unit_number)
        return (delivery, _join(self.city, self.state, self.zip_code))


def parse(text: str) -> Address:
    """Normalise an address written as one string; a newline, like a comma, ends a line."""
    return parse_lines(re.split(r"[\r\n]+", text))


def parse_lines(lines: Sequence[str]) -> Address:
    """Normalise an address read as lines, the recipient's name(s) first.

    The unit may be on a line of its own, above or below the delivery address line (Pub 28
    wants it above when it does not fit). Lines above the delivery line are the recipient.
    """
    cleaned = tuple(line for line in (_clean(str(raw)) for raw in lines) if line)
    if not cleaned:
        raise AddressError("empty", "The address is empty.")
    return _parse_cleaned(cleaned)


# -- cleaning what an OCR engine returns ----------------------------------------------------

_PO_BOX = re.compile(r"\b(?:P\s*O\s*B(?:OX)?|POST\s+OFFICE\s+BOX|POST\s+BOX)\b")
_ZIP_AT_END = re.compile(rf"(?<![0-9A-Z])([{DIGIT_LIKE}]{{5}})(?:\s*-?\s*([{DIGIT_LIKE}]{{4}}))?$")
_OCR_DIGITS = DIGIT_OF


def _clean(line: str) -> str:
    """Upper-case, ASCII, one space between words; periods, stray punctuation and noise out."""
    text = unicodedata.normalize("NFKD", line).encode("ascii", "ignore").decode().upper()
    text = re.sub(r"(?<=\d)\.(?=\d)", "\0", text)  # a period in a number is kept (39.2 RD)
    text = re.sub(r"(?<=[A-Z])\.(?=[A-Z])", "", text)  # N.W. -> NW, P.O. -> PO
    text = text.replace("'", "")
    text = re.sub(r"[^A-Z0-9#/,\-\0]+", " ", text).replace("\0", ".")
    text = re.sub(r"\s*#\s*", " # ", text)
    text = re.sub(r"\s*,[\s,]*", ", ", text)
    text = _PO_BOX.sub("PO BOX", _letters_misread(text))
    text = re.sub(r"\s+", " ", text).strip(" ,-/")
    return _fix_zip(text)


# A word of letters with a digit an OCR engine reads for a letter: B0X, L00P, P0INT, 0K,
# K1NG, TERR4CE. 0 is folded in any word of letters and zeros; 1, 2, 4, 5, 6 and 8 only
# inside a word that starts with a letter and has two letters more (so 1ST, 5TH, 4B and 10A
# stay as written).
_ZERO_FOR_O = re.compile(r"\b(?=[A-Z0]*[A-Z])[A-Z0]*0[A-Z0]*\b")
_DIGIT_FOR_LETTER = re.compile(
    r"\b[A-Z](?=(?:[A-Z124568]*[A-Z]){2})[A-Z124568]*[124568][A-Z124568]*\b"
)
_LETTER_OF = str.maketrans("0124568", "OIZASGB")
# A digit for the first letter of a word of three letters more (8ARKER, 5MITH, 4LLEN); not
# an ordinal (1ST, 4TH, 5THST).
_FIRST_LETTER_AS_DIGIT = re.compile(r"\b[124568](?!TH|ST|ND|RD)(?=[A-Z]{3,}\b)")


# A short word with a digit for a letter that then is a unit designator or a street suffix:
# 5TE (STE), 5T (ST), 8LVD (BLVD), C1R (CIR). Not a directional: APT 5E and APT 5W are units.
_SHORT_MISREAD = re.compile(r"\b(?=[A-Z0-9]*[A-Z])[A-Z0-9]*[0158][A-Z0-9]*\b")
_SHORT_WORDS = frozenset(
    w for w in (*SECONDARY_UNITS, *STREET_SUFFIXES) if 2 <= len(w) <= 6 and w.isalpha()
)


def _short_word(match: re.Match[str]) -> str:
    word = match.group()
    letters = word.translate(_LETTER_OF)
    return letters if letters in _SHORT_WORDS else word


# A number with a letter OCR reads for a digit between two digits: 53Z6, 185B4, 1Z937. A
# number ending in a letter (12B, 561S) is left as written: a half address may be one.
_LETTER_IN_NUMBER = re.compile(rf"\b\d[{DIGIT_LIKE}]*\d\b")


def _letters_misread(text: str) -> str:
    text = _LETTER_IN_NUMBER.sub(lambda m: m.group().translate(DIGIT_OF), text)
    text = _ZERO_FOR_O.sub(lambda m: m.group().translate(_LETTER_OF), text)
    text = _DIGIT_FOR_LETTER.sub(lambda m: m.group().translate(_LETTER_OF), text)
    text = _FIRST_LETTER_AS_DIGIT.sub(lambda m: m.group().translate(_LETTER_OF), text)
    return _SHORT_MISREAD.sub(_short_word, text)


def _fix_zip(text: str) -> str:
    """Write a trailing ZIP or ZIP+4 as 62704 or 62704-1234, O and I/L read as 0 and 1.

    Only at the end of a line, and only for a run of five (and four) characters at least
    three of which are digits: no word in an address is like that, so the swap is safe.
    """
    match = _ZIP_AT_END.search(text)
    if not match or sum(c.isdigit() for c in match.group(1)) < 3:
        return text
    zip5 = match.group(1).translate(_OCR_DIGITS)
    plus4 = match.group(2)
    if plus4 is not None:
        if sum(c.isdigit() for c in plus4) < 3:
            return text
        zip5 += "-" + plus4.translate(_OCR_DIGITS)
    return text[: match.start()] + zip5


# -- finding the lines ----------------------------------------------------------------------

_HAS_ZIP = re.compile(r"\b\d{5}(?:-\d{4})?$")
_UNIT_LINE = re.compile(r"^(?:# \S+|(?P<designator>[A-Z]+)(?: # ?| )?(?P<number>\S+)?)$")
_PRIMARY_START = re.compile(r"^(?:\d|PO BOX\b|(?:RR|HC|RURAL ROUTE|HIGHWAY CONTRACT)\b)")
_NUMBER_LETTERS = str.maketrans("OQILZS", "001125")
_BARE_UNIT = re.compile(r"^[0-9][0-9A-Z]{0,3}$")
_NUMBERED_ROADS = frozenset({"HWY", "RTE", "RD", "FWY", "EXPY", "PIKE", "TPKE", "CR"})
_TRAILING_UNIT = re.compile(
    r"^(?P<street>\d\S*\s.*\s)(?P<suffix>[A-Z0-9]+)\.?\s+(?:# )?(?P<unit>\d[0-9A-Z]{0,3})$"
)


def _unit_after_suffix(line: str) -> str:
    """ "6656 HORTON TER 36": a number after the street's suffix is its unit, written without
    a designator ("6656 HORTON TER # 36"). Not after a suffix roads are numbered by
    (HIGHWAY 61, COUNTY ROAD 12), where the number is the road's. A suffix misread (AVF 53,
    COVRT # 37: `_misread_suffix`) is written as the suffix it spells, or the labeller takes
    it and the unit for the street's name."""
    match = _TRAILING_UNIT.match(line)
    if match is None:
        return line
    written = match.group("suffix")
    suffix = STREET_SUFFIXES.get(written) or _misread_suffix(written)
    if not suffix:
        return line
    name = match.group("street").split()[1:]
    if suffix in _NUMBERED_ROADS and not any(c.isdigit() for word in name for c in word):
        return line  # COUNTY ROAD 12; but 33RD RD 42 is unit 42 of 33rd Road
    written = written if written in STREET_SUFFIXES else suffix
    return f"{match.group('street')}{written} # {match.group('unit')}"


_MILITARY_START = re.compile(r"^(?:UNIT|PSC|CMR|USS|USNS|USCGC)\b")
_SHIP = re.compile(r"^(?:USS|USNS|USCGC)\b")


def _is_unit_line(line: str) -> bool:
    if _BARE_UNIT.match(line):
        return True  # "36" alone on the line above or below the street
    match = _UNIT_LINE.match(line)
    if not match:
        return False
    designator = match.group("designator")
    if designator is None or _BARE_UNIT.match(line):
        return True
    standard = SECONDARY_UNITS.get(designator)
    if standard is None:
        return False
    return match.group("number") is not None or standard in RANGELESS_UNITS


def _split_lines(lines: tuple[str, ...]) -> tuple[tuple[str, ...] | None, str]:
    """The recipient lines, and the address as one string with its lines comma-separated.
    The recipient is None when no line has the shape of a delivery line: the labeller then
    says which words name someone."""
    if len(lines) == 1:
        return None, lines[0]
    last = max((i for i, line in enumerate(lines) if _HAS_ZIP.search(line)), default=len(lines) - 1)
    above = lines[:last]
    city = lines[last].split(" ")[0].rstrip(",")
    starts = _MILITARY_START if city in MILITARY_CITIES else _PRIMARY_START
    primary = max((i for i, line in enumerate(above) if starts.match(line)), default=None)
    if primary is None:
        return None, ", ".join(lines)
    if primary > 0 and _BARE_UNIT.match(above[primary]) and starts.match(above[primary - 1]):
        # "9844 S 9TH ST" then "43": a number alone under the street line is its unit.
        street, bare = above[primary - 1], above[primary]
        rest = list(above[primary + 1 :])
        return above[: primary - 1], ", ".join([f"{street} # {bare}", *rest, *lines[last:]])
    units = [i for i in (primary - 1, primary + 1) if 0 <= i < last and _is_unit_line(above[i])]
    unit = units[0] if units else None
    recipient = tuple(line for i, line in enumerate(above[:primary]) if i != unit)
    delivery = _unit_after_suffix(above[primary])
    if unit is not None:
        delivery = (
            f"{delivery} {above[unit]}"
            if above[unit][0].isalpha() or above[unit][0] == "#"
            else f"{delivery} # {above[unit]}"
        )
    rest = [line for i, line in enumerate(above) if i > primary and i != unit]
    return recipient, ", ".join([delivery, *rest, *lines[last:]])


# -- labelling with usaddress and reading the labels ----------------------------------------

Runs = tuple[tuple[str, str], ...]
"""(usaddress label, text) in the order they occur; a label may repeat."""

_RANGELESS_BEFORE_COMMA = re.compile(
    r"(?<=\S)\s+(" + "|".join(w for w, a in SECONDARY_UNITS.items() if a in RANGELESS_UNITS)
    + r")(?=,)"
)  # fmt: skip


def _tag(text: str) -> Runs:
    """Label the parts with usaddress; a repeated label is kept as separate runs."""
    try:
        tagged, _kind = usaddress.tag(text)
    except usaddress.RepeatedLabelError as error:
        return _runs(error.parsed_string)
    return tuple((str(label), str(value)) for label, value in tagged.items())


def _runs(tokens: Iterable[tuple[str, str]]) -> Runs:
    runs: list[tuple[str, str]] = []
    for token, label in tokens:
        if runs and runs[-1][0] == label:
            runs[-1] = (label, f"{runs[-1][1]} {token}")
        else:
            runs.append((label, token))
    return tuple(runs)


# Deliberately not cached: a cache of parsed addresses would keep, in memory, the
# names and addresses of mail that no order covers (DESIGN.md, no dragnet: such a
# piece leaves nothing behind). Speed comes from the matcher keying by barcode first.
def _parse_cleaned(lines: tuple[str, ...]) -> Address:
    recipient, text = _split_lines(lines)
    # usaddress does not know the C2 designators that take no number: "123 MAIN ST REAR, ..."
    # comes back with REAR in the city or the street name. Take it off first.
    rangeless = ""
    match = _RANGELESS_BEFORE_COMMA.search(text)
    if match and len(text[: match.start()].split()) >= 2:
        rangeless = SECONDARY_UNITS[match.group(1)]
        text = text[: match.start()] + text[match.end() :]
    parts = _reread_number(text, _read_with_last_line(text))
    if rangeless and not parts.unit_designator:
        parts.unit_designator = rangeless
    return parts.address(recipient or ())


def recipient_lines(lines: Sequence[str]) -> tuple[str, ...] | None:
    """The lines above the delivery line, cleaned, found by the shape of the lines alone (no
    labelling, so a small part of the cost of `parse_lines`): what `parse_lines(lines)
    .recipient` holds, less any word the labeller may add from elsewhere. None when no line
    has a delivery line's shape (only the full parse can tell then)."""
    cleaned = tuple(line for line in (_clean(str(raw)) for raw in lines) if line)
    return _split_lines(cleaned)[0] if cleaned else None


# -- an address printed in Publication 28 form -------------------------------------------------

_NAME_LINE = re.compile(r"[A-Z][A-Z .,'&/-]*")
_NOT_A_NAME_WORD = frozenset(SECONDARY_UNITS) | frozenset(SECONDARY_UNITS.values()) | {
    "PO", "BOX", "RR", "HC", "PSC", "CMR", "UNIT", "SHIP",
}  # fmt: skip


def printed_lines(lines: Sequence[str]) -> tuple[str, str] | None:
    """The last two lines (delivery line and last line, spaces around them dropped) when the
    lines above them can only name the recipient: upper-case letters and the punctuation of
    names, no digit, no '#', and no word that is a unit designator or a box, route or
    military word (a unit or a building on a line of its own is part of the address). Else
    None.

    For `MatchIndex`: mail printed by a mailer's software is in Publication 28 form already,
    and when these two lines are exactly an address's own `lines()`, the parse would give that
    address (`Printed.of` checks it for each order), so the parse, the slow part, is skipped."""
    if len(lines) < 2:
        return None
    for line in lines[:-2]:
        if not _NAME_LINE.fullmatch(line) or not _NOT_A_NAME_WORD.isdisjoint(
            line.replace(",", " ").split()
        ):
            return None
    return lines[-2].strip(), lines[-1].strip()


_NUMBER_WITH_LETTERS = re.compile(rf"^\d[{DIGIT_LIKE}]*[A-Z][{DIGIT_LIKE}]*(?= )")


def _reread_number(text: str, parts: _Parts) -> _Parts:
    """ "370B RODGERS CIRCLF": before a suffix it does not know, usaddress may take a number
    ending in a letter OCR reads for a digit for part of a name, and find no street. Such a
    text is labelled again with the letters read as digits; the number is kept as written,
    so that only `named_number_key` reads it as 3708. Only when the first labelling found no
    house number: a text that reads as an address reads as before."""
    match = _NUMBER_WITH_LETTERS.match(text)
    if match is None or parts.get("AddressNumber"):
        return parts
    written = match.group()
    digits = written.translate(DIGIT_OF)
    again = _read_with_last_line(digits + text[match.end() :])
    if again.get("AddressNumber") != digits:
        return parts
    again.labels["AddressNumber"] = written
    return again


_LAST_LINE = re.compile(
    r", (?P<city>[A-Z0-9][A-Z0-9 \-/]*?),? (?P<state>"
    + "|".join(sorted((n for n in STATES if len(n) > 3), key=len, reverse=True))
    + r"|[A-Z0-9]{2,3}),? "
    r"(?P<zip>\d{5})(?:-(?P<plus4>\d{4}))?$"
)


def _read_with_last_line(text: str) -> _Parts:
    """Label the address, its last line first made safe for usaddress.

    usaddress lets a city with an OCR slip (SA1NT HELENA, M1LL HALL) or a small word (NEW
    YORK, LA FAYETTE) run into the unit, the box or the street. When the last line is plainly
    city, state code and ZIP, it is written again for labelling as "CITY, ST ZIP", a comma
    before the state, and with the ZIP's own city from the ZIP list in place of one that is
    not on it (the ZIP, not the city, decides the delivery point), so the delivery line(s)
    are labelled as in a clean address; the city as written is kept.
    """
    found = _LAST_LINE.search(text)
    if found is None or found.start() == 0:
        return _Parts.read(_tag(text))
    state = _state_of_zip(found.group("state"), found.group("zip"))
    if state is None:
        return _Parts.read(_tag(text))
    written = found.group("city")
    cities = zip_cities(found.group("zip"))
    if not cities or written in MILITARY_CITIES:
        return _Parts.read(_tag(text))
    city = written if written in cities else zip_list()[found.group("zip")][2]
    zip_code = found.group(0).rsplit(" ", 1)[1]
    parts = _Parts.read(_tag(f"{text[: found.start()]}, {city}, {state} {zip_code}"))
    if parts.get("PlaceName").strip(" ,") == city:
        parts.labels["PlaceName"] = written
    return parts


def _state_of_zip(written: str, zip5: str) -> str | None:
    """The state code `written` stands for. The ZIP is the authority and the state only
    confirms it: a code that reads as the ZIP's state through the OCR table (K5 for KS, 1A
    for IA, MO for MD: a slip that makes another code is still a slip) is the ZIP's state,
    and so is one that is no state code at all (N5); another state's code is itself (the
    parser then refuses the address: one of the two is wrong). None without a listed ZIP."""
    known = zip_state(zip5)
    code = STATES.get(written)
    if known is None:
        return code
    if code is not None and code != known and not ocr_same(known, written):
        return code
    return known


class _Parts:
    """The labels of one address, turned into Publication 28 fields step by step."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self.boxes: list[tuple[str, str]] = []  # (box type, box id) in order
        self.recipient: list[str] = []
        self.unit_designator = ""

    @classmethod
    def read(cls, runs: Runs) -> _Parts:
        parts = cls()
        box_type = ""
        for label, raw in runs:
            value = raw.strip(" ,")
            if label == "USPSBoxType":
                box_type = value
            elif label == "USPSBoxID":
                parts.boxes.append((box_type, value))
                box_type = ""
            elif label == "Recipient":
                parts.recipient.append(value)
            else:
                previous = parts.labels.get(label)
                parts.labels[label] = f"{previous} {value}" if previous else value
        return parts

    def get(self, label: str) -> str:
        return self.labels.get(label, "")

    def address(self, recipient: tuple[str, ...]) -> Address:
        if any(label in self.labels for label in ("IntersectionSeparator", "SecondStreetName")):
            raise AddressError("intersection", "A street corner is not a delivery point.")
        city, state, zip5, zip4 = self._last_line()
        fields = self._delivery(city)
        designator, number, building = self._unit()
        if not any(fields.get(f) for f in ("street_name", "po_box", "route_type", "military_type")):
            raise AddressError(
                "no-street",
                "No street, PO box, rural route or military address was found before "
                + _join(city, state, zip5)
                + ".",
            )
        return Address(
            **fields,
            unit_designator=designator,
            unit_number=number,
            city=city,
            state=state,
            zip5=zip5,
            zip4=zip4,
            recipient=(*recipient, *self._non_ship_recipients()),
            building=building,
        )

    # The last line: city, state, ZIP.

    def _last_line(self) -> tuple[str, str, str, str]:
        zip5, zip4 = _split_zip(self.get("ZipCode"), self.get("ZipPlus4"))
        known_state = zip_state(zip5)
        if known_state is None:
            raise AddressError("unknown-zip", f"ZIP Code {zip5} is not on the ZIP Code list.")
        state = self._state(known_state)
        if state != known_state:
            raise AddressError(
                "zip-state-mismatch",
                f"ZIP Code {zip5} is in {known_state}, but the address says {state}.",
            )
        city = self._city(zip5)
        return city, state, zip5, zip4

    def _city(self, zip5: str) -> str:
        # Without a comma, "123 MAIN ST REAR SPRINGFIELD" comes back with the city
        # "REAR SPRINGFIELD". Move the designator only when what is left is the ZIP's city.
        city = _words(self.get("PlaceName"))
        first, _, rest = city.partition(" ")
        designator = SECONDARY_UNITS.get(first, "")
        if designator in RANGELESS_UNITS and rest in zip_cities(zip5):
            if not self.unit_designator:
                self.unit_designator = designator
            return rest
        return city

    def _state(self, known_state: str) -> str:
        written = _words(self.get("StateName"))
        if not written:
            return known_state  # the ZIP says which; the delivery point does not depend on it
        state = STATES.get(written)
        if state is None and not self.get("PlaceName"):
            # "SPRINGFIELD 62704": usaddress takes the city for the state.
            self.labels["PlaceName"] = written
            return known_state
        if len(written) == 2 and (state is None or ocr_same(known_state, written)):
            return known_state  # K5 for KS, N5: the ZIP's state (see _state_of_zip)
        if state is None:
            raise AddressError("unknown-state", f"{written!r} is not a state code (Pub 28 App. B).")
        return state

    # The delivery line.

    def _delivery(self, city: str) -> dict[str, str]:
        if city in MILITARY_CITIES:
            military = self._military()
            if military:
                return military
        if self.boxes and self.get("USPSBoxGroupType"):
            return self._route()
        if self.boxes:
            return {"po_box": _box_number(self.boxes[-1][1])}
        return self._street()

    def _military(self) -> dict[str, str]:
        # Section 225: UNIT/PSC/CMR number, BOX number. usaddress labels UNIT as a unit and
        # PSC/CMR as a second box type, so read both shapes.
        kind, number = self.get("OccupancyType"), self.get("OccupancyIdentifier")
        boxes = list(self.boxes)
        if boxes and boxes[0][0] in ("PSC", "CMR"):
            kind, number = boxes.pop(0)
        box = _box_number(boxes[0][1]) if boxes else ""
        if kind in ("UNIT", "PSC", "CMR") and number:
            self.labels.pop("OccupancyType", None)
            self.labels.pop("OccupancyIdentifier", None)
            return {"military_type": kind, "military_number": number.lstrip("# "), "box": box}
        ship = next((r for r in self.recipient if _SHIP.match(r)), "")
        if ship:
            return {"military_type": "SHIP", "military_number": ship}
        return {}

    def _non_ship_recipients(self) -> tuple[str, ...]:
        return tuple(r for r in self.recipient if not _SHIP.match(r))

    def _route(self) -> dict[str, str]:
        # Sections 241 and 251: "RR 2 BOX 15", "HC 68 BOX 23"; RURAL ROUTE, RFD and RD are RR,
        # STAR ROUTE is HC.
        written = _words(self.get("USPSBoxGroupType"))
        route_type = "HC" if written in ("HC", "HCR", "HIGHWAY CONTRACT", "STAR ROUTE") else "RR"
        number = _box_number(self.get("USPSBoxGroupID"))
        return {"route_type": route_type, "route_number": number, "box": self._box_id()}

    def _box_id(self) -> str:
        return _box_number(self.boxes[-1][1]) if self.boxes else ""

    def _suffix_read_as_unit(self) -> None:
        """ "33 OAK WAV 2L", "19 ELM W4Y": usaddress takes a suffix it does not know for a unit.
        When the street has no suffix and the unit's first word is a misread spelling of one
        suffix (`_misread_suffix`), that word is the suffix and the rest is the unit. The
        order's address is read by the same rule, so one text always reads one way."""
        if self.get("StreetNamePostType") or not self.get("StreetName"):
            return
        label = "OccupancyType" if self.get("OccupancyType") else "OccupancyIdentifier"
        first, _, rest = _words(self.get(label)).partition(" ")
        suffix = _misread_suffix(first) if first not in SECONDARY_UNITS else ""
        if not suffix:
            return
        self.labels["StreetNamePostType"] = suffix
        if rest:
            self.labels[label] = rest
        else:
            del self.labels[label]

    def _street(self) -> dict[str, str]:
        self._suffix_read_as_unit()
        predirectional, name_words = _directional(self.get("StreetNamePreDirectional"))
        words = [*_words(self.get("StreetNamePreModifier")).split(), *name_words]
        pre_type = _words(self.get("StreetNamePreType")).split()
        words += [SUFFIX_NAMES.get(STREET_SUFFIXES.get(w, ""), w) for w in pre_type]
        words += _words(self.get("StreetName").replace("-", " ")).split()
        if not pre_type:
            predirectional, words = _two_directionals(predirectional, words)
        suffix = _words(self.get("StreetNamePostType"))
        if not suffix and pre_type and len(words) > len(pre_type) and words[-1] in STREET_SUFFIXES:
            suffix = words.pop()  # "AVENUE PARK": section 234.2, the second word is the suffix
        if suffix and words and words[-1] in STREET_SUFFIXES:
            words[-1] = SUFFIX_NAMES[STREET_SUFFIXES[words[-1]]]  # 234.2: the first is spelt out
        postdirectional, post_words = _directional(self.get("StreetNamePostDirectional"))
        number = _join(self.get("AddressNumberPrefix"), self.get("AddressNumber"))
        number = _join(number, self.get("AddressNumberSuffix")).replace(" - ", "-")
        street_name = _join(*words, *post_words)
        if street_name and not _is_house_number(number):
            # No number, or a word the labeller took for one (a name: "MR X, OAK ST").
            raise AddressError("no-street", f"{street_name} has no house number.")
        return {
            "number": number,
            "predirectional": predirectional,
            "street_name": street_name,
            "suffix": STREET_SUFFIXES.get(suffix, suffix),
            "postdirectional": postdirectional,
        }

    def _unit(self) -> tuple[str, str, str]:
        written = _words(self.get("OccupancyType") or self.get("SubaddressType"))
        number = self.get("OccupancyIdentifier") or self.get("SubaddressIdentifier")
        building = _words(self.get("BuildingName")).split(" ", 1)
        kept_building = ""
        if self.get("OccupancyType") and self.get("SubaddressType"):
            # "BLDG 2 APT 4": usaddress labels the building a subaddress beside the unit.
            sub = _words(self.get("SubaddressType"))
            kept_building = _join(
                SECONDARY_UNITS.get(sub, sub), _unit_number(self.get("SubaddressIdentifier"))
            )
        types, ids = written.split(), _words(number).split()
        if len(types) == 2 == len(ids) and all(t in SECONDARY_UNITS for t in types):
            # "BUILDING 2 APARTMENT 4" read as one repeated label: building, then unit.
            kept_building = _join(SECONDARY_UNITS[types[0]], _unit_number(ids[0]))
            written, number = types[1], ids[1]
        if not written and not number and building[0] in SECONDARY_UNITS:
            written, number = building[0], building[1] if len(building) > 1 else ""
        elif building[0] in SECONDARY_UNITS and len(building) > 1:
            kept_building = _join(SECONDARY_UNITS[building[0]], _unit_number(building[1]))
        number = _words(number.replace("#", " "))
        if not written and self.get("OccupancyIdentifier").startswith("#"):
            written = "#"
        designator = SECONDARY_UNITS.get(written, written)
        if not designator and self.unit_designator:
            designator = self.unit_designator
        if designator == "#" and not number:
            designator = ""
        return designator, number, kept_building


def _is_house_number(number: str) -> bool:
    return any(c.isdigit() for c in number) or any(w in NUMBER_WORDS for w in number.split())


# -- small helpers --------------------------------------------------------------------------


_APARTMENT_LIKE = frozenset({"", "#", "APT", "UNIT", "STE", "RM"})


def _unit_number(text: str) -> str:
    """A unit number as the key holds it: "04" is 4, "4-A" and "4 A" are 4A; two numbers
    ("APT 4 APT 5" read as "4 5") stay apart, never run together into 45."""
    parts = [part.lstrip("0") or part for part in text.replace("-", " ").split()]
    joined = parts[0] if parts else ""
    for part in parts[1:]:
        joined += part if len(part) == 1 and part.isalpha() else f" {part}"
    return joined


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _words(text: str) -> str:
    """One space between words, no stray commas."""
    return " ".join(text.replace(",", " ").split())


def _directional(written: str) -> tuple[str, list[str]]:
    """Section 233: the abbreviation, or ("", the words) when it is not a directional."""
    words = _words(written)
    standard = DIRECTIONALS.get(words.replace(" ", ""))
    if standard is not None:
        return standard, []
    return "", words.split()


def _two_directionals(predirectional: str, words: list[str]) -> tuple[str, list[str]]:
    """Section 233: two directional words in a row are one ("NORTH WEST MAIN" -> NW MAIN).

    usaddress labels only the first, or neither, as the directional. A directional word is
    never taken when it is all that is left of the street name ("123 N WEST ST").
    """
    if not predirectional and len(words) > 2 and {*words[:2]} <= DIRECTIONALS.keys():
        predirectional, words = DIRECTIONALS[words[0]], words[1:]
    if predirectional in ("N", "S") and len(words) > 1:
        second = DIRECTIONALS.get(words[0], "")
        if second in ("E", "W"):
            return predirectional + second, words[1:]
    return predirectional, words


def _box_number(written: str) -> str:
    """A box or route number as Pub 28 prints it: no "#", no leading zeros (sections 242, 282)."""
    number = written.replace("#", "").replace(" ", "")
    return number.lstrip("0") or number


_ZIP = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")


def _split_zip(zip_code: str, plus4: str) -> tuple[str, str]:
    written = zip_code.replace(" ", "")
    if not written:
        raise AddressError("no-zip", "The address has no ZIP Code; the delivery point needs one.")
    match = _ZIP.match(written)
    if not match:
        raise AddressError("bad-zip", f"{written!r} is not a ZIP Code (5 digits, or ZIP+4).")
    zip4 = match.group(2) or plus4.replace(" ", "")
    if zip4 and not re.fullmatch(r"\d{4}", zip4):
        raise AddressError("bad-zip", f"{zip4!r} is not the +4 of a ZIP+4 Code.")
    return match.group(1), zip4


def is_military(address: Address) -> bool:
    """Whether the address is an overseas military one (APO/FPO/DPO in AA, AE or AP)."""
    return address.state in MILITARY_STATES


# -- suffixes read through the OCR table -----------------------------------------------------

STANDARD_SUFFIXES = frozenset(STREET_SUFFIXES.values())
SUFFIX_FOLDS: dict[str, frozenset[str]] = {
    standard: frozenset().union(*(folds(w) for w, s in STREET_SUFFIXES.items() if s == standard))
    for standard in STANDARD_SUFFIXES
}
"""Each standard suffix -> every Appendix C1 spelling of it, folded: AY (AV read with a slip)
is AVE, TFR is TER."""

_SUFFIXES_OF_FOLD: dict[str, frozenset[str]] = {}
for _standard, _folded in SUFFIX_FOLDS.items():
    for _reading in _folded:
        _SUFFIXES_OF_FOLD[_reading] = _SUFFIXES_OF_FOLD.get(_reading, frozenset()) | {_standard}


_DESIGNATOR_FOLDS = frozenset().union(*(folds(w) for w in SECONDARY_UNITS))


def _misread_suffix(word: str) -> str:
    """The one standard suffix `word` spells once read through the OCR table (W4Y and WAV are
    WAY, CLR is CIR), or "" when it spells none or several. Two letters at least: a unit such
    as P1 or 4A is not read as a suffix. Never a word that may be a unit designator read the
    same way (FL, FI and EL are a floor before they are PL; TRLR): the unit would be lost,
    and with it the delivery point."""
    if sum(c.isalpha() for c in word) < 2:
        return ""
    readings = folds(word)
    if not readings.isdisjoint(_DESIGNATOR_FOLDS):
        return ""
    found = {s for reading in readings for s in _SUFFIXES_OF_FOLD.get(reading, ())}
    return found.pop() if len(found) == 1 else ""
