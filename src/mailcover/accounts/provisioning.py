"""Creating people: one function behind `mailcover user add`, the demo and the tests.

`mailcover user add`, run on the server's own shell, is the bootstrap path: whoever can run
it already holds the service's database and keys. Everywhere else (the pages, the admin)
power over cases takes two people (accounts.grants). The same rules hold here:
roles bound to agencies (SEC-ROLE-AGENCY), designee limits and no back-dated delegation
(MC-AUTHORITY)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from mailcover.accounts.models import (
    Agency,
    Delegation,
    NondisclosureAcknowledgment,
    User,
    lock_delegations,
)
from mailcover.accounts.tokens import DEACTIVATED, revoke_tokens
from mailcover.law import authority, grants
from mailcover.law.roles import check_role_agency
from mailcover.law.terms import AgencyLevel, DelegationScope, Policy, Role
from mailcover.ledger import log as ledger
from mailcover.ledger.events import EventName


class ProvisioningError(ValueError):
    """The account cannot be created as asked; the message says which option is wrong."""


@dataclass
class NewUser:
    username: str
    agency: str
    roles: list[str]
    password: str
    agency_level: str | None = None
    delegation: str | None = None
    delegation_scope: str | None = None
    delegation_group: str | None = None
    nondisclosure: bool = False
    totp_secret: str | None = None
    email: str = ""
    full_name: str = ""
    # RR-VERIFIED: the reference under which the agency's account was verified.
    agency_verified: str | None = None


def _roles(names: list[str]) -> list[Role]:
    if not names:
        raise ProvisioningError(
            "--role is required (one or more of: " + ", ".join(r.value for r in Role) + ")"
        )
    try:
        return sorted({Role(name) for name in names})
    except ValueError:
        bad = next(n for n in names if n not in {r.value for r in Role})
        raise ProvisioningError(
            f"--role {bad!r} is not a role; use one of: " + ", ".join(r.value for r in Role)
        ) from None


def _agency(name: str, level: str | None) -> Agency:
    if not name.strip():
        raise ProvisioningError("--agency must name the person's agency")
    if level is not None and level not in {lv.value for lv in AgencyLevel}:
        raise ProvisioningError(
            f"--agency-level {level!r} must be one of: " + ", ".join(lv.value for lv in AgencyLevel)
        )
    found = Agency.objects.filter(name=name.strip()).first()
    if found is None:
        if level is None:
            raise ProvisioningError(f"agency {name!r} is new: give its --agency-level")
        return Agency.objects.create(name=name.strip(), level=level)
    if level is not None and found.level != level:
        raise ProvisioningError(f"agency {name!r} is {found.level}, not {level}")
    return found


def _verify(agency: Agency, reference: str, now: datetime) -> None:
    """RR-VERIFIED: the service confirmed the agency; the first verification stands."""
    if not reference.strip():
        raise ProvisioningError("--verified-agency needs the verification's reference")
    if agency.verified_at is not None:
        return
    agency.verified_at = now
    agency.verification_reference = reference.strip()
    agency.save(update_fields=["verified_at", "verification_reference"])
    ledger.record(
        None,
        EventName.AGENCY_VERIFIED,
        now,
        refs={"agency": agency.pk},
        reference=reference.strip(),
    )


def _totp_key(secret: str) -> str:
    """A base32 secret, as authenticator apps show it, into django-otp's hex key."""
    cleaned = secret.replace(" ", "").upper()
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        raise ProvisioningError(
            "the TOTP secret (--totp-secret-file or MAILCOVER_TOTP_SECRET) must be base32 "
            "(letters A-Z and digits 2-7)"
        ) from None
    if len(raw) < 10:
        raise ProvisioningError(
            "the TOTP secret (--totp-secret-file or MAILCOVER_TOTP_SECRET) must be at least "
            "16 base32 characters"
        )
    return raw.hex()


def _delegation_scope(roles: list[Role], asked: str | None) -> DelegationScope:
    if asked is not None:
        try:
            return DelegationScope(asked)
        except ValueError:
            raise ProvisioningError(
                f"--delegation-scope {asked!r} must be one of: "
                + ", ".join(s.value for s in DelegationScope)
            ) from None
    return DelegationScope.CHIEF if Role.CHIEF in roles else DelegationScope.OSG_DESIGNEE


