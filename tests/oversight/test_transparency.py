"""The transparency report's figures: each counted by its rule inside the period's whole
UTC days; the public version bands small counts so that no case can be recognised, even by
subtraction; the period asked for is checked field by field."""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from tests.covers.conftest import draft_for
from tests.web.tagged import read as read_tagged

from mailcover.accounts.models import User
from mailcover.covers import actions
from mailcover.covers.models import AttorneyExclusion, CoverOrder, CoverRequest
from mailcover.law.extensions import ExtensionDraft
from mailcover.law.terms import Grounds, Role
from mailcover.oversight import transparency
from mailcover.oversight.transparency import (
    BAND,
    WITHHELD,
    Durations,
    MailCovers,
    PeriodError,
    RecordsRequests,
    TransparencyReport,
    Version,
)
from mailcover.oversight.transparency_pdf import render_pdf
from mailcover.records.models import (
    Customer,
    CustomerNotice,
    NoticeDelay,
    Production,
    RecordsDecision,
    RecordsRequest,
)

START, END = date(2025, 1, 1), date(2025, 3, 31)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


# -- A world of known figures -----------------------------------------------------------


_SUBJECTS = itertools.count(1)


def _file(who: User, moment: datetime, **changes: Any) -> CoverRequest:
    """A request about a subject of its own (an identical pending one is refused)."""
    draft = draft_for(who, subject_name=f"SUBJECT NUMBER {next(_SUBJECTS)}", **changes)
    return actions.file_request(who, draft, moment)


def _extend(who: User, order: CoverOrder, moment: datetime) -> CoverRequest:
    draft = ExtensionDraft(30, "The captures tied the subject to a second drop.", False, False)
    return actions.file_extension(who, CoverOrder.objects.get(pk=order.pk), draft, moment)


def _records_request(
    who: User, number: str, moment: datetime, instrument: str, categories: list[str]
) -> RecordsRequest:
    assert who.agency is not None
    return RecordsRequest.objects.create(
        number=number,
        agency=who.agency,
        requester=who,
        instrument=instrument,
        issued_by="GRAND JURY, N.D. ILL.",
        instrument_file=f"instruments/{number}.pdf",
        instrument_sha256="0" * 64,
        categories=categories,
        start=date(2024, 1, 1),
        end=date(2024, 6, 30),
        purpose="Records for the investigation.",
        filed_at=moment,
        body={},
        body_sha256="0" * 64,
    )


