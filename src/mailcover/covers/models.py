"""Subjects, cover requests, decisions, orders and the events in an order's life.

An order's status is never stored: `CoverOrder.facts()` hands its periods and
events to `mailcover.law.orders`, which computes it for the moment asked.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from mailcover.law import operators
from mailcover.law.orders import OrderFacts, order_status
from mailcover.law.periods import Period
from mailcover.law.terms import Grounds, OrderStatus, Scope

GROUNDS = [(g.value, g.value.replace("_", " ")) for g in Grounds]
SCOPES = [(s.value, s.value.replace("_", " ")) for s in Scope]


class CaseCounter(models.Model):
    """MC-UNIQUE: the last case sequence number given out in a year."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)


class Subject(models.Model):
    name = models.CharField(max_length=200)
    aliases = models.JSONField(default=list)
    address = models.CharField(max_length=300)

    def __str__(self) -> str:
        return self.name


class RequestKind(models.TextChoices):
    INITIAL = "initial"
    EXTENSION = "extension"


class CoverRequest(models.Model):
    """A written request for a cover, or for the extension of an order (MC-WRITTEN)."""

    case_number = models.CharField(max_length=40, unique=True)  # MC-UNIQUE
    kind = models.CharField(max_length=10, choices=RequestKind.choices, default=RequestKind.INITIAL)
    extends = models.ForeignKey(
        "CoverOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="extension_requests",
    )
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="cover_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cover_requests"
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="requests")
    grounds = models.CharField(max_length=20, choices=GROUNDS)
    statute = models.CharField(max_length=200, blank=True)
    max_penalty_years = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    forfeiture_authority = models.CharField(max_length=300, blank=True)
    facts = models.TextField()
    scope = models.CharField(max_length=20, choices=SCOPES)
    scope_justification = models.TextField(blank=True)
    days = models.PositiveSmallIntegerField()
    emergency = models.BooleanField(default=False)
    emergency_reason = models.TextField(blank=True)
    agency_head_name = models.CharField(max_length=200, blank=True)
    agency_head_title = models.CharField(max_length=200, blank=True)
    agency_head_date = models.DateField(null=True, blank=True)
    investigative_benefit = models.TextField(blank=True)
    indicted = models.BooleanField(null=True)
    represented_by_attorney = models.BooleanField(null=True)
    filed_at = models.DateTimeField()
    # The request exactly as filed, and its SHA-256: OIG-JUSTIFICATION asks
    # whether the stored text changed after approval.
    body = models.JSONField()
    body_sha256 = models.CharField(max_length=64)
    submission_key = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        ordering = ["-filed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "submission_key"], name="one_request_per_submission"
            ),
        ]

    def __str__(self) -> str:
        return self.case_number

    @property
    def state(self) -> str:
        """pending, approved or denied: read from the decision, if any."""
        decision = getattr(self, "decision", None)
        return "pending" if decision is None else decision.outcome

    @property
    def is_extension(self) -> bool:
        return self.kind == RequestKind.EXTENSION

    @property
    def grounds_value(self) -> Grounds:
        return Grounds(self.grounds)


class Attorney(models.Model):
    """MC-ATTORNEY: a subject's known attorney, whose mail is never covered."""

    request = models.ForeignKey(CoverRequest, on_delete=models.CASCADE, related_name="attorneys")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)


