"""Proposing, confirming and refusing changes to power over cases (SEC-TWO-PERSON).

The pages, the API and the admin's links all come here; the rules are in law.grants and
law.roles. A confirmation applies the change in the same transaction as the confirmation
itself, after locking the proposal (it is confirmed once) and the rows the rules count
(the account, the delegations), and re-checking every rule at that moment.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction

from mailcover.accounts import resets
from mailcover.accounts.models import (
    AccountChange,
    Agency,
    Delegation,
    NondisclosureAcknowledgment,
    User,
    lock_delegations,
)
from mailcover.law import authority, grants
from mailcover.law.errors import RuleBroken, Violation, refuse_if
from mailcover.law.grants import ChangeKind
from mailcover.law.terms import AgencyLevel, DelegationScope, Policy, Role
from mailcover.ledger import log as ledger
from mailcover.ledger.entries import format_time
from mailcover.ledger.events import EventName

RULE = grants.RULE


class NotAllowed(RuleBroken):
    """The person may not propose, confirm or refuse this change (HTTP 403)."""


class NoSuchChange(LookupError):
    """No proposal with that number (HTTP 404)."""


@dataclass
class Proposal:
    """A change as a person proposes it; which fields it needs depends on its kind."""

    kind: ChangeKind
    account: User | None = None
    role: Role | None = None
    agency: Agency | None = None
    reference: str = ""
    scope: DelegationScope | None = None
    group: str = ""
    valid_from: datetime | None = None  # None: from the moment it is confirmed
    valid_until: datetime | None = None
    delegation: Delegation | None = None
    signed_on: date | None = None


WHAT: dict[ChangeKind, str] = {
    ChangeKind.GRANT_ROLE: "grant a role",
    ChangeKind.REVOKE_ROLE: "take a role away",
    ChangeKind.RECORD_DELEGATION: "record a written delegation",
    ChangeKind.REVOKE_DELEGATION: "revoke a delegation",
    ChangeKind.RECORD_ACKNOWLEDGMENT: "record a nondisclosure acknowledgment",
    ChangeKind.VERIFY_AGENCY: "verify an agency",
}

_NEEDS: dict[ChangeKind, tuple[str, ...]] = {
    ChangeKind.GRANT_ROLE: ("account", "role"),
    ChangeKind.REVOKE_ROLE: ("account", "role"),
    ChangeKind.RECORD_DELEGATION: ("account", "reference", "scope"),
    ChangeKind.REVOKE_DELEGATION: ("delegation",),
    ChangeKind.RECORD_ACKNOWLEDGMENT: ("account", "signed_on"),
    ChangeKind.VERIFY_AGENCY: ("agency", "reference"),
}


def person(user: User) -> grants.Person:
    """Who acts, with the roles in force for them (none once deactivated)."""
    return grants.Person(
        user.pk, user.role_set if user.is_active else frozenset(), email=user.email
    )


def law_change(change: AccountChange) -> grants.Change:
    account = change.account
    if change.change_kind is ChangeKind.REVOKE_DELEGATION and change.delegation is not None:
        account = change.delegation.holder
    agency = account.agency if account is not None else None
    return grants.Change(
        kind=change.change_kind,
        account_id=account.pk if account is not None else None,
        role=Role(change.role) if change.role else None,
        at_oversight_body=agency is not None and agency.agency_level is AgencyLevel.OVERSIGHT,
        account_email=account.email if account is not None else "",
        proposer_email=change.proposed_by.email,
    )


_ALSO: dict[ChangeKind, tuple[str, ...]] = {
    ChangeKind.RECORD_DELEGATION: ("group", "valid_from", "valid_until"),
}
_FIELDS: tuple[str, ...] = ("account", "role", "agency", "reference", "scope", "group")
_FIELDS += ("valid_from", "valid_until", "delegation", "signed_on")


def _not_applying(proposal: Proposal) -> list[Violation]:
    applying = set(_NEEDS[proposal.kind]) | set(_ALSO.get(proposal.kind, ()))
    return [
        Violation(RULE, name, f"{name.replace('_', ' ')} does not apply to {WHAT[proposal.kind]}")
        for name in _FIELDS
        if name not in applying and getattr(proposal, name) not in (None, "")
    ]


def _missing(proposal: Proposal) -> list[Violation]:
    return [
        *_not_applying(proposal),
        *[
            Violation(RULE, name, f"{name.replace('_', ' ')} is required to {WHAT[proposal.kind]}")
            for name in _NEEDS[proposal.kind]
            if getattr(proposal, name) in (None, "")
        ],
    ]


def propose(actor: User, proposal: Proposal, now: datetime, policy: Policy) -> AccountChange:
    """Record a proposal; it changes nothing until a second person confirms it."""
    refuse_if(_missing(proposal))
    change = AccountChange(
        kind=proposal.kind.value,
        account=proposal.delegation.holder if proposal.delegation else proposal.account,
        agency=proposal.agency,
        role=proposal.role.value if proposal.role else "",
        reference=proposal.reference.strip(),
        scope=proposal.scope.value if proposal.scope else "",
        group=proposal.group.strip(),
        valid_from=proposal.valid_from,
        valid_until=proposal.valid_until,
        delegation=proposal.delegation,
        signed_on=proposal.signed_on,
        proposed_by=actor,
        proposed_at=now,
    )
    denied = grants.check_proposer(person(actor), law_change(change))
    if denied:
        raise NotAllowed(denied)
    # What can be known now is checked now; everything again at the confirmation.
    refuse_if(_check_application(change, now, policy))
    with transaction.atomic():
        change.save()
        ledger.record(
            actor, EventName.ACCOUNT_CHANGE_PROPOSED, now, refs=_refs(change), **_values(change)
        )
    return change


def _pending(change_id: int) -> AccountChange:
    found = (
        AccountChange.objects.select_for_update(of=("self",))
        .select_related("account__agency", "delegation__holder__agency", "agency", "proposed_by")
        .filter(pk=change_id)
        .first()
    )
    if found is None:
        raise NoSuchChange(f"there is no proposed change {change_id}")
    if not found.pending:
        raise RuleBroken([Violation(RULE, None, f"this change was already {found.outcome}")])
    return found


@transaction.atomic
def confirm(
    actor: User, change_id: int, now: datetime, policy: Policy, base_url: str = ""
) -> AccountChange:
    """The second person confirms: every rule is checked again now, and the change applies.
    `base_url` is the service's address as people reach it, for a link the change sends."""
    change = _pending(change_id)
    denied = grants.check_confirmer(person(actor), change.proposed_by_id, law_change(change))
    if denied:
        raise NotAllowed(denied)
    refuse_if(_check_application(change, now, policy, lock=True))
    _apply(change, actor, now, base_url)
    change.decided_by, change.decided_at, change.outcome = actor, now, AccountChange.CONFIRMED
    change.save(update_fields=["decided_by", "decided_at", "outcome"])
    ledger.record(
        actor, EventName.ACCOUNT_CHANGE_CONFIRMED, now, refs=_refs(change), **_values(change)
    )
    return change


