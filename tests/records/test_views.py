"""The records-request pages: filing needs a session signed in with a one-time code
(RR-VERIFIED); the reviewer reviews; the filing agency downloads; others see nothing."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from fpdf import FPDF
from tests.conftest import PASSWORD
from tests.conftest import signed_in as verified_session

from mailcover.accounts.models import User
from mailcover.records.models import Customer, RecordsRequest

pytestmark = pytest.mark.django_db


def pdf() -> bytes:
    doc = FPDF()
    doc.add_page()
    doc.set_font("Helvetica", size=12)
    doc.cell(text="SUBPOENA")
    return bytes(doc.output())


@pytest.fixture
def world(people: Any) -> Any:
    for user in (people.requester, people.inspector, people.outsider):
        agency = user.agency
        agency.verified_at = datetime(2025, 1, 1, tzinfo=UTC)
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


def signed_in(user: User, with_code: bool = True) -> Client:
    client = Client()
    form = {"username": user.username, "password": PASSWORD}
    if with_code:
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        form["otp"] = f"{totp(device.bin_key):06d}"
    else:
        # Sign in without the code through Django alone: a session without a second factor.
        client.force_login(user)
        return client
    answer = client.post("/sign-in", form)
    assert answer.status_code == 302, answer.content
    return client


def form(**changes: Any) -> dict[str, Any]:
    today = timezone.now().date()
    data: dict[str, Any] = {
        "instrument": "subpoena",
        "issued_by": "GRAND JURY, N.D. ILL.",
        "issued_on": (today - timedelta(days=2)).isoformat(),
        "instrument_number": "GJ-1",
        "instrument_pdf": SimpleUploadedFile("s.pdf", pdf(), "application/pdf"),
        "email": "jq@example.com",
        "categories": ["subscriber"],
        "start": (today - timedelta(days=100)).isoformat(),
        "end": (today - timedelta(days=1)).isoformat(),
        "purpose": "Identify the account holder.",
        "emergency_danger": "",
    }
    data.update(changes)
    return data


def test_rr_verified_a_session_signed_in_with_a_code_files_a_request(world: Any) -> None:
    client = signed_in(world.requester)
    answer = client.post("/records/new", form())
    assert answer.status_code == 302, answer.content.decode()[:2000]
    filed = RecordsRequest.objects.get()
    page = client.get(answer["Location"])
    assert filed.number in page.content.decode()
    assert 'data-testid="records-state">Under review<' in page.content.decode()


def test_rr_verified_a_session_without_a_second_factor_cannot_file(world: Any) -> None:
    client = signed_in(world.requester, with_code=False)
    answer = client.post("/records/new", form())
    # Held at the code page (SEC-SECOND-FACTOR), before RR-VERIFIED is even asked.
    assert answer.status_code == 302
    assert answer["Location"] == "/sign-in/code"
    assert not RecordsRequest.objects.exists()


def test_rr_scope_the_form_shows_the_instrument_needed_next_to_categories(world: Any) -> None:
    client = signed_in(world.requester)
    answer = client.post("/records/new", form(categories=["subscriber", "transactional"]))
    assert answer.status_code == 422
    text = answer.content.decode()
    assert "2703(d)" in text
    assert "RR-SCOPE" in text


def test_a_file_that_is_not_a_pdf_is_refused_on_the_form(world: Any) -> None:
    client = signed_in(world.requester)
    bad = SimpleUploadedFile("s.pdf", b"<html>not a pdf</html>", "application/pdf")
    answer = client.post("/records/new", form(instrument_pdf=bad))
    assert answer.status_code == 422
    assert "not a PDF" in answer.content.decode()


def test_review_produce_and_download_through_the_pages(world: Any) -> None:
    requester = signed_in(world.requester)
    requester.post("/records/new", form())
    filed = RecordsRequest.objects.get()
    inspector = signed_in(world.inspector)
    page = inspector.get(f"/records/{filed.pk}").content.decode()
    assert "Continue to confirm the review" in page
    inspector.post(
        f"/records/{filed.pk}/review", {"outcome": "approve", "reason": "", "confirmed": "yes"}
    )
    filed.refresh_from_db()
    assert filed.state == "produced"
    assert "Download the production" not in inspector.get(f"/records/{filed.pk}").content.decode()
    assert inspector.post(f"/records/{filed.pk}/download").status_code == 403
    answer = requester.post(f"/records/{filed.pk}/download")
    assert answer.status_code == 200
    assert "subscriber.csv" in zipfile.ZipFile(io.BytesIO(answer.content)).namelist()


def test_another_agency_sees_no_request_and_the_filer_cannot_review(world: Any) -> None:
    requester = signed_in(world.requester)
    requester.post("/records/new", form())
    filed = RecordsRequest.objects.get()
    outsider = signed_in(world.outsider)
    assert outsider.get(f"/records/{filed.pk}").status_code == 404
    assert filed.number not in outsider.get("/records").content.decode()
    assert outsider.post(f"/records/{filed.pk}/download").status_code == 404
    assert outsider.get(f"/records/{filed.pk}/instrument").status_code == 404
    assert (
        "Continue to confirm the review"
        not in requester.get(f"/records/{filed.pk}").content.decode()
    )


@pytest.mark.parametrize("who", ["operator", "admin", "approver"])
def test_roles_without_records_work_are_refused_the_pages(world: Any, who: str) -> None:
    client = verified_session(getattr(world, who))
    assert client.get("/records").status_code == 403
    assert client.get("/records/new").status_code == 403
