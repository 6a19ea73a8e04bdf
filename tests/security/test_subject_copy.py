"""The subject who asks for the accounting of disclosures (PA-SUBJECT): a fugitive under a
covert mail cover asks the Postal Service for the accounting of disclosures about them.
The requesting police department has looked at the cover's captures three times. Those
views are mail cover data, from the Mail Cover Program Records, a system of records
exempt from 5 U.S.C. 552a(c)(3) under (j)(2) (39 CFR 266.9): the subject's copy must not
tell the subject of them, while oversight's accounting keeps every one ((c)(1)-(2))."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone
from tests.conftest import signed_in
from tests.covers.conftest import draft_for

from mailcover.accounts.models import Agency
from mailcover.covers import actions, ingest
from mailcover.covers.models import CoverOrder
from mailcover.law.accounting import SystemOfRecords
from mailcover.ledger import accounting
from mailcover.web.times import zone_name_for

SUBJECT = ("JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234")


def piece(piece_id: str) -> str:
    return json.dumps(
        {
            "piece_id": piece_id,
            "scanned_at": timezone.now().isoformat(),
            "facility": "SPRINGFIELD IL P&DC",
            "mail_class": "first-class",
            "imb": None,
            "addressee": list(SUBJECT),
            "return_address": ["ACME CORP", "PO BOX 100", "DENVER CO 80201"],
            "image": None,
        }
    )


@pytest.fixture
def fugitive_cover(people: Any) -> CoverOrder:
    """The requesting police department's fugitive cover, in force, with two captures."""
    Agency.objects.update(address="800 E MONROE ST, SPRINGFIELD IL 62701")
    people.requester.refresh_from_db()
    filed = actions.file_request(
        people.requester, draft_for(people.requester, grounds="fugitive"), timezone.now()
    )
    order = actions.approve(people.approver, filed, None, timezone.now())
    with TestCase.captureOnCommitCallbacks(execute=True):
        ingest.ingest_lines([piece("P-1"), piece("P-2")], "cli")
    assert order.captures.count() == 2
    return order


@pytest.fixture
def three_views(people: Any, fugitive_cover: CoverOrder) -> list[accounting.Accounted]:
    for _ in range(3):
        actions.view_captures(people.requester, fugitive_cover, timezone.now())
    found = accounting.accounting_for(fugitive_cover.request.subject_id)
    assert len(found) == 3
    return found


def test_pa_subject_three_views_of_an_active_fugitive_cover_are_not_in_the_subjects_copy(
    fugitive_cover: CoverOrder, three_views: list[accounting.Accounted]
) -> None:
    subject = fugitive_cover.request.subject_id

    assert accounting.accounting_for(subject, subject_copy=True) == []
    assert all(not view.in_subject_copy for view in three_views)


def test_pa_subject_the_views_are_mail_cover_data_from_the_exempt_system(
    three_views: list[accounting.Accounted],
) -> None:
    for view in three_views:
        assert view.disclosure.system is SystemOfRecords.MAIL_COVER
        assert view.disclosure.recipient_name == "Springfield Police Department"
        reason = view.left_out_of_subject_copy or ""
        assert "Mail Cover Program Records, USPS 700.100" in reason
        assert "552a(j)(2)" in reason


def test_pa_subject_the_subjects_copy_csv_has_the_header_and_nothing_else(
    people: Any, fugitive_cover: CoverOrder, three_views: list[accounting.Accounted]
) -> None:
    subject = fugitive_cover.request.subject_id
    browser = signed_in(people.oversight)

    copy = browser.get(f"/ledger/accounting/{subject}?format=csv&copy=subject")

    assert copy.status_code == 200
    rows = list(csv.reader(io.StringIO(copy.content.decode())))
    zone = zone_name_for(people.oversight)
    assert rows == [[*accounting.CSV_COLUMNS, f"date ({zone})"]]
    assert fugitive_cover.case_number not in copy.content.decode()


def test_pa_account_oversight_still_reads_the_three_views_in_full(
    people: Any, fugitive_cover: CoverOrder, three_views: list[accounting.Accounted]
) -> None:
    subject = fugitive_cover.request.subject_id
    browser = signed_in(people.oversight)

    full = browser.get(f"/ledger/accounting/{subject}?format=csv")
    page = browser.get(f"/ledger/accounting/{subject}")

    rows = list(csv.reader(io.StringIO(full.content.decode())))
    assert len(rows) == 1 + 3
    assert {row[5] for row in rows[1:]} == {fugitive_cover.case_number}
    assert {row[3] for row in rows[1:]} == {"Springfield Police Department"}
    text = page.content.decode()
    assert text.count('data-testid="in-subject-copy">no: exempt') == 3
    assert 'data-testid="in-subject-copy">yes' not in text
