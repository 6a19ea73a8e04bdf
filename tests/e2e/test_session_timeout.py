"""In a real browser: the pages run under the Content-Security-Policy without a violation,
and the USWDS session-timeout warning comes before the idle limit (docs/security.md, HTTP).

The browser's clock is Playwright's, moved forward by the test; the session cookie is the
one the shared sign-in helper leaves, so these tests hold whatever the sign-in form asks."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from tests.conftest import signed_in

pytestmark = pytest.mark.e2e


def _open_as(page: Any, base: str, user: Any) -> None:
    client = signed_in(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )


def _violations(page: Any) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return seen


def test_pages_run_under_the_policy_without_a_violation(
    page: Any, live_server: Any, people: Any
) -> None:
    violations = _violations(page)
    base = live_server.url
    page.goto(f"{base}/sign-in")
    assert page.get_by_test_id("system-use-notice").is_visible()
    _open_as(page, base, people.approver)

    for path in ["/", "/records", "/transparency", "/reviews"]:
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")
    # USWDS ran (its script is allowed): the JavaScript-loading class is gone.
    assert "usa-js-loading" not in (page.locator("html").get_attribute("class") or "")
    page.goto(f"{base}/api/v1/docs")  # Swagger UI, from the service's own static files
    expect(page.locator(".opblock").first).to_be_visible()

    assert violations == []


def test_the_warning_comes_before_the_end_and_stay_signed_in_keeps_the_session(
    page: Any, live_server: Any, people: Any
) -> None:
    violations = _violations(page)
    base = live_server.url
    page.clock.install()
    _open_as(page, base, people.requester)
    page.goto(f"{base}/")
    # USWDS moves the modal's id onto the dialog wrapper it makes.
    modal = page.get_by_role("dialog")
    heading = page.get_by_role("heading", name="Your session is about to end")
    expect(heading).to_be_hidden()

    page.clock.fast_forward("24:00")
    expect(heading).to_be_hidden()
    page.clock.fast_forward("01:30")  # 25:30: four and a half minutes left

    expect(heading).to_be_visible()
    expect(modal).to_have_attribute("id", "session-timeout")
    expect(page.locator("[data-session-countdown]")).to_have_text("4:30")
    with page.expect_response(f"{base}/session/extend") as extended:
        page.get_by_role("button", name="Stay signed in").click()
    assert extended.value.status == 200
    expect(heading).to_be_hidden()
    assert page.url == f"{base}/"

    page.clock.fast_forward("25:30")
    expect(heading).to_be_visible()
    modal.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/sign-in")
    assert violations == []


def test_at_the_end_of_the_idle_time_the_page_signs_itself_out(
    page: Any, live_server: Any, people: Any
) -> None:
    base = live_server.url
    page.clock.install()
    _open_as(page, base, people.requester)
    page.goto(f"{base}/")

    page.clock.fast_forward("30:01")

    page.wait_for_url(f"{base}/sign-in")
    page.goto(f"{base}/")
    page.wait_for_url(f"{base}/sign-in?next=/")
