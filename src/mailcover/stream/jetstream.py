"""The JetStream objects the mail stream lives in, made the same way by every process.

A stream of pieces (subjects `mail.pieces.<FACILITY>`), one durable pull consumer that every
worker shares, an object store bucket for the photographs, and a key-value bucket where each
worker leaves its rate. Whoever comes first (a feed or a worker) creates what is missing
with the limits below; docs/operations.md explains them.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit

import nats
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DiscardPolicy,
    KeyValueConfig,
    ObjectStoreConfig,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import APIError, NotFoundError
from nats.js.kv import KeyValue
from nats.js.object_store import ObjectStore

from mailcover.config.env import env_int

_T = TypeVar("_T")


def run(work: Coroutine[Any, Any, _T]) -> _T:
    """`asyncio.run(work)`, also from a thread whose event loop is already running (an ASGI
    server's, or a browser driver's in the tests), where asyncio.run refuses to nest: the work
    then runs to its end on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, work).result()


STREAM = "MAIL"
DURABLE = "mailcover-ingest"
IMAGES = "mail-images"
WORKERS = "mailcover-workers"
ORDERS_CHANGED = "mailcover.orders.changed"
"""Core NATS subject the web process publishes to when an order changes (no payload that
names a case: a worker only learns to look at the database again)."""

DUPLICATE_WINDOW_S = 10 * 60
"""A piece resent within this window is dropped by the stream (`Nats-Msg-Id` = piece_id);
a later resend is matched again and captures nothing twice (captures are unique on order
and piece). Each id is held in the server's memory for the window: 10 minutes of the
national average is about 2 million ids."""
MAX_AGE_S = 3 * 24 * 3600
"""A piece no worker took within 3 days is deleted unread: pieces are not kept for long
(no dragnet) and a backlog that old means the workers are down, which status shows."""
MAX_BYTES = 4 * 1024**3
"""The stream's disk, reserved on the server when the stream is made (about 10 million
events, 45 minutes of the national average); once full, a publish is refused (discard new)
and the feed exits naming it, rather than losing the oldest pieces silently. A cluster that
must hold a longer backlog makes the stream itself, larger (docs/operations.md); feeds and
workers use a stream as they find it."""
MAX_MESSAGE_BYTES = 1024 * 1024
"""One event; photographs travel in the object store, not in the message."""
ACK_WAIT_S = 30.0
"""A message a worker fetched and did not acknowledge within this is delivered again: a
worker that died mid-batch hands its batch to the others."""
MAX_ACK_PENDING = 50_000
"""Messages out with all workers together, unacknowledged: enough for 50 workers, each with
its batch in hand and the one fetched ahead."""
WORKER_TTL_S = 30.0
"""A worker's rate is kept this long after its last report: a dead worker drops off."""

CONNECT_TIMEOUT_S = 2.0

_TOKEN = re.compile(r"[^A-Z0-9_-]+")


class StreamError(Exception):
    """What went wrong with NATS, said so that the one running the command can act on it."""


@asynccontextmanager
async def named_errors(what: str) -> AsyncIterator[None]:
    """Any NATS failure inside, as a StreamError saying what was being done."""
    try:
        yield
    except APIError as problem:
        raise StreamError(f"{what}: JetStream refused ({problem.description})") from None
    except NatsError as problem:
        raise StreamError(f"{what}: {problem or type(problem).__name__}") from None


def nats_url(text: str) -> str:
    """A `nats://HOST:PORT` (or `tls://`) URL; ValueError naming what is wrong."""
    parts = urlsplit(text)
    if parts.scheme not in ("nats", "tls") or not parts.hostname:
        raise ValueError(f"{text!r} is not a NATS URL (nats://HOST:PORT)")
    return text


def is_nats_url(text: str) -> bool:
    return text.startswith(("nats://", "tls://"))


def subjects(stream: str) -> str:
    """The subjects of a stream's pieces: `mail.pieces.>` for the stream MAIL (streams may
    not share subjects, so another stream on the same server has its own)."""
    return f"{stream.lower()}.pieces.>"


def subject_for(stream: str, facility: object) -> str:
    """`mail.pieces.<FACILITY>`: a facility's name as one subject token (letters, digits,
    `_` and `-`), so a consumer or a permission can be narrowed to one plant."""
    token = _TOKEN.sub("_", str(facility or "").upper()).strip("_")
    return f"{stream.lower()}.pieces.{token or 'UNKNOWN'}"


async def connect(url: str, name: str) -> Client:
    """A connection that reconnects for ever once made; StreamError naming the server when
    it does not answer at first (nats-py would otherwise retry a wrong address for ever)."""
    parts = urlsplit(url)
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname, parts.port or 4222), CONNECT_TIMEOUT_S
        )
        writer.close()
        return await nats.connect(
            url, name=name, connect_timeout=CONNECT_TIMEOUT_S, max_reconnect_attempts=-1
        )
    except Exception as problem:  # nats-py raises several unrelated types on a failed connect
        reason = str(problem) or type(problem).__name__
        raise StreamError(f"cannot reach NATS at {url}: {reason}") from None


async def ensure_stream(js: JetStreamContext, stream: str) -> None:
    """The stream of pieces, created with the documented limits when missing; its disk is
    MAX_BYTES unless MAILCOVER_STREAM_MAX_BYTES says otherwise (the server reserves it whole
    when the stream is made: a small stream, such as a test's, asks for less)."""
    max_bytes = env_int("MAILCOVER_STREAM_MAX_BYTES", MAX_BYTES, minimum=1024 * 1024)
    try:
        await js.stream_info(stream)
        return
    except NotFoundError:
        pass
    await js.add_stream(
        StreamConfig(
            name=stream,
            description="mail-piece events, one message a piece (mailcover)",
            subjects=[subjects(stream)],
            # Work queue: a piece is deleted once a worker acknowledges it, so nothing of the
            # mail no order covers stays behind (DESIGN.md, no dragnet).
            retention=RetentionPolicy.WORK_QUEUE,
            storage=StorageType.FILE,
            duplicate_window=DUPLICATE_WINDOW_S,
            max_age=MAX_AGE_S,
            max_bytes=max_bytes,
            max_msg_size=MAX_MESSAGE_BYTES,
            discard=DiscardPolicy.NEW,
        )
    )


def consumer_config(durable: str) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=durable,
        description="mailcover ingest workers (shared)",
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=ACK_WAIT_S,
        # No limit on deliveries: a piece is never dropped because workers kept failing
        # (a database outage); a malformed one is terminated at once instead.
        max_deliver=-1,
        max_ack_pending=MAX_ACK_PENDING,
    )


async def images(js: JetStreamContext, bucket: str) -> ObjectStore:
    """The photographs' object store; created when missing, with the stream's age limit."""
    try:
        return await js.object_store(bucket)
    except NotFoundError:
        return await js.create_object_store(
            bucket,
            config=ObjectStoreConfig(
                bucket=bucket,
                description="photographs of mail pieces in the stream (mailcover)",
                ttl=MAX_AGE_S,
                storage=StorageType.FILE,
            ),
        )


async def workers(js: JetStreamContext) -> KeyValue:
    """The key-value bucket each worker reports its rate to."""
    try:
        return await js.key_value(WORKERS)
    except NotFoundError:
        return await js.create_key_value(
            config=KeyValueConfig(
                bucket=WORKERS,
                description="each mailcover worker's rate (no piece data)",
                ttl=WORKER_TTL_S,
                storage=StorageType.MEMORY,
            )
        )
