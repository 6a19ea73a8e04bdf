"""Appending to the ledger and answering proofs from the stored tree (ledger/log.py).

Every answer from the database is checked against the pure Merkle functions over the
stored leaf hashes, and against the verifiers an outside party would run.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from mailcover.covers import actions
from mailcover.law.requests import AttorneyEntry, CoverRequestDraft
from mailcover.ledger import entries, log, merkle, triggers
from mailcover.ledger.events import EventName
from mailcover.ledger.models import Checkpoint, Entry, Head
from mailcover.ledger.verify import verify

CASE = "MC-2026-000001"
SIZE = 20


def record(count: int) -> None:
    for _ in range(count):
        log.record(None, EventName.MAIL_INGESTED, timezone.now(), case=CASE)


@pytest.fixture
def twenty(db: None) -> list[bytes]:
    """A ledger of twenty entries, and their leaf hashes as stored."""
    record(SIZE)
    return stored_leaf_hashes()


def stored_leaf_hashes() -> list[bytes]:
    return [
        bytes(leaf) for leaf in Entry.objects.order_by("seq").values_list("leaf_hash", flat=True)
    ]


def stored_nodes() -> dict[int, bytes]:
    """Each entry's inner nodes as stored, by sequence number."""
    return {seq: bytes(nodes) for seq, nodes in Entry.objects.values_list("seq", "nodes")}


def completed_by(leaf_hashes: list[bytes], seq: int) -> bytes:
    """The roots of the perfect subtrees leaf `seq` completes, levels 1, 2, ..., hashed
    from the leaves: what its row must hold."""
    tree = merkle.subtree_root_of(leaf_hashes)
    roots = []
    level = 1
    while (seq + 1) % (1 << level) == 0:
        index = seq >> level
        roots.append(tree(index << level, (index + 1) << level))
        level += 1
    return b"".join(roots)


def chain(leaf_hashes: list[bytes]) -> bytes:
    tip = log.GENESIS_TIP
    for leaf_hash in leaf_hashes:
        tip = hashlib.sha256(tip + leaf_hash).digest()
    return tip


def head_state() -> tuple[int, bytes]:
    head = Head.objects.get(pk=1)
    return head.size, bytes(head.tip)


def draft(people: Any) -> CoverRequestDraft:
    return CoverRequestDraft(
        subject_name="JOHN Q PUBLIC",
        subject_address="123 MAIN ST APT 4, SPRINGFIELD IL 62704-1234",
        aliases=("JACK PUBLIC",),
        grounds="crime",
        statute="18 U.S.C. 1341",
        max_penalty_years=Decimal(20),
        facts="Victims of a lottery scheme mailed cheques to this address daily.",
        scope="addressee",
        days=30,
        requester_agency_level=people.requester.agency.agency_level,
        attorneys=(AttorneyEntry("JANE ROE ESQ", "1 COURT SQ, SPRINGFIELD IL 62701"),),
    )


