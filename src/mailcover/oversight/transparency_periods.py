"""The period a transparency report is asked for, and the report a reader may have of it.

Shared by the page, the API and the command line: a calendar period (`year` with
`quarter` or `half`, or the year alone) or `start` and `end`; the public only for a
closed calendar period (SEC-PUBLIC-PERIOD, law.transparency), oversight for any.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mailcover.law.errors import refuse_if
from mailcover.law.roles import Action, may
from mailcover.law.terms import Role
from mailcover.law.transparency import (
    CalendarPeriod,
    Span,
    calendar_period,
    check_public_period,
    latest_closed_quarter,
)
from mailcover.oversight import transparency
from mailcover.oversight.transparency import (
    EARLIEST,
    LATEST,
    PeriodError,
    TransparencyReport,
    Version,
)


@dataclass(frozen=True)
class Asked:
    """A period as a query string or the command line gives it; None: not given."""

    start: str | None = None
    end: str | None = None
    year: str | None = None
    quarter: str | None = None
    half: str | None = None


def asked_from(query: object) -> Asked:
    """The period fields of a query string (a QueryDict, or any mapping with .get)."""
    get = query.get  # type: ignore[attr-defined]
    return Asked(*(get(name) or None for name in ("start", "end", "year", "quarter", "half")))


def period_of(asked: Asked, today: date, *, public: bool) -> tuple[date, date]:
    """The first and last day asked for. Nothing asked: for the public, the last closed
    quarter; for oversight, the year to date. PeriodError names a field to correct."""
    calendar = asked.year or asked.quarter or asked.half
    if calendar and (asked.start or asked.end):
        raise PeriodError("year", "give year (with quarter or half) or start and end, not both")
    if calendar:
        period = _calendar(asked)
        return period.start, period.end
    if asked.start or asked.end or not public:
        return transparency.parse_period(asked.start, asked.end, today)
    latest = latest_closed_quarter(today)
    return latest.start, latest.end


def _calendar(asked: Asked) -> CalendarPeriod:
    if not asked.year:
        raise PeriodError("year", "a quarter or a half is of a year: give year=YYYY too")
    if asked.quarter and asked.half:
        raise PeriodError("half", "give a quarter or a half, not both")
    year = _number("year", asked.year, EARLIEST.year, LATEST.year)
    if asked.quarter:
        return CalendarPeriod(year, Span.QUARTER, _number("quarter", asked.quarter, 1, 4))
    if asked.half:
        return CalendarPeriod(year, Span.HALF, _number("half", asked.half, 1, 2))
    return CalendarPeriod(year, Span.YEAR)


def _number(field: str, text: str, lowest: int, highest: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise PeriodError(field, f"{text[:40]!r} is not a whole number") from None
    if not lowest <= value <= highest:
        raise PeriodError(field, f"must be from {lowest} to {highest}")
    return value


def report_for(
    roles: frozenset[Role], start: date, end: date, version: Version, today: date
) -> TransparencyReport:
    """The report of `start` to `end` in `version`, as this reader may have it.
    SEC-PUBLIC-PERIOD: anyone but oversight is refused a period that is not a closed
    calendar quarter, half or year (RuleBroken naming the periods allowed)."""
    if not may(roles, Action.VIEW_OVERSIGHT):
        refuse_if(check_public_period(start, end, today))
    exact = transparency.build_report(start, end)
    if version is Version.INTERNAL:
        return exact
    return public_report(exact)


def public_report(exact: TransparencyReport) -> TransparencyReport:
    """The public version; for a half or a year, suppressed with its quarters' exact
    reports, so that no figure the quarters hide comes out of it."""
    period = calendar_period(exact.start, exact.end)
    if period is None or period.span is Span.QUARTER:
        return transparency.public_version(exact)
    quarters = [transparency.build_report(q.start, q.end) for q in period.quarters()]
    return transparency.public_version(exact, quarters)
