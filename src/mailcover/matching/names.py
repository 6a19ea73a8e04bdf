"""Whether a name read from a piece of mail names a known person (a subject or an attorney).

The delivery point is already matched when a name is compared, so the people a name must be
told apart from are mostly the others at the same address: a household that shares the
surname. MC-ALL-NAMES means that the error that matters is capturing their mail under a
scope of `addressee`; missing a piece is the lawful direction. The rules therefore differ by
part of the name:

* The surname is compared with an edit distance (rapidfuzz's optimal string alignment,
  which counts a swap of two letters as one slip): OCR errors and misspellings are forgiven
  in proportion to its length, and one slip of any kind in a surname of four letters
  (REID and RIED, RYAN and RYA); three letters or fewer must be exact (DOE is not ROE).
  Members of a household share it, so this costs nothing in telling them apart. Precision
  risk: two families at one delivery point whose members share a given name and whose
  surnames are a slip apart (JOHN REID and JOHN REED sharing a flat) are taken as one.
* The given name is where household members differ, often by one letter (FRANCIS and
  FRANCES, JOAN and JOHN, CLARA and CIARA) or by a gendered ending (DANIEL and DANIELA).
  The rule: a typo of the subject's given name is the subject; another given name is
  another person. A name read from a piece that is one slip from the subject's is weighed
  by the kind of slip (_slip_cost): glyphs an OCR engine reads for one another, after
  GeCo's and FEBRL's OCR tables (L and I, E and F, D and O, RN and M: OCR_COST), a
  neighbouring key or two letters swapped or a doubled letter (KEYBOARD_COST, SWAP_COST,
  DOUBLED_COST), any other letter wrong, more or less (1). A name of four letters or more
  may carry one slip (JOHM, JHON, JONH, CHRISTOHPER, KATHERIN, OSHUA); one of three only
  a light one (SHORT_GIVEN_NAME_BUDGET: TPM or TOMM for TOM, not TOMS or TAM); one of two
  none. The slip may be anywhere, first and last letters
  included. Then the register of real given names (`given_name_register`: the first
  names Faker ships, compiled from national registers, about 19,000) has its say: a
  reading that is itself another real given name is another person who may share the
  address (FRANCES, JOAN, MARINA, DANIELA, CIARA, LOUISE, JAYDEN for HAYDEN), and is
  refused, unless the two are one name spelt two ways: both listed for the same one sex,
  and the slip one that does not change how the name is said (two inner letters swapped:
  MICHEAL; a doubled letter written once: JENA; a final E after a consonant, in a name of
  five letters or more: KATHERIN). Precision risks, accepted and documented, in each
  direction: (1) a household member whose name is not on the register and is one slip
  from the subject's is taken for the subject (the register has the names of the United
  States' registers and of many other countries', not every name); (2) two same-sex
  spellings that sound the same but are two people at one address (ELISE and ELSIE,
  MARIA and MAIRA) are taken as one; (3) recall: a typo that happens to spell a rare
  real name (JOSUA for JOSHUA, CAILIN for CAITLIN) is refused, since the matcher cannot
  tell it from a person of that name.
  A given name written as an initial ("J Q PUBLIC") matches any given name with that initial.
  Precision risk, accepted and documented: "J PUBLIC" is taken as mail to JOHN PUBLIC even
  when it is for JANE PUBLIC at the same address; the matcher knows only the subject's
  names, not the household's, so it cannot tell. Nicknames ("JACK" for JOHN) are not
  guessed: the request lists them as aliases.
* Middle names and generational suffixes may be missing on either side, but when both sides
  give one they must agree: JOHN Q PUBLIC is not JOHN R PUBLIC, and JOHN PUBLIC JR is not
  JOHN PUBLIC SR, who may well live at the same address.
* Order: "PUBLIC, JOHN Q" (a comma) is read surname first; without a comma both readings
  are tried ("PUBLIC JOHN Q" is JOHN Q PUBLIC). Titles (MR, MRS, DR) at the start of a
  name are dropped also as an OCR engine reads them, with or without a period or a comma
  ("0R.", "M5", "MR5,": the word folded as a surname is); a given name that reads as a
  title (OR) is dropped with them, and the piece then names nobody. Generational
  suffixes are read through digits too (5R is SR). Credentials (ESQ,
  MD) are dropped; particles join the surname ("DE LA CRUZ" is DELACRUZ, so it matches
  DELACRUZ); "JOHN AND JANE PUBLIC" names both; a surname alone ("THE PUBLIC FAMILY",
  "CURRENT RESIDENT") names nobody in particular and matches no one.

Nothing here keeps what it is given: names read from mail that no order covers must leave
no trace (MC-NO-ORDER-NO-DATA), so there is no cache. The register of given names is
loaded once, at first use, from the installed Faker; it holds published lists only.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rapidfuzz.distance import OSA

from mailcover.postal.confusion import fold, folds

SURNAME_MIN_SIMILARITY = 0.8
"""OSA similarity (1 - slips / length) a surname needs: one slip in 5 letters, two in 10.

