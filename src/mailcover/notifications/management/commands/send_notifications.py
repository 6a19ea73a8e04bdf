"""`manage.py send_notifications` (or `mailcover manage send_notifications`): the e-mail
worker (mailcover.notifications.outbox.send_due).

Once by default (for cron, e.g. every minute); with --loop it passes every --interval
seconds until SIGTERM or Ctrl-C, which end it between two passes.
"""

from __future__ import annotations

import signal
import threading
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from mailcover.config import arguments
from mailcover.notifications.outbox import send_due


class Command(BaseCommand):
    help = (
        "E-mail the people who must act: requests waiting for their decision, decisions on "
        "their requests, approaching deadlines and customer notices sent; each message links "
        "to its page and names nothing of the case."
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
            "--now", type=arguments.moment, help="the moment of a single pass, ISO 8601 with a zone"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["loop"]:
            self._pass(options["now"] or timezone.now())
            return
        stop = threading.Event()
        previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _STOP_SIGNALS}
        try:
            while not stop.is_set():
                self._pass(timezone.now())
                stop.wait(options["interval"])
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("send_notifications: stopped")

    def _pass(self, now: datetime) -> None:
        report = send_due(now)
        self.stdout.write(f"send_notifications {now.isoformat()}: {report}")
        if report.failed:
            self.stderr.write(f"send_notifications: {report.failed} not sent; retried next pass")


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
