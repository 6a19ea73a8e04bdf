"""An order's status at any moment (law/orders.py): MC-NO-ORDER-NO-DATA, MC-EMERGENCY,
MC-INDICTMENT, MC-IMPROPER, MC-120."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mailcover.law.orders import (
    EMERGENCY_CONFIRMATION_DAYS,
    OrderFacts,
    confirmation_deadline,
    confirmed_in_time,
    in_force,
    may_record,
    order_status,
    over_continuous_cap,
    releases_nothing,
)
from mailcover.law.periods import Period, first_period, next_period
from mailcover.law.terms import Grounds, OrderStatus

START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
END = START + timedelta(days=30)
DEADLINE = START + timedelta(days=3)
MICROSECOND = timedelta(microseconds=1)
DAY = timedelta(days=1)


def order(
    grounds: Grounds = Grounds.CRIME, days: int = 30, **events: datetime | None
) -> OrderFacts:
    return OrderFacts(grounds=grounds, periods=(first_period(START, days),), **events)


def emergency_order(**events: datetime | None) -> OrderFacts:
    return order(Grounds.CRIME, 30, emergency_requested_at=START, **events)


# The facts of an order


def test_an_order_has_at_least_one_approved_period() -> None:
    with pytest.raises(ValueError, match="at least one"):
        OrderFacts(grounds=Grounds.CRIME, periods=())


def test_an_orders_periods_follow_each_other_without_a_gap() -> None:
    first = first_period(START, 30)
    gap = Period(first.ends_at + DAY, first.ends_at + 31 * DAY)
    with pytest.raises(ValueError, match="without a gap"):
        OrderFacts(grounds=Grounds.CRIME, periods=(first, gap))


def test_an_order_runs_from_its_first_periods_start_to_its_last_periods_end() -> None:
    first = first_period(START, 30)
    second = next_period(first.ends_at, 30)
    facts = OrderFacts(grounds=Grounds.CRIME, periods=(first, second))
    assert facts.starts_at == START
    assert facts.ends_at == START + 60 * DAY
    assert not facts.emergency


# MC-NO-ORDER-NO-DATA


def test_mc_no_order_no_data_nothing_is_recorded_before_the_order_starts() -> None:
    facts = order()
    assert order_status(facts, START - MICROSECOND) is OrderStatus.SCHEDULED
    assert not in_force(facts, START - MICROSECOND)


def test_mc_no_order_no_data_an_order_is_in_force_from_its_start() -> None:
    facts = order()
    assert order_status(facts, START) is OrderStatus.ACTIVE
    assert in_force(facts, START)
    assert in_force(facts, END - MICROSECOND)


def test_mc_no_order_no_data_nothing_is_recorded_from_the_moment_the_order_ends() -> None:
    facts = order()
    assert order_status(facts, END) is OrderStatus.ENDED
    assert not in_force(facts, END)
    assert not in_force(facts, END + 365 * DAY)


def test_mc_no_order_no_data_an_extended_order_stays_in_force_across_the_seam() -> None:
    first = first_period(START, 30)
    facts = OrderFacts(grounds=Grounds.CRIME, periods=(first, next_period(first.ends_at, 30)))
    assert in_force(facts, first.ends_at)
    assert not in_force(facts, facts.ends_at)


def test_mc_no_order_no_data_a_piece_is_recorded_only_while_the_order_is_in_force() -> None:
    facts = order()
    assert may_record(facts, START, START + DAY)
    assert not may_record(facts, START - MICROSECOND, START + DAY)  # scanned before it
    assert not may_record(facts, END, END)  # scanned after it


def test_mc_no_order_no_data_nothing_scanned_in_the_window_is_recorded_after_the_end() -> None:
    # The piece was scanned in time, but reaches mailcover after the order ended.
    assert not may_record(order(), END - MICROSECOND, END)


def test_mc_no_order_no_data_nothing_is_recorded_once_the_order_is_ruled_improper() -> None:
    facts = order(improper_at=START + 2 * DAY)
    assert not may_record(facts, START + DAY, START + 3 * DAY)


def test_mc_no_order_no_data_an_ended_order_releases_what_it_holds() -> None:
    # Ending is not a sanction: the order's lawful captures may still be reported.
    assert not releases_nothing(order(), END + DAY)


# MC-EMERGENCY


def test_mc_emergency_confirmation_is_due_3_calendar_days_after_the_oral_request() -> None:
    assert EMERGENCY_CONFIRMATION_DAYS == 3
    assert confirmation_deadline(emergency_order()) == DEADLINE


def test_mc_emergency_an_ordinary_order_has_nothing_to_confirm() -> None:
    facts = order()
    assert confirmation_deadline(facts) is None
    assert confirmed_in_time(facts)


def test_mc_emergency_an_unconfirmed_order_is_in_force_until_its_deadline() -> None:
    facts = emergency_order()
    assert facts.emergency
    assert in_force(facts, DEADLINE)
    assert not releases_nothing(facts, DEADLINE)


def test_mc_emergency_an_unconfirmed_order_stops_capturing_after_its_deadline() -> None:
    facts = emergency_order()
    after = DEADLINE + MICROSECOND
    assert order_status(facts, after) is OrderStatus.SUSPENDED
    assert not in_force(facts, after)
    assert releases_nothing(facts, after)


def test_mc_emergency_an_unconfirmed_order_releases_nothing_even_after_it_ends() -> None:
    facts = emergency_order()
    assert order_status(facts, END + DAY) is OrderStatus.SUSPENDED
    assert releases_nothing(facts, END + DAY)


def test_mc_emergency_an_order_confirmed_on_the_deadline_stays_in_force() -> None:
    facts = emergency_order(confirmed_at=DEADLINE)
    assert confirmed_in_time(facts)
    assert in_force(facts, DEADLINE + DAY)
    assert order_status(facts, END) is OrderStatus.ENDED


def test_mc_emergency_a_confirmation_after_the_deadline_does_not_revive_the_order() -> None:
    facts = emergency_order(confirmed_at=DEADLINE + MICROSECOND)
    assert not confirmed_in_time(facts)
    assert order_status(facts, DEADLINE + DAY) is OrderStatus.SUSPENDED
    assert not in_force(facts, DEADLINE + DAY)


def test_mc_emergency_an_unconfirmed_order_releases_nothing_even_once_indicted() -> None:
    # TERMINATED outranks SUSPENDED as a status; it must not unlock unconfirmed captures.
    facts = emergency_order(indicted_at=START + 10 * DAY)
    assert order_status(facts, START + 11 * DAY) is OrderStatus.TERMINATED
    assert releases_nothing(facts, START + 11 * DAY)
    indicted_early = emergency_order(indicted_at=START + DAY)
    assert not releases_nothing(indicted_early, DEADLINE)
    assert releases_nothing(indicted_early, DEADLINE + MICROSECOND)


def test_mc_emergency_a_confirmed_order_terminated_by_indictment_may_release() -> None:
    facts = emergency_order(confirmed_at=START + DAY, indicted_at=START + 10 * DAY)
    assert not releases_nothing(facts, START + 11 * DAY)


# MC-INDICTMENT


@pytest.mark.parametrize(
    "grounds",
    [Grounds.CRIME, Grounds.POSTAL_STATUTE, Grounds.FORFEITURE, Grounds.NATIONAL_SECURITY],
    ids=str,
)
def test_mc_indictment_ends_a_non_fugitive_order_at_the_indictment(grounds: Grounds) -> None:
    indicted = START + 10 * DAY
    facts = order(grounds, indicted_at=indicted)
    assert in_force(facts, indicted - MICROSECOND)
    assert order_status(facts, indicted) is OrderStatus.TERMINATED
    assert not in_force(facts, indicted)
    assert order_status(facts, END + DAY) is OrderStatus.TERMINATED


def test_mc_indictment_does_not_end_a_fugitive_order() -> None:
    indicted = START + 10 * DAY
    facts = order(Grounds.FUGITIVE, days=60, indicted_at=indicted)
    assert order_status(facts, indicted) is OrderStatus.ACTIVE
    assert in_force(facts, indicted + 20 * DAY)


def test_mc_indictment_a_terminated_order_may_still_release_its_lawful_captures() -> None:
    facts = order(indicted_at=START + DAY)
    assert not releases_nothing(facts, START + 2 * DAY)


# MC-IMPROPER


def test_mc_improper_an_order_ruled_improper_is_improper_from_the_ruling_on() -> None:
    ruled = START + 5 * DAY
    facts = order(improper_at=ruled)
    assert in_force(facts, ruled - MICROSECOND)
    assert order_status(facts, ruled) is OrderStatus.IMPROPER
    assert order_status(facts, END + 1000 * DAY) is OrderStatus.IMPROPER
    assert releases_nothing(facts, ruled)
    assert not in_force(facts, ruled)


def test_mc_improper_status_improper_wins_over_indictment_and_suspension() -> None:
    facts = emergency_order(indicted_at=START + DAY, improper_at=START + 5 * DAY)
    assert order_status(facts, START + 2 * DAY) is OrderStatus.TERMINATED
    assert order_status(facts, START + 5 * DAY) is OrderStatus.IMPROPER


def test_mc_improper_status_improper_wins_over_an_ended_order() -> None:
    facts = order(improper_at=END + 10 * DAY)
    assert order_status(facts, END + DAY) is OrderStatus.ENDED
    assert order_status(facts, END + 10 * DAY) is OrderStatus.IMPROPER
    assert releases_nothing(facts, END + 10 * DAY)


# MC-120


def test_mc_120_an_order_of_four_30_day_periods_is_within_the_cap() -> None:
    periods = [first_period(START, 30)]
    for _ in range(3):
        periods.append(next_period(periods[-1].ends_at, 30))
    assert not over_continuous_cap(OrderFacts(grounds=Grounds.CRIME, periods=tuple(periods)))


def test_mc_120_an_order_of_five_30_day_periods_runs_past_the_cap() -> None:
    periods = [first_period(START, 30)]
    for _ in range(4):
        periods.append(next_period(periods[-1].ends_at, 30))
    assert over_continuous_cap(OrderFacts(grounds=Grounds.CRIME, periods=tuple(periods)))


def test_an_order_ruled_improper_can_take_no_further_event() -> None:
    from datetime import UTC, datetime, timedelta

    from mailcover.law.orders import OrderFacts, events_possible
    from mailcover.law.periods import Period
    from mailcover.law.terms import Grounds

    start = datetime(2026, 1, 1, tzinfo=UTC)
    order = OrderFacts(
        Grounds.CRIME,
        (Period(start, start + timedelta(days=30)),),
        improper_at=start + timedelta(days=3),
    )
    assert events_possible(order, start + timedelta(days=4)) == frozenset()


def test_an_ended_order_can_only_still_be_ruled_improper() -> None:
    from datetime import UTC, datetime, timedelta

    from mailcover.law.orders import OrderEvent, OrderFacts, events_possible
    from mailcover.law.periods import Period
    from mailcover.law.terms import Grounds

    start = datetime(2026, 1, 1, tzinfo=UTC)
    order = OrderFacts(Grounds.CRIME, (Period(start, start + timedelta(days=30)),))
    assert events_possible(order, start + timedelta(days=31)) == {OrderEvent.IMPROPER_RULING}
    assert OrderEvent.EXTENSION in events_possible(order, start + timedelta(days=1))
    assert OrderEvent.CONFIRMATION not in events_possible(order, start + timedelta(days=1))


def test_mc_emergency_an_unconfirmed_emergency_order_in_force_offers_its_confirmation() -> None:
    from datetime import UTC, datetime, timedelta

    from mailcover.law.orders import OrderEvent, OrderFacts, events_possible
    from mailcover.law.periods import Period
    from mailcover.law.terms import Grounds

    start = datetime(2026, 1, 1, tzinfo=UTC)
    order = OrderFacts(
        Grounds.CRIME, (Period(start, start + timedelta(days=30)),), emergency_requested_at=start
    )
    assert OrderEvent.CONFIRMATION in events_possible(order, start + timedelta(days=1))
