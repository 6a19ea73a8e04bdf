"""Two officials, or one double click, acting on the same order at the same moment on
PostgreSQL: two extension requests, two confirmations of one emergency, two indictment
notices, two improper rulings, two report returns. Each passed its check on what it read
before the other wrote: two extensions waiting at once, or a unique constraint's error as a
500. Now the order's row is locked before the check (`covers.actions.locked`), so the second
waits, sees the first and is refused with a 409 or 422 naming what exists; a constraint
error left over is a 409, never a 500.

Each race is forced: the law's check sleeps, so both calls would be inside it together were
the row not locked. On SQLite these tests are skipped: a writing transaction there takes the
whole database (BEGIN IMMEDIATE, config/settings.py), so the second call cannot begin its
check before the first commits and the race cannot happen."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from tests.conftest import request_body

from mailcover.accounts.models import ApiToken, User
from mailcover.covers.models import (
    CoverRequest,
    EmergencyConfirmation,
    ImproperRuling,
    IndictmentNotice,
)
from mailcover.law import extensions, rulings
from mailcover.ledger import log, triggers
from mailcover.oversight import actions as oversight_actions
from mailcover.oversight.models import ReportReturn

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite takes the whole database for each writing transaction: no race to lose",
)

STALL = 0.5  # seconds inside the law's check: long enough for the other call to get there


@pytest.fixture
def ledger_triggers_after_flush(django_db_blocker: Any) -> Iterator[None]:
    """The flush that ends a transactional test cannot empty the append-only ledger: its
    triggers are lifted for the flush and put back after it."""
    yield
    with django_db_blocker.unblock():
        triggers.install(connection)
    log.forget_cached_head()


@pytest.fixture
def committed(ledger_triggers_after_flush: None, transactional_db: None) -> Iterator[None]:
    """Rows the test writes are committed, so that the threads' connections see them."""
    yield
    triggers.remove(connection)


def bearer(user: User) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {ApiToken.issue(user, timezone.now(), 1, second_factor=True)}"
    }


def post(path: str, body: Any, user: User) -> Any:
    client = Client(raise_request_exception=False)  # a 500 is an answer here, not a raise
    return client.post(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=bearer(user)
    )


def stall(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
    """Make the law's check slow, as if the server were busy between check and write."""
    real = getattr(module, name)

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(STALL)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)


def at_once(call: Callable[[], Any], times: int = 2) -> list[Any]:
    """Run `call` in `times` threads released together; their answers."""
    start = threading.Barrier(times)
    answers: list[Any] = [None] * times

    def run(i: int) -> None:
        start.wait()
        try:
            answers[i] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def approved(people: Any, approver: User | None = None, **changes: Any) -> int:
    filed = post("/cover-requests", request_body(**changes), people.requester)
    assert filed.status_code == 201, filed.content
    order = post(f"/cover-requests/{filed.json()['id']}/approve", {}, approver or people.approver)
    assert order.status_code == 200, order.content
    return int(order.json()["id"])


def statuses(answers: list[Any]) -> list[int]:
    return sorted(a.status_code for a in answers)


EXTENSION = {
    "days": 30,
    "investigative_benefit": "Two new victims identified; more expected before trial.",
    "indicted": False,
    "represented_by_attorney": False,
}


def test_sec_races_two_extensions_at_once_leave_one_waiting_and_a_409(
    committed: None, people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = approved(people)
    stall(monkeypatch, extensions, "check_extension")

    answers = at_once(
        lambda: post(f"/cover-orders/{order_id}/extensions", EXTENSION, people.requester)
    )

    assert statuses(answers) == [201, 409]
    refused = next(a for a in answers if a.status_code == 409)
    waiting = CoverRequest.objects.get(extends_id=order_id, decision__isnull=True)
    assert waiting.case_number in refused.json()["detail"]
    assert CoverRequest.objects.filter(extends_id=order_id).count() == 1


def test_sec_races_two_confirmations_of_one_emergency_are_one_and_no_500(
    committed: None, people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = approved(
        people,
        people.iic,
        emergency=True,
        emergency_reason="The drop address is about to be abandoned and evidence lost.",
    )
    stall(monkeypatch, rulings, "check_emergency_confirmation")
    body = {"written_request": "Confirmed in writing by the requesting officer's chief."}

    answers = at_once(
        lambda: post(f"/cover-orders/{order_id}/emergency-confirmation", body, people.requester)
    )

    assert statuses(answers)[0] == 200
    refused = statuses(answers)[1]
    assert refused in (409, 422)
    assert (
        "already confirmed" in next(a for a in answers if a.status_code == refused).json()["detail"]
    )
    assert EmergencyConfirmation.objects.filter(order_id=order_id).count() == 1


def test_sec_races_two_indictment_notices_are_one_and_no_500(
    committed: None, people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = approved(people)
    stall(monkeypatch, rulings, "check_indictment_notice")
    body = {"filed_on": timezone.now().date().isoformat(), "note": "Indicted."}

    answers = at_once(lambda: post(f"/cover-orders/{order_id}/indictment", body, people.requester))

    assert statuses(answers)[0] == 200
    assert statuses(answers)[1] in (409, 422)
    assert IndictmentNotice.objects.filter(order_id=order_id).count() == 1


def test_sec_races_two_improper_rulings_are_one_and_no_500(
    committed: None, people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = approved(people)
    stall(monkeypatch, rulings, "check_improper_ruling")
    body = {"reasons": "The statute cited carries no prison term."}
    rulers = iter([people.chief, people.hq])

    answers = at_once(lambda: post(f"/cover-orders/{order_id}/improper", body, next(rulers)))

    assert statuses(answers)[0] == 200
    assert statuses(answers)[1] in (409, 422)
    assert ImproperRuling.objects.filter(order_id=order_id).count() == 1


def test_sec_races_two_report_returns_are_one_and_a_409(
    committed: None, people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = approved(people)
    post(
        f"/cover-orders/{order_id}/indictment",
        {"filed_on": (timezone.now() - timedelta(days=1)).date().isoformat(), "note": ""},
        people.requester,
    )  # the cover ended, so its report documents are due back
    stall(monkeypatch, oversight_actions, "check_report_return")
    body = {
        "how": "returned",
        "certified_by": "LT. BAKER",
        "done_on": timezone.now().date().isoformat(),
        "note": "",
    }

    answers = at_once(
        lambda: post(f"/cover-orders/{order_id}/report-return", body, people.requester)
    )

    assert statuses(answers) == [201, 409]
    assert ReportReturn.objects.filter(order_id=order_id).count() == 1
