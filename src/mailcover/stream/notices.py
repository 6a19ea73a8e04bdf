"""Order changes, told to every worker within a second (DESIGN.md, At scale).

An order is approved or extended (an `OrderPeriod`), confirmed (`EmergencyConfirmation`),
ended by an indictment (`IndictmentNotice`) or ruled improper (`ImproperRuling`): each adds
a row to one of these tables. Once that row is committed, the web process publishes an empty
message on ORDERS_CHANGED; every worker is subscribed and looks at the database again before
its next piece. The notice names no case. Losing one costs at most a second: a worker also
looks once a second by itself (`covers.in_force.OrderIndex`), and whatever it believes, each
capture is checked against the order as the database holds it when it is written, so a stale
worker can miss a piece but never keep one.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import nats
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save

from mailcover.covers.models import (
    EmergencyConfirmation,
    ImproperRuling,
    IndictmentNotice,
    OrderPeriod,
)
from mailcover.stream import jetstream
from mailcover.stream.jetstream import ORDERS_CHANGED

log = logging.getLogger(__name__)

NOTICE_TIMEOUT_S = 1.0
"""A person's approval never waits longer than this on NATS."""

ORDER_CHANGES = (OrderPeriod, EmergencyConfirmation, IndictmentNotice, ImproperRuling)


def connect() -> None:
    for model in ORDER_CHANGES:
        post_save.connect(_changed, sender=model, dispatch_uid=f"stream-notice-{model.__name__}")


def _changed(sender: Any, created: bool = False, **kwargs: Any) -> None:
    if created and settings.MAILCOVER_NATS_URL:
        transaction.on_commit(lambda: tell_workers(settings.MAILCOVER_NATS_URL))


def tell_workers(url: str) -> bool:
    """Publish the notice; False (and a warning) when NATS did not take it in time."""
    try:
        jetstream.run(asyncio.wait_for(_publish(url), NOTICE_TIMEOUT_S))
    except Exception as problem:  # the workers' own once-a-second look still sees the change
        log.warning("workers were not told of an order change at %s: %r", url, problem)
        return False
    return True


async def _publish(url: str) -> None:
    client = await nats.connect(url, name="mailcover web", allow_reconnect=False)
    try:
        await client.publish(ORDERS_CHANGED, b"")
        await client.flush()
    finally:
        await client.close()
