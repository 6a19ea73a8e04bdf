"""Benchmark of the ledger: append rate, proof latency at a million entries, verify time.

Appends: `mailcover.ledger.log.record` against plain inserts of rows of the same size
(the bytes of a real "request.filed" entry, about 275 bytes) into a table with no hashing
(autoincrement id, the bytes, a timestamp, an indexed short text), created with raw
SQL in the same database and dropped at the end. Both sides commit one transaction
per row (`record` is its own transaction; the plain insert runs in
`transaction.atomic()`; the ledger side also signs its default checkpoint every
100 entries), insert the same number of rows, and alternate in rounds
(ABBA order) so that machine noise falls on both. Run on SQLite in this process, and
on PostgreSQL (database `mailcover_bench`, created and dropped here) in a subprocess
of this script, since Django reads its settings once per process.

Proofs and verify: the SQLite ledger is then filled up to 1,000,000 entries in bulk
with the very rows `append` writes (canonical entry bytes, leaf hashes, the perfect
subtree roots each append completes, the head's size and hash chain, a signed
checkpoint), and
`log.inclusion` / `log.consistency` are timed for random indexes and sizes, then
`ledger verify` (`mailcover.ledger.verify.verify`) over the whole ledger.

Prints one JSON line on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SQLITE_ROWS = 3000
POSTGRES_ROWS = 2000
ROUNDS = 10
WARMUP_ROWS = 50
PROOF_TREE_SIZE = 1_000_000
PROOF_SAMPLES = 1000
BULK_BATCH = 20_000
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_BENCH_DB = "mailcover_bench"
TARGETS = {"append_ratio": 0.5, "proof_ms": 1.0, "verify_s": 30}
EVENTS = ("request.filed", "request.approved", "order.reviewed", "extension.filed")
EPOCH = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def progress(message: str) -> None:
    print(f"[bench/ledger] {message}", file=sys.stderr, flush=True)


def start_django(var_dir: Path, database_url: str | None) -> None:
    """Point the settings at a fresh var dir (and database), set Django up, migrate."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "mailcover.config.settings"
    os.environ["MAILCOVER_VAR_DIR"] = str(var_dir)
    os.environ["MAILCOVER_LEDGER_KEY_FILE"] = str(var_dir / "ledger-signing.key")
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


# --- appends: the ledger against plain inserts ------------------------------------


def bench_actor() -> Any:
    from mailcover.accounts.models import User

    return User.objects.create(username="bench-requester")


def filing_args(number: int) -> dict[str, Any]:
    """What a real "request.filed" entry carries: case, subject, days, body digest."""
    from mailcover.ledger import entries

    return {
        "case": f"MC-2025-{number:06d}",
        "subject": 10_000 + number,
        "days": 30,
        "body_sha256": entries.digest(f"request body {number}"),
    }


def filing_bytes(actor: Any, number: int) -> bytes:
    """The bytes `record` would write for filing `number`: the plain side's payload."""
    from mailcover.ledger import entries

    args = filing_args(number)
    entry = entries.Entry(
        seq=number,
        at=datetime.now(UTC),
        actor=entries.Actor(id=actor.pk, username=actor.username),
        event="request.filed",
        refs={"case": args.pop("case"), "subject": args.pop("subject")},
        details=args,
    )
    return entries.encode(entry)


def create_plain_table() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        columns = "id BIGSERIAL PRIMARY KEY, data BYTEA NOT NULL, at TIMESTAMPTZ NOT NULL"
    else:
        columns = "id INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL, at DATETIME NOT NULL"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_plain ({columns}, event VARCHAR(60) NOT NULL)")
        cursor.execute("CREATE INDEX bench_plain_event ON bench_plain (event)")


def drop_plain_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_plain")


def time_ledger_appends(actor: Any, numbers: range) -> float:
    from django.utils import timezone

    from mailcover.ledger import log

    calls = [filing_args(number) for number in numbers]
    started = time.perf_counter()
    for args in calls:
        log.record(actor, "request.filed", timezone.now(), **args)
    return time.perf_counter() - started


def time_plain_inserts(actor: Any, numbers: range) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    payloads = [filing_bytes(actor, number) for number in numbers]
    sql = "INSERT INTO bench_plain (data, at, event) VALUES (%s, %s, %s)"
    started = time.perf_counter()
    for payload in payloads:
        at = connection.ops.adapt_datetimefield_value(timezone.now())
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [payload, at, "request.filed"])
    return time.perf_counter() - started