class TestAppending:
    def test_cover_actions_and_direct_records_get_gapless_sequence_numbers(
        self, people: Any
    ) -> None:
        now = timezone.now()
        filed = actions.file_request(people.requester, draft(people), now)
        record(2)
        actions.approve(people.approver, filed, None, now)
        log.record(people.oversight, EventName.MAIL_INGESTED, now)

        count = Entry.objects.count()
        assert list(Entry.objects.order_by("seq").values_list("seq", flat=True)) == list(
            range(count)
        )
        assert Entry.objects.filter(event__in=["request.filed", "request.approved"]).count() == 2
        assert log.tree_size() == count
        # Each entry's bytes carry its own sequence number.
        assert all(row.entry.seq == row.seq for row in Entry.objects.all())

    def test_record_returns_the_entry_it_stored_at_the_end(self, db: None) -> None:
        record(3)

        stored = log.record(None, EventName.SYNTHETIC_STREAM_WRITTEN, timezone.now())

        assert stored.seq == 3
        assert log.entry_at(3).event == EventName.SYNTHETIC_STREAM_WRITTEN

    def test_the_leaf_hash_is_sha256_of_a_zero_byte_and_the_entry_bytes(
        self, twenty: list[bytes]
    ) -> None:
        for row in Entry.objects.all():
            assert bytes(row.leaf_hash) == hashlib.sha256(b"\x00" + bytes(row.data)).digest()

    def test_the_stored_bytes_are_the_canonical_entry(self, db: None) -> None:
        row = log.record(None, EventName.MAIL_INGESTED, timezone.now(), case=CASE, days=30)

        stored = Entry.objects.get(seq=row.seq)
        assert entries.encode(entries.decode(bytes(stored.data))) == bytes(stored.data)
        assert b'"days":30' in bytes(stored.data)

    def test_the_query_columns_say_what_the_bytes_say(self, people: Any) -> None:
        at = datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)

        row = log.record(
            people.requester, "request.filed", at, case="MC-2026-000042", subject=17, days=30
        )

        stored = Entry.objects.get(seq=row.seq)
        said = entries.decode(bytes(stored.data))
        assert said.actor == entries.Actor(id=people.requester.pk, username="requester")
        assert said.refs == {"case": "MC-2026-000042", "subject": 17}
        assert said.details == {"days": 30}
        assert (stored.at, stored.event, stored.case_number) == (
            at,
            "request.filed",
            "MC-2026-000042",
        )
        assert (stored.actor_ref, stored.subject_ref) == (people.requester.pk, 17)

    def test_an_entry_by_the_system_about_no_case_has_empty_query_columns(self, db: None) -> None:
        row = log.record(None, EventName.MAIL_INGESTED, timezone.now(), refs={"account": 4})

        stored = Entry.objects.get(seq=row.seq)
        assert (stored.case_number, stored.actor_ref, stored.subject_ref) == ("", None, None)
        assert stored.actor_username == "system"
        assert stored.refs == {"account": 4}

    def test_a_time_in_another_zone_is_stored_as_the_same_instant(self, db: None) -> None:
        local = datetime(2026, 5, 6, 9, 0, tzinfo=timezone.get_fixed_timezone(120))

        row = log.record(None, EventName.MAIL_INGESTED, local)

        stored = Entry.objects.get(seq=row.seq)
        assert stored.at == local
        assert stored.entry.at == datetime(2026, 5, 6, 7, 0, tzinfo=UTC)

    def test_the_head_holds_the_size_and_the_hash_chain_of_the_stored_leaves(
        self, twenty: list[bytes]
    ) -> None:
        assert head_state() == (SIZE, chain(twenty))

    def test_the_frontier_read_from_the_store_is_the_one_of_the_stored_leaves(
        self, twenty: list[bytes]
    ) -> None:
        frontier = merkle.MerkleFrontier()
        for leaf_hash in twenty:
            frontier.append(leaf_hash)

        stored = log.frontier_at(SIZE)
        assert (stored.size, stored.subtree_roots) == (SIZE, frontier.subtree_roots)

    def test_each_entry_holds_the_subtree_roots_its_leaf_completed(
        self, twenty: list[bytes]
    ) -> None:
        nodes = stored_nodes()

        assert nodes == {seq: completed_by(twenty, seq) for seq in range(SIZE)}
        # Leaf n completes one subtree per trailing one bit of n: 1 -> (1, 0); 3 -> (1, 1)
        # and (2, 0); 15 -> four, up to (4, 0); an even leaf completes none.
        assert [len(nodes[seq]) // 32 for seq in range(16)] == [
            0, 1, 0, 2, 0, 1, 0, 3, 0, 1, 0, 2, 0, 1, 0, 4,
        ]  # fmt: skip


