"""Extending an order: MC-EXTENSION, MC-INDICTMENT, MC-120."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mailcover.law.errors import Violation
from mailcover.law.orders import OrderFacts, in_force
from mailcover.law.periods import Period, exceeds_continuous_cap, max_extension_days, next_period
from mailcover.law.terms import Grounds, Policy

MIN_BENEFIT_CHARS = 40


@dataclass(frozen=True)
class ExtensionDraft:
    """An extension request as filed: (g)(5) asks for all three statements."""

    days: int
    investigative_benefit: str | None
    indicted: bool | None
    represented_by_attorney: bool | None


def check_extension(
    draft: ExtensionDraft, order: OrderFacts, now: datetime, policy: Policy
) -> list[Violation]:
    """Every rule an extension request must meet when it is filed."""
    found: list[Violation] = []
    benefit = (draft.investigative_benefit or "").strip()
    if len(benefit) < MIN_BENEFIT_CHARS:
        found.append(
            Violation(
                "MC-EXTENSION",
                "investigative_benefit",
                "an extension must state the investigative benefit so far and "
                f"expected (at least {MIN_BENEFIT_CHARS} characters)",
            )
        )
    if draft.indicted is None:
        found.append(
            Violation(
                "MC-EXTENSION", "indicted", "state whether the subject has been indicted or charged"
            )
        )
    if draft.represented_by_attorney is None:
        found.append(
            Violation(
                "MC-EXTENSION",
                "represented_by_attorney",
                "state whether the subject is represented by an attorney",
            )
        )
    most = max_extension_days(order.grounds, policy)
    if not 1 <= draft.days <= most:
        found.append(
            Violation(
                "MC-EXTENSION",
                "days",
                f"{order.grounds.value} extensions run 1 "
                f"to {most} days; {draft.days} is out of range",
            )
        )
    if draft.indicted and order.grounds is not Grounds.FUGITIVE:
        found.append(
            Violation(
                "MC-INDICTMENT",
                "indicted",
                "once the subject is indicted or "
                "charged the cover ends; only fugitive covers continue",
            )
        )
    if not in_force(order, now):
        found.append(
            Violation(
                "MC-EXTENSION",
                None,
                "only an order in force can be extended; file a new request instead",
            )
        )
    return found


def extension_period(order: OrderFacts, days: int) -> Period:
    """The period an approved extension adds: straight after the current end."""
    return next_period(order.ends_at, days)


def extension_passes_cap(order: OrderFacts, days: int) -> bool:
    """MC-120: would this extension keep the cover in force past 120 continuous days?"""
    return exceeds_continuous_cap(order.starts_at, extension_period(order, days).ends_at)


def check_extension_still_possible(order: OrderFacts, now: datetime) -> list[Violation]:
    """MC-EXTENSION, MC-INDICTMENT: at approval, the order must still be in force; an
    indictment or an expiry since filing leaves nothing to extend."""
    if in_force(order, now):
        return []
    return [
        Violation(
            "MC-EXTENSION",
            None,
            "the order is no longer in force; it cannot be extended (file a new request)",
        )
    ]