@transaction.atomic
def add_user(new: NewUser, now: datetime, policy: Policy) -> User:
    roles = _roles(new.roles)
    if User.objects.filter(username=new.username).exists():
        raise ProvisioningError(f"user {new.username!r} already exists")
    agency = _agency(new.agency, new.agency_level)
    if new.agency_verified is not None:
        _verify(agency, new.agency_verified, now)
    refused = check_role_agency(roles, agency.agency_level, agency.verified_at is not None)
    if refused:
        raise ProvisioningError(f"--role: {refused[0].message} ({refused[0].rule})")
    if new.delegation and not {Role.APPROVER, Role.CHIEF} & set(roles):
        raise ProvisioningError("--delegation is for an approver or the chief")
    if (new.delegation_scope or new.delegation_group) and not new.delegation:
        # Otherwise the person would silently get no delegation at all.
        raise ProvisioningError("--delegation-scope and --delegation-group need --delegation REF")
    _check_password(new.password)
    first, _, last = new.full_name.partition(" ")
    user = User(
        username=new.username,
        agency=agency,
        roles=[r.value for r in roles],
        email=new.email,
        first_name=first,
        last_name=last,
        is_staff=Role.ADMIN in roles,
    )
    user.set_password(new.password)
    user.save()
    if new.delegation:
        _delegate(user, new, roles, now, policy)
    if new.nondisclosure:
        NondisclosureAcknowledgment.objects.create(
            user=user, signed_on=date(now.year, now.month, now.day)
        )
    if new.totp_secret:
        TOTPDevice.objects.create(
            user=user, name="default", key=_totp_key(new.totp_secret), confirmed=True
        )
    ledger.record(
        None,
        EventName.ACCOUNT_ADDED,
        now,
        refs={"account": user.pk, "agency": agency.pk},
        username=user.username,
        roles=user.roles,
        delegation=new.delegation or None,
        nondisclosure=new.nondisclosure,
        second_factor=bool(new.totp_secret),
    )
    return user


def _delegate(user: User, new: NewUser, roles: list[Role], now: datetime, policy: Policy) -> None:
    assert new.delegation is not None
    scope = _delegation_scope(roles, new.delegation_scope)
    group = new.delegation_group or ""
    if scope is DelegationScope.OSG_DESIGNEE and not group:
        group = user.agency.name if user.agency else ""
    wanted = authority.Delegation(new.delegation, scope, now, group=group or None)
    account = grants.Account(user.pk, True, frozenset(roles), AgencyLevel.POSTAL, False)
    refusals = grants.check_delegation(account, wanted, lock_delegations(), now, policy)
    if refusals:
        # Name the option to change, as every other refusal here does.
        raise ProvisioningError(f"--delegation: {refusals[0].message} ({refusals[0].rule})")
    Delegation.objects.create(
        holder=user, reference=new.delegation, scope=scope.value, group=group, valid_from=now
    )


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as weak:
        raise ProvisioningError("password: " + " ".join(weak.messages)) from None


def _existing(username: str) -> User:
    found = User.objects.filter(username=username).first()
    if found is None:
        raise ProvisioningError(f"there is no user {username!r}")
    return found


@transaction.atomic
def set_password(username: str, password: str, now: datetime) -> User:
    """`mailcover user password`: a new password, set on the server's shell. Saving it ends
    every API token of the person (SEC-TOKENS, accounts.tokens)."""
    user = _existing(username)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    ledger.record(None, EventName.ACCOUNT_PASSWORD_SET, now, refs={"account": user.pk}, by="shell")
    return user


@transaction.atomic
def deactivate(username: str, now: datetime) -> User:
    """`mailcover user deactivate`: the person signs in no more, and their tokens end."""
    user = _existing(username)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        ledger.record(
            None, EventName.ACCOUNT_DEACTIVATED, now, refs={"account": user.pk}, by="shell"
        )
    revoke_tokens(user, now, DEACTIVATED)
    return user
