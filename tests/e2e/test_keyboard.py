"""Each role's main task by the keyboard alone, at a desktop width (1280 px) and a phone width
(390 px): every control is reached with Tab (or Shift+Tab), used with Enter, Space, arrows and
typing, and never clicked; every element the focus lands on on the way shows that it has it
(the USWDS focus outline, or for a radio button or checkbox the outline of its drawn box); and
axe-core finds nothing critical or serious on each page of the task.

The requester files a cover request; the approver decides it; the inspector reviews a
records request and produces it; oversight opens a compliance check's findings; the chief
records an order's periodic review; the operator opens the mail stream page; the admin
proposes a change to power over cases."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from tests.e2e.test_every_page import (
    BLOCKING,
    WIDTHS,
    axe_violations,
    sign_in,
    sized_page,
    world,
)

from mailcover.accounts.models import AccountChange
from mailcover.covers.models import CoverOrder, CoverRequest, Review
from mailcover.records.models import RecordsRequest

pytestmark = pytest.mark.e2e
_ = (sized_page, world)  # the fixtures, by name

# What the focused element shows: "" when its focus is visible, else what is wrong.
FOCUS_SHOWN = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "the focus is on nothing";
    const outlined = (s) => s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
    if (el.matches(".usa-radio__input, .usa-checkbox__input")) {
        const label = document.querySelector(`label[for="${el.id}"]`);
        if (label && outlined(getComputedStyle(label, "::before"))) return "";
    } else if (outlined(getComputedStyle(el))) {
        return "";
    }
    return "no visible focus on " + el.outerHTML.slice(0, 160);
}"""


