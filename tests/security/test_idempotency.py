"""The requester whose worker died mid-request: its Idempotency-Key is released after a
bounded time (MAILCOVER_IDEMPOTENCY_PENDING_SECONDS), never held at 409 for ever, while a
finished answer under the same key is still replayed. The clock is the middleware's, set by
the test."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from mailcover.accounts.idempotency import IdempotencyMiddleware
from mailcover.accounts.models import ApiToken, IdempotencyRecord
from mailcover.covers.models import CoverRequest
from mailcover.web import server


@pytest.fixture
def clock(monkeypatch):
    """The middleware's clock, moved by the test: `clock.advance(seconds)`."""

    class Clock:
        def __init__(self) -> None:
            self.now = timezone.now()

        def advance(self, seconds: float) -> None:
            self.now += timedelta(seconds=seconds)

    fixed = Clock()
    monkeypatch.setattr(IdempotencyMiddleware, "clock", staticmethod(lambda: fixed.now))
    return fixed


@pytest.fixture
def requester_headers(people):
    token = ApiToken.issue(people.requester, timezone.now(), 1, second_factor=True)
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": "file-dead-worker"}


def abandoned_reservation(people, body) -> IdempotencyRecord:
    """What a worker killed mid-request leaves: the key reserved, no answer written."""
    return IdempotencyRecord.objects.create(
        caller=f"user:{people.requester.pk}",
        key="file-dead-worker",
        path="/api/v1/cover-requests",
        body_digest=hashlib.sha256(json.dumps(body).encode()).hexdigest(),
        status=0,
        content_type="",
        body=b"",
    )


def pending_seconds() -> int:
    return int(settings.MAILCOVER_IDEMPOTENCY_PENDING_SECONDS)


def test_sec_idempotency_a_key_whose_worker_died_is_still_409_within_the_pending_time(
    api, people, make_body, requester_headers, clock
):
    abandoned_reservation(people, make_body())
    clock.advance(pending_seconds() - 1)

    response = api.post("/cover-requests", make_body(), None, requester_headers)

    assert response.status_code == 409
    assert "still being processed" in response.json()["detail"]
    assert not CoverRequest.objects.exists()


def test_sec_idempotency_a_key_whose_worker_died_is_released_after_the_pending_time(
    api, people, make_body, requester_headers, clock
):
    abandoned_reservation(people, make_body())
    clock.advance(pending_seconds() + 1)

    response = api.post("/cover-requests", make_body(), None, requester_headers)

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert CoverRequest.objects.count() == 1
    record = IdempotencyRecord.objects.get(key="file-dead-worker")
    assert record.status == 201


def test_sec_idempotency_the_retry_after_release_is_then_replayed(
    api, people, make_body, requester_headers, clock
):
    abandoned_reservation(people, make_body())
    clock.advance(pending_seconds() + 1)
    first = api.post("/cover-requests", make_body(), None, requester_headers)

    again = api.post("/cover-requests", make_body(), None, requester_headers)

    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert CoverRequest.objects.count() == 1


def test_sec_idempotency_a_finished_answer_is_replayed_however_old(
    api, make_body, requester_headers, clock
):
    first = api.post("/cover-requests", make_body(), None, requester_headers)
    clock.advance(pending_seconds() * 1000)

    again = api.post("/cover-requests", make_body(), None, requester_headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert CoverRequest.objects.count() == 1


def test_sec_idempotency_a_released_key_with_another_body_runs_that_body(
    api, people, make_body, requester_headers, clock
):
    """The first body never got an answer, so nothing was promised under the key."""
    abandoned_reservation(people, make_body(days=20))
    clock.advance(pending_seconds() + 1)

    response = api.post("/cover-requests", make_body(), None, requester_headers)

    assert response.status_code == 201


def test_sec_idempotency_the_pending_time_outlasts_the_servers_request_timeout():
    """A request still running inside its worker is never overtaken by its own retry."""
    longest_request = server.REQUEST_TIMEOUT_SECONDS + server.GRACEFUL_TIMEOUT_SECONDS

    assert pending_seconds() > longest_request


def test_sec_idempotency_a_pending_time_within_the_request_timeout_stops_start_up(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MAILCOVER_") and key != "DATABASE_URL"
    }
    environment.update(
        {"MAILCOVER_VAR_DIR": str(tmp_path), "MAILCOVER_IDEMPOTENCY_PENDING_SECONDS": "60"}
    )

    started = subprocess.run(
        [sys.executable, "-c", "import mailcover.config.settings"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert started.returncode != 0
    assert "MAILCOVER_IDEMPOTENCY_PENDING_SECONDS must be at least 71" in started.stderr
