"""The ledger's tables are append-only (ledger/models.py, ledger/triggers.py): the
application refuses to change or delete a row, and so does the database underneath it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.utils import DatabaseError, IntegrityError
from django.utils import timezone

from mailcover.ledger import checkpoints, log, triggers
from mailcover.ledger.events import EventName
from mailcover.ledger.models import Checkpoint, Entry

CASE = "MC-2026-000001"


@dataclass(frozen=True)
class Table:
    name: str
    model: type[models.Model]
    column: str
    forged: Any


TABLES = [
    Table("ledger_entry", Entry, "event", "request.withdrawn"),
    Table("ledger_checkpoint", Checkpoint, "note", "forged\n"),
]


@pytest.fixture
def ledger(db: None) -> None:
    """Three entries: each table holds rows (entries 0-2, entry 1 holding node (1, 0), a
    checkpoint)."""
    for _ in range(3):
        log.record(None, EventName.MAIL_INGESTED, timezone.now(), case=CASE, days=30)
    assert len(bytes(Entry.objects.get(seq=1).nodes)) == 32
    assert Checkpoint.objects.exists()


@pytest.fixture(params=TABLES, ids=[table.name for table in TABLES])
def table(request: pytest.FixtureRequest, ledger: None) -> Table:
    chosen: Table = request.param
    return chosen


def contents(table: Table) -> list[tuple[Any, ...]]:
    """Every row as the database holds it, read without the model."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table.name} ORDER BY 1")
        return [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in cursor.fetchall()
        ]


def quoted(column: str) -> str:
    return connection.ops.quote_name(column)


def first_row(table: Table) -> Any:
    return table.model.objects.order_by("pk").first()


class TestTheApplicationRefusesChanges:
    def test_a_saved_row_cannot_be_saved_again_with_a_change(self, table: Table) -> None:
        before = contents(table)
        row = first_row(table)
        setattr(row, table.column, table.forged)

        with pytest.raises(PermissionError, match="append-only"):
            row.save()
        assert contents(table) == before

    def test_a_row_cannot_be_deleted(self, table: Table) -> None:
        before = contents(table)

        with pytest.raises(PermissionError, match="append-only"):
            first_row(table).delete()
        assert contents(table) == before

    def test_rows_cannot_be_updated_in_bulk(self, table: Table) -> None:
        before = contents(table)
        row = first_row(table)
        change = {table.column: table.forged}

        with pytest.raises(PermissionError, match="append-only"):
            table.model.objects.filter(pk=row.pk).update(**change)
        with pytest.raises(PermissionError, match="append-only"):
            table.model.objects.update(**change)
        setattr(row, table.column, table.forged)
        # bulk_update runs in a transaction of its own; keep that from the test's.
        with pytest.raises(PermissionError, match="append-only"), transaction.atomic():
            table.model.objects.bulk_update([row], [table.column])
        assert contents(table) == before

    def test_rows_cannot_be_deleted_in_bulk(self, table: Table) -> None:
        before = contents(table)

        with pytest.raises(PermissionError, match="append-only"):
            table.model.objects.filter(pk=first_row(table).pk).delete()
        with pytest.raises(PermissionError, match="append-only"):
            table.model.objects.all().delete()
        assert contents(table) == before

    def test_update_or_create_cannot_rewrite_a_row(self, table: Table) -> None:
        before = contents(table)

        with pytest.raises(PermissionError, match="append-only"), transaction.atomic():
            table.model.objects.update_or_create(
                pk=first_row(table).pk, defaults={table.column: table.forged}
            )
        assert contents(table) == before

    def test_the_base_manager_related_lookups_use_refuses_too(self, table: Table) -> None:
        before = contents(table)

        with pytest.raises(PermissionError, match="append-only"):
            table.model._base_manager.all().update(**{table.column: table.forged})
        with pytest.raises(PermissionError, match="append-only"):
            table.model._base_manager.all().delete()
        assert contents(table) == before

    def test_a_new_row_cannot_overwrite_one_by_taking_its_key(self, table: Table) -> None:
        before = contents(table)
        row = first_row(table)
        copy = table.model(
            **{field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}
        )
        setattr(copy, table.column, table.forged)

        # save() always inserts: a clash is an error, never a silent UPDATE.
        with pytest.raises(IntegrityError), transaction.atomic():
            copy.save()
        assert contents(table) == before

    def test_the_error_names_what_is_append_only(self, ledger: None) -> None:
        with pytest.raises(PermissionError, match="ledger entries are append-only"):
            Entry.objects.get(seq=0).delete()
        with pytest.raises(PermissionError, match="ledger checkpoints are append-only"):
            Checkpoint.objects.all().delete()


