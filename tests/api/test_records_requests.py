"""/api/v1/records-requests: filing with an instrument, review, production, download and
the follow-up, each with who may and who may not (RR-*, PA-ACCOUNT)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from fpdf import FPDF

from mailcover.accounts.models import ApiToken, User
from mailcover.ledger.events import EventName
from mailcover.ledger.models import Entry
from mailcover.records.models import (
    Customer,
    Payment,
    Production,
    RecordsRequest,
    SignIn,
    TrackedItem,
)

DISCLOSURE = EventName.DISCLOSURE

pytestmark = pytest.mark.django_db

TRACKING = "9400111201080805483016"  # SPECS.md 3.4, a valid IMpb number


def pdf_bytes(text: str = "SUBPOENA") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


PDF = pdf_bytes()


def body(**changes: Any) -> dict[str, Any]:
    today = timezone.now().date()
    request: dict[str, Any] = {
        "instrument": {
            "type": "subpoena",
            "issued_by": "GRAND JURY, N.D. ILL.",
            "issued_on": (today - timedelta(days=3)).isoformat(),
            "number": "GJ-26-114",
        },
        "customer": {"email": "jq@example.com"},
        "categories": ["subscriber"],
        "start": (today - timedelta(days=200)).isoformat(),
        "end": (today - timedelta(days=1)).isoformat(),
        "purpose": "Identify who shipped the stolen goods.",
    }
    request.update(changes)
    return request


class RecordsApi:
    def __init__(self) -> None:
        self.client = Client()
        self.second_factor = True

    def headers(self, user: User | None) -> dict[str, str]:
        if user is None:
            return {}
        # Tokens here stand for a sign-in with a one-time code, as the verified filers
        # below all have a device (test_rr_verified_a_token_without_a_code... checks one
        # without).
        token = ApiToken.issue(user, timezone.now(), 1, second_factor=self.second_factor)
        return {"Authorization": f"Bearer {token}"}

    def file(
        self, user: User | None, request: Any = None, pdf: bytes | None = PDF, **extra: Any
    ) -> Any:
        data: dict[str, Any] = {
            "request": request if isinstance(request, str) else json.dumps(request or body())
        }
        if pdf is not None:
            data["instrument_pdf"] = SimpleUploadedFile("i.pdf", pdf, "application/pdf")
        return self.client.post(
            "/api/v1/records-requests", data=data, headers={**self.headers(user), **extra}
        )

    def post(self, path: str, payload: Any, user: User | None) -> Any:
        return self.client.post(
            f"/api/v1{path}",
            data=json.dumps(payload),
            content_type="application/json",
            headers=self.headers(user),
        )

    def get(self, path: str, user: User | None) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers(user))


@pytest.fixture
def rr() -> RecordsApi:
    return RecordsApi()


@pytest.fixture
def verified(people: Any) -> Any:
    """RR-VERIFIED: both police agencies verified; their officers and the inspector have a
    one-time-code device (tests.conftest gives every persona that needs one a device)."""
    for user in (people.requester, people.outsider):
        agency = user.agency
        agency.verified_at = datetime(2025, 1, 1, tzinfo=UTC)
        agency.address = "1 POLICE PLZ, SPRINGFIELD IL 62701"
        agency.save()
    people.inspector.agency.verified_at = datetime(2025, 1, 1, tzinfo=UTC)
    people.inspector.agency.address = "475 L'ENFANT PLZ SW, WASHINGTON DC 20260"
    people.inspector.agency.save()
    return people


@pytest.fixture
def customer() -> Customer:
    at = timezone.now() - timedelta(days=30)
    found = Customer.objects.create(
        account_number="A000000001",
        name="JOHN Q PUBLIC",
        address="123 MAIN ST APT 4, SPRINGFIELD IL 62704",
        address_key="62704|123 MAIN ST|4",
        email="jq@example.com",
        opened_at=timezone.now() - timedelta(days=400),
        services=["click_n_ship"],
        recorded_at=at,
    )
    SignIn.objects.create(
        customer=found,
        at=at,
        ip_address="203.0.113.9",
        user_agent="Firefox",
        duration_seconds=300,
        recorded_at=at,
    )
    Payment.objects.create(
        customer=found,
        at=at,
        amount=Decimal("12.50"),
        card_brand="VISA",
        card_last4="4242",
        processor_token="tok_abc",
        description="Priority Mail",
        recorded_at=at,
    )
    TrackedItem.objects.create(
        customer=found, tracking_number=TRACKING, role="sender", recorded_at=at
    )
    return found


def filed_id(rr: RecordsApi, user: User, **changes: Any) -> int:
    answer = rr.file(user, body(**changes))
    assert answer.status_code == 201, answer.content
    return int(answer.json()["id"])


# -- Filing -------------------------------------------------------------------------


def test_rr_verified_a_requester_of_a_verified_agency_files_a_subpoena(
    rr: RecordsApi, verified: Any
) -> None:
    answer = rr.file(verified.requester)
    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert created["state"] == "under_review"
    assert created["number"].startswith("RR-")
    request = RecordsRequest.objects.get(pk=created["id"])
    assert request.instrument_sha256
    assert request.categories == ["subscriber"]
    assert Entry.objects.filter(event="records.request_filed", case_number=request.number).exists()


def test_rr_verified_an_unverified_agency_is_refused(rr: RecordsApi, verified: Any) -> None:
    agency = verified.requester.agency
    agency.verified_at = None
    agency.save()
    answer = rr.file(verified.requester)
    assert answer.status_code == 422
    assert answer.json()["rule"] == "RR-VERIFIED"
    assert "not verified" in answer.json()["detail"]
    assert not RecordsRequest.objects.exists()


def test_pa_account_an_agency_without_an_address_cannot_file(rr: RecordsApi, verified: Any) -> None:
    agency = verified.requester.agency
    agency.address = ""
    agency.save()
    answer = rr.file(verified.requester)
    assert answer.status_code == 422
    assert answer.json()["rule"] == "PA-ACCOUNT"
    assert not RecordsRequest.objects.exists()


def test_rr_verified_a_person_without_a_second_factor_is_refused(
    rr: RecordsApi, verified: Any
) -> None:
    TOTPDevice.objects.filter(user=verified.requester).delete()
    answer = rr.file(verified.requester)
    assert answer.status_code == 422
    assert answer.json()["rule"] == "RR-VERIFIED"
    assert "two-factor" in answer.json()["detail"]


@pytest.mark.parametrize("who", ["approver", "chief", "operator", "admin"])
def test_roles_that_do_not_file_records_requests_are_refused(
    rr: RecordsApi, verified: Any, who: str
) -> None:
    assert rr.file(getattr(verified, who)).status_code == 403


def test_filing_without_signing_in_is_a_401(rr: RecordsApi, verified: Any) -> None:
    assert rr.file(None).status_code == 401


def test_rr_scope_a_category_the_instrument_does_not_reach_names_the_instrument_needed(
    rr: RecordsApi, verified: Any
) -> None:
    answer = rr.file(verified.requester, body(categories=["subscriber", "transactional"]))
    assert answer.status_code == 422
    error = answer.json()
    assert error["rule"] == "RR-SCOPE"
    assert "court order under 18 U.S.C. 2703(d), or a warrant" in error["detail"]
    assert error["errors"][0]["field"] == "categories"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"start": "2026-06-30", "end": "2026-01-01"}, "end", "reversed"),
        ({"start": None}, "start", "no start"),
        ({"end": None}, "end", "no end"),
        ({"customer": {}}, "customer", "name the customer"),
        ({"categories": ["gossip"]}, "categories", "not a category"),
        ({"instrument": {"type": "letter", "issued_by": "X"}}, "instrument.type", "one of"),
        (
            {"customer": {"tracking_number": "9400111201080805483017"}},
            "customer.tracking_number",
            "check digit",
        ),
        ({"purpose": ""}, "purpose", "purpose"),
        ({"start": "not a date"}, "start", "date"),
    ],
)
def test_rr_scope_bad_requests_are_refused_with_the_field_named(
    rr: RecordsApi, verified: Any, changes: dict[str, Any], field: str, words: str
) -> None:
    answer = rr.file(verified.requester, body(**changes))
    assert answer.status_code == 422, answer.content
    fields = [e["field"] for e in answer.json()["errors"]]
    assert field in fields
    assert words in answer.json()["detail"]
    assert not RecordsRequest.objects.exists()


def test_a_request_part_that_is_not_json_is_a_422(rr: RecordsApi, verified: Any) -> None:
    answer = rr.file(verified.requester, "{not json")
    assert answer.status_code == 422
    assert not RecordsRequest.objects.exists()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"GIF89a not a pdf", "not a PDF"),
        (b"%PDF-1.7\n garbage with no objects or pages", "cannot be read"),
        (b"MZ\x90\x00 an executable named .pdf", "not a PDF"),
    ],
)
def test_a_pdf_that_is_not_a_pdf_is_refused(
    rr: RecordsApi, verified: Any, data: bytes, words: str
) -> None:
    answer = rr.file(verified.requester, pdf=data)
    assert answer.status_code == 422, answer.content
    assert words in answer.json()["detail"]
    assert not RecordsRequest.objects.exists()


def test_a_missing_pdf_is_refused(rr: RecordsApi, verified: Any) -> None:
    assert rr.file(verified.requester, pdf=None).status_code == 422


def test_an_oversized_pdf_is_a_413(rr: RecordsApi, verified: Any, settings: Any) -> None:
    settings.MAILCOVER_INSTRUMENT_MAX_BYTES = len(PDF) - 1
    answer = rr.file(verified.requester)
    assert answer.status_code == 413
    assert "limit" in answer.json()["detail"]
    assert not RecordsRequest.objects.exists()


def test_the_same_filing_with_an_idempotency_key_creates_one_request(
    rr: RecordsApi, verified: Any
) -> None:
    first = rr.file(verified.requester, body(), **{"Idempotency-Key": "rr-1"})
    again = rr.file(verified.requester, body(), **{"Idempotency-Key": "rr-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert RecordsRequest.objects.count() == 1


# -- Seeing --------------------------------------------------------------------------


def test_another_agency_is_told_a_request_does_not_exist(rr: RecordsApi, verified: Any) -> None:
    request_id = filed_id(rr, verified.requester)
    assert rr.get(f"/records-requests/{request_id}", verified.outsider).status_code == 404
    assert rr.get(f"/records-requests/{request_id}", verified.colleague).status_code == 200
    assert rr.get(f"/records-requests/{request_id}", verified.oversight).status_code == 200
    assert rr.get(f"/records-requests/{request_id}", verified.inspector).status_code == 200
    assert rr.get(f"/records-requests/{request_id}", verified.approver).status_code == 403
    listed = rr.get("/records-requests", verified.outsider).json()
    assert listed["total"] == 0


def test_another_agency_finds_nothing_by_searching_or_filtering_the_list(
    rr: RecordsApi, verified: Any
) -> None:
    filed_id(rr, verified.requester)
    searched = rr.get("/records-requests?q=jq@example.com", verified.outsider)
    filtered = rr.get("/records-requests?agency=Springfield Police Department", verified.outsider)
    assert searched.json()["total"] == 0
    assert searched["X-Total-Count"] == "0"
    assert filtered.status_code == 422
    assert filtered.json()["errors"][0]["field"] == "agency"


def test_the_list_is_searched_filtered_and_paged_as_the_page_is(
    rr: RecordsApi, verified: Any
) -> None:
    first = filed_id(rr, verified.requester)
    second = filed_id(rr, verified.requester, customer={"email": "other@example.com"})
    found = rr.get("/records-requests?q=OTHER@example", verified.inspector).json()
    by_instrument = rr.get("/records-requests?instrument=warrant", verified.inspector).json()
    page = rr.get("/records-requests?limit=1&offset=1", verified.requester)
    assert [r["id"] for r in found["items"]] == [second]
    assert by_instrument["total"] == 0
    assert [r["id"] for r in page.json()["items"]] == [first]
    assert (page.json()["total"], page.json()["offset"], page.json()["limit"]) == (2, 1, 1)
    assert 'rel="prev"' in page["Link"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("state=lost", "state"), ("instrument=letter", "instrument"), ("limit=201", "limit"),
     ("sort=customer", "sort")],
)  # fmt: skip
def test_a_bad_list_parameter_is_a_422_naming_it(
    rr: RecordsApi, verified: Any, query: str, field: str
) -> None:
    answer = rr.get(f"/records-requests?{query}", verified.requester)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == [field]


# -- Review and production -----------------------------------------------------------


def test_mc_not_self_the_filer_cannot_review_their_own_request(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = filed_id(rr, verified.inspector)
    answer = rr.post(
        f"/records-requests/{request_id}/review", {"approve": True}, verified.inspector
    )
    assert answer.status_code == 422
    assert answer.json()["rule"] == "MC-NOT-SELF"


def test_a_requester_cannot_review(rr: RecordsApi, verified: Any) -> None:
    request_id = filed_id(rr, verified.requester)
    answer = rr.post(
        f"/records-requests/{request_id}/review", {"approve": True}, verified.colleague
    )
    assert answer.status_code == 403


def test_pa_account_an_approved_subpoena_is_produced_and_accounted_for(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = filed_id(rr, verified.requester)
    answer = rr.post(
        f"/records-requests/{request_id}/review", {"approve": True}, verified.inspector
    )
    assert answer.status_code == 200, answer.content
    shown = answer.json()
    assert shown["state"] == "produced"
    production = Production.objects.get(request_id=request_id)
    entry = Entry.objects.get(seq=production.ledger_seq)
    assert entry.event == DISCLOSURE
    details = entry.entry.details
    assert details["recipient"]["name"] == verified.requester.agency.name
    assert details["purpose"] == (
        "the requesting agency's law-enforcement investigation, under a subpoena, as stated "
        f"in records request {shown['number']}"
    )
    assert (
        details["purpose_sha256"]
        == hashlib.sha256(b"Identify who shipped the stolen goods.").hexdigest()
    )
    assert details["package_sha256"] == production.sha256
    assert entry.entry.refs["customer"] == customer.pk
    assert shown["production"]["counts"]["subscriber"] >= 1
    assert shown["notice"]["state"] == "queued"


def test_rr_scope_a_subpoena_production_holds_subscriber_records_only(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = filed_id(rr, verified.requester)
    rr.post(f"/records-requests/{request_id}/review", {"approve": True}, verified.inspector)
    link = rr.post(f"/records-requests/{request_id}/download-links", {}, verified.requester)
    assert link.status_code == 201
    data = rr.post(
        "/productions/download", {"token": link.json()["token"]}, verified.requester
    ).content
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert "subscriber.csv" in names
    assert "transactional.csv" not in names
    assert "financial.csv" not in names
    assert "tok_abc" not in zipfile.ZipFile(io.BytesIO(data)).read("subscriber.csv").decode()


def test_identifiers_that_match_no_customer_say_so_and_disclose_nothing(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = filed_id(rr, verified.requester, customer={"email": "nobody@example.net"})
    answer = rr.post(
        f"/records-requests/{request_id}/review", {"approve": True}, verified.inspector
    )
    shown = answer.json()
    assert shown["state"] == "no_records"
    assert "match no customer" in shown["message"]
    assert shown["production"] is None
    assert not Entry.objects.filter(event=DISCLOSURE).exists()
    assert (
        rr.post(
            f"/records-requests/{request_id}/download-links", {}, verified.requester
        ).status_code
        == 409
    )


def test_identifiers_naming_two_customers_match_no_one(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    other = Customer.objects.create(
        account_number="A000000002",
        name="MARY ROE",
        address="1 ELM ST, DENVER CO 80202",
        email="mr@example.org",
        opened_at=timezone.now(),
        recorded_at=timezone.now(),
    )
    request_id = filed_id(
        rr, verified.requester, customer={"email": customer.email, "account": other.account_number}
    )
    answer = rr.post(
        f"/records-requests/{request_id}/review", {"approve": True}, verified.inspector
    )
    assert answer.json()["state"] == "no_records"


def test_a_customer_is_found_by_tracking_number(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = filed_id(
        rr, verified.requester, customer={"tracking_number": "9400 1112 0108 0805 4830 16"}
    )
    answer = rr.post(
        f"/records-requests/{request_id}/review", {"approve": True}, verified.inspector
    )
    assert answer.json()["state"] == "produced"


def test_a_refusal_states_its_reason_and_discloses_nothing(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = filed_id(rr, verified.requester)
    no_reason = rr.post(
        f"/records-requests/{request_id}/review", {"approve": False}, verified.inspector
    )
    assert no_reason.status_code == 422
    answer = rr.post(
        f"/records-requests/{request_id}/review",
        {"approve": False, "reason": "The subpoena is unsigned."},
        verified.inspector,
    )
    assert answer.json()["state"] == "refused"
    assert "unsigned" in answer.json()["message"]
    assert not Entry.objects.filter(event=DISCLOSURE).exists()
    again = rr.post(f"/records-requests/{request_id}/review", {"approve": True}, verified.inspector)
    assert again.status_code == 409


# -- Download ------------------------------------------------------------------------


def produced(rr: RecordsApi, people: Any, **changes: Any) -> int:
    request_id = filed_id(rr, people.requester, **changes)
    answer = rr.post(f"/records-requests/{request_id}/review", {"approve": True}, people.inspector)
    assert answer.json()["state"] == "produced", answer.content
    return request_id


def test_a_colleague_downloads_and_each_download_is_on_the_ledger(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = produced(rr, verified)
    link = rr.post(f"/records-requests/{request_id}/download-links", {}, verified.colleague)
    answer = rr.post("/productions/download", {"token": link.json()["token"]}, verified.colleague)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    production = Production.objects.get(request_id=request_id)
    assert answer["X-Content-SHA256"] == production.sha256
    assert Entry.objects.filter(event="records.production_downloaded").count() == 1


def test_a_requester_of_another_agency_cannot_download_the_production(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = produced(rr, verified)
    assert (
        rr.post(f"/records-requests/{request_id}/download-links", {}, verified.outsider).status_code
        == 404
    )
    link = rr.post(f"/records-requests/{request_id}/download-links", {}, verified.requester)
    stolen = rr.post("/productions/download", {"token": link.json()["token"]}, verified.outsider)
    assert stolen.status_code == 404
    assert not Entry.objects.filter(event="records.production_downloaded").exists()


@pytest.mark.parametrize("who", ["inspector", "oversight", "approver"])
def test_reviewers_and_oversight_do_not_download_productions(
    rr: RecordsApi, verified: Any, customer: Customer, who: str
) -> None:
    request_id = produced(rr, verified)
    answer = rr.post(f"/records-requests/{request_id}/download-links", {}, getattr(verified, who))
    assert answer.status_code == 403


def test_an_expired_download_link_is_a_410(
    rr: RecordsApi, verified: Any, customer: Customer, settings: Any
) -> None:
    request_id = produced(rr, verified)
    link = rr.post(f"/records-requests/{request_id}/download-links", {}, verified.requester)
    from mailcover.records.models import DownloadLink

    DownloadLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    answer = rr.post("/productions/download", {"token": link.json()["token"]}, verified.requester)
    assert answer.status_code == 410
    assert "expired" in answer.json()["detail"]


def test_an_unknown_link_is_a_404(rr: RecordsApi, verified: Any) -> None:
    unknown = rr.post("/productions/download", {"token": "not-a-token"}, verified.requester)
    assert unknown.status_code == 404


def test_the_production_is_reproduced_byte_for_byte_from_the_ledger(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = produced(rr, verified)
    # Records recorded after the production do not change what it was.
    SignIn.objects.create(
        customer=customer,
        at=timezone.now() - timedelta(days=2),
        ip_address="198.51.100.4",
        recorded_at=timezone.now(),
    )
    answer = rr.get(f"/records-requests/{request_id}/reproduction", verified.oversight)
    assert answer.json() == {"identical": True, "differences": []}
    assert (
        rr.get(f"/records-requests/{request_id}/reproduction", verified.requester).status_code
        == 403
    )
    # A record changed behind the ledger's back is found.
    Customer.objects.filter(pk=customer.pk).update(name="SOMEONE ELSE")
    answer = rr.get(f"/records-requests/{request_id}/reproduction", verified.inspector)
    assert answer.json()["identical"] is False
    assert answer.json()["differences"]


# -- RR-FINANCIAL ------------------------------------------------------------------------


def test_rr_financial_records_wait_for_the_customers_time_to_challenge(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = filed_id(
        rr,
        verified.requester,
        categories=["financial"],
        instrument={
            "type": "financial_administrative_subpoena",
            "issued_by": "DOJ",
            "issued_on": (timezone.now().date() - timedelta(days=20)).isoformat(),
        },
    )
    answer = rr.post(
        f"/records-requests/{request_id}/review", {"approve": True}, verified.inspector
    )
    assert answer.json()["state"] == "approved"
    assert "notice" in answer.json()["message"]
    held = rr.post(f"/records-requests/{request_id}/produce", {}, verified.inspector)
    assert held.status_code == 422
    assert held.json()["rule"] == "RR-FINANCIAL"
    served = (timezone.now() - timedelta(days=5)).date()
    noted = rr.post(
        f"/records-requests/{request_id}/challenge-notice",
        {"served_on": served.isoformat(), "method": "served"},
        verified.requester,
    )
    assert noted.status_code == 201
    # The customer may still move to quash on the tenth day; the release waits a day more.
    assert noted.json()["release_from"] == (served + timedelta(days=11)).isoformat()
    assert (
        rr.post(f"/records-requests/{request_id}/produce", {}, verified.inspector).status_code
        == 422
    )
    from mailcover.records.models import ChallengeNotice

    ChallengeNotice.objects.update(served_on=served - timedelta(days=6))
    done = rr.post(f"/records-requests/{request_id}/produce", {}, verified.inspector)
    assert done.status_code == 200
    assert done.json()["state"] == "produced"
    assert "financial" in done.json()["production"]["counts"]


# -- RR-NOTICE -------------------------------------------------------------------------


def test_rr_notice_a_delay_order_holds_the_notice(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = filed_id(rr, verified.requester)
    today = timezone.now().date()
    bad = rr.post(
        f"/records-requests/{request_id}/delays",
        {
            "kind": "delayed_notice",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=90)).isoformat(),
            "court_reference": "26-MJ-1",
        },
        verified.requester,
    )
    assert bad.status_code == 422
    assert bad.json()["rule"] == "RR-NOTICE"
    good = rr.post(
        f"/records-requests/{request_id}/delays",
        {
            "kind": "delayed_notice",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=89)).isoformat(),
            "court_reference": "26-MJ-1",
        },
        verified.requester,
    )
    assert good.status_code == 201
    assert (
        rr.post(
            f"/records-requests/{request_id}/delays",
            {"kind": "nondisclosure", "starts_on": today.isoformat(), "court_reference": "X"},
            verified.outsider,
        ).status_code
        == 404
    )
    shown = rr.post(
        f"/records-requests/{request_id}/review", {"approve": True}, verified.inspector
    ).json()
    assert shown["notice"]["state"] == "held"
    assert shown["notice"]["held_until"] == (today + timedelta(days=89)).isoformat()


# -- RR-EMERGENCY -------------------------------------------------------------------------


def emergency_body() -> dict[str, Any]:
    today = timezone.now().date()
    return body(
        instrument={"type": "emergency", "issued_by": "FBI CHICAGO"},
        categories=["subscriber", "transactional"],
        start=(today - timedelta(days=10)).isoformat(),
        end=today.isoformat(),
        emergency={
            "danger": "death",
            "facts": "A child is missing.",
            "attested_by": "SAC J. RIVERA",
        },
    )


def test_rr_emergency_is_produced_marked_as_such_and_asks_for_the_follow_up(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = filed_id(rr, verified.requester, **emergency_body())
    shown = rr.post(
        f"/records-requests/{request_id}/review", {"approve": True}, verified.inspector
    ).json()
    assert shown["state"] == "produced"
    assert shown["emergency"] is True
    assert shown["follow_up_due_at"]
    entry = Entry.objects.get(seq=shown["production"]["ledger_entry"])
    assert "emergency" in entry.entry.details["nature"]
    follow = rr.client.post(
        f"/api/v1/records-requests/{request_id}/follow-up",
        data={
            "instrument": json.dumps(
                {
                    "type": "court_order_2703d",
                    "issued_by": "N.D. ILL.",
                    "issued_on": timezone.now().date().isoformat(),
                }
            ),
            "instrument_pdf": SimpleUploadedFile("o.pdf", PDF, "application/pdf"),
        },
        headers=rr.headers(verified.requester),
    )
    assert follow.status_code == 201, follow.content
    assert follow.json()["follow_up_filed"] is True


def test_rr_emergency_a_follow_up_that_does_not_reach_what_was_released_is_refused(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = filed_id(rr, verified.requester, **emergency_body())
    follow = rr.client.post(
        f"/api/v1/records-requests/{request_id}/follow-up",
        data={
            "instrument": json.dumps(
                {
                    "type": "subpoena",
                    "issued_by": "GJ",
                    "issued_on": timezone.now().date().isoformat(),
                }
            ),
            "instrument_pdf": SimpleUploadedFile("o.pdf", PDF, "application/pdf"),
        },
        headers=rr.headers(verified.requester),
    )
    assert follow.status_code == 422
    assert follow.json()["rule"] == "RR-SCOPE"


def test_rr_emergency_without_an_attestation_is_refused(rr: RecordsApi, verified: Any) -> None:
    changed = emergency_body()
    changed["emergency"] = None
    answer = rr.file(verified.requester, changed)
    assert answer.status_code == 422
    assert answer.json()["rule"] == "RR-EMERGENCY"


def test_rr_verified_a_token_issued_without_a_one_time_code_cannot_file(
    rr: RecordsApi, verified: Any
) -> None:
    rr.second_factor = False  # signed in before the device was enrolled
    answer = rr.file(verified.requester)
    # Refused at the door (SEC-SECOND-FACTOR), before RR-VERIFIED is even asked.
    assert answer.status_code == 401
    assert answer.json()["rule"] == "SEC-SECOND-FACTOR"
    assert not RecordsRequest.objects.exists()


def test_rr_verified_a_token_from_the_sign_in_with_a_code_files(
    rr: RecordsApi, verified: Any
) -> None:
    from django_otp.oath import totp

    device = TOTPDevice.objects.get(user=verified.requester)
    signed = rr.client.post(
        "/api/v1/auth/token",
        data=json.dumps(
            {
                "username": "requester",
                "password": "correct horse battery staple",
                "otp": f"{totp(device.bin_key):06d}",
            }
        ),
        content_type="application/json",
    )
    token = signed.json()["token"]
    answer = rr.client.post(
        "/api/v1/records-requests",
        data={
            "request": json.dumps(body()),
            "instrument_pdf": SimpleUploadedFile("i.pdf", PDF, "application/pdf"),
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.content


def test_rr_scope_a_name_that_is_not_the_customers_names_no_one(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = filed_id(
        rr, verified.requester, customer={"email": customer.email, "name": "SOMEONE ELSE"}
    )
    answer = rr.post(
        f"/records-requests/{request_id}/review", {"approve": True}, verified.inspector
    )
    assert answer.json()["state"] == "no_records"


def test_rr_financial_a_notice_before_the_instrument_is_refused(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = filed_id(
        rr,
        verified.requester,
        categories=["financial"],
        instrument={
            "type": "financial_administrative_subpoena",
            "issued_by": "DOJ",
            "issued_on": (timezone.now().date() - timedelta(days=2)).isoformat(),
        },
    )
    answer = rr.post(
        f"/records-requests/{request_id}/challenge-notice",
        {"served_on": "2001-01-01", "method": "served"},
        verified.requester,
    )
    assert answer.status_code == 422
    assert answer.json()["rule"] == "RR-FINANCIAL"


def test_mc_not_self_the_filer_cannot_produce_their_own_held_request(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = filed_id(
        rr,
        verified.inspector,
        categories=["financial"],
        instrument={
            "type": "financial_administrative_subpoena",
            "issued_by": "DOJ",
            "issued_on": (timezone.now().date() - timedelta(days=20)).isoformat(),
        },
    )
    RecordsRequest.objects.filter(pk=request_id).update()
    other = verified.hq  # an approver: not an inspector, so refused before the law
    assert rr.post(f"/records-requests/{request_id}/produce", {}, other).status_code == 403
    answer = rr.post(f"/records-requests/{request_id}/produce", {}, verified.inspector)
    assert answer.status_code == 422
    assert answer.json()["rule"] == "MC-NOT-SELF"


def test_the_reviewer_of_a_request_does_not_receive_its_production(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    from mailcover.accounts.provisioning import NewUser, add_user
    from mailcover.law.terms import Policy

    filer = add_user(
        NewUser(
            username="inspector2",
            agency=verified.inspector.agency.name,
            roles=["inspector"],
            password="correct horse battery staple",
            nondisclosure=True,
        ),
        timezone.now(),
        Policy(),
    )
    TOTPDevice.objects.create(user=filer, name="default", confirmed=True)
    request_id = filed_id(rr, filer)
    rr.post(f"/records-requests/{request_id}/review", {"approve": True}, verified.inspector)
    assert (
        rr.post(
            f"/records-requests/{request_id}/download-links", {}, verified.inspector
        ).status_code
        == 403
    )
    assert rr.post(f"/records-requests/{request_id}/download-links", {}, filer).status_code == 201


def test_rr_notice_an_order_ending_in_the_far_future_is_refused_not_a_crash(
    rr: RecordsApi, verified: Any
) -> None:
    request_id = filed_id(rr, verified.requester)
    answer = rr.post(
        f"/records-requests/{request_id}/delays",
        {
            "kind": "nondisclosure",
            "starts_on": timezone.now().date().isoformat(),
            "ends_on": "9999-12-31",
            "court_reference": "X",
        },
        verified.requester,
    )
    assert answer.status_code == 422
    assert rr.get("/records-requests", verified.requester).status_code == 200


def test_a_nul_character_is_refused_as_bad_input(rr: RecordsApi, verified: Any) -> None:
    answer = rr.file(verified.requester, body(purpose="why\u0000"))
    assert answer.status_code == 422
    assert "NUL" in answer.json()["detail"]


def test_a_download_link_is_never_replayed_from_an_idempotency_record(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = produced(rr, verified)
    token = ApiToken.issue(verified.requester, timezone.now(), 1, second_factor=True)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "link-1"}
    path = f"/api/v1/records-requests/{request_id}/download-links"
    first = rr.client.post(path, data="{}", content_type="application/json", headers=headers)
    again = rr.client.post(path, data="{}", content_type="application/json", headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["token"] != again.json()["token"]
    from mailcover.accounts.models import IdempotencyRecord

    assert not IdempotencyRecord.objects.filter(key="link-1").exists()


def test_a_reproduction_names_the_recipient_as_the_ledger_recorded_it(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    request_id = produced(rr, verified)
    agency = verified.requester.agency
    agency.address = "2 NEW HQ ST, SPRINGFIELD IL 62701"
    agency.save()
    answer = rr.get(f"/records-requests/{request_id}/reproduction", verified.oversight)
    assert answer.json() == {"identical": True, "differences": []}


def test_the_letter_is_in_the_agencys_time_zone_and_a_later_change_of_zone_rebuilds_the_same(
    rr: RecordsApi, verified: Any, customer: Customer
) -> None:
    agency = verified.requester.agency
    agency.time_zone = "America/Chicago"
    agency.save()
    request_id = produced(rr, verified)
    made = RecordsRequest.objects.get(pk=request_id).production
    entry = Entry.objects.get(seq=made.ledger_seq).entry
    assert entry.details["time_zone"] == "America/Chicago"
    agency.time_zone = "America/New_York"
    agency.save()
    answer = rr.get(f"/records-requests/{request_id}/reproduction", verified.oversight)
    assert answer.json() == {"identical": True, "differences": []}