Shorter surnames: SHORT_SURNAME_LETTERS. Members of a household share the surname, so
forgiving it does not let their mail in."""

SHORT_SURNAME_LETTERS = 4
"""A surname of this many letters may carry one slip of any kind (RIED, RYA, DEBT for REID,
RYAN, DENT), though its similarity is under SURNAME_MIN_SIMILARITY; one of three letters or
fewer may not (DOE and ROE are two families)."""

OCR_COST = 0.5
"""Weight of glyphs an OCR engine reads for one another (L and I, E and F, D and O, RN and M,
after GeCo's and FEBRL's OCR variation tables): the commonest slip on printed mail."""

KEYBOARD_COST = 0.75
"""Weight of a letter typed for its neighbour on a QWERTY keyboard (JOHM for JOHN)."""

SWAP_COST = 0.75
"""Weight of two adjacent letters swapped (JHON, MICHEAL, CHRISTOHPER): a typing slip."""

DOUBLED_COST = 0.75
"""Weight of a doubled letter written once, or a letter written twice (HANAH, JENNA)."""

SHORT_GIVEN_NAME_BUDGET = 0.75
"""The slip a three-letter given name may carry: an OCR reading, a neighbouring key, a swap;
not a letter more, less or wholly different (IAN, JAN, DAN, ANN, AMY are all names). Two
letters carry none; four and more carry one slip of weight 1."""

VARIANT_MIN_LETTERS = 5
"""Letters the shorter of two listed names needs before a final E is a spelling (KATHERIN,
KATHERINE) rather than another name (DAN, DANE)."""

# Digits an OCR engine reads for letters (FEBRL's OCR rules): a digit in a name is always a
# misread letter. Surnames are folded with the whole table (postal/confusion.py).
_OCR_DIGITS = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "6": "G", "2": "Z", "4": "A"})
# Given names fold more letters still when weighing a slip (_slip_cost): E and F, J and I,
# U and V, C and G are read for one another too.
_OCR_FOLD_GIVEN = str.maketrans({"F": "E", "J": "I", "V": "U", "G": "C"})

_KEYBOARD_ROWS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")


def _keyboard_neighbours() -> dict[str, str]:
    """Each letter's neighbours on a QWERTY keyboard: beside it, and the keys touching it in
    the rows above and below (the rows are staggered by half a key)."""
    neighbours: dict[str, str] = {}
    for r, row in enumerate(_KEYBOARD_ROWS):
        for i, key in enumerate(row):
            near = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            if r > 0:
                near += [_KEYBOARD_ROWS[r - 1][j] for j in (i, i + 1)]
            if r < 2:
                near += [
                    _KEYBOARD_ROWS[r + 1][j]
                    for j in (i - 1, i)
                    if 0 <= j < len(_KEYBOARD_ROWS[r + 1])
                ]
            neighbours[key] = "".join(near)
    return neighbours


_KEYBOARD_NEIGHBOURS = _keyboard_neighbours()


# Titles as OCR reads them (0R and DR, M5, MR5): digits and the glyphs of O and I only, not
# the whole table, which would read a surname such as PR as FR (a title) and drop it.
_TITLE_FOLD = str.maketrans({"0": "O", "Q": "O", "D": "O", "1": "I", "L": "I", "|": "I",
                             "5": "S", "8": "B", "6": "G", "2": "Z"})  # fmt: skip


def _is_title(raw: str, word: str) -> bool:
    """A title as written (DR), read with a digit for a letter (0R, M5, MR5), or with RN for
    M (RNR, RNRS). A word of other letters only is a title only as written: IT is a surname,
    not LT misread."""
    if word in TITLES:
        return True
    if "RN" in raw or "VV" in raw:  # RNR, RNRS: two glyphs read for M, as no name is spelt
        return _title_fold(raw) in TITLES
    return any(c.isdigit() for c in raw) and _title_fold(raw) in _READ_AS_TITLES


def _title_fold(word: str) -> str:
    return word.translate(_TITLE_FOLD).replace("RN", "M").replace("VV", "W")


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

_READ_AS_TITLES = frozenset(map(_title_fold, TITLES))
"""The titles as an OCR engine may read them (0R and OR for DR, M5 for MS, MR5 for MRS)."""

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
    joined: bool = False
    """The surname is two words read as one (MCCART HY): an OCR engine's space drops no
    letter, so it must be the known surname once folded, with no slip."""


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


def same_person(known: PersonName, seen: PersonName, *, lenient: bool = False) -> bool:
    """Whether `seen` (read from a piece) may be `known`, by the rules in the module docstring.

    `lenient` is for excluding mail (MC-ATTORNEY): a given name one slip away is the known
    person even when the slip spells another real name (CIARA for CLARA), since there
    missing an exclusion is the unlawful direction."""
    if not (known.given and seen.given and known.surname and seen.surname):
        return False
    if known.generation and seen.generation and known.generation != seen.generation:
        return False
    if seen.joined and folds(known.surname).isdisjoint(folds(seen.surname)):
        return False  # JOHN ED MCCARTHY is not JOHN EDMCCARTHY one slip from MCCARTHY
    if not _surnames_agree(known.surname, seen.surname):
        return False
    if not _givens_agree(known.given, seen.given, lenient=lenient):
        return False
    if known.middles and seen.middles:
        return _givens_agree(known.middles[0], seen.middles[0], lenient=lenient)
    return True


def names_anyone(
    known: Sequence[PersonName], lines: Iterable[str], *, lenient: bool = False
) -> bool:
    """Whether any of the lines names any of the known people (`lenient`: see same_person)."""
    for line in lines:
        for seen in readings(line):
            if any(same_person(person, seen, lenient=lenient) for person in known):
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
            word = raw.translate(_OCR_DIGITS)
            if raw in GENERATIONS or word in GENERATIONS:  # 3RD as written, 5R as read (SR)
                generation = GENERATIONS.get(raw) or GENERATIONS[word]
                continue
            if word.isalpha() and not (not words and _is_title(raw, word)):
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
    # "JUL IAN RANGEL": a space an OCR engine put inside the given name. Not after an initial
    # or before one: JOHN R PUBLIC read as JOHNR, one letter from JOHN, would lose its middle.
    if _split_word(given):
        found.append(_person([given[0] + given[1], *given[2:]], surname, generation))
    # "JAKE MCCART HY", "COBY BRAIN E": the same space inside the surname. Not after an
    # initial: JOHN A DAMS may be John A. Dams, not John Adams.
    if len(given) >= 2 and len(given[-1]) > 1 and len(surname) == 1:
        joined = _person(given[:-1], [given[-1] + surname[0]], generation)
        found.append(replace(joined, joined=True))
    end = 1  # "PUBLIC JOHN Q"; "DE LA CRUZ JUAN": the particles lead the surname
    while end < len(words) - 1 and words[end - 1] in PARTICLES:
        end += 1
    found.append(_person(words[end:], words[:end], generation))
    if _split_word(words[end:]):  # "SPORN REEG AN", surname first
        rest = words[end:]
        found.append(_person([rest[0] + rest[1], *rest[2:]], words[:end], generation))
    return found


def _split_word(words: list[str]) -> bool:
    """Whether the first two words may be one an OCR engine split (JUL IAN): neither is an
    initial, which would be a middle name's (JOHN R PUBLIC is not JOHNR PUBLIC)."""
    return len(words) >= 2 and len(words[0]) > 1 and len(words[1]) > 1


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


