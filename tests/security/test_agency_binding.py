"""Roles are held only at the agencies that may hold them (SEC-ROLE-AGENCY): the FBI
inspector, oversight at the FBI, a requester at an agency nobody verified."""

from __future__ import annotations

import shlex
from typing import Any

import pytest
from django.utils import timezone
from tests.conftest import signed_in

from mailcover.accounts import grants
from mailcover.accounts.models import Agency, User
from mailcover.cli import main
from mailcover.law.errors import RuleBroken
from mailcover.law.grants import ChangeKind
from mailcover.law.roles import Action, may, sees_every_records_request
from mailcover.law.terms import Policy, Role

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILCOVER_PASSWORD", "a long enough passphrase 2026")


def user_add(capsys: Any, command_line: str) -> tuple[int, str]:
    code = main(["user", "add", *shlex.split(command_line)])
    return code, capsys.readouterr().err


def propose_role(people: Any, account: User, role: Role) -> Any:
    return grants.propose(
        people.admin,
        grants.Proposal(ChangeKind.GRANT_ROLE, account=account, role=role),
        timezone.now(),
        Policy(),
    )


def fbi_agent() -> User:
    fbi, _ = Agency.objects.get_or_create(
        name="Federal Bureau of Investigation", defaults={"level": "federal"}
    )
    return User.objects.create(username="fbi-agent", agency=fbi, email="agent@fbi.example")


@pytest.mark.parametrize("role", ["inspector", "approver", "chief", "operator", "admin"])
def test_sec_role_agency_the_shell_makes_no_postal_role_at_the_fbi(
    password: None, capsys: Any, role: str
) -> None:
    code, said = user_add(capsys, f"agent --agency FBI --agency-level federal --role {role}")

    assert code == 2
    assert "SEC-ROLE-AGENCY" in said
    assert "postal inspection service" in said
    assert not User.objects.filter(username="agent").exists()


def test_sec_role_agency_the_fbi_inspector_is_refused_when_proposed(people: Any) -> None:
    with pytest.raises(RuleBroken) as refused:
        propose_role(people, fbi_agent(), Role.INSPECTOR)

    assert refused.value.rule == "SEC-ROLE-AGENCY"


def test_sec_role_agency_an_fbi_inspector_stored_by_hand_sees_nothing(people: Any) -> None:
    """However a role came to be stored where it may not be, it gives no power."""
    agent = fbi_agent()
    agent.roles = ["inspector", "approver", "oversight"]
    agent.save()

    assert agent.role_set == frozenset()
    assert not sees_every_records_request(agent.role_set)
    assert not may(agent.role_set, Action.VIEW_CASES)
    assert signed_in(agent).get("/records").status_code == 403


def test_sec_role_agency_no_oversight_at_the_fbi(people: Any, password: None, capsys: Any) -> None:
    code, said = user_add(capsys, "auditor --agency FBI --agency-level federal --role oversight")

    assert code == 2
    assert "oversight body" in said
    with pytest.raises(RuleBroken) as refused:
        propose_role(people, fbi_agent(), Role.OVERSIGHT)
    assert refused.value.rule == "SEC-ROLE-AGENCY"


def test_sec_role_agency_no_requester_at_an_unverified_agency(
    people: Any, password: None, capsys: Any
) -> None:
    code, said = user_add(
        capsys, "officer --agency 'Gotham PD' --agency-level local --role requester"
    )

    assert code == 2
    assert "verified" in said
    assert "SEC-ROLE-AGENCY" in said
    gotham = Agency.objects.create(name="Gotham Police Department", level="local")
    officer = User.objects.create(username="gordon", agency=gotham)
    with pytest.raises(RuleBroken) as refused:
        propose_role(people, officer, Role.REQUESTER)
    assert refused.value.rule == "SEC-ROLE-AGENCY"
    # Verified by the chief on an admin's proposal, the agency may hold requesters.
    verification = grants.propose(
        people.admin,
        grants.Proposal(ChangeKind.VERIFY_AGENCY, agency=gotham, reference="LE-GOTHAM-1"),
        timezone.now(),
        Policy(),
    )
    grants.confirm(people.chief, verification.pk, timezone.now(), Policy())
    grants.confirm(
        people.chief, propose_role(people, officer, Role.REQUESTER).pk, timezone.now(), Policy()
    )

    officer.refresh_from_db()
    assert officer.role_set == {Role.REQUESTER}


def test_sec_role_agency_an_agencys_level_is_fixed_in_the_admin(people: Any) -> None:
    fbi = fbi_agent().agency
    assert fbi is not None

    signed_in(people.admin).post(
        f"/admin/accounts/agency/{fbi.pk}/change/",
        {"name": fbi.name, "level": "postal", "address": "935 PENNSYLVANIA AVE NW"},
    )

    fbi.refresh_from_db()
    assert fbi.level == "federal"
    assert fbi.verified_at is None


def test_sec_role_agency_a_person_with_roles_keeps_their_agency_in_the_admin(
    people: Any,
) -> None:
    fbi = fbi_agent().agency
    inspector = people.inspector

    signed_in(people.admin).post(
        f"/admin/accounts/user/{inspector.pk}/change/",
        {"username": inspector.username, "agency": fbi.pk if fbi else "", "is_active": "on"},
    )

    inspector.refresh_from_db()
    assert inspector.agency is not None
    assert inspector.agency.level == "postal"
