"""What the notifications keep: which message went to whom (so nothing goes twice), and how
far into the ledger the last pass read."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Delivery(models.Model):
    """One message sent to one person about one thing (`topic`): a ledger entry
    ("entry:<seq>") or a deadline ("order-ends:<order>:<moment>", ...). The constraint is
    what keeps a reminder from going twice, whatever passes run at once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    topic = models.CharField(max_length=120)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "topic"], name="one_delivery_per_topic")
        ]

    def __str__(self) -> str:
        return f"{self.topic} to {self.recipient_id}"


class LedgerCursor(models.Model):
    """The last ledger entry a pass has read (one row). Entries are read in order from
    there; a pass that could not send one stops the cursor before it, so it is tried
    again (and `Delivery` keeps the others from going twice)."""

    seq = models.BigIntegerField(default=-1)
