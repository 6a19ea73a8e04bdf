"""Oversight checks in a real browser that the approval of an order is in the signed
ledger: the inclusion form proves it against the latest checkpoint."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from tests.conftest import fresh_code

from mailcover.ledger import checkpoints
from mailcover.ledger.models import Entry

pytestmark = pytest.mark.e2e

BODY = {
    "subject": {
        "name": "JOHN Q PUBLIC",
        "aliases": [],
        "address": "123 MAIN ST, SPRINGFIELD IL 62704",
    },
    "grounds": "crime",
    "statute": "18 U.S.C. 1341",
    "max_penalty_years": 20,
    "facts": "Victims of a lottery scheme mailed cheques to this address; the subject "
    "collects them daily.",
    "scope": "addressee",
    "days": 30,
    "emergency": False,
    "attorneys": [],
}

PASSWORD = "correct horse battery staple"  # the shared personas' password (tests/conftest.py)


def test_oversight_proves_an_approval_is_in_the_signed_ledger(
    page: Any, live_server: Any, people: Any, api: Any
) -> None:
    filed = api.post("/cover-requests", BODY, people.requester)
    assert filed.status_code == 201
    approved = api.post(f"/cover-requests/{filed.json()['id']}/approve", {}, people.approver)
    assert approved.status_code == 200
    checkpoints.publish(timezone.now())
    approval = Entry.objects.get(event="request.approved")
    base = live_server.url

    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill("oversight")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("One-time code").fill(fresh_code("oversight"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    page.get_by_role("link", name="Ledger", exact=True).click()
    page.get_by_label("Entry number").fill(str(approval.seq))
    page.get_by_role("button", name="Check against the latest checkpoint").click()

    result = page.get_by_test_id("inclusion-result").inner_text()
    assert f"Entry {approval.seq} (Request approved" in result
    assert "is in the signed tree" in result
    assert page.get_by_test_id("checkpoint-size").inner_text() == str(Entry.objects.count())
