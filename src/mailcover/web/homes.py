"""What each home shows first: what this person may act on now.

- an official (approver, chief): the requests they may decide, each with its age against the
  decision target (OIG-TIMELINESS, `law.compliance.decision_target`); requests whose approval
  needs another official are counted, not listed, so nobody learns it on submit;
- the requesting agency: each emergency order still awaiting its written confirmation, with
  the time left before it stops capturing (MC-EMERGENCY), as a warning first on the page;
- an inspector: the records requests waiting for their review (not their own, RR-SCOPE's
  MC-NOT-SELF, `law.records.check_reviewer`);
- everyone who reads cases: the newest orders and requests, with the total and a link to the
  full list (no silent cut).

Every row comes from the same visible querysets as the lists (covers.actions,
records.actions): a home never shows a case its person may not open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mailcover.accounts.models import User
from mailcover.covers import actions
from mailcover.covers.models import CoverOrder, CoverRequest
from mailcover.law import records as records_law
from mailcover.law.compliance import decision_target
from mailcover.law.orders import OrderEvent, confirmation_deadline, events_possible
from mailcover.law.roles import Action, is_requesting_agency, may
from mailcover.records import actions as records

HOME_ROWS = 10
QUEUE_ROWS = 100


def span(length: timedelta) -> str:
    """A duration in days and hours (or hours and minutes under a day), for a person."""
    seconds = max(0, int(length.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    if days:
        return unit(days, "day") + (f" {unit(hours, 'hour')}" if hours else "")
    if hours:
        return unit(hours, "hour") + (f" {unit(minutes, 'minute')}" if minutes else "")
    return unit(minutes, "minute")


@dataclass(frozen=True)
class Waiting:
    """A request in an official's queue, with its age against the decision target."""

    request: CoverRequest
    age: str
    target: str
    overdue: bool
    left: str


def _waiting(filed: CoverRequest, now: datetime) -> Waiting:
    age = now - filed.filed_at
    target = decision_target(filed.emergency, actions.policy())
    return Waiting(filed, span(age), span(target), age > target, span(target - age))


@dataclass
class Queue:
    rows: list[Waiting]
    pending: int  # every undecided request the person may see
    others: int  # of those, the ones another official must decide
    more: int  # decidable ones beyond the rows shown


def approval_queue(user: User, now: datetime) -> Queue:
    """The undecided requests this official may decide now, emergencies first, then the
    oldest; the rest are counted (they need a headquarters delegation, or were filed by this
    person, MC-AUTHORITY / MC-120 / MC-NOT-SELF)."""
    pending = list(
        actions.visible_requests(user)
        .filter(decision__isnull=True)
        .select_related("extends__request")
        .prefetch_related("extends__periods", "extends__reviews", "extends__extension_requests")
        .order_by("-emergency", "filed_at")
    )
    official = user.as_official()
    decidable = [r for r in pending if not actions.approval_refusals(official, r, now)]
    rows = [_waiting(r, now) for r in decidable[:QUEUE_ROWS]]
    return Queue(rows, len(pending), len(pending) - len(decidable), len(decidable) - len(rows))


@dataclass(frozen=True)
class EmergencyDue:
    order: CoverOrder
    deadline: datetime
    left: str


def emergencies_due(user: User, now: datetime) -> list[EmergencyDue]:
    """MC-EMERGENCY: the requesting agency's emergency orders whose written confirmation can
    still be given, soonest deadline first. Past the deadline the order is suspended and the
    confirmation is no longer possible (law.orders.events_possible)."""
    if not may(user.role_set, Action.CONFIRM_EMERGENCY):
        return []
    found = []
    candidates = actions.visible_orders(user).filter(
        request__emergency=True, emergency_confirmation__isnull=True
    )
    for order in candidates:
        if not is_requesting_agency(user.agency_id, order.agency_id):
            continue
        facts = order.facts()
        deadline = confirmation_deadline(facts)
        if deadline is None or OrderEvent.CONFIRMATION not in events_possible(facts, now):
            continue
        found.append(EmergencyDue(order, deadline, span(deadline - now)))
    return sorted(found, key=lambda due: due.deadline)


@dataclass
class RecordsQueue:
    rows: list[dict[str, Any]]
    more: int


def records_waiting(user: User, now: datetime) -> RecordsQueue | None:
    """An inspector's records requests waiting for a review they may give: under review,
    and not filed by them (law.records.check_reviewer), oldest first."""
    if not may(user.role_set, Action.REVIEW_RECORDS_REQUEST):
        return None
    under_review = (
        records.visible_requests(user)
        .filter(decision__isnull=True, production__isnull=True)
        .order_by("filed_at", "pk")
    )
    mine = [r for r in under_review if not records_law.check_reviewer(user.pk, r.requester_id)]
    rows = [
        {"request": r, "age": span(now - r.filed_at), "emergency": r.is_emergency}
        for r in mine[:QUEUE_ROWS]
    ]
    return RecordsQueue(rows, len(mine) - len(rows))
