"""Whether a name read from a piece of mail names a known person (a subject or an attorney).

The delivery point is already matched when a name is compared, so the people a name must be
told apart from are mostly the others at the same address: a household that shares the
surname. MC-ALL-NAMES means that the error that matters is capturing their mail under a
scope of `addressee`; missing a piece is the lawful direction. The rules therefore differ by
part of the name:

* The surname is compared with an edit distance (rapidfuzz's optimal string alignment,
  which counts a swap of two letters as one slip): OCR errors and misspellings are forgiven
  in proportion to its length. Members of a household share it, so this costs nothing in
  telling them apart.
* The given name is where household members differ, often by one letter (FRANCIS and
  FRANCES, JOAN and JOHN, CHRISTIAN and CHRISTINA) or by a gendered ending (DANIEL and
  DANIELA). It must be the same once the glyphs an OCR engine confuses are folded together
  ("J0HN" is JOHN); a name of LONG_GIVEN_NAME letters or more may also have one slip (a
  letter wrong, or two swapped: RICHQRD, ALEXADNRA), but never in its first letter nor in
  its last ENDING_LETTERS, where the variants differ. A letter more or less is not forgiven:
  MARINA and MARIANA, JOANNA and JOHANNA are different names.
  A given name written as an initial ("J Q PUBLIC") matches any given name with that initial.
  Precision risk, accepted and documented: "J PUBLIC" is taken as mail to JOHN PUBLIC even
  when it is for JANE PUBLIC at the same address; the matcher knows only the subject's
  names, not the household's, so it cannot tell. Nicknames ("JACK" for JOHN) are not
  guessed: the request lists them as aliases.
* Middle names and generational suffixes may be missing on either side, but when both sides
  give one they must agree: JOHN Q PUBLIC is not JOHN R PUBLIC, and JOHN PUBLIC JR is not
  JOHN PUBLIC SR, who may well live at the same address.
* Order: "PUBLIC, JOHN Q" (a comma) is read surname first; without a comma both readings
  are tried ("PUBLIC JOHN Q" is JOHN Q PUBLIC). Titles (MR, MRS, DR) and credentials (ESQ,
  MD) are dropped; particles join the surname ("DE LA CRUZ" is DELACRUZ, so it matches
  DELACRUZ); "JOHN AND JANE PUBLIC" names both; a surname alone ("THE PUBLIC FAMILY",
  "CURRENT RESIDENT") names nobody in particular and matches no one.

Nothing here keeps what it is given: names read from mail that no order covers must leave
no trace (MC-NO-ORDER-NO-DATA), so there is no cache.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

SURNAME_MIN_SIMILARITY = 0.8
"""OSA similarity (1 - slips / length) a surname needs: one slip in 5 letters, two in 10.