def alternate_rounds(actor: Any, rows: int) -> tuple[float, float]:
    """Seconds spent by each side over `rows` rows, in ABBA rounds after a warm-up."""
    time_ledger_appends(actor, range(WARMUP_ROWS))
    time_plain_inserts(actor, range(WARMUP_ROWS))
    per_round = rows // ROUNDS
    ledger_s = plain_s = 0.0
    for round_number in range(ROUNDS):
        first = WARMUP_ROWS + round_number * per_round
        numbers = range(first, first + per_round)
        if round_number % 2 == 0:
            ledger_s += time_ledger_appends(actor, numbers)
            plain_s += time_plain_inserts(actor, numbers)
        else:
            plain_s += time_plain_inserts(actor, numbers)
            ledger_s += time_ledger_appends(actor, numbers)
    return ledger_s, plain_s


def measure_appends(rows: int) -> dict[str, Any]:
    from django.db import connection

    progress(f"{connection.vendor}: {rows} ledger appends against {rows} plain inserts")
    actor = bench_actor()
    create_plain_table()
    try:
        ledger_s, plain_s = alternate_rounds(actor, rows)
    finally:
        drop_plain_table()
    counted = rows // ROUNDS * ROUNDS
    ledger_rate, plain_rate = counted / ledger_s, counted / plain_s
    return {
        "ledger_appends_per_s": round(ledger_rate, 1),
        "plain_inserts_per_s": round(plain_rate, 1),
        "ratio": round(ledger_rate / plain_rate, 3),
        "rows": counted,
        "entry_bytes": len(filing_bytes(actor, counted)),
    }


# --- PostgreSQL, in a subprocess ---------------------------------------------------


def recreate_bench_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")
        admin.execute(f"CREATE DATABASE {PG_BENCH_DB}")


def drop_bench_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB}")


def postgres_part() -> dict[str, Any]:
    """The append benchmark on PostgreSQL; run as `bench/ledger.py --part postgres`."""
    try:
        recreate_bench_database()
    except Exception as problem:  # whatever stops the connection is reported, not raised
        return {"error": f"PostgreSQL unreachable at {PG_SERVER}: {problem}".strip()}
    try:
        with tempfile.TemporaryDirectory(prefix="mailcover-bench-pg-") as var_dir:
            start_django(Path(var_dir), f"{PG_SERVER}/{PG_BENCH_DB}")
            result = measure_appends(POSTGRES_ROWS)
            from django.db import connections

            connections.close_all()
    finally:
        drop_bench_database()
    return result


def run_postgres_subprocess() -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--part", "postgres"]
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    try:
        result: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": f"the PostgreSQL part exited {done.returncode} without a result"}
    return result


# --- a million entries in bulk: proofs and verify ----------------------------------


def synthetic_entry(seq: int) -> Any:
    from mailcover.ledger import entries

    number = seq % 50_000
    return entries.Entry(
        seq=seq,
        at=EPOCH + timedelta(microseconds=seq * 1_013_017),
        actor=entries.Actor(id=1 + seq % 40, username=f"official{seq % 40:02d}"),
        event=EVENTS[seq % len(EVENTS)],
        refs={"case": f"MC-2025-{number:06d}", "subject": 10_000 + number},
        details={"days": 30, "body_sha256": entries.digest(f"request body {seq}")},
    )


def bulk_append(frontier: Any, tip: bytes, count: int) -> bytes:
    """Store `count` entries as `append` would, in one bulk insert; the new chain tip."""
    import hashlib

    from mailcover.ledger import entries, merkle
    from mailcover.ledger.models import Entry

    rows = []
    for _ in range(count):
        seq = frontier.size
        entry = synthetic_entry(seq)
        data = entries.encode(entry)
        leaf_hash = merkle.hash_leaf(data)
        tip = hashlib.sha256(tip + leaf_hash).digest()
        rows.append(
            Entry(
                seq=seq,
                data=data,
                leaf_hash=leaf_hash,
                nodes=b"".join(frontier.append(leaf_hash)),
                at=entry.at,
                event=entry.event,
                case_number=entry.case_number,
                actor_ref=entry.actor.id,
                subject_ref=entry.subject_id,
            )
        )
    Entry.objects.bulk_create(rows)
    return tip


