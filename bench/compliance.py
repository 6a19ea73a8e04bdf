"""Benchmark of the compliance checks (OIG-*): how long the oversight page takes to compute
every check, live, over a program of ORDERS orders and CAPTURES_PER_ORDER captures each.

The orders are filed and approved in a fresh SQLite database through `covers.actions` (as
people do, each on the ledger), spread over the past year so that some have ended, some
await their report documents and some decisions were late; captures are written straight
to the table (the checks read their dates, never their sealed contents). Then, best of
ROUNDS: `oversight.compliance.run_all` against a baseline in the same run, the time merely
to load the same rows the checks read (requests, decisions, orders with their periods and
events, users, the filing entries of the ledger, the capture dates) into Python objects,
so the ratio says how much the checks cost beyond reading their input once.

Prints one JSON line on stdout; progress goes to stderr.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from match import start_django

ORDERS = 1000
CAPTURES_PER_ORDER = 20
ROUNDS = 3
TARGET_SECONDS = 2.0  # the compliance page for a thousand orders
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def progress(message: str) -> None:
    print(f"[bench/compliance] {message}", file=sys.stderr, flush=True)


def program() -> None:
    """ORDERS orders filed over the past year, each approved 2 to 200 hours after filing."""
    from mailcover.accounts.provisioning import NewUser, add_user
    from mailcover.covers import actions
    from mailcover.covers.models import Capture
    from mailcover.law.requests import CoverRequestDraft
    from mailcover.law.terms import AgencyLevel, Policy

    earlier = NOW - timedelta(days=800)
    password = "bench-password-1234"
    requester = add_user(
        NewUser("bench-requester", "Bench Police", ["requester"], password,
                agency_level="local", nondisclosure=True),
        earlier, Policy(),
    )  # fmt: skip
    approver = add_user(
        NewUser("bench-approver", "U.S. Postal Inspection Service", ["approver"], password,
                agency_level="postal", delegation="DEL-BENCH", delegation_scope="osg_designee",
                nondisclosure=True),
        earlier, Policy(),
    )  # fmt: skip
    captures = []
    for n in range(ORDERS):
        filed_at = NOW - timedelta(hours=n * 8 + 1)
        draft = CoverRequestDraft(
            subject_name=f"SUBJECT NUMBER {n}",
            subject_address="123 MAIN ST, SPRINGFIELD IL 62704",
            grounds="crime",
            statute="18 U.S.C. 1341",
            max_penalty_years=Decimal(20),
            facts="Synthetic order for the compliance benchmark; the facts are stated.",
            scope="addressee",
            days=30,
            requester_agency_level=AgencyLevel.LOCAL,
        )
        filed = actions.file_request(requester, draft, filed_at)
        order = actions.approve(approver, filed, None, filed_at + timedelta(hours=2 + n % 200))
        starts = order.facts().starts_at
        captures += [
            Capture(
                order=order,
                piece_id=f"P-{n}-{k}",
                scanned_at=starts + timedelta(hours=k + 1),
                captured_at=starts + timedelta(hours=k + 1, minutes=2),
                facility="SPRINGFIELD IL P&DC",
                mail_class="first-class",
                sealed=b"",
                matched_on="address",
                sha256="0" * 64,
            )
            for k in range(CAPTURES_PER_ORDER)
        ]
    Capture.objects.bulk_create(captures, batch_size=2000)


def read_input() -> int:
    """The baseline: every row the checks read, loaded once."""
    from mailcover.accounts.models import User
    from mailcover.covers.models import Capture, CoverOrder, CoverRequest, Decision
    from mailcover.ledger.models import Entry

    rows = len(list(CoverRequest.objects.all()))
    rows += len(list(Decision.objects.select_related("official", "delegation")))
    orders = CoverOrder.objects.select_related(
        "request", "emergency_confirmation", "indictment", "improper_ruling", "report_return"
    ).prefetch_related("periods", "reviews")
    rows += len([o.facts() for o in orders])
    rows += len(list(User.objects.all()))
    rows += len([e.entry for e in Entry.objects.filter(event="request.filed")])
    rows += len(list(Capture.objects.values_list("order_id", "scanned_at", "captured_at")))
    return rows


def best(work: Callable[[], Any]) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as var_dir:
        start_django(Path(var_dir))
        from mailcover.law.terms import Policy
        from mailcover.oversight import compliance

        progress(f"filing and approving {ORDERS} orders")
        program()
        results = compliance.run_all(NOW, Policy())
        per_check = {}
        for check in compliance.CHECKS:
            per_check[check.value] = round(
                best(lambda c=check: compliance.run_check(c, NOW, Policy())), 4
            )
        progress("timing the checks against loading their input")
        checks_s = best(lambda: compliance.run_all(NOW, Policy()))
        baseline_s = best(read_input)
        print(
            json.dumps(
                {
                    "bench": "compliance",
                    "orders": ORDERS,
                    "captures": ORDERS * CAPTURES_PER_ORDER,
                    "all_checks_s": round(checks_s, 3),
                    "baseline_read_input_s": round(baseline_s, 3),
                    "ratio_to_baseline": round(checks_s / baseline_s, 2),
                    "per_check_s": per_check,
                    "figures": {r.check.value: r.figure for r in results},
                    "target_s": TARGET_SECONDS,
                    "meets_target": checks_s <= TARGET_SECONDS,
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
