"""Who may order, extend, review or rule on a cover: MC-AUTHORITY, MC-NOT-SELF,
MC-120, MC-NONDISCLOSURE, MC-REVIEW."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from mailcover.law.errors import Violation
from mailcover.law.terms import DelegationScope, Grounds, Policy, Role

HEADQUARTERS = frozenset({DelegationScope.CHIEF, DelegationScope.HQ_DESIGNEE})


@dataclass(frozen=True)
class Delegation:
    """A written delegation of authority to order covers, (d)(1)-(3)."""

    reference: str
    scope: DelegationScope
    valid_from: datetime
    valid_until: datetime | None = None
    revoked_at: datetime | None = None
    group: str | None = None  # the Operations Support Group of an OSG designee

    def in_force(self, now: datetime) -> bool:
        if now < self.valid_from:
            return False
        if self.valid_until is not None and now >= self.valid_until:
            return False
        return self.revoked_at is None or now < self.revoked_at


@dataclass(frozen=True)
class Official:
    """The person acting: who they are, what they hold, what they have signed."""

    user_id: int
    roles: frozenset[Role]
    delegations: tuple[Delegation, ...]
    has_nondisclosure: bool


@dataclass(frozen=True)
class Decision:
    """What is being decided: a request (or extension) and what approving it would mean."""

    filer_ids: frozenset[int]  # the requester, and for an extension the original one too
    grounds: Grounds
    emergency: bool
    past_continuous_cap: bool  # MC-120: approving it keeps the cover past 120 days


def check_not_self(official: Official, filer_ids: Iterable[int]) -> list[Violation]:
    """MC-NOT-SELF: nobody approves, extends or reviews a request they filed."""
    if official.user_id in set(filer_ids):
        return [
            Violation(
                "MC-NOT-SELF", None, "you filed this request; another official must decide it"
            )
        ]
    return []


def check_nondisclosure(has_nondisclosure: bool) -> list[Violation]:
    """MC-NONDISCLOSURE: nobody works on covers without a signed acknowledgment on file."""
    if not has_nondisclosure:
        return [
            Violation(
                "MC-NONDISCLOSURE",
                None,
                "no signed nondisclosure acknowledgment is on file for you; nobody "
                "works on mail covers without one",
            )
        ]
    return []


def delegation_reaches(delegation: Delegation, decision: Decision) -> bool:
    """MC-AUTHORITY and MC-120: does this one delegation reach this decision?"""
    if delegation.scope in HEADQUARTERS:
        return True
    if decision.grounds is Grounds.NATIONAL_SECURITY or decision.past_continuous_cap:
        return False  # (d)(1), (g)(6): headquarters only
    if delegation.scope is DelegationScope.INSPECTOR_IN_CHARGE:
        return decision.emergency  # (d)(3): an Inspector in Charge only in emergencies
    return delegation.scope is DelegationScope.OSG_DESIGNEE


def _authority_refusal(decision: Decision) -> Violation:
    if decision.grounds is Grounds.NATIONAL_SECURITY:
        return Violation(
            "MC-AUTHORITY",
            None,
            "national-security covers are ordered only by "
            "the Chief Postal Inspector or a headquarters designee",
        )
    if decision.past_continuous_cap:
        return Violation(
            "MC-120",
            "days",
            "this keeps the cover in force past 120 continuous "
            "days; only the Chief Postal Inspector or a national headquarters "
            "designee may approve it personally",
        )
    return Violation(
        "MC-AUTHORITY", None, "you hold no written delegation in force that reaches this request"
    )


def find_authority(
    official: Official, decision: Decision, now: datetime
) -> tuple[Delegation | None, list[Violation]]:
    """The delegation an approval rests on, or the rules that stand in its way.

    Approving needs all of: not one's own request, an acknowledgment on file,
    the approver or chief role, and a delegation in force that reaches it.
    """
    found = [
        *check_not_self(official, decision.filer_ids),
        *check_nondisclosure(official.has_nondisclosure),
    ]
    if not official.roles & {Role.APPROVER, Role.CHIEF}:
        found.append(
            Violation("MC-AUTHORITY", None, "only an approver or the chief decides cover requests")
        )
    in_force = [d for d in official.delegations if d.in_force(now)]
    reaching = [d for d in in_force if delegation_reaches(d, decision)]
    if not in_force:
        found.append(
            Violation(
                "MC-AUTHORITY", None, "you hold no written delegation in force to order covers"
            )
        )
    elif not reaching:
        found.append(_authority_refusal(decision))
    if found:
        return None, found
    # The narrowest delegation that reaches it is the one recorded.
    order = list(DelegationScope)
    return max(reaching, key=lambda d: order.index(d.scope)), []


def check_reviewer(
    official: Official, filer_ids: Iterable[int], grounds: Grounds, now: datetime
) -> list[Violation]:
    """MC-REVIEW, (j)(1)-(2): a periodic review by the Chief Postal Inspector or a
    headquarters designee (for national-security orders, a designee of the Chief), never
    by anyone who filed the request or an extension of it."""
    found = [*check_not_self(official, filer_ids), *check_nondisclosure(official.has_nondisclosure)]
    headquarters = [d for d in official.delegations if d.in_force(now) and d.scope in HEADQUARTERS]
    if not official.roles & {Role.APPROVER, Role.CHIEF} or not headquarters:
        kind = "national-security orders" if grounds is Grounds.NATIONAL_SECURITY else "orders"
        found.append(
            Violation(
                "MC-REVIEW",
                None,
                f"{kind} are reviewed by the Chief Postal Inspector or a headquarters designee "
                "holding a delegation in force",
            )
        )
    return found


def check_designee_limits(
    existing: Iterable[Delegation], new: Delegation, now: datetime, policy: Policy
) -> list[Violation]:
    """MC-AUTHORITY, (d)(2) (policy): at most 2 headquarters designees, 2 per OSG."""
    live = [d for d in existing if d.in_force(now)]
    if new.scope is DelegationScope.HQ_DESIGNEE:
        held = sum(1 for d in live if d.scope is DelegationScope.HQ_DESIGNEE)
        if held >= policy.hq_designee_limit:
            return [
                Violation(
                    "MC-AUTHORITY",
                    "delegation",
                    f"there are already {held} "
                    f"headquarters designees (at most {policy.hq_designee_limit})",
                )
            ]
    if new.scope is DelegationScope.OSG_DESIGNEE:
        per_group = Counter(
            group_key(d.group) for d in live if d.scope is DelegationScope.OSG_DESIGNEE
        )
        if per_group[group_key(new.group)] >= policy.osg_designee_limit:
            return [
                Violation(
                    "MC-AUTHORITY",
                    "delegation",
                    f"group {new.group!r} already has "
                    f"{per_group[group_key(new.group)]} designees (at most "
                    f"{policy.osg_designee_limit})",
                )
            ]
    return []


def group_key(group: str | None) -> str:
    """An Operations Support Group as the limit counts it: "OSG WEST", "osg west" and
    "Osg  West" are one group, so spelling cannot multiply its designees ((d)(2))."""
    return " ".join((group or "").split()).casefold()
