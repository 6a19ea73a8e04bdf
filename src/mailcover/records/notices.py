"""RR-NOTICE: the notice owed to a customer whose records were produced.

A notice is queued when the records are produced and goes out by email once no
delayed-notice or nondisclosure order on file holds it (18 U.S.C. 2705). Whether it is
held, and until when, is derived from the orders on file each time it is asked
(mailcover.law.records), never stored. `send_due` is the worker's one pass; the
`send_notices` management command runs it once or in a loop.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
from django.db import transaction

from mailcover.law import records as law
from mailcover.law.errors import Violation, refuse_if
from mailcover.ledger import log as ledger
from mailcover.ledger.entries import digest
from mailcover.ledger.events import EventName
from mailcover.records.models import Customer, CustomerNotice, NoticeDelay, RecordsRequest

if TYPE_CHECKING:
    from mailcover.accounts.models import User

logger = logging.getLogger(__name__)

SUBJECT = "Notice of a records request about your postal account"

CATEGORY_WORDS = {
    law.Category.SUBSCRIBER: "subscriber records",
    law.Category.TRANSACTIONAL: "transactional records",
    law.Category.CONTENT: "content",
    law.Category.FINANCIAL: "financial records",
}

# The provision that let the notice wait, as 2705(a)(5)(D) and 12 U.S.C. 3409(b) say the
# delayed notice must name it.
PROVISIONS = {
    law.DelayKind.DELAYED_NOTICE: "18 U.S.C. 2705(a)",
    law.DelayKind.NONDISCLOSURE: "18 U.S.C. 2705(b)",
}

# What stops a message at the mail server or on the way to it; a notice that meets one
# stays queued for the next pass. Anything else is a bug and should be seen.
SEND_ERRORS = (smtplib.SMTPException, OSError)


@dataclass(frozen=True)
class NoticeState:
    """Where a request's customer notice stands on a day.

    `state` is "not_due" (no notice queued: nothing produced, or no email on file),
    "held", "queued" (free to go at the next pass) or "sent". While held, `held_until`
    is the last day held, as the court's order reads, and `goes_on` the first day it may
    go; both are None while an open-ended nondisclosure order holds it, and then
    `recheck_due` says when that order is to be looked at again (DOJ policy, 2017).
    """

    state: str
    held_until: date | None = None
    goes_on: date | None = None
    recheck_due: date | None = None
    sent_at: datetime | None = None

    @property
    def queued(self) -> bool:
        return self.state in ("queued", "held")

    @property
    def held(self) -> bool:
        return self.state == "held"

    @property
    def sent(self) -> bool:
        return self.state == "sent"


@dataclass
class SendReport:
    """What one pass of `send_due` did."""

    sent: int = 0
    held: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.held} held, {self.failed} failed"


# -- Queueing and delays -------------------------------------------------------------


def queue_notice(
    request: RecordsRequest, customer: Customer, now: datetime
) -> CustomerNotice | None:
    """RR-NOTICE: owe the customer a notice of this request (once; a second call returns
    the first). None when the customer has no email to send it to."""
    if not customer.email:
        return None
    with transaction.atomic():
        notice, created = CustomerNotice.objects.get_or_create(
            request=request,
            defaults={"customer": customer, "email": customer.email, "queued_at": now},
        )
        if created:
            # The ledger is append-only and outlives the customer records: it names the
            # request, never the customer's address or name.
            ledger.record(
                None, EventName.RECORDS_NOTICE_QUEUED, now, case=request.number, refs=_refs(notice)
            )
    return notice


def add_delay(
    request: RecordsRequest,
    kind: law.DelayKind,
    starts_on: date,
    ends_on: date | None,
    court_reference: str,
    by: User,
    now: datetime,
) -> NoticeDelay:
    """RR-NOTICE: put a delayed-notice or nondisclosure order on file. A renewal is
    another order, so another row (90 days at a time)."""
    reference = court_reference.strip()
    found = law.check_delay(law.Delay(kind, starts_on, ends_on))
    if not reference:
        found.append(
            Violation("RR-NOTICE", "court_reference", "name the court's order (court and number)")
        )
    refuse_if(found)
    with transaction.atomic():
        # Waits for a pass that is sending this notice right now (PostgreSQL), so the
        # order is either seen by that pass or recorded after the notice went.
        list(CustomerNotice.objects.select_for_update().filter(request=request))
        delay = NoticeDelay.objects.create(
            request=request,
            kind=kind.value,
            starts_on=starts_on,
            ends_on=ends_on,
            court_reference=reference,
            recorded_by=by,
            recorded_at=now,
        )
        ledger.record(
            by,
            EventName.RECORDS_NOTICE_DELAYED,
            now,
            case=request.number,
            refs={"records_request": request.pk, "notice_delay": delay.pk},
            kind=kind.value,
            starts_on=starts_on.isoformat(),
            ends_on=ends_on.isoformat() if ends_on else None,
            # The court's reference may carry the customer's name (an "In re ..." caption):
            # the ledger keeps its digest; the delay's row keeps the text.
            court_reference_sha256=digest(reference),
        )
    return delay


# -- Status --------------------------------------------------------------------------


def delays_of(rows: Iterable[NoticeDelay]) -> tuple[law.Delay, ...]:
    return tuple(law.Delay(law.DelayKind(row.kind), row.starts_on, row.ends_on) for row in rows)


def notice_status(request: RecordsRequest, today: date) -> NoticeState:
    """RR-NOTICE: the state of the request's notice today, derived from the orders."""
    notice = CustomerNotice.objects.filter(request=request).first()
    if notice is not None and notice.sent_at is not None:
        return NoticeState("sent", sent_at=notice.sent_at)
    delays = delays_of(request.delays.all())
    goes_on = law.notice_held_until(delays, today)
    held = goes_on is None or goes_on > today
    recheck = [law.nondisclosure_recheck_due(d) for d in delays]
    return NoticeState(
        state="not_due" if notice is None else "held" if held else "queued",
        held_until=goes_on - timedelta(days=1) if held and goes_on else None,
        goes_on=goes_on if held else None,
        recheck_due=min((due for due in recheck if due is not None), default=None),
    )


