"""`ledger verify` (ledger/verify.py): a clean ledger verifies, and every kind of change
made behind the application's back, with its triggers dropped, is found and named."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from mailcover.covers import actions
from mailcover.law.requests import AttorneyEntry, CoverRequestDraft
from mailcover.ledger import checkpoints, log, merkle, note, triggers
from mailcover.ledger import verify as verify_module
from mailcover.ledger.events import EventName
from mailcover.ledger.models import Checkpoint, Entry, Head
from mailcover.ledger.verify import verify

SIZE = 10


@pytest.fixture
def ledger(db: None, settings: Any) -> None:
    """Ten entries (n = 0..9), checkpoints at sizes 1, 5, 9 and 10, eight subtree roots
    (held by entries 1, 3, 5, 7 and 9)."""
    settings.MAILCOVER_CHECKPOINT_ENTRIES = 4
    for n in range(SIZE):
        log.record(
            None, EventName.MAIL_INGESTED, timezone.now(), case="MC-2026-000001", subject=n, n=n
        )
    checkpoints.publish(timezone.now())
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [1, 5, 9, 10]
    assert stored_node_count() == 8


@pytest.fixture
def untriggered(ledger: None) -> Iterator[None]:
    """The database's owner drops the append-only triggers, as only an owner can."""
    triggers.remove(connection)
    yield
    triggers.install(connection)


def sql(statement: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))


def stored_data(seq: int) -> bytes:
    return bytes(Entry.objects.get(seq=seq).data)


def stored_nodes(seq: int) -> bytes:
    return bytes(Entry.objects.get(seq=seq).nodes)


def stored_node_count() -> int:
    """How many inner nodes the entries hold, all together."""
    return sum(len(bytes(nodes)) for nodes in Entry.objects.values_list("nodes", flat=True)) // 32


def checkpoint_at(size: int) -> Checkpoint:
    return Checkpoint.objects.get(size=size)


def rewrite_entry_3_and_every_hash_over_it() -> list[bytes]:
    """What an owner past the triggers can do without the signing key: change entry 3,
    then store the leaf hash, inner nodes and head that the changed entries give."""
    forged = stored_data(3).replace(b'"n":3', b'"n":33')
    sql(
        "UPDATE ledger_entry SET data = %s, leaf_hash = %s WHERE seq = 3",
        forged,
        merkle.hash_leaf(forged),
    )
    leaves = [bytes(leaf) for leaf in Entry.objects.values_list("leaf_hash", flat=True)]
    frontier = merkle.MerkleFrontier()
    tip = log.GENESIS_TIP
    for seq, leaf_hash in enumerate(leaves):
        sql(
            "UPDATE ledger_entry SET nodes = %s WHERE seq = %s",
            b"".join(frontier.append(leaf_hash)),
            seq,
        )
        tip = hashlib.sha256(tip + leaf_hash).digest()
    sql("UPDATE ledger_head SET tip = %s", tip)
    return leaves


def without_hashes(problems: list[str]) -> list[str]:
    """Problems with the hex of recomputed roots cut off, to compare their wording."""
    return [problem.split(": signed root ")[0] for problem in problems]