@pytest.fixture
def world(people: Any) -> None:
    """Inside the period (2025-01-01 to 2025-03-31): four cover requests (one approved and
    extended, one denied, one emergency pending, one approved fugitive at the period's last
    minute), an improper ruling, attorney mail, three records requests. Outside it: a request
    filed at the first moment after, one the day before, a ruling and pieces after."""
    requester, agent = people.requester, people.inspector
    day = START + timedelta(days=9)
    approved = actions.approve(people.approver, _file(requester, at(day)), None, at(day, 13))
    extension = _extend(requester, approved, at(day + timedelta(days=25)))
    actions.approve(people.approver, extension, None, at(day + timedelta(days=25), 14))
    denied = _file(agent, at(day + timedelta(days=3)), grounds="postal_statute")
    refusal = "The facts do not reach the address."
    actions.deny(people.approver, denied, refusal, at(day + timedelta(days=3), 20))
    _file(
        requester,
        at(day + timedelta(days=4)),
        emergency=True,
        emergency_reason="Evidence is about to be lost.",
    )
    last = _file(requester, at(END, 23, 59), grounds="fugitive", days=60)
    actions.approve(people.approver, last, None, at(END + timedelta(days=1), 9))
    _file(requester, at(END + timedelta(days=1), 0, 0))  # the first moment after
    before = _file(requester, at(START - timedelta(days=1), 23, 59))
    early = actions.approve(people.approver, before, None, at(START - timedelta(days=1), 23, 59))
    actions.rule_improper(people.chief, early, "The statute cited does not apply.", at(START))
    ruled_after = actions.approve(people.approver, _file(requester, at(day)), None, at(day, 14))
    actions.rule_improper(
        people.chief,
        ruled_after,
        "The offence cited is a misdemeanour, not a felony.",
        at(END + timedelta(days=2)),
    )
    AttorneyExclusion.objects.create(order=approved, scanned_on=day, pieces=4)
    AttorneyExclusion.objects.create(order=approved, scanned_on=END, pieces=2)
    AttorneyExclusion.objects.create(order=approved, scanned_on=END + timedelta(days=1), pieces=7)

    customer = Customer.objects.create(
        account_number="A-1",
        name="JOHN Q PUBLIC",
        address="123 MAIN ST",
        email="jq@example.com",
        opened_at=at(date(2020, 1, 1)),
        recorded_at=at(date(2020, 1, 1)),
    )
    subpoena = _records_request(requester, "R-1", at(day), "subpoena", ["subscriber"])
    RecordsDecision.objects.create(
        request=subpoena, reviewer=agent, outcome="approved", decided_at=at(day, 15)
    )
    Production.objects.create(
        request=subpoena,
        customer=customer,
        produced_by=agent,
        produced_at=at(day, 16),
        file="productions/R-1.zip",
        sha256="0" * 64,
        size=1,
        manifest={},
        counts={},
        ledger_seq=1,
    )
    CustomerNotice.objects.create(
        request=subpoena,
        customer=customer,
        email=customer.email,
        queued_at=at(day, 16),
        sent_at=at(day, 17),
    )
    order_2703d = _records_request(
        requester, "R-2", at(day), "court_order_2703d", ["subscriber", "transactional"]
    )
    RecordsDecision.objects.create(
        request=order_2703d, reviewer=agent, outcome="refused", decided_at=at(day, 15)
    )
    emergency = _records_request(requester, "R-3", at(END, 23, 0), "emergency", ["subscriber"])
    late = _records_request(requester, "R-4", at(END + timedelta(days=1)), "warrant", ["content"])
    # A delay that ended before the period, one in force on its first day, one from after.
    for request, starts, ends in (
        (subpoena, START - timedelta(days=100), START - timedelta(days=1)),
        (emergency, START - timedelta(days=30), START),
        (late, END + timedelta(days=1), None),
    ):
        NoticeDelay.objects.create(
            request=request,
            kind="delayed_notice",
            starts_on=starts,
            ends_on=ends,
            court_reference="No. 25-M-1",
            recorded_by=requester,
            recorded_at=at(starts),
        )
    CustomerNotice.objects.create(
        request=late,
        customer=customer,
        email=customer.email,
        queued_at=at(END),
        sent_at=at(END + timedelta(days=1), 0, 0),  # the day after: not in the period
    )


def test_cover_requests_are_counted_by_the_day_they_were_filed_with_their_outcome_now(
    world: None,
) -> None:
    covers = transparency.build_report(START, END).mail_covers
    assert (covers.requested, covers.approved, covers.denied, covers.pending) == (5, 3, 1, 1)
    assert covers.emergency == 1
    assert covers.by_grounds == {
        "national_security": 0,
        "fugitive": 1,
        "crime": 3,
        "postal_statute": 1,
        "forfeiture": 0,
    }
    assert covers.by_agency_level == {"federal": 0, "state": 0, "local": 4, "postal": 1}


def test_extensions_improper_rulings_and_attorney_mail_each_count_by_their_own_date(
    world: None,
) -> None:
    covers = transparency.build_report(START, END).mail_covers
    assert (covers.extensions, covers.extensions_approved) == (1, 1)
    assert covers.improper == 1  # ruled on the first day; the other ruling came after
    assert covers.attorney_pieces_excluded == 6  # 4 + 2; the 7 were scanned the day after


def test_durations_are_the_total_days_approved_per_cover_in_bands(world: None) -> None:
    durations = transparency.build_report(START, END).mail_covers.durations
    # 30 days, 30 + 30 extended, and a 60-day fugitive cover.
    assert durations.bands == {"1-30": 1, "31-60": 2, "61-120": 0, "121+": 0}
    assert (durations.median_days, durations.shortest_days, durations.longest_days) == (
        60.0,
        30,
        60,
    )