class TestWhereInnerNodesAreStored:
    def test_a_subtree_root_is_held_by_the_row_of_its_last_leaf(self) -> None:
        assert [log.holder_of(0, index) for index in range(4)] == [0, 1, 2, 3]
        assert [log.holder_of(1, index) for index in range(4)] == [1, 3, 5, 7]
        assert [log.holder_of(2, index) for index in range(3)] == [3, 7, 11]
        assert (log.holder_of(3, 0), log.holder_of(3, 1), log.holder_of(5, 0)) == (7, 15, 31)

    def test_every_inner_node_of_a_tree_of_forty_is_where_holder_of_says(self, db: None) -> None:
        size = 40
        record(size)
        leaves = stored_leaf_hashes()
        tree = merkle.subtree_root_of(leaves)
        nodes = stored_nodes()

        expected = 0
        for level in range(1, size.bit_length()):
            for index in range(size >> level):
                holder = log.holder_of(level, index)
                stored = nodes[holder][(level - 1) * 32 : level * 32]
                assert stored == tree(index << level, (index + 1) << level), (level, index)
                expected += 1
        # Stored once each, and nothing else: 20 + 10 + 5 + 2 + 1 perfect subtrees.
        assert sum(len(held) for held in nodes.values()) == expected * 32 == 38 * 32
        assert verify().ok


class TestFailedTransactions:
    def test_an_entry_recorded_in_a_failed_transaction_leaves_no_trace(
        self, db: None, settings: Any
    ) -> None:
        # A second entry would complete node (1, 0) and, one per entry, a checkpoint.
        settings.MAILCOVER_CHECKPOINT_ENTRIES = 1
        record(1)
        before = (Entry.objects.count(), stored_nodes(), Checkpoint.objects.count())
        head = head_state()

        sizes_seen: list[int] = []

        def a_change_that_fails() -> None:
            with transaction.atomic():
                record(1)
                sizes_seen.append(log.tree_size())
                raise RuntimeError("the change failed")

        with pytest.raises(RuntimeError, match="the change failed"):
            a_change_that_fails()

        assert sizes_seen == [2]

        assert (Entry.objects.count(), stored_nodes(), Checkpoint.objects.count()) == before
        assert head_state() == head
        assert log.record(None, EventName.MAIL_INGESTED, timezone.now()).seq == 1

    def test_the_cached_frontier_is_not_trusted_after_a_rollback(self, db: None) -> None:
        record(3)

        def a_change_that_fails() -> None:
            with transaction.atomic():
                record(1)
                raise RuntimeError("rolled back")

        with pytest.raises(RuntimeError, match="rolled back"):
            a_change_that_fails()
        # This process still remembers the head the rolled-back entry left...
        assert log._tips[DEFAULT_DB_ALIAS].frontier.size == 4
        assert head_state()[0] == 3

        stored = log.record(None, EventName.SYNTHETIC_STREAM_WRITTEN, timezone.now())

        # ... but the head it stored says otherwise: it reads the frontier back.
        leaves = stored_leaf_hashes()
        assert stored.seq == 3
        assert bytes(stored.nodes) == completed_by(leaves, 3) == stored_nodes()[3]
        assert len(bytes(stored.nodes)) == 2 * 32
        assert head_state() == (4, chain(leaves))
        report = verify()
        assert report.ok, report.problems

    def test_an_entry_that_cannot_be_encoded_changes_nothing(self, db: None) -> None:
        record(1)
        head = head_state()

        # An append takes no savepoint of its own: a failure is the failure of the
        # transaction it is part of, so a caller that goes on after one needs its own.
        with (
            pytest.raises(entries.EntryError, match=r"entry\.details\.ratio is a float"),
            transaction.atomic(),
        ):
            log.record(None, EventName.MAIL_INGESTED, timezone.now(), ratio=0.5)

        assert (Entry.objects.count(), head_state()) == (1, head)
        assert log.record(None, EventName.MAIL_INGESTED, timezone.now()).seq == 1