class TestACleanLedger:
    def test_a_ledger_built_by_appending_verifies(self, ledger: None) -> None:
        report = verify()

        assert report.ok, report.problems
        assert (report.size, report.checkpoints, report.nodes) == (SIZE, 4, 8)
        assert report.root == log.root_at(SIZE)
        assert (report.problems, report.first_bad_entry) == ([], None)

    def test_a_ledger_built_by_cover_actions_verifies(self, people: Any) -> None:
        now = timezone.now()
        draft = CoverRequestDraft(
            subject_name="JOHN Q PUBLIC",
            subject_address="123 MAIN ST APT 4, SPRINGFIELD IL 62704-1234",
            aliases=(),
            grounds="crime",
            statute="18 U.S.C. 1341",
            max_penalty_years=Decimal(20),
            facts="Victims of a lottery scheme mailed cheques to this address daily.",
            scope="addressee",
            days=30,
            requester_agency_level=people.requester.agency.agency_level,
            attorneys=(AttorneyEntry("JANE ROE ESQ", "1 COURT SQ, SPRINGFIELD IL 62701"),),
        )
        filed = actions.file_request(people.requester, draft, now)
        actions.approve(people.approver, filed, None, now)
        checkpoints.publish(now)

        report = verify()

        assert report.ok, report.problems
        assert report.size == Entry.objects.count() == log.tree_size()
        assert report.root == log.root_at(report.size)
        assert report.checkpoints == Checkpoint.objects.count()
        assert report.nodes == stored_node_count()

    def test_the_empty_ledger_verifies_with_the_empty_root(self, db: None) -> None:
        report = verify()

        assert report.ok
        assert (report.size, report.root, report.checkpoints) == (0, merkle.EMPTY_ROOT, 0)

    def test_a_checkpoint_of_the_empty_ledger_does_not_hold_back_later_ones(self, db: None) -> None:
        # `mailcover ledger checkpoint` on a fresh install signs the empty tree.
        checkpoints.publish(timezone.now())
        for n in range(3):
            log.record(None, EventName.MAIL_INGESTED, timezone.now(), n=n)
        checkpoints.publish(timezone.now())

        report = verify()

        assert report.ok, report.problems
        assert (report.size, report.checkpoints) == (3, 2)

    def test_the_triggers_put_back_after_a_check_refuse_changes_again(
        self, untriggered: None
    ) -> None:
        # Sanity for the fixtures below: they really drop the triggers, and put them back.
        sql("UPDATE ledger_entry SET event = event WHERE seq = 0")
        triggers.install(connection)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            sql("UPDATE ledger_entry SET event = event WHERE seq = 0")
        triggers.remove(connection)


class TestChangedEntries:
    def test_changed_entry_data_is_named_as_the_first_bad_entry(self, untriggered: None) -> None:
        sql(
            "UPDATE ledger_entry SET data = %s WHERE seq = 3",
            stored_data(3).replace(b'"n":3', b'"n":33'),
        )

        report = verify()

        assert not report.ok
        assert report.first_bad_entry == 3
        assert report.problems[0] == "entry 3: its data does not hash to its stored leaf hash"

    def test_data_and_leaf_hash_changed_together_are_caught_by_nodes_and_checkpoints(
        self, untriggered: None
    ) -> None:
        forged = stored_data(3).replace(b'"n":3', b'"n":33')
        sql(
            "UPDATE ledger_entry SET data = %s, leaf_hash = %s WHERE seq = 3",
            forged,
            merkle.hash_leaf(forged),
        )

        report = verify()

        assert not report.ok
        # Each checkpoint, stored inner node and the head's chain over leaf 3, and only
        # those: entry 3 holds (1, 1) and (2, 0), entry 7 holds (3, 0).
        assert without_hashes(report.problems) == [
            "entry 3: its stored inner nodes differ from those recomputed",
            "checkpoint at size 5",
            "entry 7: its stored inner nodes differ from those recomputed",
            "checkpoint at size 9",
            "checkpoint at size 10",
            "the head's hash chain differs from the one recomputed from the entries",
        ]
        assert report.first_bad_entry == 3

    def test_a_changed_checkpointed_entry_is_caught_even_with_every_node_rewritten(
        self, untriggered: None
    ) -> None:
        # An owner who rewrites an entry and recomputes every stored hash still cannot
        # sign the new root with the log's key.
        rewrite_entry_3_and_every_hash_over_it()

        report = verify()

        assert not report.ok
        assert without_hashes(report.problems) == [
            "checkpoint at size 5",
            "checkpoint at size 9",
            "checkpoint at size 10",
        ]

    @pytest.mark.parametrize(
        ("column", "value"),
        [
            ("event", "request.withdrawn"),
            ("case_number", "MC-2026-000002"),
            ("subject_ref", 99),
            ("actor_ref", 1),
        ],
    )
    def test_a_query_column_that_differs_from_the_data_is_named(
        self, untriggered: None, column: str, value: Any
    ) -> None:
        sql(f"UPDATE ledger_entry SET {column} = %s WHERE seq = 2", value)

        report = verify()

        assert report.problems == ["entry 2: its columns differ from what its data says"]
        assert report.first_bad_entry == 2

    def test_a_changed_time_column_is_named(self, untriggered: None) -> None:
        later = Entry.objects.get(seq=6).at + timedelta(seconds=1)
        sql(
            "UPDATE ledger_entry SET at = %s WHERE seq = 6",
            connection.ops.adapt_datetimefield_value(later),
        )

        report = verify()

        assert report.problems == ["entry 6: its columns differ from what its data says"]
        assert report.first_bad_entry == 6

    def test_data_that_is_no_entry_at_all_is_named(self, untriggered: None) -> None:
        junk = b"not json"
        sql(
            "UPDATE ledger_entry SET data = %s, leaf_hash = %s WHERE seq = 8",
            junk,
            merkle.hash_leaf(junk),
        )

        report = verify()

        assert report.first_bad_entry == 8
        assert report.problems[0].startswith("entry 8: its data is not a ledger entry")

    def test_a_deleted_entry_is_named_as_the_gap(self, untriggered: None) -> None:
        sql("DELETE FROM ledger_entry WHERE seq = 4")

        report = verify()

        assert not report.ok
        assert report.first_bad_entry == 4
        assert report.problems[0] == "entry 4 is missing (next stored is 5)"

    def test_deleting_the_newest_entries_is_caught_by_the_checkpoint_and_head(
        self, untriggered: None
    ) -> None:
        sql("DELETE FROM ledger_entry WHERE seq = 9")

        report = verify()

        assert not report.ok
        assert report.problems == [
            "checkpoint at size 10 is beyond the 9 entries stored: entries were deleted",
            "the head says 10 entries but 9 are stored",
        ]


