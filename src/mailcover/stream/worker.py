"""`mailcover ingest nats://...`: a worker of the one durable pull consumer every worker shares.

A worker fetches a batch, feeds each message to `covers.ingest.Ingestor` (the same matching,
the same write-time re-check of each order, MC-NO-ORDER-NO-DATA), writes the batch's
captures and their ledger entries in one transaction (`Ingestor.flush`) and only then
acknowledges the batch. A worker that dies before its acknowledgment leaves the batch to be
delivered again, to itself or another, after the consumer's ack wait; the captures are
unique on order and piece, so a piece delivered twice is captured once. A message that is
not a piece is refused with its stream sequence, counted and terminated (never delivered
again). SIGTERM finishes the batch in hand, acknowledges it, leaves the tally and exits 0.

Django's ORM is synchronous and must not run inside an event loop, so the NATS client runs
on an event loop of its own thread (`Connection`) and the worker's own thread stays
synchronous, calling into it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Coroutine
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import DatabaseError
from django.utils import timezone
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js.errors import NotFoundError

from mailcover.covers.in_force import OrderIndex
from mailcover.covers.ingest import Ingestor, Rejection
from mailcover.covers.photographs import FolderImages
from mailcover.imaging.read import MAX_IMAGE_BYTES, ImageError
from mailcover.stream import jetstream
from mailcover.stream.pull import Puller

log = logging.getLogger(__name__)

T = TypeVar("T")

BATCH = 500
"""Messages fetched at once: one transaction and one round of acknowledgments per batch."""
FETCH_WAIT_S = 1.0
"""How long a fetch waits for messages; SIGTERM is noticed between fetches."""
REPORT_EVERY_S = 2.0
"""How often a worker puts its rate in the workers' bucket (`mailcover stream status`)."""
TALLY_EVERY_S = 60.0
"""How often a worker leaves a `StreamTally` and a `mail.ingested` ledger entry."""
WORKING_EVERY_S = 10.0
"""How often a worker tells JetStream it is still on a batch (a third of the ack wait)."""
UNACKNOWLEDGED = (
    "the batch in hand was not acknowledged: it will be delivered again, to another worker "
    "or this one restarted, and capture nothing twice"
)
SOURCE = "jetstream"
"""The feed each capture and tally names (covers.models: at most 20 characters)."""


class Connection:
    """A NATS connection on an event loop in a thread of its own; `call` runs a coroutine
    there and waits for its result."""

    def __init__(self, url: str, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="nats", daemon=True)
        self._thread.start()
        self.client: Client = self.call(jetstream.connect(url, name))
        self.js = self.client.jetstream()

    def call(self, work: Coroutine[Any, Any, T], timeout: float | None = 30.0) -> T:
        return self.submit(work).result(timeout)

    def submit(self, work: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(work, self.loop)

    def close(self) -> None:
        # Closed, not drained: every acknowledgment was flushed with its batch, and draining
        # would wait out a pending fetch.
        try:
            self.call(self.client.close(), timeout=5)
        except Exception:  # closing after the server went away: nothing is left to save
            log.warning("the NATS connection did not close cleanly")
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)


class ObjectImages(FolderImages):
    """A piece's photograph from the object store: the event names the object."""

    def __init__(self, connection: Connection, bucket: str) -> None:
        super().__init__(None)
        self.connection = connection
        self.bucket = bucket
        self._store: Any = None

    def load(self, name: str) -> bytes:
        if name.startswith("data:"):
            return super().load(name)
        try:
            return self.connection.call(self._get(name))
        except NotFoundError:
            raise ImageError("missing", "no such photograph in the object store") from None

    async def _get(self, name: str) -> bytes:
        store = await self._bucket()
        info = await store.get_info(name)
        if (info.size or 0) > MAX_IMAGE_BYTES:
            raise ImageError("too-large", f"the photograph is over {MAX_IMAGE_BYTES} bytes")
        result = await store.get(name)
        return bytes(result.data or b"")

    async def _bucket(self) -> Any:
        if self._store is None:
            self._store = await jetstream.images(self.connection.js, self.bucket)
        return self._store

    async def forget(self, names: list[str]) -> None:
        """Delete the photographs of acknowledged pieces: the one of a captured piece is kept
        with its capture, the others must not stay behind (no dragnet)."""
        if not names:
            return
        store = await self._bucket()
        for name in names:
            try:
                await store.delete(name)
            except NotFoundError:
                continue  # deleted by the worker that took the piece before a redelivery


