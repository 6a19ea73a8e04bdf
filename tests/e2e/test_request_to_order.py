"""The whole flow in a real browser: a requester files, an approver approves, and the
order shows the right end date."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from tests.conftest import fresh_code

from mailcover.covers.models import CoverOrder, CoverRequest

pytestmark = pytest.mark.e2e


PASSWORD = "correct horse battery staple"  # the shared personas' password (tests/conftest.py)


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("One-time code").fill(fresh_code(username))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def fill_address(page: Any, street: str, unit: str, city: str, state: str, zip_code: str) -> None:
    """The USWDS address pattern: the subject's address in its parts."""
    page.get_by_label("Street address", exact=True).fill(street)
    page.get_by_label("Street address line 2").fill(unit)
    page.get_by_label("City").fill(city)
    page.get_by_label("State, territory or military post").select_option(state)
    page.get_by_label("ZIP code").fill(zip_code)


def test_an_address_without_a_zip_code_is_refused_next_to_the_zip_code(
    browser: Any, live_server: Any, people: Any, transactional_db: None
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, "requester")
    page.goto(f"{base}/requests/new")
    page.get_by_label("Subject's name").fill("JOHN Q PUBLIC")
    fill_address(page, "THE BLUE HOUSE BEHIND THE OLD MILL", "", "SPRINGFIELD", "", "")
    page.get_by_role("button", name="File the request").click()
    assert "SVC-MATCHABLE" in page.locator('[data-field="subject_zip"]').inner_text()
    assert CoverRequest.objects.count() == 0
    context.close()


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_a_requester_files_and_an_approver_approves_an_order_with_the_right_end(
    page: Any, live_server: Any, people: Any
) -> None:
    base = live_server.url
    sign_in(page, base, "requester")
    page.get_by_role("link", name="File a request").first.click()
    page.get_by_label("Subject's name").fill("JOHN Q PUBLIC")
    fill_address(page, "123 MAIN ST", "APT 4", "SPRINGFIELD", "IL", "62704-1234")
    page.get_by_label("Grounds").select_option("crime")
    page.get_by_label("Statute or legal basis").fill("18 U.S.C. 1341")
    page.get_by_label("Maximum prison term (years)").fill("20")
    page.get_by_label("Facts that make the cover necessary").fill(
        "Victims of a lottery scheme mailed cheques to this address; the subject collects them."
    )
    page.get_by_label("Days requested").fill("21")
    page.get_by_role("button", name="File the request").click()
    page.wait_for_url(re.compile(r"/requests/\d+$"))
    filed = CoverRequest.objects.get()
    assert page.get_by_test_id("request-state").text_content() == "Waiting for a decision"
    assert filed.case_number in page.content()
    sign_out(page)

    sign_in(page, base, "approver")
    page.get_by_role("link", name=filed.case_number).click()
    page.get_by_text("Approve", exact=True).click()  # USWDS draws the radio on the label
    page.get_by_label("Days granted (required to approve)").fill("21")
    page.get_by_role("button", name="Continue to confirm the decision").click()
    page.get_by_role("button", name=f"Approve {filed.case_number} for 21 days").click()
    page.wait_for_url(re.compile(r"/orders/\d+$"))
    order = CoverOrder.objects.get()
    facts = order.facts()
    assert facts.ends_at - facts.starts_at == timedelta(days=21)
    assert page.get_by_test_id("order-status").text_content() == "Active"
    assert page.get_by_test_id("order-ends").inner_text() == (
        facts.ends_at.strftime("%Y-%m-%d %H:%M") + " UTC"
    )
    assert (facts.ends_at - timezone.now()).days in (20, 21)
    ends = page.get_by_test_id("order-ends").locator("time")
    assert ends.get_attribute("title") == facts.ends_at.strftime("%Y-%m-%d %H:%M") + " UTC"
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "Request filed" in timeline
    assert "Request approved" in timeline


def test_the_form_shows_a_broken_rule_next_to_its_field_without_javascript(
    browser: Any, live_server: Any, people: Any, transactional_db: None
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, "requester")
    page.goto(f"{base}/requests/new")
    page.get_by_label("Subject's name").fill("JOHN Q PUBLIC")
    fill_address(page, "1 ELM ST", "", "SPRINGFIELD", "IL", "62704")
    page.get_by_label("Grounds").select_option("crime")
    page.get_by_label("Statute or legal basis").fill("18 U.S.C. 1708")
    page.get_by_label("Maximum prison term (years)").fill("1")
    page.get_by_label("Facts that make the cover necessary").fill(
        "Stolen mail is being redirected to this address by the subject every week."
    )
    page.get_by_role("button", name="File the request").click()
    group = page.locator('[data-field="max_penalty_years"]')
    assert "MC-CRIME-FELONY" in group.inner_text()
    assert CoverRequest.objects.count() == 0
    context.close()


def test_the_request_form_can_be_filled_with_the_keyboard_alone(
    page: Any, live_server: Any, people: Any
) -> None:
    base = live_server.url
    sign_in(page, base, "requester")
    page.goto(f"{base}/requests/new")
    page.get_by_label("Subject's name").focus()
    page.keyboard.type("JOHN Q PUBLIC")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id")
    assert focused == "id_subject_aliases"