def tab_to(page: Any, target: Any, *, backwards: bool = False, limit: int = 150) -> None:
    """Press Tab (Shift+Tab) until `target` has the focus, checking at each stop that the
    focus can be seen."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        problem = page.evaluate(FOCUS_SHOWN)
        assert problem == "", problem
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{key} never reached {target}")


def type_into(page: Any, target: Any, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def choose(page: Any, select: Any, label: str) -> None:
    """A <select> reached by Tab and set with the arrow keys, to the option whose words are
    `label` (or begin with it and a bracket: "inspector (agency)")."""
    tab_to(page, select)
    for _ in range(80):
        shown = select.evaluate("s => s.options[s.selectedIndex].text")
        if shown == label or shown.startswith(label + " ("):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {label!r}")


def press_on(page: Any, target: Any, key: str = "Enter") -> None:
    tab_to(page, target)
    page.keyboard.press(key)


def open_menu_at_a_phone_width(page: Any) -> None:
    """Below 1024 px the navigation sits behind the Menu button (USWDS header)."""
    if page.viewport_size["width"] < 1024:
        press_on(page, page.get_by_role("button", name="Menu"))


def nav_link(page: Any, name: str) -> Any:
    return page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name=name)


def no_blocking_axe(page: Any, base: str) -> None:
    assert [v for v in axe_violations(page, base) if v["impact"] in BLOCKING] == []


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_the_requester_files_a_cover_request_by_keyboard(
    sized_page: Any, live_server: Any, world: dict[str, int]
) -> None:
    page, base = sized_page, live_server.url
    sign_in(page, base, "requester")
    press_on(page, page.get_by_role("main").get_by_role("link", name="File a request").first)
    page.wait_for_url(f"{base}/requests/new")
    no_blocking_axe(page, base)
    type_into(page, page.get_by_label("Subject's name"), "MARY ROE")
    type_into(page, page.get_by_label("Street address", exact=True), "9 ELM ST")
    type_into(page, page.get_by_label("City"), "SPRINGFIELD")
    choose(page, page.get_by_label("State, territory or military post"), "Illinois")
    type_into(page, page.get_by_label("ZIP code"), "62704")
    choose(page, page.get_by_label("Grounds"), "Crime (a felony)")
    type_into(page, page.get_by_label("Statute or legal basis"), "18 U.S.C. 1341")
    type_into(page, page.get_by_label("Maximum prison term (years)"), "20")
    type_into(
        page,
        page.get_by_label("Facts that make the cover necessary"),
        "Victims of a lottery scheme mailed cheques to this address; the subject collects them.",
    )
    type_into(page, page.get_by_label("Days requested"), "30")
    press_on(page, page.get_by_role("button", name="File the request"))
    page.wait_for_url(re.compile(r"/requests/\d+$"))
    assert CoverRequest.objects.filter(subject__name="MARY ROE").exists()
    no_blocking_axe(page, base)


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_the_approver_decides_a_request_by_keyboard(
    sized_page: Any, live_server: Any, world: dict[str, int]
) -> None:
    page, base = sized_page, live_server.url
    pending = CoverRequest.objects.get(pk=world["pending"])
    sign_in(page, base, "approver")
    press_on(page, page.get_by_role("main").get_by_role("link", name=pending.case_number).first)
    page.wait_for_url(f"{base}/requests/{pending.pk}")
    no_blocking_axe(page, base)
    approve = page.get_by_label("Approve", exact=True)
    tab_to(page, approve)
    page.keyboard.press("Space")
    assert approve.is_checked()
    type_into(page, page.get_by_label("Days granted (required to approve)"), "21")
    press_on(page, page.get_by_role("button", name="Continue to confirm the decision"))
    confirm = page.get_by_role("button", name=f"Approve {pending.case_number} for 21 days")
    confirm.wait_for()
    no_blocking_axe(page, base)
    press_on(page, confirm)
    page.wait_for_url(re.compile(r"/orders/\d+$"))
    assert CoverOrder.objects.filter(request=pending).exists()


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_the_inspector_reviews_and_produces_a_records_request_by_keyboard(
    sized_page: Any, live_server: Any, world: dict[str, int]
) -> None:
    page, base = sized_page, live_server.url
    waiting = RecordsRequest.objects.get(pk=world["records"])
    sign_in(page, base, "inspector")
    press_on(page, page.get_by_role("main").get_by_role("link", name=waiting.number).first)
    page.wait_for_url(f"{base}/records/{waiting.pk}")
    produce = page.get_by_label("Approve and produce")
    tab_to(page, produce)
    page.keyboard.press("Space")
    assert produce.is_checked()
    press_on(page, page.get_by_role("button", name="Continue to confirm the review"))
    page.get_by_test_id("release-preview").wait_for()
    no_blocking_axe(page, base)
    press_on(page, page.get_by_test_id("confirm"))
    page.wait_for_url(f"{base}/records/{waiting.pk}")
    assert RecordsRequest.objects.get(pk=waiting.pk).state == "produced"
    no_blocking_axe(page, base)


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_oversight_opens_a_compliance_checks_findings_by_keyboard(
    sized_page: Any, live_server: Any, world: dict[str, int]
) -> None:
    page, base = sized_page, live_server.url
    sign_in(page, base, "oversight")
    open_menu_at_a_phone_width(page)
    press_on(page, nav_link(page, "Compliance"))
    page.wait_for_url(f"{base}/compliance")
    no_blocking_axe(page, base)
    press_on(page, page.get_by_role("link", name="OIG-NONDISCLOSURE"))
    page.wait_for_url(f"{base}/compliance/oig-nondisclosure")
    assert "OIG-NONDISCLOSURE" in page.get_by_role("heading", level=1).inner_text()
    no_blocking_axe(page, base)


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_the_chief_records_an_orders_periodic_review_by_keyboard(
    sized_page: Any, live_server: Any, world: dict[str, int], settings: Any
) -> None:
    settings.MAILCOVER_POLICY = settings.MAILCOVER_POLICY.__class__(review_interval_days=10)
    page, base = sized_page, live_server.url
    sign_in(page, base, "chief")
    page.goto(f"{base}/reviews")
    no_blocking_axe(page, base)
    type_into(page, page.get_by_label("Review notes").first, "Reviewed: productive, keep.")
    press_on(page, page.get_by_role("button", name="Record the review").first)
    page.wait_for_url(f"{base}/orders/{world['order']}")
    assert Review.objects.filter(order_id=world["order"]).exists()
    no_blocking_axe(page, base)


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_the_operator_opens_the_mail_stream_page_by_keyboard(
    sized_page: Any, live_server: Any, world: dict[str, int]
) -> None:
    page, base = sized_page, live_server.url
    sign_in(page, base, "operator")
    open_menu_at_a_phone_width(page)
    press_on(page, nav_link(page, "Mail stream"))
    page.wait_for_url(f"{base}/stream")
    no_blocking_axe(page, base)


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_the_admin_proposes_a_change_by_keyboard(
    sized_page: Any, live_server: Any, world: dict[str, int], people: Any
) -> None:
    page, base = sized_page, live_server.url
    sign_in(page, base, "admin")
    open_menu_at_a_phone_width(page)
    press_on(page, nav_link(page, "Account changes"))
    page.wait_for_url(f"{base}/accounts/changes")
    no_blocking_axe(page, base)
    choose(page, page.get_by_label("Change", exact=True), "Grant a role")
    choose(page, page.get_by_label("Account", exact=True), people.inspector.username)
    choose(page, page.get_by_label("Role", exact=True), "Approving official")
    press_on(page, page.get_by_role("button", name="Propose the change"))
    page.wait_for_url(f"{base}/accounts/changes")
    # Said once, in the page's one place for messages.
    said = page.get_by_text("proposed; it takes effect when it is confirmed")
    said.wait_for()
    assert said.count() == 1
    proposed = AccountChange.objects.get()
    assert (proposed.account_id, proposed.role) == (people.inspector.pk, "approver")
    assert proposed.proposed_at <= timezone.now()
    no_blocking_axe(page, base)