class TestAnotherWriter:
    def test_an_append_after_another_process_moved_the_head_reads_it_back(self, db: None) -> None:
        record(2)
        # What this process knows of the head, as another process would hold it...
        mine = copy.deepcopy(log._tips)
        # ... while "another process" appends two entries...
        record(2)
        # ... and this one comes back with its stale picture.
        log._tips.clear()
        log._tips.update(mine)
        assert log._tips[DEFAULT_DB_ALIAS].frontier.size == 2

        stored = log.record(None, EventName.SYNTHETIC_STREAM_WRITTEN, timezone.now())

        leaves = stored_leaf_hashes()
        assert stored.seq == 4
        assert list(Entry.objects.values_list("seq", flat=True)) == [0, 1, 2, 3, 4]
        assert stored_nodes() == {seq: completed_by(leaves, seq) for seq in range(5)}
        assert head_state() == (5, chain(leaves))
        assert log._tips[DEFAULT_DB_ALIAS].frontier.size == 5
        report = verify()
        assert report.ok, report.problems
        assert log.root_at(5) == merkle.root_hash(leaves)

    def test_a_forgotten_head_is_read_back_from_the_store(self, db: None) -> None:
        record(5)
        log.forget_cached_head()

        assert log.record(None, EventName.MAIL_INGESTED, timezone.now()).seq == 5
        assert verify().ok


