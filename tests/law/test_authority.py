"""Who may order, extend and review a cover (law/authority.py): MC-AUTHORITY, MC-NOT-SELF,
MC-120, MC-NONDISCLOSURE, MC-REVIEW."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from mailcover.law.authority import (
    HEADQUARTERS,
    Decision,
    Delegation,
    Official,
    check_designee_limits,
    check_nondisclosure,
    check_not_self,
    check_reviewer,
    delegation_reaches,
    find_authority,
)
from mailcover.law.errors import Violation
from mailcover.law.terms import DEFAULT_POLICY, DelegationScope, Grounds, Policy, Role

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
FILER_ID = 1

MakeOfficial = Callable[..., Official]
MakeDelegation = Callable[..., Delegation]


def decision(
    grounds: Grounds = Grounds.CRIME,
    *,
    emergency: bool = False,
    past_continuous_cap: bool = False,
    filer_ids: frozenset[int] = frozenset({FILER_ID}),
) -> Decision:
    return Decision(
        filer_ids=filer_ids,
        grounds=grounds,
        emergency=emergency,
        past_continuous_cap=past_continuous_cap,
    )


def rules_and_fields(violations: list[Violation]) -> set[tuple[str, str | None]]:
    return {(v.rule, v.field) for v in violations}


def with_delegation(person: Official, held: Delegation) -> Official:
    return replace(person, delegations=(held,))


# Happy paths


def test_an_operations_support_group_designee_may_order_a_crime_cover(approver: Official) -> None:
    held, violations = find_authority(approver, decision(), NOW)
    assert violations == []
    assert held is not None
    assert held.scope is DelegationScope.OSG_DESIGNEE


@pytest.mark.parametrize("grounds", list(Grounds), ids=str)
def test_the_chief_may_order_a_cover_on_any_grounds(chief: Official, grounds: Grounds) -> None:
    held, violations = find_authority(chief, decision(grounds), NOW)
    assert violations == []
    assert held is not None
    assert held.scope is DelegationScope.CHIEF


# MC-AUTHORITY


def test_mc_authority_an_official_without_a_written_delegation_cannot_order_a_cover(
    make_official: MakeOfficial,
) -> None:
    undelegated = make_official(20, {Role.APPROVER}, ())
    held, violations = find_authority(undelegated, decision(), NOW)
    assert held is None
    assert rules_and_fields(violations) == {("MC-AUTHORITY", None)}
    assert "no written delegation in force" in violations[0].message


def test_mc_authority_a_requester_cannot_order_a_cover(requester: Official) -> None:
    held, violations = find_authority(requester, decision(filer_ids=frozenset({99})), NOW)
    assert held is None
    assert [v.rule for v in violations] == ["MC-AUTHORITY", "MC-AUTHORITY"]
    assert any("only an approver or the chief" in v.message for v in violations)


def test_mc_authority_a_delegation_without_the_approver_role_is_not_enough(
    make_official: MakeOfficial,
) -> None:
    inspector = make_official(21, {Role.INSPECTOR}, (DelegationScope.OSG_DESIGNEE,))
    held, violations = find_authority(inspector, decision(), NOW)
    assert held is None
    assert rules_and_fields(violations) == {("MC-AUTHORITY", None)}
    assert "only an approver or the chief" in violations[0].message


def test_mc_authority_a_delegation_not_yet_in_force_does_not_count(
    approver: Official, make_delegation: MakeDelegation
) -> None:
    future = make_delegation(DelegationScope.OSG_DESIGNEE, valid_from=NOW + DAY)
    held, violations = find_authority(with_delegation(approver, future), decision(), NOW)
    assert held is None
    assert rules_and_fields(violations) == {("MC-AUTHORITY", None)}


def test_mc_authority_a_delegation_is_in_force_from_its_first_moment(
    approver: Official, make_delegation: MakeDelegation
) -> None:
    starting = make_delegation(DelegationScope.OSG_DESIGNEE, valid_from=NOW)
    held, violations = find_authority(with_delegation(approver, starting), decision(), NOW)
    assert violations == []
    assert held == starting


def test_mc_authority_an_expired_delegation_does_not_count(
    approver: Official, make_delegation: MakeDelegation
) -> None:
    expired = make_delegation(DelegationScope.OSG_DESIGNEE, valid_until=NOW)
    held, violations = find_authority(with_delegation(approver, expired), decision(), NOW)
    assert held is None
    assert rules_and_fields(violations) == {("MC-AUTHORITY", None)}


def test_mc_authority_a_revoked_delegation_does_not_count(
    approver: Official, make_delegation: MakeDelegation
) -> None:
    revoked = make_delegation(DelegationScope.OSG_DESIGNEE, revoked_at=NOW - DAY)
    held, violations = find_authority(with_delegation(approver, revoked), decision(), NOW)
    assert held is None
    assert rules_and_fields(violations) == {("MC-AUTHORITY", None)}


def test_mc_authority_a_delegation_revoked_later_still_counts_now(
    make_delegation: MakeDelegation,
) -> None:
    later = make_delegation(DelegationScope.OSG_DESIGNEE, revoked_at=NOW + DAY, valid_until=None)
    assert later.in_force(NOW)
    assert not later.in_force(NOW + DAY)


def test_mc_authority_an_inspector_in_charge_cannot_order_an_ordinary_cover(
    inspector_in_charge: Official,
) -> None:
    held, violations = find_authority(inspector_in_charge, decision(emergency=False), NOW)
    assert held is None
    assert rules_and_fields(violations) == {("MC-AUTHORITY", None)}
    assert "reaches this request" in violations[0].message


def test_mc_authority_an_inspector_in_charge_may_order_a_cover_in_an_emergency(
    inspector_in_charge: Official,
) -> None:
    held, violations = find_authority(inspector_in_charge, decision(emergency=True), NOW)
    assert violations == []
    assert held is not None
    assert held.scope is DelegationScope.INSPECTOR_IN_CHARGE


@pytest.mark.parametrize("emergency", [False, True])
@pytest.mark.parametrize(
    "scope", [DelegationScope.OSG_DESIGNEE, DelegationScope.INSPECTOR_IN_CHARGE], ids=str
)
def test_mc_authority_national_security_covers_are_ordered_only_at_headquarters(
    make_official: MakeOfficial, scope: DelegationScope, emergency: bool
) -> None:
    field_official = make_official(22, {Role.APPROVER}, (scope,))
    natsec = decision(Grounds.NATIONAL_SECURITY, emergency=emergency)
    held, violations = find_authority(field_official, natsec, NOW)
    assert held is None
    assert rules_and_fields(violations) == {("MC-AUTHORITY", None)}
    assert "national-security" in violations[0].message


def test_mc_authority_a_headquarters_designee_may_order_a_national_security_cover(
    hq_designee: Official,
) -> None:
    held, violations = find_authority(hq_designee, decision(Grounds.NATIONAL_SECURITY), NOW)
    assert violations == []
    assert held is not None
    assert held.scope is DelegationScope.HQ_DESIGNEE


def test_mc_authority_the_narrowest_delegation_that_reaches_the_decision_is_recorded(
    make_official: MakeOfficial,
) -> None:
    both = make_official(
        23, {Role.APPROVER}, (DelegationScope.HQ_DESIGNEE, DelegationScope.OSG_DESIGNEE)
    )
    held, _ = find_authority(both, decision(), NOW)
    assert held is not None
    assert held.scope is DelegationScope.OSG_DESIGNEE
    held, _ = find_authority(both, decision(past_continuous_cap=True), NOW)
    assert held is not None
    assert held.scope is DelegationScope.HQ_DESIGNEE


def test_mc_authority_headquarters_delegations_reach_every_decision(
    make_delegation: MakeDelegation,
) -> None:
    assert {DelegationScope.CHIEF, DelegationScope.HQ_DESIGNEE} == HEADQUARTERS
    for scope in HEADQUARTERS:
        for grounds in Grounds:
            for flag in (False, True):
                assert delegation_reaches(
                    make_delegation(scope),
                    decision(grounds, emergency=flag, past_continuous_cap=not flag),
                )


# MC-120


def test_mc_120_an_operations_support_group_designee_cannot_keep_a_cover_past_120_days(
    approver: Official,
) -> None:
    held, violations = find_authority(approver, decision(past_continuous_cap=True), NOW)
    assert held is None
    assert rules_and_fields(violations) == {("MC-120", "days")}


def test_mc_120_not_even_in_an_emergency_can_an_inspector_in_charge_pass_120_days(
    inspector_in_charge: Official,
) -> None:
    held, violations = find_authority(
        inspector_in_charge, decision(emergency=True, past_continuous_cap=True), NOW
    )
    assert held is None
    assert rules_and_fields(violations) == {("MC-120", "days")}


@pytest.mark.parametrize("persona", ["chief", "hq_designee"])
def test_mc_120_the_chief_or_a_headquarters_designee_may_approve_past_120_days(
    persona: str, request: pytest.FixtureRequest
) -> None:
    person: Official = request.getfixturevalue(persona)
    held, violations = find_authority(person, decision(past_continuous_cap=True), NOW)
    assert violations == []
    assert held is not None
    assert held.scope in HEADQUARTERS


# MC-NOT-SELF


def test_mc_not_self_an_approver_cannot_approve_their_own_request(approver: Official) -> None:
    own = decision(filer_ids=frozenset({approver.user_id}))
    held, violations = find_authority(approver, own, NOW)
    assert held is None
    assert rules_and_fields(violations) == {("MC-NOT-SELF", None)}


def test_mc_not_self_the_chief_cannot_approve_their_own_request(chief: Official) -> None:
    held, violations = find_authority(chief, decision(filer_ids=frozenset({chief.user_id})), NOW)
    assert held is None
    assert rules_and_fields(violations) == {("MC-NOT-SELF", None)}


def test_mc_not_self_an_approver_cannot_extend_an_order_they_originally_filed(
    hq_designee: Official,
) -> None:
    extension = decision(filer_ids=frozenset({FILER_ID, hq_designee.user_id}))
    held, violations = find_authority(hq_designee, extension, NOW)
    assert held is None
    assert rules_and_fields(violations) == {("MC-NOT-SELF", None)}


def test_mc_not_self_accepts_any_iterable_of_filer_ids(approver: Official) -> None:
    assert rules_and_fields(check_not_self(approver, [5, approver.user_id])) == {
        ("MC-NOT-SELF", None)
    }
    assert check_not_self(approver, iter([5, 6])) == []


# MC-NONDISCLOSURE


def test_mc_nondisclosure_an_approver_without_an_acknowledgment_cannot_approve(
    approver: Official,
) -> None:
    unsigned = replace(approver, has_nondisclosure=False)
    held, violations = find_authority(unsigned, decision(), NOW)
    assert held is None
    assert rules_and_fields(violations) == {("MC-NONDISCLOSURE", None)}


def test_mc_nondisclosure_check_passes_only_with_an_acknowledgment_on_file() -> None:
    assert check_nondisclosure(True) == []
    assert rules_and_fields(check_nondisclosure(False)) == {("MC-NONDISCLOSURE", None)}


def test_every_rule_in_the_way_of_an_approval_is_reported_at_once(
    make_official: MakeOfficial,
) -> None:
    nobody = make_official(30, {Role.REQUESTER}, (), has_nondisclosure=False)
    held, violations = find_authority(nobody, decision(filer_ids=frozenset({30})), NOW)
    assert held is None
    assert [v.rule for v in violations] == [
        "MC-NOT-SELF",
        "MC-NONDISCLOSURE",
        "MC-AUTHORITY",
        "MC-AUTHORITY",
    ]


# MC-AUTHORITY: designee limits (policy)


def test_mc_authority_a_third_headquarters_designee_is_refused(
    make_delegation: MakeDelegation,
) -> None:
    existing = [make_delegation(DelegationScope.HQ_DESIGNEE, reference=f"HQ-{i}") for i in (1, 2)]
    new = make_delegation(DelegationScope.HQ_DESIGNEE, reference="HQ-3")
    violations = check_designee_limits(existing, new, NOW, DEFAULT_POLICY)
    assert rules_and_fields(violations) == {("MC-AUTHORITY", "delegation")}
    assert "at most 2" in violations[0].message


def test_mc_authority_a_second_headquarters_designee_is_allowed(
    make_delegation: MakeDelegation,
) -> None:
    existing = [make_delegation(DelegationScope.HQ_DESIGNEE, reference="HQ-1")]
    new = make_delegation(DelegationScope.HQ_DESIGNEE, reference="HQ-2")
    assert check_designee_limits(existing, new, NOW, DEFAULT_POLICY) == []


def test_mc_authority_a_group_spelt_another_way_is_the_same_group(
    make_delegation: MakeDelegation,
) -> None:
    """Three designees of one Operations Support Group under "OSG WEST", "osg west" and
    "Osg  West" are still three designees of one group."""
    existing = [
        make_delegation(DelegationScope.OSG_DESIGNEE, reference="W-1", group="OSG WEST"),
        make_delegation(DelegationScope.OSG_DESIGNEE, reference="W-2", group="osg west"),
    ]
    new = make_delegation(DelegationScope.OSG_DESIGNEE, reference="W-3", group="Osg  West ")
    violations = check_designee_limits(existing, new, NOW, DEFAULT_POLICY)
    assert rules_and_fields(violations) == {("MC-AUTHORITY", "delegation")}


def test_mc_authority_designees_no_longer_in_force_do_not_count_against_the_limit(
    make_delegation: MakeDelegation,
) -> None:
    existing = [
        make_delegation(DelegationScope.HQ_DESIGNEE, reference="HQ-1", revoked_at=NOW - DAY),
        make_delegation(DelegationScope.HQ_DESIGNEE, reference="HQ-2", valid_until=NOW),
        make_delegation(DelegationScope.HQ_DESIGNEE, reference="HQ-3"),
    ]
    new = make_delegation(DelegationScope.HQ_DESIGNEE, reference="HQ-4")
    assert check_designee_limits(existing, new, NOW, DEFAULT_POLICY) == []


def test_mc_authority_a_third_designee_in_one_operations_support_group_is_refused(
    make_delegation: MakeDelegation,
) -> None:
    existing = [
        make_delegation(DelegationScope.OSG_DESIGNEE, reference=f"E-{i}", group="East")
        for i in (1, 2)
    ]
    new = make_delegation(DelegationScope.OSG_DESIGNEE, reference="E-3", group="East")
    violations = check_designee_limits(existing, new, NOW, DEFAULT_POLICY)
    assert rules_and_fields(violations) == {("MC-AUTHORITY", "delegation")}
    assert "'East'" in violations[0].message


def test_mc_authority_each_operations_support_group_has_its_own_limit(
    make_delegation: MakeDelegation,
) -> None:
    existing = [
        make_delegation(DelegationScope.OSG_DESIGNEE, reference=f"E-{i}", group="East")
        for i in (1, 2)
    ]
    new = make_delegation(DelegationScope.OSG_DESIGNEE, reference="W-1", group="West")
    assert check_designee_limits(existing, new, NOW, DEFAULT_POLICY) == []


def test_mc_authority_the_designee_limits_follow_the_policy(
    make_delegation: MakeDelegation,
) -> None:
    existing = [make_delegation(DelegationScope.HQ_DESIGNEE, reference=f"HQ-{i}") for i in (1, 2)]
    new = make_delegation(DelegationScope.HQ_DESIGNEE, reference="HQ-3")
    assert check_designee_limits(existing, new, NOW, Policy(hq_designee_limit=3)) == []
    one_per_group = Policy(osg_designee_limit=1)
    first = make_delegation(DelegationScope.OSG_DESIGNEE, reference="E-1", group="East")
    second = make_delegation(DelegationScope.OSG_DESIGNEE, reference="E-2", group="East")
    assert rules_and_fields(check_designee_limits([first], second, NOW, one_per_group)) == {
        ("MC-AUTHORITY", "delegation")
    }


@pytest.mark.parametrize(
    "scope", [DelegationScope.CHIEF, DelegationScope.INSPECTOR_IN_CHARGE], ids=str
)
def test_mc_authority_the_designee_limits_do_not_apply_to_other_delegations(
    make_delegation: MakeDelegation, scope: DelegationScope
) -> None:
    existing = [make_delegation(scope, reference=f"X-{i}") for i in range(5)]
    assert check_designee_limits(existing, make_delegation(scope), NOW, DEFAULT_POLICY) == []


# MC-REVIEW: who reviews an order


def test_mc_review_a_headquarters_designee_may_review_an_order(hq_designee: Official) -> None:
    assert check_reviewer(hq_designee, {FILER_ID}, Grounds.CRIME, NOW) == []


def test_mc_review_an_operations_support_group_designee_may_not_review_an_order(
    approver: Official,
) -> None:
    violations = check_reviewer(approver, {FILER_ID}, Grounds.CRIME, NOW)
    assert rules_and_fields(violations) == {("MC-REVIEW", None)}


def test_mc_review_nobody_reviews_an_order_they_filed(chief: Official) -> None:
    violations = check_reviewer(chief, {FILER_ID, chief.user_id}, Grounds.CRIME, NOW)
    assert rules_and_fields(violations) == {("MC-NOT-SELF", None)}


def test_mc_review_nobody_reviews_without_a_nondisclosure_acknowledgment(chief: Official) -> None:
    unsigned = replace(chief, has_nondisclosure=False)
    violations = check_reviewer(unsigned, {FILER_ID}, Grounds.CRIME, NOW)
    assert rules_and_fields(violations) == {("MC-NONDISCLOSURE", None)}


def test_mc_review_oversight_cannot_conduct_the_periodic_review(oversight: Official) -> None:
    violations = check_reviewer(oversight, {FILER_ID}, Grounds.CRIME, NOW)
    assert rules_and_fields(violations) == {("MC-REVIEW", None)}


def test_mc_review_an_approver_whose_delegation_was_revoked_cannot_review(
    approver: Official, make_delegation: MakeDelegation
) -> None:
    revoked = make_delegation(DelegationScope.OSG_DESIGNEE, revoked_at=NOW - DAY)
    violations = check_reviewer(with_delegation(approver, revoked), {FILER_ID}, Grounds.CRIME, NOW)
    assert rules_and_fields(violations) == {("MC-REVIEW", None)}


def test_mc_review_a_national_security_order_is_not_reviewed_by_a_field_designee(
    approver: Official,
) -> None:
    violations = check_reviewer(approver, {FILER_ID}, Grounds.NATIONAL_SECURITY, NOW)
    assert rules_and_fields(violations) == {("MC-REVIEW", None)}
    assert "headquarters" in violations[0].message


@pytest.mark.parametrize("persona", ["chief", "hq_designee"])
def test_mc_review_a_national_security_order_is_reviewed_at_headquarters(
    persona: str, request: pytest.FixtureRequest
) -> None:
    person: Official = request.getfixturevalue(persona)
    assert check_reviewer(person, {FILER_ID}, Grounds.NATIONAL_SECURITY, NOW) == []


# Delegations in time


def test_a_delegation_is_in_force_from_valid_from_until_it_expires_or_is_revoked(
    make_delegation: MakeDelegation,
) -> None:
    held = make_delegation(
        DelegationScope.OSG_DESIGNEE,
        valid_from=NOW,
        valid_until=NOW + 10 * DAY,
        revoked_at=NOW + 5 * DAY,
    )
    assert not held.in_force(NOW - timedelta(microseconds=1))
    assert held.in_force(NOW)
    assert held.in_force(NOW + 5 * DAY - timedelta(microseconds=1))
    assert not held.in_force(NOW + 5 * DAY)
    assert not held.in_force(NOW + 10 * DAY)
