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
entries committed, acknowledgments. Accuracy: each run's captures, as (order, piece), must
be the file ingest's exactly.

On a shared machine the wall clock says what was left over; CPU time says what the work
costs (`bench/cpu.py`). For each run, from the workers' start until they exited: the CPU
seconds of the worker (or ingest) processes, of the NATS server, of the PostgreSQL backends
of the bench's database and of PostgreSQL's background processes (which serve every
database: an upper estimate of ours), of this process (it watches the consumer), and of
the whole machine, so that what other jobs took is the difference. Each also per piece, in
microseconds. From the per-piece costs of the 1- and 2-worker runs: the 2-to-1 ratio they
allow on the machine's cores (`cpu.ratio_limit`, derived there), beside the measured one.

The NATS server is one of the bench's own (`nats-server -js` on a free port, its store in
the bench's temporary folder), so that all of its CPU time is the bench's; `--nats URL`
uses a running server instead, whose CPU time (`pgrep -x nats-server`) then includes
whatever else uses it. The database is a fresh one named `mailcover_bench_<random hex>`,
dropped at the end.

Prints one JSON line on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import _cpu as cpu  # noqa: E402  CPU-time accounting (a helper, not a benchmark)
from match import file_orders  # noqa: E402  the orders filed as bench/match.py files them

ORDERS = 1000
PIECES = 200_000
SEED = 233
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
TARGET_RATIO_2_TO_1 = 1.7


def progress(message: str) -> None:
    print(f"[bench/stream] {message}", file=sys.stderr, flush=True)


