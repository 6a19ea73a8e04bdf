"""The records requests' list (records.lists): search by number, agency or the customer's
identifiers, filters, sort and pages, never past what law.roles.sees_records_request allows."""

from __future__ import annotations

import html
from typing import Any

from tests.records.test_views import form, signed_in, world  # noqa: F401 (world: a fixture)

from mailcover.ledger.models import Entry
from mailcover.records.models import RecordsRequest


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_another_agency_searching_a_customer_or_a_number_finds_nothing(world: Any) -> None:  # noqa: F811
    signed_in(world.requester).post("/records/new", form())
    filed = RecordsRequest.objects.get()
    outsider = signed_in(world.outsider)

    by_email = outsider.get("/records", {"q": "jq@example.com"})
    by_number = outsider.get("/records", {"q": filed.number})

    for answer in (by_email, by_number):
        assert answer.status_code == 200
        assert filed.number not in text(answer).replace(f'value="{filed.number}"', "")
        assert "No records requests match" in text(answer)


def test_the_filing_agency_and_the_inspector_find_it_by_the_customers_email(world: Any) -> None:  # noqa: F811
    requester = signed_in(world.requester)
    requester.post("/records/new", form())
    filed = RecordsRequest.objects.get()
    before = Entry.objects.count()

    for client in (requester, signed_in(world.inspector)):
        page = text(client.get("/records", {"q": "JQ@EXAMPLE"}))
        assert f"/records/{filed.pk}" in page
        assert "1 to 1 of 1 records request that matches" in page

    assert Entry.objects.count() == before  # a search is not a disclosure (records.lists)


def test_the_state_and_instrument_filters_narrow(world: Any) -> None:  # noqa: F811
    signed_in(world.requester).post("/records/new", form())
    filed = RecordsRequest.objects.get()
    inspector = signed_in(world.inspector)

    under_review = text(inspector.get("/records", {"state": "under_review"}))
    produced = text(inspector.get("/records", {"state": "produced"}))
    warrants = text(inspector.get("/records", {"grounds": "warrant"}))

    assert f"/records/{filed.pk}" in under_review
    assert f"/records/{filed.pk}" not in produced
    assert f"/records/{filed.pk}" not in warrants


def test_bad_parameters_are_told(world: Any) -> None:  # noqa: F811
    inspector = signed_in(world.inspector)

    answer = inspector.get("/records", {"sort": "customer", "from": "31/31/2026", "page": "x"})

    assert answer.status_code == 400
    page = text(answer)
    assert "cannot be sorted by 'customer'" in page
    assert "is not a date" in page
    assert "is not a page number" in page