A surname of 4 letters or fewer must be exact (one slip in ROE or DOE is another family);
members of a household share the surname, so forgiving it does not let their mail in."""

LONG_GIVEN_NAME = 6
"""Letters a given name needs (on the longer side) before one slip other than an OCR
confusion is forgiven."""

ENDING_LETTERS = 2
"""The last letters of a given name, where gendered and family variants differ (FRANCIS and
FRANCES, ANTONIO and ANTONIA, CHRISTIAN and CHRISTINA, DANIEL and DANIELA): never forgiven."""

# Glyphs an OCR engine reads for one another in upper-case print: digits for letters, and
# letters whose shapes differ by one stroke. Folded the same way on both sides.
_OCR_FOLD = str.maketrans({"0": "O", "Q": "O", "D": "O", "1": "I", "L": "I", "|": "I",
                           "5": "S", "8": "B", "6": "G", "2": "Z"})  # fmt: skip
_OCR_DIGITS = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "6": "G", "2": "Z"})

TITLES = frozenset(
    {
        "MR",
        "MRS",
        "MS",
        "MISS",
        "MX",
        "MESSRS",
        "DR",
        "REV",
        "FR",
        "PROF",
        "HON",
        "SIR",
        "DAME",
        "SGT",
        "CPL",
        "CAPT",
        "LT",
        "COL",
        "GEN",
    }
)
"""Words before a name that are not part of it (dropped only at the start of it)."""

CREDENTIALS = frozenset(
    {"ESQ", "ESQUIRE", "MD", "PHD", "DDS", "DMD", "DO", "JD", "CPA", "RN", "PE", "LLM"}
)
"""Words after a name that are not part of it: dropped only at its end, after two words."""

_LAW_TITLES = frozenset(
    {"ATTORNEY AT LAW", "ATTORNEYS AT LAW", "COUNSELOR AT LAW", "COUNSELLOR AT LAW"}
)
"""Whole comma-separated segments after a name that title a lawyer, not a surname-first."""


def _is_law_title(words: list[str]) -> bool:
    return " ".join(words) in _LAW_TITLES


GENERATIONS = {"JR": "JR", "JNR": "JR", "SR": "SR", "SNR": "SR", "II": "II", "2ND": "II",
               "III": "III", "3RD": "III", "IV": "IV", "4TH": "IV"}  # fmt: skip
"""Generational suffixes: they tell apart a father and a son at one address."""

PARTICLES = frozenset(
    {
        "DE",
        "DEL",
        "DELA",
        "DELLA",
        "DER",
        "DEN",
        "DI",
        "DA",
        "DOS",
        "DAS",
        "DU",
        "LA",
        "LE",
        "VAN",
        "VON",
        "TER",
        "ST",
    }
)
"""Words that begin a surname and are joined to it: DE LA CRUZ is DELACRUZ."""

NOBODY = frozenset({"THE", "FAMILY", "HOUSEHOLD", "RESIDENT", "RESIDENTS", "OCCUPANT", "CURRENT"})
"""Words that address a household, not a person."""

# "JOHN AND JANE PUBLIC", "JOHN PUBLIC OR CURRENT RESIDENT", "JOHN PUBLIC C/O JANE ROE".
_SPLIT_PEOPLE = re.compile(r"\s+(?:AND|&|OR)\s+|\s*\bC/O\b\s*|\bATTN:?\s*|\bATTENTION:?\s*")


@dataclass(frozen=True)
class PersonName:
    """One reading of a person's name, normalised: upper-case ASCII letters only.

    `given` may be an initial; `middles` may hold initials; `generation` is JR, SR, II, III,
    IV or "". A name with no given name ("PUBLIC") has `given` "" and matches nobody.
    """

    given: str
    surname: str
    middles: tuple[str, ...] = ()
    generation: str = ""


def readings(text: str, *, surname_first_too: bool = True) -> tuple[PersonName, ...]:
    """Every person a line may name, in every order it may be read.

    "PUBLIC, JOHN Q" has one reading; "JOHN Q PUBLIC" two (the second, surname first, is
    what a list printed "PUBLIC JOHN Q" means) unless `surname_first_too` is False, as for
    a name a request gives; "JOHN AND JANE PUBLIC" names two people.
    """
    found: list[PersonName] = []
    # A hyphen is read both ways: SLACK-SMITH as one surname, and JEAN-PAUL as two words
    # (so that JEAN PAUL SARTRE, written without it, is still the same person).
    spellings = [text.replace("-", ""), text.replace("-", " ")] if "-" in text else [text]
    for spelling in spellings:
        people = [p for p in _SPLIT_PEOPLE.split(_clean(spelling)) if p.strip(" ,")]
        surname = _shared_surname(people)
        for person in people:
            for reading in _readings_of_one(person, surname)[: None if surname_first_too else 1]:
                if reading not in found:
                    found.append(reading)
    return tuple(found)


def same_person(known: PersonName, seen: PersonName) -> bool:
    """Whether `seen` (read from a piece) may be `known`, by the rules in the module docstring."""
    if not (known.given and seen.given and known.surname and seen.surname):
        return False
    if known.generation and seen.generation and known.generation != seen.generation:
        return False
    if not _surnames_agree(known.surname, seen.surname):
        return False
    if not _givens_agree(known.given, seen.given):
        return False
    if known.middles and seen.middles:
        return _givens_agree(known.middles[0], seen.middles[0])
    return True


def names_anyone(known: Sequence[PersonName], lines: Iterable[str]) -> bool:
    """Whether any of the lines names any of the known people."""
    for line in lines:
        for seen in readings(line):
            if any(same_person(person, seen) for person in known):
                return True
    return False


# -- reading a name -------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Upper-case ASCII; periods and apostrophes out (J. -> J, O'BRIEN -> OBRIEN)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.upper().replace(".", " ").replace("'", "")
    return re.sub(r"[^A-Z0-9&/, ]+", " ", text)


def _tokens(text: str) -> tuple[list[list[str]], str]:
    """The comma-separated segments' name words, and the generation found in any of them."""
    generation = ""
    segments: list[list[str]] = []
    for segment in text.split(","):
        words: list[str] = []
        for raw in segment.split():
            if raw in GENERATIONS:
                generation = GENERATIONS[raw]
                continue
            word = raw.translate(_OCR_DIGITS)
            if word.isalpha() and not (word in TITLES and not words):
                words.append(word)
        while len(words) > 2 and words[-1] in CREDENTIALS:  # ANH DO: DO is the surname
            words.pop()
        if segments and words and (all(w in CREDENTIALS for w in words) or _is_law_title(words)):
            continue  # "JANE ROE, ESQ", "JANE ROE, ATTORNEY AT LAW": no surname-first comma
        if words:
            segments.append(words)
    return segments, generation