def _surnames_agree(known: str, seen: str) -> bool:
    if not folds(known).isdisjoint(folds(seen)):
        return True
    a, b = fold(known), fold(seen)
    if len(known) == SHORT_SURNAME_LETTERS:  # REID and RIED, RYAN and RYA: one slip
        return _slip_cost(known, seen) is not None
    # Folding RN to M would turn a swap (HEARN, HERAN) into two slips: compare unfolded too.
    similarity = max(OSA.normalized_similarity(a, b), OSA.normalized_similarity(known, seen))
    return similarity >= SURNAME_MIN_SIMILARITY


def _fold_given(word: str) -> str:
    # Digits only: a digit in a given name is always a misread letter (J0HN). Letters read
    # for letters (CIARA for CLARA) are weighed in _slip_cost instead, where the register
    # of real names can still say that the reading is another person.
    return word.translate(_OCR_DIGITS)


def _givens_agree(known: str, seen: str, *, lenient: bool = False) -> bool:
    if len(known) == 1 or len(seen) == 1:  # an initial stands for any name that starts with it
        return _fold_given(known[0]) == _fold_given(seen[0])
    a, b = _fold_given(known), _fold_given(seen)
    if a == b:
        return True
    cost = _slip_cost(a, b)
    if cost is None or cost > _slip_budget(a):
        return False
    if lenient:
        return True
    # MC-ALL-NAMES: a slip that spells another real given name is another person (FRANCES
    # for FRANCIS, CIARA for CLARA), unless it is the same name spelt another way.
    return b not in given_name_register().names or _same_name_spelt_otherwise(a, b)


