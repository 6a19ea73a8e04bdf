"""Every main page of every role, at a desktop width (1280 px) and a phone width (390 px):
axe-core (from the npm registry, built into build/static) finds no critical and no serious
violation; at the phone width the menu button opens the navigation.

With MAILCOVER_SCREENSHOTS set to a folder, each page is also saved there as a PNG
(`make screenshots`)."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.conftest import fresh_code
from tests.conftest import signed_in as verified_session
from tests.covers.conftest import draft_for
from tests.records.test_views import form as records_form

from mailcover.accounts.models import Agency, User
from mailcover.covers import actions as covers
from mailcover.covers import image_refs
from mailcover.covers.models import CoverOrder
from mailcover.records.models import Customer, RecordsRequest

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"  # the shared personas' password (tests/conftest.py)
WIDTHS = (1280, 390)
BLOCKING = ("critical", "serious")
SCREENSHOTS = os.environ.get("MAILCOVER_SCREENSHOTS")
# Each run's findings, one JSON line a page state, beside the screenshots when they are taken.
FINDINGS = Path(SCREENSHOTS or "build/axe") / "axe-findings.jsonl"


def photographed(order_id: int) -> None:
    """A piece captured under the order with its photograph, for the image viewer."""
    from mailcover.covers import ingest
    from mailcover.imaging.render import NOISE, Envelope, encoded, render

    lines = ["JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234"]
    photo = encoded(render(Envelope(addressee=tuple(lines)), NOISE["default"], seed=1).image)
    feeder = ingest.Ingestor("cli")
    image = "data:image/png;base64," + base64.b64encode(photo).decode()
    piece = {"piece_id": "P-1", "scanned_at": timezone.now().isoformat(), "image": image}
    feeder.feed(1, {**piece, "facility": "SPRINGFIELD IL P&DC", "mail_class": "first-class"})
    feeder.finish()
    assert CoverOrder.objects.get(pk=order_id).captures.exclude(image="").exists()


def viewer(order_id: int, username: str) -> str:
    """The image viewer's address, with the reference the captures list gives this person."""
    person = User.objects.get(username=username)
    ref = image_refs.issue(person.pk, order_id, "P-1", timezone.now())
    return f"/orders/{order_id}/captures/P-1/viewer?{urlencode({'ref': ref})}"


@pytest.fixture
def world(people: Any, settings: Any, tmp_path: Path) -> dict[str, int]:
    """A pending request, an order in force with a photographed capture and a records
    request waiting for review."""
    settings.MEDIA_ROOT = tmp_path
    for user in (people.requester, people.inspector):
        user.agency.verified_at = datetime(2025, 1, 1, tzinfo=UTC)
        user.agency.address = "1 MAIN ST, SPRINGFIELD IL 62701"
        user.agency.save()
    Agency.objects.filter(address="").update(address="1 MAIN ST, WASHINGTON DC 20001")
    Customer.objects.create(
        account_number="A000000001",
        name="JOHN Q PUBLIC",
        address="123 MAIN ST, SPRINGFIELD IL 62704",
        email="jq@example.com",
        opened_at=timezone.now() - timedelta(days=400),
        recorded_at=timezone.now() - timedelta(days=30),
    )
    now = timezone.now()
    in_force = covers.file_request(people.requester, draft_for(people.requester), now)
    order = covers.approve(people.approver, in_force, None, now)
    photographed(order.pk)
    pending = covers.file_request(
        people.requester, draft_for(people.requester, subject_name="RICHARD ROE"), now
    )
    verified_session(people.requester).post("/records/new", records_form())
    return {
        "pending": pending.pk,
        "order": order.pk,
        "records": RecordsRequest.objects.get().pk,
    }


def pages(role: str, ids: dict[str, int]) -> list[tuple[str, str]]:
    """(name, path) of the pages this role works on."""
    order, pending, records = ids["order"], ids["pending"], ids["records"]
    return {
        "anonymous": [("sign-in", "/sign-in"), ("transparency", "/transparency")],
        "requester": [
            ("home", "/"),
            ("new-request", "/requests/new"),
            ("request", f"/requests/{pending}"),
            ("order", f"/orders/{order}"),
            ("records", "/records"),
            ("new-records-request", "/records/new"),
            ("records-request", f"/records/{records}"),
            ("requests", "/requests"),
            ("requests-searched", "/requests?q=ROE&state=pending&sort=-subject"),
            ("orders", "/orders"),
            ("preferences", "/accounts/preferences"),
            ("capture-viewer", viewer(order, "requester")),
            ("report-returns", "/report-returns"),
        ],
        "approver": [
            ("home", "/"),
            ("request-decide", f"/requests/{pending}"),
            ("order", f"/orders/{order}"),
            ("reviews", "/reviews"),
            ("requests-pending", "/requests?state=pending&sort=filed"),
        ],
        "inspector": [
            ("home", "/"),
            ("records", "/records"),
            ("records-review", f"/records/{records}"),
            ("records-under-review", "/records?state=under_review&q=RR"),
        ],
        "oversight": [
            ("home", "/"),
            ("compliance", "/compliance"),
            ("reviews", "/reviews"),
            ("order", f"/orders/{order}"),
            ("orders", "/orders?state=active"),
            ("ledger", "/ledger/"),
            ("accounting", "/ledger/accounting"),
            ("security-log", "/security-log"),
            ("transparency", "/transparency"),
            ("capture-viewer", viewer(order, "oversight")),
            ("report-returns", "/report-returns"),
        ],
        "chief": [
            ("home", "/"),
            ("request-decide", f"/requests/{pending}"),
            ("order", f"/orders/{order}"),
            ("reviews", "/reviews"),
            ("account-changes", "/accounts/changes"),
        ],
        "operator": [("home", "/"), ("stream", "/stream")],
        "admin": [("home", "/"), ("account-changes", "/accounts/changes")],
    }[role]


