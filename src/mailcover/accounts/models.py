"""Agencies, people, their roles, written delegations, acknowledgments and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractUser
from django.db import models

from mailcover.law import authority
from mailcover.law.grants import ChangeKind
from mailcover.law.roles import roles_in_force
from mailcover.law.terms import AgencyLevel, DelegationScope, Role
from mailcover.web.times import validate_zone


class Agency(models.Model):
    """A requesting authority (or the postal inspection service itself)."""

    name = models.CharField(max_length=200, unique=True)
    level = models.CharField(max_length=10, choices=[(v.value, v.value) for v in AgencyLevel])
    address = models.CharField(max_length=300, blank=True)
    # RR-VERIFIED: when the service confirmed this is a law-enforcement agency entitled to
    # file records requests (and under which reference). Unverified: no records requests.
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_reference = models.CharField(max_length=200, blank=True)
    # The IANA time zone its people see times in unless they choose their own (web/times.py);
    # blank: the deployment's (settings.TIME_ZONE).
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        default="",
        db_default="",  # rows written by code that predates the column get "" too
        help_text="IANA name, e.g. America/New_York; blank: the service's own zone",
        validators=[validate_zone],
    )

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def agency_level(self) -> AgencyLevel:
        return AgencyLevel(self.level)


class User(AbstractUser):
    """A person of an agency, with roles (DESIGN.md, Roles)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="users")
    roles = models.JSONField(default=list)
    # The IANA time zone this person reads times in (their preferences page); blank: the
    # agency's (web/times.py).
    # db_default: rows written by code that predates the column (an older migration's
    # model, as the audit-trail migration's test writes) get "" too.
    time_zone = models.CharField(
        max_length=64, blank=True, default="", db_default="", validators=[validate_zone]
    )

    @property
    def stored_roles(self) -> frozenset[Role]:
        """The roles as recorded, whether or not the person's agency may hold them."""
        return frozenset(Role(r) for r in self.roles)

    @property
    def role_set(self) -> frozenset[Role]:
        """SEC-ROLE-AGENCY: the roles in force, those the person's agency may hold. A role
        stored where it may not be (an inspector at the FBI) gives no power at all."""
        agency = self.agency
        return roles_in_force(self.stored_roles, agency.agency_level if agency else None)

    def has_second_factor(self) -> bool:
        """A confirmed one-time-code device: sign-in needs the code (RR-VERIFIED)."""
        from django_otp import devices_for_user

        return any(devices_for_user(self, confirmed=True))

    def has_nondisclosure(self) -> bool:
        return self.acknowledgments.exists()

    def law_delegations(self) -> tuple[authority.Delegation, ...]:
        return tuple(d.as_law() for d in self.delegations.all())

    def as_official(self) -> authority.Official:
        return authority.Official(
            user_id=self.pk,
            roles=self.role_set,
            delegations=self.law_delegations(),
            has_nondisclosure=self.has_nondisclosure(),
        )


class Delegation(models.Model):
    """MC-AUTHORITY: the written delegation an approver or the chief acts under."""

    holder = models.ForeignKey(User, on_delete=models.PROTECT, related_name="delegations")
    reference = models.CharField(max_length=100, help_text="The written delegation's reference")
    scope = models.CharField(max_length=30, choices=[(v.value, v.value) for v in DelegationScope])
    group = models.CharField(
        max_length=100, blank=True, help_text="Operations Support Group of an OSG designee"
    )
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        from mailcover.web.labels import label

        return f"{self.reference} ({label('delegation_scope', self.scope)})"

    def as_law(self) -> authority.Delegation:
        return authority.Delegation(
            reference=self.reference,
            scope=DelegationScope(self.scope),
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            revoked_at=self.revoked_at,
            group=self.group or None,
        )


class NondisclosureAcknowledgment(models.Model):
    """MC-NONDISCLOSURE: a signed acknowledgment on file."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="acknowledgments")
    signed_on = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)


def lock_delegations() -> list[authority.Delegation]:
    """Every delegation, read after locking the postal inspection service's agency rows
    (where every approver and chief is: SEC-ROLE-AGENCY), inside the caller's transaction.
    Two confirmations that count designees (MC-AUTHORITY) take the same locks, so on
    PostgreSQL the second waits for the first to commit and then counts its delegation."""
    list(Agency.objects.select_for_update().filter(level=AgencyLevel.POSTAL).order_by("pk"))
    return [d.as_law() for d in Delegation.objects.all()]


class AccountChange(models.Model):
    """SEC-TWO-PERSON: a proposed change to power over cases. It takes effect only when a
    second, authorised person confirms it (law.grants); until then it is pending. Whether it
    is pending is derived from `decided_at`."""

    CONFIRMED = "confirmed"
    REFUSED = "refused"

    kind = models.CharField(max_length=30, choices=[(k.value, k.value) for k in ChangeKind])
    # Whose power changes (every kind but the verification of an agency).
    account = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="changes_to"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True)
    role = models.CharField(max_length=20, blank=True, choices=[(r.value, r.value) for r in Role])
    # A delegation to record: its reference, scope, group and dates (from the moment of
    # confirmation when valid_from is empty), or the delegation to revoke.
    reference = models.CharField(max_length=200, blank=True)
    scope = models.CharField(
        max_length=30, blank=True, choices=[(v.value, v.value) for v in DelegationScope]
    )
    group = models.CharField(max_length=100, blank=True)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, null=True, blank=True)
    signed_on = models.DateField(null=True, blank=True)  # an acknowledgment's signature
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="proposed")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="decided"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=10, blank=True, choices=[(CONFIRMED, CONFIRMED), (REFUSED, REFUSED)]
    )
    refusal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def pending(self) -> bool:
        return self.decided_at is None

    @property
    def change_kind(self) -> ChangeKind:
        return ChangeKind(self.kind)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, raw: str, now: datetime) -> ApiToken | None:
        return (
            self.select_related("user", "user__agency")
            .filter(digest=_digest(raw), expires_at__gt=now, user__is_active=True)
            .first()
        )


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # Issued after a one-time code (RR-VERIFIED asks for a two-factor sign-in).
    second_factor = models.BooleanField(default=False)

    objects = ApiTokenQuerySet.as_manager()

    @classmethod
    def issue(cls, user: User, now: datetime, hours: int, second_factor: bool = False) -> str:
        raw = secrets.token_urlsafe(32)
        cls.objects.create(
            user=user,
            digest=_digest(raw),
            expires_at=now + timedelta(hours=hours),
            second_factor=second_factor,
        )
        return raw


class IdempotencyRecord(models.Model):
    """The first answer to a POST with an Idempotency-Key, replayed for the same key."""

    caller = models.CharField(max_length=64)  # "user:<id>" of the person who sent it
    key = models.CharField(max_length=200)
    path = models.CharField(max_length=300)
    body_digest = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="one_answer_per_key")]
