"""The API's lists of cover requests and orders (config.paging over covers.lists): paged with
offset and limit, searched and filtered as the pages are, and never wider than what the
caller may see. Another agency's officer who searches for, or filters by, what they may not
see is answered exactly as for something that does not exist."""

from __future__ import annotations

from typing import Any

import pytest

from mailcover.config import paging
from mailcover.covers.models import CoverRequest

pytestmark = pytest.mark.django_db

HIDDEN = "WILHELMINA ZBIGNIEWSKA"
SPRINGFIELD = "Springfield Police Department"


def subject(name: str) -> dict[str, Any]:
    return {"name": name, "aliases": [], "address": "123 MAIN ST APT 4, SPRINGFIELD IL 62704"}


@pytest.fixture
def cases(people: Any, history: Any) -> dict[str, Any]:
    """Springfield: three requests (one approved on HIDDEN); Denver: one pending request."""
    hidden = history.order(history.ago(3), subject=subject(HIDDEN))
    pending = [
        history.file(history.ago(2 - i * 0.5), subject=subject(name))
        for i, name in enumerate(["ALICE ABLE", "BRUNO BAKER"])
    ]
    denver = history.file(history.ago(1), by=people.outsider, subject=subject("DORA DENVER"))
    return {"hidden": hidden, "pending": pending, "denver": denver}


def subjects(rows: list[Any]) -> list[str]:
    return [CoverRequest.objects.get(pk=r["id"]).subject.name for r in rows]


def listed(api: Any, path: str, user: Any) -> tuple[Any, list[Any]]:
    response = api.get(path, user)
    assert response.status_code == 200, response.json()
    return response, response.json()


# --- who may not see ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/cover-requests", "/cover-orders"])
def test_another_agencys_officer_searching_a_subject_finds_nothing_and_no_count(
    api, people, cases, path
):
    response, rows = listed(api, f"{path}?q={HIDDEN.split()[1]}", people.outsider)

    assert rows == []
    assert response["X-Total-Count"] == "0"
    assert "Link" not in response


@pytest.mark.parametrize("path", ["/cover-requests", "/cover-orders"])
def test_another_agencys_officer_searching_a_case_number_finds_nothing(api, people, cases, path):
    number = cases["hidden"].case_number

    assert listed(api, f"{path}?q={number}", people.outsider)[1] == []
    assert [r["case_number"] for r in listed(api, f"{path}?q={number}", people.requester)[1]] == [
        number
    ]


@pytest.mark.parametrize("path", ["/cover-requests", "/cover-orders"])
def test_filtering_by_another_agency_is_refused_as_an_agency_that_does_not_exist(
    api, people, cases, path
):
    theirs = api.get(f"{path}?agency={SPRINGFIELD}", people.outsider)
    nobody = api.get(f"{path}?agency=Nowhere Sheriff", people.outsider)

    assert theirs.status_code == nobody.status_code == 422
    assert theirs.json()["errors"][0]["field"] == "agency"
    assert theirs.json()["detail"].replace(SPRINGFIELD, "X") == nobody.json()["detail"].replace(
        "Nowhere Sheriff", "X"
    )
    assert SPRINGFIELD not in theirs.json()["detail"].split("choose one of")[1]


def test_the_filters_only_narrow_an_approvers_view_of_every_agency(api, people, cases):
    everything = listed(api, "/cover-requests", people.approver)[1]
    denver = listed(api, "/cover-requests?agency=Denver Police Department", people.approver)[1]

    assert len(everything) == 4
    assert [r["case_number"] for r in denver] == [cases["denver"].case_number]


@pytest.mark.parametrize("path", ["/cover-requests", "/cover-orders"])
def test_an_operator_and_an_admin_get_no_case_list_whatever_they_search(api, people, cases, path):
    for user in (people.operator, people.admin):
        response = api.get(f"{path}?q={HIDDEN}", user)
        assert response.status_code == 403
        assert HIDDEN not in response.content.decode()


def test_a_person_without_a_nondisclosure_form_gets_no_list(api, people, cases):
    response = api.get("/cover-orders", people.no_nda)

    assert response.status_code == 422
    assert response.json()["rule"] == "MC-NONDISCLOSURE"


# --- search, filters and sort ----------------------------------------------------------------


