"""Destroying what the law no longer lets the service keep (MC-RETENTION, MC-IMPROPER).

`law.retention` decides when; this module finds what is due and destroys it. An order's
data is its captures' rows, their sealed images and the order's key: the rows are deleted
in the caller's transaction, and the files and key only once it commits (a rolled-back
destruction leaves everything readable, a committed one nothing). Deleting the key is what
reaches the backups: every copy of the rows and images elsewhere is a ciphertext under it.

Each destruction is one ledger entry saying what was destroyed, by count and by hash,
never the data. What stays: the ledger and the accounting of disclosures (PA-KEEP), the
orders and requests themselves, and the aggregate counts (attorney exclusions, stream
tallies). Running it twice destroys and records nothing more.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from mailcover.accounts.models import User
from mailcover.covers import sealing
from mailcover.covers.models import CoverOrder
from mailcover.law import retention
from mailcover.law.retention import Reason
from mailcover.law.terms import Policy
from mailcover.ledger import log as ledger
from mailcover.ledger.events import EventName
from mailcover.records.models import Production

KEY_FILE = re.compile(r"order-(\d+)\.key")


@dataclass(frozen=True)
class Due:
    """One thing due for destruction at the moment asked: an order's data or a production."""

    kind: str  # "order" or "production"
    pk: int
    case_number: str
    reason: Reason
    captures: int  # captures held (0 for a production)


@dataclass(frozen=True)
class Destroyed:
    """What one destruction removed, as its ledger entry states it."""

    captures: int
    images: int
    captures_sha256: str
    key: bool


def _policy() -> Policy:
    policy: Policy = settings.MAILCOVER_POLICY
    return policy


def _orders_holding_data() -> list[CoverOrder]:
    """Orders with captures, or with a key left in the key folder."""
    with_keys: set[int] = set()
    with contextlib.suppress(FileNotFoundError):
        for path in sealing.key_dir().iterdir():
            if found := KEY_FILE.fullmatch(path.name):
                with_keys.add(int(found.group(1)))
    holding = set(CoverOrder.objects.filter(captures__isnull=False).values_list("pk", flat=True))
    return list(
        CoverOrder.objects.filter(pk__in=holding | with_keys)
        .select_related("request", "emergency_confirmation", "indictment", "improper_ruling")
        .prefetch_related("periods")
        .order_by("pk")
    )


def due_for_destruction(now: datetime, policy: Policy | None = None) -> list[Due]:
    """Everything due for destruction at `now`: the data of orders ruled improper or whose
    8 years are over, and productions kept past their period."""
    due: list[Due] = []
    for order in _orders_holding_data():
        reason = retention.cover_due(order.facts(), now)
        if reason is not None:
            due.append(Due("order", order.pk, order.case_number, reason, order.captures.count()))
    kept = Production.objects.filter(destroyed_at__isnull=True).select_related("request")
    for production in kept.order_by("pk"):
        if retention.production_due(production.produced_at, policy or _policy(), now):
            due.append(
                Due(
                    "production",
                    production.pk,
                    production.request.number,
                    Reason.PRODUCTION_RETENTION,
                    0,
                )
            )
    return due


def _digest_of(digests: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(digests)).encode()).hexdigest()


@transaction.atomic
def destroy_order_data(
    order: CoverOrder, reason: Reason, now: datetime, actor: User | None = None
) -> Destroyed | None:
    """Destroy everything the order captured: rows now, images and key on commit. None when
    nothing was left (already destroyed): nothing is recorded twice."""
    rows = list(order.captures.values_list("sha256", "image"))
    has_key = sealing.has_key(order.pk)
    if not rows and not has_key:
        return None
    destroyed = Destroyed(
        captures=len(rows),
        images=len({image for _, image in rows if image}),
        captures_sha256=_digest_of([digest for digest, _ in rows]),
        key=has_key,
    )
    order.captures.all().delete()
    ledger.record(
        actor,
        EventName.DATA_DESTROYED,
        now,
        case=order.case_number,
        subject=order.request.subject_id,
        refs={"order": order.pk},
        rule=reason.value,
        captures=destroyed.captures,
        captures_sha256=destroyed.captures_sha256,
        images=destroyed.images,
        key_destroyed=destroyed.key,
    )
    order_id = order.pk
    transaction.on_commit(lambda: _remove_files_and_key(order_id))
    return destroyed


def _remove_files_and_key(order_id: int) -> None:
    """Every file in the order's folder (whatever rows named them), then its key."""
    folder = f"captures/order-{order_id}"
    with contextlib.suppress(FileNotFoundError):
        for name in default_storage.listdir(folder)[1]:
            default_storage.delete(f"{folder}/{name}")
    sealing.destroy_key(order_id)


@transaction.atomic
def destroy_production(
    production: Production, reason: Reason, now: datetime, actor: User | None = None
) -> bool:
    """Destroy a production's kept ZIP and mark it destroyed (its links then answer 410);
    False when it already was. The disclosure's accounting stays (PA-KEEP)."""
    locked = Production.objects.select_for_update().select_related("request").get(pk=production.pk)
    if locked.destroyed_at is not None:
        return False
    locked.destroyed_at = now
    locked.save(update_fields=["destroyed_at"])
    ledger.record(
        actor,
        EventName.PRODUCTION_DESTROYED,
        now,
        case=locked.request.number,
        refs={"records_request": locked.request_id, "production": locked.pk},
        rule=reason.value,
        package_sha256=locked.sha256,
    )
    name = locked.file
    transaction.on_commit(lambda: default_storage.delete(name))
    production.destroyed_at = now
    return True


@dataclass
class RunSummary:
    due: list[Due]
    orders: int = 0
    captures: int = 0
    productions: int = 0

    def lines(self, dry_run: bool) -> list[str]:
        """What is due, one line each, then what was done."""
        shown = [_due_line(due) for due in self.due]
        if dry_run:
            return [*shown, f"dry run: {len(self.due)} due, nothing destroyed"]
        return [
            *shown,
            f"destroyed the data of {self.orders} orders ({self.captures} captures) and "
            f"{self.productions} productions",
        ]


def _due_line(due: Due) -> str:
    held = f", {due.captures} captures" if due.kind == "order" else ""
    return f"due: {due.kind} {due.case_number} ({due.reason}{held})"


def run(now: datetime, *, dry_run: bool = False, actor: User | None = None) -> RunSummary:
    """Destroy everything due at `now` (or, in a dry run, only say what is due)."""
    summary = RunSummary(due_for_destruction(now))
    if dry_run:
        return summary
    for due in summary.due:
        if due.kind == "order":
            order = CoverOrder.objects.select_related("request").get(pk=due.pk)
            done = destroy_order_data(order, due.reason, now, actor)
            if done is not None:
                summary.orders += 1
                summary.captures += done.captures
        else:
            made = Production.objects.get(pk=due.pk)
            summary.productions += destroy_production(made, due.reason, now, actor)
    return summary
