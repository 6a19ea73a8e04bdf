"""How the matcher reads a subject for SVC-MATCHABLE (the rule is law/matchable.py's): the
address through the parser the matcher uses, the names through its name reader. Pure: no
Django, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailcover.law import matchable as rule
from mailcover.law.errors import Violation
from mailcover.matching.names import readings
from mailcover.postal.address import AddressError, parse

RULE = rule.RULE


def names_nobody(name: str) -> bool:
    """Whether a name, as a request gives it, has no reading with a given name (or its
    initial) and a surname: then no piece of mail can be compared with it."""
    return not any(r.given and r.surname for r in readings(name, surname_first_too=False))


class _MatcherReader:
    def address_error(self, address: str) -> tuple[str, str] | None:
        try:
            parse(address)
        except AddressError as error:
            return error.code, str(error)
        return None

    def names_nobody(self, name: str) -> bool:
        return names_nobody(name)


READER = _MatcherReader()


def address_problem(address: str) -> str | None:
    """law.matchable.address_problem, read by the matcher."""
    return rule.address_problem(address, READER)


def check_matchable(name: str, aliases: Sequence[str], address: str) -> list[Violation]:
    """law.matchable.check_matchable, read by the matcher."""
    return rule.check_matchable(name, aliases, address, READER)


# Which part of an address, as a form asks for it, an AddressError code is about.
_PART_OF_CODE = {
    "no-zip": "zip",
    "bad-zip": "zip",
    "unknown-zip": "zip",
    "unknown-state": "state",
    "zip-state-mismatch": "state",
}


def address_part_at_fault(address: str) -> str | None:
    """The part of the address (`street`, `state` or `zip`) a form should show the problem
    next to, or None when the matcher can read it. Everything but the last line is `street`."""
    error = READER.address_error(address)
    return None if error is None else _PART_OF_CODE.get(error[0], "street")
