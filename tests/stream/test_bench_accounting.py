"""bench/_cpu.py, the CPU-time accounting of bench/stream.py: what it reads of /proc is a
process's real CPU time, and the 2-to-1 ratio it derives from per-piece costs."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest


def _cpu() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "bench" / "_cpu.py"
    spec = importlib.util.spec_from_file_location("bench_cpu", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_cpu"] = module
    spec.loader.exec_module(module)
    return module


cpu = _cpu()

BURN = """
import sys, time
with open("/proc/self/comm", "w") as comm:
    comm.write("a) (b c")  # a command name with spaces and parentheses, as /proc shows it
print("ready", flush=True)
end = time.process_time() + float(sys.argv[1])
while time.process_time() < end:
    pass
sys.stdin.read()
"""


def test_a_process_cpu_time_is_read_even_when_its_name_holds_spaces_and_parentheses() -> None:
    burner = subprocess.Popen(
        [sys.executable, "-c", BURN, "0.5"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert burner.stdout is not None
        assert burner.stdout.readline() == b"ready\n"
        deadline = time.monotonic() + 30
        while (used := cpu.process_cpu(burner.pid)) is not None and used < 0.5:
            assert time.monotonic() < deadline, "the process never showed its CPU time"
            time.sleep(0.05)
        assert used is not None
        assert 0.5 <= used < 5
    finally:
        burner.communicate(b"")
    assert cpu.process_cpu(burner.pid) is None  # reaped: nothing left to read


def test_the_machine_was_busy_at_least_as_long_as_a_process_of_it() -> None:
    window = cpu.Window({})
    end = cpu.self_cpu() + 0.3  # as the window reads it (clock ticks)
    while cpu.self_cpu() < end:
        pass
    used = window.used()
    assert used["bench"] >= 0.3 - 1e-9  # the same clock read twice, subtracted in floats
    # /proc/stat samples whole ticks of 10 ms per core, the process clock is exact: a few
    # ticks of slack on a machine busy with other work.
    assert used["machine"] >= used["bench"] - 0.05
    assert cpu.others(used, ["bench"]) == max(0.0, used["machine"] - used["bench"])


def test_servers_that_cost_nothing_let_two_workers_go_twice_as_fast() -> None:
    assert cpu.ratio_limit(2, (100e-6, 0.0, 0.0), (100e-6, 0.0, 0.0)) == pytest.approx(2.0)


def test_servers_that_fit_on_the_core_a_worker_leaves_give_2w_over_the_whole_cost() -> None:
    w, n, p = 100e-6, 30e-6, 20e-6
    assert cpu.rate_limit(1, 2, w, n, p) == pytest.approx(1 / w)
    assert cpu.ratio_limit(2, (w, n, p), (w, n, p)) == pytest.approx(2 * w / (w + n + p))


def test_servers_that_cost_more_than_the_worker_leave_nothing_for_a_second_worker() -> None:
    w, n, p = 100e-6, 110e-6, 10e-6
    assert cpu.rate_limit(1, 2, w, n, p) == pytest.approx(2 / (w + n + p))
    assert cpu.ratio_limit(2, (w, n, p), (w, n, p)) == pytest.approx(1.0)


def test_more_cores_lift_the_limit_the_servers_set() -> None:
    w, n, p = 100e-6, 110e-6, 10e-6
    # One worker has a core and the servers the rest; two share 4 cores with the servers.
    assert cpu.ratio_limit(4, (w, n, p), (w, n, p)) == pytest.approx(4 * w / (w + n + p))
    assert cpu.ratio_limit(8, (w, n, p), (w, n, p)) == pytest.approx(2.0)
