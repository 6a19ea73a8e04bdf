"""When an order is due for its periodic review (law/reviews.py): MC-REVIEW.

Who may review is decided in law/authority.py and tested in test_authority.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mailcover.law.orders import OrderFacts
from mailcover.law.periods import Period
from mailcover.law.reviews import review_due_at, review_overdue
from mailcover.law.terms import DEFAULT_POLICY, Grounds, Policy

START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
MICROSECOND = timedelta(microseconds=1)


def order(days: int, **events: datetime) -> OrderFacts:
    """An order approved to run `days` days from START (extensions folded into one period)."""
    return OrderFacts(grounds=Grounds.CRIME, periods=(Period(START, START + days * DAY),), **events)


def test_mc_review_an_unreviewed_order_is_due_a_year_after_it_starts() -> None:
    assert review_due_at(order(30), None, DEFAULT_POLICY) == START + 365 * DAY


def test_mc_review_a_reviewed_order_is_due_again_a_year_after_its_last_review() -> None:
    reviewed = START + 10 * DAY
    assert review_due_at(order(30), reviewed, DEFAULT_POLICY) == reviewed + 365 * DAY


def test_mc_review_the_review_interval_is_policy() -> None:
    assert review_due_at(order(30), None, Policy(review_interval_days=14)) == START + 14 * DAY


def test_mc_review_an_order_of_exactly_120_days_is_not_pulled_forward() -> None:
    assert review_due_at(order(120), None, DEFAULT_POLICY) == START + 365 * DAY


def test_mc_review_an_order_running_past_120_days_is_due_before_it_passes_them() -> None:
    assert review_due_at(order(150), None, DEFAULT_POLICY) == START + 120 * DAY


def test_mc_review_an_early_review_does_not_count_as_the_review_before_120_days() -> None:
    early = START + 80 * DAY
    assert review_due_at(order(150), early, DEFAULT_POLICY) == START + 120 * DAY


@pytest.mark.parametrize("day", [90, 100, 119])
def test_mc_review_a_review_in_the_30_days_before_the_cap_counts(day: int) -> None:
    reviewed = START + day * DAY
    assert review_due_at(order(150), reviewed, DEFAULT_POLICY) == reviewed + 365 * DAY


def test_mc_review_a_shorter_interval_still_wins_over_the_120_day_review() -> None:
    policy = Policy(review_interval_days=60)
    assert review_due_at(order(150), None, policy) == START + 60 * DAY


def test_mc_review_an_active_order_past_its_due_date_is_overdue() -> None:
    facts = order(400)
    due = START + 120 * DAY
    assert not review_overdue(facts, None, due, DEFAULT_POLICY)
    assert review_overdue(facts, None, due + MICROSECOND, DEFAULT_POLICY)


def test_mc_review_a_review_clears_the_overdue_order() -> None:
    facts = order(400)
    now = START + 130 * DAY
    assert review_overdue(facts, None, now, DEFAULT_POLICY)
    assert not review_overdue(facts, START + 125 * DAY, now, DEFAULT_POLICY)


def test_mc_review_a_long_order_is_overdue_a_year_after_its_last_review() -> None:
    facts = order(800)
    reviewed = START + 100 * DAY
    assert not review_overdue(facts, reviewed, reviewed + 365 * DAY, DEFAULT_POLICY)
    assert review_overdue(facts, reviewed, reviewed + 366 * DAY, DEFAULT_POLICY)


@pytest.mark.parametrize(
    "facts",
    [
        order(400, improper_at=START + 10 * DAY),
        order(400, indicted_at=START + 10 * DAY),
        order(150),
    ],
    ids=["improper", "terminated", "ended"],
)
def test_mc_review_an_order_no_longer_running_is_never_overdue(facts: OrderFacts) -> None:
    assert not review_overdue(facts, None, START + 200 * DAY, DEFAULT_POLICY)