class TestChangedTree:
    def test_a_changed_subtree_root_is_named_by_the_entry_that_holds_it(
        self, untriggered: None
    ) -> None:
        # (2, 1) is the second of the three roots entry 7 holds.
        assert log.holder_of(2, 1) == 7
        held = stored_nodes(7)
        sql("UPDATE ledger_entry SET nodes = %s WHERE seq = 7", held[:32] + bytes(32) + held[64:])

        report = verify()

        assert report.problems == ["entry 7: its stored inner nodes differ from those recomputed"]
        # The entry's own data is sound, but its row holds a node the tree lacks.
        assert report.first_bad_entry == 7

    def test_a_deleted_subtree_root_is_named_by_the_entry_that_held_it(
        self, untriggered: None
    ) -> None:
        # Entry 9 holds (1, 4), and only that.
        assert len(stored_nodes(9)) == 32
        sql("UPDATE ledger_entry SET nodes = %s WHERE seq = 9", b"")

        report = verify()

        assert report.problems == ["entry 9: its stored inner nodes differ from those recomputed"]
        assert report.first_bad_entry == 9

    def test_a_subtree_root_the_tree_does_not_have_is_named(self, untriggered: None) -> None:
        # Entry 8 completes no subtree; give it one, and give entry 5 a third level.
        sql("UPDATE ledger_entry SET nodes = %s WHERE seq = 8", bytes(32))
        sql("UPDATE ledger_entry SET nodes = %s WHERE seq = 5", stored_nodes(5) + bytes(32))

        report = verify()

        assert report.problems == [
            "entry 5: its stored inner nodes differ from those recomputed",
            "entry 8: its stored inner nodes differ from those recomputed",
        ]
        assert report.first_bad_entry == 5

    def test_a_head_with_another_size_is_caught(self, ledger: None) -> None:
        sql("UPDATE ledger_head SET size = size + 1")

        report = verify()

        assert report.problems == ["the head says 11 entries but 10 are stored"]

    def test_a_row_inserted_below_zero_is_caught_though_no_trigger_refuses_inserts(
        self, ledger: None
    ) -> None:
        entry = Entry.objects.get(seq=3)
        sql(
            "INSERT INTO ledger_entry (seq, data, leaf_hash, nodes, at, event, case_number) "
            "VALUES (-1, %s, %s, %s, %s, 'disclosure', 'MC-2026-000001')",
            bytes(entry.data),
            bytes(entry.leaf_hash),
            b"",
            entry.at,
        )

        report = verify()

        assert not report.ok
        assert report.first_bad_entry == -1
        assert "a row numbered -1 should not exist" in report.problems[0]

    def test_an_append_made_while_verify_reads_is_left_for_the_next_run(self, ledger: None) -> None:
        from unittest import mock

        real_rows = verify_module._rows

        def rows_then_append(below: int) -> Any:
            yield from real_rows(below)
            log.record(None, EventName.MAIL_INGESTED, timezone.now(), case="MC-2026-000009")

        with mock.patch.object(verify_module, "_rows", rows_then_append):
            report = verify()

        assert report.ok, report.problems
        assert verify().size == report.size + 1

    def test_a_head_with_another_hash_chain_is_caught(self, ledger: None) -> None:
        sql("UPDATE ledger_head SET tip = %s", log.GENESIS_TIP)

        report = verify()

        assert report.problems == [
            "the head's hash chain differs from the one recomputed from the entries"
        ]

    def test_a_head_moved_back_with_the_chain_it_had_then_is_caught(self, ledger: None) -> None:
        # A head that is consistent in itself, but of fewer entries than are stored.
        tip = log.GENESIS_TIP
        for leaf_hash in Entry.objects.filter(seq__lt=9).values_list("leaf_hash", flat=True):
            tip = hashlib.sha256(tip + bytes(leaf_hash)).digest()
        sql("UPDATE ledger_head SET size = 9, tip = %s", tip)

        report = verify()

        assert report.problems == [
            "rows numbered 9 or more exist beyond the head: inserted out of band",
            "a checkpoint is beyond the head's 9 entries",
        ]

    def test_the_head_of_a_clean_ledger_is_the_chain_of_its_leaves(self, ledger: None) -> None:
        tip = log.GENESIS_TIP
        for leaf_hash in Entry.objects.values_list("leaf_hash", flat=True):
            tip = hashlib.sha256(tip + bytes(leaf_hash)).digest()

        assert verify().ok
        assert Entry.objects.count() == SIZE
        assert bytes(Head.objects.get(pk=1).tip) == tip


