"""`mailcover ledger verify`: recompute the whole tree from the rows and check everything.

Each entry's bytes are hashed again and compared with the stored leaf hash, its query
columns with what its bytes say, and the sequence numbers for gaps. The tree is
rebuilt leaf by leaf; every stored subtree root must be the one recomputed, every
stored checkpoint must carry a good signature and the recomputed root at its size,
and the head must hold the recomputed frontier. A row changed out of band, by
anyone who went around the application and its triggers, fails one of these.

What this cannot catch alone: an owner who rewrites entries after the last published
checkpoint and every stored hash consistently. Checkpoints kept by a witness
(`ledger export-checkpoints`) and proofs checked from outside (`ledger verify-proof`)
are what hold the log to what it published.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from mailcover.ledger import checkpoints, entries, merkle, note
from mailcover.ledger.log import ENTRY_COLUMNS, GENESIS_TIP
from mailcover.ledger.models import Checkpoint, Entry, Head

MAX_PROBLEMS = 100
_CHUNK = 5000


@dataclass
class Report:
    """What verification found. `problems` holds the first MAX_PROBLEMS, in order found."""

    size: int = 0
    root: bytes = merkle.EMPTY_ROOT
    checkpoints: int = 0
    nodes: int = 0
    problems: list[str] = field(default_factory=list)
    first_bad_entry: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, text: str, entry: int | None = None) -> None:
        if entry is not None and self.first_bad_entry is None:
            self.first_bad_entry = entry
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)


def verify() -> Report:
    report = Report()
    # The head first: entries [0, size) are committed and never change, so checking them
    # needs no lock and no snapshot; appends made meanwhile land at size and beyond and
    # are the next run's to check.
    size, head_tip = _head()
    pending = list(Checkpoint.objects.filter(size__lte=size).order_by("size", "pk"))
    # Checkpoints of the empty tree come before any entry: left pending, they would hold
    # back every later checkpoint, which would then look like deleted entries.
    while pending and pending[0].size == 0:
        _check_checkpoint(pending.pop(0), merkle.EMPTY_ROOT, report)
    frontier = merkle.MerkleFrontier()
    tip = GENESIS_TIP
    for row in _rows(below=size):
        if row[0] < 0:
            report.problem(f"a row numbered {row[0]} should not exist: entries start at 0", row[0])
            continue
        _check_entry(row, frontier.size, report)
        leaf_hash = merkle.hash_leaf(row[1])
        completed = b"".join(frontier.append(leaf_hash))
        tip = hashlib.sha256(tip + leaf_hash).digest()
        report.nodes += len(completed) // merkle.HASH_SIZE
        if completed != row[3]:
            report.problem(
                f"entry {row[0]}: its stored inner nodes differ from those recomputed", row[0]
            )
        while pending and pending[0].size == frontier.size:
            _check_checkpoint(pending.pop(0), frontier.root(), report)
    for checkpoint in pending:
        report.problem(
            f"checkpoint at size {checkpoint.size} is beyond the {frontier.size} "
            "entries stored: entries were deleted"
        )
    report.size, report.root = frontier.size, frontier.root()
    if frontier.size != size:
        report.problem(f"the head says {size} entries but {frontier.size} are stored")
    elif tip != head_tip:
        report.problem("the head's hash chain differs from the one recomputed from the entries")
    _check_beyond_head(report)
    return report


def _head() -> tuple[int, bytes]:
    head = Head.objects.filter(pk=1).first()
    return (head.size, bytes(head.tip)) if head is not None else (0, GENESIS_TIP)


def _check_beyond_head(report: Report) -> None:
    """Rows or checkpoints past the head, while the head stands still, were put there by
    something other than an append (the triggers refuse changes, not inserts)."""
    size, _ = _head()
    if Entry.objects.filter(seq__gte=size).exists() and _head()[0] == size:
        report.problem(f"rows numbered {size} or more exist beyond the head: inserted out of band")
    if Checkpoint.objects.filter(size__gt=size).exists() and _head()[0] == size:
        report.problem(f"a checkpoint is beyond the head's {size} entries")


Row = tuple[int, bytes, bytes, bytes, datetime, str, str, int | None, int | None]


def _rows(below: int) -> Iterator[Row]:
    # Keyset pagination: a steady cost per chunk however large the ledger grows. No lower
    # bound, so that a row numbered below 0 is read and reported too.
    query = Entry.objects.filter(seq__lt=below).order_by("seq")
    chunk = list(query.values_list(*ENTRY_COLUMNS)[:_CHUNK])
    while chunk:
        for seq, data, leaf, nodes, at, event, case, actor, subject in chunk:
            yield (
                seq,
                _as_bytes(data),
                _as_bytes(leaf),
                _as_bytes(nodes),
                at,
                event,
                case,
                actor,
                subject,
            )
        if len(chunk) < _CHUNK:
            return
        after = chunk[-1][0]
        chunk = list(query.filter(seq__gt=after).values_list(*ENTRY_COLUMNS)[:_CHUNK])


def _as_bytes(value: object) -> bytes:
    # A row edited out of band may hold text where bytes belong (SQLite keeps whatever
    # type an UPDATE wrote): read it as its UTF-8 bytes so it is checked, not crashed on.
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value) if isinstance(value, bytes | memoryview | bytearray) else b""


def _check_entry(row: Row, expected_seq: int, report: Report) -> None:
    seq, data, leaf_hash, _, at, event, case, actor, subject = row
    if seq != expected_seq:
        report.problem(f"entry {expected_seq} is missing (next stored is {seq})", expected_seq)
    if merkle.hash_leaf(data) != leaf_hash:
        report.problem(f"entry {seq}: its data does not hash to its stored leaf hash", seq)
    try:
        value = json.loads(data)
        said = (
            value["seq"],
            entries.parse_time(value["at"]),
            value["event"],
            str(value["refs"].get("case") or ""),
            value["actor"]["id"] if value["actor"] else None,
            value["refs"].get("subject"),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as problem:
        report.problem(f"entry {seq}: its data is not a ledger entry ({problem})", seq)
        return
    if said != (seq, at, event, case, actor, subject):
        report.problem(f"entry {seq}: its columns differ from what its data says", seq)


def _check_checkpoint(checkpoint: Checkpoint, root: bytes, report: Report) -> None:
    report.checkpoints += 1
    where = f"checkpoint at size {checkpoint.size}"
    try:
        # The log's own key, never the one stored beside the checkpoint: whoever can
        # rewrite the rows can rewrite that column too, and re-sign a rewritten history.
        key = checkpoints.verifier()
        signed = note.open_checkpoint(checkpoint.note, key, key.name)
    except note.NoteError as problem:
        report.problem(f"{where}: {problem}")
        return
    if (signed.size, signed.root_hash) != (checkpoint.size, bytes(checkpoint.root_hash)):
        report.problem(f"{where}: the stored size or root differs from the signed note")
    elif signed.root_hash != root:
        report.problem(
            f"{where}: signed root {signed.root_hash.hex()} but the entries give {root.hex()}"
        )