# -- Sending -------------------------------------------------------------------------


def send_due(
    now: datetime,
    connection: Any = None,
    *,
    stopping: Callable[[], bool] = lambda: False,
) -> SendReport:
    """RR-NOTICE: send every queued notice no order holds back today, each in its own
    transaction; a failure leaves that notice queued for the next pass and the others go
    on. `stopping` is asked between notices (a worker told to stop ends the pass there)."""
    report = SendReport()
    mail = connection if connection is not None else get_connection()
    for notice in _unsent():
        if stopping():
            break
        if not law.notice_may_go(delays_of(notice.request.delays.all()), now.date()):
            report.held += 1
            continue
        try:
            outcome = _send_one(notice.pk, now, mail)
        except SEND_ERRORS as error:
            # The error's class and code only: SMTPRecipientsRefused's text holds the
            # address, and the request number is enough to find the notice.
            logger.warning(
                "notice of %s not sent: %s %s",
                notice.request.number,
                type(error).__name__,
                getattr(error, "smtp_code", ""),
            )
            report.failed += 1
            continue
        if outcome == "sent":
            report.sent += 1
        elif outcome == "held":
            report.held += 1
    return report


def _unsent() -> Iterable[CustomerNotice]:
    return (
        CustomerNotice.objects.filter(sent_at__isnull=True)
        .select_related("request")
        .prefetch_related("request__delays")
        .order_by("queued_at", "pk")
    )


