"""MC-REVIEW: when an order is due for its periodic review."""

from __future__ import annotations

from datetime import datetime, timedelta

from mailcover.law.errors import Violation
from mailcover.law.extensions import extension_passes_cap
from mailcover.law.orders import OrderFacts, order_status
from mailcover.law.periods import CONTINUOUS_CAP_DAYS
from mailcover.law.terms import OrderStatus, Policy


def review_due_at(order: OrderFacts, last_review_at: datetime | None, policy: Policy) -> datetime:
    """Every order is reviewed at least once a review interval (policy: a year), and an
    order that runs past 120 days is reviewed before it does (j)(1)-(2)."""
    base = last_review_at if last_review_at is not None else order.starts_at
    due = base + timedelta(days=policy.review_interval_days)
    cap = order.starts_at + timedelta(days=CONTINUOUS_CAP_DAYS)
    if order.ends_at > cap and (
        last_review_at is None
        or last_review_at < order.starts_at + timedelta(days=CONTINUOUS_CAP_DAYS - 30)
    ):
        due = min(due, cap)
    return due


def review_overdue(
    order: OrderFacts, last_review_at: datetime | None, now: datetime, policy: Policy
) -> bool:
    """An order still running past its review due date (OIG-REVIEW)."""
    if order_status(order, now) is not OrderStatus.ACTIVE:
        return False
    return now > review_due_at(order, last_review_at, policy)


def check_reviewed_before_cap(
    order: OrderFacts, days: int, last_review_at: datetime | None, now: datetime
) -> list[Violation]:
    """MC-REVIEW (policy): an order is reviewed before any extension that takes it past
    120 continuous days. A review counts if it was made during the order's current period."""
    if not extension_passes_cap(order, days):
        return []
    current_start = order.periods[-1].starts_at
    if last_review_at is not None and current_start <= last_review_at <= now:
        return []
    return [
        Violation(
            "MC-REVIEW",
            None,
            "an order is reviewed before it is extended past 120 "
            "days; record a review of this order first",
        )
    ]
