"""The lists in a real browser at a desktop and a phone width: search, filter, sort and the
next page, each state its own address, with axe-core finding nothing critical or serious;
and the homes that lead with what their person may act on."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from tests.covers.conftest import draft_for
from tests.e2e.test_every_page import BLOCKING, WIDTHS, axe_violations, sign_in, sized_page

from mailcover.covers import actions as covers
from mailcover.web import listing

pytestmark = pytest.mark.e2e
_ = sized_page  # the fixture, by name

NAMES = ("ADA ALPHA", "BEN BRAVO", "CORA CHARLIE", "DAN DELTA", "EVE ECHO")


@pytest.fixture
def many(people: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Five pending requests of Springfield, one of them an emergency already approved as an
    order, and one of Denver; pages of two rows so that five make three pages."""
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    now = timezone.now()
    filed = {
        name: covers.file_request(
            people.requester, draft_for(people.requester, subject_name=name), now
        )
        for name in NAMES
    }
    urgent = covers.file_request(
        people.requester,
        draft_for(
            people.requester,
            subject_name="URSULA URGENT",
            emergency=True,
            emergency_reason="The drop address is about to be abandoned and evidence lost.",
        ),
        now,
    )
    covers.approve(people.iic, urgent, None, now)
    covers.file_request(people.outsider, draft_for(people.outsider, subject_name="ZED DENVER"), now)
    return filed


def no_blocking(page: Any, base: str) -> None:
    bad = [v for v in axe_violations(page, base) if v["impact"] in BLOCKING]
    assert bad == [], (page.url, bad)


def rows(page: Any) -> list[str]:
    return [
        text.strip()
        for text in page.get_by_test_id("request-rows")
        .locator("tbody tr td:nth-child(4)")
        .all_inner_texts()
    ]


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_search_filter_sort_and_the_next_page(
    sized_page: Any, live_server: Any, many: dict[str, Any]
) -> None:
    page, base = sized_page, live_server.url
    sign_in(page, base, "requester")
    page.goto(f"{base}/requests")
    no_blocking(page, base)
    assert "ZED DENVER" not in page.content()  # another agency's, never listed

    # Search.
    page.get_by_label("Search", exact=True).fill("delta")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/requests?q=delta*")
    assert rows(page) == ["DAN DELTA"]
    no_blocking(page, base)

    # Filter: pending requests only, the search cleared.
    page.get_by_role("link", name="Clear the search and filters").click()
    page.get_by_label("State", exact=True).select_option("pending")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**state=pending*")
    assert "1 to 2 of 5 requests that match" in page.get_by_test_id("list-count").inner_text()

    # Sort by subject, then the other way round.
    page.get_by_role("link", name=re.compile(r"^Subject\W+sort by it")).click()
    page.wait_for_url("**sort=subject*")
    assert rows(page) == ["ADA ALPHA", "BEN BRAVO"]
    page.get_by_role(
        "link", name=re.compile(r"^Subject\W+sorted ascending; sort the other way")
    ).click()
    page.wait_for_url("**sort=-subject*")
    assert rows(page) == ["EVE ECHO", "DAN DELTA"]
    no_blocking(page, base)

    # The next page keeps the filter and the sort.
    # USWDS shows the Previous and Next arrows from 40em (640 px) up; below, the page numbers.
    if page.viewport_size["width"] >= 640:
        page.get_by_role("link", name="Next page").click()
    else:
        assert not page.get_by_role("link", name="Next page").is_visible()
        page.get_by_role("link", name="Page 2", exact=True).click()
    page.wait_for_url("**page=2*")
    assert rows(page) == ["CORA CHARLIE", "BEN BRAVO"]
    assert page.get_by_role("link", name="Page 2").get_attribute("aria-current") == "page"
    no_blocking(page, base)

    # A bad parameter is told on the page, never a server error.
    answer = page.goto(f"{base}/requests?sort=favourite&page=9")
    assert answer is not None
    assert answer.status == 400
    assert "cannot be sorted by 'favourite'" in page.get_by_test_id("list-problems").inner_text()
    no_blocking(page, base)


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_the_homes_lead_with_what_to_act_on(
    sized_page: Any, live_server: Any, many: dict[str, Any]
) -> None:
    page, base = sized_page, live_server.url
    sign_in(page, base, "requester")
    alert = page.get_by_test_id("emergency-deadlines")
    assert alert.is_visible()
    assert "left" in alert.inner_text()
    first = page.locator("main h2").first.inner_text()
    assert "must be confirmed in writing" in first
    no_blocking(page, base)
    page.get_by_role("link", name="Search all 6 requests").click()
    page.wait_for_url(f"{base}/requests")

    page.context.clear_cookies()
    sign_in(page, base, "approver")
    queue = page.get_by_test_id("approval-queue")
    assert "EVE ECHO" in queue.inner_text()
    assert "of 5 days" in queue.inner_text()
    no_blocking(page, base)
