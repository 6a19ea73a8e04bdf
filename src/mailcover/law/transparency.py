"""SEC-PUBLIC-PERIOD: the public transparency report covers closed calendar periods only.

Were any start and end allowed, two requests a day apart would give the exact count of
one day by subtraction, and no banding of small counts would survive. So the public may
read a calendar quarter, half-year or year, and only once it has ended (the day after its
last day): a period still running would change from one day to the next, the same
subtraction in time. Oversight reads any period, exactly. These periods nest (two
quarters make a half, two halves a year), and the public version is suppressed across
them (oversight.transparency_suppression).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from mailcover.law.errors import Violation


class Span(StrEnum):
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"


_MONTHS = {Span.QUARTER: 3, Span.HALF: 6, Span.YEAR: 12}
_COUNT = {Span.QUARTER: 4, Span.HALF: 2, Span.YEAR: 1}


@dataclass(frozen=True)
class CalendarPeriod:
    """A calendar quarter (number 1 to 4), half-year (1 or 2) or year (1) of `year`."""

    year: int
    span: Span
    number: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.number <= _COUNT[self.span]:
            raise ValueError(f"a year has no {self.span} {self.number}")

    @property
    def start(self) -> date:
        return date(self.year, 1 + _MONTHS[self.span] * (self.number - 1), 1)

    @property
    def end(self) -> date:
        """The last day, included."""
        last_month = _MONTHS[self.span] * self.number
        if last_month == 12:
            return date(self.year, 12, 31)
        return date(self.year, last_month + 1, 1) - timedelta(days=1)

    @property
    def label(self) -> str:
        if self.span is Span.QUARTER:
            return f"{self.year} Q{self.number}"
        if self.span is Span.HALF:
            return f"{self.year} H{self.number}"
        return str(self.year)

    def quarters(self) -> tuple[CalendarPeriod, ...]:
        """The calendar quarters this period is made of (a quarter: none but itself)."""
        per = _MONTHS[self.span] // 3
        first = per * (self.number - 1) + 1
        return tuple(CalendarPeriod(self.year, Span.QUARTER, n) for n in range(first, first + per))

    def is_closed(self, today: date) -> bool:
        """Ended before `today`: its last day is past, so its counts of filings no longer grow."""
        return self.end < today


def calendar_period(start: date, end: date) -> CalendarPeriod | None:
    """The calendar quarter, half or year that runs exactly from `start` to `end`."""
    for span in (Span.QUARTER, Span.HALF, Span.YEAR):
        for number in range(1, _COUNT[span] + 1):
            period = CalendarPeriod(start.year, span, number)
            if (period.start, period.end) == (start, end):
                return period
    return None


ALLOWED = (
    "a closed calendar quarter, half-year or year: year=YYYY with quarter=1-4 or half=1-2, "
    "or the year alone (or start and end of one of them)"
)


def check_public_period(start: date, end: date, today: date) -> list[Violation]:
    """SEC-PUBLIC-PERIOD: whether the public may read the report from `start` to `end`,
    as of `today`."""
    period = calendar_period(start, end)
    if period is None:
        return [
            Violation(
                "SEC-PUBLIC-PERIOD",
                "period",
                f"{start} to {end} is not a calendar quarter, half-year or year; the public "
                f"report covers {ALLOWED}",
            )
        ]
    if not period.is_closed(today):
        return [
            Violation(
                "SEC-PUBLIC-PERIOD",
                "period",
                f"{period.label} has not ended; it is published from "
                f"{period.end + timedelta(days=1)}. The public report covers {ALLOWED}",
            )
        ]
    return []


def latest_closed_quarter(today: date) -> CalendarPeriod:
    """The last calendar quarter that ended before `today`: what the public sees first."""
    current = CalendarPeriod(today.year, Span.QUARTER, (today.month - 1) // 3 + 1)
    if current.number > 1:
        return CalendarPeriod(today.year, Span.QUARTER, current.number - 1)
    return CalendarPeriod(today.year - 1, Span.QUARTER, 4)


def closed_periods(year: int, today: date) -> list[CalendarPeriod]:
    """Every period of `year` the public may read as of `today`, year first."""
    every = [
        CalendarPeriod(year, span, number)
        for span in (Span.YEAR, Span.HALF, Span.QUARTER)
        for number in range(1, _COUNT[span] + 1)
    ]
    return [p for p in every if p.is_closed(today)]
