"""An order's life: its status at any moment, computed from its facts.

Nothing here is a flag that a job must remember to flip (STYLE: derive, don't
store). MC-NO-ORDER-NO-DATA asks "was this order in force at t?", and the
answer comes from `in_force`, which every caller uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from mailcover.law.errors import Violation
from mailcover.law.periods import Period, exceeds_continuous_cap
from mailcover.law.terms import Grounds, OrderStatus

# MC-EMERGENCY, (e)(3): an oral request is confirmed in writing within 3 calendar days.
EMERGENCY_CONFIRMATION_DAYS = 3


@dataclass(frozen=True)
class OrderFacts:
    """What is known about one order: its approved periods and the events since."""

    grounds: Grounds
    periods: tuple[Period, ...]
    emergency_requested_at: datetime | None = None
    confirmed_at: datetime | None = None
    indicted_at: datetime | None = None
    improper_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("an order has at least one approved period")
        for before, after in zip(self.periods, self.periods[1:], strict=False):
            if after.starts_at != before.ends_at:
                raise ValueError("an order's periods must follow each other without a gap")

    @property
    def starts_at(self) -> datetime:
        return self.periods[0].starts_at

    @property
    def ends_at(self) -> datetime:
        return self.periods[-1].ends_at

    @property
    def emergency(self) -> bool:
        return self.emergency_requested_at is not None


def confirmation_deadline(order: OrderFacts) -> datetime | None:
    """MC-EMERGENCY: when the written confirmation of an emergency order is due."""
    if order.emergency_requested_at is None:
        return None
    return order.emergency_requested_at + timedelta(days=EMERGENCY_CONFIRMATION_DAYS)


def confirmed_in_time(order: OrderFacts) -> bool:
    deadline = confirmation_deadline(order)
    if deadline is None:
        return True
    return order.confirmed_at is not None and order.confirmed_at <= deadline


def order_status(order: OrderFacts, now: datetime) -> OrderStatus:
    """The order's status at `now`. The most final cause wins."""
    if order.improper_at is not None and order.improper_at <= now:
        return OrderStatus.IMPROPER  # MC-IMPROPER: final, no appeal state
    if (
        order.indicted_at is not None
        and order.indicted_at <= now
        and order.grounds is not Grounds.FUGITIVE
    ):
        return OrderStatus.TERMINATED  # MC-INDICTMENT, (g)(7)
    if now < order.starts_at:
        return OrderStatus.SCHEDULED
    deadline = confirmation_deadline(order)
    if deadline is not None and now > deadline and not confirmed_in_time(order):
        return OrderStatus.SUSPENDED  # MC-EMERGENCY: unconfirmed, stops capturing
    if now >= order.ends_at:
        return OrderStatus.ENDED
    return OrderStatus.ACTIVE


def in_force(order: OrderFacts, moment: datetime) -> bool:
    """MC-NO-ORDER-NO-DATA: may anything be recorded under this order at `moment`?"""
    return order_status(order, moment) is OrderStatus.ACTIVE


def window_of_force(order: OrderFacts) -> tuple[datetime, datetime]:
    """The half-open stretch [start, stop) in which `in_force` holds, for the queries that
    must ask it of many moments at once (OIG-AFTER-EXPIRY looks for captures outside it).
    `stop` is the first moment the order is no longer in force: its end, or an earlier
    improper ruling, indictment (fugitive orders excepted) or missed confirmation deadline.
    The tests hold this equal to `in_force` at every moment."""
    stop = order.ends_at
    if order.improper_at is not None:
        stop = min(stop, order.improper_at)
    if order.indicted_at is not None and order.grounds is not Grounds.FUGITIVE:
        stop = min(stop, order.indicted_at)
    deadline = confirmation_deadline(order)
    if deadline is not None and not confirmed_in_time(order):
        # Suspended only once `now > deadline`: the deadline itself is still in force.
        stop = min(stop, deadline + timedelta(microseconds=1))
    return order.starts_at, max(stop, order.starts_at)


def may_record(order: OrderFacts, scanned_at: datetime, now: datetime) -> bool:
    """MC-NO-ORDER-NO-DATA for a piece of mail: scanned while the order was in force, and
    the order still in force when the piece is recorded. "Nothing is recorded after an order
    ends": a piece scanned on the last day and reported after the end is not captured, nor
    is one reported after the order was suspended, terminated or ruled improper."""
    return in_force(order, scanned_at) and in_force(order, now)


def releases_nothing(order: OrderFacts, now: datetime) -> bool:
    """MC-EMERGENCY, MC-IMPROPER: a suspended or improper order releases nothing it holds."""
    if order_status(order, now) in (OrderStatus.SUSPENDED, OrderStatus.IMPROPER):
        return True
    # An indictment shows as TERMINATED, which outranks SUSPENDED; an emergency order left
    # unconfirmed past its deadline must still release nothing it captured (MC-EMERGENCY).
    deadline = confirmation_deadline(order)
    return deadline is not None and now > deadline and not confirmed_in_time(order)


def check_release(order: OrderFacts, now: datetime) -> list[Violation]:
    """MC-IMPROPER, MC-EMERGENCY: may what the order captured be shown or handed over now?"""
    if not releases_nothing(order, now):
        return []
    if order_status(order, now) is OrderStatus.IMPROPER:
        return [
            Violation(
                "MC-IMPROPER",
                None,
                "the order was ruled improper: what it captured is released to no one, and "
                "is to be destroyed",
            )
        ]
    return [
        Violation(
            "MC-EMERGENCY",
            None,
            "the emergency order was not confirmed in writing within "
            f"{EMERGENCY_CONFIRMATION_DAYS} days: it releases nothing it captured",
        )
    ]


def over_continuous_cap(order: OrderFacts) -> bool:
    """MC-120: does the order, as approved, run past 120 continuous days?"""
    return exceeds_continuous_cap(order.starts_at, order.ends_at)


class OrderEvent(StrEnum):
    """What can still happen to an order, whoever may do it."""

    EXTENSION = "extension"
    CONFIRMATION = "confirmation"
    INDICTMENT = "indictment"
    IMPROPER_RULING = "improper_ruling"
    REVIEW = "review"


def events_possible(order: OrderFacts, now: datetime) -> frozenset[OrderEvent]:
    """The events an order can still take at `now`: none once it is ruled improper (final);
    only an improper ruling once it has stopped (its data is then destroyed); all that
    apply while it is in force."""
    status = order_status(order, now)
    if status is OrderStatus.IMPROPER:
        return frozenset()
    if status is not OrderStatus.ACTIVE:
        return frozenset({OrderEvent.IMPROPER_RULING})
    possible = {
        OrderEvent.EXTENSION,
        OrderEvent.INDICTMENT,
        OrderEvent.IMPROPER_RULING,
        OrderEvent.REVIEW,
    }
    if order.emergency and order.confirmed_at is None:
        possible.add(OrderEvent.CONFIRMATION)
    return frozenset(possible)
