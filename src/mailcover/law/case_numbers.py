"""MC-UNIQUE: every request and order has its own case number, never reused."""

from __future__ import annotations

import re

# Only the canonical spelling that case_number() writes is a case number: a year from
# 0001, a zero-padded six-digit sequence from 000001 (or a longer one without a leading
# zero) and an extension ordinal without a leading zero. Otherwise "MC-2024-0000001" and
# "MC-2024-000001" would both pass as numbers for one case (MC-UNIQUE). fullmatch, not
# match: "$" also matches before a trailing newline.
_CASE = re.compile(
    r"MC-(?P<year>(?!0000)\d{4})-(?P<seq>(?!000000)\d{6}|[1-9]\d{6,})(?:-E(?P<ext>[1-9]\d*))?"
)


def case_number(year: int, sequence: int) -> str:
    """The case number of a new request: the year it was filed and a sequence number."""
    if sequence < 1:
        raise ValueError("case sequence numbers start at 1")
    if not 1 <= year <= 9999:
        # A year of other than four digits would give a number is_case_number rejects.
        raise ValueError(f"a case number's year has four digits; {year} does not")
    return f"MC-{year:04d}-{sequence:06d}"


def extension_case_number(base: str, extension: int) -> str:
    """An extension request's number: its order's case number and the extension's ordinal."""
    if extension < 1 or not is_case_number(base) or "-E" in base:
        raise ValueError(f"cannot number extension {extension} of {base!r}")
    return f"{base}-E{extension}"


def is_case_number(text: str) -> bool:
    return _CASE.fullmatch(text) is not None
