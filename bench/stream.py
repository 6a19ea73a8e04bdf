"""Benchmark of the mail stream at scale: JetStream, worker processes, PostgreSQL.

ORDERS synthetic orders (`matching.synth`) are filed and approved through `covers.actions`
in a fresh PostgreSQL database; a PIECES-piece stream about them, every piece with an
undamaged barcode and a full routing code ("barcode-keyed"), is written as JSON Lines. Then,
each run with piece ids of its own (so each captures anew, none re-ingests):

* `file`: the one-process `mailcover ingest PATH` of the stream, timed from the process's
  start to its end;
* `workers_1`, `workers_2`: the stream published to a fresh JetStream stream by `mailcover
  feed` (timed on its own), then drained by 1 and by 2 `mailcover ingest nats://` worker
  processes, timed from their start until the consumer has nothing pending or
  unacknowledged (every capture committed, every piece acknowledged);
* `killed`: 2 workers, one killed with SIGKILL when half the stream is drained and started
  again at once; its unacknowledged batch comes back after the consumer's ack wait.

Pieces/s are end to end: process start, index of orders, matching, captures and ledger
entries committed, acknowledgments. Beside them, the CPU seconds the ingest or worker
processes used (user and system): on a shared machine the wall clock says what was left
over, the CPU time what one core does. Accuracy: each run's captures, as (order, piece),
must be the file ingest's exactly. The machine's core count and load are reported too.

Prints one JSON line on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from match import file_orders  # noqa: E402  the orders filed as bench/match.py files them

ORDERS = 1000
PIECES = 200_000
SEED = 233
NATS = "nats://127.0.0.1:4222"
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
TARGET_RATIO_2_TO_1 = 1.7


def progress(message: str) -> None:
    print(f"[bench/stream] {message}", file=sys.stderr, flush=True)


def create_database(server: str) -> str:
    import psycopg

    name = f"mailcover_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    return name


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def start_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    from mailcover.config.startup import start

    start()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def stream_lines(orders: list[Any], pieces: int, now: datetime) -> list[bytes]:
    from mailcover.matching import synth

    mix = synth.Mix(barcode=1.0, damaged=0.0, upside_down=0.0, short_routing=0.0)
    return [
        json.dumps(event).encode() + b"\n"
        for event, _ in synth.stream(orders, pieces, SEED, now, mix)
    ]


class Bench:
    def __init__(self, env: dict[str, str], folder: Path, lines: list[bytes]) -> None:
        self.env = env
        self.folder = folder
        self.lines = lines

    def mailcover(self, *args: str, **options: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "mailcover.cli", *args],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, **options,
        )  # fmt: skip

    def write(self, run: str) -> Path:
        """The stream with this run's piece ids."""
        path = self.folder / f"{run}.jsonl"
        marker = f'"{run}-'.encode()
        with path.open("wb") as out:
            for line in self.lines:
                out.write(line.replace(b'"P-', marker, 1))
        return path

    def captured(self, run: str) -> set[tuple[int, str]]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT order_id, piece_id FROM covers_capture WHERE piece_id LIKE %s",
                [f"{run}-%"],
            )
            return {(order, piece.split("-", 1)[1]) for order, piece in cursor.fetchall()}

    def file_ingest(self) -> dict[str, Any]:
        path = self.write("file")
        progress("file: mailcover ingest PATH")
        started = time.perf_counter()
        done = self.mailcover("ingest", str(path), "--quiet", stderr=subprocess.DEVNULL)
        _, cpu = reaped(done)
        seconds = time.perf_counter() - started
        return {
            "seconds": round(seconds, 2),
            "pieces_per_s": round(len(self.lines) / seconds),
            "cpu_s": round(cpu, 2),
            "pieces_per_cpu_s": round(len(self.lines) / cpu),
        }

    def workers(self, run: str, count: int, kill_midway: bool = False) -> dict[str, Any]:
        stream = f"BENCH{uuid.uuid4().hex[:8].upper()}"
        path = self.write(run)
        progress(f"{run}: feeding stream {stream}")
        started = time.perf_counter()
        feed = self.mailcover("feed", NATS, str(path), "--stream", stream, "--quiet", stderr=None)
        assert feed.wait() == 0, "the feed failed"
        fed = time.perf_counter() - started
        progress(f"{run}: {count} worker(s) draining")
        log = (self.folder / f"{run}.log").open("wb")
        args = ("ingest", NATS, "--stream", stream, "--durable", "bench")
        started = time.perf_counter()
        workers = [self.mailcover(*args, stderr=log) for _ in range(count)]
        cpu, killed_at = 0.0, None
        if kill_midway:
            wait_until(stream, lambda messages, _: messages <= len(self.lines) // 2)
            workers[0].send_signal(signal.SIGKILL)
            cpu += reaped(workers[0])[1]
            killed_at = round(time.perf_counter() - started, 2)
            workers[0] = self.mailcover(*args, stderr=log)
        wait_until(stream, lambda messages, unacknowledged: messages == unacknowledged == 0)
        seconds = time.perf_counter() - started
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            status, used = reaped(worker)
            assert status == 0, "a worker did not stop cleanly"
            cpu += used
        asyncio.run(delete_stream(stream))
        result = {
            "workers": count,
            "seconds": round(seconds, 2),
            "pieces_per_s": round(len(self.lines) / seconds),
            "worker_cpu_s": round(cpu, 2),
            "pieces_per_worker_cpu_s": round(len(self.lines) / cpu),
            "feed_pieces_per_s": round(len(self.lines) / fed),
        }
        if killed_at is not None:
            result["killed_after_s"] = killed_at
        return result


def reaped(process: subprocess.Popen[bytes]) -> tuple[int, float]:
    """A worker's exit status and the CPU seconds it used (user and system, all threads):
    on a shared machine, what a core gives is read from these, not from the wall clock."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_utime + usage.ru_stime


def wait_until(stream: str, done: Any) -> None:
    """Until `done(messages, unacknowledged)`: looked at 10 times a second on one connection
    (the bench must not take the CPU the workers are measured on)."""
    import nats
    from nats.js.errors import NotFoundError

    async def watching() -> None:
        client = await nats.connect(NATS)
        js = client.jetstream()
        try:
            while True:
                try:
                    info = await js.consumer_info(stream, "bench")
                    messages = (await js.stream_info(stream)).state.messages
                    if done(messages, info.num_ack_pending):
                        return
                except NotFoundError:
                    pass  # the consumer is made by the first worker to start
                await asyncio.sleep(0.1)
        finally:
            await client.close()

    asyncio.run(watching())


async def delete_stream(stream: str) -> None:
    import nats

    client = await nats.connect(NATS)
    await client.jetstream().delete_stream(stream)
    await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pieces", type=int, default=PIECES)
    parser.add_argument("--orders", type=int, default=ORDERS)
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL") or POSTGRES)
    args = parser.parse_args()
    load_before = os.getloadavg()
    name = create_database(args.postgres)
    try:
        with tempfile.TemporaryDirectory(prefix="mailcover-bench-stream-") as folder:
            env = {
                "PYTHONPATH": str(ROOT / "src"),
                "MAILCOVER_VAR_DIR": str(Path(folder) / "var"),
                "DATABASE_URL": args.postgres.rsplit("/", 1)[0] + "/" + name,
            }
            start_django(env)
            now = datetime.now(UTC)
            from mailcover.matching import synth

            orders = synth.orders(args.orders, SEED, now)
            progress(f"filing and approving {len(orders)} orders")
            file_orders(orders, datetime.now(UTC), "stream")
            bench = Bench(
                {**os.environ, **env}, Path(folder), stream_lines(orders, args.pieces, now)
            )
            result = measure(bench)
    finally:
        drop_database(args.postgres, name)
    result["machine"] = {
        "cores": os.cpu_count(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result))


def measure(bench: Bench) -> dict[str, Any]:
    runs = {
        "file": bench.file_ingest(),
        "workers_1": bench.workers("w1", 1),
        "workers_2": bench.workers("w2", 2),
        "killed": bench.workers("k2", 2, kill_midway=True),
    }
    expected = bench.captured("file")
    prefixes = {"workers_1": "w1", "workers_2": "w2", "killed": "k2"}
    accuracy = {run: bench.captured(prefix) == expected for run, prefix in prefixes.items()}
    one, two = runs["workers_1"]["pieces_per_s"], runs["workers_2"]["pieces_per_s"]
    file_rate = runs["file"]["pieces_per_s"]
    return {
        "pieces": len(bench.lines),
        "captures": len(expected),
        **runs,
        "ratio_2_to_1": round(two / one, 3),
        "target_ratio_2_to_1": TARGET_RATIO_2_TO_1,
        "ratio_1_worker_to_file": round(one / file_rate, 3),
        "ratio_2_workers_to_file": round(two / file_rate, 3),
        "captures_identical_to_file": accuracy,
    }


if __name__ == "__main__":
    main()