def fill_ledger_to(size: int) -> float:
    """Grow the ledger to `size` entries in bulk, move the head, publish a checkpoint."""
    from django.db import transaction
    from django.utils import timezone

    from mailcover.ledger import checkpoints, log
    from mailcover.ledger.models import Head

    started = time.perf_counter()
    head = Head.objects.get(pk=1)
    frontier, tip = log.frontier_at(head.size), bytes(head.tip)
    while frontier.size < size:
        with transaction.atomic():
            tip = bulk_append(frontier, tip, min(BULK_BATCH, size - frontier.size))
            Head.objects.filter(pk=1).update(size=frontier.size, tip=tip)
        if frontier.size % 200_000 < BULK_BATCH:
            progress(f"  {frontier.size:,} entries stored")
    log.forget_cached_head()
    checkpoints.publish(timezone.now())
    return time.perf_counter() - started


def latencies_ms(call: Callable[[int], object], arguments: list[int]) -> dict[str, float]:
    for argument in arguments[:20]:
        call(argument)  # warm-up: page cache, first-query costs
    samples = []
    for argument in arguments:
        started = time.perf_counter()
        call(argument)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median": round(statistics.median(samples), 4),
        "p99": round(samples[int(len(samples) * 0.99) - 1], 4),
    }


def check_some_proofs(size: int, rng: random.Random) -> None:
    """Proofs that are fast but wrong would be worthless: check a few against the roots."""
    from mailcover.ledger import log, merkle

    root = log.root_at(size)
    for index in rng.sample(range(size), 20):
        leaf_hash = bytes(log.entry_at(index).leaf_hash)
        merkle.verify_inclusion(leaf_hash, index, size, log.inclusion(index, size), root)
    for first in rng.sample(range(1, size), 20):
        proof = log.consistency(first, size)
        merkle.verify_consistency(first, size, log.root_at(first), root, proof)


def measure_proofs(size: int) -> dict[str, Any]:
    from mailcover.ledger import log

    rng = random.Random(9162)
    progress(f"timing {PROOF_SAMPLES} inclusion and consistency proofs at {size:,}")
    check_some_proofs(size, rng)
    indexes = [rng.randrange(size) for _ in range(PROOF_SAMPLES)]
    firsts = [rng.randrange(1, size + 1) for _ in range(PROOF_SAMPLES)]
    return {
        "inclusion_ms": latencies_ms(lambda index: log.inclusion(index, size), indexes),
        "consistency_ms": latencies_ms(lambda first: log.consistency(first, size), firsts),
    }


def measure_verify(size: int) -> dict[str, Any]:
    from mailcover.ledger.verify import verify

    progress(f"ledger verify over {size:,} entries")
    started = time.perf_counter()
    report = verify()
    seconds = time.perf_counter() - started
    if not report.ok:
        progress(f"verify found problems: {report.problems[:3]}")
    return {
        "verify_1m_s": round(seconds, 2),
        "verify_ok": report.ok and report.size == size,
        "verify_checked": {
            "entries": report.size,
            "nodes": report.nodes,
            "checkpoints": report.checkpoints,
        },
    }


# --- the whole run -----------------------------------------------------------------


def targets_met(result: dict[str, Any]) -> dict[str, bool]:
    met = {
        f"{database}_append_ratio": result[database].get("ratio", 0) >= TARGETS["append_ratio"]
        for database in ("sqlite", "postgres")
    }
    for proof in ("inclusion", "consistency"):
        for statistic in ("median", "p99"):
            latency = result[f"{proof}_ms"][statistic]
            met[f"{proof}_{statistic}_ms"] = latency < TARGETS["proof_ms"]
    met["verify_s"] = result["verify_ok"] and result["verify_1m_s"] < TARGETS["verify_s"]
    return met


def sqlite_part() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mailcover-bench-") as var_dir:
        start_django(Path(var_dir), None)
        result: dict[str, Any] = {"benchmark": "ledger", "sqlite": measure_appends(SQLITE_ROWS)}
        progress("PostgreSQL part, in a subprocess")
        result["postgres"] = run_postgres_subprocess()
        progress(f"filling the SQLite ledger to {PROOF_TREE_SIZE:,} entries in bulk")
        result["fill_s"] = round(fill_ledger_to(PROOF_TREE_SIZE), 1)
        result["proofs_at"] = PROOF_TREE_SIZE
        result |= measure_proofs(PROOF_TREE_SIZE)
        result |= measure_verify(PROOF_TREE_SIZE)
    result["targets"] = TARGETS
    result["met"] = targets_met(result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["all", "postgres"], default="all")
    part = parser.parse_args().part
    started = time.perf_counter()
    result = postgres_part() if part == "postgres" else sqlite_part()
    if part == "all":
        result["wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
