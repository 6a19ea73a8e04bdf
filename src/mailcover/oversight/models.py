"""What oversight keeps of its own: the return of report documents (MC-REPORTING).

Compliance checks and transparency reports are derived from the cases and the ledger
when asked; nothing here stores a figure.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReportReturn(models.Model):
    """MC-REPORTING: the requesting authority returned the report documents of an order, or
    certified their destruction. One per order; due 60 days after the cover ended."""

    class How(models.TextChoices):
        RETURNED = "returned"
        DESTROYED = "destroyed"  # certified destroyed by the requesting authority

    order = models.OneToOneField(
        "covers.CoverOrder", on_delete=models.PROTECT, related_name="report_return"
    )
    how = models.CharField(max_length=10, choices=How.choices)
    # Who at the requesting authority returned the documents or certifies their destruction.
    certified_by = models.CharField(max_length=200)
    done_on = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.how} {self.done_on} for order {self.order_id}"
