"""When captured data and kept productions are destroyed (MC-RETENTION, MC-IMPROPER).

MC-RETENTION, 39 CFR 233.3(h)(4): a cover's files and records are kept 8 years, then
destroyed. The 8 years are fixed by law and counted from the moment the cover stopped (its
end, or an earlier indictment or missed emergency confirmation: `orders.window_of_force`).
MC-IMPROPER, (h)(2): everything an improperly ordered cover acquired is destroyed at once.
A records production's kept copy is destroyed when its policy period is over.

PA-KEEP, 5 U.S.C. 552a(c)(2): the accounting of disclosures is never destroyed with the
data: nothing here decides anything about the ledger.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from mailcover.law.orders import OrderFacts, order_status, window_of_force
from mailcover.law.terms import OrderStatus, Policy

# MC-RETENTION, 39 CFR 233.3(h)(4).
COVER_RETENTION_YEARS = 8


class Reason(StrEnum):
    """Why data is destroyed: the rule that asks for it."""

    RETENTION = "MC-RETENTION"  # a cover's 8 years are over
    IMPROPER = "MC-IMPROPER"  # an order ruled improper: at once
    PRODUCTION_RETENTION = "production-retention"  # a production's policy period is over


def years_after(moment: datetime, years: int) -> datetime:
    """The same calendar moment `years` later; 29 February falls to 28 February in a
    common year (the period is never read as longer than the law's)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def cover_stopped_at(order: OrderFacts) -> datetime:
    """The first moment the cover no longer ran: the moment its 8 years count from."""
    return window_of_force(order)[1]


def cover_destroy_after(order: OrderFacts) -> datetime:
    """MC-RETENTION: the cover's data is kept up to this moment, and destroyed after it."""
    return years_after(cover_stopped_at(order), COVER_RETENTION_YEARS)


def cover_due(order: OrderFacts, now: datetime) -> Reason | None:
    """Why the order's data is to be destroyed at `now`, or None while it is still kept.
    An improper ruling outranks the 8 years: its data goes at once (MC-IMPROPER)."""
    status = order_status(order, now)
    if status is OrderStatus.IMPROPER:
        return Reason.IMPROPER
    if status in (OrderStatus.ACTIVE, OrderStatus.SCHEDULED):
        return None
    if now > cover_destroy_after(order):
        return Reason.RETENTION
    return None


def production_destroy_after(produced_at: datetime, policy: Policy) -> datetime:
    """A production's kept copy is kept up to this moment (policy), and destroyed after it."""
    return produced_at + timedelta(days=policy.production_retention_days)


def production_due(produced_at: datetime, policy: Policy, now: datetime) -> bool:
    return now > production_destroy_after(produced_at, policy)