class Decision(models.Model):
    class Outcome(models.TextChoices):
        APPROVED = "approved"
        DENIED = "denied"

    request = models.OneToOneField(CoverRequest, on_delete=models.PROTECT, related_name="decision")
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions"
    )
    # MC-AUTHORITY: the written delegation the approval rests on (OIG-AUTHORITY).
    delegation = models.ForeignKey(
        "accounts.Delegation", on_delete=models.PROTECT, null=True, blank=True
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField()


class CoverOrder(models.Model):
    """An approved cover. Its periods, and the events below, decide its status."""

    request = models.OneToOneField(CoverRequest, on_delete=models.PROTECT, related_name="order")
    case_number = models.CharField(max_length=40, unique=True)  # MC-UNIQUE
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="cover_orders"
    )

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return self.case_number

    def _related(self, name: str) -> Any:
        return getattr(self, name, None)

    def facts(self) -> OrderFacts:
        periods = sorted(self.periods.all(), key=lambda p: p.starts_at)
        confirmation = self._related("emergency_confirmation")
        indictment = self._related("indictment")
        ruling = self._related("improper_ruling")
        return OrderFacts(
            grounds=Grounds(self.request.grounds),
            periods=tuple(Period(p.starts_at, p.ends_at) for p in periods),
            emergency_requested_at=self.request.filed_at if self.request.emergency else None,
            confirmed_at=confirmation.confirmed_at if confirmation else None,
            indicted_at=indictment.effective_at if indictment else None,
            improper_at=ruling.ruled_at if ruling else None,
        )

    def status_at(self, now: datetime) -> OrderStatus:
        return order_status(self.facts(), now)

    def last_review_at(self) -> datetime | None:
        reviews = sorted(r.reviewed_at for r in self.reviews.all())
        return reviews[-1] if reviews else None

    def filer_ids(self) -> frozenset[int]:
        """Everyone who filed the request or one of its extensions (MC-NOT-SELF)."""
        extension_filers = (r.requester_id for r in self.extension_requests.all())
        return frozenset([self.request.requester_id, *extension_filers])


class OrderPeriod(models.Model):
    """One approved period: the first from the request, then one per extension."""

    order = models.ForeignKey(CoverOrder, on_delete=models.PROTECT, related_name="periods")
    request = models.OneToOneField(CoverRequest, on_delete=models.PROTECT, related_name="period")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]


class EmergencyConfirmation(models.Model):
    """MC-EMERGENCY: the written follow-up to an oral emergency request."""

    order = models.OneToOneField(
        CoverOrder, on_delete=models.PROTECT, related_name="emergency_confirmation"
    )
    statement = models.TextField()
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    confirmed_at = models.DateTimeField()


class IndictmentNotice(models.Model):
    """MC-INDICTMENT: the subject was indicted or an information filed for the matter."""

    order = models.OneToOneField(CoverOrder, on_delete=models.PROTECT, related_name="indictment")
    filed_on = models.DateField()
    note = models.TextField(blank=True)
    noted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    noted_at = models.DateTimeField()

    @property
    def effective_at(self) -> datetime:
        # The cover ends when the indictment is filed, not when we hear of it.
        return datetime.combine(self.filed_on, time.min, tzinfo=UTC)


class ImproperRuling(models.Model):
    """MC-IMPROPER: final; there is no appeal state."""

    order = models.OneToOneField(
        CoverOrder, on_delete=models.PROTECT, related_name="improper_ruling"
    )
    reasons = models.TextField()
    ruled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    ruled_at = models.DateTimeField()


