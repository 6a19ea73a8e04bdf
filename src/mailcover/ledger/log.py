"""Appending to the ledger and answering proofs from the stored tree.

Every audit event of mailcover goes through `record`, inside the transaction of the
change it records: the change and its entry commit together or not at all.

An append is two statements. A conditional UPDATE of the head row takes the row's lock
(entries are numbered in commit order, without gaps) and succeeds only if the head is
still where this process last left it, so the frontier kept in memory (the roots of
the perfect subtrees on the right edge of the tree) can be extended without reading
anything; otherwise the frontier is read back from the stored nodes, O(log n) rows,
and the append goes on. Then one INSERT writes the entry with its leaf hash and the
inner nodes it completed. Nothing earlier is ever rehashed. The hot path uses plain
SQL on Django's connection: an append happens on every action, and the ORM's query
building cost more than the database work (bench/ledger.py measures it).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connections, router, transaction
from django.utils import timezone

from mailcover.ledger import entries, merkle
from mailcover.ledger.events import EventName, event_name
from mailcover.ledger.models import Checkpoint, Entry, Head

if TYPE_CHECKING:
    from mailcover.accounts.models import User

GENESIS_TIP = bytes(32)
"""The head's hash chain before the first entry."""


class TreeRangeError(ValueError):
    """A proof or entry was asked for sizes or indexes the tree does not have."""


@dataclass
class _Tip:
    """Where this process last left the head: frontier (and size), chain tip, and the
    last checkpoint it knows of (for deciding when the next one is due)."""

    frontier: merkle.MerkleFrontier
    tip: bytes
    checkpoint_size: int
    checkpoint_at: datetime | None


_tips: dict[str, _Tip] = {}
_tips_lock = threading.Lock()


def record(
    actor: User | None,
    event: EventName,
    now: datetime,
    *,
    case: str = "",
    subject: int | None = None,
    refs: Mapping[str, Any] | None = None,
    **details: Any,
) -> Entry:
    """Put one audit event on the ledger: who, what, when, to which case and subject."""
    all_refs: dict[str, Any] = dict(refs or {})
    if case:
        all_refs["case"] = case
    if subject is not None:
        all_refs["subject"] = subject
    who = None if actor is None else entries.Actor(id=actor.pk, username=actor.username)
    return append(who, event, now, all_refs, details)


def append(
    actor: entries.Actor | None,
    event: EventName,
    at: datetime,
    refs: Mapping[str, Any],
    details: Mapping[str, Any],
) -> Entry:
    stored = event_name(event)  # ValueError for a name not in ledger/events.py
    alias = router.db_for_write(Entry)
    connection = connections[alias]
    # No savepoint: inside an action's transaction this is part of it, and on its own
    # it is a transaction of its own.
    with transaction.atomic(using=alias, savepoint=False):
        connection.ensure_connection()
        sql = _SQL[connection.vendor]
        # The driver's own cursor: Django's wrapper costs more than the statement here.
        # Its errors are the driver's (sqlite3, psycopg), not django.db's; none is caught
        # here, so the caller's transaction fails and rolls back as with any other.
        cursor = connection.connection.cursor()
        try:
            reached, entry, data, leaf_hash = _move_head(
                cursor, sql, alias, actor, stored, at, refs, details
            )
            nodes = b"".join(reached.frontier.append(leaf_hash))
            row = [entry.seq, data, leaf_hash, nodes, at, stored, entry.case_number]
            row += [actor.id if actor else None, entry.subject_id]
            stored_at = connection.ops.adapt_datetimefield_value(at)
            cursor.execute(sql.insert, [*row[:4], stored_at, *row[5:]])
        finally:
            cursor.close()
        _checkpoint_if_due(reached)
        with _tips_lock:
            _tips[alias] = reached
    return Entry.from_db(alias, ENTRY_COLUMNS, row)


@dataclass(frozen=True)
class Event:
    """One audit event of a batch for `record_many`: `record`'s arguments but the clock."""

    actor: User | None
    event: EventName
    case: str = ""
    subject: int | None = None
    refs: Mapping[str, Any] | None = None
    details: Mapping[str, Any] | None = None


