"""The ZIP Code list: each ZIP's state and the city names the Postal Service accepts for it,
from the list inside the `zipcodes` wheel (no download at run time), read once.

It knows the military ZIPs of AA, AE and AP, and the territories. A ZIP it lists as no
longer active is still known: mail and old records carry them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

import zipcodes

from mailcover.postal.confusion import DIGIT_OF


def _spaced(text: str) -> str:
    """One space between words, no stray commas."""
    return " ".join(text.replace(",", " ").split())


@cache
def zip_list() -> dict[str, tuple[str, frozenset[str], str]]:
    """ZIP5 -> (state, city names, the main city name), from the list in the `zipcodes`
    wheel, read once.

    `zipcodes.matching` scans the whole list (~42,000 ZIPs) on every call: far too slow here.
    """
    return {
        str(row["zip_code"]): (
            str(row["state"]),
            frozenset(_spaced(str(c)).upper() for c in [row["city"], *row["acceptable_cities"]]),
            _spaced(str(row["city"])).upper(),
        )
        # zipcodes 3 ships py.typed but leaves list_all unannotated; it returns list[dict].
        for row in zipcodes.list_all()  # type: ignore[no-untyped-call]
    }


def zip_state(zip5: str) -> str | None:
    """The ZIP's state code, or None for a ZIP not on the list."""
    known = zip_list().get(zip5)
    return known[0] if known else None


def zip_cities(zip5: str) -> frozenset[str]:
    """Every city name the ZIP accepts, upper case; empty for a ZIP not on the list."""
    known = zip_list().get(zip5)
    return known[1] if known else frozenset()


# -- ZIP Codes in text, cheaply -------------------------------------------------------------

_DIGIT_RUN = re.compile(r"\d{5,}")
_OCR_ZIP_DIGITS = DIGIT_OF
_DIGIT_RUN_BYTES = re.compile(rb"[0-9]{5,}")
_OCR_LETTERS = "".join(chr(c) for c in DIGIT_OF)
_OCR_ZIP_BYTES = bytes.maketrans(
    (_OCR_LETTERS + _OCR_LETTERS.lower()).encode(),
    ("".join(chr(d) for d in DIGIT_OF.values()) * 2).encode(),
)  # DIGIT_OF for bytes, in either case (the text is not upper-cased first)


def zip5_candidates(lines: Iterable[str]) -> frozenset[str]:
    """Every 5-digit run the address parser could read as the ZIP Code, and some it would not.

    A superset, so that dropping text whose candidates are all unindexed never drops a piece
    the parser would have placed at an indexed delivery point: it reads O, I and L as digits
    everywhere (postal.address does so only in a ZIP-like run) and takes every five digits in
    a longer run (a ZIP+4 written without its hyphen, or glued to the state).
    """
    text = "\n".join(lines)
    if text.isascii():  # most of the stream: one pass in bytes (both cases, ' dropped)
        found_runs = _DIGIT_RUN_BYTES.findall(text.encode().translate(_OCR_ZIP_BYTES, b"'"))
        runs = [run.decode() for run in found_runs]
    else:
        text = unicodedata.normalize("NFKD", text)
        runs = _DIGIT_RUN.findall(text.upper().replace("'", "").translate(_OCR_ZIP_DIGITS))
    found = {run for run in runs if len(run) == 5}
    for run in runs:
        if len(run) > 5:
            found.update(run[i : i + 5] for i in range(len(run) - 4))
    return frozenset(found)
