"""The lists of cover requests and orders (covers.lists, web.listing): search, filters, sort
and pages never widen what a person may see. Another agency's officer searching for a case
they may not open learns nothing, not even a count; an operator or an admin gets no case
data through a search; bad parameters are told, never a server error."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from mailcover.covers.models import CoverRequest
from mailcover.ledger.models import Entry
from mailcover.web import listing

pytestmark = pytest.mark.django_db

File = Callable[..., CoverRequest]

# The subject of the requester's agency (Springfield), whom Denver must never find.
HIDDEN = "WILHELMINA ZBIGNIEWSKA"


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def scrubbed(page: str, *terms: str) -> str:
    """The page with what differs between two renders of the same list taken out: the CSRF
    tokens of the sign-out form, the session's expiry, and the words the person typed."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    page = re.sub(r'data-session-expires-in="[^"]+"', "", page)
    for term in terms:
        page = page.replace(term, "TERM").replace(term.replace(" ", "+"), "TERM")
    return page


@pytest.fixture
def springfield(people: Any, file: File, approve: Any) -> CoverRequest:
    """Springfield's order on a subject Denver has never heard of."""
    filed = file(people.requester, subject_name=HIDDEN)
    approve(filed)
    return filed


# --- the attacks first ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/requests", "/orders"])
def test_another_agencys_officer_searching_a_case_number_learns_nothing(
    browse, people, springfield, path
):
    outsider = browse(people.outsider)
    number = springfield.case_number
    missing = number[:-1] + ("9" if number[-1] != "9" else "8")

    found = outsider.get(path, {"q": number})
    absent = outsider.get(path, {"q": missing})

    assert found.status_code == absent.status_code == 200
    assert HIDDEN not in text(found)
    assert f"/requests/{springfield.pk}" not in text(found)
    # The answer for a case that exists elsewhere is the answer for one that exists nowhere.
    assert scrubbed(text(found), number) == scrubbed(text(absent), missing)


@pytest.mark.parametrize("path", ["/requests", "/orders"])
def test_another_agencys_officer_searching_a_subjects_name_learns_nothing(
    browse, people, springfield, path
):
    outsider = browse(people.outsider)

    found = outsider.get(path, {"q": HIDDEN})
    absent = outsider.get(path, {"q": "NOBODY ATALL"})

    assert HIDDEN.split()[1] not in scrubbed(text(found), HIDDEN)
    assert springfield.case_number not in text(found)
    assert scrubbed(text(found), HIDDEN) == scrubbed(text(absent), "NOBODY ATALL")
    assert "No requests match" in text(found) or "No orders match" in text(found)


def test_another_agencys_officer_cannot_filter_by_an_agency_they_may_not_see(
    browse, people, springfield
):
    outsider = browse(people.outsider)
    theirs = springfield.agency_id

    answer = outsider.get("/requests", {"agency": theirs})
    nowhere = outsider.get("/requests", {"agency": 999999})

    assert answer.status_code == 400  # told, as an agency that does not exist is
    assert springfield.case_number not in text(answer)
    assert "Springfield" not in text(answer)
    assert scrubbed(text(answer), f"'{theirs}'") == scrubbed(text(nowhere), "'999999'")


def test_a_search_on_the_own_agency_finds_the_case(browse, people, springfield):
    answer = browse(people.colleague).get("/requests", {"q": "zbignIEWSKA"})

    assert answer.status_code == 200
    assert springfield.case_number in text(answer)
    assert "1 to 1 of 1 request that matches" in text(answer)


@pytest.mark.parametrize("who", ["operator", "admin"])
@pytest.mark.parametrize("path", ["/requests", "/orders", "/records"])
def test_an_operator_or_an_admin_gets_no_case_data_through_a_search(
    browse, people, springfield, who, path
):
    answer = browse(getattr(people, who)).get(path, {"q": HIDDEN})

    assert answer.status_code == 403
    assert springfield.case_number not in text(answer)
    assert "ZBIGNIEWSKA" not in scrubbed(text(answer), HIDDEN)


@pytest.mark.parametrize("path", ["/requests", "/orders"])
def test_a_person_without_the_nondisclosure_form_gets_nothing_from_a_search(
    browse, people, file, path
):
    file(people.colleague, subject_name=HIDDEN)

    answer = browse(people.no_nda).get(path, {"q": HIDDEN})

    assert answer.status_code == 403
    assert "(MC-NONDISCLOSURE)" in text(answer)


def test_a_search_puts_nothing_on_the_ledger(browse, people, springfield):
    """The decision documented in covers.lists: rows shown by a list or a search are case
    facts the person may already open, not a disclosure; no search term reaches the ledger."""
    before = Entry.objects.count()

    browse(people.oversight).get("/orders", {"q": HIDDEN})
    browse(people.requester).get("/requests", {"q": HIDDEN})

    assert Entry.objects.count() == before


# --- what the lists do ---------------------------------------------------------------------


def test_the_approvers_list_holds_every_agencys_requests(browse, people, file):
    file(people.requester, subject_name="ALICE SPRINGFIELD")
    file(people.outsider, subject_name="BOB DENVER")

    page = text(browse(people.approver).get("/requests"))

    assert "ALICE SPRINGFIELD" in page
    assert "BOB DENVER" in page
    assert "Denver Police Department" in page  # offered as a filter too


