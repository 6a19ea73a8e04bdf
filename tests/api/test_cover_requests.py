"""POST /api/v1/cover-requests, GET /api/v1/cover-requests and GET .../{id}: filing a
request, the rules a request must meet (each refusal names its rule and field), and who
may see it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from mailcover.covers.models import CoverRequest

Json = dict[str, Any]
DESIGN_REQUEST_KEYS = {"id", "case_number", "kind", "status", "order", "request", "decision"}


def refusal(response: Any, status: int = 422) -> Json:
    assert response.status_code == status, response.content
    body: Json = response.json()
    return body


def fields_of(body: Json, rule: str) -> set[str | None]:
    return {e["field"] for e in body.get("errors", []) if e.get("rule", rule) == rule}


# --- filing: the happy path ---------------------------------------------------


def test_a_requester_files_a_request_and_gets_201_with_its_id_and_status(api, people, make_body):
    response = api.post("/cover-requests", make_body(), people.requester)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "case_number", "status"}
    assert body["status"] == "pending"
    assert re.fullmatch(r"MC-\d{4}-\d{6}", body["case_number"])
    assert CoverRequest.objects.filter(pk=body["id"], requester=people.requester).exists()


def test_mc_unique_every_request_gets_its_own_case_number(api, people, make_body):
    first = api.post("/cover-requests", make_body(), people.requester).json()
    second = api.post("/cover-requests", make_body(days=20), people.requester).json()

    assert first["case_number"] != second["case_number"]
    assert first["id"] != second["id"]


def test_the_requester_reads_back_the_request_exactly_as_filed(api, people, make_body):
    request_id = api.post("/cover-requests", make_body(), people.requester).json()["id"]

    response = api.get(f"/cover-requests/{request_id}", people.requester)

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= DESIGN_REQUEST_KEYS
    assert body["id"] == request_id
    assert body["kind"] == "initial"
    assert body["status"] == "pending"
    assert body["requester"] == "requester"
    assert body["agency"] == "Springfield Police Department"
    assert body["order"] is None
    assert body["decision"] is None
    assert body["extends"] is None
    assert body["request"]["subject_name"] == "JOHN Q PUBLIC"
    assert body["request"]["aliases"] == ["JACK PUBLIC"]
    assert body["request"]["grounds"] == "crime"
    assert body["request"]["days"] == 30
    assert body["request"]["attorneys"] == [
        {"name": "JANE ROE ESQ", "address": "1 COURT SQ, SPRINGFIELD IL 62701"}
    ]


def test_mc_period_a_fugitive_cover_may_be_asked_for_60_days(api, people, make_body):
    body = make_body(grounds="fugitive", statute="", max_penalty_years=None, days=60)

    response = api.post("/cover-requests", body, people.requester)

    assert response.status_code == 201, response.json()


def test_mc_purpose_a_postal_inspector_may_rest_a_cover_on_a_postal_statute(api, people, make_body):
    body = make_body(grounds="postal_statute", statute="39 U.S.C. 3005", max_penalty_years=None)

    response = api.post("/cover-requests", body, people.inspector)

    assert response.status_code == 201, response.json()


def test_mc_all_names_a_delivery_point_scope_with_its_justification_is_accepted(
    api, people, make_body
):
    body = make_body(
        scope="delivery_point",
        scope_justification="The subject receives mail under several unknown names here.",
    )

    assert api.post("/cover-requests", body, people.requester).status_code == 201


def test_mc_natsec_head_a_national_security_request_with_its_head_approval_is_accepted(
    api, people, make_body, head_approval
):
    body = make_body(
        grounds="national_security",
        statute="",
        max_penalty_years=None,
        days=60,
        agency_head_approval=head_approval(),
    )

    assert api.post("/cover-requests", body, people.requester).status_code == 201


# --- filing: who may not ------------------------------------------------------


def test_an_anonymous_caller_cannot_file_a_request(api, make_body, db):
    response = api.post("/cover-requests", make_body(), None)

    assert refusal(response, 401)["detail"].startswith("sign in")
    assert not CoverRequest.objects.exists()


@pytest.mark.parametrize("persona", ["approver", "chief", "oversight", "operator", "admin"])
def test_only_a_requesting_role_may_file_a_request(api, people, make_body, persona):
    response = api.post("/cover-requests", make_body(), getattr(people, persona))

    assert "do not allow file request" in refusal(response, 403)["detail"]
    assert not CoverRequest.objects.exists()


def test_mc_nondisclosure_a_requester_without_an_acknowledgment_cannot_file(api, people, make_body):
    body = refusal(api.post("/cover-requests", make_body(), people.no_nda))

    assert body["rule"] == "MC-NONDISCLOSURE"
    assert not CoverRequest.objects.exists()


# --- filing: bad input, one rule at a time ---------------------------------------


@pytest.mark.parametrize(
    ("changes", "rule", "field"),
    [
        pytest.param({"grounds": "tax_evasion"}, "MC-PURPOSE", "grounds", id="unknown-grounds"),
        pytest.param(
            {"grounds": "postal_statute", "statute": "39 U.S.C. 3005"},
            "MC-PURPOSE",
            "grounds",
            id="postal-statute-from-a-police-department",
        ),
        pytest.param({"days": 31}, "MC-PERIOD", "days", id="31-days-for-a-crime"),
        pytest.param({"days": 0}, "MC-PERIOD", "days", id="0-days"),
        pytest.param({"days": -5}, "MC-PERIOD", "days", id="negative-days"),
        pytest.param(
            {"grounds": "fugitive", "days": 61}, "MC-PERIOD", "days", id="61-days-for-a-fugitive"
        ),
        pytest.param(
            {"max_penalty_years": 1},
            "MC-CRIME-FELONY",
            "max_penalty_years",
            id="a-crime-punishable-by-one-year",
        ),
        pytest.param(
            {"max_penalty_years": None},
            "MC-CRIME-FELONY",
            "max_penalty_years",
            id="a-crime-without-its-maximum-term",
        ),
        pytest.param({"statute": ""}, "MC-CRIME-FELONY", "statute", id="a-crime-without-statute"),
        pytest.param({"facts": ""}, "MC-WRITTEN", "facts", id="empty-facts"),
        pytest.param({"facts": "fraud"}, "MC-WRITTEN", "facts", id="a-word-for-facts"),
        pytest.param(
            {"scope": "delivery_point"},
            "MC-ALL-NAMES",
            "scope_justification",
            id="delivery-point-without-justification",
        ),
        pytest.param({"scope": "everything"}, "MC-ALL-NAMES", "scope", id="unknown-scope"),
        pytest.param(
            {"emergency": True}, "MC-EMERGENCY", "emergency_reason", id="emergency-without-reason"
        ),
        pytest.param(
            {"emergency": True, "emergency_reason": "   "},
            "MC-EMERGENCY",
            "emergency_reason",
            id="emergency-with-a-blank-reason",
        ),
        pytest.param(
            {"grounds": "national_security", "days": 60},
            "MC-NATSEC-HEAD",
            "agency_head_approval",
            id="national-security-without-agency-head-approval",
        ),
        pytest.param(
            {"grounds": "forfeiture"},
            "MC-CRIME-FELONY",
            "forfeiture_authority",
            id="forfeiture-without-its-authority",
        ),
        pytest.param(
            {"attorneys": [{"name": " ", "address": "1 COURT SQ"}]},
            "MC-ATTORNEY",
            "attorneys[0].name",
            id="an-attorney-without-a-name",
        ),
    ],
)
def test_a_request_breaking_a_rule_is_422_naming_the_rule_and_the_field(
    api, people, make_body, changes, rule, field
):
    body = refusal(api.post("/cover-requests", make_body(**changes), people.requester))

    assert body["rule"] == rule
    assert field in fields_of(body, rule)
    assert body["detail"]
    assert not CoverRequest.objects.exists()


def test_mc_purpose_unknown_grounds_are_refused_with_the_grounds_allowed(api, people, make_body):
    body = refusal(api.post("/cover-requests", make_body(grounds="tax_evasion"), people.requester))

    assert body["rule"] == "MC-PURPOSE"
    assert body["errors"][0] == {
        "rule": "MC-PURPOSE",
        "field": "grounds",
        "message": body["errors"][0]["message"],
    }
    assert "national_security, fugitive, crime, postal_statute, forfeiture" in body["detail"]


def test_mc_natsec_head_an_approval_dated_in_the_future_is_refused(
    api, people, make_body, head_approval, today
):
    future = head_approval(date=today.replace(year=today.year + 1).isoformat())
    body = make_body(grounds="national_security", days=60, agency_head_approval=future)

    refused = refusal(api.post("/cover-requests", body, people.requester))

    assert refused["rule"] == "MC-NATSEC-HEAD"
    assert "agency_head_approval.date" in fields_of(refused, "MC-NATSEC-HEAD")


def test_every_broken_rule_is_reported_at_once(api, people, make_body):
    body = make_body(grounds="crime", days=31, facts="", scope="delivery_point")

    refused = refusal(api.post("/cover-requests", body, people.requester))

    rules = {e["rule"] for e in refused["errors"]}
    assert {"MC-PERIOD", "MC-WRITTEN", "MC-ALL-NAMES"} <= rules


# --- filing: the same request twice ------------------------------------------------


def test_a_double_submit_of_the_same_request_is_409_and_files_it_once(api, people, make_body):
    first = api.post("/cover-requests", make_body(), people.requester)
    second = api.post("/cover-requests", make_body(), people.requester)

    assert first.status_code == 201
    assert second.status_code == 409
    assert first.json()["case_number"] in second.json()["detail"]
    assert CoverRequest.objects.count() == 1


def test_a_request_differing_in_one_field_is_not_a_double_submit(api, people, make_body):
    api.post("/cover-requests", make_body(), people.requester)

    response = api.post("/cover-requests", make_body(days=29), people.requester)

    assert response.status_code == 201
    assert CoverRequest.objects.count() == 2


# --- filing: malformed input ----------------------------------------------------


def test_a_body_that_is_not_json_is_400_with_a_detail(api, people, bearer):
    response = api.client.post(
        "/api/v1/cover-requests",
        data="{not json",
        content_type="application/json",
        headers=bearer(people.requester),
    )

    assert response.status_code == 400
    assert response.json()["detail"]
    assert not CoverRequest.objects.exists()


@pytest.mark.parametrize("days", ["thirty", "30", True, 30.5, None])
def test_a_wrongly_typed_days_is_422_naming_the_field(api, people, make_body, days):
    body = refusal(api.post("/cover-requests", make_body(days=days), people.requester))

    assert [e["field"] for e in body["errors"]] == ["days"]
    assert body["detail"].startswith("days:")
    assert "rule" not in body
    assert not CoverRequest.objects.exists()


def test_a_wrongly_typed_nested_field_is_422_naming_its_path(api, people, make_body):
    subject = {"name": 42, "aliases": [], "address": "123 MAIN ST, SPRINGFIELD IL 62704"}

    body = refusal(api.post("/cover-requests", make_body(subject=subject), people.requester))

    assert [e["field"] for e in body["errors"]] == ["subject.name"]


def test_a_missing_required_field_is_422_naming_it(api, people, make_body):
    request = make_body()
    del request["grounds"]

    body = refusal(api.post("/cover-requests", request, people.requester))

    assert body["errors"] == [{"field": "grounds", "message": "Field required"}]


def test_a_json_array_instead_of_a_request_is_422_naming_the_missing_fields(api, people):
    body = refusal(api.post("/cover-requests", [1, 2], people.requester))

    assert {"subject", "grounds", "scope", "days"} <= {e["field"] for e in body["errors"]}


def test_a_request_id_that_is_not_a_number_is_422_naming_it(api, people):
    body = refusal(api.get("/cover-requests/first", people.approver))

    assert [e["field"] for e in body["errors"]] == ["request_id"]


# --- reading one request: who may and who may not ------------------------------------


@pytest.mark.parametrize("persona", ["requester", "colleague", "approver", "chief", "oversight"])
def test_the_agency_approvers_and_oversight_may_read_a_request(
    api, people, filed: Callable[..., int], persona
):
    request_id = filed()

    response = api.get(f"/cover-requests/{request_id}", getattr(people, persona))

    assert response.status_code == 200
    assert response.json()["id"] == request_id


def test_another_agency_is_told_the_request_does_not_exist(api, people, filed):
    request_id = filed()

    hidden = api.get(f"/cover-requests/{request_id}", people.outsider)
    missing = api.get("/cover-requests/999999", people.outsider)

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == {"detail": f"no cover request {request_id}"}


@pytest.mark.parametrize("persona", ["operator", "admin"])
def test_operator_and_admin_read_no_case_data(api, people, filed, persona):
    request_id = filed()

    response = api.get(f"/cover-requests/{request_id}", getattr(people, persona))

    assert response.status_code == 403
    assert "do not allow view cases" in response.json()["detail"]


def test_an_anonymous_caller_cannot_read_a_request(api, filed):
    assert api.get(f"/cover-requests/{filed()}", None).status_code == 401


def test_a_request_that_does_not_exist_is_404(api, people):
    assert refusal(api.get("/cover-requests/424242", people.approver), 404) == {
        "detail": "no cover request 424242"
    }


def test_an_approved_request_is_read_with_its_decision_and_order(api, people, filed):
    request_id = filed()
    order = api.post(f"/cover-requests/{request_id}/approve", {}, people.approver).json()

    body = api.get(f"/cover-requests/{request_id}", people.requester).json()

    assert body["status"] == "approved"
    assert body["decision"]["outcome"] == "approved"
    assert body["decision"]["days"] == 30
    assert body["order"]["id"] == order["id"]
    assert body["order"]["status"] == "active"


# --- listing requests ------------------------------------------------------------


def test_a_requester_lists_only_their_agencys_requests(api, people, filed):
    own = filed()
    colleagues = filed(by=people.colleague, days=20)
    filed(by=people.outsider)

    listed = api.get("/cover-requests", people.requester)

    assert listed.status_code == 200
    assert {r["id"] for r in listed.json()} == {own, colleagues}


def test_another_agency_lists_none_of_springfields_requests(api, people, filed):
    filed()

    assert api.get("/cover-requests", people.outsider).json() == []


@pytest.mark.parametrize("persona", ["approver", "oversight"])
def test_approvers_and_oversight_list_every_agencys_requests(api, people, filed, persona):
    ids = {filed(), filed(by=people.outsider)}

    listed = api.get("/cover-requests", getattr(people, persona)).json()

    assert {r["id"] for r in listed} == ids


def test_the_list_filters_by_status_newest_first(api, people, filed):
    first, second, third = filed(), filed(days=20), filed(days=10)
    api.post(f"/cover-requests/{first}/approve", {}, people.approver)
    api.post(f"/cover-requests/{second}/deny", {"reason": "Not enough facts."}, people.approver)

    def ids(query: str) -> list[int]:
        return [r["id"] for r in api.get(f"/cover-requests{query}", people.approver).json()]

    assert ids("") == [third, second, first]
    assert ids("?status=pending") == [third]
    assert ids("?status=approved") == [first]
    assert ids("?status=denied") == [second]


@pytest.mark.parametrize("persona", ["operator", "admin"])
def test_operator_and_admin_cannot_list_requests(api, people, persona):
    assert api.get("/cover-requests", getattr(people, persona)).status_code == 403


def test_an_anonymous_caller_cannot_list_requests(api, db):
    assert api.get("/cover-requests", None).status_code == 401


# --- SVC-MATCHABLE: a subject the matcher can use ----------------------------------


@pytest.mark.parametrize(
    ("subject", "field"),
    [
        pytest.param(
            {"address": "the blue house behind the old mill, Springfield"},
            "subject.address",
            id="no-zip",
        ),
        pytest.param(
            {"address": "MAIN ST, SPRINGFIELD IL 62704"}, "subject.address", id="no-number"
        ),
        pytest.param({"name": "THE PUBLIC FAMILY"}, "subject.name", id="no-given-name"),
        pytest.param({"aliases": ["JACK PUBLIC", "J JR."]}, "subject.aliases[1]", id="alias"),
    ],
)
def test_svc_matchable_an_unmatchable_subject_is_refused_with_422_naming_the_field(
    api, people, make_body, subject, field
):
    body = make_body()
    body["subject"] = {**body["subject"], **subject}

    answer = refusal(api.post("/cover-requests", body, people.requester))

    assert answer["rule"] == "SVC-MATCHABLE"
    assert fields_of(answer, "SVC-MATCHABLE") == {field}
    assert not CoverRequest.objects.exists()


def test_svc_matchable_an_emergency_request_is_held_to_it_too(api, people, make_body):
    body = make_body(emergency=True, emergency_reason="Evidence is about to be lost.")
    body["subject"] = {**body["subject"], "address": "123 MAIN ST, SPRINGFIELD IL"}

    answer = refusal(api.post("/cover-requests", body, people.requester))

    assert fields_of(answer, "SVC-MATCHABLE") == {"subject.address"}
    assert "no ZIP Code" in answer["detail"]