def test_records_requests_by_outcome_instrument_and_category_and_the_notices(
    world: None,
) -> None:
    records = transparency.build_report(START, END).records_requests
    assert (records.received, records.produced, records.refused) == (3, 1, 1)
    assert (records.no_records, records.pending, records.emergency) == (0, 1, 1)
    assert records.by_instrument["subpoena"] == 1
    assert records.by_instrument["court_order_2703d"] == 1
    assert records.by_instrument["emergency"] == 1
    assert sum(records.by_instrument.values()) == 3
    assert records.by_category == {
        "subscriber": 3,
        "transactional": 1,
        "content": 0,
        "financial": 0,
    }
    assert records.notices_sent == 1
    assert records.notices_delayed == 1  # in force on the first day


def test_an_empty_period_reports_every_key_with_zero(db: None) -> None:
    report = transparency.as_json(transparency.build_report(START, END))
    assert report["mail_covers"]["by_grounds"] == {g.value: 0 for g in Grounds}
    assert set(report["mail_covers"]["by_agency_level"]) == {"federal", "state", "local", "postal"}
    assert len(report["records_requests"]["by_instrument"]) == 9
    assert report["mail_covers"]["durations"]["median_days"] is None


def test_the_json_has_the_keys_of_the_design(db: None) -> None:
    report = transparency.as_json(transparency.build_report(START, END))
    assert (report["start"], report["end"]) == ("2025-01-01", "2025-03-31")
    assert {
        "requested",
        "approved",
        "denied",
        "improper",
        "emergency",
        "extensions",
        "by_grounds",
        "by_agency_level",
        "attorney_pieces_excluded",
    } <= set(report["mail_covers"])
    assert {
        "received",
        "produced",
        "refused",
        "emergency",
        "by_instrument",
        "by_category",
        "notices_sent",
        "notices_delayed",
    } <= set(report["records_requests"])


# -- The public version -----------------------------------------------------------------


def exact_report(**covers: Any) -> TransparencyReport:
    """A report of made-up exact figures: 100 requests, all crime, all local, all approved
    for 30 days; tests change one thing at a time."""
    grounds = {g.value: 0 for g in Grounds} | {"crime": 100}
    mail = MailCovers(
        requested=100,
        approved=100,
        denied=20,
        pending=20,
        emergency=12,
        extensions=40,
        extensions_approved=30,
        improper=15,
        by_grounds=grounds,
        by_agency_level={"federal": 30, "state": 30, "local": 20, "postal": 20},
        attorney_pieces_excluded=50,
        durations=Durations(
            bands={"1-30": 30, "31-60": 10, "61-120": 10, "121+": 10},
            median_days=30.0,
            shortest_days=30,
            longest_days=150,
        ),
    )
    records = RecordsRequests(
        received=30,
        produced=10,
        refused=10,
        no_records=10,
        pending=0,
        emergency=0,
        by_instrument={"subpoena": 30, "emergency": 0},
        by_category={"subscriber": 30},
        notices_sent=25,
        notices_delayed=15,
    )
    # requested = approved + denied + pending, and approved = the duration bands.
    mail = replace(mail, **({"approved": 60} | covers))
    return TransparencyReport(START, END, Version.INTERNAL, mail, records)


def test_a_count_of_3_is_shown_as_the_band_0_9_and_a_count_of_12_exactly() -> None:
    public = transparency.public_version(exact_report(improper=3, emergency=12))
    assert public.version is Version.PUBLIC
    assert public.mail_covers.improper == BAND == "0-9"
    assert public.mail_covers.emergency == 12


def test_zero_is_banded_too_so_that_0_9_never_means_at_least_one() -> None:
    public = transparency.public_version(exact_report(improper=0))
    assert public.mail_covers.improper == BAND
    assert public.mail_covers.by_grounds["national_security"] == BAND


def test_one_banded_part_of_a_shown_total_is_protected_by_withholding_the_largest_other() -> None:
    # The largest can absorb any value of the banded one, whatever it is tied to.
    levels = {"federal": 50, "state": 30, "local": 15, "postal": 5}
    public = transparency.public_version(exact_report(by_agency_level=levels))
    shown = public.mail_covers.by_agency_level
    assert shown == {"federal": WITHHELD, "state": 30, "local": 15, "postal": BAND}
    assert public.mail_covers.requested == 100  # the total stays