def create_database(server: str) -> str:
    """A fresh database, `mailcover_bench_` and 10 random hex digits: no name anyone else
    uses (root, postgres, test, the engineers' own), none a concurrent bench draws."""
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
    def __init__(
        self,
        env: dict[str, str],
        folder: Path,
        lines: list[bytes],
        nats_server: NatsServer,
        postgres: cpu.Backends | None,
    ) -> None:
        self.env = env
        self.folder = folder
        self.lines = lines
        self.nats = nats_server
        self.postgres = postgres
        self.cores = os.cpu_count() or 1

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
        meter = self.meter()
        started = time.perf_counter()
        done = self.mailcover("ingest", str(path), "--quiet", stderr=subprocess.DEVNULL)
        _, used = reaped(done)
        seconds = time.perf_counter() - started
        return {
            "seconds": round(seconds, 2),
            "pieces_per_s": round(len(self.lines) / seconds),
            "pieces_per_cpu_s": round(len(self.lines) / used),
            **meter.result(used, seconds),
        }

    def workers(self, run: str, count: int, kill_midway: bool = False) -> dict[str, Any]:
        stream = f"BENCH{uuid.uuid4().hex[:8].upper()}"
        path = self.write(run)
        progress(f"{run}: feeding stream {stream}")
        started = time.perf_counter()
        feed = self.mailcover(
            "feed", self.nats.url, str(path), "--stream", stream, "--quiet", stderr=None
        )
        assert feed.wait() == 0, "the feed failed"
        fed = time.perf_counter() - started
        progress(f"{run}: {count} worker(s) draining")
        log = (self.folder / f"{run}.log").open("wb")
        args = ("ingest", self.nats.url, "--stream", stream, "--durable", "bench")
        meter = self.meter()
        started = time.perf_counter()
        workers = [self.mailcover(*args, stderr=log) for _ in range(count)]
        used, killed_at = 0.0, None
        # What the workers spent before their first acknowledgment: starting (Django, the
        # ZIP list, the index of orders, binding) and their first batch.
        self.wait_until(stream, lambda messages, _: messages < len(self.lines))
        startup = sum(cpu.process_cpu(worker.pid) or 0.0 for worker in workers)
        if kill_midway:
            self.wait_until(stream, lambda messages, _: messages <= len(self.lines) // 2)
            meter.sample()  # the killed worker's backend ends with its connection
            workers[0].send_signal(signal.SIGKILL)
            used += reaped(workers[0])[1]
            killed_at = round(time.perf_counter() - started, 2)
            workers[0] = self.mailcover(*args, stderr=log)
        self.wait_until(stream, lambda messages, unacknowledged: messages == unacknowledged == 0)
        seconds = time.perf_counter() - started
        meter.sample()
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            status, spent = reaped(worker)
            assert status == 0, "a worker did not stop cleanly"
            used += spent
        result = {
            "workers": count,
            "seconds": round(seconds, 2),
            "pieces_per_s": round(len(self.lines) / seconds),
            "pieces_per_worker_cpu_s": round(len(self.lines) / used),
            **meter.result(used, time.perf_counter() - started),
            "worker_cpu_s_to_first_ack": round(startup, 2),
            "feed_pieces_per_s": round(len(self.lines) / fed),
        }
        asyncio.run(delete_stream(self.nats.url, stream))
        if killed_at is not None:
            result["killed_after_s"] = killed_at
        return result

    def meter(self) -> Meter:
        return Meter(self.nats.pid, self.postgres, len(self.lines))

    def wait_until(self, stream: str, done: Any) -> None:
        """Until `done(messages, unacknowledged)`: looked at 10 times a second on one
        connection (the bench must not take the CPU the workers are measured on)."""
        import nats
        from nats.js.errors import NotFoundError

        async def watching() -> None:
            client = await nats.connect(self.nats.url)
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


class Meter:
    """The CPU seconds of one run (`bench/cpu.py`): opened as the run's processes start."""

    def __init__(self, nats_pid: int | None, postgres: cpu.Backends | None, pieces: int) -> None:
        self.postgres = postgres
        self.pieces = pieces
        self.window = cpu.Window({"nats": nats_pid} if nats_pid is not None else {})
        if postgres is not None:
            postgres.start()

    def sample(self) -> None:
        if self.postgres is not None:
            self.postgres.sample()

    def result(self, workers: float, seconds: float) -> dict[str, Any]:
        """`workers`: the CPU seconds of the run's worker (or ingest) processes; `seconds`:
        the wall clock from their start until they all exited."""
        used = self.window.used()
        pg = self.postgres.stop() if self.postgres is not None else {}
        spent: dict[str, float | None] = {
            "workers": workers,
            "nats": used.get("nats"),
            "postgres": pg.get("backends"),
            "postgres_background": pg.get("background"),
            "bench": used["bench"],
            "machine": used["machine"],
        }
        ours = ("workers", "nats", "postgres", "postgres_background", "bench")
        spent["others"] = cpu.others(spent, ours)
        costs = ("workers", "nats", "postgres", "postgres_background")
        return {
            "cpu_s": cpu.rounded(spent),
            "cpu_us_per_piece": {
                name: cpu.per_piece_us(spent[name], self.pieces) for name in costs
            },
            "cores_used": {
                "ours": round(sum(spent[name] or 0.0 for name in ours) / seconds, 2),
                "others": round((spent["others"] or 0.0) / seconds, 2),
            },
        }


def costs(run: dict[str, Any]) -> tuple[float, float, float] | None:
    """A run's (w, n, p): CPU seconds a piece in the workers, NATS and PostgreSQL."""
    us = run["cpu_us_per_piece"]
    if us["nats"] is None or us["postgres"] is None:
        return None
    postgres = us["postgres"] + (us["postgres_background"] or 0.0)
    return us["workers"] / 1e6, us["nats"] / 1e6, postgres / 1e6


def reaped(process: subprocess.Popen[bytes]) -> tuple[int, float]:
    """A worker's exit status and the CPU seconds it used (user and system, all threads):
    on a shared machine, what a core gives is read from these, not from the wall clock."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_utime + usage.ru_stime


async def delete_stream(url: str, stream: str) -> None:
    import nats

    client = await nats.connect(url)
    await client.jetstream().delete_stream(stream)
    await client.close()


class NatsServer:
    """The NATS server the bench publishes to: its URL, and the pid whose CPU time is read
    (None when that cannot be told)."""

    def __init__(self, url: str, pid: int | None, version: str) -> None:
        self.url = url
        self.pid = pid
        self.version = version


@contextmanager
def nats_server(url: str | None, folder: Path, program: str) -> Iterator[NatsServer]:
    """A NATS server of the bench's own on a free port (URL None), `program` (the
    nats-server on PATH unless told otherwise), or the one at `url`."""
    if url is not None:
        found = subprocess.run(["pgrep", "-x", "nats-server"], capture_output=True, text=True)
        pids = found.stdout.split()
        yield NatsServer(url, int(pids[0]) if len(pids) == 1 else None, f"running at {url}")
        return
    binary = shutil.which(program)
    if binary is None:
        raise SystemExit(f"bench/stream.py: no program {program}; give --nats URL")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [binary, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(folder / "nats")]
    log = (folder / "nats-server.log").open("wb")
    server = subprocess.Popen(command, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(
                        f"bench/stream.py: nats-server did not start: {command}"
                    ) from None
                time.sleep(0.05)
        version = subprocess.run([binary, "--version"], capture_output=True, text=True)
        yield NatsServer(f"nats://127.0.0.1:{port}", server.pid, version.stdout.strip())
    finally:
        server.terminate()
        server.wait(timeout=30)


def postgres_backends(server: str, database: str) -> cpu.Backends | None:
    """The accounting of PostgreSQL's CPU time, when its processes are on this machine."""
    if urlsplit(server).hostname not in ("127.0.0.1", "localhost", "::1", None):
        progress("PostgreSQL is on another machine: its CPU time is not accounted")
        return None
    return cpu.Backends(server, database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pieces", type=int, default=PIECES)
    parser.add_argument("--orders", type=int, default=ORDERS)
    parser.add_argument("--postgres", default=os.environ.get("DATABASE_URL") or POSTGRES)
    parser.add_argument(
        "--nats",
        default=None,
        help="a running NATS server (nats://HOST:PORT) instead of one of the bench's own",
    )
    parser.add_argument(
        "--nats-server",
        default="nats-server",
        help="the nats-server program the bench starts (another version than the one on PATH)",
    )
    args = parser.parse_args()
    # Stopped with SIGTERM, the bench still drops its database and stops its NATS server.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    load_before = os.getloadavg()
    name = create_database(args.postgres)
    postgres = postgres_backends(args.postgres, name)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="mailcover-bench-stream-") as folder,
            nats_server(args.nats, Path(folder), args.nats_server) as server,
        ):
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
            lines = stream_lines(orders, args.pieces, now)
            bench = Bench({**os.environ, **env}, Path(folder), lines, server, postgres)
            result = measure(bench)
            result["nats_server"] = server.version
    finally:
        if postgres is not None:
            postgres.close()
        drop_database(args.postgres, name)
    result["machine"] = {
        "cores": os.cpu_count(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result))


