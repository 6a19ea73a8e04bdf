"""Power over cases takes two people (law/grants.py), and roles are held only where they
may be (law/roles.py, SEC-ROLE-AGENCY)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mailcover.law import grants
from mailcover.law.authority import Delegation
from mailcover.law.grants import Account, Change, ChangeKind, Person
from mailcover.law.roles import check_role_agency, roles_in_force
from mailcover.law.terms import AgencyLevel, DelegationScope, Policy, Role

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
ADMIN = Person(1, frozenset({Role.ADMIN}))
CHIEF = Person(2, frozenset({Role.CHIEF}))
HEAD = Person(3, frozenset({Role.OVERSIGHT, Role.OVERSIGHT_HEAD}))
OTHER_HEAD = Person(4, frozenset({Role.OVERSIGHT, Role.OVERSIGHT_HEAD}))
REQUESTER = Person(5, frozenset({Role.REQUESTER}))
TARGET = 9


def grant(role: Role, account_id: int = TARGET) -> Change:
    return Change(ChangeKind.GRANT_ROLE, account_id, role)


def postal(*roles: Role, active: bool = True) -> Account:
    return Account(TARGET, active, frozenset(roles), AgencyLevel.POSTAL, False)


@pytest.mark.parametrize(
    "role",
    [Role.REQUESTER, Role.INSPECTOR, Role.APPROVER, Role.CHIEF, Role.OPERATOR, Role.ADMIN],
    ids=str,
)
def test_sec_two_person_the_chief_confirms_postal_and_requesting_roles(role: Role) -> None:
    assert grants.confirming_role(grant(role)) is Role.CHIEF
    assert grants.check_confirmer(CHIEF, ADMIN.user_id, grant(role)) == []
    assert grants.check_confirmer(HEAD, ADMIN.user_id, grant(role))[0].rule == "SEC-TWO-PERSON"


@pytest.mark.parametrize("role", [Role.OVERSIGHT, Role.OVERSIGHT_HEAD], ids=str)
def test_sec_two_person_the_head_of_oversight_confirms_oversight_roles(role: Role) -> None:
    assert grants.confirming_role(grant(role)) is Role.OVERSIGHT_HEAD
    assert grants.check_confirmer(HEAD, ADMIN.user_id, grant(role)) == []
    refused = grants.check_confirmer(CHIEF, ADMIN.user_id, grant(role))
    assert [v.rule for v in refused] == ["SEC-TWO-PERSON"]
    assert "head of oversight" in refused[0].message


def test_sec_two_person_the_chief_confirms_delegations_and_verifications() -> None:
    for kind in (
        ChangeKind.RECORD_DELEGATION,
        ChangeKind.REVOKE_DELEGATION,
        ChangeKind.RECORD_ACKNOWLEDGMENT,
    ):
        assert grants.confirming_role(Change(kind, TARGET)) is Role.CHIEF
    assert grants.confirming_role(Change(ChangeKind.VERIFY_AGENCY, None)) is Role.CHIEF


def test_sec_two_person_an_oversight_persons_acknowledgment_is_confirmed_by_oversight() -> None:
    change = Change(ChangeKind.RECORD_ACKNOWLEDGMENT, TARGET, at_oversight_body=True)
    assert grants.confirming_role(change) is Role.OVERSIGHT_HEAD


def test_sec_two_person_an_admin_proposes_but_never_confirms() -> None:
    assert grants.check_proposer(ADMIN, grant(Role.OVERSIGHT)) == []
    assert grants.check_confirmer(ADMIN, CHIEF.user_id, grant(Role.OVERSIGHT))


def test_sec_two_person_a_requester_neither_proposes_nor_confirms() -> None:
    assert grants.check_proposer(REQUESTER, grant(Role.APPROVER))[0].rule == "SEC-TWO-PERSON"
    assert grants.check_confirmer(REQUESTER, ADMIN.user_id, grant(Role.APPROVER))


def test_sec_two_person_the_confirmer_proposes_too_but_never_confirms_their_own() -> None:
    assert grants.check_proposer(CHIEF, grant(Role.APPROVER)) == []
    refused = grants.check_confirmer(CHIEF, CHIEF.user_id, grant(Role.APPROVER))
    assert [v.message for v in refused] == [
        "you proposed this change; a second person must confirm it"
    ]


def test_sec_two_person_nobody_confirms_a_grant_to_themselves() -> None:
    refused = grants.check_confirmer(HEAD, ADMIN.user_id, grant(Role.OVERSIGHT_HEAD, HEAD.user_id))
    assert "your own power" in refused[0].message
    assert grants.check_confirmer(OTHER_HEAD, ADMIN.user_id, grant(Role.OVERSIGHT_HEAD, 3)) == []


def test_sec_role_agency_postal_roles_only_at_the_postal_inspection_service() -> None:
    for role in (Role.INSPECTOR, Role.APPROVER, Role.CHIEF, Role.OPERATOR, Role.ADMIN):
        assert check_role_agency([role], AgencyLevel.POSTAL, False) == []
        refused = check_role_agency([role], AgencyLevel.FEDERAL, True)
        assert refused[0].rule == "SEC-ROLE-AGENCY"
        assert "postal inspection service" in refused[0].message


def test_sec_role_agency_oversight_only_at_an_oversight_body() -> None:
    assert check_role_agency([Role.OVERSIGHT], AgencyLevel.OVERSIGHT, False) == []
    assert check_role_agency([Role.OVERSIGHT], AgencyLevel.FEDERAL, True)[0].rule == (
        "SEC-ROLE-AGENCY"
    )
    assert check_role_agency([Role.OVERSIGHT_HEAD], AgencyLevel.POSTAL, False)


def test_sec_role_agency_a_requester_only_at_a_verified_law_enforcement_agency() -> None:
    assert check_role_agency([Role.REQUESTER], AgencyLevel.LOCAL, True) == []
    unverified = check_role_agency([Role.REQUESTER], AgencyLevel.LOCAL, False)
    assert "verified" in unverified[0].message
    assert check_role_agency([Role.REQUESTER], AgencyLevel.OVERSIGHT, True)
    assert check_role_agency([Role.REQUESTER], None, True)


def test_sec_role_agency_a_role_held_in_the_wrong_place_gives_no_power() -> None:
    held = roles_in_force([Role.INSPECTOR, Role.REQUESTER], AgencyLevel.FEDERAL)
    assert held == {Role.REQUESTER}
    assert roles_in_force([Role.OVERSIGHT], None) == frozenset()


def test_a_grant_checks_the_binding_of_the_role_to_the_agency() -> None:
    fbi = Account(TARGET, True, frozenset(), AgencyLevel.FEDERAL, True)
    assert grants.check_role_grant(fbi, Role.INSPECTOR)[0].rule == "SEC-ROLE-AGENCY"
    assert grants.check_role_grant(postal(), Role.INSPECTOR) == []
    assert grants.check_role_grant(postal(Role.INSPECTOR), Role.INSPECTOR)[0].field == "role"
    assert grants.check_role_grant(postal(active=False), Role.INSPECTOR)


def test_a_role_is_revoked_only_from_someone_who_holds_it() -> None:
    assert grants.check_role_revocation(postal(Role.APPROVER), Role.APPROVER) == []
    assert grants.check_role_revocation(postal(), Role.APPROVER)


def hq(reference: str, start: datetime, until: datetime | None = None) -> Delegation:
    return Delegation(reference, DelegationScope.HQ_DESIGNEE, start, valid_until=until)


def test_mc_authority_a_delegation_is_never_back_dated() -> None:
    refused = grants.check_delegation(
        postal(Role.APPROVER), hq("NEW", NOW - timedelta(days=1)), [], NOW, Policy()
    )
    assert [(v.rule, v.field) for v in refused] == [("MC-AUTHORITY", "valid_from")]
    assert grants.check_delegation(postal(Role.APPROVER), hq("NEW", NOW), [], NOW, Policy()) == []


def test_mc_authority_a_delegation_is_for_an_approver_or_the_chief() -> None:
    refused = grants.check_delegation(postal(Role.INSPECTOR), hq("NEW", NOW), [], NOW, Policy())
    assert refused[0].field == "account"


def test_mc_authority_the_chiefs_delegation_is_for_the_chief() -> None:
    chiefs = Delegation("CPI", DelegationScope.CHIEF, NOW)
    refused = grants.check_delegation(postal(Role.APPROVER), chiefs, [], NOW, Policy())
    assert [(v.rule, v.field) for v in refused] == [("MC-AUTHORITY", "scope")]
    assert grants.check_delegation(postal(Role.CHIEF), chiefs, [], NOW, Policy()) == []


def test_mc_authority_the_designee_limit_is_counted_when_confirmed() -> None:
    two = [hq("A", NOW - timedelta(days=9)), hq("B", NOW - timedelta(days=9))]
    refused = grants.check_delegation(postal(Role.APPROVER), hq("C", NOW), two, NOW, Policy())
    assert "already 2 headquarters designees" in refused[0].message


def test_mc_authority_the_designee_limit_counts_delegations_that_start_later() -> None:
    later = [hq("A", NOW + timedelta(days=5)), hq("B", NOW + timedelta(days=6))]
    refused = grants.check_delegation(postal(Role.APPROVER), hq("C", NOW), later, NOW, Policy())
    assert [v.rule for v in refused] == ["MC-AUTHORITY"]
    ended = grants.check_delegation(
        postal(Role.APPROVER), hq("C", NOW, NOW + timedelta(days=5)), later, NOW, Policy()
    )
    assert ended == []


def test_a_revoked_delegation_is_not_revoked_twice() -> None:
    live = hq("A", NOW - timedelta(days=1))
    assert grants.check_delegation_revocation(live, NOW) == []
    gone = Delegation("A", DelegationScope.HQ_DESIGNEE, NOW, revoked_at=NOW)
    assert grants.check_delegation_revocation(gone, NOW)


def test_mc_nondisclosure_an_acknowledgment_is_never_signed_on_a_day_to_come() -> None:
    today = date(2026, 12, 1)
    assert grants.check_acknowledgment(postal(), today, today) == []
    assert grants.check_acknowledgment(postal(), date(2026, 12, 2), today)[0].field == "signed_on"


def test_rr_verified_only_a_law_enforcement_agency_is_verified_once() -> None:
    assert grants.check_agency_verification(AgencyLevel.LOCAL, False, "LE-1") == []
    assert grants.check_agency_verification(AgencyLevel.OVERSIGHT, False, "LE-1")
    assert grants.check_agency_verification(AgencyLevel.LOCAL, True, "LE-1")
    assert grants.check_agency_verification(AgencyLevel.LOCAL, False, " ")[0].field == "reference"