class NotifiedOrders(OrderIndex):
    """The index of orders in force, looked at again as soon as the web process says an order
    changed (the subject ORDERS_CHANGED), besides the once-a-second look of `OrderIndex`."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = threading.Event()

    def current(self, now: datetime, *, force: bool = False, look_now: bool = False) -> Any:
        if self.changed.is_set():
            self.changed.clear()
            look_now = True
        return super().current(now, force=force, look_now=look_now)


@dataclass
class Counts:
    """What this worker took since it started; no count that depends on coverage."""

    received: int = 0
    rejected: int = 0
    batches: int = 0


class Worker:
    def __init__(
        self,
        connection: Connection,
        stream: str,
        durable: str,
        *,
        images_bucket: str = jetstream.IMAGES,
        batch: int = BATCH,
        tally_every: float = TALLY_EVERY_S,
    ) -> None:
        self.connection = connection
        self.stream = stream
        self.durable = durable
        self.batch = batch
        self.tally_every = tally_every
        self.name = _worker_name()
        self.orders = NotifiedOrders()
        self.images = ObjectImages(connection, images_bucket)
        self.ingestor = Ingestor(
            SOURCE, orders=self.orders, images=self.images, on_reject=self._refused
        )
        self.counts = Counts()
        self.stopping = False
        self._batch: list[Msg] = []
        self._refused_places: set[int] = set()
        self._acking: Future[None] | None = None
        self._reported = (time.monotonic(), 0)
        self._tallied_at = time.monotonic()

    def bind(self) -> None:
        """The stream, the shared consumer, the workers' bucket and the order notices."""
        self.connection.call(self._bind())

    async def _bind(self) -> None:
        js = self.connection.js
        async with jetstream.named_errors(f"binding to consumer {self.durable} of {self.stream}"):
            await jetstream.ensure_stream(js, self.stream)
            self.puller = Puller(self.connection.client, self.stream, self.durable)
            await self.puller.bind(js)
            self.bucket = await jetstream.workers(js)
            await self.connection.client.subscribe(jetstream.ORDERS_CHANGED, cb=self._order_changed)

    async def _order_changed(self, message: Msg) -> None:
        self.orders.changed.set()

    def run(self) -> None:
        """Batches until SIGTERM (or Ctrl-C); the batch in hand is finished first."""
        self.orders.current(timezone.now(), force=True)
        self._report(at_once=True)  # status lists the worker from its start
        following = self._fetch()
        while not self.stopping:
            messages = following.result()
            # The next batch is fetched while this one is matched (the NATS thread waits on
            # the network meanwhile): a worker is busy matching, not waiting.
            following = self._fetch()
            if messages:
                self.take(messages)
            self._report()
            if time.monotonic() - self._tallied_at >= self.tally_every:
                self._tally()
        self._acknowledged()
        # The batch fetched ahead was not begun: handed back for another worker at once.
        self.connection.call(self.puller.give_back(following.result()))
        self._tally()
        self._sign_off()

    def _fetch(self) -> Future[list[Msg]]:
        return self.connection.submit(self.puller.fetch(self.batch, FETCH_WAIT_S))

    def take(self, messages: list[Msg]) -> None:
        """Match a batch, write it in one transaction, then acknowledge it.

        The ingestor numbers a message by its place in the batch (from 1); its stream
        sequence is read only for a message refused (`_refused`): nats-py's parse of a
        message's metadata costs more than a tenth of what matching a piece does."""
        told = time.monotonic()
        self._batch = messages
        for place, message in enumerate(messages, 1):
            self.ingestor.feed_line(place, message.data)
            if time.monotonic() - told >= WORKING_EVERY_S:
                # A slow batch (photographs read by OCR take a second each) is not handed
                # to another worker while this one is still on it.
                self.connection.call(_working(messages))
                told = time.monotonic()
        self.ingestor.flush()  # the commit: nothing is acknowledged before it
        refused, self._refused_places = self._refused_places, set()
        photographs = [name for m in messages if (name := _image_name(m.data))]
        # Acknowledged on the NATS thread while this one matches the next batch; lost with
        # the worker, the batch comes back and captures nothing twice.
        self._acknowledged()
        self._acking = self.connection.submit(self._acknowledge(messages, refused, photographs))
        self.counts.received += len(messages)
        self.counts.rejected += len(refused)
        self.counts.batches += 1

    async def _acknowledge(
        self, messages: list[Msg], refused: set[int], photographs: list[str]
    ) -> None:
        for place, message in enumerate(messages, 1):
            if place in refused:
                await message.term()  # not a piece: delivering it again would change nothing
            else:
                await message.ack()
        await self.connection.client.flush()  # the acknowledgments are at the server
        await self.images.forget(photographs)

    def _acknowledged(self) -> None:
        """Wait for the last batch's acknowledgments (raising what failed in them)."""
        if self._acking is not None:
            self._acking.result(timeout=30)
            self._acking = None

    def _refused(self, rejection: Rejection) -> None:
        self._refused_places.add(rejection.index)
        sequence = self._batch[rejection.index - 1].metadata.sequence.stream
        print(f"stream sequence {sequence}: {rejection.error}", file=sys.stderr)

    def _tally(self) -> None:
        self.ingestor.flush()
        if self.ingestor.summary.received:
            self.ingestor.tally()
        self._tallied_at = time.monotonic()

    def _report(self, at_once: bool = False) -> None:
        """Put this worker's rate in the workers' bucket, every REPORT_EVERY_S."""
        at, received = self._reported
        now = time.monotonic()
        if now - at < REPORT_EVERY_S and not at_once:
            return
        rate = (self.counts.received - received) / max(now - at, 1e-9)
        self._reported = (now, self.counts.received)
        report = {
            "worker": self.name,
            "stream": self.stream,
            "durable": self.durable,
            "pieces_per_s": round(rate, 1),
            "received": self.counts.received,
            "rejected": self.counts.rejected,
            "stopping": self.stopping,
            "at": timezone.now().isoformat(),
        }
        try:
            self.connection.call(self.bucket.put(self.name, json.dumps(report).encode()))
        except Exception as problem:  # the rate is for people watching; pieces go on
            log.warning("the worker's rate was not reported: %s", problem)

    def _sign_off(self) -> None:
        """This worker's rate leaves the workers' bucket (status lists the running ones)."""
        try:
            self.connection.call(self.bucket.delete(self.name))
        except Exception as problem:  # it expires on its own (WORKER_TTL_S)
            log.warning("the worker's rate was not removed: %s", problem)


