"""The paged pages and the documents in the reader's time zone, seen from the wrong side:
the security log and the account changes are read by their readers alone, whatever page is
asked for; a page number past the end, negative or not a number is a 400 naming it, never a
500 and never another reader's rows; the report returns show another agency no stopped cover
on any page; a time zone stored by any means cannot put a formula in a CSV file."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from tests.conftest import OVERSIGHT_BODY, _person, request_body, signed_in

from mailcover.accounts.models import Agency, User
from mailcover.covers import actions, exports
from mailcover.covers.models import CoverOrder
from mailcover.covers.schemas import CoverRequestIn
from mailcover.ledger import accounting
from mailcover.web.times import agency_zone_name, zone_name_for, zoned_text, zoned_with_utc

pytestmark = pytest.mark.django_db

ODD_PAGES = ["999999999", "0", "-1", "abc", "1e3", "2.5", "%EF%BC%92", "1%0D%0AX-Injected:%201"]
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def stopped_order(people: Any, name: str = "WILHELMINA ZBIGNIEWSKA") -> CoverOrder:
    """A Springfield cover that stopped long ago, so a return of its documents is owed."""
    at = timezone.now() - timedelta(days=90)
    body = request_body(subject={"name": name, "aliases": [], "address": "1 ELM ST, X IL 62704"})
    draft = CoverRequestIn(**body).to_draft(people.requester.agency.agency_level)
    filed = actions.file_request(people.requester, draft, at)
    return actions.approve(people.approver, filed, None, at)


# --- the security log -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["admin", "requester", "outsider", "inspector", "chief", "operator"]
)
@pytest.mark.parametrize("page", ["2", "999999999", "abc"])
def test_sec_sign_in_no_page_of_the_security_log_for_another_role(people, who, page):
    response = signed_in(getattr(people, who)).get(f"/security-log?page={page}")

    assert response.status_code == 403
    assert 'data-testid="security-log"' not in response.content.decode()


def test_mc_nondisclosure_oversight_without_the_form_reads_no_page_of_the_security_log(people):
    reader = _person(
        "oversight-nonda", OVERSIGHT_BODY, "oversight", ["oversight"], nondisclosure=False
    )

    for page in ("1", "2", "999999999"):
        response = signed_in(reader).get(f"/security-log?page={page}")
        assert response.status_code == 403
        assert 'data-testid="security-log"' not in response.content.decode()


@pytest.mark.parametrize("page", ODD_PAGES)
def test_sec_sign_in_an_odd_page_of_the_security_log_is_a_400_that_says_so(people, page):
    signed_in(people.requester).get("/")  # at least one sign-in row on the log
    response = signed_in(people.oversight).get(f"/security-log?page={page}")

    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="list-problems"' in body
    assert "X-Injected" not in response


def test_sec_sign_in_a_page_past_the_end_shows_the_last_page(people, monkeypatch):
    monkeypatch.setattr("mailcover.web.listing.PAGE_SIZE", 1)
    for _ in range(3):
        signed_in(people.requester).get("/")
    response = signed_in(people.oversight).get("/security-log?page=999999999")

    assert response.status_code == 400
    assert "There is no page 999999999" in response.content.decode()


# --- the account changes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["requester", "outsider", "inspector", "approver", "oversight", "operator", "no_nda"]
)
@pytest.mark.parametrize("page", ["2", "999999999", "abc"])
def test_sec_two_person_no_page_of_the_account_changes_for_another_role(people, who, page):
    response = signed_in(getattr(people, who)).get(f"/accounts/changes?page={page}")

    assert response.status_code == 403
    assert 'data-testid="changes"' not in response.content.decode()


@pytest.mark.parametrize("page", ODD_PAGES)
def test_sec_two_person_an_odd_page_of_the_account_changes_is_a_400_not_a_500(people, page):
    response = signed_in(people.admin).get(f"/accounts/changes?page={page}")

    assert response.status_code == 400
    assert 'data-testid="list-problems"' in response.content.decode()
    assert "X-Injected" not in response


def test_sec_two_person_the_pagination_links_stay_on_the_changes_page(people):
    response = signed_in(people.admin).get("/accounts/changes?page=1&next=//evil.invalid")

    assert response.status_code == 200
    assert "evil.invalid" not in response.content.decode()


# --- the report returns -----------------------------------------------------------------------


@pytest.mark.parametrize("page", ["1", "2", "999999999"])
def test_another_agencys_officer_finds_no_stopped_cover_on_any_page_of_the_returns(people, page):
    order = stopped_order(people)
    mine = signed_in(people.requester).get("/report-returns").content.decode()
    assert order.case_number in mine

    response = signed_in(people.outsider).get(f"/report-returns?page={page}")

    assert response.status_code in (200, 400)
    assert order.case_number not in response.content.decode()
    assert "ZBIGNIEWSKA" not in response.content.decode()


@pytest.mark.parametrize("who", ["operator", "admin"])
def test_sec_operator_and_the_admin_read_no_page_of_the_returns(people, who):
    order = stopped_order(people)

    response = signed_in(getattr(people, who)).get("/report-returns?page=999999999")

    assert response.status_code in (403, 404)
    assert order.case_number not in response.content.decode()


def test_mc_nondisclosure_no_page_of_the_returns_without_the_form(people):
    order = stopped_order(people)

    response = signed_in(people.no_nda).get("/report-returns?page=2")

    assert response.status_code == 403
    assert order.case_number not in response.content.decode()


def test_recording_a_return_sends_back_to_a_page_of_the_list_and_nowhere_else(people):
    order = stopped_order(people)
    browser = signed_in(people.requester)
    url = f"/report-returns/{order.pk}?page=" + "%2F%2Fevil.invalid%0D%0AX-Injected:%201"

    response = browser.post(url, {})

    assert "X-Injected" not in response
    assert "evil.invalid" not in response.get("Location", "")


# --- the time zone column in the CSV files ----------------------------------------------------

POISONED = ['=HYPERLINK("http://x.invalid","go")', "+1+1", "-2", "@SUM(A1)", "\t=1", "\r=1"]


def _poison(user: User, zone: str) -> None:
    # Stored past the form's validator, as a direct database write or an old row would be.
    User.objects.filter(pk=user.pk).update(time_zone=zone)
    Agency.objects.filter(pk=user.agency_id).update(time_zone=zone)
    user.refresh_from_db()


@pytest.mark.parametrize("zone", POISONED)
def test_a_stored_time_zone_cannot_put_a_formula_in_the_captures_csv_header(people, zone):
    _poison(people.requester, zone)

    named = zone_name_for(people.requester)
    header = exports.header(named)

    assert named != zone
    assert not any(cell.startswith(FORMULA) for cell in header)
    assert not any(zone in cell for cell in header)


@pytest.mark.parametrize("zone", POISONED)
def test_a_stored_time_zone_cannot_put_a_formula_in_the_accounting_csv(people, zone):
    _poison(people.requester, zone)

    text = accounting.as_csv([], zone_name_for(people.requester))
    [header] = list(csv.reader(io.StringIO(text)))

    assert not any(cell.startswith(FORMULA) for cell in header)
    assert zone not in text


@pytest.mark.parametrize("zone", POISONED)
def test_an_agencys_stored_time_zone_cannot_reach_the_cover_letter(people, zone):
    _poison(people.requester, zone)
    moment = datetime(2026, 11, 24, 10, 15, tzinfo=UTC)

    assert agency_zone_name(people.requester.agency) != zone
    assert zoned_with_utc(moment, zone) == "2026-11-24 10:15 UTC"
    assert zoned_text(moment, zone) == "2026-11-24 10:15 UTC"
