"""/metrics (Prometheus text) for the operator role and a scraper's token, and nobody else;
and the notice the web process gives the workers when an order changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.conftest import signed_in
from tests.covers.conftest import draft_for
from tests.stream.conftest import NATS_URL

from mailcover.accounts.models import ApiToken
from mailcover.covers import actions
from mailcover.stream.jetstream import ORDERS_CHANGED
from mailcover.stream.worker import Connection

SCRAPER_TOKEN = "scraper-" + "x" * 40


@pytest.fixture
def stream_settings(settings: Any, names: Any) -> Any:
    settings.MAILCOVER_NATS_URL = NATS_URL
    settings.MAILCOVER_NATS_STREAM = names.stream
    settings.MAILCOVER_NATS_DURABLE = names.durable
    settings.MAILCOVER_METRICS_TOKEN = SCRAPER_TOKEN
    names.create_consumer(ack_wait=30.0)
    return settings


def test_an_operator_reads_the_streams_figures(stream_settings, people):
    answer = signed_in(people.operator).get("/metrics")

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain; version=")
    text = answer.content.decode()
    assert "mailcover_stream_up 1.0" in text
    assert "mailcover_stream_pending 0.0" in text
    assert "mailcover_stream_unacknowledged 0.0" in text
    assert "mailcover_stream_redelivered 0.0" in text


def test_a_scraper_reads_them_with_its_token(stream_settings, db):
    answer = Client().get("/metrics", headers={"Authorization": f"Bearer {SCRAPER_TOKEN}"})

    assert answer.status_code == 200
    assert "mailcover_stream_pending" in answer.content.decode()


def test_an_operators_api_token_reads_them(stream_settings, people):
    token = ApiToken.issue(people.operator, timezone.now(), 1, second_factor=False)
    answer = Client().get("/metrics", headers={"Authorization": f"Bearer {token}"})

    assert answer.status_code == 200


@pytest.mark.parametrize("who", ["requester", "approver", "oversight", "admin", "inspector"])
def test_nobody_without_the_operator_role_reads_them(stream_settings, people, who):
    person = getattr(people, who)
    assert signed_in(person).get("/metrics").status_code == 403
    token = ApiToken.issue(person, timezone.now(), 1, second_factor=True)
    assert Client().get("/metrics", headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_nobody_signed_out_or_with_a_wrong_token_reads_them(stream_settings, db):
    assert Client().get("/metrics").status_code == 401
    wrong = Client().get("/metrics", headers={"Authorization": "Bearer " + "y" * 48})
    assert wrong.status_code == 403
    assert b"mailcover_stream" not in wrong.content


def test_without_nats_the_operator_is_told_what_is_missing(settings, people):
    settings.MAILCOVER_NATS_URL = ""

    answer = signed_in(people.operator).get("/metrics")

    assert answer.status_code == 503
    assert b"MAILCOVER_NATS_URL" in answer.content


def test_when_nats_does_not_answer_the_scrape_says_it_is_down(settings, people):
    settings.MAILCOVER_NATS_URL = "nats://127.0.0.1:1"

    answer = signed_in(people.operator).get("/metrics")

    assert answer.status_code == 200
    assert "mailcover_stream_up 0.0" in answer.content.decode()


def test_an_approval_is_told_to_the_workers_once_committed(
    settings, people, django_capture_on_commit_callbacks
):
    settings.MAILCOVER_NATS_URL = NATS_URL
    listening = Connection(NATS_URL, "a worker")  # as a worker listens, on a thread of its own
    notices = listening.call(listening.client.subscribe(ORDERS_CHANGED))
    listening.call(listening.client.flush())
    filed = actions.file_request(people.requester, draft_for(people.requester), timezone.now())

    with django_capture_on_commit_callbacks(execute=True) as committed:
        actions.approve(people.approver, filed, None, timezone.now())
        with pytest.raises(TimeoutError):  # nothing before the commit
            listening.call(notices.next_msg(timeout=0.2))
    notice = listening.call(notices.next_msg(timeout=1.0))  # DESIGN.md: within a second
    listening.close()

    assert committed
    assert notice.data == b""  # it names no case


def test_an_approval_goes_through_when_nats_is_down_and_says_so_in_the_log(
    settings, people, django_capture_on_commit_callbacks, caplog
):
    settings.MAILCOVER_NATS_URL = "nats://127.0.0.1:1"
    filed = actions.file_request(people.requester, draft_for(people.requester), timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        order = actions.approve(people.approver, filed, None, timezone.now())

    assert order.pk is not None  # the workers look once a second by themselves anyway
    assert "workers were not told of an order change" in caplog.text