def record_many(events: Sequence[Event], now: datetime) -> None:
    """Put several audit events on the ledger at once, in order, with one move of the head
    and one INSERT statement: the same entries, numbered and chained as many calls to
    `record` would have numbered and chained them, for a worker that writes hundreds in a
    transaction (the captures of a batch)."""
    if not events:
        return
    alias = router.db_for_write(Entry)
    connection = connections[alias]
    prepared = []
    for one in events:
        refs: dict[str, Any] = dict(one.refs or {})
        if one.case:
            refs["case"] = one.case
        if one.subject is not None:
            refs["subject"] = one.subject
        actor = one.actor
        who = None if actor is None else entries.Actor(id=actor.pk, username=actor.username)
        prepared.append((who, event_name(one.event), refs, dict(one.details or {})))
    with transaction.atomic(using=alias, savepoint=False):
        connection.ensure_connection()
        sql = _SQL[connection.vendor]
        stored_at = connection.ops.adapt_datetimefield_value(now)
        cursor = connection.connection.cursor()
        try:
            start = _cached_tip(alias)
            for _attempt in range(2):
                rows, reached = _chain(start, prepared, now, stored_at)
                first, last = start.frontier.size, reached.frontier.size
                cursor.execute(sql.move_head, [last, reached.tip, first, start.tip])
                if cursor.rowcount == 1:
                    break
                start = _read_tip(alias)
            else:
                raise RuntimeError("the ledger head moved twice during one append")
            cursor.executemany(sql.insert, rows)
        finally:
            cursor.close()
        _checkpoint_if_due(reached)
        with _tips_lock:
            _tips[alias] = reached


def _chain(
    start: _Tip,
    prepared: list[tuple[entries.Actor | None, str, dict[str, Any], dict[str, Any]]],
    at: datetime,
    stored_at: Any,
) -> tuple[list[list[Any]], _Tip]:
    """The rows of a batch appended after `start`, and where the head is after them (a new
    frontier: `start`'s is left as it was, for a second try)."""
    frontier = merkle.MerkleFrontier.restore(start.frontier.size, start.frontier.subtree_roots)
    tip = start.tip
    rows = []
    for actor, event, refs, details in prepared:
        entry = entries.Entry(frontier.size, at, actor, event, refs, details)
        data = entries.encode(entry)
        leaf_hash = merkle.hash_leaf(data)
        tip = hashlib.sha256(tip + leaf_hash).digest()
        nodes = b"".join(frontier.append(leaf_hash))
        rows.append(
            [entry.seq, data, leaf_hash, nodes, stored_at, event, entry.case_number,
             actor.id if actor else None, entry.subject_id]
        )  # fmt: skip
    return rows, _Tip(frontier, tip, start.checkpoint_size, start.checkpoint_at)


@dataclass(frozen=True)
class _Statements:
    move_head: str
    insert: str


ENTRY_COLUMNS = [
    "seq",
    "data",
    "leaf_hash",
    "nodes",
    "at",
    "event",
    "case_number",
    "actor_ref",
    "subject_ref",
]
_PG = _Statements(
    move_head="UPDATE ledger_head SET size = %s, tip = %s WHERE id = 1 AND size = %s AND tip = %s",
    insert="INSERT INTO ledger_entry (seq, data, leaf_hash, nodes, at, event, case_number, "
    "actor_ref, subject_ref) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
)
_SQL = {
    "postgresql": _PG,
    "sqlite": _Statements(_PG.move_head.replace("%s", "?"), _PG.insert.replace("%s", "?")),
}


def _move_head(
    cursor: Any,
    sql: _Statements,
    alias: str,
    actor: entries.Actor | None,
    event: str,
    at: datetime,
    refs: Mapping[str, Any],
    details: Mapping[str, Any],
) -> tuple[_Tip, entries.Entry, bytes, bytes]:
    """Number the entry and move the head past it, trusting this process's frontier only
    if the head is where it left it; otherwise read the head (locking it) and go again."""
    start = _cached_tip(alias)
    for _attempt in range(2):
        entry = entries.Entry(start.frontier.size, at, actor, event, refs, details)
        data = entries.encode(entry)
        leaf_hash = merkle.hash_leaf(data)
        tip = hashlib.sha256(start.tip + leaf_hash).digest()
        cursor.execute(sql.move_head, [entry.seq + 1, tip, entry.seq, start.tip])
        if cursor.rowcount == 1:
            return (
                _Tip(start.frontier, tip, start.checkpoint_size, start.checkpoint_at),
                entry,
                data,
                leaf_hash,
            )
        start = _read_tip(alias)
    raise RuntimeError("the ledger head moved twice during one append")


def _checkpoint_if_due(reached: _Tip) -> None:
    from mailcover.ledger import checkpoints  # checkpoints import this module

    now = timezone.now()
    frontier = reached.frontier
    if checkpoints.due(frontier.size, reached.checkpoint_size, reached.checkpoint_at, now):
        checkpoints.sign(frontier.size, frontier.root(), now)
        reached.checkpoint_size, reached.checkpoint_at = frontier.size, now


def _cached_tip(alias: str) -> _Tip:
    with _tips_lock:
        cached = _tips.get(alias)
    if cached is None:
        return _read_tip(alias)
    # A copy: the cached frontier is shared with other threads of this process.
    copy = merkle.MerkleFrontier.restore(cached.frontier.size, cached.frontier.subtree_roots)
    return _Tip(copy, cached.tip, cached.checkpoint_size, cached.checkpoint_at)


