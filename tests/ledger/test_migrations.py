"""An install that kept its audit trail in the plain table gets it onto the ledger when
it migrates: every event, oldest first, free text as digests, a tree that verifies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mailcover.ledger import log, triggers
from mailcover.ledger.entries import digest
from mailcover.ledger.models import Entry
from mailcover.ledger.verify import verify

BEFORE = [("covers", "0001_initial"), ("ledger", None)]
LATEST = [("covers", "0002_delete_auditevent"), ("ledger", "0003_audit_trail_to_ledger")]


def migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def migrate_to_the_latest() -> None:
    """Every app at its newest migration: the schema every other test expects. Going back
    to BEFORE unapplied every app that depends on `covers` or `ledger` as well, so LATEST
    alone would leave their tables missing for the tests that run after this one."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def old_install(transactional_db: None) -> Iterator[MigrationExecutor]:
    log.forget_cached_head()
    executor = migrate(BEFORE)
    yield executor
    # Back to the latest schema, then let the flush after this test empty the tables.
    migrate_to_the_latest()
    log.forget_cached_head()
    triggers.remove(connection)


def test_the_plain_audit_trail_is_carried_onto_the_ledger(old_install: MigrationExecutor) -> None:
    apps = old_install.loader.project_state([("covers", "0001_initial")]).apps
    user = apps.get_model("accounts", "User").objects.create(username="approver")
    audit = apps.get_model("covers", "AuditEvent")
    audit.objects.create(
        at=datetime(2026, 3, 2, tzinfo=UTC),
        actor=None,
        action="request.filed",
        case_number="MC-2026-000002",
        details={"days": 30},
    )
    audit.objects.create(
        at=datetime(2026, 3, 1, tzinfo=UTC),
        actor=user,
        action="request.denied",
        case_number="MC-2026-000001",
        details={"reason": "No facts tie the subject in."},
    )

    migrate(LATEST)

    carried = list(Entry.objects.order_by("seq"))
    assert [(e.seq, e.event, e.case_number) for e in carried] == [
        (0, "request.denied", "MC-2026-000001"),
        (1, "request.filed", "MC-2026-000002"),
    ]
    assert carried[0].actor_username == "approver"
    assert carried[0].details == {"reason_sha256": digest("No facts tie the subject in.")}
    assert b"No facts" not in bytes(carried[0].data)
    report = verify()
    assert report.ok, report.problems
    assert report.size == 2
