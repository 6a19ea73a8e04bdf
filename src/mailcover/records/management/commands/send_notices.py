"""`manage.py send_notices`: the RR-NOTICE worker (mailcover.records.notices.send_due).

The database is the queue: each pass sends the notices no court order holds back any
more. Once by default (for cron); with --loop it passes every --interval seconds until
SIGTERM or Ctrl-C, which end it between two notices, never in the middle of one.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from mailcover.config import arguments
from mailcover.records.notices import send_due


class Command(BaseCommand):
    help = (
        "Send the customer notices of produced records requests that no delayed-notice or "
        "nondisclosure order holds back any more (RR-NOTICE), and print what was done."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop", action="store_true", help="keep passing until SIGTERM or Ctrl-C"
        )
        parser.add_argument(
            "--interval",
            type=arguments.interval,
            default=60.0,
            help="seconds between passes with --loop (default: 60)",
        )
        parser.add_argument(
            "--now",
            type=arguments.moment,
            help="the clock's start, ISO 8601 with a zone (tests, demos); it runs on from there",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        clock = _clock(options["now"])
        if not options["loop"]:
            self._pass(clock, lambda: False)
            return
        self._loop(clock, threading.Event(), options["interval"])

    def _loop(self, clock: Callable[[], datetime], stop: threading.Event, interval: float) -> None:
        # A flag, not an exception: a signal that raised mid-send could interrupt a
        # notice after the mail server took it and before it is marked sent.
        previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _STOP_SIGNALS}
        try:
            while not stop.is_set():
                self._pass(clock, stop.is_set)
                stop.wait(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("send_notices: stopped")

    def _pass(self, clock: Callable[[], datetime], stopping: Callable[[], bool]) -> None:
        now = clock()
        report = send_due(now, stopping=stopping)
        self.stdout.write(f"send_notices {now.isoformat()}: {report}")
        if report.failed:
            self.stderr.write(f"send_notices: {report.failed} not sent; retried next pass")


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _clock(start: datetime | None) -> Callable[[], datetime]:
    """The real clock, or one that reads --now first and then runs on at the real pace
    in whole seconds (so a single pass runs at exactly the moment given)."""
    if start is None:
        return timezone.now
    began = time.monotonic()
    return lambda: start + timedelta(seconds=int(time.monotonic() - began))
