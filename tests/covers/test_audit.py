"""The audit trail: who did what, when, to which case. Append-only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from mailcover.covers import actions
from mailcover.covers.models import AuditEvent, CoverOrder, CoverRequest
from mailcover.law.errors import RuleBroken
from mailcover.law.extensions import ExtensionDraft

File = Callable[..., CoverRequest]

BENEFIT = (
    "Two covered pieces tied the subject to a second mail drop; the next period should "
    "identify the supplier."
)


def only_event(action: str) -> AuditEvent:
    return AuditEvent.objects.get(action=action)


@pytest.fixture
def event(people: Any) -> AuditEvent:
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=people.requester,
        action="request.filed",
        case_number="MC-2026-000001",
        details={"days": 30},
    )


class TestAppendOnly:
    def test_an_event_cannot_be_changed_once_saved(self, event: AuditEvent) -> None:
        event.action = "request.withdrawn"

        with pytest.raises(PermissionError, match="append-only"):
            event.save()
        event.refresh_from_db()
        assert event.action == "request.filed"

    def test_an_event_cannot_be_deleted(self, event: AuditEvent) -> None:
        with pytest.raises(PermissionError, match="append-only"):
            event.delete()
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_events_cannot_be_updated_in_bulk(self, event: AuditEvent) -> None:
        with pytest.raises(PermissionError):
            AuditEvent.objects.filter(pk=event.pk).update(case_number="MC-2026-000002")
        with pytest.raises(PermissionError):
            AuditEvent.objects.update(details={})
        event.details = {}
        # bulk_update works inside a transaction of its own; keep that from ours.
        with pytest.raises(PermissionError), transaction.atomic():
            AuditEvent.objects.bulk_update([event], ["details"])
        event.refresh_from_db()
        assert (event.case_number, event.details) == ("MC-2026-000001", {"days": 30})

    def test_events_cannot_be_deleted_in_bulk(self, event: AuditEvent) -> None:
        with pytest.raises(PermissionError):
            AuditEvent.objects.filter(pk=event.pk).delete()
        with pytest.raises(PermissionError):
            AuditEvent.objects.all().delete()
        assert AuditEvent.objects.count() == 1

    def test_update_or_create_cannot_rewrite_an_event(self, event: AuditEvent) -> None:
        with pytest.raises(PermissionError):
            AuditEvent.objects.update_or_create(pk=event.pk, defaults={"action": "nothing"})
        event.refresh_from_db()
        assert event.action == "request.filed"

    def test_new_events_are_still_appended(self, event: AuditEvent, people: Any) -> None:
        AuditEvent.objects.create(
            at=timezone.now(), actor=people.approver, action="x", case_number="MC-2026-000001"
        )

        assert AuditEvent.objects.filter(case_number="MC-2026-000001").count() == 2


class TestEachActionIsRecorded:
    def test_filing(self, people: Any, file: File) -> None:
        filed = file(people.requester)

        recorded = only_event("request.filed")
        assert recorded.actor == people.requester
        assert recorded.case_number == filed.case_number
        assert recorded.details["body_sha256"] == filed.body_sha256
        assert recorded.details["grounds"] == "crime"
        assert recorded.at == filed.filed_at

    def test_approval(self, people: Any, order: CoverOrder) -> None:
        recorded = only_event("request.approved")

        assert recorded.actor == people.approver
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
        assert recorded.actor == people.approver
        assert recorded.case_number == filed.case_number
        assert recorded.details["reason"] == "The facts tie nothing to the offence."

    def test_extension(self, people: Any, order: CoverOrder) -> None:
        draft = ExtensionDraft(30, BENEFIT, indicted=False, represented_by_attorney=False)

        filed = actions.file_extension(people.colleague, order, draft, timezone.now())

        recorded = only_event("extension.filed")
        assert recorded.actor == people.colleague
        assert recorded.case_number == filed.case_number == f"{order.case_number}-E1"
        assert recorded.details["days"] == 30

    def test_review(self, people: Any, order: CoverOrder) -> None:
        actions.review(people.hq, order, "Reviewed: still necessary.", timezone.now())

        recorded = only_event("order.reviewed")
        assert recorded.actor == people.hq
        assert recorded.case_number == order.case_number

    def test_improper_ruling(self, people: Any, order: CoverOrder) -> None:
        reasons = "The cited statute is a misdemeanour; the grounds fail."

        actions.rule_improper(people.chief, order, reasons, timezone.now())

        recorded = only_event("order.ruled_improper")
        assert recorded.actor == people.chief
        assert recorded.case_number == order.case_number
        assert recorded.details["reasons"] == reasons

    def test_emergency_confirmation(self, people: Any, emergency_order: CoverOrder) -> None:
        actions.confirm_emergency(
            people.requester,
            emergency_order,
            "Written confirmation, facts restated.",
            timezone.now(),
        )

        recorded = only_event("emergency.confirmed")
        assert recorded.actor == people.requester
        assert recorded.case_number == emergency_order.case_number

    def test_indictment(self, people: Any, order: CoverOrder) -> None:
        today = timezone.now().date()

        actions.notify_indictment(people.requester, order, today, "", timezone.now())

        recorded = only_event("indictment.noted")
        assert recorded.actor == people.requester
        assert recorded.case_number == order.case_number
        assert date.fromisoformat(recorded.details["filed_on"]) == today


def test_a_refused_action_records_nothing(people: Any, file: File) -> None:
    filed = file(people.requester)
    before = AuditEvent.objects.count()

    with pytest.raises(RuleBroken):
        actions.approve(people.undelegated, filed, None, timezone.now())
    with pytest.raises(RuleBroken):
        actions.deny(people.approver, filed, "   ", timezone.now())

    assert AuditEvent.objects.count() == before
