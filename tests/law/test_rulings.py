"""Events that end an order early (law/rulings.py): MC-IMPROPER, MC-INDICTMENT, MC-EMERGENCY."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from mailcover.law.authority import Official
from mailcover.law.errors import Violation
from mailcover.law.orders import OrderFacts
from mailcover.law.periods import first_period
from mailcover.law.rulings import (
    MIN_REASONS_CHARS,
    check_emergency_confirmation,
    check_improper_ruling,
    check_indictment_notice,
)
from mailcover.law.terms import Grounds

START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
NOW = START + 2 * DAY
DEADLINE = START + 3 * DAY
REASONS = "The request cited a misdemeanour punishable by six months only."
STATEMENT = "Written confirmation of the oral request of 1 March, with its facts restated."
FILERS = frozenset({1})


def order(**events: datetime) -> OrderFacts:
    return OrderFacts(grounds=Grounds.CRIME, periods=(first_period(START, 30),), **events)


def rules_and_fields(violations: list[Violation]) -> set[tuple[str, str | None]]:
    return {(v.rule, v.field) for v in violations}


# MC-IMPROPER


@pytest.mark.parametrize("persona", ["approver", "chief"])
def test_mc_improper_the_chief_or_an_approver_may_rule_an_order_improper_with_reasons(
    persona: str, request: pytest.FixtureRequest
) -> None:
    person: Official = request.getfixturevalue(persona)
    assert check_improper_ruling(person, order(), FILERS, REASONS, NOW) == []


def test_mc_improper_a_ruling_is_final_so_a_second_ruling_is_refused(approver: Official) -> None:
    ruled = order(improper_at=START + DAY)
    violations = check_improper_ruling(approver, ruled, FILERS, REASONS, NOW)
    assert rules_and_fields(violations) == {("MC-IMPROPER", None)}
    assert "final" in violations[0].message


@pytest.mark.parametrize("persona", ["requester", "oversight"])
def test_mc_improper_only_an_approver_or_the_chief_rules_an_order_improper(
    persona: str, request: pytest.FixtureRequest
) -> None:
    person: Official = request.getfixturevalue(persona)
    violations = check_improper_ruling(person, order(), frozenset({99}), REASONS, NOW)
    assert rules_and_fields(violations) == {("MC-IMPROPER", None)}


@pytest.mark.parametrize("reasons", ["", "   ", "x" * (MIN_REASONS_CHARS - 1)])
def test_mc_improper_refuses_a_ruling_without_reasons_for_the_requester(
    approver: Official, reasons: str
) -> None:
    violations = check_improper_ruling(approver, order(), FILERS, reasons, NOW)
    assert rules_and_fields(violations) == {("MC-IMPROPER", "reasons")}


def test_mc_not_self_an_approver_cannot_rule_their_own_request_improper(
    approver: Official,
) -> None:
    filers = frozenset({1, approver.user_id})
    violations = check_improper_ruling(approver, order(), filers, REASONS, NOW)
    assert rules_and_fields(violations) == {("MC-NOT-SELF", None)}


def test_mc_nondisclosure_an_approver_without_an_acknowledgment_cannot_rule(
    approver: Official,
) -> None:
    unsigned = replace(approver, has_nondisclosure=False)
    violations = check_improper_ruling(unsigned, order(), FILERS, REASONS, NOW)
    assert rules_and_fields(violations) == {("MC-NONDISCLOSURE", None)}


def test_mc_improper_every_obstacle_to_a_ruling_is_reported_at_once(requester: Official) -> None:
    ruled = order(improper_at=START)
    violations = check_improper_ruling(requester, ruled, frozenset({requester.user_id}), "", NOW)
    assert [(v.rule, v.field) for v in violations] == [
        ("MC-NOT-SELF", None),
        ("MC-IMPROPER", None),
        ("MC-IMPROPER", None),
        ("MC-IMPROPER", "reasons"),
    ]


# MC-INDICTMENT


def test_mc_indictment_a_notice_of_indictment_dated_today_is_accepted() -> None:
    assert check_indictment_notice(order(), NOW, NOW) == []


def test_mc_indictment_a_notice_for_a_fugitive_order_is_accepted() -> None:
    fugitive = OrderFacts(grounds=Grounds.FUGITIVE, periods=(first_period(START, 60),))
    assert check_indictment_notice(fugitive, START + DAY, NOW) == []


def test_mc_indictment_refuses_an_indictment_dated_in_the_future() -> None:
    violations = check_indictment_notice(order(), NOW + timedelta(seconds=1), NOW)
    assert rules_and_fields(violations) == {("MC-INDICTMENT", "filed_on")}


def test_mc_indictment_refuses_a_second_notice_for_the_same_order() -> None:
    violations = check_indictment_notice(order(indicted_at=START + DAY), NOW, NOW)
    assert rules_and_fields(violations) == {("MC-INDICTMENT", None)}


# MC-EMERGENCY


def test_mc_emergency_a_written_confirmation_within_3_days_is_accepted() -> None:
    emergency = order(emergency_requested_at=START)
    assert check_emergency_confirmation(emergency, STATEMENT, NOW) == []
    assert check_emergency_confirmation(emergency, STATEMENT, DEADLINE) == []


def test_mc_emergency_refuses_a_confirmation_after_the_3_calendar_days() -> None:
    emergency = order(emergency_requested_at=START)
    late = DEADLINE + timedelta(seconds=1)
    violations = check_emergency_confirmation(emergency, STATEMENT, late)
    assert rules_and_fields(violations) == {("MC-EMERGENCY", None)}
    assert DEADLINE.isoformat() in violations[0].message


def test_mc_emergency_refuses_a_confirmation_that_does_not_restate_the_request() -> None:
    emergency = order(emergency_requested_at=START)
    violations = check_emergency_confirmation(emergency, "confirmed", NOW)
    assert rules_and_fields(violations) == {("MC-EMERGENCY", "written_request")}


def test_mc_emergency_a_late_and_empty_confirmation_hears_both_reasons() -> None:
    emergency = order(emergency_requested_at=START)
    violations = check_emergency_confirmation(emergency, "", DEADLINE + DAY)
    assert rules_and_fields(violations) == {
        ("MC-EMERGENCY", "written_request"),
        ("MC-EMERGENCY", None),
    }


def test_mc_emergency_an_ordinary_order_has_nothing_to_confirm() -> None:
    violations = check_emergency_confirmation(order(), STATEMENT, NOW)
    assert rules_and_fields(violations) == {("MC-EMERGENCY", None)}
    assert "not an emergency" in violations[0].message


def test_mc_emergency_an_emergency_is_confirmed_once_only() -> None:
    confirmed = order(emergency_requested_at=START, confirmed_at=START + DAY)
    violations = check_emergency_confirmation(confirmed, STATEMENT, NOW)
    assert rules_and_fields(violations) == {("MC-EMERGENCY", None)}
    assert "already confirmed" in violations[0].message