class _Recording:
    """The database driver's connection, noting the start of every statement run through
    its cursors: what reaches the database, whether through Django or around it."""

    def __init__(self, real: Any, statements: list[str]) -> None:
        self._real, self._statements = real, statements

    def cursor(self, *args: Any, **kwargs: Any) -> Any:
        return _RecordingCursor(self._real.cursor(*args, **kwargs), self._statements)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _RecordingCursor:
    def __init__(self, real: Any, statements: list[str]) -> None:
        self._real, self._statements = real, statements

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        self._statements.append(" ".join(sql.replace('"', "").split()[:3]))
        return self._real.execute(sql, *args, **kwargs)

    def executemany(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        self._statements.append(" ".join(sql.replace('"', "").split()[:3]))
        return self._real.executemany(sql, *args, **kwargs)

    def __iter__(self) -> Any:
        return iter(self._real)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class TestWhatAnAppendCosts:
    def test_an_append_is_two_statements_and_a_due_checkpoint_one_more(
        self, db: None, settings: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        settings.MAILCOVER_CHECKPOINT_ENTRIES = 2
        settings.MAILCOVER_CHECKPOINT_SECONDS = 3600
        record(1)  # reads the head into this process; the first entry is checkpointed
        wrapper = connections[DEFAULT_DB_ALIAS]
        statements: list[str] = []
        monkeypatch.setattr(wrapper, "connection", _Recording(wrapper.connection, statements))

        record(1)
        assert statements == ["UPDATE ledger_head SET", "INSERT INTO ledger_entry"]

        statements.clear()
        record(1)  # two entries since the last checkpoint: one is due
        assert statements == [
            "UPDATE ledger_head SET",
            "INSERT INTO ledger_entry",
            "INSERT INTO ledger_checkpoint",
        ]
        monkeypatch.undo()
        assert list(Checkpoint.objects.values_list("size", flat=True)) == [1, 3]


class TestProofsFromTheStore:
    def test_the_root_at_every_size_is_the_root_of_the_stored_leaves(
        self, twenty: list[bytes]
    ) -> None:
        for size in range(SIZE + 1):
            assert log.root_at(size) == merkle.root_hash(twenty[:size]), size

    def test_the_root_of_the_empty_ledger_is_the_empty_root(self, db: None) -> None:
        assert log.tree_size() == 0
        assert log.root_at(0) == merkle.EMPTY_ROOT

    def test_every_inclusion_proof_is_the_pure_one_and_verifies(self, twenty: list[bytes]) -> None:
        for size in range(1, SIZE + 1):
            root = log.root_at(size)
            for index in range(size):
                proof = log.inclusion(index, size)
                assert proof == merkle.inclusion_proof(twenty, index, size), (index, size)
                merkle.verify_inclusion(twenty[index], index, size, proof, root)

    def test_every_consistency_proof_is_the_pure_one_and_verifies(
        self, twenty: list[bytes]
    ) -> None:
        for second in range(1, SIZE + 1):
            for first in range(1, second + 1):
                proof = log.consistency(first, second)
                assert proof == merkle.consistency_proof(twenty, first, second), (first, second)
                merkle.verify_consistency(
                    first, second, log.root_at(first), log.root_at(second), proof
                )

    def test_a_proof_reads_only_a_few_rows(
        self, twenty: list[bytes], django_assert_max_num_queries: Any
    ) -> None:
        # One read of the head, then one of the rows that hold the leaves and nodes it
        # needs: never a rehash.
        with django_assert_max_num_queries(2):
            log.inclusion(5, SIZE)
        with django_assert_max_num_queries(2):
            log.consistency(7, SIZE)

    def test_entry_at_gives_the_stored_row(self, twenty: list[bytes]) -> None:
        assert bytes(log.entry_at(7).leaf_hash) == twenty[7]

    def test_a_store_missing_a_node_says_which(self, twenty: list[bytes]) -> None:
        # Entry 3 holds (1, 1) and (2, 0): cut the second off.
        assert log.holder_of(2, 0) == 3
        triggers.remove(connection)
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE ledger_entry SET nodes = %s WHERE seq = 3", [stored_nodes()[3][:32]]
                )
            with pytest.raises(LookupError, match=r"lacks subtree roots \[\(2, 0\)\]"):
                log.inclusion(5, 8)
        finally:
            triggers.install(connection)


class TestOutOfRange:
    @pytest.mark.parametrize(
        ("ask", "message"),
        [
            (lambda: log.root_at(-1), "tree size -1 is not between 0 and the current 20"),
            (lambda: log.root_at(21), "tree size 21 is not between 0 and the current 20"),
            (lambda: log.inclusion(0, 21), "tree size 21 is not between 0 and the current 20"),
            (lambda: log.inclusion(20, 20), "entry 20 is not in a tree of size 20"),
            (lambda: log.inclusion(-1, 5), "entry -1 is not in a tree of size 5"),
            (lambda: log.inclusion(0, 0), "entry 0 is not in a tree of size 0"),
            (lambda: log.consistency(0, 5), "no consistency proof from size 0 to size 5"),
            (lambda: log.consistency(6, 5), "no consistency proof from size 6 to size 5"),
            (lambda: log.consistency(1, 21), "tree size 21 is not between 0 and the current 20"),
            (lambda: log.entry_at(20), "no entry 20: the ledger holds 20 entries"),
            (lambda: log.entry_at(-1), "no entry -1: the ledger holds 20 entries"),
        ],
        ids=[
            "negative-root",
            "root-beyond",
            "inclusion-beyond",
            "index-at-size",
            "negative-index",
            "empty-tree",
            "from-zero",
            "shrinking",
            "consistency-beyond",
            "entry-beyond",
            "negative-entry",
        ],
    )
    def test_sizes_and_indexes_the_tree_lacks_are_refused_saying_why(
        self, twenty: list[bytes], ask: Any, message: str
    ) -> None:
        with pytest.raises(log.TreeRangeError) as refused:
            ask()
        assert str(refused.value).startswith(message)

    def test_a_size_the_tree_will_have_is_refused_until_it_has_it(
        self, twenty: list[bytes]
    ) -> None:
        with pytest.raises(log.TreeRangeError):
            log.root_at(SIZE + 1)

        record(1)

        assert log.root_at(SIZE + 1) == merkle.root_hash(stored_leaf_hashes())


def test_entries_recorded_a_day_apart_keep_their_order_by_sequence_not_time(db: None) -> None:
    now = timezone.now()
    log.record(None, EventName.MAIL_INGESTED, now)
    log.record(None, EventName.SYNTHETIC_STREAM_WRITTEN, now - timedelta(days=1))

    assert list(Entry.objects.values_list("event", flat=True)) == [
        "mail.ingested",
        "synthetic_stream.written",
    ]


class TestABatchOfEntries:
    """`record_many`: the entries a worker writes with a batch of captures, at once."""

    def events(self, count: int) -> list[log.Event]:
        return [
            log.Event(
                None, EventName.MAIL_INGESTED, case=CASE, subject=7, refs={"n": n}, details={"k": n}
            )
            for n in range(count)
        ]

    def test_a_batch_stores_the_bytes_record_would_have_stored(self, db: None) -> None:
        at = datetime(2026, 5, 6, 7, 0, tzinfo=UTC)
        record(3)
        log.record_many(self.events(5), at)

        for n, (seq, data) in enumerate(
            Entry.objects.filter(seq__gte=3).values_list("seq", "data")
        ):
            expected = entries.Entry(
                seq,
                at,
                None,
                EventName.MAIL_INGESTED,
                {"n": n, "case": CASE, "subject": 7},
                {"k": n},
            )
            assert bytes(data) == entries.encode(expected)

    def test_a_batch_is_numbered_chained_and_verifiable(self, db: None) -> None:
        record(3)
        log.record_many(self.events(6), timezone.now())

        leaves = stored_leaf_hashes()
        assert list(Entry.objects.values_list("seq", flat=True)) == list(range(9))
        assert stored_nodes() == {seq: completed_by(leaves, seq) for seq in range(9)}
        assert head_state() == (9, chain(leaves))
        stored = Entry.objects.get(seq=5).entry
        assert (stored.event, stored.refs, stored.details) == (
            EventName.MAIL_INGESTED, {"n": 2, "case": CASE, "subject": 7}, {"k": 2},
        )  # fmt: skip
        report = verify()
        assert report.ok, report.problems

    def test_a_batch_is_two_statements_whatever_its_length(
        self, db: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        record(1)
        wrapper = connections[DEFAULT_DB_ALIAS]
        statements: list[str] = []
        monkeypatch.setattr(wrapper, "connection", _Recording(wrapper.connection, statements))

        log.record_many(self.events(40), timezone.now())

        monkeypatch.undo()
        assert statements[:2] == ["UPDATE ledger_head SET", "INSERT INTO ledger_entry"]
        assert Entry.objects.count() == 41

    def test_a_batch_after_another_process_moved_the_head_reads_it_back(self, db: None) -> None:
        record(2)
        mine = copy.deepcopy(log._tips)
        record(3)  # "another process"
        log._tips.clear()
        log._tips.update(mine)

        log.record_many(self.events(4), timezone.now())

        leaves = stored_leaf_hashes()
        assert list(Entry.objects.values_list("seq", flat=True)) == list(range(9))
        assert head_state() == (9, chain(leaves))
        assert verify().ok

    def test_a_batch_in_a_failed_transaction_leaves_no_trace(self, db: None) -> None:
        record(2)
        head = head_state()

        def captures_that_fail() -> None:
            with transaction.atomic():
                log.record_many(self.events(3), timezone.now())
                raise RuntimeError("the captures' transaction fails")

        with pytest.raises(RuntimeError, match="transaction fails"):
            captures_that_fail()

        assert (Entry.objects.count(), head_state()) == (2, head)
        log.record_many(self.events(1), timezone.now())
        assert verify().ok
        assert Entry.objects.count() == 3

    def test_an_empty_batch_writes_nothing(self, db: None) -> None:
        record(1)
        log.record_many([], timezone.now())
        assert Entry.objects.count() == 1
