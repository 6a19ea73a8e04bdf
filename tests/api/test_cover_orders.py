"""GET /api/v1/cover-orders/{id} and the events in an order's life: extensions (MC-EXTENSION,
MC-INDICTMENT, MC-120), the emergency confirmation (MC-EMERGENCY), an indictment, an
improper ruling (MC-IMPROPER) and periodic reviews (MC-REVIEW). An order's status is
computed when asked, so the tests that need days to pass build the order's past first."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from mailcover.covers import actions
from mailcover.covers.models import CoverRequest, Notice, Review

ORDER_KEYS = {"id", "case_number", "request", "status", "starts_at", "ends_at", "grounds", "scope"}
EMERGENCY_REASON = "A witness was threatened by letter; the next letter may mean harm."
CONFIRMATION = "Written confirmation of the oral request of Monday, restating its facts in full."
IMPROPER_REASONS = "The statute cited carries no prison term; the cover had no lawful ground."
REVIEW_NOTE = "Reviewed the facts, the captures so far and the need to continue."


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def span(order: dict[str, Any]) -> timedelta:
    return parse_time(order["ends_at"]) - parse_time(order["starts_at"])


def refused_for(response: Any, rule: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == 422, response.content
    body: dict[str, Any] = response.json()
    assert body["rule"] == rule
    if field is not None:
        assert field in {e["field"] for e in body["errors"]}
    return body


def status_of(api: Any, order_id: int, user: Any) -> str:
    response = api.get(f"/cover-orders/{order_id}", user)
    assert response.status_code == 200, response.content
    status: str = response.json()["status"]
    return status


# --- reading an order ----------------------------------------------------------------


def test_the_requester_reads_the_order_with_its_status_computed(api, people, order_id):
    response = api.get(f"/cover-orders/{order_id}", people.requester)

    assert response.status_code == 200
    order = response.json()
    assert set(order) >= ORDER_KEYS
    assert order["id"] == order_id
    assert order["status"] == "active"
    assert span(order) == timedelta(days=30)
    assert order["agency"] == "Springfield Police Department"
    assert order["subject"] == "JOHN Q PUBLIC"
    assert order["confirmation_due_at"] is None
    assert order["indicted_on"] is None
    assert order["ruled_improper_at"] is None
    assert parse_time(order["review_due_at"]) > parse_time(order["ends_at"])


@pytest.mark.parametrize("persona", ["colleague", "approver", "hq", "chief", "oversight"])
def test_the_agency_approvers_and_oversight_may_read_an_order(api, people, order_id, persona):
    response = api.get(f"/cover-orders/{order_id}", getattr(people, persona))

    assert response.status_code == 200
    assert response.json()["id"] == order_id


def test_another_agency_is_told_the_order_does_not_exist(api, people, order_id):
    response = api.get(f"/cover-orders/{order_id}", people.outsider)

    assert response.status_code == 404
    assert response.json() == {"detail": f"no cover order {order_id}"}


@pytest.mark.parametrize("persona", ["operator", "admin"])
def test_operator_and_admin_read_no_order(api, people, order_id, persona):
    assert api.get(f"/cover-orders/{order_id}", getattr(people, persona)).status_code == 403


def test_an_anonymous_caller_cannot_read_an_order(api, order_id):
    assert api.get(f"/cover-orders/{order_id}", None).status_code == 401


def test_an_order_that_does_not_exist_is_404(api, people):
    assert api.get("/cover-orders/424242", people.oversight).status_code == 404


def test_an_order_past_its_end_has_ended(api, people, history):
    order = history.order(history.ago(40))

    assert status_of(api, order.pk, people.requester) == "ended"


# --- extensions -----------------------------------------------------------------------


def extend(api: Any, order_id: int, body: dict[str, Any], user: Any) -> Any:
    return api.post(f"/cover-orders/{order_id}/extensions", body, user)


def test_a_requester_files_an_extension_and_gets_201_with_its_id_and_status(
    api, people, order_id, extension
):
    response = extend(api, order_id, extension(), people.requester)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "case_number", "status"}
    assert body["status"] == "pending"
    order_case = api.get(f"/cover-orders/{order_id}", people.requester).json()["case_number"]
    assert body["case_number"] == f"{order_case}-E1"
    filed = api.get(f"/cover-requests/{body['id']}", people.requester).json()
    assert filed["kind"] == "extension"
    assert filed["extends"] == order_id


def test_an_extension_is_approved_like_any_request_and_continues_the_order(
    api, people, order_id, extension
):
    extension_id = extend(api, order_id, extension(), people.colleague).json()["id"]

    response = api.post(f"/cover-requests/{extension_id}/approve", {}, people.approver)

    assert response.status_code == 200, response.json()
    order = response.json()
    assert order["id"] == order_id
    assert span(order) == timedelta(days=60)
    first, second = order["periods"]
    assert second["starts_at"] == first["ends_at"]
    assert second["case_number"] == f"{order['case_number']}-E1"


def test_an_extension_can_be_denied_and_the_order_runs_as_before(api, people, order_id, extension):
    extension_id = extend(api, order_id, extension(), people.requester).json()["id"]

    response = api.post(
        f"/cover-requests/{extension_id}/deny", {"reason": "No benefit shown."}, people.approver
    )

    assert response.status_code == 200
    assert span(api.get(f"/cover-orders/{order_id}", people.requester).json()) == timedelta(days=30)


def test_another_agency_cannot_file_an_extension_on_the_order(api, people, order_id, extension):
    response = extend(api, order_id, extension(), people.outsider)

    assert response.status_code == 404
    assert not CoverRequest.objects.filter(kind="extension").exists()


@pytest.mark.parametrize("persona", ["approver", "chief", "oversight", "operator", "admin"])
def test_only_a_requesting_role_may_file_an_extension(api, people, order_id, extension, persona):
    response = extend(api, order_id, extension(), getattr(people, persona))

    assert response.status_code == 403
    assert not CoverRequest.objects.filter(kind="extension").exists()


def test_an_anonymous_caller_cannot_file_an_extension(api, order_id, extension):
    assert extend(api, order_id, extension(), None).status_code == 401


def test_mc_nondisclosure_a_requester_without_an_acknowledgment_cannot_extend(
    api, people, order_id, extension
):
    refused_for(extend(api, order_id, extension(), people.no_nda), "MC-NONDISCLOSURE")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"investigative_benefit": None}, "investigative_benefit", id="no-benefit"),
        pytest.param({"investigative_benefit": "It helped."}, "investigative_benefit", id="token"),
        pytest.param({"indicted": None}, "indicted", id="indictment-not-stated"),
        pytest.param({"represented_by_attorney": None}, "represented_by_attorney", id="counsel"),
        pytest.param({"days": 31}, "days", id="31-days-for-a-crime"),
        pytest.param({"days": 0}, "days", id="0-days"),
    ],
)
def test_mc_extension_an_extension_states_its_benefit_and_runs_30_days(
    api, people, order_id, extension, changes, field
):
    response = extend(api, order_id, extension(**changes), people.requester)

    refused_for(response, "MC-EXTENSION", field)
    assert not CoverRequest.objects.filter(kind="extension").exists()


def test_mc_extension_a_fugitive_cover_may_be_extended_by_60_days(api, people, approved, extension):
    order = approved(grounds="fugitive", statute="", max_penalty_years=None, days=60)

    response = extend(api, order["id"], extension(days=60), people.requester)

    assert response.status_code == 201, response.json()


def test_mc_indictment_a_crime_cover_is_not_extended_once_the_subject_is_indicted(
    api, people, order_id, extension
):
    response = extend(api, order_id, extension(indicted=True), people.requester)

    refused_for(response, "MC-INDICTMENT", "indicted")


def test_mc_indictment_a_fugitive_cover_may_be_extended_after_an_indictment(
    api, people, approved, extension
):
    order = approved(grounds="fugitive", statute="", max_penalty_years=None)

    response = extend(api, order["id"], extension(indicted=True), people.requester)

    assert response.status_code == 201, response.json()


def test_mc_extension_an_order_that_has_ended_cannot_be_extended(api, people, history, extension):
    order = history.order(history.ago(40))

    refused_for(extend(api, order.pk, extension(), people.requester), "MC-EXTENSION")


def test_a_second_extension_while_one_is_pending_is_409(api, people, order_id, extension):
    extend(api, order_id, extension(), people.requester)

    response = extend(api, order_id, extension(days=20), people.colleague)

    assert response.status_code == 409
    assert CoverRequest.objects.filter(kind="extension").count() == 1


@pytest.mark.parametrize("days", ["a month", True])
def test_an_extension_with_wrongly_typed_days_is_422_naming_the_field(
    api, people, order_id, extension, days
):
    response = extend(api, order_id, extension(days=days), people.requester)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["days"]


def test_mc_not_self_nobody_approves_the_extension_of_a_cover_they_filed(
    api, people, filed, extension, both_roles
):
    request_id = filed(by=both_roles)
    order_id = api.post(f"/cover-requests/{request_id}/approve", {}, people.approver).json()["id"]
    extension_id = extend(api, order_id, extension(), both_roles).json()["id"]

    response = api.post(f"/cover-requests/{extension_id}/approve", {}, both_roles)

    refused_for(response, "MC-NOT-SELF")


# --- MC-120: past 120 continuous days, only headquarters, and only after a review ---------


@pytest.fixture
def order_at_120_days(history):
    """A crime order approved 100 days ago and extended three times: it runs out in 20 days,
    exactly 120 days after it started."""
    order = history.order(history.ago(100))
    for filed_days_ago in (75, 45, 15):
        order = history.extend(order, history.ago(filed_days_ago))
    return order


@pytest.fixture
def fourth_extension(api, people, order_at_120_days, extension) -> int:
    response = extend(api, order_at_120_days.pk, extension(), people.requester)
    assert response.status_code == 201, response.json()
    return int(response.json()["id"])


def test_three_extensions_keep_the_order_within_120_days(api, people, order_at_120_days):
    order = api.get(f"/cover-orders/{order_at_120_days.pk}", people.requester).json()

    assert order["status"] == "active"
    assert span(order) == timedelta(days=120)
    assert len(order["periods"]) == 4


def test_mc_120_the_osg_approver_cannot_extend_a_cover_past_120_days(api, people, fourth_extension):
    response = api.post(f"/cover-requests/{fourth_extension}/approve", {}, people.approver)

    refused_for(response, "MC-120", "days")


def test_mc_review_even_the_chief_extends_past_120_days_only_after_a_review(
    api, people, fourth_extension
):
    response = api.post(f"/cover-requests/{fourth_extension}/approve", {}, people.chief)

    refused_for(response, "MC-REVIEW")


def test_mc_120_after_a_headquarters_review_the_chief_extends_past_120_days(
    api, people, order_at_120_days, fourth_extension
):
    review = api.post(
        f"/cover-orders/{order_at_120_days.pk}/reviews", {"note": REVIEW_NOTE}, people.hq
    )
    assert review.status_code == 201, review.json()

    response = api.post(f"/cover-requests/{fourth_extension}/approve", {}, people.chief)

    assert response.status_code == 200, response.json()
    order = response.json()
    assert span(order) == timedelta(days=150)
    assert len(order["periods"]) == 5
    assert order["status"] == "active"


# --- the emergency confirmation (MC-EMERGENCY) --------------------------------------------


def confirm(api: Any, order_id: int, user: Any, statement: str = CONFIRMATION) -> Any:
    return api.post(
        f"/cover-orders/{order_id}/emergency-confirmation", {"written_request": statement}, user
    )


@pytest.fixture
def emergency_order(approved, people) -> int:
    order = approved(people.iic, emergency=True, emergency_reason=EMERGENCY_REASON)
    return int(order["id"])


def test_the_requester_confirms_an_emergency_in_writing(api, people, emergency_order):
    response = confirm(api, emergency_order, people.requester)

    assert response.status_code == 200, response.json()
    order = response.json()
    assert order["emergency"] is True
    assert order["confirmed_at"] is not None
    assert parse_time(order["confirmed_at"]) <= parse_time(order["confirmation_due_at"])
    assert order["status"] == "active"


def test_mc_emergency_an_emergency_is_confirmed_once(api, people, emergency_order):
    confirm(api, emergency_order, people.requester)

    refused_for(confirm(api, emergency_order, people.colleague), "MC-EMERGENCY")


def test_mc_emergency_a_confirmation_restates_the_request(api, people, emergency_order):
    response = confirm(api, emergency_order, people.requester, "Confirmed.")

    refused_for(response, "MC-EMERGENCY", "written_request")


def test_mc_emergency_an_order_that_was_no_emergency_has_nothing_to_confirm(api, people, order_id):
    refused_for(confirm(api, order_id, people.requester), "MC-EMERGENCY")


def test_a_confirmation_without_its_text_is_422_naming_the_field(api, people, emergency_order):
    response = api.post(
        f"/cover-orders/{emergency_order}/emergency-confirmation", {}, people.requester
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["written_request"]


def test_another_agency_cannot_confirm_the_emergency(api, people, emergency_order):
    assert confirm(api, emergency_order, people.outsider).status_code == 404


@pytest.mark.parametrize("persona", ["approver", "oversight", "operator", "admin"])
def test_only_the_requesting_agency_confirms_an_emergency(api, people, emergency_order, persona):
    assert confirm(api, emergency_order, getattr(people, persona)).status_code == 403


def test_an_anonymous_caller_cannot_confirm_an_emergency(api, emergency_order):
    assert confirm(api, emergency_order, None).status_code == 401


def test_mc_emergency_an_emergency_not_confirmed_within_3_days_is_suspended(api, people, history):
    order = history.order(
        history.ago(5), people.iic, emergency=True, emergency_reason=EMERGENCY_REASON
    )

    assert status_of(api, order.pk, people.requester) == "suspended"


def test_mc_emergency_a_confirmation_after_3_days_is_refused_and_the_order_stays_suspended(
    api, people, history
):
    order = history.order(
        history.ago(5), people.iic, emergency=True, emergency_reason=EMERGENCY_REASON
    )

    refused_for(confirm(api, order.pk, people.requester), "MC-EMERGENCY")
    assert status_of(api, order.pk, people.requester) == "suspended"


def test_mc_emergency_an_emergency_confirmed_in_time_stays_active(api, people, history):
    order = history.order(
        history.ago(5), people.iic, emergency=True, emergency_reason=EMERGENCY_REASON
    )
    actions.confirm_emergency(people.requester, order, CONFIRMATION, history.ago(4))

    assert status_of(api, order.pk, people.requester) == "active"


# --- an indictment (MC-INDICTMENT) ----------------------------------------------------------


def indict(api: Any, order_id: int, user: Any, filed_on: Any) -> Any:
    body = {"filed_on": str(filed_on), "note": "Indicted by the grand jury."}
    return api.post(f"/cover-orders/{order_id}/indictment", body, user)


@pytest.mark.parametrize("persona", ["requester", "approver"])
def test_mc_indictment_an_indictment_terminates_a_crime_cover(
    api, people, order_id, today, persona
):
    response = indict(api, order_id, getattr(people, persona), today)

    assert response.status_code == 200, response.json()
    order = response.json()
    assert order["status"] == "terminated"
    assert order["indicted_on"] == today.isoformat()


def test_mc_indictment_a_fugitive_cover_stays_active_after_an_indictment(
    api, people, approved, today
):
    order = approved(grounds="fugitive", statute="", max_penalty_years=None)

    response = indict(api, order["id"], people.requester, today)

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "active"
    assert response.json()["indicted_on"] == today.isoformat()


def test_mc_indictment_a_terminated_cover_cannot_be_extended(
    api, people, order_id, today, extension
):
    indict(api, order_id, people.requester, today)

    refused_for(extend(api, order_id, extension(), people.requester), "MC-EXTENSION")


def test_mc_extension_a_pending_extension_is_not_approved_once_the_cover_is_terminated(
    api, people, order_id, today, extension
):
    extension_id = extend(api, order_id, extension(), people.requester).json()["id"]
    indict(api, order_id, people.requester, today)

    response = api.post(f"/cover-requests/{extension_id}/approve", {}, people.approver)

    refused_for(response, "MC-EXTENSION")
    assert span(api.get(f"/cover-orders/{order_id}", people.requester).json()) == timedelta(days=30)


def test_mc_indictment_an_indictment_cannot_be_dated_in_the_future(api, people, order_id, today):
    response = indict(api, order_id, people.requester, today + timedelta(days=2))

    refused_for(response, "MC-INDICTMENT", "filed_on")
    assert status_of(api, order_id, people.requester) == "active"


def test_mc_indictment_an_indictment_is_recorded_once(api, people, order_id, today):
    indict(api, order_id, people.requester, today)

    refused_for(indict(api, order_id, people.colleague, today), "MC-INDICTMENT")


def test_an_indictment_with_a_date_that_is_no_date_is_422_naming_the_field(api, people, order_id):
    response = indict(api, order_id, people.requester, "last tuesday")

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["filed_on"]


def test_another_agency_cannot_report_an_indictment_on_the_order(api, people, order_id, today):
    assert indict(api, order_id, people.outsider, today).status_code == 404


@pytest.mark.parametrize("persona", ["oversight", "operator", "admin"])
def test_oversight_operator_and_admin_cannot_report_an_indictment(
    api, people, order_id, today, persona
):
    assert indict(api, order_id, getattr(people, persona), today).status_code == 403
    assert status_of(api, order_id, people.requester) == "active"


def test_an_anonymous_caller_cannot_report_an_indictment(api, order_id, today):
    assert indict(api, order_id, None, today).status_code == 401


# --- an improper ruling (MC-IMPROPER) -----------------------------------------------------


def rule_improper(api: Any, order_id: int, user: Any, reasons: str = IMPROPER_REASONS) -> Any:
    return api.post(f"/cover-orders/{order_id}/improper", {"reasons": reasons}, user)


def test_mc_improper_a_ruling_makes_the_order_improper_and_tells_the_requester(
    api, people, order_id
):
    response = rule_improper(api, order_id, people.chief)

    assert response.status_code == 200, response.json()
    order = response.json()
    assert order["status"] == "improper"
    assert order["ruled_improper_at"] is not None
    notice = Notice.objects.get(recipient=people.requester)
    assert notice.case_number == order["case_number"]
    assert order["case_number"] in notice.title
    assert notice.body.startswith(IMPROPER_REASONS)
    assert "has been destroyed" in notice.body


def test_mc_improper_the_ruling_is_final_and_cannot_be_made_twice(api, people, order_id):
    rule_improper(api, order_id, people.approver)

    refused_for(rule_improper(api, order_id, people.chief), "MC-IMPROPER")
    assert Notice.objects.count() == 1


def test_mc_improper_a_ruling_states_its_reasons(api, people, order_id):
    refused_for(rule_improper(api, order_id, people.approver, "Bad."), "MC-IMPROPER", "reasons")
    assert status_of(api, order_id, people.requester) == "active"
    assert not Notice.objects.exists()


def test_mc_improper_an_approver_without_a_delegation_cannot_rule(api, people, order_id):
    refused_for(rule_improper(api, order_id, people.undelegated), "MC-IMPROPER")
    assert status_of(api, order_id, people.requester) == "active"
    assert not Notice.objects.exists()


def test_mc_improper_an_improper_order_cannot_be_extended(api, people, order_id, extension):
    rule_improper(api, order_id, people.approver)

    refused_for(extend(api, order_id, extension(), people.requester), "MC-EXTENSION")


def test_mc_not_self_nobody_rules_improper_a_cover_they_filed(api, people, filed, both_roles):
    request_id = filed(by=both_roles)
    order_id = api.post(f"/cover-requests/{request_id}/approve", {}, people.approver).json()["id"]

    refused_for(rule_improper(api, order_id, both_roles), "MC-NOT-SELF")


@pytest.mark.parametrize(
    "persona", ["requester", "outsider", "inspector", "oversight", "operator", "admin"]
)
def test_only_an_approver_or_the_chief_rules_an_order_improper(api, people, order_id, persona):
    assert rule_improper(api, order_id, getattr(people, persona)).status_code == 403
    assert not Notice.objects.exists()


def test_an_anonymous_caller_cannot_rule_an_order_improper(api, order_id):
    assert rule_improper(api, order_id, None).status_code == 401


# --- periodic reviews (MC-REVIEW) -------------------------------------------------------


def review(api: Any, order_id: int, user: Any, note: str = REVIEW_NOTE) -> Any:
    return api.post(f"/cover-orders/{order_id}/reviews", {"note": note}, user)


def test_mc_review_a_headquarters_designee_reviews_an_order_and_its_next_review_moves(
    api, people, history
):
    order = history.order(history.ago(10))
    before = api.get(f"/cover-orders/{order.pk}", people.hq).json()

    response = review(api, order.pk, people.hq)

    assert response.status_code == 201, response.json()
    after = response.json()
    assert after["id"] == order.pk
    moved = parse_time(after["review_due_at"]) - parse_time(before["review_due_at"])
    assert timedelta(days=9) < moved < timedelta(days=11)
    assert Review.objects.get(order=order).reviewer == people.hq


def test_mc_review_the_chief_reviews_an_order(api, people, order_id):
    assert review(api, order_id, people.chief).status_code == 201


@pytest.mark.parametrize("persona", ["approver", "iic", "undelegated"])
def test_mc_review_only_the_chief_or_a_headquarters_designee_reviews(
    api, people, order_id, persona
):
    refused_for(review(api, order_id, getattr(people, persona)), "MC-REVIEW")
    assert not Review.objects.exists()


def test_mc_review_a_review_records_what_was_reviewed(api, people, order_id):
    refused_for(review(api, order_id, people.hq, "  "), "MC-REVIEW", "note")
    assert not Review.objects.exists()


def test_mc_review_a_national_security_order_is_reviewed_at_headquarters_only(
    api, people, approved, head_approval
):
    order = approved(
        people.hq, grounds="national_security", days=60, agency_head_approval=head_approval()
    )

    refused_for(review(api, order["id"], people.approver), "MC-REVIEW")
    assert review(api, order["id"], people.chief).status_code == 201


def test_mc_not_self_nobody_reviews_a_cover_they_filed(api, people, filed, hq_requester):
    request_id = filed(by=hq_requester)
    order_id = api.post(f"/cover-requests/{request_id}/approve", {}, people.approver).json()["id"]

    refused_for(review(api, order_id, hq_requester), "MC-NOT-SELF")
    assert review(api, order_id, people.hq).status_code == 201


@pytest.mark.parametrize("persona", ["requester", "outsider", "oversight", "operator", "admin"])
def test_only_an_approver_or_the_chief_reviews_an_order(api, people, order_id, persona):
    assert review(api, order_id, getattr(people, persona)).status_code == 403
    assert not Review.objects.exists()


def test_an_anonymous_caller_cannot_review_an_order(api, order_id):
    assert review(api, order_id, None).status_code == 401


def test_a_review_of_an_order_that_does_not_exist_is_404(api, people):
    assert review(api, 424242, people.approver).status_code == 404
