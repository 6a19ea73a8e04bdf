"""Oversight's pages: the compliance checks and their drill-down, the review queue, the return
of report documents and the discovery form; each also for someone who may not see it."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from html import unescape
from io import BytesIO
from typing import Any

import pytest
from django.utils import timezone
from tests.covers.conftest import draft_for
from tests.oversight.test_api import DISCOVERY, capture_one, ended_order

from mailcover.covers import actions
from mailcover.covers.models import Review
from mailcover.law.compliance import Check
from mailcover.oversight.models import ReportReturn


def test_oversight_sees_every_check_with_its_figure(browse, people, order):
    page = browse(people.oversight).get("/compliance")
    assert page.status_code == 200
    text = page.content.decode()
    for check in Check:
        assert f'data-check="{check.value}"' in text
    assert "1 found" in text  # OIG-NONDISCLOSURE: the persona without a form
    assert 'data-testid="nothing-due"' in text  # MC-RETENTION: no data past its period


def test_a_check_page_lists_what_it_found_with_links(browse, people):
    order = ended_order(people, days_ago=100)
    page = browse(people.oversight).get("/compliance/oig-return")
    text = page.content.decode()
    assert f'href="/orders/{order.pk}"' in text
    assert "report documents due back" in text
    assert browse(people.oversight).get("/compliance/oig-none").status_code == 404


@pytest.mark.parametrize("who", ["requester", "approver", "operator", "admin"])
def test_the_compliance_pages_are_for_oversight_only(browse, people, who):
    assert browse(getattr(people, who)).get("/compliance").status_code == 403
    assert browse(getattr(people, who)).get("/compliance/oig-review").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    assert client.get("/compliance").status_code == 302


def test_mc_review_the_queue_offers_the_review_to_a_headquarters_official(browse, people, settings):
    settings.MAILCOVER_POLICY = settings.MAILCOVER_POLICY.__class__(review_interval_days=20)
    order = ended_order(people, days_ago=25)
    hq = browse(people.hq)
    page = hq.get("/reviews").content.decode()
    assert order.case_number in page
    assert ">overdue</span>" in page
    assert f'action="/orders/{order.pk}/review"' in page
    hq.post(f"/orders/{order.pk}/review", {"note": "Reviewed: productive, keep."})
    assert Review.objects.filter(order=order, reviewer=people.hq).exists()
    assert ">overdue</span>" not in hq.get("/reviews").content.decode()  # due in 20 days
    osg = browse(people.approver).get("/reviews").content.decode()
    assert "not yours to review" in osg
    assert browse(people.requester).get("/reviews").status_code == 403


def test_mc_reporting_the_requester_records_the_return_from_the_page(browse, people):
    order = ended_order(people, days_ago=100)
    requester = browse(people.requester)
    page = requester.get("/report-returns").content.decode()
    assert "overdue" in page
    assert f'action="/report-returns/{order.pk}"' in page
    prefix = f"o{order.pk}"
    answer = requester.post(
        f"/report-returns/{order.pk}",
        {
            f"{prefix}-how": "returned",
            f"{prefix}-certified_by": "LT. A. BAKER",
            f"{prefix}-done_on": str(timezone.now().date()),
        },
    )
    assert answer.status_code == 302
    assert ReportReturn.objects.get(order=order).how == "returned"


def test_mc_reporting_a_refused_return_is_shown_next_to_its_field(browse, people):
    order = ended_order(people, days_ago=100)
    prefix = f"o{order.pk}"
    future = timezone.now().date() + timedelta(days=3)
    answer = browse(people.requester).post(
        f"/report-returns/{order.pk}",
        {f"{prefix}-how": "returned", f"{prefix}-certified_by": "X", f"{prefix}-done_on": future},
    )
    assert answer.status_code == 422
    assert "the return date has not come yet (MC-REPORTING)" in answer.content.decode()
    assert not ReportReturn.objects.exists()


def test_the_returns_are_paged_and_a_form_sent_back_stays_on_its_page(browse, people, monkeypatch):
    monkeypatch.setattr("mailcover.web.listing.PAGE_SIZE", 2)
    orders = [ended_order(people, days_ago=100 + n) for n in range(3)]
    requester = browse(people.requester)
    first = requester.get("/report-returns").content.decode()
    second = requester.get("/report-returns?page=2").content.decode()
    shown = [o for o in orders if f'data-order="{o.case_number}"' in first]
    [last] = [o for o in orders if f'data-order="{o.case_number}"' in second]
    assert len(shown) == 2
    assert last not in shown
    assert "1 to 2 of 3 covers" in first
    assert 'data-testid="pagination"' in first
    assert f'action="/report-returns/{last.pk}?page=2"' in second
    prefix = f"o{last.pk}"
    refused = requester.post(
        f"/report-returns/{last.pk}?page=2",
        {f"{prefix}-how": "returned", f"{prefix}-certified_by": "", f"{prefix}-done_on": ""},
    )
    assert refused.status_code == 422
    assert f'data-order="{last.case_number}"' in refused.content.decode()
    assert 'href="/report-returns?page=1"' in refused.content.decode()


def test_another_agency_finds_none_of_the_returns_on_any_page(browse, people, monkeypatch):
    monkeypatch.setattr("mailcover.web.listing.PAGE_SIZE", 2)
    orders = [ended_order(people, days_ago=100 + n) for n in range(3)]
    for page in ("", "?page=2"):
        seen = browse(people.outsider).get(f"/report-returns{page}").content.decode()
        assert not any(o.case_number in seen for o in orders)


def test_a_page_that_is_not_a_number_is_told(browse, people):
    answer = browse(people.requester).get("/report-returns?page=x")
    assert answer.status_code == 400
    assert "Page 'x' is not a page number" in unescape(answer.content.decode())


def test_mc_reporting_oversight_reads_the_returns_and_records_none(browse, people):
    order = ended_order(people, days_ago=100)
    page = browse(people.oversight).get("/report-returns").content.decode()
    assert order.case_number in page
    assert "Record the return" not in page
    assert browse(people.oversight).post(f"/report-returns/{order.pk}", {}).status_code == 403


def test_mc_discovery_the_form_hands_over_the_package(browse, people, order):
    capture_one()
    requester = browse(people.requester)
    assert requester.get(f"/orders/{order.pk}/discovery").status_code == 200
    answer = requester.post(f"/orders/{order.pk}/discovery", DISCOVERY)
    assert answer.status_code == 200
    archive = zipfile.ZipFile(BytesIO(answer.content))
    assert "captures.csv" in archive.namelist()
    refused = requester.post(f"/orders/{order.pk}/discovery", {**DISCOVERY, "court": ""})
    assert refused.status_code == 422
    assert "name the court (MC-DISCOVERY)" in refused.content.decode()


def test_mc_discovery_the_form_is_not_for_oversight_or_another_agency(browse, people, order):
    assert browse(people.oversight).get(f"/orders/{order.pk}/discovery").status_code == 403
    assert browse(people.outsider).get(f"/orders/{order.pk}/discovery").status_code == 404


def test_an_order_that_another_official_filed_can_be_reviewed_from_its_page(browse, people):
    filed = actions.file_request(people.requester, draft_for(people.requester), timezone.now())
    order: Any = actions.approve(people.approver, filed, None, timezone.now())
    assert browse(people.hq).get(f"/orders/{order.pk}").status_code == 200
