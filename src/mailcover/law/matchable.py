"""SVC-MATCHABLE: whether the matcher can use a subject at all, asked when a request is filed.

An order is only as good as the subject it names. The matcher finds a piece by its delivery
point (a house number or box, and a ZIP Code) and then by the subject's names. A subject
address it cannot read ("the blue house behind the old mill, Springfield") or a name that
reads as nobody ("J JR.", "THE PUBLIC FAMILY") leaves an approved order in force that can
capture nothing, and says so only in a server log. This rule refuses such a subject at
filing, naming the field, in the words the address parser and the name reader give.

Every scope needs a readable address. Every name and alias needs a given name (or its
initial) and a surname, under every scope: under `delivery_point` the names do not decide
what is captured, but the order is still on a named subject (MC-WRITTEN), the matcher
refuses an order whose names name nobody, and an alias that names nobody is a mistake the
requester can fix now, not one to discover later.

Blank names and addresses are MC-WRITTEN's to refuse; this rule says nothing about them, so
that one mistake gives one message. The reading itself is the matcher's (`Reader`, given by
`matching.matchable.READER`): this module decides, it does not parse.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from mailcover.law.errors import Violation

RULE = "SVC-MATCHABLE"


class Reader(Protocol):
    """How the matcher reads a subject: the parser's refusal of an address (its code and
    message), and whether a name has no reading with a given name and a surname."""

    def address_error(self, address: str) -> tuple[str, str] | None: ...

    def names_nobody(self, name: str) -> bool: ...


_ADDRESS_HELP = {
    "no-zip": "add the ZIP Code",
    "bad-zip": "write the ZIP Code as 5 digits, or ZIP+4",
    "unknown-zip": "check the ZIP Code",
    "unknown-state": "check the state",
    "zip-state-mismatch": "check the ZIP Code and the state",
    "no-street": "give the house number and street, a PO box or a rural route",
    "intersection": "give the house number and street, not a corner",
    "unparseable": "write it as on an envelope: number and street, city, state, ZIP Code",
}


def address_problem(address: str, reader: Reader) -> str | None:
    """Why the matcher cannot find mail at this address, or None when it can (or when it is
    blank: MC-WRITTEN's to refuse)."""
    if not address.strip():
        return None
    error = reader.address_error(address)
    if error is None:
        return None
    code, message = error
    advice = _ADDRESS_HELP.get(code, "write it as on an envelope")
    return f"the mail stream cannot be matched against this address: {message} ({advice})"


def _name_message(name: str) -> str:
    return (
        f"{name.strip()!r} names nobody the matcher can compare mail with: give a given name "
        "(or its initial) and a surname, as on the mail, e.g. JOHN Q PUBLIC or J PUBLIC"
    )


def check_matchable(
    name: str, aliases: Sequence[str], address: str, reader: Reader
) -> list[Violation]:
    """SVC-MATCHABLE: every problem with the subject's address, name and aliases, each with
    its field (`subject.address`, `subject.name`, `subject.aliases[i]`)."""
    found: list[Violation] = []
    problem = address_problem(address, reader)
    if problem is not None:
        found.append(Violation(RULE, "subject.address", problem))
    if name.strip() and reader.names_nobody(name):
        found.append(Violation(RULE, "subject.name", _name_message(name)))
    for i, alias in enumerate(aliases):
        if alias.strip() and reader.names_nobody(alias):
            found.append(Violation(RULE, f"subject.aliases[{i}]", _name_message(alias)))
    return found
