"""The API's paged lists seen from the wrong side: another agency's officer, an operator, an
admin and a person without a nondisclosure form probing with search, filters, sort and paging
for a case that is not theirs must get the answer a search matching nothing gets (rows,
X-Total-Count, Link, status and error text); bad paging parameters are a 422 naming the
parameter, never a 500; the Link header carries only the caller's own query, escaped."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

pytestmark = pytest.mark.django_db

HIDDEN = "WILHELMINA ZBIGNIEWSKA"
NOBODY = "QUENTIN XYLOPHONIST"
SPRINGFIELD = "Springfield Police Department"
CASE_LISTS = ["/cover-requests", "/cover-orders"]
EVERY_LIST = [*CASE_LISTS, "/records-requests", "/reviews", "/report-returns", "/account-changes"]


def subject(name: str) -> dict[str, Any]:
    return {"name": name, "aliases": [], "address": "123 MAIN ST APT 4, SPRINGFIELD IL 62704"}


@pytest.fixture
def cases(people: Any, history: Any) -> dict[str, Any]:
    """Springfield: an order on HIDDEN in force and one that stopped long ago (owed a return);
    Denver: one pending request of its own, so its officer's list is not empty."""
    hidden = history.order(history.ago(3), subject=subject(HIDDEN))
    stopped = history.order(history.ago(90), subject=subject(HIDDEN + " SR"))
    denver = history.file(history.ago(1), by=people.outsider, subject=subject("DORA DENVER"))
    return {"hidden": hidden, "stopped": stopped, "denver": denver}


def answer(response: Any, *spellings: str) -> tuple[Any, ...]:
    """What a caller learns from a list's answer, with the probe's own words blanked out
    (an error may echo back what the caller sent, which tells them nothing new)."""
    body = response.content.decode()
    link = response.get("Link", "")
    for spelling in spellings:
        for form in (spelling, quote(spelling), quote(spelling).replace("%20", "+")):
            body = body.replace(form, "PROBE")
            link = link.replace(form, "PROBE")
    return response.status_code, body, response.get("X-Total-Count"), link


