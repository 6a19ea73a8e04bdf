"""The anonymous differencer: a member of the public who asks for the transparency report
of two periods a day apart and subtracts one from the other, or who gathers every
published report of a year and combines them, to learn the small counts the public
version bands (SEC-PUBLIC-PERIOD).

The public report is for closed calendar quarters, halves and years only; and across
those, no figure hidden in one report comes out of the others (the property test at the
end checks it exactly, with an integer program over every published figure of a year).
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import signed_in
from tests.covers.conftest import draft_for
from tests.security.year_oracle import PARENTS, PERIODS, pinned_figures

from mailcover.covers import actions
from mailcover.law.records import Category, Instrument
from mailcover.law.terms import REQUESTING_LEVELS, Grounds
from mailcover.oversight import transparency
from mailcover.oversight.transparency import (
    DURATION_BANDS,
    Durations,
    MailCovers,
    RecordsRequests,
    TransparencyReport,
    Version,
)

# -- The anonymous differencer, through the API and the page ------------------------------

IN_Q2 = datetime(2025, 5, 12, 15, 0, tzinfo=UTC)
IN_Q3 = datetime(2025, 8, 4, 15, 0, tzinfo=UTC)
API = "/api/v1/reports/transparency"


@pytest.fixture
def filed_in_2025(people: Any) -> None:
    """12 cover requests in the second quarter of 2025, 3 in the third."""
    for n, at in enumerate([IN_Q2] * 12 + [IN_Q3] * 3):
        draft = draft_for(people.requester, subject_name=f"SUBJECT NUMBER {n}")
        actions.file_request(people.requester, draft, at)


def test_sec_public_period_two_requests_a_day_apart_the_second_is_refused(
    filed_in_2025: None,
) -> None:
    quarter = Client().get(f"{API}?start=2025-04-01&end=2025-06-30")
    and_a_day = Client().get(f"{API}?start=2025-04-01&end=2025-07-01")

    assert quarter.status_code == 200
    assert quarter.json()["mail_covers"]["requested"] == 12
    assert and_a_day.status_code == 422
    assert and_a_day.json()["rule"] == "SEC-PUBLIC-PERIOD"
    assert "year=YYYY with quarter=1-4 or half=1-2" in and_a_day.json()["detail"]


def test_sec_public_period_a_signed_in_requester_is_refused_a_free_period_too(
    people: Any, api: Any, filed_in_2025: None
) -> None:
    refused = api.get("/reports/transparency?start=2025-05-12&end=2025-05-12", people.requester)

    assert refused.status_code == 422
    assert refused.json()["rule"] == "SEC-PUBLIC-PERIOD"


def test_sec_public_period_the_quarter_still_running_is_refused(db: None) -> None:
    today = datetime.now(UTC).date()
    quarter = (today.month - 1) // 3 + 1

    running = Client().get(f"{API}?year={today.year}&quarter={quarter}")
    this_year = Client().get(f"{API}?year={today.year}")

    assert running.status_code == this_year.status_code == 422
    assert "has not ended" in running.json()["detail"]
    assert running.json()["rule"] == "SEC-PUBLIC-PERIOD"


@pytest.mark.parametrize(
    "period",
    ["year=2025", "year=2025&half=1", "year=2025&half=2"]
    + [f"year=2025&quarter={q}" for q in (1, 2, 3, 4)],
)
def test_sec_public_period_every_closed_period_of_a_year_is_served(
    period: str, filed_in_2025: None
) -> None:
    answer = Client().get(f"{API}?{period}")

    assert answer.status_code == 200
    assert answer.json()["version"] == "public"


def test_sec_public_period_the_year_hides_what_a_quarter_hides(filed_in_2025: None) -> None:
    # Q3 has 3 requests: shown in the year, 15 - 12 would give them away; Q1 has none,
    # which the half's 12 would give away beside the second quarter's 12.
    def requested(period: str) -> Any:
        return Client().get(f"{API}?{period}").json()["mail_covers"]["requested"]

    assert requested("year=2025&quarter=2") == 12
    assert requested("year=2025&quarter=3") == transparency.BAND
    assert requested("year=2025&half=1") == transparency.WITHHELD
    assert requested("year=2025&half=2") == transparency.WITHHELD
    assert requested("year=2025") == transparency.WITHHELD


def test_sec_public_period_oversight_still_gets_any_period_exact(
    people: Any, api: Any, filed_in_2025: None
) -> None:
    one_day = api.get("/reports/transparency?start=2025-05-12&end=2025-05-12", people.oversight)
    and_public = api.get(
        "/reports/transparency?start=2025-08-04&end=2025-08-04&version=public", people.oversight
    )

    assert one_day.status_code == 200
    assert one_day.json()["version"] == "internal"
    assert one_day.json()["mail_covers"]["requested"] == 12
    assert and_public.json()["mail_covers"]["requested"] == transparency.BAND


def test_sec_public_period_the_page_refuses_free_dates_and_offers_the_closed_periods(
    filed_in_2025: None,
) -> None:
    refused = Client().get("/transparency?start=2025-05-12&end=2025-05-12")
    offered = Client().get("/transparency?year=2025&quarter=2")

    assert refused.status_code == 422
    assert "not a calendar quarter, half-year or year" in refused.content.decode()
    page = offered.content.decode()
    assert offered.status_code == 200
    assert 'data-testid="dates"' not in page  # no free dates for the public
    periods = page.split('data-testid="periods"')[1].split("</ul>")[0]
    for link in ("year=2025", "year=2025&amp;half=2", "year=2025&amp;quarter=4"):
        assert f'href="/transparency?{link}"' in periods


def test_oversight_keeps_the_free_dates_on_the_page(people: Any) -> None:
    page = signed_in(people.oversight).get("/transparency").content.decode()

    assert 'data-testid="dates"' in page


# -- The property: no figure of a year's published reports can be pinned -----------------


def _split(draw: Any, total: int, parts: int) -> list[int]:
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)))
    edges = [0, *cuts, total]
    return [b - a for a, b in itertools.pairwise(edges)]


SMALL = st.integers(0, 14) | st.integers(0, 40)


@st.composite
def quarter(draw: Any) -> TransparencyReport:
    """A quarter's exact figures, as they could come out of the database."""
    grounds = {g.value: draw(SMALL) for g in Grounds}
    requested = sum(grounds.values())
    levels = dict(
        zip([lv.value for lv in REQUESTING_LEVELS], _split(draw, requested, 4), strict=True)
    )
    approved, denied, pending = _split(draw, requested, 3)
    bands = dict(zip([b for b, _, _ in DURATION_BANDS], _split(draw, approved, 4), strict=True))
    extensions = draw(SMALL)
    instruments = {i.value: draw(st.integers(0, 12)) for i in Instrument}
    received = sum(instruments.values())
    produced, refused, no_records, rr_pending = _split(draw, received, 4)
    first = _split(draw, received, len(Category))  # the first category each request names
    categories = {
        c.value: first[n] + draw(st.integers(0, received - first[n]))
        for n, c in enumerate(Category)
    }
    mail = MailCovers(
        requested=requested,
        approved=approved,
        denied=denied,
        pending=pending,
        emergency=draw(st.integers(0, requested)),
        extensions=extensions,
        extensions_approved=draw(st.integers(0, extensions)),
        improper=draw(SMALL),
        by_grounds=grounds,
        by_agency_level=levels,
        attorney_pieces_excluded=draw(SMALL),
        durations=Durations(bands=bands, median_days=None),
    )
    records = RecordsRequests(
        received=received,
        produced=produced,
        refused=refused,
        no_records=no_records,
        pending=rr_pending,
        emergency=instruments[Instrument.EMERGENCY.value],
        by_instrument=instruments,
        by_category=categories,
        notices_sent=draw(SMALL),
        notices_delayed=draw(SMALL),
    )
    return TransparencyReport(date(2025, 1, 1), date(2025, 3, 31), Version.INTERNAL, mail, records)


