"""A records request in a real browser: a requester signs in with a one-time code, files a
subpoena with its PDF, an inspector approves it, and the requester downloads the ZIP."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from fpdf import FPDF

from mailcover.records.models import Customer, RecordsRequest

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"  # the shared personas' password (tests/conftest.py)


def sign_in(page: Any, base: str, username: str, device: TOTPDevice) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("One-time code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_a_subpoena_goes_from_filing_to_a_downloaded_production(
    page: Any, live_server: Any, people: Any, tmp_path: Any
) -> None:
    base = live_server.url
    devices = {}
    for user in (people.requester, people.inspector):
        user.agency.verified_at = datetime(2025, 1, 1, tzinfo=UTC)
        user.agency.address = "1 MAIN ST, SPRINGFIELD IL 62701"
        user.agency.save()
        devices[user.username] = TOTPDevice.objects.get(user=user, confirmed=True)
    Customer.objects.create(
        account_number="A000000001",
        name="JOHN Q PUBLIC",
        address="123 MAIN ST, SPRINGFIELD IL 62704",
        email="jq@example.com",
        opened_at=timezone.now() - timedelta(days=400),
        recorded_at=timezone.now() - timedelta(days=30),
    )
    doc = FPDF()
    doc.add_page()
    doc.set_font("Helvetica", size=12)
    doc.cell(text="SUBPOENA")
    instrument = tmp_path / "subpoena.pdf"
    instrument.write_bytes(bytes(doc.output()))
    today = timezone.now().date()

    sign_in(page, base, "requester", devices["requester"])
    page.get_by_role("link", name="Records requests").first.click()
    page.get_by_role("link", name="File a records request").click()
    page.get_by_label("Issued by").fill("GRAND JURY, N.D. ILL.")
    page.get_by_label("Issued on (YYYY-MM-DD)").fill(str(today - timedelta(days=2)))
    page.get_by_label("The instrument, as a PDF").set_input_files(str(instrument))
    page.get_by_label("Customer's email").fill("jq@example.com")
    page.locator("label[for=id_categories_0]").click()  # USWDS draws the box on the label
    page.get_by_label("From (YYYY-MM-DD)").fill(str(today - timedelta(days=90)))
    page.get_by_label("To (YYYY-MM-DD)").fill(str(today - timedelta(days=1)))
    page.get_by_label("Purpose").fill("Identify the account holder.")
    page.get_by_role("button", name="File the records request").click()
    page.get_by_test_id("records-state").wait_for()
    assert page.get_by_test_id("records-state").inner_text().lower() == "under review"
    number = RecordsRequest.objects.get().number
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, "inspector", devices["inspector"])
    page.goto(f"{base}/records")
    page.get_by_role("link", name=number).click()
    page.get_by_text("Approve and produce", exact=True).click()
    page.get_by_role("button", name="Continue to confirm the review").click()
    assert "JOHN Q PUBLIC" in page.get_by_test_id("release-preview").inner_text()
    page.get_by_role("button", name=f"Approve and produce {number}").click()
    page.get_by_test_id("records-state").wait_for()
    assert page.get_by_test_id("records-state").inner_text().lower() == "produced"
    page.get_by_role("button", name="Sign out").click()

    devices["requester"].refresh_from_db()
    # A TOTP code is used once; the next sign-in waits for the next step's code.
    devices["requester"].last_t = -1
    devices["requester"].save()
    sign_in(page, base, "requester", devices["requester"])
    page.goto(f"{base}/records")
    page.get_by_role("link", name=number).click()
    with page.expect_download() as download:
        page.get_by_test_id("download").click()
    saved = tmp_path / "production.zip"
    download.value.save_as(saved)
    assert "subscriber.csv" in zipfile.ZipFile(saved).namelist()