def test_banded_parts_adding_up_to_under_9_are_protected_too() -> None:
    # 0 + 0 + 0 + 1 national security: subtracting crime from the total would say "1".
    grounds = {"national_security": 1, "fugitive": 0, "crime": 99, "postal_statute": 0}
    public = transparency.public_version(exact_report(by_grounds={**grounds, "forfeiture": 0}))
    assert public.mail_covers.by_grounds["crime"] == WITHHELD
    assert public.mail_covers.by_grounds["national_security"] == BAND


def test_banded_parts_adding_up_to_nearly_their_most_are_protected_too() -> None:
    # 30 requested, 12 denied: approved + pending = 18, which two "0-9" bands can only
    # hold as 9 and 9. A reader must not be able to pin them.
    hidden = transparency.hidden_cells(exact_report(approved=9, denied=12, pending=9))
    assert hidden[("mail_covers", "approved", "")] == BAND
    assert hidden[("mail_covers", "pending", "")] == BAND
    assert hidden[("mail_covers", "denied", "")] == WITHHELD


def test_no_sum_in_the_public_version_can_be_undone_by_subtraction() -> None:
    report = exact_report(denied=38, pending=2, approved=60)
    hidden = transparency.hidden_cells(report)
    assert hidden[("mail_covers", "pending", "")] == BAND
    assert hidden[("mail_covers", "denied", "")] == WITHHELD
    assert ("mail_covers", "approved", "") not in hidden


def test_the_median_needs_10_covers_and_the_shortest_and_longest_are_never_public() -> None:
    public = transparency.public_version(exact_report())
    assert public.mail_covers.durations.median_days == 30.0
    assert public.mail_covers.durations.shortest_days is None
    assert public.mail_covers.durations.longest_days is None
    few = exact_report(approved=9, denied=71, pending=20)
    assert transparency.public_version(few).mail_covers.durations.median_days is None


def test_the_internal_version_is_exact() -> None:
    report = exact_report(improper=3)
    assert transparency.version_for(report, Version.INTERNAL).mail_covers.improper == 3


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.OVERSIGHT])
def test_only_oversight_may_read_the_internal_version(role: Role) -> None:
    with pytest.raises(actions.Forbidden, match="oversight"):
        transparency.choose_version(frozenset({role}), Version.INTERNAL)
    assert transparency.choose_version(frozenset({role}), None) is Version.PUBLIC
    assert transparency.choose_version(frozenset(), None) is Version.PUBLIC


def test_oversight_reads_the_internal_version_unless_it_asks_for_the_public_one() -> None:
    oversight = frozenset({Role.OVERSIGHT})
    assert transparency.choose_version(oversight, None) is Version.INTERNAL
    assert transparency.choose_version(oversight, Version.PUBLIC) is Version.PUBLIC


# -- Outputs ----------------------------------------------------------------------------


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_one_row_per_figure_and_names_the_period_and_version() -> None:
    report = exact_report()
    rows = _rows(transparency.as_csv(report))
    start = {"section": "report", "measure": "start", "key": "", "value": "2025-01-01"}
    assert rows[0] == {**start, "label": "First day (UTC)"}
    version = {"section": "report", "measure": "version", "key": "", "value": "internal"}
    assert {**version, "label": "Version"} in rows
    figure = {"section": "mail_covers", "measure": "by_grounds", "key": "crime", "value": "100"}
    assert {**figure, "label": "By grounds: Crime (a felony)"} in rows
    assert len(rows) == 3 + len(transparency.figures(report))


def test_every_csv_row_is_labelled_in_words_without_a_code_in_them() -> None:
    rows = _rows(transparency.as_csv(exact_report()))
    for row in rows:
        assert row["label"]
        assert "_" not in row["label"], row


def test_a_csv_cell_that_a_spreadsheet_would_run_as_a_formula_is_quoted() -> None:
    report = exact_report(by_agency_level={"=HYPERLINK(1)": 100})
    text = transparency.as_csv(report)
    assert "'=HYPERLINK(1)" in text
    assert ",=HYPERLINK" not in text


def test_the_pdf_is_the_same_bytes_for_the_same_report_and_shows_its_figures() -> None:
    report = transparency.public_version(exact_report(improper=3))
    first = render_pdf(report)
    assert first == render_pdf(report)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(first)).pages)
    assert "Version: Public: counts under 10 shown as 0-9" in text
    assert "Covers ruled improper (by date of ruling) 0-9" in text
    assert "Requested 100" in text


