"""Database triggers that refuse UPDATE and DELETE on the ledger's append-only tables.

The application already refuses such changes; the triggers stop everything else that
speaks SQL to the database (a script, a console, a bug in a migration). They do not
stop the database's owner, who can drop them: what catches that is the Merkle tree
and its signed checkpoints, which `mailcover ledger verify` and outside witnesses
check.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import BaseDatabaseWrapper

APPEND_ONLY_TABLES = ("ledger_entry", "ledger_checkpoint")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def install_sql(vendor: str) -> list[str]:
    """Statements that create the triggers on `vendor` ("sqlite" or "postgresql")."""
    statements: list[str] = []
    if vendor == "postgresql":
        statements.append(_PG_FUNCTION)
        for table in APPEND_ONLY_TABLES:
            statements += [
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();",
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();",
            ]
    elif vendor == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for operation in ("UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only: {operation} "
                    f"on {table} refused'); END;"
                )
    else:
        raise ImproperlyConfigured(
            f"the ledger runs on SQLite or PostgreSQL, not {vendor}: its append-only "
            "triggers are written for those two"
        )
    return statements


def remove_sql(vendor: str) -> list[str]:
    """Statements that drop the triggers again (migrating backwards)."""
    if vendor == "postgresql":
        drops = [
            f"DROP TRIGGER IF EXISTS {table}_{name} ON {table};"
            for table in APPEND_ONLY_TABLES
            for name in ("append_only", "no_truncate")
        ]
        return [*drops, "DROP FUNCTION IF EXISTS ledger_refuse_change();"]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_{operation};"
        for table in APPEND_ONLY_TABLES
        for operation in ("update", "delete")
    ]


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in install_sql(connection.vendor):
            cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in remove_sql(connection.vendor):
            cursor.execute(statement)
