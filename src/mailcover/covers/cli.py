"""`mailcover ingest` and `mailcover synth stream` (DESIGN.md, The command line)."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from mailcover.config import arguments

Setup = Callable[[], None]

SHOWN_REJECTIONS = 1000
"""Rejected lines printed one by one; past this, only their number (in the summary)."""


def add_commands(commands: Any, django: Setup) -> None:
    ingest = commands.add_parser(
        "ingest",
        help="match a mail-piece stream (JSON Lines) against the orders in force and keep "
        "the captures",
        description="Reads one mail-piece event a line (DESIGN.md), from PATH or standard "
        "input ('-'). A bad line is reported on standard error with its number and reason, "
        "and the rest goes on; SIGTERM or Ctrl-C stops it, keeping what was read. Exit "
        "status: 0 when every line was taken, 1 when some were rejected, 2 when the stream "
        "could not be read. Given nats://HOST:PORT instead, it runs as one worker of the "
        "durable consumer all workers share (docs/operations.md) until SIGTERM; exit status "
        "0, or 2 when NATS failed.",
    )
    ingest.add_argument(
        "source",
        metavar="PATH|-|nats://HOST:PORT",
        help="a JSON Lines file, - for stdin, or a NATS server to take pieces from",
    )
    ingest.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    ingest.add_argument(
        "--readers",
        type=arguments.count,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes reading the photographs sent without addressee or barcode, a few "
        "lines ahead (default: one a core; each loads the OCR models once)",
    )
    ingest.set_defaults(
        handler=lambda args: run_ingest(django, args.source, args.quiet, args.readers)
    )

    operator = commands.add_parser(
        "operator", help="operator accounts: the facilities each one feeds"
    ).add_subparsers(dest="action", required=True)
    facilities = operator.add_parser(
        "facilities",
        help="bind an operator account to the facilities it feeds, or unbind it (SEC-OPERATOR)",
        description="Pieces an operator account sends from a facility it is not bound to are "
        "refused one by one. With no option, lists the account's facilities. Every change is "
        "on the ledger. (`mailcover ingest` on the server's shell is bound to none.)",
    )
    facilities.add_argument("username", help="the operator account")
    facilities.add_argument(
        "--add", action="append", default=[], metavar="FACILITY", help="bind; repeat for several"
    )
    facilities.add_argument(
        "--remove",
        action="append",
        default=[],
        metavar="FACILITY",
        help="unbind; repeat for several",
    )
    facilities.set_defaults(handler=lambda args: run_facilities(django, args))

    synth = commands.add_parser("synth", help="synthetic data for demos and benchmarks")
    kinds = synth.add_subparsers(dest="kind", required=True)
    stream = kinds.add_parser(
        "stream",
        help="a synthetic mail stream for the orders in the database, and its ground truth",
        description="Writes OUT (JSON Lines mail-piece events) and OUT's ground truth beside "
        "it (<OUT stem>.truth.jsonl: for each piece, its kind and the orders the law says "
        "must capture it). With --orders K the orders are K synthetic ones instead of the "
        "database's, written to <OUT stem>.orders.jsonl.",
    )
    stream.add_argument("out", metavar="OUT", help="the stream file to write")
    stream.add_argument("--pieces", type=arguments.count, required=True, help="pieces to write")
    stream.add_argument("--seed", type=int, default=0, help="seed (same seed, same stream)")
    stream.add_argument("--orders", type=arguments.count, help="make K synthetic orders instead")
    stream.add_argument(
        "--now",
        type=arguments.moment,
        help="the moment the stream ends, ISO 8601 with a zone (default: now)",
    )
    stream.set_defaults(handler=lambda args: run_synth_stream(django, args))


def _lines(handle: IO[bytes], bar: Any) -> Iterator[bytes]:
    for line in handle:
        if bar is not None:
            bar.update(len(line))
        yield line


def run_ingest(django: Setup, source: str, quiet: bool, readers: int = 1) -> int:
    django()
    from tqdm import tqdm

    from mailcover.covers.ingest import Ingestor, Rejection
    from mailcover.covers.photographs import FolderImages

    try:
        handle: IO[bytes] = sys.stdin.buffer if source == "-" else Path(source).open("rb")  # noqa: SIM115
    except OSError as error:
        print(f"mailcover ingest: cannot read {source}: {error.strerror}", file=sys.stderr)
        return 2
    total = None if source == "-" else Path(source).stat().st_size
    show_bar = not quiet and sys.stderr.isatty()
    bar = (
        tqdm(total=total, unit="B", unit_scale=True, desc="ingest", file=sys.stderr)
        if show_bar
        else None
    )
    shown = 0

    def report(rejection: Rejection) -> None:
        nonlocal shown
        shown += 1
        if shown <= SHOWN_REJECTIONS:
            message = f"line {rejection.index}: {rejection.error}"
            (bar.write if bar is not None else _stderr)(message)

    folder = Path.cwd() if source == "-" else Path(source).parent
    ingestor = Ingestor("cli", on_reject=report, images=FolderImages(folder), readers=readers)
    unreadable = False
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        with handle:
            ingestor.feed_lines(enumerate(_lines(handle, bar), 1))
    except (KeyboardInterrupt, _Stopped):
        print("mailcover ingest: stopped; keeping what was read", file=sys.stderr)
    except OSError as error:
        unreadable = True
        print(f"mailcover ingest: reading {source} failed: {error.strerror}", file=sys.stderr)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if bar is not None:
            bar.close()
        summary = ingestor.finish()
    if not quiet:
        counts = summary.counts()
        print(
            "received {received} pieces: {matched} matched ({captured} new captures, "
            "{already_captured} already captured), {excluded} attorney mail withheld, "
            "{outside_window} outside their order's window, {no_order} under no order, "
            "{unreadable} unreadable, {rejected} rejected".format(**counts)
        )
        if len(summary.rejected) > SHOWN_REJECTIONS:
            print(
                f"(only the first {SHOWN_REJECTIONS} rejected lines were listed)", file=sys.stderr
            )
    return 2 if unreadable else 1 if summary.rejected else 0


def run_facilities(django: Setup, args: Any) -> int:
    django()
    from django.utils import timezone

    from mailcover.accounts.models import User
    from mailcover.covers import feeds
    from mailcover.law.errors import RuleBroken

    operator = User.objects.filter(username=args.username).first()
    if operator is None:
        print(f"mailcover operator facilities: no account {args.username!r}", file=sys.stderr)
        return 2
    now = timezone.now()
    try:
        for name in args.add:
            feeds.bind(operator, name, now)
        for name in args.remove:
            if not feeds.unbind(operator, name, now):
                print(f"note: {operator.username} was not bound to {name!r}", file=sys.stderr)
    except RuleBroken as refused:
        print(f"mailcover operator facilities: {refused} ({refused.rule})", file=sys.stderr)
        return 2
    bound = feeds.bound_facilities(operator)
    print(f"{operator.username} feeds: {', '.join(bound) if bound else 'no facility'}")
    return 0


class _Stopped(Exception):
    """SIGTERM: stop reading, keep the captures held so far and the counts."""


def _stop(signum: int, frame: Any) -> None:
    raise _Stopped


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def run_synth_stream(django: Setup, args: Any) -> int:
    from mailcover.matching import synth

    out = Path(args.out)
    stem = out.with_suffix("") if out.suffix else out
    truth_path = stem.with_name(stem.name + ".truth.jsonl")
    now = args.now or datetime.now(UTC)
    if args.orders:
        orders = synth.orders(args.orders, args.seed, now)
        with stem.with_name(stem.name + ".orders.jsonl").open("w") as written:
            for order in orders:
                written.write(json.dumps(_order_json(order)) + "\n")
    else:
        django()
        from mailcover.covers.in_force import covered_orders

        orders = covered_orders()
    with out.open("w") as events, truth_path.open("w") as truths:
        for event, truth in synth.stream(orders, args.pieces, args.seed, now):
            events.write(json.dumps(event) + "\n")
            truths.write(
                json.dumps(
                    {
                        "piece_id": truth.piece_id,
                        "kind": truth.kind,
                        "order": truth.order_id,
                        "captures": list(truth.captures),
                    }
                )
                + "\n"
            )
    if not args.orders:
        # The stream and its truth hold the orders' names and addresses: a copy of case data
        # outside the database, so it is put on the ledger like any other handling of it.
        from django.utils import timezone

        from mailcover.ledger import log
        from mailcover.ledger.events import EventName

        log.record(
            None,
            EventName.SYNTHETIC_STREAM_WRITTEN,
            timezone.now(),
            orders=len(orders),
            pieces=args.pieces,
            seed=args.seed,
        )
        print(
            "note: the stream and its truth hold the orders' subject names and addresses; "
            "keep them as case data (a test or demonstration tool)",
            file=sys.stderr,
        )
    print(f"wrote {args.pieces} pieces for {len(orders)} orders to {out}, truth to {truth_path}")
    return 0


def _order_json(order: Any) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "case_number": order.case_number,
        "scope": order.scope.value,
        "names": list(order.names),
        "address": order.address.lines(),
        "starts_at": order.facts.starts_at.isoformat(),
        "ends_at": order.facts.ends_at.isoformat(),
        "attorneys": [a.name for a in order.attorneys],
    }
