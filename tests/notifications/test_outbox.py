"""E-mail to the people who must act, read from Django's outbox: who gets what, that no
message carries anything of the case, that nobody hears of a case they may not see, and
that no reminder goes twice."""

from __future__ import annotations

import dataclasses
import smtplib
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from tests.covers.conftest import FACTS, draft_for
from tests.records.test_notices import make_customer, make_request  # noqa: F401

from mailcover.accounts.models import User
from mailcover.covers import actions
from mailcover.covers.models import CoverRequest
from mailcover.notifications import outbox
from mailcover.notifications.models import Delivery
from mailcover.records import notices

# What a message must never hold: the subject, the address, the agency, the grounds and
# statute, the facts, and the case number.
CASE_DATA = (
    "JOHN Q PUBLIC",
    "RICHARD ROE",
    "MAIN ST",
    "62704",
    "Springfield Police",
    "crime",
    "1341",
    FACTS[:30],
    "MC-20",
    "RR-20",
    "PAT Q CUSTOMER",
    "approved",
    "denied",
)


@pytest.fixture(autouse=True)
def sent(settings: Any, people: Any) -> list[Any]:
    """Django's in-memory outbox, and everyone given an address to write to."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MAILCOVER_PUBLIC_URL = "https://mailcover.example"
    for person in User.objects.all():
        person.email = f"{person.username}@example.gov"
        person.save(update_fields=["email"])
    mail.outbox = []
    return mail.outbox


def to(messages: list[Any]) -> set[str]:
    return {address.split("@")[0] for message in messages for address in message.to}


def file(who: User, **changes: Any) -> CoverRequest:
    return actions.file_request(who, draft_for(who, **changes), timezone.now())


def user(name: str) -> User:
    return User.objects.get(username=name)


def assert_no_case_data(messages: list[Any]) -> None:
    assert messages
    for message in messages:
        text = f"{message.subject}\n{message.body}"
        for secret in CASE_DATA:
            assert secret.lower() not in text.lower(), (secret, text)


def test_a_request_waiting_goes_to_each_official_who_may_decide_it_and_nobody_else(people, sent):
    filed = file(people.requester)
    report = outbox.send_due(timezone.now())
    # The OSG and headquarters designees and the chief; not the Inspector in Charge (an
    # emergency only), the approver without a delegation, the requester or anyone else.
    assert to(sent) == {"approver", "hq", "chief"}
    assert report.sent == 3
    message = sent[0]
    assert message.subject == "A mail cover request waits for your decision"
    assert f"https://mailcover.example/requests/{filed.pk}" in message.body
    assert_no_case_data(sent)


def test_an_emergency_request_also_goes_to_the_inspector_in_charge(people, sent):
    file(people.requester, emergency=True, emergency_reason="Evidence is about to be lost.")
    outbox.send_due(timezone.now())
    assert "iic" in to(sent)


def test_the_requester_hears_of_the_decision_and_only_the_requester(people, sent):
    filed = file(people.requester)
    outbox.send_due(timezone.now())
    mail.outbox.clear()
    actions.approve(people.approver, filed, None, timezone.now())
    outbox.send_due(timezone.now())
    assert to(mail.outbox) == {"requester"}
    [message] = mail.outbox
    assert message.subject == "A decision was made on your mail cover request"
    assert f"/requests/{filed.pk}" in message.body
    assert_no_case_data(mail.outbox)


def test_a_denial_is_told_without_its_outcome_or_reason(people, sent):
    filed = file(people.requester)
    actions.deny(people.approver, filed, "The facts do not show a felony.", timezone.now())
    outbox.send_due(timezone.now())
    # Decided before the pass: no official is asked to look at it any more.
    assert to(mail.outbox) == {"requester"}
    assert "felony" not in mail.outbox[0].body
    assert_no_case_data(mail.outbox)


def test_no_person_of_another_agency_or_outside_the_cases_ever_gets_a_message(people, sent):
    filed = file(people.requester)
    order = actions.approve(people.approver, filed, 30, timezone.now())
    outbox.send_due(timezone.now())
    for day in (27, 28, 29):
        outbox.send_due(order.facts().starts_at + timedelta(days=day))
    never = {"outsider", "operator", "admin", "oversight", "head", "inspector", "colleague"}
    assert not to(sent) & never


def test_the_same_pass_twice_sends_nothing_twice(people, sent):
    file(people.requester)
    first = outbox.send_due(timezone.now())
    second = outbox.send_due(timezone.now())
    assert first.sent == 3
    assert second.sent == 0
    assert len(sent) == 3


def test_an_emergency_confirmation_reminder_goes_once_in_the_last_day(people, sent):
    filed = file(people.requester, emergency=True, emergency_reason="Evidence is about to go.")
    order = actions.approve(people.iic, filed, None, timezone.now())
    filed_at = order.request.filed_at
    outbox.send_due(filed_at + timedelta(hours=1))
    mail.outbox.clear()
    outbox.send_due(filed_at + timedelta(days=1))  # two days left: not yet
    assert not mail.outbox
    for hours in (49, 60, 71):  # inside the last 24 hours, three passes
        outbox.send_due(filed_at + timedelta(hours=hours))
    assert to(mail.outbox) == {"requester"}
    [message] = mail.outbox
    assert message.subject == "An emergency mail cover needs its written confirmation"
    assert f"/orders/{order.pk}" in message.body
    assert_no_case_data(mail.outbox)


def test_a_confirmed_emergency_is_not_reminded(people, sent):
    filed = file(people.requester, emergency=True, emergency_reason="Evidence is about to go.")
    order = actions.approve(people.iic, filed, None, timezone.now())
    actions.confirm_emergency(people.requester, order, "Confirmed in writing.", timezone.now())
    mail.outbox.clear()
    outbox.send_due(order.request.filed_at + timedelta(hours=60))
    assert "An emergency mail cover needs its written confirmation" not in [
        m.subject for m in mail.outbox
    ]


def test_an_order_ending_is_told_to_its_requester_once(people, sent):
    order = actions.approve(people.approver, file(people.requester), 30, timezone.now())
    ends = order.facts().ends_at
    outbox.send_due(timezone.now())
    mail.outbox.clear()
    outbox.send_due(ends - timedelta(days=4))
    assert not mail.outbox
    outbox.send_due(ends - timedelta(days=2))
    outbox.send_due(ends - timedelta(days=1))
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("A mail cover order ends soon", ["requester@example.gov"])
    ]
    assert_no_case_data(mail.outbox)


def test_a_review_coming_due_goes_to_the_headquarters_reviewers_once(people, sent, settings):
    settings.MAILCOVER_POLICY = dataclasses.replace(
        settings.MAILCOVER_POLICY, review_interval_days=5
    )
    order = actions.approve(people.approver, file(people.requester), 30, timezone.now())
    mail.outbox.clear()
    outbox.send_due(timezone.now())
    outbox.send_due(timezone.now() + timedelta(days=1))
    reviews = [m for m in mail.outbox if m.subject.endswith("periodic review")]
    # MC-REVIEW: the chief and a headquarters designee, never the OSG designee.
    assert to(reviews) == {"hq", "chief"}
    assert len(reviews) == 2
    assert all(f"/orders/{order.pk}" in m.body for m in reviews)
    assert_no_case_data(reviews)


def test_the_requester_hears_that_the_customer_notice_was_sent(people, sent, make_request):  # noqa: F811
    customer = make_customer()
    records_request = make_request(customer)
    now = timezone.now()
    notices.queue_notice(records_request, customer, now)
    notices.send_due(now)
    mail.outbox.clear()  # the customer's own notice
    outbox.send_due(timezone.now())
    assert to(mail.outbox) == {"requester"}
    [message] = mail.outbox
    assert message.subject == "The customer notice of your records request was sent"
    assert f"/records/{records_request.pk}" in message.body
    assert_no_case_data(mail.outbox)


def test_what_the_ledger_recorded_long_ago_is_not_mailed_about(people, sent):
    file(people.requester)
    outbox.send_due(timezone.now() + outbox.LOOKBACK + timedelta(hours=1))
    assert not sent


def test_a_message_the_mail_server_refused_goes_on_the_next_pass(people, sent):
    file(people.requester)

    class Refusing:
        def send_messages(self, messages: list[Any]) -> int:
            raise smtplib.SMTPServerDisconnected("gone")

    report = outbox.send_due(timezone.now(), connection=Refusing())
    assert report.failed == 3
    assert not Delivery.objects.exists()
    assert outbox.send_due(timezone.now()).sent == 3
    assert to(sent) == {"approver", "hq", "chief"}


def test_the_command_runs_one_pass(people, sent):
    file(people.requester)
    out = StringIO()
    call_command("send_notifications", stdout=out)
    assert "3 sent" in out.getvalue()
    assert len(sent) == 3


def test_a_person_without_an_address_or_deactivated_gets_nothing(people, sent):
    User.objects.filter(username="hq").update(email="")
    User.objects.filter(username="chief").update(is_active=False)
    file(people.requester)
    outbox.send_due(timezone.now())
    assert to(sent) == {"approver"}