def _send_one(pk: int, now: datetime, mail: Any) -> str:
    """Claim, send and mark one notice in one transaction: "sent", "held" (an order came
    on file since the pass began) or "gone" (another worker has it, or sent it).

    There is no "claimed" state to take before sending, so the row itself is the claim
    and the send happens inside the transaction that marks it. On PostgreSQL the row is
    locked FOR UPDATE SKIP LOCKED: another worker skips it instead of waiting, and sees
    it sent once this commits. On SQLite (no SELECT FOR UPDATE) the conditional UPDATE
    `sent_at IS NULL` that must hit one row is the claim: it takes SQLite's write lock
    until commit, so a second worker's UPDATE waits and then hits none. The price:
    SQLite writers wait for the mail server while a notice goes out (a development
    database only), and a crash between the send and the commit sends that notice once
    more on the next pass. Exactly once is not on offer from SMTP; at least once is the
    right side to err on for a notice the law owes.
    """
    with transaction.atomic():
        notice = _claim(pk, now)
        if notice is None:
            return "gone"
        orders = list(notice.request.delays.all())
        if not law.notice_may_go(delays_of(orders), now.date()):
            transaction.set_rollback(True)  # undo the claim: an order holds it
            return "held"
        message = EmailMessage(
            SUBJECT,
            notice_text(notice, orders, now.date()),
            settings.DEFAULT_FROM_EMAIL,
            [notice.email],
            connection=mail,
        )
        message.send(fail_silently=False)  # raises: the transaction rolls back the claim
        # After the send, so the ledger's head is not locked while the mail server talks.
        ledger.record(
            None, EventName.RECORDS_NOTICE_SENT, now, case=notice.request.number, refs=_refs(notice)
        )
    return "sent"


def _claim(pk: int, now: datetime) -> CustomerNotice | None:
    unsent = CustomerNotice.objects.filter(pk=pk, sent_at__isnull=True)
    locks_rows = db_connection.features.has_select_for_update_skip_locked
    if locks_rows and unsent.select_for_update(skip_locked=True).first() is None:
        return None
    if unsent.update(sent_at=now) != 1:
        return None
    return CustomerNotice.objects.select_related(
        "request__agency", "request__production", "customer"
    ).get(pk=pk)


def _refs(notice: CustomerNotice) -> dict[str, int]:
    return {"records_request": notice.request_id, "customer_notice": notice.pk}


# -- The message ---------------------------------------------------------------------


def notice_text(notice: CustomerNotice, orders: list[NoticeDelay], today: date) -> str:
    """The notice: what was obtained, by whom, under what, when; and, if the notice was
    held, by which provision and until when (2705(a)(5), 12 U.S.C. 3409(b)). Of the
    customer's records it names the account holder only: the notice may reach an
    address the customer no longer controls."""
    request = notice.request
    paragraphs = [
        f"Dear {notice.customer.name},",
        f"This is a notice of records request {request.number} about your postal account.",
        _obtained(request, _produced_on(notice)),
        *_delayed(request, orders, notice.queued_at.date(), today),
        f"Quote {request.number} in any question about this notice.",
    ]
    return "\n\n".join(paragraphs) + "\n"


def _obtained(request: RecordsRequest, produced_on: date) -> str:
    kinds = " and ".join(CATEGORY_WORDS[c] for c in request.category_set)
    issued = f"issued by {request.issued_by}"
    if request.issued_on is not None:
        issued += f" on {request.issued_on.isoformat()}"
    instrument = law.INSTRUMENT_NAMES[request.instrument_kind]
    article = "an" if instrument[0] in "aeiou" else "a"
    return (
        f"A government entity, {request.agency.name}, obtained {kinds} of your account "
        f"from {request.start.isoformat()} to {request.end.isoformat()}, under {article} "
        f"{instrument} {issued}. The records were produced on {produced_on.isoformat()}."
    )


def _delayed(
    request: RecordsRequest, orders: list[NoticeDelay], queued_on: date, today: date
) -> list[str]:
    """The sentence owed when an order held the notice after the production: which
    court, under which provision, until when (2705(a)(5)(B)-(D))."""
    held = [
        order
        for order in orders
        if order.starts_on <= today and order.ends_on is not None and order.ends_on >= queued_on
    ]
    if not held:
        return []
    until = max(order.ends_on for order in held if order.ends_on is not None)
    kinds = {law.DelayKind(order.kind) for order in held}
    provisions = sorted(PROVISIONS[kind] for kind in kinds)
    if law.Category.FINANCIAL in request.category_set and law.DelayKind.DELAYED_NOTICE in kinds:
        provisions.append("12 U.S.C. 3409")
    courts = "; ".join(dict.fromkeys(order.court_reference for order in held))
    return [
        f"This notice was delayed by court order ({courts}) under "
        f"{' and '.join(provisions)} until {until.isoformat()}."
    ]


def _produced_on(notice: CustomerNotice) -> date:
    made = getattr(notice.request, "production", None)
    return made.produced_at.date() if made is not None else notice.queued_at.date()
