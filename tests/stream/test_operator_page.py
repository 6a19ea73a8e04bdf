"""The operator's page of the stream (stream.views.operator_page) reads the stream's state
from NATS when MAILCOVER_NATS_URL is set, and says so plainly when NATS does not answer."""

from __future__ import annotations

from typing import Any

from tests.conftest import signed_in
from tests.stream.test_metrics import stream_settings  # noqa: F401 (a fixture)


def test_the_operator_reads_the_streams_state_from_nats(stream_settings, people):  # noqa: F811
    page = signed_in(people.operator).get("/stream").content.decode()

    assert "NATS answers: stream" in page
    assert f"stream {stream_settings.MAILCOVER_NATS_STREAM} holds 0 pieces" in page
    assert "0 not yet delivered" in page


def test_a_stream_that_does_not_answer_is_said_to_be_down(settings: Any, people) -> None:
    settings.MAILCOVER_NATS_URL = "nats://127.0.0.1:9"  # nothing listens there

    answer = signed_in(people.operator).get("/stream")

    assert answer.status_code == 200
    assert "NATS did not answer" in answer.content.decode()
