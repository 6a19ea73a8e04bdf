"""The transparency report as titled tables of figures with bars to scale: what the page
draws as SVG and the PDF as rectangles, from one description."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mailcover.oversight.transparency import (
    BAND,
    DURATION_BANDS,
    PUBLIC_THRESHOLD,
    Durations,
    Shown,
    TransparencyReport,
    Version,
)
from mailcover.web.labels import any_label

# -- Names a reader understands ---------------------------------------------------------

MEASURE_NAMES: dict[str, str] = {
    "requested": "Requested",
    "approved": "Approved",
    "denied": "Denied",
    "pending": "Not yet decided",
    "emergency": "Emergency requests",
    "extensions": "Extensions requested",
    "extensions_approved": "Extensions approved",
    "improper": "Covers ruled improper (by date of ruling)",
    "attorney_pieces_excluded": "Attorney mail pieces withheld (by day scanned)",
    "received": "Received",
    "produced": "Produced",
    "refused": "Refused",
    "no_records": "No matching customer",
    "notices_sent": "Customer notices sent (by day sent)",
    "notices_delayed": "Customer notice delayed by a court order in force",
    "records_requests.pending": "Not yet answered (in review, or approved and not produced)",
}


_BAND_LABELS = frozenset(label for label, _, _ in DURATION_BANDS)


def key_name(key: str) -> str:
    """A breakdown's key (grounds, agency level, category, instrument) in words, from the
    one table of labels (web/labels.py) the pages use too."""
    if key in _BAND_LABELS:
        return f"{key} days"
    return any_label(key)


# -- Tables, for the page and the PDF ------------------------------------------------------


@dataclass(frozen=True)
class Row:
    figure: str  # "mail_covers.by_grounds.crime": where the figure is in the JSON
    label: str
    text: str  # as shown: "12", "0-9", "withheld"
    bar: float | None  # the bar's length, 0 to 1 of the table's largest figure; None: none
    banded: bool  # the bar shows a range ("0-9"), not a count

    @property
    def bar_percent(self) -> str:
        """The bar's length as an SVG width; at least a sliver, so a zero is seen as one."""
        return f"{max((self.bar or 0.0) * 100, 0.5):.1f}%"


@dataclass(frozen=True)
class Table:
    title: str
    rows: tuple[Row, ...]
    note: str = ""

    @property
    def has_scale(self) -> bool:
        """Whether an exact count gives the bars a scale. Without one (every figure banded
        or withheld) a band's range 0-9 would span the whole width and read as the largest
        figure, so it is said in words instead of drawn."""
        return any(row.text.isdigit() for row in self.rows)


def tables(report: TransparencyReport) -> list[Table]:
    """The report as titled tables of figures, each with bars to scale within its table."""
    covers, records = report.mail_covers, report.records_requests
    mc, rr = "mail_covers", "records_requests"
    return [
        _table(
            "Cover requests filed in the period",
            [(mc, m, "", getattr(covers, m)) for m in _COVER_FIGURES],
        ),
        _mapping_table("Cover requests by grounds", mc, "by_grounds", covers.by_grounds),
        _mapping_table(
            "Cover requests by agency level", mc, "by_agency_level", covers.by_agency_level
        ),
        _mapping_table(
            "Covers approved, by total days approved",
            f"{mc}.durations",
            "bands",
            covers.durations.bands,
            _durations_note(covers.durations),
        ),
        _table(
            "Records requests received in the period",
            [(rr, m, "", getattr(records, m)) for m in _RECORDS_FIGURES],
        ),
        _mapping_table(
            "Records requests by legal instrument", rr, "by_instrument", records.by_instrument
        ),
        _mapping_table(
            "Records requests by data category (a request may name several)",
            rr,
            "by_category",
            records.by_category,
        ),
    ]


_COVER_FIGURES = (
    "requested",
    "approved",
    "denied",
    "pending",
    "emergency",
    "extensions",
    "extensions_approved",
    "improper",
    "attorney_pieces_excluded",
)
_RECORDS_FIGURES = (
    "received",
    "produced",
    "refused",
    "no_records",
    "pending",
    "emergency",
    "notices_sent",
    "notices_delayed",
)


def _mapping_table(
    title: str, section: str, measure: str, counts: Mapping[str, Shown], note: str = ""
) -> Table:
    return _table(title, [(section, measure, k, v) for k, v in counts.items()], note)


def _table(title: str, cells: list[tuple[str, str, str, Shown]], note: str = "") -> Table:
    largest = max([v for *_, v in cells if isinstance(v, int)] + [PUBLIC_THRESHOLD - 1, 1])
    rows = []
    for section, measure, key, value in cells:
        label = key_name(key) if key else _measure_name(section, measure)
        bar = (
            value / largest
            if isinstance(value, int)
            else (PUBLIC_THRESHOLD - 1) / largest
            if value == BAND
            else None
        )
        place = ".".join(p for p in (section, measure, key) if p)
        rows.append(Row(place, label, str(value), bar, value == BAND))
    return Table(title, tuple(rows), note)


def figure_label(section: str, measure: str, key: str) -> str:
    """A figure in words, as its table's row says it (a breakdown's key, else the measure),
    with its table named for a breakdown: "By grounds: Crime (a felony)"."""
    name = MEASURE_NAMES.get(f"{section}.{measure}") or MEASURE_NAMES.get(measure)
    if name is None:  # a breakdown (by_grounds) or a statistic (median_days)
        name = any_label(measure)
    return f"{name}: {key_name(key)}" if key else name


def _measure_name(section: str, measure: str) -> str:
    return MEASURE_NAMES.get(f"{section}.{measure}", MEASURE_NAMES[measure])


def _durations_note(durations: Durations) -> str:
    parts = []
    if durations.median_days is not None:
        parts.append(f"median {durations.median_days:g} days")
    if durations.shortest_days is not None:
        parts.append(f"shortest {durations.shortest_days} days")
    if durations.longest_days is not None:
        parts.append(f"longest {durations.longest_days} days")
    return "; ".join(parts)


def version_statement(version: Version) -> str:
    if version is Version.INTERNAL:
        return "Internal version: exact counts, for oversight only. Publish the public version."
    return (
        "Public version, for a closed calendar quarter, half-year or year: counts below 10 "
        "(zero included) are shown as 0-9, and where a small count could be worked out from "
        "the other figures of this report or of the other published reports of its year, "
        "another count is withheld; the median duration is given only when 10 covers or "
        "more stand behind it and every duration band is shown."
    )
