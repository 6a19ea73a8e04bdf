"""Appending to the ledger and answering proofs from the stored tree.

Every audit event of mailcover goes through `record`, inside the transaction of the
change it records: the change and its entry commit together or not at all. An append
locks the one head row, so entries get gapless sequence numbers in commit order,
updates the frontier (O(log n), nothing earlier is read again) and stores the
perfect subtree roots the append completed, from which `inclusion` and
`consistency` answer any proof by reading O(log n) rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from mailcover.ledger import entries, merkle
from mailcover.ledger.models import Entry, Head, Node

if TYPE_CHECKING:
    from mailcover.accounts.models import User


class TreeRangeError(ValueError):
    """A proof or entry was asked for sizes or indexes the tree does not have."""


def record(
    actor: User | None,
    event: str,
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


@transaction.atomic
def append(
    actor: entries.Actor | None,
    event: str,
    at: datetime,
    refs: Mapping[str, Any],
    details: Mapping[str, Any],
) -> Entry:
    head = locked_head()
    frontier = frontier_of(head)
    data = entries.encode(
        entries.Entry(
            seq=frontier.size, at=at, actor=actor, event=event, refs=refs, details=details
        )
    )
    row = _store_leaf(frontier, data)
    _save_head(head, frontier)
    from mailcover.ledger import checkpoints  # checkpoints import this module

    checkpoints.publish_if_due(head, frontier, timezone.now())
    return row


def _store_leaf(frontier: merkle.MerkleFrontier, data: bytes) -> Entry:
    entry = entries.decode(data)
    leaf_hash = merkle.hash_leaf(data)
    seq = frontier.size
    completed = frontier.append(leaf_hash)
    row = Entry(
        seq=seq,
        data=data,
        leaf_hash=leaf_hash,
        at=entry.at,
        event=entry.event,
        case_number=entry.case_number,
        actor_ref=entry.actor.id if entry.actor else None,
        subject_ref=entry.subject_id,
    )
    row.save()
    if completed:
        Node.objects.bulk_create(
            Node(key=Node.key_of(level, seq >> level), hash=node)
            for level, node in enumerate(completed, start=1)
        )
    return row


def locked_head() -> Head:
    """The head row, locked until the transaction ends (created on first use)."""
    head = Head.objects.select_for_update().filter(pk=1).first()
    return head if head is not None else Head.objects.create(pk=1)


def frontier_of(head: Head) -> merkle.MerkleFrontier:
    blob = bytes(head.frontier)
    size = merkle.HASH_SIZE
    roots = [blob[i : i + size] for i in range(0, len(blob), size)]
    return merkle.MerkleFrontier.restore(head.size, roots)


def _save_head(head: Head, frontier: merkle.MerkleFrontier) -> None:
    head.size = frontier.size
    head.frontier = b"".join(frontier.subtree_roots)
    head.save(update_fields=["size", "frontier"])


def tree_size() -> int:
    head = Head.objects.filter(pk=1).first()
    return head.size if head is not None else 0


def entry_at(index: int) -> Entry:
    entry: Entry | None = Entry.objects.filter(seq=index).first()
    if entry is None:
        raise TreeRangeError(f"no entry {index}: the ledger holds {tree_size()} entries")
    return entry


def root_at(size: int) -> bytes:
    """MTH of the first `size` entries, from stored subtree roots."""
    _check_size(size)
    if size == 0:
        return merkle.EMPTY_ROOT
    return _stored([(0, size)])(0, size)


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
    # Run the algorithm once to learn which ranges it needs, fetch them all in two
    # queries, then run it for real over what was fetched.
    return path(_stored(merkle.ranges_of(path)))


def _stored(ranges: Iterable[tuple[int, int]]) -> merkle.SubtreeRoot:
    wanted = {key for start, end in ranges for key in merkle.perfect_subtrees(start, end)}
    leaves = [index for level, index in wanted if level == 0]
    inner = [Node.key_of(level, index) for level, index in wanted if level > 0]
    nodes: dict[tuple[int, int], bytes] = {}
    for seq, leaf_hash in Entry.objects.filter(seq__in=leaves).values_list("seq", "leaf_hash"):
        nodes[(0, seq)] = bytes(leaf_hash)
    for key, node in Node.objects.filter(key__in=inner).values_list("key", "hash"):
        nodes[Node.level_index(key)] = bytes(node)
    missing = wanted - nodes.keys()
    if missing:
        raise LookupError(f"the ledger store lacks subtree roots {sorted(missing)[:5]}")
    return merkle.subtree_root_from(nodes)


def _check_size(size: int) -> None:
    current = tree_size()
    if not 0 <= size <= current:
        raise TreeRangeError(f"tree size {size} is not between 0 and the current {current}")