def test_requests_are_found_by_subject_and_filtered_by_status(api, people, cases):
    found = listed(api, "/cover-requests?q=bruno", people.requester)[1]
    pending = listed(api, "/cover-requests?status=pending", people.requester)[1]
    approved = listed(api, "/cover-requests?status=approved", people.requester)[1]

    assert subjects(found) == ["BRUNO BAKER"]
    assert {r["id"] for r in pending} == {r.pk for r in cases["pending"]}
    assert [r["id"] for r in approved] == [cases["hidden"].request_id]


def test_orders_are_filtered_by_their_status_computed_now(api, people, cases):
    active = listed(api, "/cover-orders?status=active", people.requester)[1]
    ended = listed(api, "/cover-orders?status=ended", people.requester)[1]

    assert [o["id"] for o in active] == [cases["hidden"].pk]
    assert active[0]["status"] == "active"
    assert ended == []


def test_requests_sort_by_subject_either_way(api, people, cases):
    up = listed(api, "/cover-requests?sort=subject", people.requester)[1]
    down = listed(api, "/cover-requests?sort=-subject", people.requester)[1]

    names = subjects(up)
    assert names == sorted(names)
    assert [r["id"] for r in down] == [r["id"] for r in reversed(up)]


def test_dates_bound_the_day_filed(api, people, cases):
    today = cases["denver"].filed_at.date().isoformat()
    long_ago = "2001-01-01"

    assert listed(api, f"/cover-requests?from={long_ago}&to={long_ago}", people.requester)[1] == []
    assert len(listed(api, f"/cover-requests?to={today}", people.requester)[1]) == 3


# --- paging -----------------------------------------------------------------------------------


def test_pages_follow_one_another_and_say_the_total(api, people, cases):
    first, rows = listed(api, "/cover-requests?limit=2&sort=subject", people.requester)
    second, more = listed(api, "/cover-requests?limit=2&offset=2&sort=subject", people.requester)

    assert first["X-Total-Count"] == second["X-Total-Count"] == "3"
    assert len(rows) == 2
    assert len(more) == 1
    assert {r["id"] for r in rows}.isdisjoint({r["id"] for r in more})
    assert 'rel="next"' in first["Link"]
    assert "offset=2" in first["Link"]
    assert "sort=subject" in first["Link"]
    assert 'rel="next"' not in second["Link"]
    assert 'rel="prev"' in second["Link"]


def test_an_offset_past_the_end_is_an_empty_page(api, people, cases):
    response, rows = listed(api, "/cover-orders?offset=50", people.requester)

    assert rows == []
    assert response["X-Total-Count"] == "1"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        (f"limit={paging.LIMIT_MAX + 1}", "limit"),
        ("offset=-1", "offset"),
        ("limit=ten", "limit"),
        ("status=approvedd", "status"),
        ("grounds=treason", "grounds"),
        ("from=24/11/2026", "from"),
        ("sort=colour", "sort"),
        ("from=2026-11-02&to=2026-11-01", "from"),
        ("q=" + "x" * 101, "q"),
    ],
)
def test_a_bad_parameter_is_a_422_naming_it(api, people, cases, query, field):
    response = api.get(f"/cover-requests?{query}", people.requester)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert field in response.json()["detail"]


def test_the_openapi_description_states_the_lists_parameters_and_headers(api, people):
    schema = api.client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/cover-requests", "/api/v1/cover-orders", "/api/v1/records-requests"):
        listed_op = schema["paths"][path]["get"]
        names = {p["name"] for p in listed_op["parameters"]}
        assert {"offset", "limit", "q", "agency", "from", "to", "sort"} <= names
        limit = next(p for p in listed_op["parameters"] if p["name"] == "limit")
        assert limit["schema"]["maximum"] == paging.LIMIT_MAX
        assert set(listed_op["responses"]["200"]["headers"]) == {"X-Total-Count", "Link"}


@pytest.mark.parametrize(
    ("path", "who"),
    [("/reviews", "approver"), ("/report-returns", "requester"), ("/account-changes", "admin")],
)
def test_the_other_lists_are_paged_the_same_way(api, people, cases, path, who):
    user = getattr(people, who)
    good = api.get(f"{path}?limit=1", user)
    bad = api.get(f"{path}?limit=0", user)

    assert good.status_code == 200
    assert int(good["X-Total-Count"]) >= len(good.json())
    assert len(good.json()) <= 1
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["limit"]
