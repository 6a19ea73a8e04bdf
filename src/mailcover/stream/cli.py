"""`mailcover feed`, `mailcover stream status` and `mailcover ingest nats://...` (DESIGN.md,
The command line). A path given to `mailcover ingest` still goes to the one-process ingest."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from mailcover.stream import jetstream

Setup = Callable[[], None]


def add_commands(commands: Any, django: Setup) -> None:
    _extend_ingest(commands.choices["ingest"], django)
    feed = commands.add_parser(
        "feed",
        help="publish a mail-piece stream (JSON Lines) to NATS JetStream",
        description="Publishes one message a piece, with the header Nats-Msg-Id set to its "
        "piece_id (the stream drops a piece sent again within its duplicate window), and "
        "waits for JetStream's acknowledgment of each. Creates the stream when it is missing "
        "(docs/operations.md gives its limits). A photograph named by a line goes into the "
        "object store, and the message names the object. Exit status: 0 when every line was "
        "published, 1 when some lines were refused (each named on standard error), 2 when "
        "NATS failed (the message says where the feed stopped; sending it all again is safe).",
    )
    feed.add_argument("url", metavar="nats://HOST:PORT", type=jetstream.nats_url)
    feed.add_argument("source", metavar="PATH|-", help="a JSON Lines file, or - for stdin")
    _stream_option(feed)
    feed.add_argument(
        "--subject",
        help="publish every piece to this subject (default: mail.pieces.FACILITY, from each "
        "piece's facility; the stream's name in lower case in place of mail)",
    )
    _images_option(feed)
    feed.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    feed.set_defaults(handler=run_feed)

    stream = commands.add_parser("stream", help="the mail stream at scale (NATS JetStream)")
    actions = stream.add_subparsers(dest="action", required=True)
    status = actions.add_parser(
        "status",
        help="the consumer's pending, unacknowledged and redelivered counts, and each "
        "worker's rate",
    )
    status.add_argument("url", metavar="nats://HOST:PORT", type=jetstream.nats_url)
    _stream_option(status)
    _durable_option(status)
    status.add_argument("--json", action="store_true", help="one JSON object")
    status.set_defaults(handler=run_status)


def _stream_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stream", default=jetstream.STREAM, help="the JetStream stream (default: %(default)s)"
    )


def _durable_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--durable",
        default=jetstream.DURABLE,
        help="the durable consumer every worker shares (default: %(default)s)",
    )


def _images_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--images",
        default=jetstream.IMAGES,
        metavar="BUCKET",
        help="the object store of the photographs (default: %(default)s)",
    )


def _extend_ingest(ingest: argparse.ArgumentParser, django: Setup) -> None:
    """`mailcover ingest nats://HOST:PORT`: a worker; any other source, the one process."""
    _stream_option(ingest)
    _durable_option(ingest)
    _images_option(ingest)
    one_process = ingest.get_default("handler")

    def dispatch(args: argparse.Namespace) -> int:
        if not jetstream.is_nats_url(args.source):
            return int(one_process(args))
        django()
        from mailcover.stream import worker

        return worker.run(args.source, args.stream, args.durable, images_bucket=args.images)

    ingest.set_defaults(handler=dispatch)


def run_feed(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from mailcover.stream import feed

    try:
        handle: IO[bytes] = sys.stdin.buffer if args.source == "-" else open(args.source, "rb")  # noqa: SIM115
    except OSError as error:
        print(f"mailcover feed: cannot read {args.source}: {error.strerror}", file=sys.stderr)
        return 2
    folder = Path.cwd() if args.source == "-" else Path(args.source).parent
    bar = None
    if not args.quiet and sys.stderr.isatty():
        bar = tqdm(unit=" pieces", unit_scale=True, desc="feed", file=sys.stderr)
    try:
        with handle:
            fed = jetstream.run(
                feed.publish(
                    args.url,
                    _lines(handle),
                    args.stream,
                    subject=args.subject,
                    images_bucket=args.images,
                    folder=folder,
                    progress=bar.update if bar is not None else None,
                )
            )
    except jetstream.StreamError as problem:
        print(f"mailcover feed: {problem}", file=sys.stderr)
        return 2
    finally:
        if bar is not None:
            bar.close()
    for number, reason in fed.refused:
        print(f"line {number}: {reason}", file=sys.stderr)
    if not args.quiet:
        print(
            f"published {fed.published} pieces to stream {args.stream} ({fed.duplicates} "
            f"already in it, {fed.images} photographs), {len(fed.refused)} lines refused"
        )
    return 1 if fed.refused else 0


def _lines(handle: IO[bytes]) -> Iterator[bytes]:
    yield from handle


def run_status(args: argparse.Namespace) -> int:
    from mailcover.stream import status

    try:
        found = jetstream.run(status.fetch(args.url, args.stream, args.durable))
    except jetstream.StreamError as problem:
        print(f"mailcover stream status: {problem}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(found.as_json()))
    else:
        print("\n".join(found.lines()))
    return 0
