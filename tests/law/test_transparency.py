"""SEC-PUBLIC-PERIOD: which periods the public transparency report may cover."""

from __future__ import annotations

from datetime import date

import pytest

from mailcover.law.transparency import (
    CalendarPeriod,
    Span,
    calendar_period,
    check_public_period,
    closed_periods,
    latest_closed_quarter,
)

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("period", "start", "end", "label"),
    [
        (CalendarPeriod(2026, Span.QUARTER, 1), date(2026, 1, 1), date(2026, 3, 31), "2026 Q1"),
        (CalendarPeriod(2024, Span.QUARTER, 1), date(2024, 1, 1), date(2024, 3, 31), "2024 Q1"),
        (CalendarPeriod(2026, Span.QUARTER, 3), date(2026, 7, 1), date(2026, 9, 30), "2026 Q3"),
        (CalendarPeriod(2026, Span.HALF, 2), date(2026, 7, 1), date(2026, 12, 31), "2026 H2"),
        (CalendarPeriod(2026, Span.YEAR), date(2026, 1, 1), date(2026, 12, 31), "2026"),
    ],
)
def test_a_calendar_period_runs_from_its_first_to_its_last_day(
    period: CalendarPeriod, start: date, end: date, label: str
) -> None:
    assert (period.start, period.end, period.label) == (start, end, label)
    assert calendar_period(start, end) == period


def test_a_half_is_two_quarters_and_a_year_four() -> None:
    assert [q.label for q in CalendarPeriod(2026, Span.HALF, 2).quarters()] == [
        "2026 Q3",
        "2026 Q4",
    ]
    assert len(CalendarPeriod(2026, Span.YEAR).quarters()) == 4


def test_there_is_no_fifth_quarter() -> None:
    with pytest.raises(ValueError, match="no quarter 5"):
        CalendarPeriod(2026, Span.QUARTER, 5)


def test_sec_public_period_a_closed_quarter_half_and_year_are_public() -> None:
    assert check_public_period(date(2026, 7, 1), date(2026, 9, 30), TODAY) == []
    assert check_public_period(date(2026, 1, 1), date(2026, 6, 30), TODAY) == []
    assert check_public_period(date(2025, 1, 1), date(2025, 12, 31), TODAY) == []


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 7, 1), date(2026, 10, 1)),  # a quarter and a day: the differencer's pair
        (date(2026, 7, 2), date(2026, 9, 30)),
        (date(2026, 2, 1), date(2026, 4, 30)),  # three months, not a quarter
        (date(2025, 7, 1), date(2026, 6, 30)),  # a year, not a calendar year
        (date(2026, 9, 30), date(2026, 9, 30)),  # one day
    ],
)
def test_sec_public_period_any_other_period_is_refused_naming_the_periods_allowed(
    start: date, end: date
) -> None:
    (refused,) = check_public_period(start, end, TODAY)

    assert refused.rule == "SEC-PUBLIC-PERIOD"
    assert "not a calendar quarter, half-year or year" in refused.message
    assert "quarter=1-4" in refused.message


def test_sec_public_period_a_period_still_running_is_refused_until_the_day_after_it_ends() -> None:
    q4, year = (date(2026, 10, 1), date(2026, 12, 31)), (date(2026, 1, 1), date(2026, 12, 31))

    (refused,) = check_public_period(*q4, TODAY)

    assert "2026 Q4 has not ended; it is published from 2027-01-01" in refused.message
    assert check_public_period(*year, TODAY)[0].rule == "SEC-PUBLIC-PERIOD"
    assert check_public_period(*q4, date(2026, 12, 31)) != []  # its last day: still open
    assert check_public_period(*q4, date(2027, 1, 1)) == []


def test_the_public_sees_the_last_closed_quarter_first() -> None:
    assert latest_closed_quarter(TODAY).label == "2026 Q3"
    assert latest_closed_quarter(date(2027, 1, 1)).label == "2026 Q4"
    assert latest_closed_quarter(date(2027, 3, 31)).label == "2026 Q4"


def test_the_closed_periods_of_a_year_are_offered_year_first() -> None:
    assert [p.label for p in closed_periods(2026, TODAY)] == [
        "2026 H1",
        "2026 Q1",
        "2026 Q2",
        "2026 Q3",
    ]
    assert [p.label for p in closed_periods(2025, TODAY)][:3] == ["2025", "2025 H1", "2025 H2"]
    assert closed_periods(2027, TODAY) == []
