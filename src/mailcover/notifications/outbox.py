"""E-mail to the people who must act: a request waiting for their decision, a decision on
their request, an approaching deadline (an emergency's written confirmation, an order's
end, a periodic review) and a customer notice sent. Each message links to the page and
names nothing of the case (`notifications.messages`).

`send_due(now)` is one pass; the `send_notifications` management command runs it once
(cron) or in a loop. What happened comes from the ledger, read in order from where the last
pass stopped (`LedgerCursor`), so no action has to remember to send anything; deadlines are
computed from the orders at the moment of the pass (`mailcover.law`), never stored. Who
gets a message is asked of the law for each person: someone who may not see the case (or
may not decide it) is never told it exists. `Delivery` keeps each message from going to
the same person twice, however often the pass runs.
"""

from __future__ import annotations

import json
import logging
import smtplib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse

from mailcover.accounts.models import User
from mailcover.covers import actions as covers
from mailcover.covers.models import CoverOrder, CoverRequest
from mailcover.law import authority
from mailcover.law.orders import confirmation_deadline, order_status
from mailcover.law.reviews import review_due_at
from mailcover.law.roles import sees_case, sees_records_request
from mailcover.law.terms import OrderStatus
from mailcover.ledger.events import EventName
from mailcover.ledger.models import Entry
from mailcover.notifications import messages
from mailcover.notifications.messages import Message
from mailcover.notifications.models import Delivery, LedgerCursor
from mailcover.records.models import RecordsRequest

logger = logging.getLogger(__name__)

# How long before a deadline the reminder goes (policy, not law).
CONFIRMATION_LEAD = timedelta(hours=24)  # of the 3 days MC-EMERGENCY gives
ORDER_END_LEAD = timedelta(days=3)
REVIEW_LEAD = timedelta(days=7)
# Ledger entries older than this are not mailed about: a first pass on a database with a
# history, or one after a long stop, tells nobody about what is long decided.
LOOKBACK = timedelta(days=2)

WAITING = (EventName.REQUEST_FILED, EventName.EXTENSION_FILED)
DECIDED = (EventName.REQUEST_APPROVED, EventName.REQUEST_DENIED)
NOTICE_SENT = (EventName.RECORDS_NOTICE_SENT,)

SEND_ERRORS = (smtplib.SMTPException, OSError)


@dataclass
class Report:
    sent: int = 0
    already_sent: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.already_sent} already sent, {self.failed} failed"


@dataclass(frozen=True)
class Outgoing:
    recipient: User
    topic: str
    message: Message


# -- who ------------------------------------------------------------------------------------


def _people() -> Iterable[User]:
    """Everyone who can be written to: an active account with an address."""
    return (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .select_related("agency")
        .prefetch_related("delegations", "acknowledgments")
    )


def _reads_case(user: User, agency_id: int) -> bool:
    """MC-NONDISCLOSURE and the case's agency: a person told of a case may open it."""
    return covers.reads_cases(user) and sees_case(user.role_set, user.agency_id, agency_id)


def _reachable(user: User | None) -> bool:
    return user is not None and user.is_active and bool(user.email)


def deciders(request: CoverRequest, now: datetime) -> list[User]:
    """Those who may decide the request now, by the rules `approve` applies (MC-AUTHORITY,
    MC-NOT-SELF, MC-120, ...): the same answer the approval queue gives them."""
    return [
        person
        for person in _people()
        if _reads_case(person, request.agency_id)
        and not covers.approval_refusals(person.as_official(), request, now)
    ]


def reviewers(order: CoverOrder, now: datetime) -> list[User]:
    """Those who may record the order's periodic review (MC-REVIEW, MC-NOT-SELF)."""
    grounds = order.request.grounds_value
    filers = order.filer_ids()
    return [
        person
        for person in _people()
        if _reads_case(person, order.agency_id)
        and not authority.check_reviewer(person.as_official(), filers, grounds, now)
    ]


def _requester(request: CoverRequest) -> list[User]:
    person = request.requester
    return [person] if _reachable(person) and _reads_case(person, request.agency_id) else []


# -- what happened (the ledger) -------------------------------------------------------------


def _request_path(request: CoverRequest) -> str:
    return reverse("web:request", args=[request.pk])


def _order_path(order: CoverOrder) -> str:
    return reverse("web:order", args=[order.pk])


def for_entry(entry: Entry, now: datetime) -> list[Outgoing]:
    """The messages one ledger entry calls for."""
    topic = f"entry:{entry.seq}"
    if entry.event in NOTICE_SENT:
        return _notice_sent(entry, topic)
    filed = CoverRequest.objects.select_related("requester__agency", "extends").filter(
        case_number=entry.case_number
    )
    request = filed.first()
    if request is None:
        return []
    if entry.event in WAITING:
        if hasattr(request, "decision"):
            return []  # decided before the pass came round: nobody need look any more
        message = messages.request_waiting(_request_path(request))
        return [Outgoing(p, topic, message) for p in deciders(request, now)]
    message = messages.decision_made(_request_path(request))
    return [Outgoing(p, topic, message) for p in _requester(request)]