class Review(models.Model):
    """MC-REVIEW: a periodic review of an order."""

    order = models.ForeignKey(CoverOrder, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    note = models.TextField()
    reviewed_at = models.DateTimeField()


class Notice(models.Model):
    """A message to a person, e.g. a requester told their order was ruled improper."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    case_number = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField()


class Capture(models.Model):
    """The exterior of one piece of mail an order covers (MC-DEFINITION: never contents).

    Written only by the ingest worker, for a piece the matcher placed under this order while
    it was in force (MC-NO-ORDER-NO-DATA); a piece no order covers is never stored. The same
    piece is captured once per order (idempotent on piece_id). `sha256` is the digest of the
    capture as the ledger's `capture.recorded` entry holds it. What is personal is sealed
    under the order's key, so destroying the key destroys every copy (MC-RETENTION).
    """

    class MatchedOn(models.TextChoices):
        ROUTING = "routing"
        ADDRESS = "address"
        RETURN_ADDRESS = "return_address"

    order = models.ForeignKey(CoverOrder, on_delete=models.PROTECT, related_name="captures")
    piece_id = models.CharField(max_length=64)
    scanned_at = models.DateTimeField()
    facility = models.CharField(max_length=200)
    mail_class = models.CharField(max_length=20)
    # The addressee and return address lines and the barcode, sealed under the order's key
    # (covers.sealing); read them only through covers.captures.exterior().
    sealed = models.BinaryField()
    # The stored image's name; the file is a ciphertext under the order's key
    # (covers.captures.read_image()).
    image = models.CharField(max_length=300, blank=True)
    matched_on = models.CharField(max_length=20, choices=MatchedOn.choices)
    # How sure the OCR engine was of the addressee lines when the piece carried only a
    # photograph and its lines were read from it (imaging.read.EnvelopeReading.confidence,
    # 0..1); None when the sender gave the lines (or the barcode) as text. A number about
    # the reading, nothing of the person, so it is kept in the clear.
    ocr_confidence = models.FloatField(null=True, blank=True)
    captured_at = models.DateTimeField()
    sha256 = models.CharField(max_length=64)
    # Provenance (SEC-OPERATOR): which feed delivered the piece ("api": POST
    # /api/v1/mail-pieces; "cli": `mailcover ingest` on the server's shell; "demo") and the
    # account that sent it (none on the server's shell). Blank on captures kept before
    # provenance was recorded.
    feed = models.CharField(max_length=20, blank=True, default="")
    fed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fed_captures",
    )

    class Meta:
        ordering = ["scanned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "piece_id"], name="one_capture_per_piece"),
        ]
        indexes = [models.Index(fields=["order", "scanned_at"])]

    def __str__(self) -> str:
        return f"{self.piece_id} under {self.order_id}"


class AttorneyExclusion(models.Model):
    """MC-ATTORNEY: pieces an order would have captured, withheld as attorney mail, counted
    per day of scanning. Only the count is kept, never the piece."""

    order = models.ForeignKey(
        CoverOrder, on_delete=models.PROTECT, related_name="attorney_exclusions"
    )
    scanned_on = models.DateField()
    pieces = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "scanned_on"], name="one_count_per_day"),
        ]


class StreamTally(models.Model):
    """The aggregate counts of one ingest (a file, a standard input, or one API batch): all
    that is left of the pieces no order covers."""

    source = models.CharField(max_length=20)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    received = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    captured = models.PositiveIntegerField(default=0)
    already_captured = models.PositiveIntegerField(default=0)
    excluded = models.PositiveIntegerField(default=0)  # attorney mail withheld
    outside_window = models.PositiveIntegerField(default=0)
    unreadable = models.PositiveIntegerField(default=0)
    no_order = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-finished_at", "-pk"]


class OperatorFacility(models.Model):
    """SEC-OPERATOR: a facility an operator account feeds. Pieces an operator account sends
    from any facility it is not bound to are refused, one by one. Managed by the admin role
    (Django admin) or on the server's shell (`mailcover operator facilities`); every change
    is on the ledger. Not case data: it names mail-processing plants, no one's mail."""

    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feed_facilities"
    )
    facility = models.CharField(
        max_length=200, help_text="The facility's name as its mail-piece events spell it"
    )
    bound_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "operator's facility"
        verbose_name_plural = "operators' facilities"
        ordering = ["operator_id", "facility"]
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "facility"], name="one_binding_per_facility"
            )
        ]

    def __str__(self) -> str:
        return f"{self.facility} (fed by {self.operator})"

    def clean(self) -> None:
        problems = operators.check_facility_name(self.facility)
        if self.operator_id is not None:
            problems += operators.check_bindable(self.operator.role_set)
        if problems:
            raise ValidationError(
                {v.field or "facility": f"{v.message} ({v.rule})" for v in problems}
            )
        self.facility = operators.facility_key(self.facility)
