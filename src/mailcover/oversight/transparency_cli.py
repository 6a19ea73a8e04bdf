"""`mailcover report transparency` (DESIGN.md, The command line)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

Setup = Callable[[], None]


def add_commands(commands: Any, django: Setup) -> None:
    report = commands.add_parser("report", help="reports for oversight and the public")
    kinds = report.add_subparsers(dest="report", required=True)
    transparency = kinds.add_parser(
        "transparency",
        help="the transparency report of a period (internal: exact counts; --public: banded)",
        description="Counts what the service did in a calendar period (--year, with "
        "--quarter or --half) or from --start to --end (whole days in UTC, both included; "
        "default: the year to date, or with --public the last closed quarter): mail covers "
        "by grounds and agency level, approved, denied and ruled improper, durations, "
        "extensions, emergencies, attorney mail withheld, and records requests by "
        "instrument and category with customer notices sent and delayed. The internal "
        "version has exact counts; --public shows counts below 10 as 0-9 and is made for "
        "closed calendar quarters, half-years and years only (SEC-PUBLIC-PERIOD, "
        "docs/transparency.md). Exit status: 0 written, 2 for a bad or refused period or "
        "nowhere to write.",
    )
    transparency.add_argument("--year", metavar="YYYY", help="a calendar year")
    transparency.add_argument("--quarter", metavar="1-4", help="a quarter of --year")
    transparency.add_argument("--half", metavar="1-2", help="a half of --year")
    transparency.add_argument("--start", metavar="YYYY-MM-DD", help="first day (UTC)")
    transparency.add_argument("--end", metavar="YYYY-MM-DD", help="last day (UTC), included")
    transparency.add_argument(
        "--format", choices=["json", "csv", "html", "pdf"], default="json", help="default: json"
    )
    transparency.add_argument(
        "--public", action="store_true", help="the public version: small counts banded"
    )
    transparency.add_argument(
        "--output", metavar="PATH", help="write to PATH (default: standard output)"
    )
    transparency.set_defaults(handler=lambda args: run_transparency(django, args))


def _fail(message: str) -> int:
    print(f"mailcover report transparency: {message}", file=sys.stderr)
    return 2


def run_transparency(django: Setup, args: Any) -> int:
    django()
    from mailcover.law.errors import RuleBroken
    from mailcover.oversight.transparency import PeriodError
    from mailcover.oversight.transparency_periods import Asked, period_of

    today = datetime.now(UTC).date()
    asked = Asked(args.start, args.end, args.year, args.quarter, args.half)
    try:
        start, end = period_of(asked, today, public=args.public)
    except PeriodError as bad:
        return _fail(f"--{bad.field}: {bad.message}")
    if args.format == "pdf" and not args.output and sys.stdout.isatty():
        return _fail("a PDF is not for a terminal: give --output PATH or redirect the output")
    try:
        data = _render(start, end, args.format, args.public, today)
    except RuleBroken as refused:
        return _fail(f"{refused} ({refused.rule})")
    if args.output:
        try:
            Path(args.output).write_bytes(data)
        except OSError as error:
            return _fail(f"cannot write {args.output}: {error.strerror}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _render(start: date, end: date, form: str, public: bool, today: date) -> bytes:
    from mailcover.law.errors import refuse_if
    from mailcover.law.transparency import check_public_period
    from mailcover.oversight import transparency
    from mailcover.oversight.transparency_pdf import issuing_agency, render_pdf
    from mailcover.oversight.transparency_periods import public_report
    from mailcover.oversight.transparency_views import render_document

    if public:
        # SEC-PUBLIC-PERIOD: what is made for publishing is what the public may read.
        refuse_if(check_public_period(start, end, today))
    report = transparency.build_report(start, end)
    if public:
        report = public_report(report)
    if form == "pdf":
        return render_pdf(report, issuing_agency())
    if form == "csv":
        return transparency.as_csv(report).encode()
    if form == "html":
        return render_document(report).encode()
    return (json.dumps(transparency.as_json(report), indent=2) + "\n").encode()