def test_the_pdf_is_tagged_with_its_language_title_and_tables() -> None:
    tagged = read_tagged(render_pdf(exact_report()))
    assert tagged.has_structure_tree
    assert tagged.marked
    assert tagged.language == "en-US"
    assert tagged.title == "Transparency report 2025-01-01 to 2025-03-31 (internal)"
    assert {"/H1", "/Table", "/Caption", "/TH", "/TD"} <= tagged.structure_kinds


def test_every_page_of_the_internal_pdf_says_internal_with_agency_period_and_page() -> None:
    pages = read_tagged(render_pdf(exact_report(), "U.S. Postal Inspection Service")).pages
    assert len(pages) >= 2
    for number, text in enumerate(pages, 1):
        assert "U.S. Postal Inspection Service · INTERNAL: exact counts, for oversight only" in text
        assert "Transparency report, 2025-01-01 to 2025-03-31 (internal version)" in text
        assert f"Page {number} of {len(pages)}" in text


def test_no_page_of_the_public_pdf_says_internal() -> None:
    report = transparency.public_version(exact_report(improper=3))
    pages = read_tagged(render_pdf(report, "U.S. Postal Inspection Service")).pages
    assert len(pages) >= 2
    for number, text in enumerate(pages, 1):
        assert "INTERNAL" not in text
        assert "U.S. Postal Inspection Service" in text
        assert f"Page {number} of {len(pages)}" in text


def _pdf_markup(report: TransparencyReport, monkeypatch: pytest.MonkeyPatch) -> str:
    """The document the PDF is drawn from, as the template writes it."""
    from django.template.loader import render_to_string

    from mailcover.oversight import transparency_pdf

    captured: dict[str, str] = {}

    def keep(template: str, context: dict[str, Any], title: str, created: datetime) -> bytes:
        captured["html"] = render_to_string(template, context)
        return b""

    monkeypatch.setattr(transparency_pdf, "tagged_pdf", keep)
    transparency_pdf.render_pdf(report)
    return captured["html"]


def test_a_band_is_drawn_as_a_range_not_as_a_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    """0-9 is not a quantity: beside exact counts it is an outline over the range 0 to 9 on
    the table's scale; in a table with no exact count, where that range would fill the
    width and read as the largest figure, it is said in words."""
    report = transparency.public_version(exact_report(improper=3))
    html = _pdf_markup(report, monkeypatch)
    improper = html.split("Covers ruled improper (by date of ruling)")[1].split("</tr>")[0]
    assert "bar-band" in improper
    assert "bar-count" not in improper
    assert 'style="width: 9.0%"' in improper  # 9 of the table's 100
    grounds = html.split("Cover requests by grounds")[1].split("</table>")[0]
    assert "withheld" in grounds  # crime, so that the bands cannot be worked out from it
    assert "bar-band" not in grounds
    assert "bar-count" not in grounds
    assert grounds.count("fewer than 10") == 4


# -- The period -------------------------------------------------------------------------


def test_a_period_left_out_is_the_year_to_date() -> None:
    assert transparency.parse_period(None, "", date(2026, 12, 5)) == (
        date(2026, 1, 1),
        date(2026, 12, 5),
    )


@pytest.mark.parametrize(
    ("start", "end", "field", "says"),
    [
        ("2026-13-01", "2026-12-31", "start", "is not a date"),
        ("2026-01-01", "yesterday", "end", "is not a date"),
        ("2026-02-01", "2026-01-31", "end", "before start"),
        ("2000-01-01", "2026-01-01", "end", "at most 3653 days"),
        ("0001-01-01", "0001-12-31", "start", "between"),
        ("2026-01-01", "9999-12-31", "end", "between"),
    ],
)
def test_a_bad_period_names_the_field_to_correct(
    start: str, end: str, field: str, says: str
) -> None:
    with pytest.raises(PeriodError) as raised:
        transparency.parse_period(start, end, date(2026, 12, 5))
    assert raised.value.field == field
    assert says in raised.value.message


def test_an_unknown_version_or_format_names_the_choices() -> None:
    with pytest.raises(PeriodError, match="version: 'secret' is not one of internal, public"):
        transparency.parse_choice("version", "secret", Version, Version.PUBLIC)