def _notice_sent(entry: Entry, topic: str) -> list[Outgoing]:
    refs: dict[str, Any] = json.loads(bytes(entry.data)).get("refs", {})
    request_id = refs.get("records_request")
    if not isinstance(request_id, int):
        return []
    request = (
        RecordsRequest.objects.select_related("requester__agency")
        .filter(pk=request_id, number=entry.case_number)
        .first()
    )
    if request is None:
        return []
    person = request.requester
    if not _reachable(person) or not sees_records_request(
        person.role_set, person.agency_id, request.agency_id
    ):
        return []
    path = reverse("web:records-request", args=[request.pk])
    return [Outgoing(person, topic, messages.notice_sent(path))]


def _ledger_pass(now: datetime, mail: Any, report: Report) -> None:
    cursor, _ = LedgerCursor.objects.get_or_create(pk=1)
    head = Entry.objects.filter(seq__gt=cursor.seq).aggregate(last=Max("seq"))["last"]
    if head is None:
        return
    wanted = Entry.objects.filter(
        seq__gt=cursor.seq,
        seq__lte=head,
        event__in=(*WAITING, *DECIDED, *NOTICE_SENT),
        at__gte=now - LOOKBACK,
    ).order_by("seq")
    reached = head
    for entry in wanted:
        if not _send_all(for_entry(entry, now), now, mail, report):
            reached = min(reached, entry.seq - 1)  # this entry again next pass
    LedgerCursor.objects.filter(pk=1).update(seq=reached)


# -- what is coming (deadlines) -------------------------------------------------------------


def _orders_in_force(now: datetime) -> Iterable[CoverOrder]:
    return (
        CoverOrder.objects.filter(periods__ends_at__gt=now)
        .distinct()
        .select_related(
            "request__requester__agency",
            "emergency_confirmation",
            "indictment",
            "improper_ruling",
        )
        .prefetch_related("periods", "reviews", "extension_requests")
    )


def for_order(order: CoverOrder, now: datetime) -> Iterator[Outgoing]:
    """The reminders an order in force calls for at `now`."""
    facts = order.facts()
    if order_status(facts, now) is not OrderStatus.ACTIVE:
        return
    path = _order_path(order)
    due = confirmation_deadline(facts)
    if due is not None and facts.confirmed_at is None and now < due <= now + CONFIRMATION_LEAD:
        message = messages.confirmation_due(path, due)
        for person in _requester(order.request):
            yield Outgoing(person, f"confirmation-due:{order.pk}", message)
    ends = facts.ends_at
    if now < ends <= now + ORDER_END_LEAD:
        message = messages.order_ends(path, ends)
        for person in _requester(order.request):
            # The end in the topic: an extension moves it, and its new end is told again.
            yield Outgoing(person, f"order-ends:{order.pk}:{ends.isoformat()}", message)
    review = review_due_at(facts, order.last_review_at(), covers.policy())
    if review <= now + REVIEW_LEAD:
        message = messages.review_due(path, review)
        for person in reviewers(order, now):
            yield Outgoing(person, f"review-due:{order.pk}:{review.isoformat()}", message)


def _deadline_pass(now: datetime, mail: Any, report: Report) -> None:
    for order in _orders_in_force(now):
        _send_all(list(for_order(order, now)), now, mail, report)


# -- sending --------------------------------------------------------------------------------


def _send_all(outgoing: list[Outgoing], now: datetime, mail: Any, report: Report) -> bool:
    """Send each message not sent before; False when one could not go (tried next pass)."""
    whole = True
    for out in outgoing:
        try:
            sent = _send_one(out, now, mail)
        except SEND_ERRORS as error:
            # The error's class only: an SMTP refusal quotes the address.
            logger.warning("%s not sent: %s", out.topic, type(error).__name__)
            report.failed += 1
            whole = False
            continue
        if sent:
            report.sent += 1
        else:
            report.already_sent += 1
    return whole


def _send_one(out: Outgoing, now: datetime, mail: Any) -> bool:
    """Record the delivery and send, in one transaction: a message the server refused
    leaves no delivery, and goes next pass; one already delivered does not go again."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                Delivery.objects.create(recipient=out.recipient, topic=out.topic, sent_at=now)
        except IntegrityError:
            return False
        EmailMessage(
            out.message.subject,
            out.message.body(settings.MAILCOVER_PUBLIC_URL),
            settings.DEFAULT_FROM_EMAIL,
            [out.recipient.email],
            connection=mail,
        ).send(fail_silently=False)
    return True


def send_due(now: datetime, connection: Any = None) -> Report:
    """One pass: what the ledger records since the last pass, then the deadlines."""
    report = Report()
    mail = connection if connection is not None else get_connection()
    _ledger_pass(now, mail, report)
    _deadline_pass(now, mail, report)
    return report
