"""Agencies, people, their roles, written delegations, acknowledgments and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractUser
from django.db import models

from mailcover.law import authority
from mailcover.law.terms import AgencyLevel, DelegationScope, Role


class Agency(models.Model):
    """A requesting authority (or the postal inspection service itself)."""

    name = models.CharField(max_length=200, unique=True)
    level = models.CharField(max_length=10, choices=[(v.value, v.value) for v in AgencyLevel])
    address = models.CharField(max_length=300, blank=True)
    # RR-VERIFIED: when the service confirmed this is a law-enforcement agency entitled to
    # file records requests (and under which reference). Unverified: no records requests.
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_reference = models.CharField(max_length=200, blank=True)

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

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r) for r in self.roles)

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
        return f"{self.reference} ({self.scope})"

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
