"""Every action on a cover lands on the ledger: who did what, when, to which case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from mailcover.covers import actions
from mailcover.covers.models import CoverOrder, CoverRequest
from mailcover.law.errors import RuleBroken
from mailcover.law.extensions import ExtensionDraft
from mailcover.ledger.entries import digest
from mailcover.ledger.models import Entry

File = Callable[..., CoverRequest]

BENEFIT = (
    "Two covered pieces tied the subject to a second mail drop; the next period should "
    "identify the supplier."
)


def only_event(event: str) -> Entry:
    return Entry.objects.get(event=event)


class TestEachActionIsRecorded:
    def test_filing(self, people: Any, file: File) -> None:
        filed = file(people.requester)

        recorded = only_event("request.filed")
        assert recorded.actor_ref == people.requester.pk
        assert recorded.actor_username == people.requester.username
        assert recorded.case_number == filed.case_number
        assert recorded.details["body_sha256"] == filed.body_sha256
        assert recorded.details["grounds"] == "crime"
        assert recorded.at == filed.filed_at

    def test_approval(self, people: Any, order: CoverOrder) -> None:
        recorded = only_event("request.approved")

        assert recorded.actor_ref == people.approver.pk
        assert recorded.actor_username == people.approver.username
        assert recorded.case_number == order.case_number
        assert recorded.details["delegation"] == "DEL-OSG-1"
        assert recorded.details["order"] == order.case_number
        assert recorded.details["days"] == 30

    def test_denial(self, people: Any, file: File) -> None:
        filed = file(people.requester)

        actions.deny(
            people.approver, filed, "The facts tie nothing to the offence.", timezone.now()
        )

        recorded = only_event("request.denied")
        assert recorded.actor_ref == people.approver.pk
        assert recorded.actor_username == people.approver.username
        assert recorded.case_number == filed.case_number
        # Free text goes on the ledger only as its digest: the ledger can never be
        # destroyed, the reasons (which may name the subject) can.
        assert recorded.details["reason_sha256"] == digest("The facts tie nothing to the offence.")
        assert b"offence" not in bytes(recorded.data)
        assert recorded.subject_ref == filed.subject_id

    def test_extension(self, people: Any, order: CoverOrder) -> None:
        draft = ExtensionDraft(30, BENEFIT, indicted=False, represented_by_attorney=False)

        filed = actions.file_extension(people.colleague, order, draft, timezone.now())

        recorded = only_event("extension.filed")
        assert recorded.actor_ref == people.colleague.pk
        assert recorded.actor_username == people.colleague.username
        assert recorded.case_number == filed.case_number == f"{order.case_number}-E1"
        assert recorded.details["days"] == 30

    def test_review(self, people: Any, order: CoverOrder) -> None:
        actions.review(people.hq, order, "Reviewed: still necessary.", timezone.now())

        recorded = only_event("order.reviewed")
        assert recorded.actor_ref == people.hq.pk
        assert recorded.actor_username == people.hq.username
        assert recorded.case_number == order.case_number

    def test_improper_ruling(self, people: Any, order: CoverOrder) -> None:
        reasons = "The cited statute is a misdemeanour; the grounds fail."

        actions.rule_improper(people.chief, order, reasons, timezone.now())

        recorded = only_event("order.ruled_improper")
        assert recorded.actor_ref == people.chief.pk
        assert recorded.actor_username == people.chief.username
        assert recorded.case_number == order.case_number
        assert recorded.details["reasons_sha256"] == digest(reasons)
        assert b"misdemeanour" not in bytes(recorded.data)

    def test_emergency_confirmation(self, people: Any, emergency_order: CoverOrder) -> None:
        actions.confirm_emergency(
            people.requester,
            emergency_order,
            "Written confirmation, facts restated.",
            timezone.now(),
        )

        recorded = only_event("emergency.confirmed")
        assert recorded.actor_ref == people.requester.pk
        assert recorded.actor_username == people.requester.username
        assert recorded.case_number == emergency_order.case_number

    def test_indictment(self, people: Any, order: CoverOrder) -> None:
        today = timezone.now().date()

        actions.notify_indictment(people.requester, order, today, "", timezone.now())

        recorded = only_event("indictment.noted")
        assert recorded.actor_ref == people.requester.pk
        assert recorded.actor_username == people.requester.username
        assert recorded.case_number == order.case_number
        assert date.fromisoformat(recorded.details["filed_on"]) == today


def test_a_refused_action_records_nothing(people: Any, file: File) -> None:
    filed = file(people.requester)
    before = Entry.objects.count()

    with pytest.raises(RuleBroken):
        actions.approve(people.undelegated, filed, None, timezone.now())
    with pytest.raises(RuleBroken):
        actions.deny(people.approver, filed, "   ", timezone.now())

    assert Entry.objects.count() == before
