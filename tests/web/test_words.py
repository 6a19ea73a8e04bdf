"""No page of the roles' main walks shows a code where a person reads words: no enum value
(`court_order_2703d`, `delivery_point`, `under_review`), no ledger event (`request.filed`),
and no form says a bare "This field is required."."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.conftest import signed_in
from tests.covers.conftest import draft_for
from tests.records.test_views import form as records_form

from mailcover.covers import actions as covers
from mailcover.law.requests import AgencyHeadApproval
from mailcover.records import actions as records
from mailcover.records.models import Customer, RecordsRequest
from mailcover.web import labels

# Codes that cannot pass for words: those with an underscore or a dot. (`crime` or `active`
# would read as words even when shown raw; the table is what shows them capitalised.)
CODES = sorted(
    {code for table in labels.TABLES.values() for code in table if re.search(r"[_.]", code)}
)
BARE_REQUIRED = "This field is required."


def visible_text(page: str) -> str:
    """The words a sighted reader sees: no tags, attributes, scripts or styles."""
    main = page.split('<main id="main-content"', 1)[-1]
    main = re.sub(r"<(script|style|datalist)\b.*?</\1>", " ", main, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def raw_codes(page: str) -> list[str]:
    text = visible_text(page)
    return [c for c in CODES if re.search(rf"(?<![\w.-]){re.escape(c)}(?![\w-])", text)]


@pytest.fixture
def records_world(people: Any) -> Any:
    """The personas, with the agencies verified and one customer on file."""
    for user in (people.requester, people.inspector):
        agency = user.agency
        agency.verified_at = timezone.now() - timedelta(days=365)
        agency.address = "1 MAIN ST, SPRINGFIELD IL 62701"
        agency.save()
    Customer.objects.create(
        account_number="A000000001",
        name="JOHN Q PUBLIC",
        address="123 MAIN ST, SPRINGFIELD IL 62704",
        email="jq@example.com",
        opened_at=timezone.now() - timedelta(days=400),
        recorded_at=timezone.now() - timedelta(days=30),
    )
    return people


@pytest.fixture
def cases(records_world: Any) -> dict[str, int]:
    """An order in force with an extension asked, a denied request, a pending emergency
    request with all-names scope, a records request under review and one produced."""
    people = records_world
    now = timezone.now()
    filed = covers.file_request(people.requester, draft_for(people.requester), now)
    order = covers.approve(people.approver, filed, None, now)
    denied = covers.file_request(
        people.requester, draft_for(people.requester, subject_name="RICHARD ROE"), now
    )
    covers.deny(people.approver, denied, "The facts do not show a felony.", now)
    pending = covers.file_request(
        people.requester,
        draft_for(
            people.requester,
            subject_name="MARY MAJOR",
            grounds="national_security",
            days=60,
            scope="delivery_point",
            scope_justification="Several aliases receive mail at the address.",
            agency_head_approval=AgencyHeadApproval(
                "ALEX HEAD", "Chief of Police", timezone.now().date()
            ),
        ),
        now,
    )
    requester = signed_in(people.requester)
    requester.post("/records/new", records_form())
    requester.post(
        "/records/new",
        records_form(instrument="court_order_2703d", categories=["subscriber", "transactional"]),
    )
    waiting, produced = RecordsRequest.objects.order_by("pk")
    records.review(people.inspector, produced.pk, True, "", now + timedelta(seconds=1))
    return {
        "order": order.pk,
        "filed": filed.pk,
        "denied": denied.pk,
        "pending": pending.pk,
        "waiting": waiting.pk,
        "produced": produced.pk,
    }


def walks(ids: dict[str, int]) -> dict[str, list[str]]:
    order, pending, denied = ids["order"], ids["pending"], ids["denied"]
    return {
        "requester": [
            "/",
            "/requests/new",
            f"/requests/{ids['filed']}",
            f"/requests/{denied}",
            f"/orders/{order}",
            "/records",
            "/records/new",
            f"/records/{ids['waiting']}",
            f"/records/{ids['produced']}",
            "/accounts/preferences",
        ],
        "approver": ["/", f"/requests/{pending}", f"/orders/{order}", "/reviews"],
        "inspector": ["/", "/records", f"/records/{ids['waiting']}"],
        "oversight": [
            "/",
            "/compliance",
            "/reviews",
            "/report-returns",
            f"/orders/{order}",
            f"/requests/{pending}",
            "/ledger/",
            "/ledger/?index=0",
            "/ledger/accounting",
            "/security-log",
            "/transparency",
        ],
        "operator": ["/"],
        "admin": ["/", "/accounts/changes"],
    }


@pytest.mark.parametrize(
    "role", ["requester", "approver", "inspector", "oversight", "operator", "admin"]
)
def test_no_page_of_a_role_s_walk_shows_a_raw_code(
    cases: dict[str, int], records_world: Any, role: str
) -> None:
    browser = signed_in(getattr(records_world, role))
    shown = {}
    for path in walks(cases)[role]:
        answer = browser.get(path)
        assert answer.status_code == 200, path
        found = raw_codes(answer.content.decode())
        if found:
            shown[path] = found
    assert shown == {}


def test_the_walk_sees_the_words_instead(cases: dict[str, int], records_world: Any) -> None:
    oversight = signed_in(records_world.oversight)
    pending = visible_text(oversight.get(f"/requests/{cases['pending']}").content.decode())
    assert "National security" in pending
    assert "All mail to the address" in pending
    assert "Request filed" in pending
    requester = signed_in(records_world.requester)
    listed = visible_text(requester.get("/records").content.decode())
    assert "Under review" in listed
    assert "Court order under 18 U.S.C. 2703(d)" in listed
    assert "Subscriber records, Transactional records" in listed


def test_the_check_itself_finds_a_raw_code() -> None:
    assert raw_codes('<main id="main-content"><td>court_order_2703d</td></main>') == [
        "court_order_2703d"
    ]
    assert raw_codes('<main id="main-content"><h3>request.filed</h3></main>') == ["request.filed"]
    # In an attribute or a class the code is for the machine, not the reader.
    assert raw_codes('<main id="main-content"><td class="status-under_review">x</td></main>') == []


@pytest.mark.parametrize(
    ("role", "path", "data"),
    [
        ("requester", "/requests/new", {}),
        ("requester", "/records/new", {}),
        ("oversight", "/ledger/", None),
        ("admin", "/accounts/changes", {}),
    ],
)
def test_an_empty_form_names_what_is_missing(
    records_world: Any, role: str, path: str, data: dict[str, Any] | None
) -> None:
    browser: Client = signed_in(getattr(records_world, role))
    if data is None:  # a GET form
        answer = browser.get(path, {"index": ""})
    else:
        answer = browser.post(path, {**data, "days": ""})
    assert answer.status_code in (200, 422)
    assert BARE_REQUIRED not in answer.content.decode()


def test_the_request_form_asks_for_the_days_in_words(records_world: Any) -> None:
    answer = signed_in(records_world.requester).post("/requests/new", {"days": ""})
    assert "Enter the number of days requested." in answer.content.decode()
    records = signed_in(records_world.requester).post("/records/new", {"emergency_danger": ""})
    page = records.content.decode()
    assert "Attach the instrument as a PDF." in page
    assert "Choose at least one category of records." in page
    assert "Enter what the records are for." in page
