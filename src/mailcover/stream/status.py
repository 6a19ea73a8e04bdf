"""How the stream is doing: `mailcover stream status` and `/metrics` read the same figures.

The consumer's pending (not yet delivered), unacknowledged and redelivered counts come from
JetStream; each worker's rate from the workers' bucket, where each running worker puts it
every few seconds. Nothing here depends on which pieces an order covers: these figures go
to operators, who read no captures (SEC-OPERATOR).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import NoKeysError, NotFoundError

from mailcover.stream import jetstream


@dataclass(frozen=True)
class WorkerRate:
    worker: str
    pieces_per_s: float
    received: int
    rejected: int
    at: str


@dataclass(frozen=True)
class Status:
    stream: str
    durable: str
    messages: int  # in the stream: published, not yet acknowledged
    pending: int  # not yet delivered to any worker
    unacknowledged: int  # delivered, not yet acknowledged
    redelivered: int  # delivered more than once, not yet acknowledged
    waiting: int  # fetches waiting for messages
    workers: list[WorkerRate] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        rates = [
            f"  {w.worker}: {w.pieces_per_s:,.1f} pieces/s ({w.received:,} taken, "
            f"{w.rejected:,} refused)"
            for w in self.workers
        ]
        return [
            f"stream {self.stream}: {self.messages:,} messages",
            f"consumer {self.durable}: {self.pending:,} pending, {self.unacknowledged:,} "
            f"unacknowledged, {self.redelivered:,} redelivered",
            f"workers: {len(self.workers)}, {sum(w.pieces_per_s for w in self.workers):,.1f} "
            "pieces/s together",
            *rates,
        ]


async def read(js: JetStreamContext, stream: str, durable: str) -> Status:
    """The figures now; StreamError naming the stream or consumer that does not exist."""
    try:
        stream_info = await js.stream_info(stream)
    except NotFoundError:
        raise jetstream.StreamError(f"no stream {stream}: no feed or worker has run") from None
    try:
        info = await js.consumer_info(stream, durable)
    except NotFoundError:
        raise jetstream.StreamError(
            f"no consumer {durable} on stream {stream}: no worker has run"
        ) from None
    return Status(
        stream=stream,
        durable=durable,
        messages=stream_info.state.messages,
        pending=info.num_pending or 0,
        unacknowledged=info.num_ack_pending or 0,
        redelivered=info.num_redelivered or 0,
        waiting=info.num_waiting or 0,
        workers=await _rates(js, stream, durable),
    )


async def _rates(js: JetStreamContext, stream: str, durable: str) -> list[WorkerRate]:
    try:
        bucket = await js.key_value(jetstream.WORKERS)
        keys = await bucket.keys()
    except (NotFoundError, NoKeysError):
        return []
    rates = []
    for key in sorted(keys):
        try:
            entry = await bucket.get(key)
        except NotFoundError:
            continue  # gone since it was listed
        report = json.loads(entry.value or b"{}")
        if report.get("stream") != stream or report.get("durable") != durable:
            continue
        rates.append(
            WorkerRate(
                worker=str(report["worker"]),
                pieces_per_s=float(report["pieces_per_s"]),
                received=int(report["received"]),
                rejected=int(report["rejected"]),
                at=str(report["at"]),
            )
        )
    return rates


async def fetch(url: str, stream: str, durable: str) -> Status:
    """Connect, read, close."""
    client = await jetstream.connect(url, "mailcover stream status")
    try:
        async with jetstream.named_errors(f"reading stream {stream} at {url}"):
            return await read(client.jetstream(), stream, durable)
    finally:
        await client.close()