def test_the_requesters_agency_filter_offers_only_their_own_agency(browse, people, file):
    file(people.outsider, subject_name="BOB DENVER")
    file(people.requester, subject_name="ALICE SPRINGFIELD")

    page = text(browse(people.requester).get("/requests"))

    assert "Denver Police Department" not in page
    assert "BOB DENVER" not in page


def test_filters_narrow_by_state_grounds_agency_and_dates(browse, people, file, approve):
    approved = file(people.requester, subject_name="ALICE APPROVED")
    approve(approved)
    file(people.requester, subject_name="PETER PENDING")
    file(
        people.outsider,
        subject_name="FRED FUGITIVE",
        grounds="fugitive",
        statute="18 U.S.C. 1073",
    )
    approver = browse(people.approver)

    pending = text(approver.get("/requests", {"state": "pending"}))
    fugitive = text(approver.get("/requests", {"grounds": "fugitive"}))
    springfield = text(approver.get("/requests", {"agency": people.requester.agency_id}))
    today = timezone.now().date()
    tomorrow = (today + timedelta(days=1)).isoformat()
    none_tomorrow = text(approver.get("/requests", {"from": tomorrow}))
    all_today = text(approver.get("/requests", {"from": today.isoformat(), "to": tomorrow}))

    assert "PETER PENDING" in pending
    assert "ALICE APPROVED" not in pending
    assert "FRED FUGITIVE" in fugitive
    assert "PETER PENDING" not in fugitive
    assert "ALICE APPROVED" in springfield
    assert "FRED FUGITIVE" not in springfield
    assert "No requests match" in none_tomorrow
    assert all(name in all_today for name in ("ALICE", "PETER", "FRED"))


def test_orders_filter_by_their_status_now(browse, people, order, emergency_order):
    from mailcover.covers import actions

    actions.rule_improper(
        people.approver,
        emergency_order,
        "The grounds were transcribed wrongly from the request as filed.",
        timezone.now(),
    )
    approver = browse(people.approver)

    active = text(approver.get("/orders", {"state": "active"}))
    improper = text(approver.get("/orders", {"state": "improper"}))

    assert order.case_number in active
    assert emergency_order.case_number not in active
    assert emergency_order.case_number in improper
    assert order.case_number not in improper


def test_sorting_by_subject_both_ways(browse, people, file):
    for name in ("CAROL C", "ALICE A", "BOB B"):
        file(people.requester, subject_name=name)
    requester = browse(people.requester)

    up = text(requester.get("/requests", {"sort": "subject"}))
    down = text(requester.get("/requests", {"sort": "-subject"}))

    assert up.index("ALICE A") < up.index("BOB B") < up.index("CAROL C")
    assert down.index("CAROL C") < down.index("BOB B") < down.index("ALICE A")
    assert 'aria-sort="ascending"' in up
    assert 'aria-sort="descending"' in down


def test_pages_of_25_with_uswds_pagination(browse, people, file, monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    for n in range(5):
        file(people.requester, subject_name=f"PERSON NUMBER {n}")
    requester = browse(people.requester)

    first = text(requester.get("/requests", {"sort": "subject"}))
    last = text(requester.get("/requests", {"sort": "subject", "page": 3}))

    assert "PERSON NUMBER 0" in first
    assert "PERSON NUMBER 2" not in first
    assert 'class="usa-pagination"' in first
    assert 'aria-current="page"' in first
    assert "?sort=subject&page=2" in first  # Next keeps the sort
    assert "1 to 2 of 5 requests" in first
    assert "PERSON NUMBER 4" in last
    assert "PERSON NUMBER 0" not in last
    assert "Next page" not in last


@pytest.mark.parametrize(
    ("params", "told"),
    [
        ({"sort": "favourite"}, "cannot be sorted by 'favourite'"),
        ({"page": "99"}, "There is no page 99: the list has 1 page"),
        ({"page": "-1"}, "is not a page number"),
        ({"page": "1e9"}, "is not a page number"),
        ({"from": "2026-13-45"}, "is not a date"),
        ({"to": "yesterday"}, "is not a date"),
        ({"state": "dancing"}, "There is no state 'dancing'"),
        ({"grounds": "hunch"}, "There is no grounds 'hunch'"),
        ({"agency": "x"}, "There is no agency 'x'"),
        ({"from": "2026-12-01", "to": "2026-11-01"}, "The first date is after the last date"),
    ],
)
@pytest.mark.parametrize("path", ["/requests", "/orders"])
def test_bad_parameters_are_told_never_a_server_error(browse, people, order, path, params, told):
    answer = browse(people.requester).get(path, params)

    assert answer.status_code == 400
    assert told in text(answer)
    assert 'data-testid="list-problems"' in text(answer)


def test_a_page_past_the_end_shows_the_last_page(browse, people, order):
    page = text(browse(people.requester).get("/orders", {"page": "7"}))

    assert order.case_number in page
    assert "The last page is shown" in page


def test_the_home_says_how_many_there_are_and_links_to_the_full_list(browse, people, file):
    for n in range(12):
        file(people.requester, subject_name=f"PERSON NUMBER {n:02d}")

    page = text(browse(people.requester).get("/"))

    assert "The newest 10 of 12." in page
    assert 'href="/requests"' in page
