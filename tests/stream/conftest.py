"""The stream tests run against the real NATS server (127.0.0.1:4222, JetStream on; `.ci/run`
starts one) and a real database the worker processes share with the test: a SQLite file, or
a PostgreSQL database of their own when DATABASE_URL names a PostgreSQL server. Each test
has a stream, consumer and photograph bucket of its own, deleted afterwards."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import nats
import pytest
from django.utils import timezone

from mailcover.stream import jetstream
from mailcover.stream.status import Status, read

ROOT = Path(__file__).resolve().parents[2]
NATS_URL = "nats://127.0.0.1:4222"
TEST_STREAM_BYTES = 64 * 1024 * 1024
"""Each test's stream asks the server for this much disk, not the 4 GiB of a plant's: the
server reserves it whole while the stream lives (MAILCOVER_STREAM_MAX_BYTES)."""
os.environ.setdefault("MAILCOVER_STREAM_MAX_BYTES", str(TEST_STREAM_BYTES))  # this process's
TO_JOHN = ["JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234"]
TO_MARY = ["MARY MAJOR", "77 OAK ST", "SPRINGFIELD IL 62704"]
STRANGER = ["ZEBULON QUIGLEY", "987 ELM AVE", "DENVER CO 80201"]


def _nats_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 4222), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="session", autouse=True)
def nats_server() -> None:
    if not _nats_answers():
        pytest.fail("no NATS server at 127.0.0.1:4222: start `nats-server -js` (.ci/run does)")


@dataclass
class Database:
    """The database the workers use: its environment for a process, and plain SQL on it."""

    env: dict[str, str]
    sqlite_path: Path | None = None
    pg_url: str | None = None

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.pg_url) as db:
            return db.execute(sql, params).fetchall()

    def captured(self, prefix: str) -> list[str]:
        rows = self.rows("SELECT piece_id FROM covers_capture WHERE piece_id LIKE %s", prefix + "%")
        return sorted(row[0] for row in rows)

    def ledger_captures(self) -> int:
        return self.rows("SELECT COUNT(*) FROM ledger_entry WHERE event = 'capture.recorded'")[0][0]

    def tallied(self) -> tuple[int, int]:
        """(pieces received, pieces rejected) in the workers' tallies so far."""
        row = self.rows(
            "SELECT COALESCE(SUM(received), 0), COALESCE(SUM(rejected), 0) "
            "FROM covers_streamtally WHERE source = 'jetstream'"
        )[0]
        return int(row[0]), int(row[1])

    def tallies(self) -> tuple[int, int]:
        """(the workers' StreamTally rows, mail.ingested ledger entries) so far."""
        rows = self.rows("SELECT COUNT(*) FROM covers_streamtally WHERE source = 'jetstream'")
        entries = self.rows("SELECT COUNT(*) FROM ledger_entry WHERE event = 'mail.ingested'")
        return int(rows[0][0]), int(entries[0][0])

    def world(self, action: str) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-m", "tests.stream.world", action],
            env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    env["MAILCOVER_VAR_DIR"] = str(tmp_path_factory.mktemp("stream") / "var")
    env["MAILCOVER_NATS_URL"] = NATS_URL
    env["MAILCOVER_STREAM_MAX_BYTES"] = str(TEST_STREAM_BYTES)
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith("postgres"):
        found = Database(env, sqlite_path=Path(env["MAILCOVER_VAR_DIR"]) / "mailcover.sqlite3")
        found.world("setup")
        yield found
        return
    import psycopg

    name = f"mailcover_stream_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(given, autocommit=True) as server:
        server.execute(f"CREATE DATABASE {name}")
    env["DATABASE_URL"] = given.rsplit("/", 1)[0] + "/" + name
    try:
        found = Database(env, pg_url=env["DATABASE_URL"])
        found.world("setup")
        yield found
    finally:
        with psycopg.connect(given, autocommit=True) as server:
            server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run(work: Any) -> Any:
    return jetstream.run(work)


