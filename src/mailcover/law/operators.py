"""SEC-OPERATOR: the operator feeds the mail stream and learns nothing of coverage.

An operator account is bound to the facilities it feeds: a piece it sends from any other
facility is refused (the rest of its batch goes on), so one stolen or misused operator
account cannot plant pieces "scanned" anywhere in the country. What the operator is told
about a batch depends on the batch alone (`OPERATOR_ANSWER`), never on which orders are in
force: a count of matches or attorney exclusions would confirm that an address is under
cover and that a return address is the subject's attorney's.
"""

from __future__ import annotations

from collections.abc import Iterable

from mailcover.law.errors import Violation
from mailcover.law.terms import Role

# The only fields of the answer to a batch: both depend on the batch alone.
OPERATOR_ANSWER = ("received", "rejected")


def facility_key(name: str) -> str:
    """A facility's name as it is compared: capitals, single spaces."""
    return " ".join(name.upper().split())


def check_bindable(roles: Iterable[Role]) -> list[Violation]:
    """Only an operator account is bound to facilities: the binding is what lets it feed."""
    if Role.OPERATOR in frozenset(roles):
        return []
    return [
        Violation(
            "SEC-OPERATOR",
            "operator",
            "only an account with the operator role is bound to the facilities it feeds",
        )
    ]


def check_facility_name(name: str) -> list[Violation]:
    if not facility_key(name):
        return [Violation("SEC-OPERATOR", "facility", "the facility's name is empty")]
    if len(name) > 200:
        return [
            Violation("SEC-OPERATOR", "facility", "a facility's name is at most 200 characters")
        ]
    return []


class BoundFacilities(frozenset[str]):
    """The facilities an account is bound to, as compared (`facility_key`): made once per
    feed by `bound_facilities`, so that each piece costs one look-up, not one per facility."""


def bound_facilities(names: Iterable[str]) -> BoundFacilities:
    return BoundFacilities(facility_key(name) for name in names)


def check_feed_facility(facility: str, bound: Iterable[str]) -> list[Violation]:
    """A piece is taken from an operator only when scanned at a facility it is bound to.
    The message quotes nothing of the piece (it may be anyone's mail)."""
    keys = bound if isinstance(bound, BoundFacilities) else bound_facilities(bound)
    if facility_key(facility) in keys:
        return []
    return [
        Violation(
            "SEC-OPERATOR",
            "facility",
            "the piece's facility is not one this operator account is bound to feed; an "
            "account administrator binds an account to its facilities",
        )
    ]
