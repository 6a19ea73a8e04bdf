"""Power over cases takes two people (SEC-TWO-PERSON).

A change that gives or takes power over cases (a role, a written delegation, a
nondisclosure acknowledgment, the verification of an agency) is proposed by one person and
takes effect only when a second, authorised person confirms it. Nobody confirms their own
proposal or a change to their own power. Who confirms what:

- the Chief Postal Inspector (the `chief` role): the requester, inspector, approver, chief,
  operator and admin roles (an operator can plant mail pieces, an admin can make accounts),
  delegations, acknowledgments and the verification of an agency;
- the head of oversight (`oversight_head`, held only at an oversight body): the oversight
  roles and the acknowledgments of the people of an oversight body. A head of oversight is
  confirmed by another head of oversight; the first is made on the server's own shell.

The rules that depend on the state of the world (role-agency binding, designee limits, no
back-dated delegation) are checked again at the moment of confirmation, on every path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from mailcover.law import authority
from mailcover.law.errors import Violation
from mailcover.law.roles import check_role_agency
from mailcover.law.terms import REQUESTING_LEVELS, AgencyLevel, DelegationScope, Policy, Role

RULE = "SEC-TWO-PERSON"


class ChangeKind(StrEnum):
    GRANT_ROLE = "grant_role"
    REVOKE_ROLE = "revoke_role"
    RECORD_DELEGATION = "record_delegation"
    REVOKE_DELEGATION = "revoke_delegation"
    RECORD_ACKNOWLEDGMENT = "record_acknowledgment"
    VERIFY_AGENCY = "verify_agency"


OVERSIGHT_SIDE = frozenset({Role.OVERSIGHT, Role.OVERSIGHT_HEAD})
CONFIRMING_ROLES = frozenset({Role.CHIEF, Role.OVERSIGHT_HEAD})
_CONFIRMER_NAMES = {
    Role.CHIEF: "the Chief Postal Inspector (the chief role)",
    Role.OVERSIGHT_HEAD: "the head of oversight (the oversight_head role)",
}


@dataclass(frozen=True)
class Change:
    """What is proposed, as far as deciding who may propose and confirm it goes."""

    kind: ChangeKind
    account_id: int | None  # whose power changes; None for an agency's verification
    role: Role | None = None  # for GRANT_ROLE and REVOKE_ROLE
    at_oversight_body: bool = False  # the account is a person of an oversight body
    # Who is behind the accounts: one person with two accounts is still one person.
    account_email: str = ""
    proposer_email: str = ""


@dataclass(frozen=True)
class Person:
    """Who proposes or confirms: their id and the roles in force for them."""

    user_id: int
    roles: frozenset[Role]
    email: str = ""


def confirming_role(change: Change) -> Role:
    """Who confirms this kind of change: the head of oversight for oversight's own people,
    the chief for everything else."""
    roles = (ChangeKind.GRANT_ROLE, ChangeKind.REVOKE_ROLE)
    if change.kind in roles and change.role in OVERSIGHT_SIDE:
        return Role.OVERSIGHT_HEAD
    if change.kind is ChangeKind.RECORD_ACKNOWLEDGMENT and change.at_oversight_body:
        return Role.OVERSIGHT_HEAD
    return Role.CHIEF


def check_proposer(proposer: Person, change: Change) -> list[Violation]:
    """SEC-TWO-PERSON: a change is proposed by an admin, or by someone who may confirm it."""
    if Role.ADMIN in proposer.roles or confirming_role(change) in proposer.roles:
        return []
    return [
        Violation(
            RULE,
            None,
            "changes to power over cases are proposed by an admin or by "
            f"{_CONFIRMER_NAMES[confirming_role(change)]}",
        )
    ]


def check_confirmer(confirmer: Person, proposer_id: int, change: Change) -> list[Violation]:
    """SEC-TWO-PERSON: confirmed by the authorised person for its kind, who neither proposed
    it nor gains or loses power by it."""
    found = []
    needed = confirming_role(change)
    if needed not in confirmer.roles:
        found.append(Violation(RULE, None, f"only {_CONFIRMER_NAMES[needed]} confirms this change"))
    if confirmer.user_id == proposer_id:
        found.append(
            Violation(RULE, None, "you proposed this change; a second person must confirm it")
        )
    if _same_person(confirmer.email, change.proposer_email):
        found.append(
            Violation(
                RULE,
                None,
                "this change was proposed from an account with your e-mail address; a "
                "second person must confirm it",
            )
        )
    if _same_person(confirmer.email, change.account_email):
        found.append(
            Violation(
                RULE,
                None,
                "this change is to an account with your e-mail address; another person must "
                "confirm it",
            )
        )
    if change.account_id is not None and confirmer.user_id == change.account_id:
        found.append(
            Violation(
                RULE, None, "this change is to your own power; another person must confirm it"
            )
        )
    return found


def _same_person(first: str, second: str) -> bool:
    """Two accounts with one e-mail address are one person's (addresses compare without
    case or surrounding space); an account without an address proves nothing either way."""
    return bool(first.strip()) and first.strip().casefold() == second.strip().casefold()


@dataclass(frozen=True)
class Account:
    """The person whose power changes, as they stand at the moment of confirmation."""

    user_id: int
    active: bool
    roles: frozenset[Role]  # as stored
    agency_level: AgencyLevel | None
    agency_verified: bool


def _inactive(account: Account) -> list[Violation]:
    if account.active:
        return []
    return [Violation(RULE, "account", "the account is deactivated; power is not given to it")]


def check_role_grant(account: Account, role: Role) -> list[Violation]:
    """SEC-ROLE-AGENCY applies to the roles the person would hold after the grant."""
    if role in account.roles:
        return [Violation(RULE, "role", f"the account already holds the {role.value} role")]
    return [
        *_inactive(account),
        *check_role_agency([role], account.agency_level, account.agency_verified),
    ]


def check_role_revocation(account: Account, role: Role) -> list[Violation]:
    if role not in account.roles:
        return [Violation(RULE, "role", f"the account does not hold the {role.value} role")]
    return []


def _designees_at_every_start(
    existing: list[authority.Delegation], new: authority.Delegation, policy: Policy
) -> list[Violation]:
    """(d)(2): the limit holds at every moment the new delegation is in force, so it is
    counted when it starts and whenever a delegation already recorded starts within it."""
    moments = sorted(
        {new.valid_from} | {d.valid_from for d in existing if new.in_force(d.valid_from)}
    )
    for moment in moments:
        refused = authority.check_designee_limits(existing, new, moment, policy)
        if refused:
            return refused
    return []


def check_delegation(
    account: Account,
    new: authority.Delegation,
    existing: Iterable[authority.Delegation],
    now: datetime,
    policy: Policy,
) -> list[Violation]:
    """MC-AUTHORITY: a written delegation for an approver or the chief, in force no earlier
    than the moment it is confirmed (no back-dating), within the designee limits."""
    found = _inactive(account)
    if not account.roles & {Role.APPROVER, Role.CHIEF}:
        found.append(
            Violation(
                "MC-AUTHORITY", "account", "a delegation is recorded for an approver or the chief"
            )
        )
    if new.scope is DelegationScope.CHIEF and Role.CHIEF not in account.roles:
        found.append(
            Violation(
                "MC-AUTHORITY", "scope", "the Chief Postal Inspector's delegation is for the chief"
            )
        )
    if new.valid_from < now:
        found.append(
            Violation(
                "MC-AUTHORITY",
                "valid_from",
                "a delegation takes effect no earlier than its confirmation; it cannot be "
                "back-dated",
            )
        )
    if new.valid_until is not None and new.valid_until <= max(new.valid_from, now):
        found.append(
            Violation("MC-AUTHORITY", "valid_until", "the delegation would never be in force")
        )
    if not new.reference.strip():
        found.append(Violation("MC-AUTHORITY", "reference", "name the written delegation"))
    if found:
        return found
    return _designees_at_every_start(list(existing), new, policy)


def check_delegation_revocation(delegation: authority.Delegation, now: datetime) -> list[Violation]:
    if delegation.revoked_at is not None or (
        delegation.valid_until is not None and delegation.valid_until <= now
    ):
        return [Violation(RULE, "delegation", "the delegation is no longer in force")]
    return []


def check_acknowledgment(account: Account, signed_on: date, today: date) -> list[Violation]:
    """MC-NONDISCLOSURE: an acknowledgment is on file from the day it was signed, never a
    day to come."""
    if signed_on > today:
        return [
            Violation(
                "MC-NONDISCLOSURE", "signed_on", "an acknowledgment cannot be signed in the future"
            )
        ]
    return _inactive(account)


def check_agency_verification(
    level: AgencyLevel, already_verified: bool, reference: str
) -> list[Violation]:
    """RR-VERIFIED: only a law-enforcement agency is verified, once, under a reference."""
    found = []
    if level not in REQUESTING_LEVELS:
        found.append(
            Violation("RR-VERIFIED", "agency", f"an agency of level {level.value} requests nothing")
        )
    if already_verified:
        found.append(Violation("RR-VERIFIED", "agency", "the agency is already verified"))
    if not reference.strip():
        found.append(
            Violation("RR-VERIFIED", "reference", "name the reference of the verification")
        )
    return found


def takes_part(roles: Iterable[Role]) -> bool:
    """Who sees the proposed changes: those who propose (admins) and who confirm them."""
    return bool(set(roles) & ({Role.ADMIN} | CONFIRMING_ROLES))
