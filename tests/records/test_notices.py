"""RR-NOTICE in records/notices.py: queueing the customer's notice, holding it while a
court's order is on file, and sending it once, by email, when the order ends."""

from __future__ import annotations

import os
import signal
import smtplib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError

from mailcover.law.errors import RuleBroken
from mailcover.law.records import DelayKind
from mailcover.ledger.models import Entry
from mailcover.records import notices
from mailcover.records.management.commands import send_notices
from mailcover.records.models import (
    Customer,
    CustomerNotice,
    NoticeDelay,
    Production,
    RecordsRequest,
)

PRODUCED = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
TODAY = PRODUCED.date()
DAY = timedelta(days=1)


def at(day: date) -> datetime:
    """Nine in the morning, UTC, on that day: when the worker runs."""
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def outbox(settings: Any, db: None) -> list[Any]:
    """Django's in-memory mail; after `db`, whose test case set-up replaces the list."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


def make_customer(number: int = 1, email: str | None = None) -> Customer:
    return Customer.objects.create(
        account_number=f"10000000{number:02d}",
        name=f"PAT Q CUSTOMER {number}",
        address=f"{number} ELM ST, SPRINGFIELD IL 62704",
        email=f"pat{number}@example.org" if email is None else email,
        phone="217-555-0100",
        opened_at=datetime(2019, 5, 1, tzinfo=UTC),
        services=["click_n_ship"],
        recorded_at=datetime(2019, 5, 1, tzinfo=UTC),
    )


@pytest.fixture
def make_request(people: Any) -> Callable[..., RecordsRequest]:
    """A records request by the Springfield officer, produced on PRODUCED."""
    counter = iter(range(1, 100))

    def making(
        customer: Customer,
        categories: tuple[str, ...] = ("subscriber",),
        instrument: str = "subpoena",
    ) -> RecordsRequest:
        request = RecordsRequest.objects.create(
            number=f"RR-2026-{next(counter):06d}",
            agency=people.requester.agency,
            requester=people.requester,
            instrument=instrument,
            issued_by="Sangamon County Grand Jury",
            issued_on=date(2026, 2, 16),
            instrument_number="GJ-26-0042",
            instrument_file="instruments/gj-26-0042.pdf",
            instrument_sha256="0" * 64,
            identifiers={"account": customer.account_number},
            categories=list(categories),
            start=date(2025, 7, 1),
            end=date(2025, 12, 31),
            purpose="A lottery scheme: who paid for the labels.",
            filed_at=datetime(2026, 2, 17, tzinfo=UTC),
            body={},
            body_sha256="a" * 64,
        )
        Production.objects.create(
            request=request,
            customer=customer,
            produced_by=people.inspector,
            produced_at=PRODUCED,
            file="productions/x.zip",
            sha256="b" * 64,
            size=1,
            manifest={},
            counts={},
            ledger_seq=0,
        )
        return request

    return making


@pytest.fixture
def customer(db: None) -> Customer:
    return make_customer()


@pytest.fixture
def queued(customer: Customer, make_request: Callable[..., RecordsRequest]) -> CustomerNotice:
    notice = notices.queue_notice(make_request(customer), customer, PRODUCED)
    assert notice is not None
    return notice


def delay(
    notice: CustomerNotice,
    people: Any,
    kind: DelayKind,
    starts_on: date,
    ends_on: date | None,
    reference: str = "C.D. Ill. 3:26-mj-3001",
) -> NoticeDelay:
    return notices.add_delay(
        notice.request, kind, starts_on, ends_on, reference, people.requester, PRODUCED
    )


def entries(event: str) -> list[Entry]:
    return list(Entry.objects.filter(event=event))


# -- Queueing ------------------------------------------------------------------------


def test_rr_notice_a_production_queues_one_notice_to_the_customers_email(
    queued: CustomerNotice, customer: Customer
) -> None:
    assert queued.email == customer.email
    assert queued.queued_at == PRODUCED
    assert queued.sent_at is None
    again = notices.queue_notice(queued.request, customer, PRODUCED + DAY)
    assert again is not None
    assert again.pk == queued.pk
    assert CustomerNotice.objects.count() == 1
    assert len(entries("records.notice_queued")) == 1


def test_rr_notice_a_customer_without_an_email_gets_no_notice_queued(
    make_request: Callable[..., RecordsRequest],
) -> None:
    customer = make_customer(email="")
    assert notices.queue_notice(make_request(customer), customer, PRODUCED) is None
    assert not CustomerNotice.objects.exists()
    assert entries("records.notice_queued") == []


# -- Sending -------------------------------------------------------------------------


def test_rr_notice_a_notice_goes_out_when_no_order_holds_it(
    queued: CustomerNotice, outbox: list[Any]
) -> None:
    report = notices.send_due(at(TODAY + DAY))
    assert (report.sent, report.held, report.failed) == (1, 0, 0)
    [message] = outbox
    assert message.to == [queued.email]
    assert message.subject == "Notice of a records request about your postal account"
    queued.refresh_from_db()
    assert queued.sent_at == at(TODAY + DAY)
    assert notices.notice_status(queued.request, TODAY + DAY).state == "sent"


def test_rr_notice_running_twice_sends_once(queued: CustomerNotice, outbox: list[Any]) -> None:
    notices.send_due(at(TODAY))
    report = notices.send_due(at(TODAY))
    assert (report.sent, report.held, report.failed) == (0, 0, 0)
    assert len(outbox) == 1
    assert len(entries("records.notice_sent")) == 1


def test_rr_notice_the_email_says_who_obtained_what_under_which_instrument_and_when(
    queued: CustomerNotice, outbox: list[Any], people: Any
) -> None:
    notices.send_due(at(TODAY))
    body = outbox[0].body
    assert queued.request.number in body
    assert people.requester.agency.name in body
    assert "obtained subscriber records of your account from 2025-07-01 to 2025-12-31" in body
    assert "under a subpoena issued by Sangamon County Grand Jury on 2026-02-16" in body
    assert "produced on 2026-03-02" in body
    assert "delayed" not in body


def test_rr_notice_the_email_names_no_category_beyond_those_requested_nor_customer_data(
    queued: CustomerNotice, customer: Customer, outbox: list[Any]
) -> None:
    notices.send_due(at(TODAY))
    body = outbox[0].body
    for other in ("transactional", "content", "financial"):
        assert other not in body.lower()
    assert customer.name in body
    for private in (
        customer.email,
        customer.address,
        customer.phone,
        customer.account_number,
        "click_n_ship",
        "lottery",
    ):
        assert private not in body


def test_rr_notice_the_email_names_every_category_requested(
    customer: Customer, make_request: Callable[..., RecordsRequest], outbox: list[Any]
) -> None:
    request = make_request(customer, ("subscriber", "transactional"), "court_order_2703d")
    notices.queue_notice(request, customer, PRODUCED)
    notices.send_due(at(TODAY))
    body = outbox[0].body
    assert "subscriber records and transactional records" in body
    assert "court order under 18 U.S.C. 2703(d)" in body
    assert "content" not in body
    assert "financial" not in body


# -- Orders that hold the notice -----------------------------------------------------


def test_rr_notice_a_90_day_delayed_notice_order_holds_it_until_the_day_after_it_ends(
    queued: CustomerNotice, people: Any, outbox: list[Any]
) -> None:
    ends_on = TODAY + 89 * DAY
    delay(queued, people, DelayKind.DELAYED_NOTICE, TODAY, ends_on)
    status = notices.notice_status(queued.request, TODAY)
    assert (status.state, status.held_until, status.goes_on) == ("held", ends_on, ends_on + DAY)
    for day in (TODAY, ends_on):
        assert notices.send_due(at(day)).held == 1
    assert outbox == []
    assert notices.send_due(at(ends_on + DAY)).sent == 1
    assert (
        "delayed by court order (C.D. Ill. 3:26-mj-3001) under 18 U.S.C. 2705(a) "
        f"until {ends_on.isoformat()}" in outbox[0].body
    )


def test_rr_notice_a_renewal_keeps_holding_it(
    queued: CustomerNotice, people: Any, outbox: list[Any]
) -> None:
    delay(queued, people, DelayKind.DELAYED_NOTICE, TODAY, TODAY + 89 * DAY)
    renewal_ends = TODAY + 179 * DAY
    delay(
        queued,
        people,
        DelayKind.DELAYED_NOTICE,
        TODAY + 90 * DAY,
        renewal_ends,
        "C.D. Ill. 3:26-mj-3001 (renewal)",
    )
    assert NoticeDelay.objects.count() == 2
    assert notices.notice_status(queued.request, TODAY).held_until == renewal_ends
    assert notices.send_due(at(TODAY + 90 * DAY)).held == 1
    assert notices.send_due(at(renewal_ends + DAY)).sent == 1
    assert f"until {renewal_ends.isoformat()}" in outbox[0].body
    assert "(renewal)" in outbox[0].body


def test_rr_notice_an_open_ended_nondisclosure_order_holds_it_with_a_recheck_at_one_year(
    queued: CustomerNotice, people: Any, outbox: list[Any]
) -> None:
    delay(queued, people, DelayKind.NONDISCLOSURE, TODAY, None)
    status = notices.notice_status(queued.request, TODAY)
    assert (status.state, status.held, status.queued, status.sent) == ("held", True, True, False)
    assert (status.held_until, status.goes_on) == (None, None)
    assert status.recheck_due == date(2027, 3, 2)
    assert notices.send_due(at(TODAY + 400 * DAY)).held == 1
    assert outbox == []


def test_rr_notice_a_nondisclosure_order_with_an_end_releases_it_after(
    queued: CustomerNotice, people: Any, outbox: list[Any]
) -> None:
    ends_on = TODAY + 200 * DAY
    delay(queued, people, DelayKind.NONDISCLOSURE, TODAY, ends_on)
    assert notices.notice_status(queued.request, TODAY).recheck_due is None
    assert notices.send_due(at(ends_on)).held == 1
    assert notices.send_due(at(ends_on + DAY)).sent == 1
    assert f"under 18 U.S.C. 2705(b) until {ends_on.isoformat()}" in outbox[0].body


def test_rr_notice_a_delayed_financial_notice_names_12_usc_3409_too(
    customer: Customer,
    make_request: Callable[..., RecordsRequest],
    people: Any,
    outbox: list[Any],
) -> None:
    request = make_request(customer, ("financial",), "financial_administrative_subpoena")
    notice = notices.queue_notice(request, customer, PRODUCED)
    assert notice is not None
    delay(notice, people, DelayKind.DELAYED_NOTICE, TODAY, TODAY + 29 * DAY)
    notices.send_due(at(TODAY + 30 * DAY))
    assert "under 18 U.S.C. 2705(a) and 12 U.S.C. 3409 until" in outbox[0].body
    assert "under an administrative subpoena (12 U.S.C. 3405)" in outbox[0].body


def test_rr_notice_a_request_not_produced_has_no_notice_due(
    customer: Customer, make_request: Callable[..., RecordsRequest]
) -> None:
    assert notices.notice_status(make_request(customer), TODAY).state == "not_due"


# -- Refusals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "ends_in_days", "reference", "field"),
    [
        (DelayKind.DELAYED_NOTICE, -1, "C.D. Ill. 3:26-mj-3001", "ends_on"),  # ends first
        (DelayKind.NONDISCLOSURE, -1, "C.D. Ill. 3:26-mj-3001", "ends_on"),
        (DelayKind.DELAYED_NOTICE, 90, "C.D. Ill. 3:26-mj-3001", "ends_on"),  # 91 days
        (DelayKind.DELAYED_NOTICE, 30, "   ", "court_reference"),
    ],
    ids=["ends-before-start", "nondisclosure-ends-before-start", "91-days", "no-court"],
)
def test_rr_notice_an_order_the_law_does_not_allow_is_refused_and_nothing_recorded(
    queued: CustomerNotice,
    people: Any,
    kind: DelayKind,
    ends_in_days: int,
    reference: str,
    field: str,
) -> None:
    with pytest.raises(RuleBroken) as refused:
        delay(queued, people, kind, TODAY, TODAY + ends_in_days * DAY, reference)
    assert refused.value.rule == "RR-NOTICE"
    assert [v.field for v in refused.value.violations] == [field]
    assert not NoticeDelay.objects.exists()
    assert entries("records.notice_delayed") == []


# -- Failures ------------------------------------------------------------------------


class RefusingBackend(EmailBackend):
    """A mail server that refuses one address and takes the rest (into mail.outbox)."""

    def __init__(self, refused: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.refused = refused

    def send_messages(self, messages: Any) -> int:
        if any(self.refused in m.to for m in messages):
            raise smtplib.SMTPRecipientsRefused({self.refused: (550, b"mailbox unavailable")})
        return int(super().send_messages(messages))


def test_rr_notice_a_failed_send_stays_queued_and_goes_next_time_without_stopping_others(
    queued: CustomerNotice,
    make_request: Callable[..., RecordsRequest],
    outbox: list[Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    other = make_customer(2)
    notices.queue_notice(make_request(other), other, PRODUCED)
    report = notices.send_due(at(TODAY), connection=RefusingBackend(queued.email))
    assert (report.sent, report.held, report.failed) == (1, 0, 1)
    assert queued.request.number in caplog.text
    assert queued.email not in caplog.text
    assert [m.to for m in outbox] == [[other.email]]
    queued.refresh_from_db()
    assert queued.sent_at is None
    assert len(entries("records.notice_sent")) == 1
    report = notices.send_due(at(TODAY + DAY))
    assert (report.sent, report.failed) == (1, 0)
    assert [m.to for m in outbox] == [[other.email], [queued.email]]


# -- The ledger ----------------------------------------------------------------------


def test_rr_notice_every_step_is_on_the_ledger_without_the_customers_address_or_name(
    queued: CustomerNotice, customer: Customer, people: Any
) -> None:
    delay(queued, people, DelayKind.DELAYED_NOTICE, TODAY, TODAY + 9 * DAY)
    notices.send_due(at(TODAY + 10 * DAY))
    found = {
        event: entries(event)
        for event in ("records.notice_queued", "records.notice_delayed", "records.notice_sent")
    }
    assert all(len(rows) == 1 for rows in found.values())
    for [entry] in found.values():
        assert entry.case_number == queued.request.number
        data = bytes(entry.data).decode()
        assert customer.email not in data
        assert customer.name not in data
    assert found["records.notice_delayed"][0].actor_ref == people.requester.pk


# -- The command ---------------------------------------------------------------------


def test_rr_notice_the_command_runs_once_on_the_clock_it_is_given(
    queued: CustomerNotice, people: Any, outbox: list[Any]
) -> None:
    delay(queued, people, DelayKind.DELAYED_NOTICE, TODAY, TODAY + 9 * DAY)
    out = StringIO()
    call_command("send_notices", "--now", "2026-03-05T09:00:00+00:00", stdout=out)
    assert out.getvalue() == "send_notices 2026-03-05T09:00:00+00:00: 0 sent, 1 held, 0 failed\n"
    call_command("send_notices", "--now", "2026-03-12T09:00:00+00:00", stdout=out)
    assert out.getvalue().endswith(": 1 sent, 0 held, 0 failed\n")
    queued.refresh_from_db()
    assert queued.sent_at == datetime(2026, 3, 12, 9, tzinfo=UTC)
    assert len(outbox) == 1


def test_rr_notice_the_command_refuses_a_clock_without_a_zone(db: None) -> None:
    with pytest.raises(CommandError):
        call_command("send_notices", "--now", "2026-03-05T09:00:00")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_rr_notice_the_loop_stops_cleanly_on_a_signal(
    queued: CustomerNotice, monkeypatch: pytest.MonkeyPatch, stop_signal: int
) -> None:
    passes: list[datetime] = []

    def one_pass(now: datetime, **options: Any) -> notices.SendReport:
        passes.append(now)
        os.kill(os.getpid(), stop_signal)  # as systemd or Ctrl-C would, mid-pass
        return notices.send_due(now, **options)

    monkeypatch.setattr(send_notices, "send_due", one_pass)
    before = signal.getsignal(stop_signal)
    out = StringIO()
    call_command(
        "send_notices",
        "--loop",
        "--interval",
        "3600",
        "--now",
        "2026-03-05T09:00:00+00:00",
        stdout=out,
    )
    assert len(passes) == 1
    assert out.getvalue().splitlines()[-1] == "send_notices: stopped"
    assert signal.getsignal(stop_signal) == before