class TestChangedCheckpoints:
    def test_a_changed_signature_is_refused(self, untriggered: None) -> None:
        signed = checkpoint_at(5).note
        text, signature_line = signed.rstrip("\n").rsplit("\n", 1)
        position = len(signature_line) - 10
        flipped = "A" if signature_line[position] != "A" else "B"
        forged = f"{text}\n{signature_line[:position]}{flipped}{signature_line[position + 1 :]}\n"
        sql("UPDATE ledger_checkpoint SET note = %s WHERE size = 5", forged)

        report = verify()

        assert len(report.problems) == 1
        assert report.problems[0].startswith("checkpoint at size 5: invalid signature for key")

    def test_a_checkpoint_resigned_with_another_key_is_refused(
        self, untriggered: None, settings: Any
    ) -> None:
        origin = settings.MAILCOVER_LEDGER_ORIGIN
        impostor = note.Signer.generate(origin)
        body = note.Checkpoint(origin=origin, size=5, root_hash=log.root_at(5))
        sql(
            "UPDATE ledger_checkpoint SET note = %s WHERE size = 5",
            note.sign_checkpoint(body, impostor),
        )

        report = verify()

        assert len(report.problems) == 1
        assert report.problems[0].startswith("checkpoint at size 5: no known key signed this note")

    def test_a_history_rewritten_and_resigned_with_a_key_stored_beside_it_is_caught(
        self, untriggered: None, settings: Any
    ) -> None:
        # The owner rewrites entry 3 and every hash over it, then signs each checkpoint
        # again with a key of their own and stores that key beside it. Only the log's
        # own key can tell.
        leaves = rewrite_entry_3_and_every_hash_over_it()
        origin = settings.MAILCOVER_LEDGER_ORIGIN
        impostor = note.Signer.generate(origin)
        for checkpoint in Checkpoint.objects.all():
            root = merkle.root_hash(leaves[: checkpoint.size])
            sql(
                "UPDATE ledger_checkpoint SET note = %s, root_hash = %s, verifier_key = %s "
                "WHERE id = %s",
                note.sign_checkpoint(note.Checkpoint(origin, checkpoint.size, root), impostor),
                root,
                impostor.verifier().to_string(),
                checkpoint.pk,
            )

        report = verify()

        assert not report.ok
        assert [problem.split(": ")[0] for problem in report.problems] == [
            "checkpoint at size 1",
            "checkpoint at size 5",
            "checkpoint at size 9",
            "checkpoint at size 10",
        ]
        assert all("no known key signed this note" in problem for problem in report.problems)

    def test_a_stored_root_that_differs_from_the_signed_one_is_caught(
        self, untriggered: None
    ) -> None:
        sql("UPDATE ledger_checkpoint SET root_hash = %s WHERE size = 9", bytes(32))

        report = verify()

        assert report.problems == [
            "checkpoint at size 9: the stored size or root differs from the signed note"
        ]

    def test_a_deleted_checkpoint_leaves_the_ledger_verifiable(self, untriggered: None) -> None:
        # Checkpoints are copies of what was published: losing one loses no entry. What
        # holds the log to it is the copy a witness kept (check-checkpoint).
        sql("DELETE FROM ledger_checkpoint WHERE size = 5")

        report = verify()

        assert report.ok
        assert report.checkpoints == 3


