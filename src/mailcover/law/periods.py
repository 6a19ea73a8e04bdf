"""How long an order runs: MC-PERIOD, MC-EXTENSION, MC-120."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mailcover.law.errors import Violation
from mailcover.law.terms import Grounds, Policy

# MC-PERIOD, (g)(5): a cover runs at most 30 days unless the grounds allow more.
STANDARD_PERIOD_DAYS = 30
# MC-120, (g)(6): no cover stays in force more than 120 continuous days without
# the Chief Postal Inspector or a national headquarters designee.
CONTINUOUS_CAP_DAYS = 120


@dataclass(frozen=True)
class Period:
    """One approved stretch of an order: [starts_at, ends_at)."""

    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        if self.ends_at <= self.starts_at:
            raise ValueError("a period must end after it starts")

    def covers(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


def max_period_days(grounds: Grounds, policy: Policy) -> int:
    """MC-PERIOD: 30 days, or the policy's longer period for fugitive and national security."""
    if grounds is Grounds.FUGITIVE:
        return policy.fugitive_period_days
    if grounds is Grounds.NATIONAL_SECURITY:
        return policy.national_security_period_days
    return STANDARD_PERIOD_DAYS


def max_extension_days(grounds: Grounds, policy: Policy) -> int:
    """MC-EXTENSION: extensions come in 30-day periods, 60 for fugitives (policy)."""
    if grounds is Grounds.FUGITIVE:
        return policy.fugitive_extension_days
    return STANDARD_PERIOD_DAYS


def first_period(now: datetime, days: int) -> Period:
    """An approved request runs from the moment of approval for `days` days."""
    return Period(now, now + timedelta(days=days))


def next_period(current_end: datetime, days: int) -> Period:
    """An extension continues the order without a gap from its current end."""
    return Period(current_end, current_end + timedelta(days=days))


def continuous_span(starts_at: datetime, ends_at: datetime) -> timedelta:
    return ends_at - starts_at


def exceeds_continuous_cap(starts_at: datetime, ends_at: datetime) -> bool:
    """MC-120: would an order running from `starts_at` to `ends_at` pass 120 days?"""
    return continuous_span(starts_at, ends_at) > timedelta(days=CONTINUOUS_CAP_DAYS)


def check_granted_days(requested: int, granted: int) -> list[Violation]:
    """MC-PERIOD: an approver may shorten the period asked for, never lengthen it."""
    if 1 <= granted <= requested:
        return []
    return [
        Violation(
            "MC-PERIOD",
            "days",
            f"an approval may grant 1 to {requested} days, the period requested; not {granted}",
        )
    ]