def probes(cases: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(query that names the hidden case, the same query naming nothing, their words)."""
    number = cases["hidden"].case_number
    order_id = str(cases["hidden"].pk)
    surname = HIDDEN.split()[1]
    sort = "sort=-subject&limit=1"
    chosen = "status=approved&grounds=crime"
    own_id = str(cases["hidden"].agency_id)
    return [
        (f"q={number}", "q=SPR-0000-999999", number, "SPR-0000-999999"),
        (f"q={surname}", f"q={NOBODY}", surname, NOBODY),
        (f"q={HIDDEN}", f"q={NOBODY}", HIDDEN, NOBODY),
        (f"agency={SPRINGFIELD}", "agency=Nowhere Sheriff", SPRINGFIELD, "Nowhere Sheriff"),
        (f"agency={SPRINGFIELD.upper()}", "agency=NOWHERE", SPRINGFIELD.upper(), "NOWHERE"),
        (f"agency={own_id}", "agency=987654", own_id, "987654"),
        (f"q={surname}&{chosen}", f"q={NOBODY}&{chosen}", surname, NOBODY),
        (f"q={surname}&{sort}", f"q={NOBODY}&{sort}", surname, NOBODY),
        (f"q={order_id}", "q=987654", order_id, "987654"),
    ]


def _adapted(path: str, query: str) -> str:
    if path == "/cover-orders":
        return query.replace("status=approved", "status=active")
    return query


@pytest.mark.parametrize("path", CASE_LISTS)
def test_another_agencys_officer_learns_nothing_from_any_search_filter_or_sort(
    api, people, cases, path
):
    for probe, blank, probe_words, blank_words in probes(cases):
        seen = api.get(f"{path}?{_adapted(path, probe)}", people.outsider)
        nothing = api.get(f"{path}?{_adapted(path, blank)}", people.outsider)

        assert seen.status_code != 500, probe
        assert answer(seen, probe_words) == answer(nothing, blank_words), probe
        assert HIDDEN not in seen.content.decode()
        assert cases["hidden"].case_number not in seen.content.decode()


@pytest.mark.parametrize("path", CASE_LISTS)
def test_another_agencys_officer_dating_the_hidden_case_learns_nothing(api, people, cases, path):
    day = cases["hidden"].request.filed_at.date().isoformat()
    seen = api.get(f"{path}?from={day}&to={day}", people.outsider)
    before = api.get(f"{path}?from=2001-01-01&to=2001-01-01", people.outsider)

    assert answer(seen, day) == answer(before, "2001-01-01")


@pytest.mark.parametrize("path", CASE_LISTS)
@pytest.mark.parametrize("who", ["operator", "admin"])
def test_sec_operator_and_the_admin_get_the_same_refusal_whatever_they_search(
    api, people, cases, path, who
):
    user = getattr(people, who)
    for probe, blank, probe_words, blank_words in probes(cases):
        seen = api.get(f"{path}?{_adapted(path, probe)}", user)
        nothing = api.get(f"{path}?{_adapted(path, blank)}", user)

        assert seen.status_code == 403, probe
        assert answer(seen, probe_words) == answer(nothing, blank_words), probe
        assert "X-Total-Count" not in seen


@pytest.mark.parametrize("path", [*CASE_LISTS, "/records-requests", "/report-returns"])
def test_mc_nondisclosure_no_list_answers_a_search_without_the_form(api, people, cases, path):
    for probe, blank, probe_words, blank_words in probes(cases):
        seen = api.get(f"{path}?{_adapted(path, probe)}", people.no_nda)
        nothing = api.get(f"{path}?{_adapted(path, blank)}", people.no_nda)

        assert seen.status_code == 422, probe
        assert seen.json()["rule"] == "MC-NONDISCLOSURE"
        assert answer(seen, probe_words) == answer(nothing, blank_words), probe
        assert "X-Total-Count" not in seen


def test_mc_nondisclosure_the_review_queue_counts_nothing_without_the_form(api, people, cases):
    response = api.get("/reviews", people.no_nda)

    assert response.status_code in (403, 422)
    assert "X-Total-Count" not in response


@pytest.mark.parametrize("who", ["outsider", "operator", "admin"])
def test_the_review_queue_and_the_returns_count_no_case_of_another_agency(api, people, cases, who):
    owner = api.get("/report-returns", people.requester)
    assert owner.status_code == 200
    assert int(owner["X-Total-Count"]) >= 1  # the stopped Springfield cover is listed

    for path in ("/report-returns", "/reviews"):
        response = api.get(f"{path}?limit=1", getattr(people, who))
        assert response.status_code in (200, 403), path
        if response.status_code == 200:
            assert response["X-Total-Count"] == "0", path
            assert response.json() == []
            assert "Link" not in response
        assert cases["stopped"].case_number not in response.content.decode()


@pytest.mark.parametrize("who", ["requester", "outsider", "inspector", "approver", "operator"])
def test_sec_two_person_the_account_changes_list_is_not_for_other_roles(api, people, who):
    response = api.get("/account-changes?limit=1&offset=0", getattr(people, who))

    assert response.status_code in (403, 422)
    assert "X-Total-Count" not in response
    assert "Link" not in response


# --- paging parameters ------------------------------------------------------------------------

BAD = [
    ("offset=-1", "offset"),
    ("offset=-99999999999999999999", "offset"),
    ("offset=99999999999999999999", "offset"),
    ("offset=1e3", "offset"),
    ("offset=1.5", "offset"),
    ("offset=abc", "offset"),
    ("offset=%00", "offset"),
    ("offset=", "offset"),
    ("limit=0", "limit"),
    ("limit=-5", "limit"),
    ("limit=201", "limit"),
    ("limit=99999999999999999999999999999", "limit"),
    ("limit=NaN", "limit"),
    ("limit=%EF%BC%95", "limit"),  # a full-width digit five
]
READER = {
    "/cover-requests": "requester",
    "/cover-orders": "requester",
    "/records-requests": "requester",
    "/reviews": "approver",
    "/report-returns": "requester",
    "/account-changes": "admin",
}


@pytest.mark.parametrize("path", EVERY_LIST)
@pytest.mark.parametrize(("query", "field"), BAD)
def test_a_bad_paging_parameter_is_a_422_naming_it_on_every_list(
    api, people, cases, path, query, field
):
    response = api.get(f"{path}?{query}", getattr(people, READER[path]))

    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize("path", EVERY_LIST)
def test_an_offset_far_past_the_end_is_an_empty_page_with_a_way_back(api, people, cases, path):
    response = api.get(f"{path}?offset=1000000000&limit=200", getattr(people, READER[path]))

    assert response.status_code == 200
    body = response.json()
    assert (body["items"] if isinstance(body, dict) else body) == []
    total = int(response["X-Total-Count"])
    if total:
        prev = response["Link"]
        assert 'rel="next"' not in prev
        offset = int(parse_qs(urlsplit(prev.split(">")[0].lstrip("<")).query)["offset"][0])
        assert 0 <= offset < total


@pytest.mark.parametrize("path", EVERY_LIST)
def test_a_repeated_paging_parameter_never_passes_the_maximum(api, people, cases, path):
    response = api.get(
        f"{path}?limit=1&limit=500&offset=0&offset=-1", getattr(people, READER[path])
    )

    assert response.status_code in (200, 422)
    if response.status_code == 200:
        body = response.json()
        assert len(body["items"] if isinstance(body, dict) else body) <= 200


INJECTIONS = [
    "x\r\nSet-Cookie: sessionid=stolen",
    "x\nX-Injected: 1",
    'x>; rel="next", <https://evil.invalid/',
    "x\u2028\u0085y",
]


@pytest.mark.parametrize("path", EVERY_LIST)
@pytest.mark.parametrize("injected", INJECTIONS)
def test_the_link_header_carries_the_callers_query_escaped_and_nothing_else(
    api, people, cases, history, path, injected
):
    for n in range(3):  # enough rows on every list for a next page at limit=1
        history.file(history.ago(0.1 + n / 10), subject=subject(f"EXTRA PERSON {n}"))
    user = getattr(people, READER[path])
    response = api.get(f"{path}?limit=1&extra={quote(injected)}", user)

    assert response.status_code == 200, response.content
    assert "Set-Cookie" not in response or "stolen" not in response["Set-Cookie"]
    assert "X-Injected" not in response
    if "Link" not in response:
        return
    link = response["Link"]
    assert not set(link) & set("\r\n\u2028\u0085")
    assert "evil.invalid/" not in link.replace(quote("https://evil.invalid/", safe=""), "")
    for part in link.split(", "):
        target, relation = part.split(">; ")
        assert relation in ('rel="next"', 'rel="prev"')
        url = urlsplit(target.lstrip("<"))
        assert url.scheme == url.netloc == ""
        assert url.path == f"/api/v1{path}"
        assert parse_qs(url.query)["extra"] == [injected]
        assert set(parse_qs(url.query)) == {"limit", "extra", "offset"}


def test_a_search_term_with_a_line_break_is_escaped_in_the_link(api, people, cases, history):
    for n in range(3):
        history.file(history.ago(0.1 + n / 10), subject=subject(f"EXTRA PERSON {n}"))
    term = quote("EXTRA\r\nX-Injected: 1")
    response = api.get(f"/cover-requests?limit=1&q={term}", people.requester)

    assert response.status_code == 200
    assert "X-Injected" not in response
    assert not set(response.get("Link", "")) & set("\r\n")


def test_the_link_header_never_carries_another_callers_filters(api, people, cases, history):
    for n in range(3):
        history.file(history.ago(0.1 + n / 10), subject=subject(f"EXTRA PERSON {n}"))
    api.get(
        f"/cover-requests?limit=1&q={quote(HIDDEN)}&agency={quote(SPRINGFIELD)}", people.requester
    )
    response = api.get("/cover-requests?limit=1", people.requester)

    query = parse_qs(urlsplit(response["Link"].split(">")[0].lstrip("<")).query)
    assert set(query) == {"limit", "offset"}
    assert "ZBIGNIEWSKA" not in response["Link"]