def test_the_command_finds_an_entry_changed_in_the_database_file(tmp_path: Path) -> None:
    """End to end, as an operator would: seed a demo world into a real SQLite file,
    change one entry with the sqlite3 tool, and ledger verify names it."""
    env = {
        **os.environ,
        "MAILCOVER_VAR_DIR": str(tmp_path),
        "MAILCOVER_LEDGER_KEY_FILE": str(tmp_path / "k.key"),
    }
    env.pop("DATABASE_URL", None)

    def mailcover(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mailcover.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    seeded = mailcover("demo", "--no-serve")
    assert seeded.returncode == 0, seeded.stderr
    clean = mailcover("ledger", "verify")
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.startswith("ledger ok: ")

    database = sqlite3.connect(tmp_path / "mailcover.sqlite3")
    try:
        seq, data = database.execute(
            "SELECT seq, data FROM ledger_entry WHERE instr(data, CAST(? AS BLOB)) > 0 "
            "ORDER BY seq LIMIT 1",
            ('"days":30',),
        ).fetchone()
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            database.execute("UPDATE ledger_entry SET event = 'x' WHERE seq = ?", (seq,))
        database.execute("DROP TRIGGER ledger_entry_no_update")
        database.execute(
            "UPDATE ledger_entry SET data = ? WHERE seq = ?",
            (bytes(data).replace(b'"days":30', b'"days":90', 1), seq),
        )
        database.commit()
        assert database.execute(
            "SELECT typeof(data) FROM ledger_entry WHERE seq = ?", (seq,)
        ).fetchone() == ("blob",)
    finally:
        database.close()

    tampered = mailcover("ledger", "verify")
    assert tampered.returncode == 1
    assert f"ledger TAMPERED: first bad entry is {seq}\n" in tampered.stderr
    assert f"entry {seq}: its data does not hash to its stored leaf hash" in tampered.stderr
    assert tampered.stdout == ""
