"""Where the ledger lives in the database: entries, stored subtree roots, the head, checkpoints.

`Entry.data` holds an entry's canonical bytes (`mailcover.ledger.entries`); the other
columns of an entry are copies kept for queries, and `ledger verify` checks them
against the bytes. `Node` keeps the root of every perfect subtree above the leaves, so
a proof reads O(log n) rows and never rehashes. Entries, nodes and checkpoints are
append-only: the application refuses to change them, and so does the database itself
(triggers, see `mailcover.ledger.triggers`).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db import models

from mailcover.ledger import entries


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Refuses the bulk changes a model's save()/delete() guards do not see."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError(f"{self.model._meta.verbose_name_plural} are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError(f"{self.model._meta.verbose_name_plural} are append-only")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        # Related lookups use the base manager: it must refuse changes too.
        base_manager_name = "objects"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError(f"{self._meta.verbose_name_plural} are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError(f"{self._meta.verbose_name_plural} are append-only")


class Entry(AppendOnly):
    """One leaf of the tree: leaf `seq` is SHA-256(0x00 || data)."""

    seq = models.BigIntegerField(primary_key=True)
    data = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=32)
    # Copies of fields inside `data`, for queries (checked by `ledger verify`). They are
    # plain numbers, not foreign keys: the ledger outlives every row it mentions.
    at = models.DateTimeField(db_index=True)
    event = models.CharField(max_length=60, db_index=True)
    case_number = models.CharField(max_length=40, blank=True, db_index=True)
    actor_ref = models.BigIntegerField(null=True, blank=True)
    subject_ref = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta(AppendOnly.Meta):
        verbose_name_plural = "ledger entries"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event}"

    @cached_property
    def entry(self) -> entries.Entry:
        return entries.decode(bytes(self.data))

    @property
    def actor_username(self) -> str:
        actor = self.entry.actor
        return actor.username if actor else "system"

    @property
    def details(self) -> dict[str, Any]:
        return dict(self.entry.details)

    @property
    def refs(self) -> dict[str, Any]:
        return dict(self.entry.refs)


class Node(AppendOnly):
    """The root of the perfect subtree at (level >= 1, index): leaves [index << level, ...)."""

    key = models.BigIntegerField(primary_key=True)
    hash = models.BinaryField(max_length=32)

    class Meta(AppendOnly.Meta):
        verbose_name_plural = "ledger nodes"

    LEVEL_SHIFT = 48
    """Keys pack (level, index) as level << 48 | index: room for 2**48 leaves."""

    @classmethod
    def key_of(cls, level: int, index: int) -> int:
        return (level << cls.LEVEL_SHIFT) | index

    @classmethod
    def level_index(cls, key: int) -> tuple[int, int]:
        return key >> cls.LEVEL_SHIFT, key & ((1 << cls.LEVEL_SHIFT) - 1)


class Head(models.Model):
    """The tree's size and frontier (one row, locked by each append)."""

    size = models.BigIntegerField(default=0)
    frontier = models.BinaryField(default=b"")
    # The last checkpoint's size and time, so an append knows whether one is due
    # without another query.
    checkpoint_size = models.BigIntegerField(default=0)
    checkpoint_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "ledger head"


class Checkpoint(AppendOnly):
    """A signed tree head in the signed-note format, as published."""

    size = models.BigIntegerField(db_index=True)
    root_hash = models.BinaryField(max_length=32)
    published_at = models.DateTimeField()
    note = models.TextField()
    verifier_key = models.CharField(max_length=300)

    class Meta(AppendOnly.Meta):
        verbose_name_plural = "ledger checkpoints"
        ordering = ["size", "pk"]

    def __str__(self) -> str:
        return f"checkpoint at size {self.size}"
