"""The compliance checks (OIG-* in LAW.md), live from the database and the ledger: each
failure that can be stored is seeded and caught; each that the actions make impossible is
attempted and refused."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from tests.conftest import DELEGATED_FROM, PASSWORD, POSTAL
from tests.covers.conftest import draft_for

from mailcover.accounts.models import Delegation, NondisclosureAcknowledgment
from mailcover.accounts.provisioning import NewUser, add_user
from mailcover.covers import actions
from mailcover.covers.models import (
    Capture,
    CoverOrder,
    CoverRequest,
    Decision,
    OrderPeriod,
    Subject,
)
from mailcover.law.compliance import Check
from mailcover.law.errors import RuleBroken
from mailcover.law.extensions import ExtensionDraft
from mailcover.law.terms import Policy
from mailcover.ledger import log
from mailcover.oversight import compliance
from mailcover.oversight.models import ReportReturn


def run(check: Check, now: Any = None, policy: Policy | None = None) -> Any:
    return compliance.run_check(check, now or timezone.now(), policy or Policy())


BENEFIT = "Two victims identified from the covers so far; more letters are expected."


def old_order(people: Any, days_ago: int, days: int = 30, **changes: Any) -> Any:
    """An order filed and approved `days_ago` days ago."""
    then = timezone.now() - timedelta(days=days_ago)
    filed = actions.file_request(people.requester, draft_for(people.requester, **changes), then)
    return actions.approve(people.approver, filed, days, then + timedelta(hours=2))


def test_every_check_answers_in_order_and_a_lawful_world_meets_every_target(people, order):
    NondisclosureAcknowledgment.objects.create(user=people.no_nda, signed_on=timezone.now().date())
    results = compliance.run_all(timezone.now(), Policy())
    assert [r.check for r in results] == list(Check)
    assert all(r.met for r in results)
    examined = {r.check: r.examined for r in results}
    assert examined[Check.AUTHORITY] == 1  # the order's one period
    assert examined[Check.JUSTIFICATION] == 1


# --- OIG-AUTHORITY -------------------------------------------------------------------------


def test_oig_authority_an_approval_with_no_delegation_is_refused_by_construction(people, file):
    filed = file(people.requester)
    with pytest.raises(RuleBroken) as refused:
        actions.approve(people.undelegated, filed, None, timezone.now())
    assert refused.value.rule == "MC-AUTHORITY"
    assert run(Check.AUTHORITY).examined == 0  # nothing was approved


def test_oig_authority_a_delegation_revoked_before_the_approval_is_caught(people, order):
    decided = order.request.decision.decided_at
    Delegation.objects.filter(holder=people.approver).update(revoked_at=decided - timedelta(days=1))
    result = run(Check.AUTHORITY)
    assert result.figure == "1"
    assert not result.met
    assert result.findings[0].case_number == order.case_number
    assert "was not in force" in result.findings[0].reason


def test_oig_authority_a_decision_stripped_of_its_delegation_is_caught(people, order):
    Decision.objects.filter(request=order.request).update(delegation=None)
    result = run(Check.AUTHORITY)
    assert [f.reason for f in result.findings] == [
        "no written delegation is recorded on the approval"
    ]


def test_oig_authority_an_osg_delegation_recorded_on_a_national_security_order_is_caught(
    people, file, approve
):
    filed = file(people.requester)
    order = approve(filed)
    CoverRequest.objects.filter(pk=filed.pk).update(grounds="national_security")
    result = run(Check.AUTHORITY)
    assert result.findings[0].case_number == order.case_number
    assert "does not reach" in result.findings[0].reason


def test_oig_authority_a_revocation_after_the_approval_leaves_it_standing(people, order):
    Delegation.objects.filter(holder=people.approver).update(revoked_at=timezone.now())
    assert run(Check.AUTHORITY).met


def test_oig_authority_a_period_whose_approval_was_removed_is_caught(people, order):
    Decision.objects.filter(request=order.request).delete()
    reasons = [f.reason for f in run(Check.AUTHORITY).findings]
    assert reasons == ["the period runs with no approval recorded for it"]


def test_oig_authority_a_period_longer_than_approved_is_caught(people, order):
    period = order.periods.get()
    OrderPeriod.objects.filter(pk=period.pk).update(ends_at=period.starts_at + timedelta(days=300))
    reasons = [f.reason for f in run(Check.AUTHORITY).findings]
    assert reasons == ["the period runs 300 days; the approval granted 30 (MC-PERIOD)"]


def test_oig_authority_a_delegation_of_someone_else_on_the_approval_is_caught(people, order):
    theirs = Delegation.objects.get(holder=people.hq)
    Decision.objects.filter(request=order.request).update(delegation=theirs)
    reasons = [f.reason for f in run(Check.AUTHORITY).findings]
    assert reasons == ["delegation DEL-HQ-1 is not held by the official who approved"]


def test_oig_authority_an_extension_past_120_days_needs_headquarters(people):
    order = old_order(people, days_ago=100, days=30)
    for _ in range(3):
        extension = actions.file_extension(
            people.requester,
            CoverOrder.objects.get(pk=order.pk),
            ExtensionDraft(30, BENEFIT, False, False),
            timezone.now() - timedelta(days=99),
        )
        actions.approve(people.approver, extension, None, timezone.now() - timedelta(days=99))
    assert run(Check.AUTHORITY).met  # 120 days in all: within the cap
    last = order.periods.order_by("-ends_at").first()
    OrderPeriod.objects.filter(pk=last.pk).update(
        starts_at=last.starts_at + timedelta(days=5), ends_at=last.ends_at + timedelta(days=5)
    )
    reasons = [f.reason for f in run(Check.AUTHORITY).findings]
    assert "delegation DEL-OSG-1 (osg_designee) does not reach this approval" in reasons


# --- OIG-JUSTIFICATION ---------------------------------------------------------------------


def test_oig_justification_a_request_without_facts_is_refused_by_construction(people, file):
    with pytest.raises(RuleBroken) as refused:
        file(people.requester, facts="   ")
    assert refused.value.rule == "MC-WRITTEN"


def test_oig_justification_untouched_requests_and_extensions_have_no_findings(people, order):
    extension = actions.file_extension(
        people.requester,
        order,
        ExtensionDraft(
            30,
            "Two victims identified from the covers so far; more letters are expected.",
            False,
            False,
        ),
        timezone.now(),
    )
    actions.approve(people.approver, extension, None, timezone.now())
    result = run(Check.JUSTIFICATION)
    assert result.met
    assert result.examined == 2


def test_oig_justification_facts_changed_after_approval_are_caught(order):
    CoverRequest.objects.filter(pk=order.request.pk).update(facts="Nothing in particular.")
    result = run(Check.JUSTIFICATION)
    assert [f.reason for f in result.findings] == ["stored facts differ from the request as filed"]


def test_oig_justification_grounds_transcribed_wrongly_are_caught(order):
    CoverRequest.objects.filter(pk=order.request.pk).update(grounds="fugitive")
    assert "stored grounds differ" in run(Check.JUSTIFICATION).findings[0].reason


def test_oig_justification_a_request_rewritten_with_a_fresh_digest_is_caught_by_the_ledger(
    order,
):
    request = order.request
    body = {**request.body, "facts": "Rewritten after the approval."}
    CoverRequest.objects.filter(pk=request.pk).update(
        body=body, body_sha256=actions.body_digest(body), facts="Rewritten after the approval."
    )
    reasons = [f.reason for f in run(Check.JUSTIFICATION).findings]
    assert reasons == ["the request as filed differs from the digest the ledger recorded"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("subject_address", "subject_address"),
        ("subject_name", "subject_name"),
        ("attorney", "attorneys"),
        ("penalty", "max_penalty_years"),
    ],
)
def test_oig_justification_what_the_matcher_reads_changed_after_approval_is_caught(
    order, change, field
):
    request = order.request
    if change == "subject_address":
        Subject.objects.filter(pk=request.subject_id).update(address="9 OTHER RD, DENVER CO 80201")
    elif change == "subject_name":
        Subject.objects.filter(pk=request.subject_id).update(name="SOMEONE ELSE")
    elif change == "attorney":
        request.attorneys.all().delete()
    else:
        CoverRequest.objects.filter(pk=request.pk).update(max_penalty_years=Decimal("0.5"))
    reasons = [f.reason for f in run(Check.JUSTIFICATION).findings]
    assert reasons == [f"stored {field} differ from the request as filed"]


def test_oig_justification_the_penalty_is_compared_by_value_not_spelling(order):
    assert order.request.body["max_penalty_years"] == "20"
    assert run(Check.JUSTIFICATION).met  # "20" as filed, 20.00 as stored


def test_oig_justification_an_extension_whose_copied_grounds_changed_is_caught(people, order):
    extension = actions.file_extension(
        people.requester, order, ExtensionDraft(30, BENEFIT, False, False), timezone.now()
    )
    CoverRequest.objects.filter(pk=extension.pk).update(grounds="fugitive")
    found = run(Check.JUSTIFICATION).findings
    assert [(f.case_number, f.reason) for f in found] == [
        (extension.case_number, "stored grounds differ from the request as filed")
    ]


# --- OIG-NONDISCLOSURE ---------------------------------------------------------------------


def test_oig_nondisclosure_a_person_with_a_case_role_and_no_acknowledgment_is_listed(people):
    result = run(Check.NONDISCLOSURE)
    assert [f.user_id for f in result.findings] == [people.no_nda.pk]
    assert "no-nda" in result.findings[0].reason
    # The operator and the admin reach no case data: they are not examined.
    NondisclosureAcknowledgment.objects.create(user=people.no_nda, signed_on=timezone.now().date())
    assert run(Check.NONDISCLOSURE).met


def test_oig_nondisclosure_reading_captures_without_an_acknowledgment_is_refused(people, order):
    with pytest.raises(RuleBroken) as refused:
        actions.view_captures(people.no_nda, order, timezone.now())
    assert refused.value.rule == "MC-NONDISCLOSURE"


def test_oig_nondisclosure_a_deactivated_account_is_not_counted(people):
    people.no_nda.is_active = False
    people.no_nda.save()
    assert run(Check.NONDISCLOSURE).met


# --- OIG-REVIEW ----------------------------------------------------------------------------


def test_oig_review_an_order_past_its_review_date_is_overdue_until_reviewed(people):
    policy = Policy(review_interval_days=5)
    order = old_order(people, days_ago=10)
    result = run(Check.REVIEW, policy=policy)
    assert [f.case_number for f in result.findings] == [order.case_number]
    assert "days overdue" in result.findings[0].reason
    actions.review(people.hq, order, "Still productive; keep.", timezone.now())
    assert run(Check.REVIEW, policy=policy).met


def test_oig_review_the_filer_cannot_review_their_own_order(people):
    both = add_user(
        NewUser(
            username="both",
            agency=POSTAL,
            agency_level="postal",
            roles=["requester", "approver"],
            password=PASSWORD,
            delegation="DEL-HQ-2",
            delegation_scope="hq_designee",
            nondisclosure=True,
        ),
        DELEGATED_FROM,
        Policy(),
    )
    filed = actions.file_request(both, draft_for(both), timezone.now())
    order = actions.approve(people.approver, filed, None, timezone.now())
    with pytest.raises(RuleBroken) as refused:
        actions.review(both, order, "Fine.", timezone.now())
    assert refused.value.rule == "MC-NOT-SELF"


# --- OIG-UNIQUE ----------------------------------------------------------------------------


def test_oig_unique_the_database_refuses_a_second_request_with_a_used_case_number(order):
    request = order.request
    with pytest.raises(IntegrityError), transaction.atomic():
        CoverRequest.objects.create(
            **{
                f.attname: getattr(request, f.attname)
                for f in CoverRequest._meta.concrete_fields
                if f.attname not in {"id", "submission_key"}
            }
        )


def test_oig_unique_a_case_number_filed_twice_on_the_ledger_is_caught(people, order):
    log.record(
        people.requester,
        "request.filed",
        timezone.now(),
        case=order.case_number,
        subject=order.request.subject_id,
        body_sha256="0" * 64,
    )
    result = run(Check.UNIQUE)
    assert [(f.case_number, f.reason) for f in result.findings] == [
        (order.case_number, "filed 2 times on the ledger")
    ]


# --- OIG-AFTER-EXPIRY ----------------------------------------------------------------------


def _capture(order: Any, piece: str, scanned: Any, captured: Any) -> Capture:
    return Capture.objects.create(
        order=order,
        piece_id=piece,
        scanned_at=scanned,
        captured_at=captured,
        facility="SPRINGFIELD IL P&DC",
        mail_class="first-class",
        sealed=b"",
        matched_on="address",
        sha256="0" * 64,
    )


def test_oig_after_expiry_captures_outside_the_window_are_caught(people):
    order = old_order(people, days_ago=40)  # ended 10 days ago
    facts = order.facts()
    _capture(
        order, "P-IN", facts.starts_at + timedelta(days=1), facts.starts_at + timedelta(days=1)
    )
    _capture(
        order, "P-LATE", facts.ends_at + timedelta(hours=1), facts.ends_at + timedelta(hours=2)
    )
    _capture(
        order, "P-HELD", facts.ends_at - timedelta(hours=1), facts.ends_at + timedelta(hours=1)
    )
    _capture(order, "P-EARLY", facts.starts_at - timedelta(hours=1), facts.starts_at)
    result = run(Check.AFTER_EXPIRY)
    assert result.examined == 4
    assert sorted(f.reason for f in result.findings) == [
        "piece P-EARLY scanned before the order was in force",
        "piece P-HELD recorded after the order stopped being in force",
        "piece P-LATE scanned after the order stopped being in force",
    ]


def test_oig_after_expiry_a_capture_after_an_improper_ruling_is_caught(people, order):
    ruled = timezone.now()
    actions.rule_improper(people.hq, order, "No grounds were stated for the cover.", ruled)
    _capture(order, "P-AFTER", ruled + timedelta(minutes=1), ruled + timedelta(minutes=1))
    assert "scanned after" in run(Check.AFTER_EXPIRY).findings[0].reason


def test_oig_after_expiry_the_ingest_refuses_a_piece_scanned_outside_the_window(people):
    from mailcover.covers import ingest

    order = old_order(people, days_ago=10)  # in force since ten days ago
    facts = order.facts()

    def piece(piece_id: str, scanned: Any) -> str:
        return json.dumps(
            {
                "piece_id": piece_id,
                "scanned_at": scanned.isoformat(),
                "facility": "SPRINGFIELD IL P&DC",
                "mail_class": "first-class",
                "imb": None,
                "addressee": ["JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234"],
                "return_address": None,
            }
        )

    early = ingest.ingest_lines([piece("P-EARLY", facts.starts_at - timedelta(days=1))], "cli")
    assert early.captured == 0
    assert early.outside_window == 1
    inside = ingest.ingest_lines([piece("P-INSIDE", timezone.now())], "cli")
    assert inside.captured == 1  # the same piece in the window is captured
    result = run(Check.AFTER_EXPIRY)
    assert result.examined == 1
    assert result.met


def test_oig_after_expiry_an_emergency_order_left_unconfirmed_stops_at_its_deadline(people):
    then = timezone.now() - timedelta(days=10)
    filed = actions.file_request(
        people.requester,
        draft_for(people.requester, emergency=True, emergency_reason="Evidence will be lost."),
        then,
    )
    order = actions.approve(people.iic, filed, None, then + timedelta(hours=1))
    deadline = filed.filed_at + timedelta(days=3)
    _capture(order, "P-BEFORE", deadline - timedelta(hours=1), deadline - timedelta(minutes=30))
    _capture(order, "P-AFTER", deadline + timedelta(hours=1), deadline + timedelta(hours=2))
    found = run(Check.AFTER_EXPIRY).findings
    assert [f.reason for f in found] == [
        "piece P-AFTER scanned after the order stopped being in force"
    ]


# --- OIG-TIMELINESS ------------------------------------------------------------------------


def test_oig_timeliness_gives_percentiles_and_lists_late_decisions_and_waiting_requests(people):
    now = timezone.now()
    policy = Policy(decision_target_hours=48, emergency_decision_target_hours=4)
    for hours in (1, 10, 20, 30):
        filed = actions.file_request(
            people.requester, draft_for(people.requester), now - timedelta(days=10)
        )
        actions.approve(people.approver, filed, None, filed.filed_at + timedelta(hours=hours))
    late = actions.file_request(
        people.requester, draft_for(people.requester), now - timedelta(days=10)
    )
    actions.deny(
        people.approver, late, "Facts do not show a felony.", late.filed_at + timedelta(hours=72)
    )
    actions.file_request(people.requester, draft_for(people.requester), now - timedelta(days=3))
    result = run(Check.TIMELINESS, now=now, policy=policy)
    measures = dict(result.measures)
    assert measures["p50"] == "20.0 h"
    assert measures["p90"] == "72.0 h"
    assert measures["decided"] == "5"
    assert measures["waiting"] == "1"
    assert result.figure == "80% within target"
    assert sorted(f.reason for f in result.findings) == [
        "request decided after 72.0 h (target 48.0 h)",
        "request still waiting after 72.0 h (target 48.0 h)",
    ]


def test_oig_timeliness_holds_emergencies_to_their_own_target(people):
    now = timezone.now()
    filed = actions.file_request(
        people.requester,
        draft_for(people.requester, emergency=True, emergency_reason="Evidence will be lost."),
        now - timedelta(hours=30),
    )
    actions.approve(people.iic, filed, None, now - timedelta(hours=20))
    assert run(Check.TIMELINESS, now=now).met  # 10 hours, within the 24-hour target
    strict = replace(Policy(), emergency_decision_target_hours=5)
    assert [f.reason for f in run(Check.TIMELINESS, now=now, policy=strict).findings] == [
        "emergency request decided after 10.0 h (target 5.0 h)"
    ]


# --- OIG-RETURN ----------------------------------------------------------------------------


def test_oig_return_a_cover_ended_over_60_days_ago_without_its_documents_back_is_caught(people):
    order = old_order(people, days_ago=100)  # ended 70 days ago
    recent = old_order(people, days_ago=50)  # ended 20 days ago: not yet due
    result = run(Check.RETURN)
    assert [f.order_id for f in result.findings] == [order.pk]
    assert result.examined == 2
    ReportReturn.objects.create(
        order=order,
        how="destroyed",
        certified_by="LT. A. BAKER",
        done_on=timezone.now().date(),
        recorded_by=people.requester,
        recorded_at=timezone.now(),
    )
    assert run(Check.RETURN).met
    assert recent.pk not in [f.order_id for f in result.findings]


def test_oig_return_an_order_still_in_force_owes_nothing(order):
    result = run(Check.RETURN)
    assert result.met
    assert result.examined == 0
