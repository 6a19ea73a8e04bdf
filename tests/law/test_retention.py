"""law.retention: when a cover's data and a production's kept copy are destroyed
(MC-RETENTION, MC-IMPROPER)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mailcover.law.orders import OrderFacts
from mailcover.law.periods import Period
from mailcover.law.retention import (
    Reason,
    cover_destroy_after,
    cover_due,
    production_destroy_after,
    production_due,
    years_after,
)
from mailcover.law.terms import Grounds, Policy

START = datetime(2026, 1, 5, tzinfo=UTC)
END = START + timedelta(days=30)


def facts(**changes: object) -> OrderFacts:
    return OrderFacts(Grounds.CRIME, (Period(START, END),), **changes)  # type: ignore[arg-type]


def test_mc_retention_a_covers_data_is_kept_8_years_from_its_end():
    assert cover_destroy_after(facts()) == datetime(2034, 2, 4, tzinfo=UTC)


def test_mc_retention_it_is_due_only_after_the_8_years():
    kept_until = cover_destroy_after(facts())
    assert cover_due(facts(), kept_until) is None
    assert cover_due(facts(), kept_until + timedelta(microseconds=1)) is Reason.RETENTION


def test_mc_retention_an_order_in_force_is_never_due():
    assert cover_due(facts(), START + timedelta(days=1)) is None
    assert cover_due(facts(), START - timedelta(days=1)) is None


def test_mc_retention_the_8_years_count_from_an_earlier_indictment():
    indicted = START + timedelta(days=10)
    assert cover_destroy_after(facts(indicted_at=indicted)) == years_after(indicted, 8)


def test_mc_retention_29_february_falls_to_28_february_in_a_common_year():
    # 2100 is not a leap year (a century not divisible by 400).
    assert years_after(datetime(2092, 2, 29, tzinfo=UTC), 8) == datetime(2100, 2, 28, tzinfo=UTC)
    assert years_after(datetime(2028, 2, 29, tzinfo=UTC), 8) == datetime(2036, 2, 29, tzinfo=UTC)


def test_mc_improper_an_improper_orders_data_is_due_at_once():
    ruled = START + timedelta(days=3)
    assert cover_due(facts(improper_at=ruled), ruled) is Reason.IMPROPER
    assert cover_due(facts(improper_at=ruled), ruled - timedelta(seconds=1)) is None


def test_a_production_is_kept_for_its_policy_period_then_due():
    made = datetime(2026, 3, 1, tzinfo=UTC)
    policy = Policy(production_retention_days=10)
    assert production_destroy_after(made, policy) == made + timedelta(days=10)
    assert not production_due(made, policy, made + timedelta(days=10))
    assert production_due(made, policy, made + timedelta(days=10, seconds=1))
    assert Policy().production_retention_days == 1827