def _read_alike(word: str) -> str:
    return fold(word).translate(_OCR_FOLD_GIVEN)


def _slip_budget(known: str) -> float:
    """How much slip (in _slip_cost's units) a given name of this length may carry."""
    if len(known) <= 2:
        return 0.0
    return SHORT_GIVEN_NAME_BUDGET if len(known) == 3 else 1.0


def _slip_cost(a: str, b: str) -> float | None:
    """The weight of the one slip that turns `a` into `b`, or None when it takes more."""
    if abs(len(a) - len(b)) > 2:  # RN for M twice is the most an OCR reading changes
        return None
    cost = _typing_slip_cost(a, b)
    if (cost is None or cost > OCR_COST) and _read_alike(a) == _read_alike(b):
        return OCR_COST  # glyphs read for one another: CIARA, DANIEI, MARNIE for MAMIE
    return cost


def _typing_slip_cost(a: str, b: str) -> float | None:
    """The weight of one letter wrong, swapped, more or less, or None when it takes more."""
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            x, y = a[diffs[0]], b[diffs[0]]
            return KEYBOARD_COST if y in _KEYBOARD_NEIGHBOURS.get(x, "") else 1.0
        i = diffs[0] if diffs else 0
        if len(diffs) == 2 and diffs[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]:
            return SWAP_COST
        return None
    if abs(len(a) - len(b)) != 1:
        return None
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    i = next(
        (i for i, (x, y) in enumerate(zip(longer, shorter, strict=False)) if x != y), len(shorter)
    )
    if longer[:i] + longer[i + 1 :] != shorter:
        return None
    doubled = longer[i] in longer[max(i - 1, 0) : i] + longer[i + 1 : i + 2]
    return DOUBLED_COST if doubled else 1.0


_ONE_SOUND = ({"C", "K"}, {"I", "Y"})
"""Letters that spell one sound in a given name, after its first letter (NICOLE and NIKOLE).
S and Z are not among them: LISA and LIZA, SARA and ZARA are other names."""


def _said_alike_swapped(first: str, second: str) -> bool:
    """Whether two letters swapped leave the name said alike: two vowels (MICHEAL) or an H
    beside a vowel (JHON), not a consonant and a vowel (GRETA and GERTA are two names)."""
    vowels = "AEIOUY"
    return (first in vowels and second in vowels) or "H" in (first, second)


