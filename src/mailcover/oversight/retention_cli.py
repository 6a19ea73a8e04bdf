"""`mailcover retention run`: destroy what the law no longer lets the service keep."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from mailcover.config import arguments

Setup = Callable[[], None]


def add_commands(commands: Any, django: Setup) -> None:
    retention = commands.add_parser(
        "retention", help="retention and destruction of captured data and productions"
    )
    actions = retention.add_subparsers(dest="action", required=True)
    run = actions.add_parser(
        "run",
        help="destroy everything due: covers ended more than 8 years ago, orders ruled "
        "improper, productions past their retention period",
        description="Destroys the captures, sealed images and key of every order whose data "
        "is due (MC-RETENTION: 8 years after the cover ended; MC-IMPROPER: at once) and the "
        "kept ZIP of every production past MAILCOVER_PRODUCTION_RETENTION_DAYS, each with "
        "one ledger entry giving counts and hashes. The ledger and the accounting of "
        "disclosures are kept (PA-KEEP). Running it again destroys nothing more. Exit "
        "status: 0 when done, 2 for a bad argument.",
    )
    run.add_argument(
        "--now",
        type=arguments.moment,
        help="the moment to judge what is due at, ISO 8601 with a zone (default: now)",
    )
    run.add_argument("--dry-run", action="store_true", help="say what is due, destroy nothing")
    run.set_defaults(handler=lambda args: run_retention(django, args.now, args.dry_run))


def run_retention(django: Setup, now: datetime | None, dry_run: bool) -> int:
    django()
    from django.utils import timezone

    from mailcover.oversight import retention

    if now is not None and now > timezone.now() and not dry_run:
        # A moment to come may be asked about (--dry-run), never acted on: it would
        # destroy data before its period is over.
        print(
            f"mailcover retention run: --now {now.isoformat()} is in the future; only a "
            "--dry-run may look ahead, data is destroyed only when its period is over",
            file=sys.stderr,
        )
        return 2
    summary = retention.run(now or timezone.now(), dry_run=dry_run)
    for line in summary.lines(dry_run):
        print(line)
    return 0
