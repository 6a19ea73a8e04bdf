"""`mailcover records import` and `mailcover records synth` (customer records)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailcover.config import arguments

if TYPE_CHECKING:
    from mailcover.records.importers import ImportReport

Setup = Callable[[], None]

# importers.KINDS and FIELDS, written out so that building the parser needs no Django
# (a test checks that they agree). "?": the field may be left out.
FIELDS = {
    "customers": "account_number name address email phone? opened_at services?",
    "sign_ins": "account_number at ip_address user_agent? duration_seconds?",
    "items": "account_number tracking_number role",
    "scans": "tracking_number at event location",
    "payments": "account_number at amount currency? card_brand card_last4 processor_token "
    "description?",
    "address_changes": "account_number at old_address new_address",
}
KINDS = tuple(FIELDS)
SHOWN_ERRORS = 1000
"""Row errors printed one by one; past this, only their number (in the summary)."""


def add_commands(commands: Any, django: Setup) -> None:
    """Register the `records` subcommands on the top-level parser's subparsers."""
    records = commands.add_parser(
        "records", help="customer records: import them from files, or make synthetic ones"
    ).add_subparsers(dest="action", required=True)

    load = records.add_parser(
        "import",
        help="import one kind of customer record from a CSV or JSON Lines file",
        description="Reads PATH, a CSV file with a header row or a JSON Lines file, of one "
        "kind of record, checks every row and stores the good ones; a bad row is reported "
        "on standard error with its line, field and reason, and left out. Import customers "
        "before their sign-ins, items, payments and address changes, and items before "
        "their scans. Exit status: 0 when every row was imported, 1 when some were "
        "rejected, 2 when the file could not be read (nothing imported).",
        epilog="The fields of each kind (?: optional): "
        + "; ".join(f"{kind}: {names}" for kind, names in FIELDS.items())
        + ". Times are ISO 8601 with a zone; services are separated by ; in CSV and a list "
        "in JSON Lines; a role is sender or recipient; a row holding a full card number "
        "is refused.",
    )
    load.add_argument("kind", choices=KINDS, help="the kind of record the file holds")
    load.add_argument("path", metavar="PATH", help="the file to import")
    load.add_argument(
        "--format",
        dest="fmt",
        choices=("csv", "jsonl"),
        help="the file's format (default: from its extension, .csv, .jsonl or .ndjson)",
    )
    load.set_defaults(handler=lambda args: run_import(django, args))

    synth = records.add_parser(
        "synth",
        help="write a synthetic world of customers and their records into the database",
        description="Makes N customers with two years of sign-ins, tracked items and "
        "their scans, payments and address changes (documentation IP addresses, example "
        "email domains, valid tracking numbers, no card numbers), and imports them with "
        "the same checks as `records import`. The same seed makes the same world.",
    )
    synth.add_argument(
        "--customers", metavar="N", type=arguments.count, required=True, help="customers to make"
    )
    synth.add_argument("--seed", type=int, default=0, help="seed (same seed, same world)")
    synth.add_argument(
        "--now",
        type=arguments.moment,
        help="the end of the two years, ISO 8601 with a zone (default: now)",
    )
    synth.set_defaults(handler=lambda args: run_synth(django, args))


def run_import(django: Setup, args: argparse.Namespace) -> int:
    django()
    from django.utils import timezone

    from mailcover.records.importers import ImportFileError, import_file

    path = Path(args.path)
    try:
        report = import_file(args.kind, path, timezone.now(), fmt=args.fmt)
    except OSError as problem:
        _fail(f"cannot read {path}: {problem.strerror}")
        return 2
    except ImportFileError as problem:
        _fail(str(problem))
        return 2
    _show([report])
    return 1 if report.rejected else 0


def run_synth(django: Setup, args: argparse.Namespace) -> int:
    django()
    from django.utils import timezone

    from mailcover.records import synth

    now = args.now or timezone.now()
    world = synth.build_world(args.seed, args.customers, now)
    reports = synth.write_world(world, now)
    _show(reports.values())
    return 1 if any(report.rejected for report in reports.values()) else 0


def _show(reports: Iterable[ImportReport]) -> None:
    """Errors on standard error (the first SHOWN_ERRORS), a summary line per kind on
    standard output."""
    shown = 0
    for report in reports:
        for error in report.errors[: max(0, SHOWN_ERRORS - shown)]:
            print(f"{report.kind} {error}", file=sys.stderr)
        shown += len(report.errors)
        print(report.summary())
    if shown > SHOWN_ERRORS:
        print(f"(only the first {SHOWN_ERRORS} errors were listed)", file=sys.stderr)


def _fail(message: str) -> None:
    print(f"mailcover records: {message}", file=sys.stderr)