def _same_name_spelt_otherwise(known: str, seen: str) -> bool:
    """Whether two listed names one slip apart are one name spelt two ways.

    Both must be listed for the same one sex only, and the slip one that does not change how
    the name is said: two inner vowels swapped, or an H and a vowel (MICHEAL, JHON; not
    GRETA and GERTA), a doubled letter written
    once (JENA, ALISA, VANESA), a final E after a consonant (KATHERIN; in a name of
    VARIANT_MIN_LETTERS or more: DAN and DANE are two names), a silent H (JON, SARA,
    DEBORA; not one said, as in JOHANNA), an E dropped before the last consonant (CHARLS),
    or letters that are one sound after the first (C and K: NIKOLE, ERIK; I and Y).
    Precision risk: two people of one sex in one household whose names are said alike (a
    JOHN and a JON), taken for one.
    """
    register = given_name_register()
    sexes = [(n in register.male, n in register.female) for n in (known, seen)]
    if sexes[0] != sexes[1] or sexes[0][0] == sexes[0][1]:
        return False  # either sex, none, or not the same: FRANCIS and FRANCES, JOAN and JOHN
    if len(known) == len(seen):
        diffs = [i for i, (x, y) in enumerate(zip(known, seen, strict=True)) if x != y]
        if len(diffs) == 1 and diffs[0] > 0 and {known[diffs[0]], seen[diffs[0]]} in _ONE_SOUND:
            return True  # NIKOLE, ERIK; never the first letter (CARL and KARL, SARA and ZARA)
        return (
            len(diffs) == 2
            and 0 < diffs[0] == diffs[1] - 1 < len(known) - 2
            and known[diffs[0]] == seen[diffs[1]]
            and known[diffs[1]] == seen[diffs[0]]
            and _said_alike_swapped(known[diffs[0]], known[diffs[1]])
        )
    shorter, longer = sorted((known, seen), key=len)
    if len(longer) != len(shorter) + 1:
        return False
    if longer == shorter + "E":
        return len(shorter) >= VARIANT_MIN_LETTERS and shorter[-1] not in "AEIOUY"
    for i in range(1, len(longer)):
        if longer[:i] + longer[i + 1 :] != shorter:
            continue
        if longer[i] == "H" and (i == len(longer) - 1 or longer[i + 1] not in "AEIOUY"):
            return True  # a silent H: JOHN and JON, SARAH and SARA (not JOHANNA and JOANNA)
        if longer[i] == "E" and i == len(longer) - 2 and longer[i + 1] not in "AEIOUY":
            return True  # CHARLES and CHARLS: an E before the last consonant (not ELENA, ELNA)
    return any(
        longer[i] == longer[i - 1] and longer[:i] + longer[i + 1 :] == shorter
        for i in range(1, len(longer))
    )


# -- the register of real given names -------------------------------------------------------


@dataclass(frozen=True)
class GivenNameRegister:
    """Real given names, upper-case ASCII letters, and those listed as a man's or a woman's."""

    names: frozenset[str]
    male: frozenset[str]
    female: frozenset[str]


def _ascii_name(name: str) -> str:
    """The name in upper-case ASCII letters, or "" when its script is not the Latin one."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    letters = letters.replace("-", "").replace("'", "").replace(" ", "")
    return letters.upper() if letters.isascii() and letters.isalpha() else ""


@functools.cache
def given_name_register() -> GivenNameRegister:
    """The first names of every locale of Faker's person provider written in Latin letters.

    Loaded once, at first use (about half a second), and never changed: it holds published
    lists, nothing read from mail. Faker (already a dependency, for the demo's people) ships
    lists compiled from national registers: the United States' (the Social Security
    Administration's most popular names by decade, and a longer list of about 7,000), New
    Zealand's, Ireland's, and those of the other countries whose people write to and live
    in the United States. A provider that splits its names by sex says which are a man's
    and which a woman's; a name in both, or in neither, is of either sex.
    """
    import faker.providers.person as person  # half a second: at first use, not at import

    names: set[str] = set()
    by_sex: dict[str, set[str]] = {"first_names_male": set(), "first_names_female": set()}
    for module in pkgutil.iter_modules(person.__path__):
        provider = vars(importlib.import_module(f"{person.__name__}.{module.name}"))["Provider"]
        for attribute in ("first_names", *by_sex):
            listed = vars(provider).get(attribute)
            if not isinstance(listed, Iterable) or isinstance(listed, str):
                continue  # a property that joins the male and the female lists
            for name in map(_ascii_name, listed):
                if len(name) >= 2:
                    names.add(name)
                    by_sex.get(attribute, set()).add(name)
    return GivenNameRegister(
        frozenset(names),
        frozenset(by_sex["first_names_male"]),
        frozenset(by_sex["first_names_female"]),
    )
