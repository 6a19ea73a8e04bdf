"""The transparency report: what the service did in a period, in aggregate counts only.

`build_report` counts from the database with aggregate queries; `public_version` makes
the figures anyone may read from the exact ones oversight reads. Each figure's counting
rule is in docs/transparency.md and is written once, in the query that computes it.
The report's moments are whole days in UTC, both ends included.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from django.db.models import Count, Q, QuerySet, Sum

from mailcover.covers.actions import Forbidden
from mailcover.covers.models import (
    AttorneyExclusion,
    CoverRequest,
    Decision,
    ImproperRuling,
    OrderPeriod,
    RequestKind,
)
from mailcover.law.records import Category, Instrument
from mailcover.law.roles import Action, may
from mailcover.law.terms import REQUESTING_LEVELS, Grounds, Role
from mailcover.oversight import transparency_suppression as suppression
from mailcover.oversight.transparency_suppression import (
    Cell,
    Covering,
    Layout,
    SumOf,
    suppress,
    suppress_parent,
)
from mailcover.records.models import CustomerNotice, NoticeDelay, RecordsDecision, RecordsRequest

# DESIGN.md: "the public version shows counts below 10 as the band "0-9"" (PUBLIC_THRESHOLD,
# BAND). A count of 0 is banded too: were zeros shown exactly, "0-9" would mean "at least
# one", and a reader would learn that a national-security cover (say) was placed at all.
# WITHHELD: a count hidden so that a banded one cannot be worked out from the others, in
# this report or in the other published reports of its year (transparency_suppression).
PUBLIC_THRESHOLD = suppression.PUBLIC_THRESHOLD
BAND = suppression.BAND
WITHHELD = suppression.WITHHELD

# A period longer than this is almost certainly a typing error (a year of 20256), and
# would only make the database count everything.
LONGEST_PERIOD_DAYS = 3653  # ten years
EARLIEST = date(1900, 1, 1)
LATEST = date(9998, 12, 30)  # the day after `end` must still be a date

# Total approved days per cover, in bands: a period is 30 days (60 for fugitive and
# national-security covers, MC-PERIOD), and 120 days is the cap without the Chief's
# approval (MC-120).
DURATION_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-120", 61, 120),
    ("121+", 121, None),
)

Shown = int | str
"""An exact count; in the public version also `BAND` or `WITHHELD`."""


class Version(StrEnum):
    INTERNAL = "internal"  # exact counts, for oversight
    PUBLIC = "public"  # small counts banded, for anyone


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"
    PDF = "pdf"


def _statistic() -> Any:
    """A field that is a statistic of counted cases, not a count: never banded, and left
    out of the public version unless enough cases stand behind it."""
    return field(default=None, metadata={"statistic": True})


@dataclass(frozen=True)
class Durations:
    """The total days approved per cover approved in the period (the first period and
    every approved extension), whatever ended it early."""

    bands: Mapping[str, Shown]
    median_days: float | None = _statistic()
    shortest_days: int | None = _statistic()
    longest_days: int | None = _statistic()


@dataclass(frozen=True)
class MailCovers:
    requested: Shown
    approved: Shown
    denied: Shown
    pending: Shown
    emergency: Shown
    extensions: Shown
    extensions_approved: Shown
    improper: Shown
    by_grounds: Mapping[str, Shown]
    by_agency_level: Mapping[str, Shown]
    attorney_pieces_excluded: Shown
    durations: Durations


@dataclass(frozen=True)
class RecordsRequests:
    received: Shown
    produced: Shown
    refused: Shown
    no_records: Shown
    pending: Shown
    emergency: Shown
    by_instrument: Mapping[str, Shown]
    by_category: Mapping[str, Shown]
    notices_sent: Shown
    notices_delayed: Shown


@dataclass(frozen=True)
class TransparencyReport:
    start: date
    end: date
    version: Version
    mail_covers: MailCovers
    records_requests: RecordsRequests


E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


# -- The period -------------------------------------------------------------------------


class PeriodError(ValueError):
    """A period that cannot be reported on; `field` names the input to correct."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def year_to_date(today: date) -> tuple[date, date]:
    """The default period: the current calendar year, to today."""
    return date(today.year, 1, 1), today