def _added(first: Any, second: Any) -> Any:
    if isinstance(first, int):
        return first + second
    if isinstance(first, dict):
        return {k: first[k] + second[k] for k in first}
    if first is None:
        return None
    changes = {f: _added(getattr(first, f), getattr(second, f)) for f in first.__dataclass_fields__}
    return replace(first, **changes)


@st.composite
def year(draw: Any) -> dict[str, TransparencyReport]:
    """The exact reports of a year: four quarters, and the halves and the year they add
    up to; a delay in force in both quarters of a half counts once in the half."""
    reports = {f"Q{n}": draw(quarter()) for n in range(1, 5)}
    for parent, (a, b) in PARENTS.items():
        summed = replace(
            reports[a],
            mail_covers=_added(reports[a].mail_covers, reports[b].mail_covers),
            records_requests=_added(reports[a].records_requests, reports[b].records_requests),
        )
        low = max(
            reports[a].records_requests.notices_delayed, reports[b].records_requests.notices_delayed
        )
        high = summed.records_requests.notices_delayed
        delayed = draw(st.integers(low, high))
        reports[parent] = replace(
            summed, records_requests=replace(summed.records_requests, notices_delayed=delayed)
        )
    return reports


def published(exact: dict[str, TransparencyReport]) -> dict[str, TransparencyReport]:
    quarters = {
        "Q1": (),
        "Q2": (),
        "Q3": (),
        "Q4": (),
        "H1": ("Q1", "Q2"),
        "H2": ("Q3", "Q4"),
        "Y": ("Q1", "Q2", "Q3", "Q4"),
    }
    return {
        p: transparency.public_version(exact[p], [exact[q] for q in quarters[p]]) for p in PERIODS
    }


