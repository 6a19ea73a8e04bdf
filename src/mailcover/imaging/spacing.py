"""Word spacing put back where an OCR engine glued the words of an address in a photograph.

An engine reading a photographed address block sometimes drops the spaces between the words
of a line: `6858MENDOZABLVD`, `4363MARYSTAPT 32`, `JACOBBLVDAPT3`, `WEST BRANCHIA 52358`.
The address parser then finds no house number, no street suffix, no unit or no state, and
the piece is not matched. `respace_address(lines)` puts the spaces back from the tokens an
address is known to hold, and from nothing else:

* the ZIP Code at the end of the last line, and the state and city names the ZIP has in the
  list shipped inside the `zipcodes` wheel (the list `postal.address` reads);
* the house number, the leading digits of the delivery line;
* Publication 28's street suffixes (Appendix C1) and unit designators (Appendix C2), from
  `postal.pub28`.

It is for text read from a photograph only: `imaging.read` calls it on the engine's lines
before they become a piece's addressee and return address. Event text a plant sends is never
re-spaced: a glued word there is what the plant sent, and the matcher must see that.

Each rule says what it may split wrongly (its precision risk) and how that is guarded. Over
all of them: a word that is itself a known token (PARKWAY, WEST, APT) is never split; the
delivery line is changed only when the lines it gives parse as an address more completely
than the lines read (`_completeness`: a house number, a suffix, a unit, the ZIP's city), and
otherwise left exactly as read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mailcover.postal.address import AddressError, parse_lines
from mailcover.postal.pub28 import (
    DIRECTIONALS,
    SECONDARY_UNITS,
    STATES,
    STREET_SUFFIXES,
    SUFFIX_NAMES,
)
from mailcover.postal.zips import zip_list

_KNOWN_WORDS = (
    frozenset(STREET_SUFFIXES)
    | frozenset(SECONDARY_UNITS)
    | frozenset(DIRECTIONALS)
    | frozenset(code for code in STATES.values())
)
"""Words never split: every spelling of a suffix, a unit designator, a directional, a state."""

SPLIT_SUFFIXES = tuple(
    sorted(
        (abbr for abbr, name in SUFFIX_NAMES.items() if abbr != name),
        key=len,
        reverse=True,
    )
)
"""Suffixes split off the end of a glued word: Publication 28's standard abbreviations that
are not words themselves (ST, AVE, BLVD, DR...). Precision risk: a street name that ends in
one (HOWARD, LINCOLN, CONCORD; FOREST is a suffix itself, so never split) would lose it, so
they are split only on a line where the number or unit rule parted glued words, and only
off the street's last word. Abbreviations that are whole words (WAY, ROW, RUN, PARK, LOOP,
WALK...) are never split: BROADWAY and MIDWAY are street names."""

CLEARLY_GLUED_SUFFIXES = ("BLVD", "PKWY", "EXPY", "CSWY", "TPKE", "HWY", "FWY")
"""Suffixes no English word ends with: split off the street's last word even on a line that
shows no other gluing (`12 MENDOZABLVD`)."""

NUMBERED_DESIGNATORS = tuple(
    sorted({d for d in SECONDARY_UNITS.values() if d != "#"} | {"#"}, key=len, reverse=True)
)
"""Unit designators split off when the unit's number is glued after them (`JACOBBLVDAPT3`,
`APT3`): letters then digits is no word, so the risk is low (a highway `I95` has no
designator in it)."""

BARE_DESIGNATORS = ("UNIT", "BLDG", "TRLR", "DEPT", "APT", "STE", "SPC")
"""Designators split off the end of a word when the next word is the unit's number
(`MARYSTAPT 32`). Only these: RM, FL, LOT and PH end real words (FARM, CAMELOT)."""

_ORDINAL = re.compile(r"\d+(?:ST|ND|RD|TH)")
_NUMBER_GLUED = re.compile(r"(\d+)([A-Z][A-Z0-9]+)")
_UNIT_NUMBER = re.compile(r"(?:\d+[A-Z]?|[A-Z]\d+)")
_ZIP_AT_END = re.compile(r"(.*?)\s*(\d{5}(?:-?\d{4})?)")
_LETTERS_OF_DIGITS = str.maketrans("0", "O")


def respace_address(lines: Sequence[str]) -> tuple[str, ...]:
    """The lines with the spaces an OCR engine dropped put back, where the known tokens of
    an address show them; lines with no ZIP at the end of the last are returned as read."""
    read = tuple(lines)
    if not read or not _ZIP_AT_END.fullmatch(read[-1].strip()):
        return read
    spaced = (*read[:-1], respace_last_line(read[-1]))
    delivery = _delivery_index(spaced)
    if delivery is None:
        return spaced
    candidate = list(spaced)
    candidate[delivery] = respace_delivery_line(spaced[delivery])
    for beside in (delivery - 1, delivery + 1):  # a unit on a line of its own: `APT3`
        if 0 <= beside < len(spaced) - 1 and not spaced[beside][:1].isdigit():
            parts = _split_unit(spaced[beside], None)
            if len(parts) == 2 and parts[0] in SECONDARY_UNITS:
                candidate[beside] = " ".join(parts)
    if tuple(candidate) != spaced and _completeness(candidate) > _completeness(spaced):
        return tuple(candidate)
    return spaced


# -- the last line: city, state, ZIP -------------------------------------------------------


def respace_last_line(line: str) -> str:
    """`WEST BRANCHIA 52358` -> `WEST BRANCH IA 52358`; `DALLASTX75201` -> `DALLAS TX 75201`.

    Rules, in order:
    1. Letters glued to the ZIP are parted from it. No risk: no city name ends in digits.
    2. When the letters before the ZIP are, spaces aside (and 0 read as O), one of the ZIP's
       city names followed by the ZIP's state, they are written so. The ZIP confirms both,
       so the risk is only that of a wrong ZIP, which the address would lose anyway.
    3. Else, when the last word ends with the ZIP's state code and is not one of the ZIP's
       cities as it is, the code is parted from it (`SPRINGFEILDIL`). Precision risk: a
       misread city ending in the state's two letters, written without a state; rare, and
       the parser takes the state from the ZIP either way.
    A ZIP the list does not know changes nothing but rule 1.
    """
    match = _ZIP_AT_END.fullmatch(line.strip())
    if match is None:
        return line
    before, zip_code = match.group(1).strip(), match.group(2)
    known = zip_list().get(zip_code[:5])
    if known is None or not before:
        return _joined(before, zip_code, line)
    state, cities, _main = known
    words = before.upper().split()
    read_words = [w.translate(_LETTERS_OF_DIGITS) for w in re.findall(r"[A-Z0-9]+", before.upper())]
    compact = "".join(read_words)
    for city in sorted(cities, key=len, reverse=True):
        # Only where spaces were dropped: not for punctuation ("WEST ALTON, MO" stays), nor
        # for a space the list does not have ("MC KEE KY" stays, though the list says MCKEE).
        spaced = [*city.split(), state]
        if compact == "".join(spaced) and len(read_words) < len(spaced):
            return f"{city} {state} {zip_code}"
    last = words[-1] if words else ""
    if (
        len(last) > len(state)
        and last.endswith(state)
        and " ".join(words) not in cities
        and last not in _KNOWN_WORDS
    ):
        return f"{' '.join([*words[:-1], last[: -len(state)], state])} {zip_code}"
    return _joined(before, zip_code, line)


def _joined(before: str, zip_code: str, line: str) -> str:
    if line.strip().endswith(f" {zip_code}") or not before:
        return line
    return f"{before} {zip_code}"


# -- the delivery line: house number, street, suffix, unit ---------------------------------


def respace_delivery_line(line: str) -> str:
    """`6858MENDOZABLVD` -> `6858 MENDOZA BLVD`, `4363MARYSTAPT 32` -> `4363 MARY ST APT 32`,
    `12 JACOBBLVDAPT3` -> `12 JACOB BLVD APT 3`.

    Rules:
    1. The house number: leading digits glued to two letters or more are parted from them.
       Not an ordinal (`21ST`, `2ND`), which is a street name; not one letter (`12B` is a
       half address or a unit). Precision risk: a number with two letters (`12AB`), which
       the parser would not read as a house number anyway.
    2. A unit designator glued before its number (`APT3`) or, for the designators of
       BARE_DESIGNATORS, glued after a word when the next word is a number (`MARYSTAPT 32`).
    3. A suffix glued to the street's last word (no suffix after it on the line): one of
       CLEARLY_GLUED_SUFFIXES always, one of SPLIT_SUFFIXES only on a line rules 1 or 2
       changed. The rest of the word must keep three letters and a vowel.
    """
    tokens = line.split()
    if not tokens:
        return line
    number_split = _split_number(tokens[0])
    glued = len(number_split) > 1
    words = [*number_split, *tokens[1:]]
    first_street = 1 if number_split[0].isdigit() else 0
    out = words[:first_street]
    for index in range(first_street, len(words)):
        following = words[index + 1 :]
        unit_parts = _split_unit(words[index], following[0] if following else None)
        glued = glued or len(unit_parts) > 1
        out.extend(unit_parts)
    result: list[str] = []
    for index, word in enumerate(out):
        later = out[index + 1 :]
        if index >= first_street and _is_street_end(later):
            result.extend(_split_suffix(word, glued))
        else:
            result.append(word)
    return " ".join(result) if result != tokens else line


def _split_number(token: str) -> list[str]:
    match = _NUMBER_GLUED.fullmatch(token)
    if match is None or _ORDINAL.fullmatch(token) or _ordinal_word(token):
        return [token]
    return [match.group(1), match.group(2)]


def _ordinal_word(token: str) -> bool:
    """`21STST`: an ordinal street with its suffix glued; left to rule 3 rather than split
    into `21` and `STST`."""
    ordinal = _ORDINAL.match(token)
    return ordinal is not None and token[ordinal.end() :] in _KNOWN_WORDS


def _split_unit(word: str, following: str | None) -> list[str]:
    if word in _KNOWN_WORDS or word.isdigit():
        return [word]
    for designator in NUMBERED_DESIGNATORS:
        at = word.rfind(designator)
        if at < 0:
            continue
        number = word[at + len(designator) :]
        head = word[:at]
        if number and _UNIT_NUMBER.fullmatch(number) and (not head or head.isalpha()):
            return [*([head] if head else []), designator, number]
    if following is not None and _UNIT_NUMBER.fullmatch(following):
        for designator in BARE_DESIGNATORS:
            head = word[: -len(designator)]
            if word.endswith(designator) and len(head) >= 3 and head.isalpha():
                return [head, designator]
    return [word]


def _is_street_end(later: Sequence[str]) -> bool:
    """Whether no suffix follows (what follows is a unit, its number, or nothing)."""
    if not later:
        return True
    return later[0] in SECONDARY_UNITS and not any(w in STREET_SUFFIXES for w in later)


def _split_suffix(word: str, glued: bool) -> list[str]:
    if word in _KNOWN_WORDS or not word.isalpha():
        return [word]
    for suffix in CLEARLY_GLUED_SUFFIXES if not glued else SPLIT_SUFFIXES:
        head = word[: -len(suffix)]
        if word.endswith(suffix) and len(head) >= 3 and re.search("[AEIOUY]", head):
            return [head, suffix]
    return [word]


def _delivery_index(lines: Sequence[str]) -> int | None:
    """The delivery line: the lowest line above the last that starts with a digit."""
    for index in range(len(lines) - 2, -1, -1):
        if lines[index][:1].isdigit():
            return index
    return None


def _completeness(lines: Sequence[str]) -> tuple[int, ...]:
    """How much of an address the lines give, compared part by part: parsed at all, a
    house number, a suffix, a unit number with its designator, the city as the ZIP's."""
    try:
        address = parse_lines(lines)
    except AddressError:
        return (0,)
    known = zip_list().get(address.zip5)
    return (
        1,
        int(bool(address.number)),
        int(bool(address.suffix)),
        int(bool(address.unit_number)),
        int(known is not None and address.city in known[1]),
    )
