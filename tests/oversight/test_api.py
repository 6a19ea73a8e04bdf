"""/api/v1/compliance, /api/v1/reviews, /api/v1/report-returns, and an order's report return
and discovery package: who may, who may not, and what each bad input is told."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from tests.covers.conftest import draft_for

from mailcover.covers import actions, ingest
from mailcover.law.compliance import Check
from mailcover.ledger.accounting import accounting_for
from mailcover.ledger.models import Entry
from mailcover.oversight.models import ReportReturn

TO_SUBJECT = ["JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234"]
DISCOVERY = {
    "proceeding": "UNITED STATES v. PUBLIC, No. 1:26-cr-00042",
    "court": "U.S. DISTRICT COURT, N.D. ILL.",
    "recipient_name": "JANE ROE ESQ, counsel for the defendant",
    "recipient_address": "1 COURT SQ, SPRINGFIELD IL 62701",
}


def ended_order(people: Any, days_ago: int) -> Any:
    then = timezone.now() - timedelta(days=days_ago)
    filed = actions.file_request(people.requester, draft_for(people.requester), then)
    return actions.approve(people.approver, filed, 30, then + timedelta(hours=1))


def capture_one(piece_id: str = "P-1") -> None:
    piece = {
        "piece_id": piece_id,
        "scanned_at": timezone.now().isoformat(),
        "facility": "SPRINGFIELD IL P&DC",
        "mail_class": "first-class",
        "imb": None,
        "addressee": TO_SUBJECT,
        "return_address": ["=HYPERLINK(1)", "PO BOX 100", "DENVER CO 80201"],
    }
    assert ingest.ingest_lines([json.dumps(piece)], "cli").captured == 1


# --- compliance -----------------------------------------------------------------------------


def test_oversight_reads_every_check_with_its_figure(api, people, order):
    answer = api.get("/compliance", people.oversight)
    assert answer.status_code == 200
    checks = {c["id"]: c for c in answer.json()}
    assert list(checks) == [c.value for c in Check]
    assert checks["OIG-NONDISCLOSURE"]["figure"] == "1"  # the persona without a form
    assert checks["OIG-NONDISCLOSURE"]["met"] is False
    assert checks["OIG-AUTHORITY"]["figure"] == "0"
    assert checks["OIG-TIMELINESS"]["measures"]["decided"] == "1"


@pytest.mark.parametrize("who", ["requester", "approver", "chief", "operator", "admin"])
def test_no_one_but_oversight_reads_the_compliance_checks(api, people, who):
    assert api.get("/compliance", getattr(people, who)).status_code == 403
    assert api.get("/compliance/oig-review", getattr(people, who)).status_code == 403


def test_a_check_lists_every_case_it_found(api, people):
    answer = api.get("/compliance/OIG-NONDISCLOSURE", people.oversight)
    assert answer.status_code == 200
    assert [f["user_id"] for f in answer.json()["findings"]] == [people.no_nda.pk]


def test_an_unknown_check_is_a_404_naming_it(api, people):
    answer = api.get("/compliance/oig-nothing", people.oversight)
    assert answer.status_code == 404
    assert "oig-nothing" in answer.json()["detail"]


def test_signed_out_callers_are_told_to_sign_in(api, db):
    assert api.get("/compliance", None).status_code == 401


# --- the review queue -----------------------------------------------------------------------


def test_the_review_queue_lists_orders_due_and_says_who_may_review(api, people, settings):
    settings.MAILCOVER_POLICY = settings.MAILCOVER_POLICY.__class__(review_interval_days=20)
    due = ended_order(people, days_ago=25)  # 30 days granted: in force, review overdue
    by_hq = {r["case_number"]: r for r in api.get("/reviews", people.hq).json()}
    assert by_hq[due.case_number]["overdue"] is True
    assert by_hq[due.case_number]["may_review"] is True
    by_osg = api.get("/reviews", people.approver).json()
    assert by_osg[0]["may_review"] is False  # an OSG designee holds no headquarters delegation
    assert api.get("/reviews", people.oversight).json()[0]["may_review"] is False
    assert api.get("/reviews", people.requester).status_code == 403
    assert api.get("/reviews", people.operator).status_code == 403


# --- report returns ---------------------------------------------------------------------------


def test_mc_reporting_the_requesting_authority_certifies_destruction_once(api, people):
    order = ended_order(people, days_ago=100)
    body = {
        "how": "destroyed",
        "certified_by": "LT. A. BAKER",
        "done_on": str(timezone.now().date()),
    }
    answer = api.post(f"/cover-orders/{order.pk}/report-return", body, people.requester)
    assert answer.status_code == 201
    assert answer.json()["how"] == "destroyed"
    assert answer.json()["overdue"] is False
    assert ReportReturn.objects.get(order=order).certified_by == "LT. A. BAKER"
    assert Entry.objects.filter(event="report.returned", case_number=order.case_number).exists()
    again = api.post(f"/cover-orders/{order.pk}/report-return", body, people.approver)
    assert again.status_code == 409


def test_mc_reporting_a_return_before_the_cover_ends_is_refused_with_the_rule(api, people, order):
    body = {
        "how": "returned",
        "certified_by": "LT. A. BAKER",
        "done_on": str(timezone.now().date()),
    }
    answer = api.post(f"/cover-orders/{order.pk}/report-return", body, people.requester)
    assert answer.status_code == 422
    assert answer.json()["rule"] == "MC-REPORTING"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"how": "lost", "certified_by": "X", "done_on": "2026-01-01"}, "how"),
        ({"how": "returned", "certified_by": "X", "done_on": "yesterday"}, "done_on"),
        ({"how": "returned", "done_on": "2026-01-01"}, "certified_by"),
    ],
)
def test_mc_reporting_a_malformed_return_names_the_field(api, people, body, field):
    order = ended_order(people, days_ago=100)
    answer = api.post(f"/cover-orders/{order.pk}/report-return", body, people.requester)
    assert answer.status_code == 422
    assert field in answer.json()["detail"]


def test_mc_reporting_only_the_requesting_authority_and_the_deciding_side_record_a_return(
    api, people
):
    order = ended_order(people, days_ago=100)
    body = {
        "how": "returned",
        "certified_by": "LT. A. BAKER",
        "done_on": str(timezone.now().date()),
    }
    path = f"/cover-orders/{order.pk}/report-return"
    assert api.post(path, body, people.outsider).status_code == 404
    assert api.post(path, body, people.oversight).status_code == 403
    assert api.post(path, body, people.operator).status_code == 403
    listed = api.get("/report-returns", people.oversight).json()
    assert [r["overdue"] for r in listed] == [True]
    assert api.get("/report-returns", people.outsider).json() == []


# --- discovery ----------------------------------------------------------------------------


def test_mc_discovery_the_requesting_authority_gets_the_package_and_it_is_accounted_for(
    api, people, order
):
    capture_one()
    answer = api.post(f"/cover-orders/{order.pk}/discovery", DISCOVERY, people.requester)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    assert "no-store" in answer["Cache-Control"]
    data = answer.content
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    for name, digest in manifest["members"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    rows = list(csv.DictReader(io.StringIO(archive.read("captures.csv").decode())))
    assert [r["piece_id"] for r in rows] == ["P-1"]
    assert rows[0]["addressee"] == " / ".join(TO_SUBJECT)
    assert rows[0]["return_address"].startswith("'=HYPERLINK")  # no formula in a spreadsheet
    requests = json.loads(archive.read("requests.json"))
    assert requests[0]["as_filed_sha256"] == order.request.body_sha256
    accounted = accounting_for(order.request.subject_id)
    disclosure = accounted[-1].disclosure
    assert disclosure.recipient_name == DISCOVERY["recipient_name"]
    assert disclosure.purpose == "discovery in a legal proceeding (39 CFR 233.3(h)(3))"
    entry = Entry.objects.filter(event="disclosure").order_by("-seq").first().entry
    assert entry.details["package_sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("who", ["approver", "chief", "oversight", "operator"])
def test_mc_discovery_is_not_exported_by_anyone_outside_the_requesting_authority(
    api, people, order, who
):
    answer = api.post(f"/cover-orders/{order.pk}/discovery", DISCOVERY, getattr(people, who))
    assert answer.status_code == 403


def test_mc_discovery_another_agency_is_told_the_order_does_not_exist(api, people, order):
    answer = api.post(f"/cover-orders/{order.pk}/discovery", DISCOVERY, people.outsider)
    assert answer.status_code == 404


def test_mc_discovery_an_order_ruled_improper_releases_nothing(api, people, order):
    actions.rule_improper(people.hq, order, "No grounds were stated for the cover.", timezone.now())
    answer = api.post(f"/cover-orders/{order.pk}/discovery", DISCOVERY, people.requester)
    assert answer.status_code == 422
    assert answer.json()["rule"] == "MC-IMPROPER"


def test_mc_discovery_a_missing_recipient_is_refused_and_nothing_is_disclosed(api, people, order):
    body = {**DISCOVERY, "recipient_address": "  "}
    answer = api.post(f"/cover-orders/{order.pk}/discovery", body, people.requester)
    assert answer.status_code == 422
    assert answer.json()["rule"] == "MC-DISCOVERY"
    assert answer.json()["errors"][0]["field"] == "recipient_address"
    assert not Entry.objects.filter(event="disclosure").exists()


def test_mc_discovery_a_package_is_never_replayed_for_an_idempotency_key(api, people, order):
    path = f"/cover-orders/{order.pk}/discovery"
    headers = {"Idempotency-Key": "discovery-1"}
    assert api.post(path, DISCOVERY, people.requester, headers).status_code == 200
    assert api.post(path, DISCOVERY, people.requester, headers).status_code == 200
    assert Entry.objects.filter(event="disclosure").count() == 2  # each one accounted for


def test_mc_discovery_captures_whose_key_is_gone_are_a_409_and_nothing_is_disclosed(
    api, people, order
):
    from mailcover.covers import sealing

    capture_one()
    sealing.destroy_key(order.pk)
    answer = api.post(f"/cover-orders/{order.pk}/discovery", DISCOVERY, people.requester)
    assert answer.status_code == 409
    assert not Entry.objects.filter(event="disclosure").exists()


def test_mc_reporting_control_characters_in_a_return_are_refused_by_field(api, people):
    order = ended_order(people, days_ago=100)
    body = {
        "how": "returned",
        "certified_by": "LT.\u0000BAKER",
        "done_on": str(timezone.now().date()),
    }
    answer = api.post(f"/cover-orders/{order.pk}/report-return", body, people.requester)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "certified_by"
    assert not ReportReturn.objects.exists()


def test_mc_nondisclosure_oversight_without_an_acknowledgment_reads_no_check_or_queue(
    api, people, browse
):
    from mailcover.accounts.models import NondisclosureAcknowledgment

    NondisclosureAcknowledgment.objects.filter(user=people.oversight).delete()
    answer = api.get("/compliance", people.oversight)
    assert answer.status_code == 422
    assert answer.json()["rule"] == "MC-NONDISCLOSURE"
    assert api.get("/reviews", people.oversight).json()["rule"] == "MC-NONDISCLOSURE"
    assert browse(people.oversight).get("/compliance").status_code == 403
    assert browse(people.oversight).get("/reviews").status_code == 403
