"""The transparency page and its downloads: open to everyone with the public version;
oversight reads the exact one and may switch; a bad period is named, never a crash."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader
from tests.covers.conftest import draft_for
from tests.web.tagged import read as read_tagged

from mailcover.accounts.models import User
from mailcover.covers import actions

# The second quarter of 2025, closed: a period the public may read (SEC-PUBLIC-PERIOD).
PERIOD = "start=2025-04-01&end=2025-06-30"
FILED = datetime(2025, 5, 12, 15, 0, tzinfo=UTC)
REQUESTED = (
    '<tr data-figure="mail_covers.requested"><th scope="row">Requested</th>'
    '<td class="text-right text-bold" data-testid="value">'
)


@pytest.fixture
def three_requests(people: Any) -> None:
    for name in ("ANN ONE", "BOB TWO", "CAL THREE"):
        actions.file_request(
            people.requester, draft_for(people.requester, subject_name=name), FILED
        )


def _page(client: Client, query: str = PERIOD) -> Any:
    return client.get(f"/transparency?{query}")


def test_a_signed_out_visitor_sees_the_public_version_with_small_counts_banded(
    three_requests: None,
) -> None:
    answer = _page(Client())
    page = answer.content.decode()
    assert answer.status_code == 200
    assert 'data-version="public"' in page
    assert REQUESTED + "0-9</td>" in page
    assert 'data-testid="switch"' not in page
    assert "Sign in" in page  # the visitor's navigation


@pytest.mark.parametrize("who", ["requester", "approver", "chief", "operator", "admin"])
def test_anyone_but_oversight_sees_the_public_version_and_may_not_ask_for_the_internal_one(
    who: str, people: Any, three_requests: None, browse: Callable[[User], Client]
) -> None:
    client = browse(getattr(people, who))
    assert 'data-version="public"' in _page(client).content.decode()
    refused = _page(client, PERIOD + "&version=internal")
    assert refused.status_code == 403
    assert _page(Client(), PERIOD + "&version=internal").status_code == 403


def test_oversight_sees_the_exact_counts_and_can_switch_to_the_public_version(
    people: Any, three_requests: None, browse: Callable[[User], Client]
) -> None:
    client = browse(people.oversight)
    page = _page(client).content.decode()
    assert 'data-version="internal"' in page
    assert REQUESTED + "3</td>" in page
    assert "version=public" in page  # the switch
    public = _page(client, PERIOD + "&version=public").content.decode()
    assert 'data-version="public"' in public
    assert REQUESTED + "0-9</td>" in public


def test_the_page_draws_each_figure_as_a_bar_beside_its_number(
    people: Any, three_requests: None, browse: Callable[[User], Client]
) -> None:
    page = _page(browse(people.oversight)).content.decode()
    assert "<svg" in page
    assert 'class="bar-count"' in page
    assert "<script" not in page.split('id="main-content"')[1].split("</main>")[0]


def test_a_band_with_no_exact_count_beside_it_is_said_in_words_not_drawn_full_width(
    three_requests: None,
) -> None:
    """Three requests: every public figure is banded, so no table has a scale; a band
    drawn to it would fill the width as if it were the largest figure."""
    page = _page(Client()).content.decode()
    requested = page.split('data-figure="mail_covers.requested"')[1].split("</tr>")[0]
    assert "fewer than 10" in requested
    assert "<svg" not in requested
    assert 'class="bar-band"' not in page


def test_the_downloads_offered_are_of_the_version_shown(three_requests: None) -> None:
    page = _page(Client()).content.decode()
    period = PERIOD.replace("&", "&amp;")
    assert f"/transparency.csv?{period}&amp;version=public" in page
    assert f"/transparency.pdf?{period}&amp;version=public" in page


def test_a_visitor_downloads_the_public_csv_and_pdf_only(three_requests: None) -> None:
    client = Client()
    answer = client.get(f"/transparency.csv?{PERIOD}")
    assert answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    text = answer.content.decode()
    assert "report,version,,public" in text
    assert "mail_covers,requested,,0-9" in text
    pdf = client.get(f"/transparency.pdf?{PERIOD}")
    assert pdf["Content-Type"] == "application/pdf"
    words = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Version: Public: counts under 10 shown as 0-9" in words
    assert "Requested 0-9" in words
    assert client.get(f"/transparency.csv?{PERIOD}&version=internal").status_code == 403


def test_oversight_downloads_the_internal_pdf_marked_internal_on_every_page(
    people: Any, three_requests: None, browse: Callable[[User], Client]
) -> None:
    answer = browse(people.oversight).get(f"/transparency.pdf?{PERIOD}")
    assert answer["Cache-Control"] == "private, no-store"
    pages = read_tagged(answer.content).pages
    service = people.approver.agency.name  # the service's own agency, postal level
    for text in pages:
        assert f"{service} · INTERNAL: exact counts, for oversight only" in text
    assert "Requested 3" in pages[0]


@pytest.mark.parametrize("who", ["requester", "approver", "operator", "admin"])
def test_nobody_but_oversight_downloads_the_internal_pdf(
    who: str, people: Any, three_requests: None, browse: Callable[[User], Client]
) -> None:
    client = browse(getattr(people, who))
    assert client.get(f"/transparency.pdf?{PERIOD}&version=internal").status_code == 403
    public = read_tagged(client.get(f"/transparency.pdf?{PERIOD}").content).pages
    assert not any("INTERNAL" in text or "Requested 3" in text for text in public)


def test_oversight_downloads_the_exact_csv_which_is_never_cached(
    people: Any, three_requests: None, browse: Callable[[User], Client]
) -> None:
    answer = browse(people.oversight).get(f"/transparency.csv?{PERIOD}")
    assert "mail_covers,requested,,3" in answer.content.decode()
    assert answer["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("start=2026-02-30", "start: &#x27;2026-02-30&#x27; is not a date"),
        ("start=2026-03-01&end=2026-02-01", "end: 2026-02-01 is before start 2026-03-01"),
        ("start=1990-01-01&end=2026-01-01", "end: a report covers at most 3653 days"),
        ("version=everything", "version: &#x27;everything&#x27; is not one of internal, public"),
    ],
)
def test_a_bad_period_is_shown_on_the_page_naming_the_field(
    query: str, says: str, db: None
) -> None:
    answer = _page(Client(), query)
    assert answer.status_code == 422
    assert says in answer.content.decode()


def test_a_bad_period_for_a_download_is_a_plain_message(db: None) -> None:
    answer = Client().get("/transparency.pdf?end=soon")
    assert answer.status_code == 422
    assert answer.content.decode() == "end: 'soon' is not a date; write YYYY-MM-DD\n"


def test_the_navigation_links_the_report_for_everyone(
    people: Any, browse: Callable[[User], Client]
) -> None:
    assert 'href="/transparency"' in Client().get("/sign-in").content.decode()
    assert 'href="/transparency"' in browse(people.requester).get("/").content.decode()