ROLES = (
    "anonymous",
    "requester",
    "approver",
    "chief",
    "inspector",
    "oversight",
    "operator",
    "admin",
)


@pytest.fixture
def sized_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    width = request.param
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 1024 else 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    if TOTPDevice.objects.filter(user__username=username, confirmed=True).exists():
        page.get_by_label("One-time code").fill(fresh_code(username))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def axe_violations(page: Any, base: str) -> list[dict[str, Any]]:
    # Loaded from the service's own origin, as the Content-Security-Policy allows.
    page.add_script_tag(url=f"{base}/static/vendor/axe-core/axe.min.js")
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(" "))}));
        }"""
    )
    return found


def record(role: str, name: str, width: int, violations: list[dict[str, Any]]) -> None:
    FINDINGS.parent.mkdir(parents=True, exist_ok=True)
    with FINDINGS.open("a") as out:
        line = {"role": role, "page": name, "width": width, "violations": violations}
        out.write(json.dumps(line) + "\n")


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_every_role_has_no_critical_or_serious_axe_violation(
    sized_page: Any, live_server: Any, world: dict[str, int], role: str
) -> None:
    page, base = sized_page, live_server.url
    width = page.viewport_size["width"]
    if role != "anonymous":
        sign_in(page, base, role)
    blocking = {}
    for name, path in pages(role, world):
        answer = page.goto(f"{base}{path}")
        assert answer is not None
        assert answer.status == 200, (role, path)
        violations = axe_violations(page, base)
        record(role, name, width, violations)
        if SCREENSHOTS:
            page.screenshot(path=f"{SCREENSHOTS}/{role}-{name}-{width}.png", full_page=True)
        bad = [v for v in violations if v["impact"] in BLOCKING]
        if bad:
            blocking[path] = bad
    assert blocking == {}


@pytest.mark.parametrize("sized_page", [390], indirect=True, ids=lambda w: f"{w}px")
def test_at_a_phone_width_the_menu_button_opens_the_navigation(
    sized_page: Any, live_server: Any, world: dict[str, int]
) -> None:
    page, base = sized_page, live_server.url
    page.goto(f"{base}/sign-in")
    # The Sign in button is on the page, not under the navigation panel.
    page.get_by_role("button", name="Sign in").click(trial=True)
    nav = page.get_by_role("navigation", name="Primary navigation")
    assert not nav.is_visible()
    page.get_by_role("button", name="Menu").click()
    assert nav.is_visible()
    assert nav.get_by_role("link", name="Sign in").is_visible()
    page.keyboard.press("Escape")
    assert not nav.is_visible()

    sign_in(page, base, "requester")
    page.get_by_role("button", name="Menu").click()
    nav.get_by_role("link", name="File a request").click()
    page.wait_for_url(f"{base}/requests/new")
    page.get_by_role("button", name="Menu").click()
    nav.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/sign-in*")


@pytest.mark.parametrize("sized_page", [1280], indirect=True, ids=lambda w: f"{w}px")
def test_at_a_desktop_width_the_navigation_shows_without_a_menu_button(
    sized_page: Any, live_server: Any, world: dict[str, int]
) -> None:
    page, base = sized_page, live_server.url
    page.goto(f"{base}/sign-in")
    assert not page.get_by_role("button", name="Menu").is_visible()
    nav = page.get_by_role("navigation", name="Primary navigation")
    assert nav.get_by_role("link", name="Sign in").is_visible()


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_the_skip_link_and_the_menu_are_reached_by_the_keyboard(
    sized_page: Any, live_server: Any, world: dict[str, int]
) -> None:
    page, base = sized_page, live_server.url
    sign_in(page, base, "approver")
    page.goto(f"{base}/requests/{world['pending']}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    if page.viewport_size["width"] < 1024:
        page.get_by_role("button", name="Menu").focus()
        page.keyboard.press("Enter")
        assert page.get_by_role("navigation", name="Primary navigation").is_visible()


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_the_confirmation_pages_have_no_critical_or_serious_axe_violation(
    sized_page: Any, live_server: Any, world: dict[str, int]
) -> None:
    page, base = sized_page, live_server.url
    width = page.viewport_size["width"]
    sign_in(page, base, "inspector")
    page.goto(f"{base}/records/{world['records']}")
    page.get_by_text("Approve and produce", exact=True).click()
    page.get_by_role("button", name="Continue to confirm the review").click()
    page.get_by_test_id("release-preview").wait_for()
    violations = axe_violations(page, base)
    record("inspector", "records-review-confirm", width, violations)
    if SCREENSHOTS:
        page.screenshot(
            path=f"{SCREENSHOTS}/inspector-records-review-confirm-{width}.png", full_page=True
        )
    assert [v for v in violations if v["impact"] in BLOCKING] == []
    assert RecordsRequest.objects.get().state == "under_review"
