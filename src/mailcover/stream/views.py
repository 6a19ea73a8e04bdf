"""The operator's page (`/stream`, and the operator's home) and /metrics.

The operator's page shows the stream's state (from NATS when MAILCOVER_NATS_URL is set) and
the last tallies of the ingests: pieces received and refused, when and from which feed, and
the facilities this account is bound to. A tally's other counts (matched, captured, withheld
for an attorney, no order) say which pieces an order covers and stay with oversight, on the
ledger (SEC-OPERATOR): the page reads the same whether or not any address is under cover.

/metrics: the stream's figures in the Prometheus text format, for the operator role and
for a scraper holding MAILCOVER_METRICS_TOKEN. Nobody else, signed in or not, reads them.

The figures are those of `mailcover stream status` (pending, unacknowledged, redelivered,
each worker's rate): none depends on which pieces an order covers (SEC-OPERATOR).
"""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from mailcover.accounts.models import ApiToken, User
from mailcover.covers.feeds import bound_facilities
from mailcover.covers.models import StreamTally
from mailcover.law.terms import Role
from mailcover.stream import jetstream
from mailcover.stream.status import Status, fetch

READ_TIMEOUT_S = 2.0
TALLIES_SHOWN = 20


@dataclass(frozen=True)
class TallyShown:
    """What the operator reads of one ingest's tally: nothing that depends on coverage."""

    source: str
    started_at: Any
    finished_at: Any
    received: int
    rejected: int


def operator_state(user: User) -> dict[str, Any]:
    """The stream's state and last tallies for an operator (SEC-OPERATOR: counts of pieces
    received and refused only)."""
    tallies = StreamTally.objects.order_by("-finished_at", "-pk").values(
        "source", "started_at", "finished_at", "received", "rejected"
    )[:TALLIES_SHOWN]
    configured = bool(settings.MAILCOVER_NATS_URL)
    return {
        "tallies": [TallyShown(**row) for row in tallies],
        "facilities": sorted(bound_facilities(user)),
        "nats_configured": configured,
        "status": _status() if configured else None,
        "stream_name": settings.MAILCOVER_NATS_STREAM,
    }


@login_required
@require_GET
def operator_page(request: HttpRequest) -> HttpResponse:
    """The mail stream, for the operator role only."""
    user: User = request.user  # type: ignore[assignment]
    if Role.OPERATOR not in user.role_set:
        raise PermissionDenied("the operator role reads the mail stream's page")
    return render(request, "stream/operator.html", {"stream": operator_state(user)})


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    allowed = _may_read(request)
    if allowed is None:
        refused = HttpResponse("sign in as an operator, or send the scraper's bearer token\n",
                               status=401, content_type="text/plain")  # fmt: skip
        refused["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return refused
    if not allowed:
        return HttpResponse("the operator role reads /metrics\n", status=403,
                            content_type="text/plain")  # fmt: skip
    if not settings.MAILCOVER_NATS_URL:
        return HttpResponse("MAILCOVER_NATS_URL is not set: there is no stream to report on\n",
                            status=503, content_type="text/plain")  # fmt: skip
    return HttpResponse(exposition(_status()), content_type=CONTENT_TYPE_LATEST)


def _may_read(request: HttpRequest) -> bool | None:
    """True for an operator (session or API token) or the scraper's token; False for anyone
    else who said who they are; None for someone who did not."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        token = token.strip()
        expected = settings.MAILCOVER_METRICS_TOKEN
        if expected and hmac.compare_digest(token.encode(), expected.encode()):
            return True
        found = ApiToken.objects.usable(token, timezone.now())
        return found is not None and Role.OPERATOR in found.user.role_set
    user = request.user
    if not user.is_authenticated:
        return None
    return Role.OPERATOR in user.role_set


def _status() -> Status | None:
    """The figures, or None when NATS did not answer in time (the scrape says so: up 0)."""
    try:
        return jetstream.run(
            asyncio.wait_for(
                fetch(
                    settings.MAILCOVER_NATS_URL,
                    settings.MAILCOVER_NATS_STREAM,
                    settings.MAILCOVER_NATS_DURABLE,
                ),
                READ_TIMEOUT_S,
            )
        )
    except (jetstream.StreamError, TimeoutError):
        return None


def exposition(status: Status | None) -> bytes:
    """The Prometheus text of one reading (a registry of its own: nothing global)."""
    registry = CollectorRegistry()

    def gauge(name: str, text: str, labels: tuple[str, ...] = ()) -> Gauge:
        return Gauge(name, text, labels, registry=registry)

    gauge("mailcover_stream_up", "1 when NATS answered with the stream and consumer").set(
        0 if status is None else 1
    )
    if status is not None:
        figures = {
            "mailcover_stream_messages": ("pieces in the stream", status.messages),
            "mailcover_stream_pending": ("pieces not yet delivered", status.pending),
            "mailcover_stream_unacknowledged": (
                "pieces delivered, not yet acknowledged",
                status.unacknowledged,
            ),
            "mailcover_stream_redelivered": (
                "pieces delivered more than once, not yet acknowledged",
                status.redelivered,
            ),
            "mailcover_stream_workers": ("workers reporting", len(status.workers)),
        }
        for name, (text, value) in figures.items():
            gauge(name, text).set(value)
        rate = gauge("mailcover_worker_pieces_per_second", "a worker's rate", ("worker",))
        taken = gauge("mailcover_worker_pieces", "pieces a worker took since it started",
                      ("worker",))  # fmt: skip
        for worker in status.workers:
            rate.labels(worker.worker).set(worker.pieces_per_s)
            taken.labels(worker.worker).set(worker.received)
    return generate_latest(registry)
