"""Refusals (law/errors.py): the rule broken, the field at fault, words a person can act on."""

from __future__ import annotations

import pytest

from mailcover.law.errors import RuleBroken, Violation, refuse_if

PERIOD = Violation("MC-PERIOD", "days", "crime covers run 1 to 30 days; 31 is out of range")
WRITTEN = Violation("MC-WRITTEN", "facts", "state the facts that make the cover necessary")


def test_a_refusal_names_its_first_rule_and_every_message() -> None:
    refusal = RuleBroken([PERIOD, WRITTEN])
    assert refusal.rule == "MC-PERIOD"
    assert refusal.violations == (PERIOD, WRITTEN)
    assert refusal.detail == f"{PERIOD.message}; {WRITTEN.message}"
    assert str(refusal) == refusal.detail


def test_a_refusal_without_a_violation_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least one violation"):
        RuleBroken([])


def test_refuse_if_raises_with_the_violations_found() -> None:
    with pytest.raises(RuleBroken) as raised:
        refuse_if([WRITTEN])
    assert raised.value.violations == (WRITTEN,)
    assert raised.value.rule == "MC-WRITTEN"


def test_refuse_if_lets_a_clean_action_through() -> None:
    refuse_if([])  # raising here fails the test
