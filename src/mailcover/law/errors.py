"""Refusals: what rule was broken, on which field, in words a person can act on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """One broken rule. `field` names the input at fault, or None for the whole."""

    rule: str
    field: str | None
    message: str


class RuleBroken(Exception):
    """Raised when an action would break one or more rules."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        if not violations:
            raise ValueError("RuleBroken needs at least one violation")
        self.violations = tuple(violations)
        super().__init__("; ".join(v.message for v in self.violations))

    @property
    def rule(self) -> str:
        return self.violations[0].rule

    @property
    def detail(self) -> str:
        return str(self)


def refuse_if(violations: Sequence[Violation]) -> None:
    """Raise RuleBroken when any violation was found."""
    if violations:
        raise RuleBroken(violations)