async def _working(messages: list[Msg]) -> None:
    for message in messages:
        await message.in_progress()  # the consumer's ack wait starts again


def _image_name(data: bytes) -> str | None:
    """The object a message's photograph is in, if any (the bytes tell most at no cost)."""
    if b'"image"' not in data or b'"image": null' in data or b'"image":null' in data:
        return None
    try:
        image = json.loads(data).get("image")
    except (ValueError, AttributeError):
        return None
    return image if isinstance(image, str) and image and not image.startswith("data:") else None


def _worker_name() -> str:
    host = "".join(c if c.isalnum() or c in "-_" else "-" for c in socket.gethostname())
    return f"{host}-{os.getpid()}"


def run(url: str, stream: str, durable: str, **options: Any) -> int:
    """The worker's life: bind, take batches until told to stop, leave the tally."""
    try:
        connection = Connection(url, f"mailcover ingest {_worker_name()}")
    except jetstream.StreamError as problem:
        print(f"mailcover ingest: {problem}", file=sys.stderr)
        return 2
    worker = Worker(connection, stream, durable, **options)

    def stop(signum: int, frame: Any) -> None:
        worker.stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        worker.bind()
        print(
            f"worker {worker.name} of consumer {durable} on stream {stream} at {url}",
            file=sys.stderr,
        )
        worker.run()
    except jetstream.StreamError as problem:
        print(f"mailcover ingest: {problem}", file=sys.stderr)
        return 2
    except (NatsError, TimeoutError) as problem:
        print(f"mailcover ingest: NATS failed ({problem!r}); {UNACKNOWLEDGED}", file=sys.stderr)
        return 2
    except DatabaseError as problem:
        print(
            f"mailcover ingest: the database failed ({problem}); {UNACKNOWLEDGED}", file=sys.stderr
        )
        return 1
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        connection.close()
    counts = worker.counts
    print(
        f"worker {worker.name} stopped: {counts.received} pieces taken in {counts.batches} "
        f"batches, {counts.rejected} refused",
        file=sys.stderr,
    )
    return 0
