"""The requesting officer reads what the cover captured, in a real browser at a desktop and a
phone width: the list only when asked for (a POST form), and a capture's exterior image in
its viewer, zoomed and moved with buttons and keys, every load of it a disclosure."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.utils import timezone
from tests.conftest import fresh_code, request_body
from tests.e2e.test_every_page import BLOCKING, axe_violations

from mailcover.accounts.models import Agency
from mailcover.covers import ingest
from mailcover.imaging.render import NOISE, Envelope, encoded, render
from mailcover.ledger.models import Entry

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"  # the shared personas' password (tests/conftest.py)
TO_SUBJECT = ("JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_requester_opens_a_capture_and_zooms_into_its_image(
    browser: Any, live_server: Any, people: Any, api: Any, settings: Any, tmp_path: Any, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 1024 else 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
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
    table = page.get_by_test_id("capture-table")
    assert "as sent" in table.inner_text()  # its lines came as text, not read by OCR
    assert [v for v in axe_violations(page, base) if v["impact"] in BLOCKING] == []
    page.get_by_role("link", name="Open the image of P-1").click()
    page.wait_for_url(f"{base}/orders/{order['id']}/captures/P-1/viewer?ref=*")
    image = page.get_by_role("img", name="Exterior of piece P-1")
    page.wait_for_function(
        "() => document.querySelector('[data-viewer-image]').naturalWidth > 0", timeout=15_000
    )
    frame = page.get_by_role("region", name="Exterior image of piece P-1")
    fitted = image.bounding_box()["width"]
    assert fitted <= width
    assert [v for v in axe_violations(page, base) if v["impact"] in BLOCKING] == []

    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Zoom in").click()
    assert image.bounding_box()["width"] == pytest.approx(2 * fitted, rel=0.05)
    assert "2 times" in page.get_by_test_id("viewer-status").inner_text()
    page.get_by_role("button", name="Move right").click()
    page.get_by_role("button", name="Move down").click()
    scrolled = frame.evaluate("f => [f.scrollLeft, f.scrollTop]")
    page.get_by_role("button", name="Move right").click()
    assert frame.evaluate("f => f.scrollLeft") > scrolled[0]
    # The keyboard alone: the buttons are reached with Tab, the frame takes + - 0 and arrows.
    page.get_by_role("button", name="Zoom out").focus()
    page.keyboard.press("Enter")
    assert image.bounding_box()["width"] == pytest.approx(1.5 * fitted, rel=0.05)
    frame.focus()
    page.keyboard.press("+")
    assert image.bounding_box()["width"] == pytest.approx(2 * fitted, rel=0.05)
    before = frame.evaluate("f => f.scrollLeft")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        f"() => document.querySelector('[data-viewer-frame]').scrollLeft < {before}"
    )
    page.keyboard.press("0")
    assert image.bounding_box()["width"] == pytest.approx(fitted, rel=0.05)
    assert [v for v in axe_violations(page, base) if v["impact"] in BLOCKING] == []

    # The list and one load of the image: two disclosures; zooming and moving add none.
    assert Entry.objects.filter(event="disclosure").count() == 2
    # The image's address without the reference the captures page issued opens nothing.
    bare = page.request.get(f"{base}/orders/{order['id']}/captures/P-1/image")
    assert bare.status == 403
    assert page.request.get(f"{base}/orders/{order['id']}/captures/P-1/viewer").status == 403
    assert Entry.objects.filter(event="disclosure").count() == 2
    context.close()