def measure(bench: Bench) -> dict[str, Any]:
    from django.db import connection

    connection.close()  # the bench's own backend is not one of the runs'
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
    result = {
        "pieces": len(bench.lines),
        "captures": len(expected),
        **runs,
        "ratio_2_to_1": round(two / one, 3),
        "target_ratio_2_to_1": TARGET_RATIO_2_TO_1,
        "ratio_1_worker_to_file": round(one / file_rate, 3),
        "ratio_2_workers_to_file": round(two / file_rate, 3),
        "captures_identical_to_file": accuracy,
    }
    costs_1, costs_2 = costs(runs["workers_1"]), costs(runs["workers_2"])
    if costs_1 is not None and costs_2 is not None:
        cores = bench.cores
        result["cpu_limit"] = {
            "cores": cores,
            "pieces_per_s_1_worker": round(cpu.rate_limit(1, cores, *costs_1)),
            "pieces_per_s_2_workers": round(cpu.rate_limit(2, cores, *costs_2)),
            "ratio_2_to_1": round(cpu.ratio_limit(cores, costs_1, costs_2), 3),
            "ratio_2_to_1_over_measured_1": round(cpu.rate_limit(2, cores, *costs_2) / one, 3),
        }
    return result


if __name__ == "__main__":
    main()