def _shared_surname(people: list[str]) -> str:
    """In "JOHN AND JANE PUBLIC" the first person's surname is the last person's."""
    if len(people) < 2:
        return ""
    segments, _ = _tokens(people[-1])
    return segments[-1][-1] if segments and len(segments[-1]) > 1 else ""


def _readings_of_one(text: str, shared_surname: str) -> list[PersonName]:
    segments, generation = _tokens(text)
    if not segments:
        return []
    if len(segments) >= 2:  # "PUBLIC, JOHN Q": the comma says which is the surname
        return [_person(segments[1], segments[0], generation)]
    words = segments[0]
    if any(word in NOBODY for word in words):
        return []
    if len(words) == 1:
        return [_person(words, [shared_surname], generation)] if shared_surname else []
    given, surname = _split_surname(words)
    found = [_person(given, surname, generation)]
    if len(given) >= 2:  # "JUL IAN RANGEL": a space an OCR engine put inside the given name
        found.append(_person([given[0] + given[1], *given[2:]], surname, generation))
    end = 1  # "PUBLIC JOHN Q"; "DE LA CRUZ JUAN": the particles lead the surname
    while end < len(words) - 1 and words[end - 1] in PARTICLES:
        end += 1
    found.append(_person(words[end:], words[:end], generation))
    return found


def _split_surname(words: list[str]) -> tuple[list[str], list[str]]:
    """The last word, with the particles before it, is the surname; one given word remains."""
    start = len(words) - 1
    while start > 1 and words[start - 1] in PARTICLES:
        start -= 1
    return words[:start], words[start:]


def _person(given: list[str], surname: list[str], generation: str) -> PersonName:
    first = given[0] if given else ""
    return PersonName(first, "".join(surname), tuple(given[1:]), generation)


# -- comparing ------------------------------------------------------------------------------


def _fold(word: str) -> str:
    return word.translate(_OCR_FOLD).replace("RN", "M").replace("VV", "W")


def _surnames_agree(known: str, seen: str) -> bool:
    a, b = _fold(known), _fold(seen)
    if a == b:
        return True
    # Folding RN to M would turn a swap (HEARN, HERAN) into two slips: compare unfolded too.
    similarity = max(OSA.normalized_similarity(a, b), OSA.normalized_similarity(known, seen))
    return similarity >= SURNAME_MIN_SIMILARITY


def _fold_given(word: str) -> str:
    # Given names fold digits only: one letter often is all that separates members of a
    # household (CLARA and CIARA, IAN and LAN, DANA and OANA), so a letter read for a
    # letter is another person here, not an OCR slip.
    return word.translate(_OCR_DIGITS)


def _givens_agree(known: str, seen: str) -> bool:
    if len(known) == 1 or len(seen) == 1:  # an initial stands for any name that starts with it
        return _fold_given(known[0]) == _fold_given(seen[0])
    a, b = _fold_given(known), _fold_given(seen)
    if a == b:
        return True
    if len(a) != len(b) or len(a) < LONG_GIVEN_NAME:
        return False  # a letter more or less is often another name: MARINA, MARIANA
    # One slip, never in the first letter (JAYDEN and HAYDEN) nor the last ones (FRANCIS and
    # FRANCES): those letters are kept whole on both sides, the slip lies between them.
    if a[0] != b[0] or a[-ENDING_LETTERS:] != b[-ENDING_LETTERS:]:
        return False
    return OSA.distance(a[1:-ENDING_LETTERS], b[1:-ENDING_LETTERS], score_cutoff=1) <= 1