@dataclass
class Names:
    """One test's stream, consumer and bucket on the shared server; its workers."""

    database: Database
    stream: str = field(default_factory=lambda: f"T{uuid.uuid4().hex[:10].upper()}")
    durable: str = "workers"
    images: str = field(default_factory=lambda: f"img-{uuid.uuid4().hex[:10]}")
    workers: list[subprocess.Popen[str]] = field(default_factory=list)
    tmp: Path = Path()

    def command(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mailcover.cli", *args], env=self.database.env, cwd=ROOT,
            capture_output=True, text=True, timeout=120, check=False, **kwargs,
        )  # fmt: skip

    def feed(self, lines: list[str], *options: str) -> subprocess.CompletedProcess[str]:
        path = self.tmp / f"feed-{uuid.uuid4().hex[:6]}.jsonl"
        path.write_text("\n".join(lines) + "\n")
        return self.command(
            "feed", NATS_URL, str(path), "--stream", self.stream, "--images", self.images, *options
        )

    def start_worker(self) -> subprocess.Popen[str]:
        log = (self.tmp / f"worker-{len(self.workers)}.log").open("w")
        worker = subprocess.Popen(
            [sys.executable, "-m", "mailcover.cli", "ingest", NATS_URL, "--stream", self.stream,
             "--durable", self.durable, "--images", self.images],
            env=self.database.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.workers.append(worker)
        return worker

    def output(self, index: int) -> str:
        return (self.tmp / f"worker-{index}.log").read_text()

    def status(self) -> Status:
        async def reading() -> Status:
            client = await nats.connect(NATS_URL)
            try:
                return await read(client.jetstream(), self.stream, self.durable)
            finally:
                await client.close()

        return run(reading())

    def wait(self, until: Callable[[Status], bool], timeout: float = 60.0) -> Status:
        deadline = time.monotonic() + timeout
        while True:
            try:
                now = self.status()
                if until(now):
                    return now
            except jetstream.StreamError:
                pass  # no consumer yet: no worker has bound
            assert time.monotonic() < deadline, "the stream did not get there in time"
            time.sleep(0.05)

    def drained(self, timeout: float = 60.0) -> Status:
        return self.wait(lambda s: s.messages == 0 and s.unacknowledged == 0, timeout)

    def stop(self, worker: subprocess.Popen[str], timeout: float = 30.0) -> int:
        worker.send_signal(signal.SIGTERM)
        return worker.wait(timeout)

    def stream_bytes(self) -> int:
        """The disk the server holds for this test's stream (its max_bytes)."""

        async def reading() -> int:
            client = await nats.connect(NATS_URL)
            try:
                info = await client.jetstream().stream_info(self.stream)
                return int(info.config.max_bytes or 0)
            finally:
                await client.close()

        return int(run(reading()))

    def objects(self) -> list[str]:
        """The photographs in this test's object store."""

        async def listing() -> list[str]:
            client = await nats.connect(NATS_URL)
            try:
                store = await client.jetstream().object_store(self.images)
                found = await store.list()
            except nats.js.errors.NotFoundError:
                return []
            finally:
                await client.close()
            return sorted(info.name for info in found if not info.deleted)

        return run(listing())

    def publish_raw(self, payload: bytes, msg_id: str) -> None:
        """A message no feed would send (a plant's own publisher may)."""

        async def publishing() -> None:
            client = await nats.connect(NATS_URL)
            await client.jetstream().publish(
                jetstream.subject_for(self.stream, "X"), payload, headers={"Nats-Msg-Id": msg_id}
            )
            await client.close()

        run(publishing())

    def create_consumer(self, ack_wait: float) -> None:
        """The shared consumer made before any worker, with a short ack wait (a test should
        not wait 30 seconds for a dead worker's batch to come back)."""

        async def creating() -> None:
            client = await nats.connect(NATS_URL)
            js = client.jetstream()
            await jetstream.ensure_stream(js, self.stream)
            config = jetstream.consumer_config(self.durable)
            config.ack_wait = ack_wait
            await js.add_consumer(self.stream, config)
            await client.close()

        run(creating())

    def cleanup(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()

        async def deleting() -> None:
            client = await nats.connect(NATS_URL)
            js = client.jetstream()
            for delete in (js.delete_stream(self.stream), js.delete_object_store(self.images)):
                with contextlib.suppress(nats.js.errors.NotFoundError):
                    await delete
            await client.close()

        run(deleting())


@pytest.fixture
def names(database: Database, tmp_path: Path) -> Iterator[Names]:
    made = Names(database, tmp=tmp_path)
    yield made
    made.cleanup()


def event(piece_id: str, addressee: Any = TO_JOHN, at: datetime | None = None, **more: Any) -> str:
    return json.dumps(
        {
            "piece_id": piece_id,
            "scanned_at": (at or timezone.now()).isoformat(),
            "facility": "SPRINGFIELD IL P&DC",
            "mail_class": "first-class",
            "imb": None,
            "addressee": addressee,
            "return_address": None,
            **more,
        }
    )
