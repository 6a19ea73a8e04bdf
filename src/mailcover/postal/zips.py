"""The ZIP Code list: each ZIP's state and the city names the Postal Service accepts for it,
from the list inside the `zipcodes` wheel (no download at run time), read once.

It knows the military ZIPs of AA, AE and AP, and the territories. A ZIP it lists as no
longer active is still known: mail and old records carry them.
"""

from __future__ import annotations

from functools import cache

import zipcodes


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
