"""MC-IMPROPER and MC-INDICTMENT: events that end an order early."""

from __future__ import annotations

from datetime import datetime

from mailcover.law.authority import Official, check_nondisclosure, check_not_self
from mailcover.law.errors import Violation
from mailcover.law.orders import OrderFacts, confirmation_deadline
from mailcover.law.terms import Role

MIN_REASONS_CHARS = 20


def check_improper_ruling(
    official: Official, order: OrderFacts, filer_ids: frozenset[int], reasons: str, now: datetime
) -> list[Violation]:
    """MC-IMPROPER, (h)(2), (j)(3): a ruling by the chief or an approver who did not file it,
    with reasons the requester will be told; final, so it can be made once only."""
    # MC-NONDISCLOSURE: ruling on an order is work on covers, as approving and reviewing are.
    found = [*check_not_self(official, filer_ids), *check_nondisclosure(official.has_nondisclosure)]
    # (h)(2): the Chief Postal Inspector or a designee, so a delegation in force.
    delegated = any(d.in_force(now) for d in official.delegations)
    if not official.roles & {Role.APPROVER, Role.CHIEF} or not delegated:
        found.append(
            Violation(
                "MC-IMPROPER",
                None,
                "only the chief or an approver holding a delegation in force rules an order "
                "improper",
            )
        )
    if order.improper_at is not None:
        found.append(
            Violation(
                "MC-IMPROPER", None, "this order was already ruled improper; the ruling is final"
            )
        )
    if len(reasons.strip()) < MIN_REASONS_CHARS:
        found.append(
            Violation(
                "MC-IMPROPER",
                "reasons",
                "state why the order was improper; the requester is told these reasons",
            )
        )
    return found


def check_indictment_notice(
    order: OrderFacts, filed_on: datetime, now: datetime
) -> list[Violation]:
    """MC-INDICTMENT, (g)(7): a notice of indictment or information for the matter."""
    if order.indicted_at is not None:
        return [
            Violation("MC-INDICTMENT", None, "an indictment is already on record for this order")
        ]
    if filed_on > now:
        return [
            Violation("MC-INDICTMENT", "filed_on", "the indictment cannot be dated in the future")
        ]
    return []


def check_emergency_confirmation(
    order: OrderFacts, statement: str, now: datetime
) -> list[Violation]:
    """MC-EMERGENCY, (e)(3): the written confirmation of an oral emergency request."""
    deadline = confirmation_deadline(order)
    if deadline is None:
        return [
            Violation(
                "MC-EMERGENCY", None, "this order was not an emergency; there is nothing to confirm"
            )
        ]
    if order.confirmed_at is not None:
        return [Violation("MC-EMERGENCY", None, "this emergency was already confirmed")]
    found: list[Violation] = []
    if len(statement.strip()) < MIN_REASONS_CHARS:
        found.append(
            Violation(
                "MC-EMERGENCY",
                "written_request",
                "the written confirmation must restate the request and its facts",
            )
        )
    if now > deadline:
        found.append(
            Violation(
                "MC-EMERGENCY",
                None,
                "the 3 calendar days to confirm this "
                "emergency in writing ended at "
                f"{deadline.isoformat()}; the order stays suspended",
            )
        )
    return found
