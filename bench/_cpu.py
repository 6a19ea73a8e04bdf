"""CPU-time accounting for benchmarks on a shared machine (Linux `/proc`).

On a machine other jobs share, the wall clock says what was left over; the CPU seconds each
process used say what the work costs. `Window` reads, at the start and the end of a run,
the CPU time of the processes a run involves (by pid), of this process and of the whole
machine (`/proc/stat`), so that what other jobs took is the difference; `Backends`, that
of a PostgreSQL server's backends of one database and of its background processes.

`ratio_limit` is what those costs allow: see its docstring for the derivation. A helper of
bench/stream.py, not a benchmark (`make bench` runs no `bench/_*.py`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int, *, children: bool = False) -> float | None:
    """User and system CPU seconds of a process (all its threads) so far; with `children`,
    also those of its children that ended and were reaped. None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: count after it.
    fields = text.rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime + (cutime + cstime if children else 0)) / TICKS


def machine_cpu() -> float:
    """CPU seconds the whole machine spent busy (every core, every process) since boot."""
    with open("/proc/stat") as stat:
        values = [int(x) for x in stat.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / TICKS


def self_cpu() -> float:
    """This process's CPU seconds (every thread), children excluded."""
    times = os.times()
    return times.user + times.system


@dataclass
class Backends:
    """A PostgreSQL server's processes as `pg_stat_activity` lists them: the client backends
    of one database (the run's own) and the server's background processes (checkpointer,
    WAL writer, ...: they serve every database, so theirs is an upper estimate of ours).

    A backend's CPU time is readable only while it lives, and backends end with their
    connections: `sample` is called every INTERVAL_S by a thread of its own, and once more
    just before a worker is stopped or killed, and each backend's last reading is kept."""

    server: str
    database: str
    last: dict[tuple[str, int], float] = field(default_factory=dict)
    at_start: dict[tuple[str, int], float] = field(default_factory=dict)

    INTERVAL_S = 0.25

    def __post_init__(self) -> None:
        import psycopg

        self._db = psycopg.connect(self.server, autocommit=True)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sample(self) -> None:
        with self._lock:
            rows = self._db.execute(
                "SELECT pid, datname, backend_type FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid()"
            ).fetchall()
            for pid, datname, kind in rows:
                if datname == self.database and kind == "client backend":
                    group = "backends"
                elif datname is None:
                    group = "background"
                else:
                    continue  # another database's backend: another job's work
                cpu = process_cpu(pid)
                if cpu is not None:
                    self.last[group, pid] = cpu

    def start(self) -> None:
        self.sample()
        self.at_start = dict(self.last)
        self._stop.clear()
        self._thread = threading.Thread(target=self._every, daemon=True)
        self._thread.start()

    def _every(self) -> None:
        while not self._stop.wait(self.INTERVAL_S):
            self.sample()

    def stop(self) -> dict[str, float]:
        """CPU seconds since `start`: {"backends": ..., "background": ...}."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.sample()
        used = {"backends": 0.0, "background": 0.0}
        for (group, pid), cpu in self.last.items():
            used[group] += cpu - self.at_start.get((group, pid), 0.0)
        self.last.clear()
        return used

    def close(self) -> None:
        self._db.close()


@dataclass
class Window:
    """The machine's and some processes' CPU seconds over one run."""

    pids: dict[str, int]
    started: dict[str, float | None] = field(default_factory=dict)
    machine: float = 0.0
    own: float = 0.0

    def __post_init__(self) -> None:
        self.started = {name: process_cpu(pid) for name, pid in self.pids.items()}
        self.machine = machine_cpu()
        self.own = self_cpu()

    def used(self) -> dict[str, float | None]:
        """CPU seconds since the window opened: each named process's (None if it was not
        readable), this process's (`bench`) and the whole machine's (`machine`)."""
        used: dict[str, float | None] = {}
        for name, pid in self.pids.items():
            now, then = process_cpu(pid), self.started[name]
            used[name] = None if now is None or then is None else now - then
        used["bench"] = self_cpu() - self.own
        used["machine"] = machine_cpu() - self.machine
        return used


def others(used: dict[str, float | None], ours: Iterable[str]) -> float:
    """What other jobs took: the machine's busy seconds less those of the named processes."""
    return max(0.0, (used["machine"] or 0.0) - sum(used[name] or 0.0 for name in ours))


def rate_limit(workers: int, cores: int, w: float, n: float, p: float) -> float:
    """The most pieces a second `workers` worker processes can take on `cores` cores, when
    each piece costs w CPU seconds in a worker, n in the NATS server and p in PostgreSQL.

    A worker is one process bound by its interpreter's lock to one core: at most 1/w each,
    so `workers`/w together. And every process shares the cores: (w + n + p) per piece on
    `cores` cores, at most cores/(w + n + p). The lesser of the two."""
    return min(workers / w, cores / (w + n + p))


def ratio_limit(
    cores: int, one: tuple[float, float, float], two: tuple[float, float, float]
) -> float:
    """The ratio of 2 workers' rate to 1 worker's that the per-piece costs (w, n, p) of each
    run allow, both going as fast as their CPU lets them (`rate_limit`).

    With the same costs in both runs and 2 cores: one worker goes at min(1/w, 2/(w+n+p)),
    two at min(2/w, 2/(w+n+p)) = 2/(w+n+p) (since n+p >= 0). If the servers fit on the core
    the worker leaves (n + p <= w), one worker goes at 1/w and the ratio is 2w/(w+n+p), from
    2 (servers that cost nothing) down to 1 (servers that cost as much as the worker). If
    they do not (n + p > w), one worker already fills both cores with the servers' help:
    both runs go at 2/(w+n+p), and the ratio is 1 whatever the number of workers.

    This is not an upper bound of the measured ratio: a worker that waits for its database
    (its queries are synchronous) goes slower than 1/w alone, and a second worker fills the
    wait. What does bound the 2-worker rate is cores/(w+n+p) with the 2-worker run's costs
    (`rate_limit`), whatever one worker did."""
    return rate_limit(2, cores, *two) / rate_limit(1, cores, *one)


def per_piece_us(seconds: float | None, pieces: int) -> float | None:
    return None if seconds is None else round(seconds / pieces * 1e6, 1)


def rounded(values: dict[str, Any], digits: int = 2) -> dict[str, Any]:
    return {k: round(v, digits) if isinstance(v, float) else v for k, v in values.items()}