def plain_quarter(attorney_pieces: int = 20) -> TransparencyReport:
    """A quarter of made-up figures that add up; the attorney pieces withheld change."""
    grounds = {"national_security": 0, "fugitive": 10, "crime": 30, "postal_statute": 10}
    instruments = {i.value: 0 for i in Instrument} | {"subpoena": 20, "warrant": 10}
    mail = MailCovers(
        requested=60,
        approved=40,
        denied=10,
        pending=10,
        emergency=10,
        extensions=20,
        extensions_approved=10,
        improper=10,
        by_grounds=grounds | {"forfeiture": 10},
        by_agency_level={"federal": 15, "state": 15, "local": 15, "postal": 15},
        attorney_pieces_excluded=attorney_pieces,
        durations=Durations(bands={b: 10 for b, _, _ in DURATION_BANDS}, median_days=None),
    )
    records = RecordsRequests(
        received=30,
        produced=10,
        refused=10,
        no_records=10,
        pending=0,
        emergency=0,
        by_instrument=instruments,
        by_category={"subscriber": 30, "transactional": 10, "content": 0, "financial": 0},
        notices_sent=10,
        notices_delayed=10,
    )
    return TransparencyReport(date(2025, 1, 1), date(2025, 3, 31), Version.INTERNAL, mail, records)


def plain_year(first_quarter_attorney_pieces: int) -> dict[str, TransparencyReport]:
    reports = {"Q1": plain_quarter(first_quarter_attorney_pieces)}
    reports |= {f"Q{n}": plain_quarter() for n in (2, 3, 4)}
    for parent, (a, b) in PARENTS.items():
        reports[parent] = replace(
            reports[a],
            mail_covers=_added(reports[a].mail_covers, reports[b].mail_covers),
            records_requests=replace(
                _added(reports[a].records_requests, reports[b].records_requests),
                notices_delayed=15,
            ),
        )
    return reports


def test_the_check_finds_a_quarter_given_away_by_its_half_when_each_is_banded_alone() -> None:
    exact = plain_year(first_quarter_attorney_pieces=3)
    alone = {p: transparency.public_version(exact[p]) for p in PERIODS}

    pinned = pinned_figures(exact, alone)

    cell = ("mail_covers", "attorney_pieces_excluded", "")
    assert alone["H1"].mail_covers.attorney_pieces_excluded == 23  # 23 - 20 = 3
    assert any(p.period == "Q1" and p.cell == cell and p.low == p.high == 3 for p in pinned)


def test_sec_public_period_a_figure_hidden_in_a_quarter_is_hidden_in_its_half_and_year() -> None:
    exact = plain_year(first_quarter_attorney_pieces=3)

    reports = published(exact)

    assert reports["Q1"].mail_covers.attorney_pieces_excluded == transparency.BAND
    assert reports["Q2"].mail_covers.attorney_pieces_excluded == 20
    assert reports["H1"].mail_covers.attorney_pieces_excluded == transparency.WITHHELD
    assert reports["Y"].mail_covers.attorney_pieces_excluded == transparency.WITHHELD
    assert reports["H2"].mail_covers.attorney_pieces_excluded == 40
    assert pinned_figures(exact, reports) == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(year())
def test_sec_public_period_no_hidden_figure_of_a_year_can_be_pinned_by_combining_its_reports(
    exact: dict[str, TransparencyReport],
) -> None:
    assert pinned_figures(exact, published(exact)) == []


def test_sec_public_period_a_withheld_total_is_not_pinned_by_the_emergency_requests() -> None:
    # Found by the property test: 19 requests of which 19 emergencies, outcomes 1 + 9 + 9.
    grounds = {g.value: 0 for g in Grounds} | {"crime": 1, "postal_statute": 9, "forfeiture": 9}
    quiet = plain_quarter()
    covers = replace(
        quiet.mail_covers,
        requested=19,
        approved=1,
        denied=9,
        pending=9,
        emergency=19,
        by_grounds=grounds,
        by_agency_level={"federal": 0, "state": 0, "local": 0, "postal": 19},
        durations=Durations(bands={"1-30": 0, "31-60": 0, "61-120": 0, "121+": 1}),
    )
    exact = {f"Q{n}": plain_quarter() for n in (1, 2, 3)} | {
        "Q4": replace(quiet, mail_covers=covers)
    }
    for parent, (a, b) in PARENTS.items():
        exact[parent] = replace(
            exact[a],
            mail_covers=_added(exact[a].mail_covers, exact[b].mail_covers),
            records_requests=replace(
                _added(exact[a].records_requests, exact[b].records_requests),
                notices_delayed=15,
            ),
        )

    reports = published(exact)

    assert reports["Q4"].mail_covers.requested == transparency.WITHHELD
    assert reports["Q4"].mail_covers.emergency == transparency.WITHHELD
    assert pinned_figures(exact, reports) == []