@transaction.atomic
def refuse(actor: User, change_id: int, reason: str, now: datetime) -> AccountChange:
    """Whoever may confirm a change may refuse it, and its proposer may withdraw it."""
    change = _pending(change_id)
    needed = grants.confirming_role(law_change(change))
    if actor.pk != change.proposed_by_id and needed not in person(actor).roles:
        raise NotAllowed(
            [Violation(RULE, None, "only its proposer or the person who confirms it refuses it")]
        )
    if not reason.strip():
        raise RuleBroken([Violation(RULE, "reason", "say why the change is refused")])
    change.decided_by, change.decided_at, change.outcome = actor, now, AccountChange.REFUSED
    change.refusal_reason = reason.strip()
    change.save(update_fields=["decided_by", "decided_at", "outcome", "refusal_reason"])
    # The reason is free text: the ledger keeps its digest, the proposal keeps the words.
    ledger.record(
        actor,
        EventName.ACCOUNT_CHANGE_REFUSED,
        now,
        refs=_refs(change),
        reason_sha256=hashlib.sha256(change.refusal_reason.encode()).hexdigest(),
    )
    return change


def _account(user: User, lock: bool) -> grants.Account:
    # Read afresh: the rules are about the account and its agency as they stand now.
    found = User.objects.select_for_update(of=("self",)) if lock else User.objects.all()
    user = found.select_related("agency").get(pk=user.pk)
    agency = user.agency
    return grants.Account(
        user_id=user.pk,
        active=user.is_active,
        roles=user.stored_roles,
        agency_level=agency.agency_level if agency is not None else None,
        agency_verified=agency is not None and agency.verified_at is not None,
    )


def _new_delegation(change: AccountChange, now: datetime) -> authority.Delegation:
    group = change.group
    if change.scope == DelegationScope.OSG_DESIGNEE and not group and change.account:
        group = change.account.agency.name if change.account.agency else ""
    return authority.Delegation(
        reference=change.reference,
        scope=DelegationScope(change.scope),
        valid_from=change.valid_from or now,
        valid_until=change.valid_until,
        group=group or None,
    )


