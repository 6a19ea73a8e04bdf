"""The requesting officer reads what the cover captured, in a real browser: the list only when
asked for (a POST form), and a capture's exterior image, zoomed without a script."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.utils import timezone
from tests.conftest import fresh_code, request_body

from mailcover.accounts.models import Agency
from mailcover.covers import ingest
from mailcover.imaging.render import NOISE, Envelope, encoded, render
from mailcover.ledger.models import Entry

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"  # the shared personas' password (tests/conftest.py)
TO_SUBJECT = ("JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234")


def test_the_requester_opens_a_capture_and_zooms_into_its_image(
    page: Any, live_server: Any, people: Any, api: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    Agency.objects.filter(address="").update(address="1 POLICE PLAZA, SPRINGFIELD IL 62701")
    filed = api.post("/cover-requests", request_body(), people.requester)
    order = api.post(f"/cover-requests/{filed.json()['id']}/approve", {}, people.approver).json()
    photo = encoded(render(Envelope(addressee=TO_SUBJECT), NOISE["default"], seed=1).image)
    feeder = ingest.Ingestor("cli")
    feeder.feed(
        1,
        {
            "piece_id": "P-1",
            "scanned_at": timezone.now().isoformat(),
            "facility": "SPRINGFIELD IL P&DC",
            "mail_class": "first-class",
            "addressee": list(TO_SUBJECT),
            "image": "data:image/png;base64," + base64.b64encode(photo).decode(),
        },
    )
    feeder.finish()
    base = live_server.url

    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill("requester")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("One-time code").fill(fresh_code("requester"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/orders/{order['id']}")
    assert "1 piece captured under this order" in page.get_by_test_id("captures").inner_text()
    assert not Entry.objects.filter(event="disclosure").exists()

    # A GET of the page, as a link from another site would make, shows and records nothing.
    page.goto(f"{base}/orders/{order['id']}?captures=1")
    assert page.get_by_test_id("capture-table").count() == 0
    assert not Entry.objects.filter(event="disclosure").exists()

    page.get_by_test_id("show-captures").click()  # a POST form, with its CSRF token
    page.wait_for_url(f"{base}/orders/{order['id']}/captures")
    assert "P-1" in page.get_by_test_id("capture-table").inner_text()
    page.get_by_text("Show the exterior image").click()
    image = page.get_by_role("img", name="Exterior of piece P-1")
    image.wait_for()
    page.wait_for_function(
        "() => document.querySelector('.zoom-frame img').naturalWidth > 0", timeout=15_000
    )
    width = image.bounding_box()["width"]
    page.get_by_label("Zoom to 2 times").check()
    assert image.bounding_box()["width"] == pytest.approx(2 * width, rel=0.05)
    # The list and the image: two disclosures on the ledger.
    assert Entry.objects.filter(event="disclosure").count() == 2
    # The image's address without the reference the captures page issued opens nothing.
    bare = page.request.get(f"{base}/orders/{order['id']}/captures/P-1/image")
    assert bare.status == 403
    assert Entry.objects.filter(event="disclosure").count() == 2