def _read_tip(alias: str) -> _Tip:
    """The head as stored, locked until the transaction ends, with its frontier."""
    head = Head.objects.using(alias).select_for_update().filter(pk=1).first()
    if head is None:
        head = Head.objects.using(alias).create(pk=1, size=0, tip=GENESIS_TIP)
    wanted = merkle.perfect_subtrees(0, head.size) if head.size else []
    stored = _stored_nodes(wanted, alias)
    frontier = merkle.MerkleFrontier.restore(head.size, [stored[key] for key in wanted])
    last = (
        Checkpoint.objects.using(alias).order_by("-size", "-pk").values_list("size", "published_at")
    )
    known = last.first()
    return _Tip(frontier, bytes(head.tip), known[0] if known else 0, known[1] if known else None)


def forget_cached_head() -> None:
    """Drop what this process remembers of the head (after the tables were emptied)."""
    with _tips_lock:
        _tips.clear()


def frontier_at(size: int) -> merkle.MerkleFrontier:
    """The frontier of the tree of the first `size` entries, from stored nodes."""
    _check_size(size)
    wanted = merkle.perfect_subtrees(0, size) if size else []
    stored = _stored_nodes(wanted, router.db_for_read(Entry))
    return merkle.MerkleFrontier.restore(size, [stored[key] for key in wanted])


def tree_size() -> int:
    head = Head.objects.filter(pk=1).values_list("size", flat=True).first()
    return int(head) if head is not None else 0


def entry_at(index: int) -> Entry:
    entry: Entry | None = Entry.objects.filter(seq=index).first()
    if entry is None:
        raise TreeRangeError(f"no entry {index}: the ledger holds {tree_size()} entries")
    return entry


def root_at(size: int) -> bytes:
    """MTH of the first `size` entries, from stored subtree roots."""
    return frontier_at(size).root()


def inclusion(index: int, size: int) -> list[bytes]:
    """The audit path of entry `index` in the tree of the first `size` entries."""
    _check_size(size)
    if not 0 <= index < size:
        raise TreeRangeError(f"entry {index} is not in a tree of size {size}")
    return _answer(lambda tree: merkle.inclusion_path(tree, index, size))


def consistency(first: int, second: int) -> list[bytes]:
    """The proof that the tree of `second` entries extends the tree of `first`."""
    _check_size(second)
    if not 0 < first <= second:
        raise TreeRangeError(
            f"no consistency proof from size {first} to size {second}: need 0 < first <= second"
        )
    return _answer(lambda tree: merkle.consistency_path(tree, first, second))


def _answer(path: Callable[[merkle.SubtreeRoot], list[bytes]]) -> list[bytes]:
    # Run the algorithm once to learn which ranges it needs, fetch them all in one
    # query, then run it for real over what was fetched.
    ranges = merkle.ranges_of(path)
    wanted = {key for start, end in ranges for key in merkle.perfect_subtrees(start, end)}
    return path(merkle.subtree_root_from(_stored_nodes(wanted, router.db_for_read(Entry))))


def holder_of(level: int, index: int) -> int:
    """The entry whose row stores the root of perfect subtree (level, index): its last leaf."""
    return ((index + 1) << level) - 1


def _stored_nodes(wanted: Iterable[tuple[int, int]], alias: str) -> dict[tuple[int, int], bytes]:
    wanted = set(wanted)
    holders = {holder_of(level, index) for level, index in wanted}
    rows: dict[int, tuple[bytes, bytes]] = {}
    if holders:
        with connections[alias].cursor() as cursor:
            marks = ", ".join(["%s"] * len(holders))
            cursor.execute(
                f"SELECT seq, leaf_hash, nodes FROM ledger_entry WHERE seq IN ({marks})",  # noqa: S608
                sorted(holders),
            )
            rows = {seq: (bytes(leaf), bytes(nodes)) for seq, leaf, nodes in cursor.fetchall()}
    found: dict[tuple[int, int], bytes] = {}
    for level, index in wanted:
        row = rows.get(holder_of(level, index))
        if row is None:
            continue
        node = row[0] if level == 0 else row[1][(level - 1) * 32 : level * 32]
        if len(node) == merkle.HASH_SIZE:
            found[(level, index)] = node
    missing = wanted - found.keys()
    if missing:
        raise LookupError(f"the ledger store lacks subtree roots {sorted(missing)[:5]}")
    return found


def _check_size(size: int) -> None:
    current = tree_size()
    if not 0 <= size <= current:
        raise TreeRangeError(f"tree size {size} is not between 0 and the current {current}")
