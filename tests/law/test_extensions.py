"""Extending an order (law/extensions.py): MC-EXTENSION, MC-INDICTMENT, MC-120."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from mailcover.law.authority import Decision, Official, find_authority
from mailcover.law.errors import Violation
from mailcover.law.extensions import (
    MIN_BENEFIT_CHARS,
    ExtensionDraft,
    check_extension,
    extension_passes_cap,
    extension_period,
)
from mailcover.law.orders import OrderFacts
from mailcover.law.periods import first_period
from mailcover.law.terms import DEFAULT_POLICY, DelegationScope, Grounds, Policy, Role

START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
DURING = START + 20 * DAY
BENEFIT = (
    "The cover identified two new suppliers; a further month should reveal the "
    "warehouse the goods are shipped from."
)
REQUESTER_ID = 1


def draft(**changes: object) -> ExtensionDraft:
    """An extension that makes all three statements (g)(5) asks for."""
    full = ExtensionDraft(
        days=30, investigative_benefit=BENEFIT, indicted=False, represented_by_attorney=False
    )
    return replace(full, **changes)  # type: ignore[arg-type]


def order(grounds: Grounds = Grounds.CRIME, days: int = 30, **events: datetime) -> OrderFacts:
    return OrderFacts(grounds=grounds, periods=(first_period(START, days),), **events)


def extended(facts: OrderFacts, days: int) -> OrderFacts:
    return replace(facts, periods=(*facts.periods, extension_period(facts, days)))


def rules_and_fields(violations: list[Violation]) -> set[tuple[str, str | None]]:
    return {(v.rule, v.field) for v in violations}


# Happy paths


def test_a_complete_extension_of_an_order_in_force_breaks_no_rule() -> None:
    assert check_extension(draft(), order(), DURING, DEFAULT_POLICY) == []


def test_a_subject_represented_by_an_attorney_may_still_be_extended() -> None:
    # MC-ATTORNEY keeps the attorney's mail out; it does not end the cover.
    assert (
        check_extension(draft(represented_by_attorney=True), order(), DURING, DEFAULT_POLICY) == []
    )


def test_an_extension_adds_a_period_straight_after_the_current_end() -> None:
    facts = order()
    period = extension_period(facts, 30)
    assert period.starts_at == facts.ends_at
    assert period.ends_at == facts.ends_at + 30 * DAY
    assert extended(facts, 30).ends_at == START + 60 * DAY


# MC-EXTENSION


@pytest.mark.parametrize("benefit", [None, "", "It helped.", "x" * (MIN_BENEFIT_CHARS - 1)])
def test_mc_extension_refuses_an_extension_without_a_statement_of_investigative_benefit(
    benefit: str | None,
) -> None:
    violations = check_extension(
        draft(investigative_benefit=benefit), order(), DURING, DEFAULT_POLICY
    )
    assert rules_and_fields(violations) == {("MC-EXTENSION", "investigative_benefit")}


def test_mc_extension_accepts_a_benefit_statement_at_the_minimum_length() -> None:
    minimal = draft(investigative_benefit="x" * MIN_BENEFIT_CHARS)
    assert check_extension(minimal, order(), DURING, DEFAULT_POLICY) == []


def test_mc_extension_refuses_an_extension_silent_on_whether_the_subject_was_indicted() -> None:
    violations = check_extension(draft(indicted=None), order(), DURING, DEFAULT_POLICY)
    assert rules_and_fields(violations) == {("MC-EXTENSION", "indicted")}


def test_mc_extension_refuses_an_extension_silent_on_whether_the_subject_has_an_attorney() -> None:
    violations = check_extension(
        draft(represented_by_attorney=None), order(), DURING, DEFAULT_POLICY
    )
    assert rules_and_fields(violations) == {("MC-EXTENSION", "represented_by_attorney")}


@pytest.mark.parametrize("days", [0, 31])
def test_mc_extension_a_crime_extension_runs_1_to_30_days(days: int) -> None:
    violations = check_extension(draft(days=days), order(), DURING, DEFAULT_POLICY)
    assert rules_and_fields(violations) == {("MC-EXTENSION", "days")}


def test_mc_extension_a_national_security_extension_is_30_days_not_60() -> None:
    natsec = order(Grounds.NATIONAL_SECURITY, days=60)
    assert check_extension(draft(days=30), natsec, DURING, DEFAULT_POLICY) == []
    violations = check_extension(draft(days=31), natsec, DURING, DEFAULT_POLICY)
    assert rules_and_fields(violations) == {("MC-EXTENSION", "days")}


def test_mc_extension_a_fugitive_extension_may_run_60_days_but_no_more() -> None:
    fugitive = order(Grounds.FUGITIVE, days=60)
    assert check_extension(draft(days=60), fugitive, DURING, DEFAULT_POLICY) == []
    violations = check_extension(draft(days=61), fugitive, DURING, DEFAULT_POLICY)
    assert rules_and_fields(violations) == {("MC-EXTENSION", "days")}


def test_mc_extension_the_fugitive_extension_length_follows_the_policy() -> None:
    policy = Policy(fugitive_extension_days=40)
    fugitive = order(Grounds.FUGITIVE, days=60)
    assert check_extension(draft(days=40), fugitive, DURING, policy) == []
    assert rules_and_fields(check_extension(draft(days=41), fugitive, DURING, policy)) == {
        ("MC-EXTENSION", "days")
    }


@pytest.mark.parametrize(
    ("facts", "moment"),
    [
        (order(), START - DAY),
        (order(), START + 30 * DAY),
        (order(emergency_requested_at=START), START + 4 * DAY),
        (order(improper_at=START + DAY), DURING),
    ],
    ids=["scheduled", "ended", "suspended", "improper"],
)
def test_mc_extension_only_an_order_in_force_can_be_extended(
    facts: OrderFacts, moment: datetime
) -> None:
    violations = check_extension(draft(), facts, moment, DEFAULT_POLICY)
    assert rules_and_fields(violations) == {("MC-EXTENSION", None)}
    assert "file a new request" in violations[0].message


def test_mc_extension_an_order_can_be_extended_in_its_last_moment() -> None:
    last = START + 30 * DAY - timedelta(microseconds=1)
    assert check_extension(draft(), order(), last, DEFAULT_POLICY) == []


# MC-INDICTMENT


@pytest.mark.parametrize(
    "grounds",
    [Grounds.CRIME, Grounds.POSTAL_STATUTE, Grounds.FORFEITURE, Grounds.NATIONAL_SECURITY],
    ids=str,
)
def test_mc_indictment_refuses_to_extend_a_cover_once_the_subject_is_indicted(
    grounds: Grounds,
) -> None:
    violations = check_extension(draft(indicted=True), order(grounds), DURING, DEFAULT_POLICY)
    assert rules_and_fields(violations) == {("MC-INDICTMENT", "indicted")}


def test_mc_indictment_a_fugitive_cover_may_be_extended_after_indictment() -> None:
    fugitive = order(Grounds.FUGITIVE, days=60)
    assert check_extension(draft(indicted=True, days=60), fugitive, DURING, DEFAULT_POLICY) == []


def test_mc_indictment_an_order_terminated_by_indictment_cannot_be_extended() -> None:
    facts = order(indicted_at=START + 5 * DAY)
    violations = check_extension(draft(), facts, DURING, DEFAULT_POLICY)
    assert rules_and_fields(violations) == {("MC-EXTENSION", None)}


# MC-120


def test_mc_120_three_30_day_extensions_of_a_30_day_order_stay_within_120_days() -> None:
    facts = order()
    for _ in range(3):
        assert not extension_passes_cap(facts, 30)
        facts = extended(facts, 30)
    assert facts.ends_at == START + 120 * DAY


def test_mc_120_the_fourth_30_day_extension_passes_120_days() -> None:
    facts = order()
    for _ in range(3):
        facts = extended(facts, 30)
    assert extension_passes_cap(facts, 30)
    assert extension_passes_cap(facts, 1)


def test_mc_120_the_second_60_day_fugitive_extension_passes_120_days() -> None:
    fugitive = order(Grounds.FUGITIVE, days=60)
    assert not extension_passes_cap(fugitive, 60)
    assert extension_passes_cap(extended(fugitive, 60), 60)


def test_mc_120_the_fourth_extension_needs_the_chief_or_a_headquarters_designee(
    make_official: Callable[..., Official],
) -> None:
    facts = order()
    for _ in range(3):
        facts = extended(facts, 30)
    fourth = Decision(
        filer_ids=frozenset({REQUESTER_ID}),
        grounds=facts.grounds,
        emergency=False,
        past_continuous_cap=extension_passes_cap(facts, 30),
    )
    moment = facts.ends_at - DAY
    assert check_extension(draft(), facts, moment, DEFAULT_POLICY) == []
    field = make_official(40, {Role.APPROVER}, (DelegationScope.OSG_DESIGNEE,))
    held, violations = find_authority(field, fourth, moment)
    assert held is None
    assert rules_and_fields(violations) == {("MC-120", "days")}
    for scope in (DelegationScope.CHIEF, DelegationScope.HQ_DESIGNEE):
        headquarters = make_official(41, {Role.APPROVER}, (scope,))
        held, violations = find_authority(headquarters, fourth, moment)
        assert violations == []
        assert held is not None
        assert held.scope is scope


def test_mc_not_self_an_extension_cannot_be_approved_by_the_original_filer(
    make_official: Callable[..., Official],
) -> None:
    original_filer = make_official(42, {Role.APPROVER}, (DelegationScope.HQ_DESIGNEE,))
    facts = order()
    extension = Decision(
        filer_ids=frozenset({REQUESTER_ID, original_filer.user_id}),
        grounds=facts.grounds,
        emergency=False,
        past_continuous_cap=extension_passes_cap(facts, 30),
    )
    held, violations = find_authority(original_filer, extension, DURING)
    assert held is None
    assert rules_and_fields(violations) == {("MC-NOT-SELF", None)}
