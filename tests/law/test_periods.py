"""How long an order runs (law/periods.py): MC-PERIOD, MC-EXTENSION, MC-120."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mailcover.law.periods import (
    CONTINUOUS_CAP_DAYS,
    STANDARD_PERIOD_DAYS,
    Period,
    continuous_span,
    exceeds_continuous_cap,
    first_period,
    max_extension_days,
    max_period_days,
    next_period,
)
from mailcover.law.terms import DEFAULT_POLICY, Grounds, Policy

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def test_the_law_fixes_the_standard_period_at_30_days_and_the_cap_at_120() -> None:
    assert STANDARD_PERIOD_DAYS == 30
    assert CONTINUOUS_CAP_DAYS == 120


@pytest.mark.parametrize(
    ("grounds", "days"),
    [
        (Grounds.CRIME, 30),
        (Grounds.POSTAL_STATUTE, 30),
        (Grounds.FORFEITURE, 30),
        (Grounds.FUGITIVE, 60),
        (Grounds.NATIONAL_SECURITY, 60),
    ],
    ids=str,
)
def test_mc_period_an_order_runs_30_days_except_fugitive_and_national_security(
    grounds: Grounds, days: int
) -> None:
    assert max_period_days(grounds, DEFAULT_POLICY) == days


def test_mc_period_the_longer_periods_are_policy_and_follow_the_settings() -> None:
    policy = Policy(fugitive_period_days=75, national_security_period_days=90)
    assert max_period_days(Grounds.FUGITIVE, policy) == 75
    assert max_period_days(Grounds.NATIONAL_SECURITY, policy) == 90
    assert max_period_days(Grounds.CRIME, policy) == 30


@pytest.mark.parametrize(
    ("grounds", "days"),
    [
        (Grounds.CRIME, 30),
        (Grounds.POSTAL_STATUTE, 30),
        (Grounds.FORFEITURE, 30),
        (Grounds.NATIONAL_SECURITY, 30),
        (Grounds.FUGITIVE, 60),
    ],
    ids=str,
)
def test_mc_extension_extensions_come_in_30_day_periods_and_60_for_fugitives(
    grounds: Grounds, days: int
) -> None:
    assert max_extension_days(grounds, DEFAULT_POLICY) == days


def test_mc_extension_the_fugitive_extension_is_policy() -> None:
    assert max_extension_days(Grounds.FUGITIVE, Policy(fugitive_extension_days=45)) == 45


def test_mc_period_an_approved_request_runs_from_the_moment_of_approval() -> None:
    period = first_period(NOW, 30)
    assert period.starts_at == NOW
    assert period.ends_at == NOW + timedelta(days=30)


def test_mc_extension_the_next_period_follows_the_current_end_without_a_gap() -> None:
    end = NOW + timedelta(days=30)
    period = next_period(end, 30)
    assert period == Period(end, end + timedelta(days=30))


@pytest.mark.parametrize("days", [0, -1])
def test_a_period_must_end_after_it_starts(days: int) -> None:
    with pytest.raises(ValueError, match="end after it starts"):
        first_period(NOW, days)


def test_a_period_covers_its_start_but_not_its_end() -> None:
    period = first_period(NOW, 1)
    assert not period.covers(NOW - MICROSECOND)
    assert period.covers(NOW)
    assert period.covers(period.ends_at - MICROSECOND)
    assert not period.covers(period.ends_at)


def test_the_continuous_span_is_the_time_from_start_to_end() -> None:
    assert continuous_span(NOW, NOW + timedelta(days=90)) == timedelta(days=90)


def test_mc_120_an_order_of_exactly_120_days_stays_within_the_cap() -> None:
    assert not exceeds_continuous_cap(NOW, NOW + timedelta(days=120))


def test_mc_120_an_order_a_moment_past_120_days_exceeds_the_cap() -> None:
    assert exceeds_continuous_cap(NOW, NOW + timedelta(days=120) + MICROSECOND)


def test_mc_period_an_approval_may_grant_fewer_days_than_asked_but_not_more() -> None:
    from mailcover.law.periods import check_granted_days

    assert check_granted_days(30, 21) == []
    assert check_granted_days(30, 30) == []
    assert [(v.rule, v.field) for v in check_granted_days(30, 31)] == [("MC-PERIOD", "days")]
    assert [(v.rule, v.field) for v in check_granted_days(30, 0)] == [("MC-PERIOD", "days")]
