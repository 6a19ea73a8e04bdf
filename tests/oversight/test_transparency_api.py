"""GET /api/v1/reports/transparency: answered with or without a token; the internal
version for oversight only; a bad period or choice is a 422 naming the field."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader
from tests.covers.conftest import draft_for

from mailcover.covers import actions

# A closed calendar quarter: the only kind of period the public may read (SEC-PUBLIC-PERIOD).
PATH = "/reports/transparency?year=2025&quarter=2"
FILED = datetime(2025, 5, 12, 15, 0, tzinfo=UTC)


@pytest.fixture
def three_requests(people: Any) -> None:
    for name in ("ANN ONE", "BOB TWO", "CAL THREE"):
        actions.file_request(
            people.requester, draft_for(people.requester, subject_name=name), FILED
        )


def test_a_caller_without_a_token_gets_the_public_version(three_requests: None) -> None:
    answer = Client().get(f"/api/v1{PATH}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["version"] == "public"
    assert body["mail_covers"]["requested"] == "0-9"
    assert body["mail_covers"]["durations"]["shortest_days"] is None


def test_a_wrong_token_is_refused_rather_than_answered_as_the_public(db: None) -> None:
    answer = Client().get(f"/api/v1{PATH}", headers={"Authorization": "Bearer nonsense"})
    assert answer.status_code == 401


@pytest.mark.parametrize("who", ["requester", "inspector", "approver", "chief", "operator"])
def test_other_roles_get_the_public_version_and_a_403_for_the_internal(
    who: str, people: Any, api: Any, three_requests: None
) -> None:
    user = getattr(people, who)
    assert api.get(PATH, user).json()["mail_covers"]["requested"] == "0-9"
    refused = api.get(PATH + "&version=internal", user)
    assert refused.status_code == 403
    assert "oversight" in refused.json()["detail"]


def test_anonymous_asking_for_the_internal_version_is_refused(db: None) -> None:
    assert Client().get(f"/api/v1{PATH}&version=internal").status_code == 403


def test_oversight_gets_the_exact_counts_and_the_public_version_when_asked(
    people: Any, api: Any, three_requests: None
) -> None:
    body = api.get(PATH, people.oversight).json()
    assert body["version"] == "internal"
    assert body["mail_covers"]["requested"] == 3
    assert body["mail_covers"]["pending"] == 3
    assert body["mail_covers"]["by_grounds"]["crime"] == 3
    public = api.get(PATH + "&version=public", people.oversight).json()
    assert public["mail_covers"]["requested"] == "0-9"


def test_the_report_comes_as_csv_or_pdf_of_the_same_version(three_requests: None) -> None:
    client = Client()
    as_csv = client.get(f"/api/v1{PATH}&format=csv")
    assert as_csv["Content-Type"].startswith("text/csv")
    assert "mail_covers,requested,,0-9" in as_csv.content.decode()
    as_pdf = client.get(f"/api/v1{PATH}&format=pdf")
    assert as_pdf["Content-Type"] == "application/pdf"
    first_page = PdfReader(io.BytesIO(as_pdf.content)).pages[0].extract_text()
    assert "Version: Public: counts under 10 shown as 0-9" in first_page


@pytest.mark.parametrize(
    ("query", "field", "says"),
    [
        ("start=2026-02-30", "start", "is not a date"),
        ("start=2026-03-01&end=2026-02-01", "end", "before start"),
        ("start=1990-01-01&end=2026-01-01", "end", "at most 3653 days"),
        ("format=xml", "format", "is not one of json, csv, html, pdf"),
        ("format=html", "format", "the page /transparency"),
        ("version=all", "version", "is not one of internal, public"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(query: str, field: str, says: str, db: None) -> None:
    answer = Client().get(f"/api/v1/reports/transparency?{query}")
    assert answer.status_code == 422
    body = answer.json()
    assert body["errors"][0]["field"] == field
    assert says in body["detail"]