def parse_date(name: str, text: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(name, f"{text[:40]!r} is not a date; write YYYY-MM-DD") from None
    if not EARLIEST <= day <= LATEST:
        raise PeriodError(name, f"must be between {EARLIEST} and {LATEST}")
    return day


def parse_period(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """The period asked for; a side left out (or empty) defaults to the year to date."""
    default_start, default_end = year_to_date(today)
    first = parse_date("start", start) if start else default_start
    last = parse_date("end", end) if end else default_end
    return check_period(first, last)


def check_period(start: date, end: date) -> tuple[date, date]:
    if start > end:
        raise PeriodError("end", f"{end} is before start {start}; the end must not come first")
    if (end - start).days + 1 > LONGEST_PERIOD_DAYS:
        raise PeriodError("end", f"a report covers at most {LONGEST_PERIOD_DAYS} days (10 years)")
    return start, end


def parse_choice(name: str, text: str | None, choices: type[E], default: E) -> E:
    if not text:
        return default
    try:
        return choices(text.strip().lower())
    except ValueError:
        allowed = ", ".join(c.value for c in choices)
        raise PeriodError(name, f"{text[:40]!r} is not one of {allowed}") from None


def choose_version(roles: frozenset[Role], asked: Version | None) -> Version:
    """Oversight reads the exact figures (and may ask for the public ones); everyone else,
    signed in or not, the public version only."""
    oversight = may(roles, Action.VIEW_OVERSIGHT)
    if asked is None:
        return Version.INTERNAL if oversight else Version.PUBLIC
    if asked is Version.INTERNAL and not oversight:
        raise Forbidden(
            "the internal version (exact counts) is for the oversight role only; "
            "ask for version=public"
        )
    return asked


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00 UTC, the day after end 00:00 UTC): both days included."""
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )


# -- Counting ---------------------------------------------------------------------------


def build_report(start: date, end: date) -> TransparencyReport:
    """The exact figures of the period (the internal version)."""
    start, end = check_period(start, end)
    return TransparencyReport(
        start=start,
        end=end,
        version=Version.INTERNAL,
        mail_covers=_mail_covers(start, end),
        records_requests=_records_requests(start, end),
    )


def _grouped(rows: QuerySet[Any], key: str, every: list[str]) -> dict[str, int]:
    """Counts by `key`, with every possible value present (zero included)."""
    found = dict(rows.order_by().values_list(key).annotate(n=Count("pk")).values_list(key, "n"))
    return {value: found.get(value, 0) for value in every}


def _mail_covers(start: date, end: date) -> MailCovers:
    begins, ends = _window(start, end)
    filed = CoverRequest.objects.filter(filed_at__gte=begins, filed_at__lt=ends)
    # Requests are counted in the period they were filed in; their outcome is the decision
    # on record now, whenever it was made, so requested = approved + denied + pending.
    initial = filed.filter(kind=RequestKind.INITIAL)
    approved = Q(decision__outcome=Decision.Outcome.APPROVED)
    counts = initial.aggregate(
        requested=Count("pk"),
        approved=Count("pk", filter=approved),
        denied=Count("pk", filter=Q(decision__outcome=Decision.Outcome.DENIED)),
        pending=Count("pk", filter=Q(decision__isnull=True)),
        emergency=Count("pk", filter=Q(emergency=True)),
    )
    extensions = filed.filter(kind=RequestKind.EXTENSION).aggregate(
        extensions=Count("pk"), extensions_approved=Count("pk", filter=approved)
    )
    # MC-IMPROPER: a ruling is counted in the period it was made, whenever the cover began.
    improper = ImproperRuling.objects.filter(ruled_at__gte=begins, ruled_at__lt=ends).count()
    # MC-ATTORNEY: only the count of withheld pieces exists, per day of scanning.
    pieces = AttorneyExclusion.objects.filter(scanned_on__gte=start, scanned_on__lte=end)
    excluded = pieces.aggregate(n=Sum("pieces"))["n"] or 0
    return MailCovers(
        **counts,
        **extensions,
        improper=improper,
        by_grounds=_grouped(initial, "grounds", [g.value for g in Grounds]),
        by_agency_level=_grouped(initial, "agency__level", [lv.value for lv in REQUESTING_LEVELS]),
        attorney_pieces_excluded=excluded,
        durations=_durations(initial.filter(approved)),
    )


def _durations(approved: QuerySet[CoverRequest]) -> Durations:
    days: Counter[int] = Counter()
    # Every approved period of the covers these requests began: the first and each
    # approved extension (an extension's period exists only once it is approved).
    periods = OrderPeriod.objects.filter(order__request__in=approved).order_by()
    for order_id, starts_at, ends_at in periods.values_list("order_id", "starts_at", "ends_at"):
        days[order_id] += math.ceil((ends_at - starts_at).total_seconds() / 86400)
    totals = sorted(days.values())
    return Durations(
        bands={label: _in_band(totals, low, high) for label, low, high in DURATION_BANDS},
        median_days=float(statistics.median(totals)) if totals else None,
        shortest_days=totals[0] if totals else None,
        longest_days=totals[-1] if totals else None,
    )


def _in_band(values: list[int], low: int, high: int | None) -> int:
    return sum(1 for v in values if v >= low and (high is None or v <= high))


def _records_requests(start: date, end: date) -> RecordsRequests:
    begins, ends = _window(start, end)
    received = RecordsRequest.objects.filter(filed_at__gte=begins, filed_at__lt=ends)
    # As for covers: counted when filed, with the outcome on record now. The four outcomes
    # are exclusive, so received = produced + refused + no_records + pending.
    unproduced = Q(production__isnull=True)
    outcome = RecordsDecision.Outcome
    counts = received.aggregate(
        received=Count("pk"),
        produced=Count("pk", filter=~unproduced),
        refused=Count("pk", filter=unproduced & Q(decision__outcome=outcome.REFUSED)),
        no_records=Count("pk", filter=unproduced & Q(decision__outcome=outcome.NO_RECORDS)),
        pending=Count(
            "pk",
            filter=unproduced & (Q(decision__isnull=True) | Q(decision__outcome=outcome.APPROVED)),
        ),
        emergency=Count("pk", filter=Q(instrument=Instrument.EMERGENCY)),
    )
    return RecordsRequests(
        **counts,
        by_instrument=_grouped(received, "instrument", [i.value for i in Instrument]),
        by_category=_by_category(received),
        # RR-NOTICE: notices counted by the day they went out, whatever request they are for.
        notices_sent=CustomerNotice.objects.filter(sent_at__gte=begins, sent_at__lt=ends).count(),
        notices_delayed=_notices_delayed(start, end),
    )


def _by_category(received: QuerySet[RecordsRequest]) -> dict[str, int]:
    """Requests naming each category; one naming two counts in both. Counted here rather
    than in SQL: SQLite has no JSON containment lookup."""
    named: Counter[str] = Counter()
    for categories in received.order_by().values_list("categories", flat=True):
        named.update(set(categories))
    return {c.value: named[c.value] for c in Category}


def _notices_delayed(start: date, end: date) -> int:
    """RR-NOTICE: requests whose customer notice was held back by a delayed-notice or
    nondisclosure order in force on at least one day of the period."""
    in_force = NoticeDelay.objects.filter(starts_on__lte=end).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=start)
    )
    return in_force.order_by().values("request").distinct().count()


# -- The public version -----------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One row of the report: the CSV's row, the table's cell."""

    section: str  # "mail_covers", "mail_covers.durations", "records_requests"
    measure: str
    key: str  # the breakdown's key; "" for a single figure
    value: Shown | float | None
    statistic: bool = False

    @property
    def cell(self) -> Cell:
        return (self.section, self.measure, self.key)


def figures(report: TransparencyReport) -> list[Figure]:
    """Every figure of the report in its order, breakdowns one row per key."""
    return [
        *_figures_of(report.mail_covers, "mail_covers"),
        *_figures_of(report.records_requests, "records_requests"),
    ]


def _figures_of(part: Any, section: str) -> Iterator[Figure]:
    for f in fields(part):
        value = getattr(part, f.name)
        if is_dataclass(value):
            yield from _figures_of(value, f"{section}.{f.name}")
        elif isinstance(value, Mapping):
            for key, count in value.items():
                yield Figure(section, f.name, key, count)
        else:
            yield Figure(section, f.name, "", value, bool(f.metadata.get("statistic")))


def counts(report: TransparencyReport) -> dict[Cell, int]:
    """The report's exact counts by their place (statistics left out)."""
    return {f.cell: f.value for f in figures(report) if isinstance(f.value, int)}


def _layout() -> Layout:
    """What a reader knows of how the figures hang together, whatever their values: the
    sums docs/transparency.md states, and the bounds that follow from what is counted."""
    mc, rr, durations = "mail_covers", "records_requests", "mail_covers.durations"
    requested, approved = (mc, "requested", ""), (mc, "approved", "")
    received = (rr, "received", "")

    def keyed(section: str, measure: str, keys: Iterable[str]) -> tuple[Cell, ...]:
        return tuple((section, measure, k) for k in keys)

    return Layout(
        sums=(
            SumOf(requested, keyed(mc, "by_grounds", [g.value for g in Grounds])),
            SumOf(requested, keyed(mc, "by_agency_level", [lv.value for lv in REQUESTING_LEVELS])),
            SumOf(requested, tuple((mc, m, "") for m in ("approved", "denied", "pending"))),
            SumOf(approved, keyed(durations, "bands", [label for label, _, _ in DURATION_BANDS])),
            SumOf(received, keyed(rr, "by_instrument", [i.value for i in Instrument])),
            SumOf(received, tuple((rr, m, "") for m in _RECORDS_OUTCOMES)),
            # The same number twice: an emergency request is one made under the emergency
            # "instrument".
            SumOf((rr, "emergency", ""), ((rr, "by_instrument", Instrument.EMERGENCY.value),)),
        ),
        coverings=(Covering(received, keyed(rr, "by_category", [c.value for c in Category])),),
        at_most=(
            ((mc, "emergency", ""), requested),
            ((mc, "extensions_approved", ""), (mc, "extensions", "")),
        ),
    )


_RECORDS_OUTCOMES = ("produced", "refused", "no_records", "pending")
LAYOUT = _layout()


def hidden_cells(
    report: TransparencyReport, quarters: Sequence[TransparencyReport] = ()
) -> dict[Cell, str]:
    """Which exact counts the public version hides, and how (transparency_suppression):
    a quarter, or a period that is no calendar one, on its own; a half or a year, given
    the exact reports of its quarters, by what they hide."""
    if quarters:
        return suppress_parent(suppress(counts(q), LAYOUT) for q in quarters)
    return suppress(counts(report), LAYOUT)


def public_version(
    report: TransparencyReport, quarters: Sequence[TransparencyReport] = ()
) -> TransparencyReport:
    """The figures anyone may read: aggregate counts, none small enough to point at a
    case, none that the other published reports of its year give away. A half or a year
    is given the exact reports of its quarters. The shortest and longest cover are single
    cases and never shown; the median only when 10 covers or more stand behind it and
    every duration band is shown (it would otherwise tell in which band the middle cover
    lies)."""
    if report.version is Version.PUBLIC:
        return report
    hidden = hidden_cells(report, quarters)
    covers = _shown(report.mail_covers, "mail_covers", hidden)
    enough = isinstance(covers.approved, int) and covers.approved >= PUBLIC_THRESHOLD
    every_band = all(isinstance(v, int) for v in covers.durations.bands.values())
    durations = replace(
        covers.durations,
        median_days=covers.durations.median_days if enough and every_band else None,
        shortest_days=None,
        longest_days=None,
    )
    return replace(
        report,
        version=Version.PUBLIC,
        mail_covers=replace(covers, durations=durations),
        records_requests=_shown(report.records_requests, "records_requests", hidden),
    )


def version_for(report: TransparencyReport, version: Version) -> TransparencyReport:
    """`report` in `version`, suppressed on its own (a half or a year: public_report of
    transparency_periods, which has its quarters)."""
    return public_version(report) if version is Version.PUBLIC else report


def _shown(part: T, section: str, hidden: Mapping[Cell, str]) -> T:
    changes: dict[str, Any] = {}
    for f in fields(part):  # type: ignore[arg-type]
        value = getattr(part, f.name)
        if is_dataclass(value):
            changes[f.name] = _shown(value, f"{section}.{f.name}", hidden)
        elif isinstance(value, Mapping):
            changes[f.name] = {k: hidden.get((section, f.name, k), v) for k, v in value.items()}
        elif not f.metadata.get("statistic"):
            changes[f.name] = hidden.get((section, f.name, ""), value)
    return replace(part, **changes)  # type: ignore[type-var]


# -- Plain outputs ----------------------------------------------------------------------


def as_json(report: TransparencyReport) -> dict[str, Any]:
    """DESIGN.md's transparency report, with the period's dates as YYYY-MM-DD."""
    return {
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "version": report.version.value,
        "mail_covers": _json_of(report.mail_covers),
        "records_requests": _json_of(report.records_requests),
    }


def _json_of(part: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(part):
        value = getattr(part, f.name)
        out[f.name] = (
            _json_of(value)
            if is_dataclass(value)
            else dict(value)
            if isinstance(value, Mapping)
            else value
        )
    return out


CSV_HEADER = ("section", "measure", "key", "value", "label")


def as_csv(report: TransparencyReport) -> str:
    """One row per figure, after rows naming the period and the version. A statistic
    with nothing behind it (or not public) is an empty value. The first four columns are
    codes a program reads; `label` says the row in the words of the PDF and the page."""
    # Imported here: transparency_tables builds on this module.
    from mailcover.oversight.transparency_tables import figure_label

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerow(("report", "start", "", report.start.isoformat(), "First day (UTC)"))
    writer.writerow(("report", "end", "", report.end.isoformat(), "Last day (UTC)"))
    writer.writerow(("report", "version", "", report.version.value, "Version"))
    for figure in figures(report):
        value = "" if figure.value is None else str(figure.value)
        words = figure_label(figure.section, figure.measure, figure.key)
        writer.writerow(
            [_cell_text(t) for t in (figure.section, figure.measure, figure.key, value, words)]
        )
    return out.getvalue()


def _cell_text(text: str) -> str:
    """A spreadsheet runs a cell starting with = + - @ (or a tab or return before one) as
    a formula; none of the report's own texts does, but a key is data, so make sure."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