class TestAppendingStillWorks:
    def test_new_entries_with_their_nodes_and_checkpoints_are_still_appended(
        self, ledger: None
    ) -> None:
        entries = Entry.objects.count()
        published = Checkpoint.objects.count()

        stored = log.record(None, EventName.MAIL_INGESTED, timezone.now(), case=CASE)
        checkpoints.publish(timezone.now())

        # The fourth leaf completes the subtrees (1, 1) and (2, 0), stored in its row.
        assert Entry.objects.count() == entries + 1 == 4
        assert len(bytes(Entry.objects.get(seq=3).nodes)) == len(bytes(stored.nodes)) == 2 * 32
        assert Checkpoint.objects.count() == published + 1
        assert Entry.objects.filter(case_number=CASE).count() == 4
        assert log.tree_size() == 4


class TestTheDatabaseRefusesChanges:
    """Whoever speaks SQL past the application (a script, a console) meets the triggers."""

    def test_an_update_of_every_row_is_refused(self, table: Table) -> None:
        before = contents(table)

        with (
            pytest.raises(DatabaseError, match=f"append-only: UPDATE on {table.name}"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"UPDATE {table.name} SET {quoted(table.column)} = %s", [table.forged])
        assert contents(table) == before

    def test_an_update_of_one_row_is_refused(self, table: Table) -> None:
        before = contents(table)
        pk_column = quoted(table.model._meta.pk.column)

        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                f"UPDATE {table.name} SET {quoted(table.column)} = %s WHERE {pk_column} = %s",
                [table.forged, first_row(table).pk],
            )
        assert contents(table) == before

    def test_a_delete_is_refused(self, table: Table) -> None:
        before = contents(table)

        with (
            pytest.raises(DatabaseError, match=f"append-only: DELETE on {table.name}"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"DELETE FROM {table.name}")
        assert contents(table) == before

    def test_a_truncate_is_refused(self, table: Table) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("TRUNCATE is PostgreSQL's; SQLite has none (its DELETE is refused)")
        before = contents(table)

        with (
            pytest.raises(DatabaseError, match=f"append-only: TRUNCATE on {table.name}"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"TRUNCATE {table.name}")
        assert contents(table) == before

    def test_raw_inserts_are_still_allowed(self, table: Table) -> None:
        # Appending is what the tables are for: the triggers must not stop it.
        before = contents(table)
        pk = str(table.model._meta.pk.column)
        columns = [str(field.column) for field in table.model._meta.concrete_fields]
        chosen = ", ".join(
            f"{quoted(column)} + 100" if column == pk else quoted(column) for column in columns
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table.name} ({', '.join(map(quoted, columns))}) "
                f"SELECT {chosen} FROM {table.name} WHERE {quoted(pk)} = %s",
                [first_row(table).pk],
            )
        assert len(contents(table)) == len(before) + 1
        assert table.model.objects.filter(pk=first_row(table).pk + 100).exists()

    def test_the_head_row_may_change(self, ledger: None) -> None:
        # The head is the one mutable row: every append moves it.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE ledger_head SET size = size, tip = tip")
        assert log.tree_size() == 3

    def test_triggers_exist_only_for_the_two_databases_mailcover_runs_on(self) -> None:
        with pytest.raises(ImproperlyConfigured, match="SQLite or PostgreSQL, not mysql"):
            triggers.install_sql("mysql")
