"""GET /api/v1/records-requests probed by those it must tell nothing: another agency's
officer searching a customer's name, e-mail, account or tracking number, or filtering by
the agency, instrument, state, dates or sort, gets the answer of a search that matches
nothing (status, body, X-Total-Count, Link); the operator and the admin are refused the same
way whatever they ask; a person without a nondisclosure form gets MC-NONDISCLOSURE."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from fpdf import FPDF

from mailcover.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db

EMAIL = "jq@example.com"
TRACKING = "9400111201080805483016"
SPRINGFIELD = "Springfield Police Department"


def _pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="SUBPOENA")
    return bytes(pdf.output())


def _body(**customer: str) -> dict[str, Any]:
    today = timezone.now().date()
    return {
        "instrument": {
            "type": "subpoena",
            "issued_by": "GRAND JURY, N.D. ILL.",
            "issued_on": (today - timedelta(days=3)).isoformat(),
            "number": "GJ-26-114",
        },
        "customer": customer or {"email": EMAIL},
        "categories": ["subscriber"],
        "start": (today - timedelta(days=200)).isoformat(),
        "end": (today - timedelta(days=1)).isoformat(),
        "purpose": "Identify who shipped the stolen goods.",
    }


def _headers(user: User) -> dict[str, str]:
    token = ApiToken.issue(user, timezone.now(), 1, second_factor=True)
    return {"Authorization": f"Bearer {token}"}


def get(path: str, user: User) -> Any:
    return Client().get(f"/api/v1{path}", headers=_headers(user))


@pytest.fixture
def filed(people: Any) -> Any:
    """Springfield's request on a customer, and Denver's own on another, both agencies
    verified (RR-VERIFIED)."""
    for user in (people.requester, people.outsider):
        agency = user.agency
        agency.verified_at = datetime(2025, 1, 1, tzinfo=UTC)
        agency.address = "1 POLICE PLZ, SPRINGFIELD IL 62701"
        agency.save()
    numbers = {}
    for user, customer in (
        (people.requester, {"email": EMAIL, "name": "JOHN Q PUBLIC", "tracking_number": TRACKING}),
        (people.outsider, {"email": "dora@example.org"}),
    ):
        answer = Client().post(
            "/api/v1/records-requests",
            data={
                "request": json.dumps(_body(**customer)),
                "instrument_pdf": SimpleUploadedFile("i.pdf", _pdf(), "application/pdf"),
            },
            headers=_headers(user),
        )
        assert answer.status_code == 201, answer.content
        numbers[user.username] = answer.json()["number"]
    return numbers


def answer(response: Any, words: str) -> tuple[Any, ...]:
    body = response.content.decode()
    link = response.get("Link", "")
    for form in (words, quote(words), quote(words).replace("%20", "+")):
        body, link = body.replace(form, "PROBE"), link.replace(form, "PROBE")
    return response.status_code, body, response.get("X-Total-Count"), link


def probes(filed: dict[str, str]) -> list[tuple[str, str, str, str]]:
    number = filed["requester"]
    none = "no@no.invalid"
    narrowed = [
        (f"q={EMAIL}&{extra}", f"q={none}&{extra}", EMAIL, none)
        for extra in ("instrument=subpoena", "state=under_review", "sort=-agency&limit=1")
    ]
    return [
        (f"q={EMAIL}", "q=nobody@nowhere.invalid", EMAIL, "nobody@nowhere.invalid"),
        ("q=JOHN Q PUBLIC", "q=QUENTIN XYLOPHONIST", "JOHN Q PUBLIC", "QUENTIN XYLOPHONIST"),
        (f"q={TRACKING}", "q=9400000000000000000000", TRACKING, "9400000000000000000000"),
        (f"q={number}", "q=RR-0000-999999", number, "RR-0000-999999"),
        (f"agency={SPRINGFIELD}", "agency=Nowhere Sheriff", SPRINGFIELD, "Nowhere Sheriff"),
        *narrowed,
    ]


def test_another_agencys_officer_learns_nothing_of_a_records_request_from_the_list(people, filed):
    mine = get(f"/records-requests?q={EMAIL}", people.requester).json()
    assert [r["number"] for r in mine["items"]] == [filed["requester"]]

    for probe, blank, probe_words, blank_words in probes(filed):
        seen = get(f"/records-requests?{probe}", people.outsider)
        nothing = get(f"/records-requests?{blank}", people.outsider)

        assert seen.status_code != 500, probe
        assert answer(seen, probe_words) == answer(nothing, blank_words), probe
        assert filed["requester"] not in seen.content.decode()


@pytest.mark.parametrize("who", ["operator", "admin"])
def test_sec_operator_and_the_admin_are_refused_the_same_whatever_they_search(people, filed, who):
    user = getattr(people, who)
    for probe, blank, probe_words, blank_words in probes(filed):
        seen = get(f"/records-requests?{probe}", user)
        nothing = get(f"/records-requests?{blank}", user)

        assert seen.status_code == 403, probe
        assert answer(seen, probe_words) == answer(nothing, blank_words), probe
        assert "X-Total-Count" not in seen


def test_mc_nondisclosure_the_records_list_is_refused_whatever_is_searched(people, filed):
    for probe, blank, probe_words, blank_words in probes(filed):
        seen = get(f"/records-requests?{probe}", people.no_nda)
        nothing = get(f"/records-requests?{blank}", people.no_nda)

        assert seen.status_code == 422, probe
        assert seen.json()["rule"] == "MC-NONDISCLOSURE"
        assert answer(seen, probe_words) == answer(nothing, blank_words), probe