def _check_application(
    change: AccountChange, now: datetime, policy: Policy, lock: bool = False
) -> list[Violation]:
    """The rules of the world, as they stand at this moment (with rows locked when
    confirming)."""
    kind = change.change_kind
    if kind is ChangeKind.VERIFY_AGENCY:
        assert change.agency is not None
        agency = change.agency
        if lock:
            agency = Agency.objects.select_for_update().get(pk=agency.pk)
        return grants.check_agency_verification(
            agency.agency_level, agency.verified_at is not None, change.reference
        )
    if kind is ChangeKind.REVOKE_DELEGATION:
        assert change.delegation is not None
        return grants.check_delegation_revocation(change.delegation.as_law(), now)
    assert change.account is not None
    account = _account(change.account, lock)
    if kind is ChangeKind.GRANT_ROLE:
        return grants.check_role_grant(account, Role(change.role))
    if kind is ChangeKind.REVOKE_ROLE:
        return grants.check_role_revocation(account, Role(change.role))
    if kind is ChangeKind.RECORD_ACKNOWLEDGMENT:
        assert change.signed_on is not None
        return grants.check_acknowledgment(account, change.signed_on, now.date())
    existing = lock_delegations() if lock else [d.as_law() for d in Delegation.objects.all()]
    return grants.check_delegation(account, _new_delegation(change, now), existing, now, policy)


def _apply(change: AccountChange, actor: User, now: datetime, base_url: str) -> None:
    kind = change.change_kind
    if kind is ChangeKind.VERIFY_AGENCY:
        assert change.agency is not None
        Agency.objects.filter(pk=change.agency.pk).update(
            verified_at=now, verification_reference=change.reference
        )
        ledger.record(
            actor,
            EventName.AGENCY_VERIFIED,
            now,
            refs={"agency": change.agency.pk},
            reference=change.reference,
        )
    elif kind is ChangeKind.REVOKE_DELEGATION:
        assert change.delegation is not None
        Delegation.objects.filter(pk=change.delegation.pk).update(revoked_at=now)
    elif kind is ChangeKind.RECORD_DELEGATION:
        assert change.account is not None
        law = _new_delegation(change, now)
        Delegation.objects.create(
            holder=change.account,
            reference=law.reference,
            scope=law.scope.value,
            group=law.group or "",
            valid_from=law.valid_from,
            valid_until=law.valid_until,
        )
    elif kind is ChangeKind.RECORD_ACKNOWLEDGMENT:
        assert change.account is not None
        assert change.signed_on is not None
        NondisclosureAcknowledgment.objects.create(user=change.account, signed_on=change.signed_on)
    else:
        _apply_role(change, actor, now, base_url)


def _apply_role(change: AccountChange, actor: User, now: datetime, base_url: str) -> None:
    assert change.account is not None
    user = User.objects.get(pk=change.account.pk)
    if change.change_kind is ChangeKind.GRANT_ROLE and not user.stored_roles:
        # The first power over cases: the sign-in starts afresh, so nobody who set this
        # account's password or device before the confirmation (the admin who made it)
        # keeps a way in.
        resets.start_afresh(user, actor, now, base_url)
        user.refresh_from_db()
    roles = set(user.stored_roles)
    if change.change_kind is ChangeKind.GRANT_ROLE:
        roles.add(Role(change.role))
    else:
        roles.discard(Role(change.role))  # SEC-TOKENS: the save ends the person's tokens
    user.roles = sorted(r.value for r in roles)
    user.is_staff = Role.ADMIN in roles
    user.save(update_fields=["roles", "is_staff"])


def _refs(change: AccountChange) -> dict[str, Any]:
    refs: dict[str, Any] = {"account_change": change.pk}
    if change.account_id is not None:
        refs["account"] = change.account_id
    if change.agency_id is not None:
        refs["agency"] = change.agency_id
    return refs


def _values(change: AccountChange) -> dict[str, Any]:
    """What the change is, as values (never a password, a name or free text)."""
    values: dict[str, Any] = {"kind": change.kind}
    for name in ("role", "reference", "scope", "group"):
        if getattr(change, name):
            values[name] = getattr(change, name)
    for name in ("valid_from", "valid_until"):
        if getattr(change, name) is not None:
            values[name] = format_time(getattr(change, name))
    if change.delegation_id is not None:
        values["delegation"] = change.delegation_id
    if change.signed_on is not None:
        values["signed_on"] = change.signed_on.isoformat()
    return values
