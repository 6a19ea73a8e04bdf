"""POST /api/v1/cover-requests/{id}/approve and .../deny: who may decide what (MC-AUTHORITY,
MC-NOT-SELF, MC-NONDISCLOSURE), what an approval grants (MC-PERIOD), and that a decision is
made once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mailcover.accounts.provisioning import NewUser, add_user
from mailcover.covers.models import CoverOrder, Decision
from mailcover.law.terms import Policy

ORDER_KEYS = {"id", "case_number", "request", "status", "starts_at", "ends_at", "grounds", "scope"}


EMERGENCY_REASON = "The subject is moving the proceeds this week; evidence will be lost."


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def approve(api: Any, request_id: int, user: Any, body: Any = None) -> Any:
    return api.post(f"/cover-requests/{request_id}/approve", body or {}, user)


def deny(
    api: Any, request_id: int, user: Any, reason: str = "The facts do not show a felony."
) -> Any:
    return api.post(f"/cover-requests/{request_id}/deny", {"reason": reason}, user)


def refused_for(response: Any, rule: str) -> None:
    assert response.status_code == 422, response.content
    assert response.json()["rule"] == rule


def nothing_decided() -> bool:
    return not Decision.objects.exists() and not CoverOrder.objects.exists()


# --- approving: the happy path ------------------------------------------------------


def test_an_approver_approves_and_gets_the_order_running_for_the_days_asked(api, people, filed):
    request_id = filed()

    response = approve(api, request_id, people.approver)

    assert response.status_code == 200
    order = response.json()
    assert set(order) >= ORDER_KEYS
    assert order["status"] == "active"
    assert order["request"] == request_id
    assert order["grounds"] == "crime"
    assert order["scope"] == "addressee"
    assert order["emergency"] is False
    assert parse_time(order["ends_at"]) - parse_time(order["starts_at"]) == timedelta(days=30)
    assert order["periods"] == [
        {
            "starts_at": order["starts_at"],
            "ends_at": order["ends_at"],
            "case_number": order["case_number"],
        }
    ]
    assert CoverOrder.objects.filter(pk=order["id"], request_id=request_id).exists()


def test_the_order_keeps_the_case_number_of_its_request(api, people, filed):
    request_id = filed()
    case_number = api.get(f"/cover-requests/{request_id}", people.requester).json()["case_number"]

    assert approve(api, request_id, people.approver).json()["case_number"] == case_number


def test_mc_period_an_approver_may_grant_fewer_days_than_asked(api, people, filed):
    request_id = filed()

    order = approve(api, request_id, people.approver, {"days": 10}).json()

    assert parse_time(order["ends_at"]) - parse_time(order["starts_at"]) == timedelta(days=10)
    decision = api.get(f"/cover-requests/{request_id}", people.approver).json()["decision"]
    assert decision["days"] == 10


@pytest.mark.parametrize("days", [0, 31])
def test_mc_period_an_approval_cannot_grant_more_than_asked_or_nothing(api, people, filed, days):
    response = approve(api, filed(), people.approver, {"days": days})

    refused_for(response, "MC-PERIOD")
    assert response.json()["errors"][0]["field"] == "days"
    assert nothing_decided()


def test_an_approval_needs_no_body(api, people, filed, bearer):
    path = f"/api/v1/cover-requests/{filed()}/approve"

    response = api.client.generic("POST", path, b"", headers=bearer(people.approver))

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"


@pytest.mark.parametrize("days", ["ten", True])
def test_an_approval_with_wrongly_typed_days_is_422_naming_the_field(api, people, filed, days):
    response = approve(api, filed(), people.approver, {"days": days})

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["days"]


# --- approving: who may not ---------------------------------------------------------


def test_an_anonymous_caller_cannot_approve(api, filed):
    assert approve(api, filed(), None).status_code == 401
    assert nothing_decided()


@pytest.mark.parametrize(
    "persona", ["requester", "colleague", "outsider", "inspector", "oversight", "operator", "admin"]
)
def test_only_an_approver_or_the_chief_may_approve(api, people, filed, persona):
    response = approve(api, filed(), getattr(people, persona))

    assert response.status_code == 403
    assert "do not allow decide request" in response.json()["detail"]
    assert nothing_decided()


def test_mc_not_self_an_approver_who_filed_the_request_cannot_approve_it(
    api, people, filed, both_roles
):
    request_id = filed(by=both_roles)

    response = approve(api, request_id, both_roles)

    refused_for(response, "MC-NOT-SELF")
    assert nothing_decided()
    assert approve(api, request_id, people.approver).status_code == 200


def test_mc_authority_an_approver_without_a_written_delegation_cannot_approve(api, people, filed):
    response = approve(api, filed(), people.undelegated)

    refused_for(response, "MC-AUTHORITY")
    assert "delegation" in response.json()["detail"]
    assert nothing_decided()


def test_mc_nondisclosure_an_approver_without_an_acknowledgment_cannot_approve(api, people, filed):
    unsigned = add_user(
        NewUser(
            username="unsigned-approver",
            agency="U.S. Postal Inspection Service",
            roles=["approver"],
            password="correct horse battery staple",
            delegation="DEL-OSG-9",
            delegation_scope="osg_designee",
            delegation_group="Western OSG",
        ),
        datetime(2020, 1, 1, tzinfo=UTC),
        Policy(),
    )

    refused_for(approve(api, filed(), unsigned), "MC-NONDISCLOSURE")
    assert nothing_decided()


def test_an_approval_of_a_request_that_does_not_exist_is_404(api, people):
    assert approve(api, 424242, people.approver).status_code == 404


# --- approving: national security and emergencies (MC-AUTHORITY) -----------------------


@pytest.fixture
def national_security(filed, head_approval) -> int:
    return filed(grounds="national_security", days=60, agency_head_approval=head_approval())


def test_mc_authority_the_osg_approver_cannot_order_a_national_security_cover(
    api, people, national_security
):
    response = approve(api, national_security, people.approver)

    refused_for(response, "MC-AUTHORITY")
    assert "national-security" in response.json()["detail"]
    assert nothing_decided()


@pytest.mark.parametrize("persona", ["hq", "chief"])
def test_mc_authority_a_national_security_cover_is_ordered_by_headquarters_or_the_chief(
    api, people, national_security, persona
):
    response = approve(api, national_security, getattr(people, persona))

    assert response.status_code == 200, response.json()
    order = response.json()
    assert order["grounds"] == "national_security"
    assert parse_time(order["ends_at"]) - parse_time(order["starts_at"]) == timedelta(days=60)


def test_mc_authority_an_inspector_in_charge_may_order_an_emergency_cover(api, people, filed):
    request_id = filed(emergency=True, emergency_reason=EMERGENCY_REASON)

    response = approve(api, request_id, people.iic)

    assert response.status_code == 200, response.json()
    order = response.json()
    assert order["emergency"] is True
    assert parse_time(order["confirmation_due_at"]) > parse_time(order["starts_at"])


def test_mc_authority_an_inspector_in_charge_cannot_order_a_cover_that_is_no_emergency(
    api, people, filed
):
    response = approve(api, filed(), people.iic)

    refused_for(response, "MC-AUTHORITY")
    assert nothing_decided()


# --- a decision is made once ------------------------------------------------------------


def test_approving_an_approved_request_again_is_409(api, people, filed):
    request_id = filed()
    approve(api, request_id, people.approver)

    response = approve(api, request_id, people.hq)

    assert response.status_code == 409
    assert "already approved" in response.json()["detail"]
    assert CoverOrder.objects.count() == 1


def test_approving_a_denied_request_is_409(api, people, filed):
    request_id = filed()
    deny(api, request_id, people.approver)

    response = approve(api, request_id, people.approver)

    assert response.status_code == 409
    assert "already denied" in response.json()["detail"]
    assert not CoverOrder.objects.exists()


def test_denying_an_approved_request_is_409(api, people, filed):
    request_id = filed()
    approve(api, request_id, people.approver)

    assert deny(api, request_id, people.hq).status_code == 409
    assert Decision.objects.get().outcome == "approved"


# --- denying ---------------------------------------------------------------------------


def test_an_approver_denies_with_a_reason_and_gets_the_request_back(api, people, filed):
    request_id = filed()

    response = deny(api, request_id, people.approver, "The facts do not show a felony.")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == request_id
    assert body["status"] == "denied"
    assert body["order"] is None
    assert body["decision"]["outcome"] == "denied"
    assert body["decision"]["reason"] == "The facts do not show a felony."
    assert body["decision"]["days"] is None
    assert not CoverOrder.objects.exists()


def test_mc_written_a_denial_states_its_reason(api, people, filed):
    response = deny(api, filed(), people.approver, "   ")

    refused_for(response, "MC-WRITTEN")
    assert response.json()["errors"][0]["field"] == "reason"
    assert nothing_decided()


def test_a_denial_without_a_reason_field_is_422_naming_it(api, people, filed):
    response = api.post(f"/cover-requests/{filed()}/deny", {}, people.approver)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]


def test_an_anonymous_caller_cannot_deny(api, filed):
    assert deny(api, filed(), None).status_code == 401


@pytest.mark.parametrize("persona", ["requester", "outsider", "oversight", "operator", "admin"])
def test_only_an_approver_or_the_chief_may_deny(api, people, filed, persona):
    assert deny(api, filed(), getattr(people, persona)).status_code == 403
    assert nothing_decided()


def test_mc_not_self_an_approver_who_filed_the_request_cannot_deny_it(
    api, people, filed, both_roles
):
    refused_for(deny(api, filed(by=both_roles), both_roles), "MC-NOT-SELF")
    assert nothing_decided()


def test_denying_twice_is_409(api, people, filed):
    request_id = filed()
    deny(api, request_id, people.approver)

    assert deny(api, request_id, people.chief).status_code == 409
    assert Decision.objects.count() == 1
