"""What can be told of an address without labelling it: the cheap reading the matcher makes
of every text-only piece, whatever orders are in force (`precheck`).

A code `precheck` gives is an `AddressError` code that `postal.address.parse_lines` would
raise; None promises nothing (tests/postal/test_precheck.py holds both on many addresses).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from mailcover.postal.confusion import DIGIT_LIKE, DIGIT_OF, ocr_same
from mailcover.postal.pub28 import STATES
from mailcover.postal.zips import zip_list

_ZIP_LIKE = re.compile(
    rf"(?<![0-9A-Z])[{DIGIT_LIKE}]{{5}}(?:[ -]*[{DIGIT_LIKE}]{{4}})?(?![0-9A-Z])"
)
_ZIP_ENDS_LINE = re.compile(
    rf"(?<![0-9A-Z])([{DIGIT_LIKE}]{{5}})(?:[ -]*[{DIGIT_LIKE}]{{4}})?[ ,.;:/-]*$", re.MULTILINE
)
_STATE_BEFORE = re.compile(r"(?:^|[ ,])([A-Z0-9]{2})[ ,.]*$")
_CONTENT = re.compile(r"[^\s,.;:/-]")
_DIGIT = re.compile(r"\d")
NUMBER_WORDS = frozenset(
    {"ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN", "ELEVEN",
     "TWELVE", "TWENTY", "THIRTY", "FORTY", "FIFTY", "HUNDRED", "THOUSAND"}
)  # fmt: skip
"""House numbers written as words (ONE OAK ST): a house number holds a digit or one of these."""


_PRIMARY_WORDS = re.compile(
    r"\b(?:BOX|RR|HC|ROUTE|RFD|PSC|CMR|UNIT|USS|USNS|USCGC|STAR|"
    + "|".join(sorted(NUMBER_WORDS))
    + r")\b"
)


def precheck(lines: Sequence[str]) -> str | None:
    """The `AddressError` code `parse_lines` would raise that can be told without labelling
    the address (cheaply), or None. None does not promise that the address parses; a code
    promises that it does not (tests/postal/test_precheck.py holds both on many addresses).

    The matcher reads every text-only piece this far, whatever orders are in force, and parses
    only those that might be at a covered delivery point (matching/index.py), so what a
    sender is told about a piece's address never depends on coverage. Codes: "empty"; "no-zip"
    (no run of five characters, O, I and L read as digits, with three digits at least);
    "unknown-zip" (no such run is on the ZIP Code list); "zip-state-mismatch" (the state code
    before the last ZIP that ends a line is another state's, and not the ZIP's read through
    the OCR table); "no-street" (no digit outside that ZIP and no box, route or military
    word).
    """
    text = "\n".join(str(line) for line in lines)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.upper().replace("'", "")
    if not _CONTENT.search(text):
        return "empty"
    zips = zip_list()
    seen_one = False
    for ending in reversed(list(_ZIP_ENDS_LINE.finditer(text))):  # the last listed one
        written = ending.group(1)
        if not _mostly_digits(written):
            continue
        seen_one = True
        zip5 = written.translate(DIGIT_OF)
        if zip5 not in zips:
            continue
        at = ending.start()
        line_start = text.rfind("\n", 0, at) + 1
        before = _STATE_BEFORE.search(text, line_start, at)
        if before is not None and _plainly_the_last_line(text, line_start, ending.end()):
            state = before.group(1)
            if state in STATES.values() and not ocr_same(zips[zip5][0], state):
                return "zip-state-mismatch"
        return _street_or_not(text, at, ending.end())
    for run in _ZIP_LIKE.finditer(text):  # else a listed ZIP anywhere ("... 62704 USA")
        if _mostly_digits(run.group()[:5]):
            seen_one = True
            if run.group()[:5].translate(DIGIT_OF) in zips:
                return _street_or_not(text, run.start(), run.end())
    return "unknown-zip" if seen_one else "no-zip"


def _plainly_the_last_line(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is the address's last line beyond doubt (the last line, with
    one ZIP-like run in it), so that the parser reads its state and ZIP as the precheck does."""
    return not text[end:].strip(" \n,.;:/-") and len(_ZIP_LIKE.findall(text, start, end)) == 1


def _mostly_digits(run: str) -> bool:
    return sum(c.isdigit() for c in run) >= 3


def _street_or_not(text: str, start: int, end: int) -> str | None:
    """ "no-street" when the text holds no digit outside its ZIP Code (start:end) and no box,
    route or military word; else None."""
    if _DIGIT.search(text, 0, start) or _DIGIT.search(text, end):
        return None
    if _PRIMARY_WORDS.search(text[:start] + " " + text[end:]):
        return None
    return "no-street"
