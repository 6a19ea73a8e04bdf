"""The index of orders in force, for the ingest: what the matcher needs of each order, kept
current as orders change.

The index holds the orders in force when it was built. It is rebuilt when an order
changes (a cheap fingerprint of the tables that decide an order's life, looked at
no more than once a second) and when the clock passes the next moment an order starts,
ends or falls due for its emergency confirmation. Whether a piece is recorded is decided by
`law.orders.may_record` twice: when it is matched, against the index's orders, and when its
capture is written (`covers.ingest`), against the order as the database holds it then; so a
stale index can miss a piece, never keep one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection
from django.utils import timezone

from mailcover.covers.models import (
    Attorney,
    CoverOrder,
    EmergencyConfirmation,
    ImproperRuling,
    IndictmentNotice,
    OrderPeriod,
)
from mailcover.law.orders import confirmation_deadline, order_status
from mailcover.law.terms import OrderStatus, Scope
from mailcover.matching import Attorney as CoveredAttorney
from mailcover.matching import CoveredOrder, MatchIndex
from mailcover.postal.address import AddressError, parse

log = logging.getLogger(__name__)

FINGERPRINT_EVERY_S = 1.0
"""How often a running ingest asks the database whether an order changed."""


@dataclass(frozen=True)
class Loaded:
    """The orders in force at `at`, as the matcher needs them, and those it cannot use."""

    at: datetime
    orders: tuple[CoveredOrder, ...]
    subjects: dict[int, int]  # order id -> subject id, for the ledger
    unusable: dict[str, str]  # case number -> why the matcher cannot use the order
    valid_until: datetime | None  # the next moment an order starts, ends or falls due


def covered_order(order: CoverOrder) -> CoveredOrder:
    """What the matcher needs of one order; ValueError saying why when it cannot use it."""
    filed = order.request
    subject = filed.subject
    try:
        address = parse(subject.address)
    except AddressError as error:
        raise ValueError(f"the subject's address cannot be read ({error.code})") from None
    attorneys = tuple(_attorney(a) for a in filed.attorneys.all())
    return CoveredOrder(
        order_id=order.pk,
        case_number=order.case_number,
        scope=Scope(filed.scope),
        names=(subject.name, *subject.aliases),
        address=address,
        facts=order.facts(),
        attorneys=attorneys,
    )


def _attorney(attorney: Attorney) -> CoveredAttorney:
    try:
        address = parse(attorney.address) if attorney.address.strip() else None
    except AddressError:
        address = None  # the name alone still excludes their mail (MC-ATTORNEY)
    return CoveredAttorney(attorney.name, address)


def _with_facts() -> Any:
    """Orders with what `covered_order` reads of them, in a few queries."""
    return CoverOrder.objects.select_related(
        "request__subject", "emergency_confirmation", "indictment", "improper_ruling"
    ).prefetch_related("periods", "request__attorneys")


def load(now: datetime) -> Loaded:
    """The orders in force at `now`."""
    found = _with_facts().filter(periods__ends_at__gt=now).distinct()
    orders: list[CoveredOrder] = []
    subjects: dict[int, int] = {}
    unusable: dict[str, str] = {}
    upcoming: list[datetime] = []
    for order in found:
        facts = order.facts()
        status = order_status(facts, now)
        if status in (OrderStatus.IMPROPER, OrderStatus.TERMINATED, OrderStatus.SUSPENDED):
            continue
        deadline = confirmation_deadline(facts)
        upcoming += [t for t in (facts.starts_at, facts.ends_at, deadline) if t and t > now]
        if status is not OrderStatus.ACTIVE:
            continue
        try:
            orders.append(covered_order(order))
        except ValueError as problem:
            unusable[order.case_number] = str(problem)
            # The reason may quote the subject's name or address: it stays out of the log.
            log.warning("order %s cannot be matched against; see its subject", order.case_number)
            continue
        subjects[order.pk] = order.request.subject_id
    return Loaded(now, tuple(orders), subjects, unusable, min(upcoming, default=None))


def covered_orders() -> list[CoveredOrder]:
    """Every order the matcher can use, in force or not (a synthetic stream is made for
    them all: pieces for an order no longer in force must not be captured)."""
    usable = []
    for order in _with_facts().order_by("pk"):
        try:
            usable.append(covered_order(order))
        except ValueError:
            continue
    return usable


_FINGERPRINTED = (OrderPeriod, EmergencyConfirmation, IndictmentNotice, ImproperRuling)


def fingerprint() -> tuple[Any, ...]:
    """Changes whenever an order is approved, extended, confirmed, ends early or is ruled
    improper: each of these adds a row to one of these tables, which are only added to.
    Their counts and last keys, in one statement (it runs once a second and at each write)."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql(connection.vendor))
        row = cursor.fetchone()
    return tuple(row)


@cache
def _fingerprint_sql(vendor: str) -> str:
    """The statement, made once from the models' own table and key names (no input)."""
    quote = connection.ops.quote_name
    parts = []
    for model in _FINGERPRINTED:
        table, key = quote(model._meta.db_table), quote(model._meta.pk.attname)
        # The names are the models' own, quoted: no input reaches this text.
        parts.append(f"(SELECT COUNT(*) FROM {table}), (SELECT MAX({key}) FROM {table})")  # noqa: S608
    return "SELECT " + ", ".join(parts)


class OrderIndex:
    """A `MatchIndex` of the orders in force, kept current (see the module docstring)."""

    def __init__(self, clock: Callable[[], datetime] = timezone.now) -> None:
        self._clock = clock
        self._loaded: Loaded | None = None
        self._fingerprint: tuple[Any, ...] = ()
        self._checked_at = 0.0
        self.index = MatchIndex()

    @property
    def loaded(self) -> Loaded:
        if self._loaded is None:
            self.current(self._clock())
        assert self._loaded is not None
        return self._loaded

    def current(self, now: datetime, *, force: bool = False, look_now: bool = False) -> MatchIndex:
        """The index for `now`: rebuilt when forced, when the clock passed a start or an end,
        or when the fingerprint changed (looked at once a second, or at once: `look_now`)."""
        loaded = self._loaded
        stale = loaded is None or force or (loaded.valid_until and now >= loaded.valid_until)
        moment = time.monotonic()  # the fingerprint is looked at by the wall clock
        due = look_now or moment - self._checked_at >= FINGERPRINT_EVERY_S
        if not stale and due:
            self._checked_at = moment
            stale = fingerprint() != self._fingerprint
        if stale:
            self._fingerprint = fingerprint()
            self._checked_at = moment
            self._loaded = load(now)
            self.index.refresh(self._loaded.orders)
        return self.index
