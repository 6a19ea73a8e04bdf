"""Customer records the service holds, and the records requests that ask for them.

Customer records are append-only: each row keeps when it was recorded
(`recorded_at`), and a production reads only rows recorded before it was made, so a
production can be rebuilt byte for byte later and compared with the hashes on the
ledger. A full card number is never stored: the last four digits, the brand and the
payment processor's token are.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from mailcover.law.records import Category, DelayKind, Instrument

INSTRUMENTS = [(i.value, i.value.replace("_", " ")) for i in Instrument]
CATEGORIES = [(c.value, c.value) for c in Category]
LAST_FOUR = RegexValidator(r"^\d{4}$", "the last four digits of a card, and nothing more")


class Customer(models.Model):
    """A postal customer's online account."""

    account_number = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300)
    # The address's delivery-point key (postal.address), for finding a customer by a
    # name and address written another way.
    address_key = models.CharField(max_length=200, blank=True, db_index=True)
    email = models.EmailField(max_length=254, unique=True)
    phone = models.CharField(max_length=30, blank=True)
    opened_at = models.DateTimeField()
    services = models.JSONField(default=list)  # e.g. ["click_n_ship", "informed_delivery"]
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["account_number"]

    def __str__(self) -> str:
        return self.account_number


class SignIn(models.Model):
    """A sign-in session: when, from which IP address, with which browser."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="sign_ins")
    at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(unpack_ipv4=True)
    user_agent = models.CharField(max_length=500, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["customer", "at"])]


class TrackedItem(models.Model):
    """A package or mail piece tracked to or from a customer, by its IMpb number."""

    class Role(models.TextChoices):
        SENDER = "sender"
        RECIPIENT = "recipient"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="items")
    tracking_number = models.CharField(max_length=34, unique=True)
    role = models.CharField(max_length=10, choices=Role.choices)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["tracking_number"]


class ScanEvent(models.Model):
    item = models.ForeignKey(TrackedItem, on_delete=models.PROTECT, related_name="scans")
    at = models.DateTimeField()
    event = models.CharField(max_length=100)  # e.g. "Accepted", "Out for Delivery"
    location = models.CharField(max_length=200)  # facility or city, state and ZIP
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]


class Payment(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    at = models.DateTimeField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    card_brand = models.CharField(max_length=20)
    card_last4 = models.CharField(max_length=4, validators=[LAST_FOUR])
    processor_token = models.CharField(max_length=100)
    description = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["customer", "at"])]


class AddressChange(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="address_changes")
    at = models.DateTimeField()  # when the change took effect
    old_address = models.CharField(max_length=300)
    new_address = models.CharField(max_length=300)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]


class RecordsCounter(models.Model):
    """The last records-request number given out in a year (numbers are never reused)."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)


class RecordsRequest(models.Model):
    """A request for a customer's records, with its legal instrument (RR-SCOPE)."""

    number = models.CharField(max_length=40, unique=True)
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="records_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="records_requests"
    )
    instrument = models.CharField(max_length=40, choices=INSTRUMENTS)
    issued_by = models.CharField(max_length=300)
    issued_on = models.DateField(null=True, blank=True)
    instrument_number = models.CharField(max_length=100, blank=True)
    # The instrument's PDF in the files storage, and its SHA-256.
    instrument_file = models.CharField(max_length=300)
    instrument_sha256 = models.CharField(max_length=64)
    identifiers = models.JSONField(default=dict)
    categories = models.JSONField(default=list)
    start = models.DateField()
    end = models.DateField()
    purpose = models.TextField()
    emergency_danger = models.CharField(max_length=30, blank=True)
    emergency_facts = models.TextField(blank=True)
    emergency_attested_by = models.CharField(max_length=300, blank=True)
    filed_at = models.DateTimeField()
    # The request exactly as filed, and its SHA-256 (what was asked cannot change later).
    body = models.JSONField()
    body_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-filed_at", "-pk"]

    def __str__(self) -> str:
        return self.number

    @property
    def instrument_kind(self) -> Instrument:
        return Instrument(self.instrument)

    @property
    def category_set(self) -> tuple[Category, ...]:
        return tuple(Category(c) for c in self.categories)

    @property
    def is_emergency(self) -> bool:
        return self.instrument == Instrument.EMERGENCY

    @property
    def state(self) -> str:
        """under_review, refused, no_records, approved (held back) or produced."""
        if getattr(self, "production", None) is not None:
            return "produced"
        decision = getattr(self, "decision", None)
        return "under_review" if decision is None else decision.outcome


class RecordsDecision(models.Model):
    """An inspector's review of a request they did not file."""

    class Outcome(models.TextChoices):
        APPROVED = "approved"
        REFUSED = "refused"
        NO_RECORDS = "no_records"  # the identifiers match no customer

    request = models.OneToOneField(
        RecordsRequest, on_delete=models.PROTECT, related_name="decision"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="records_decisions"
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField()


class FollowUpInstrument(models.Model):
    """RR-EMERGENCY: the legal instrument filed after an emergency disclosure."""

    request = models.OneToOneField(
        RecordsRequest, on_delete=models.PROTECT, related_name="follow_up"
    )
    instrument = models.CharField(max_length=40, choices=INSTRUMENTS)
    issued_by = models.CharField(max_length=300)
    issued_on = models.DateField()
    instrument_number = models.CharField(max_length=100, blank=True)
    instrument_file = models.CharField(max_length=300)
    instrument_sha256 = models.CharField(max_length=64)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    filed_at = models.DateTimeField()


class ChallengeNotice(models.Model):
    """RR-FINANCIAL: the customer served (10 days) or mailed (14 days) the notice that
    lets them challenge a financial instrument before release."""

    class Method(models.TextChoices):
        SERVED = "served"
        MAILED = "mailed"

    request = models.OneToOneField(
        RecordsRequest, on_delete=models.PROTECT, related_name="challenge_notice"
    )
    served_on = models.DateField()
    method = models.CharField(max_length=6, choices=Method.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField()


class NoticeDelay(models.Model):
    """RR-NOTICE: a delayed-notice or nondisclosure order on file for a request."""

    request = models.ForeignKey(RecordsRequest, on_delete=models.PROTECT, related_name="delays")
    kind = models.CharField(max_length=20, choices=[(k.value, k.value) for k in DelayKind])
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    court_reference = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_on", "pk"]


class Production(models.Model):
    """What was handed over: a ZIP whose bytes and members are hashed on the ledger."""

    request = models.OneToOneField(
        RecordsRequest, on_delete=models.PROTECT, related_name="production"
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="productions")
    produced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    produced_at = models.DateTimeField()
    file = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    manifest = models.JSONField()  # {member name: sha256}
    counts = models.JSONField()  # {category: rows}
    ledger_seq = models.BigIntegerField()
    # When its kept ZIP was destroyed at the end of its retention period (a link then
    # answers 410 Gone); the accounting of the disclosure stays (PA-KEEP).
    destroyed_at = models.DateTimeField(null=True, blank=True)


class DownloadLink(models.Model):
    """A link to a production that expires. Only its SHA-256 is stored."""

    production = models.ForeignKey(Production, on_delete=models.PROTECT, related_name="links")
    digest = models.CharField(max_length=64, unique=True)
    issued_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()


class CustomerNotice(models.Model):
    """RR-NOTICE: the notice owed to the customer, queued until it may go out."""

    request = models.OneToOneField(
        RecordsRequest, on_delete=models.PROTECT, related_name="customer_notice"
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="notices")
    email = models.EmailField(max_length=254)
    queued_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"notice for {self.request}"
