"""RR-NOTICE and RR-FINANCIAL in law/records.py: when the customer's notice may go out,
how long a court may hold it, and when financial records wait for the customer's time
to challenge."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mailcover.law.records import (
    Category,
    Delay,
    DelayKind,
    Instrument,
    check_delay,
    check_release,
    nondisclosure_recheck_due,
    notice_held_until,
    notice_may_go,
    release_after,
)

START = date(2026, 3, 2)
DAY = timedelta(days=1)


def delayed(starts_on: date, days: int) -> Delay:
    """A delayed-notice order of `days` days, its first and last day included."""
    return Delay(DelayKind.DELAYED_NOTICE, starts_on, starts_on + (days - 1) * DAY)


def nondisclosure(starts_on: date, ends_on: date | None = None) -> Delay:
    return Delay(DelayKind.NONDISCLOSURE, starts_on, ends_on)


# -- check_delay ---------------------------------------------------------------------


def test_rr_notice_a_delayed_notice_order_of_90_days_is_accepted() -> None:
    assert check_delay(delayed(START, 90)) == []


def test_rr_notice_a_delay_of_91_days_is_refused() -> None:
    [violation] = check_delay(delayed(START, 91))
    assert violation.rule == "RR-NOTICE"
    assert violation.field == "ends_on"
    assert "90 days" in violation.message


def test_rr_notice_a_one_day_delay_is_accepted() -> None:
    assert check_delay(delayed(START, 1)) == []


def test_rr_notice_a_delay_that_ends_before_it_starts_is_refused() -> None:
    for kind in DelayKind:
        [violation] = check_delay(Delay(kind, START, START - DAY))
        assert (violation.rule, violation.field) == ("RR-NOTICE", "ends_on")
        assert "ends before it starts" in violation.message


def test_rr_notice_a_delayed_notice_order_without_an_end_is_refused() -> None:
    [violation] = check_delay(Delay(DelayKind.DELAYED_NOTICE, START, None))
    assert (violation.rule, violation.field) == ("RR-NOTICE", "ends_on")


def test_rr_notice_a_nondisclosure_order_runs_for_the_period_the_court_sets() -> None:
    assert check_delay(nondisclosure(START, START + 400 * DAY)) == []
    assert check_delay(nondisclosure(START)) == []


# -- notice_held_until and notice_may_go --------------------------------------------


def test_rr_notice_without_an_order_the_notice_may_go_today() -> None:
    assert notice_held_until((), START) == START
    assert notice_may_go((), START)


def test_rr_notice_an_order_in_force_holds_the_notice_until_the_day_after_it_ends() -> None:
    order = delayed(START, 90)
    assert order.ends_on is not None
    for today in (START, START + 45 * DAY, order.ends_on):
        assert notice_held_until((order,), today) == order.ends_on + DAY
        assert not notice_may_go((order,), today)
    assert notice_may_go((order,), order.ends_on + DAY)


def test_rr_notice_a_renewal_that_follows_on_keeps_holding_it() -> None:
    first = delayed(START, 90)
    renewal = delayed(START + 90 * DAY, 90)
    assert renewal.ends_on is not None
    assert notice_held_until((first, renewal), START) == renewal.ends_on + DAY
    assert not notice_may_go((first, renewal), START + 90 * DAY)
    assert notice_may_go((first, renewal), renewal.ends_on + DAY)


def test_rr_notice_a_renewal_after_a_gap_comes_too_late_to_hold_it() -> None:
    first = delayed(START, 30)
    late = delayed(START + 31 * DAY, 30)  # one day free between the two orders
    assert notice_held_until((first, late), START) == START + 30 * DAY
    assert notice_may_go((first, late), START + 30 * DAY)


def test_rr_notice_an_order_that_ended_before_today_holds_nothing() -> None:
    assert notice_may_go((delayed(START, 10),), START + 10 * DAY)


def test_rr_notice_an_order_that_starts_after_today_holds_nothing_today() -> None:
    assert notice_held_until((delayed(START + DAY, 90),), START) == START


def test_rr_notice_an_open_ended_nondisclosure_order_holds_it_with_no_date() -> None:
    assert notice_held_until((nondisclosure(START),), START + 1000 * DAY) is None
    assert not notice_may_go((nondisclosure(START),), START + 1000 * DAY)


def test_rr_notice_an_open_ended_order_reached_through_a_chain_of_orders_holds_it() -> None:
    chain = (delayed(START, 90), nondisclosure(START + 60 * DAY))
    assert notice_held_until(chain, START) is None


def test_rr_notice_a_nondisclosure_order_with_an_end_releases_it_the_day_after() -> None:
    order = nondisclosure(START, START + 200 * DAY)
    assert notice_held_until((order,), START) == START + 201 * DAY


def test_rr_notice_the_order_in_which_the_orders_are_given_does_not_matter() -> None:
    orders = (delayed(START, 90), delayed(START + 90 * DAY, 90), nondisclosure(START, START))
    answers = {notice_held_until(p, START) for p in itertools.permutations(orders)}
    assert answers == {START + 180 * DAY}


@given(
    offsets=st.lists(st.tuples(st.integers(0, 400), st.integers(1, 90)), max_size=5),
    today=st.integers(0, 600),
)
def test_rr_notice_the_notice_may_go_exactly_when_no_order_holds_today(
    offsets: list[tuple[int, int]], today: int
) -> None:
    """An oracle: the notice may go on a day when no order chained from that day covers it."""
    orders = tuple(delayed(START + start * DAY, days) for start, days in offsets)
    day = START + today * DAY
    covered = any(o.starts_on <= day <= o.ends_on for o in orders if o.ends_on is not None)
    assert notice_may_go(orders, day) is not covered


# -- nondisclosure_recheck_due --------------------------------------------------------


def test_rr_notice_an_open_ended_nondisclosure_order_is_rechecked_at_one_year() -> None:
    assert nondisclosure_recheck_due(nondisclosure(date(2026, 3, 2))) == date(2027, 3, 2)


def test_rr_notice_orders_with_an_end_have_no_recheck() -> None:
    assert nondisclosure_recheck_due(nondisclosure(START, START + 30 * DAY)) is None
    assert nondisclosure_recheck_due(delayed(START, 90)) is None


# -- RR-FINANCIAL: release_after and check_release -----------------------------------

SUBPOENA = Instrument.FINANCIAL_ADMINISTRATIVE_SUBPOENA
FINANCIAL = (Category.FINANCIAL,)


def test_rr_financial_other_categories_do_not_wait() -> None:
    first = release_after(Instrument.WARRANT, (Category.CONTENT,), None, None, None)
    assert first == date.min


def test_rr_financial_a_search_warrant_or_customer_authorization_does_not_wait() -> None:
    for instrument in (
        Instrument.FINANCIAL_SEARCH_WARRANT,
        Instrument.FINANCIAL_CUSTOMER_AUTHORIZATION,
    ):
        assert release_after(instrument, FINANCIAL, None, None, None) == date.min


def test_rr_financial_served_notice_leaves_ten_whole_days_to_challenge() -> None:
    # Served on 1 March: the customer may file through 11 March (FRCP 6(a)(1)).
    assert release_after(SUBPOENA, FINANCIAL, date(2026, 3, 1), "served", None) == date(2026, 3, 12)


def test_rr_financial_mailed_notice_leaves_fourteen_whole_days_to_challenge() -> None:
    for instrument in (
        Instrument.FINANCIAL_JUDICIAL_SUBPOENA,
        Instrument.FINANCIAL_FORMAL_WRITTEN_REQUEST,
    ):
        first = release_after(instrument, FINANCIAL, date(2026, 3, 1), "mailed", None)
        assert first == date(2026, 3, 16)


def test_rr_financial_without_notice_or_a_court_delay_there_is_no_release_day() -> None:
    assert release_after(SUBPOENA, FINANCIAL, None, None, None) is None
    assert release_after(SUBPOENA, FINANCIAL, date(2026, 3, 1), "telephoned", None) is None


def test_rr_financial_a_court_delay_lets_the_release_go_first() -> None:
    assert release_after(SUBPOENA, FINANCIAL, None, None, START + 90 * DAY) == date.min


def test_rr_financial_release_without_notice_is_refused_naming_the_rule() -> None:
    [violation] = check_release(SUBPOENA, FINANCIAL, None, None, None, START)
    assert (violation.rule, violation.field) == ("RR-FINANCIAL", "notice")
    assert "3409" in violation.message


def test_rr_financial_release_on_the_last_day_to_challenge_is_refused() -> None:
    served = date(2026, 3, 1)
    [violation] = check_release(SUBPOENA, FINANCIAL, served, "served", None, date(2026, 3, 11))
    assert violation.rule == "RR-FINANCIAL"
    assert "until 2026-03-11" in violation.message
    assert "from 2026-03-12" in violation.message
    assert check_release(SUBPOENA, FINANCIAL, served, "served", None, date(2026, 3, 12)) == []


@given(
    served=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    method=st.sampled_from(["served", "mailed"]),
    after=st.integers(0, 30),
)
def test_rr_financial_the_customer_keeps_every_day_of_the_challenge_period(
    served: date, method: str, after: int
) -> None:
    period = {"served": 10, "mailed": 14}[method]
    today = served + after * DAY
    refused = check_release(SUBPOENA, FINANCIAL, served, method, None, today) != []
    assert refused is (after <= period)
