"""Where the ledger lives in the database: entries, the head, checkpoints.

`Entry.data` holds an entry's canonical bytes (`mailcover.ledger.entries`), beside its
leaf hash and the inner nodes it completed; the other columns of an entry are copies
kept for queries, and `ledger verify` checks them against the bytes. Entries and
checkpoints are append-only: the application refuses to change them, and so does the
database itself (triggers, see `mailcover.ledger.triggers`).
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
    """One leaf of the tree: leaf `seq` is SHA-256(0x00 || data).

    `nodes` holds the roots of the perfect subtrees this leaf completed, levels 1, 2, ...
    in order (leaf n completes as many as n has trailing one bits): every inner node of
    the tree is stored once, in the row of its last leaf, so an append is one INSERT and
    a proof one lookup by primary key.
    """

    seq = models.BigIntegerField(primary_key=True)
    data = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=32)
    nodes = models.BinaryField(default=b"", blank=True)
    # Copies of fields inside `data`, for queries (checked by `ledger verify`). They are
    # plain numbers, not foreign keys: the ledger outlives every row it mentions.
    at = models.DateTimeField()
    event = models.CharField(max_length=60)
    case_number = models.CharField(max_length=40, blank=True, db_index=True)
    actor_ref = models.BigIntegerField(null=True, blank=True)
    subject_ref = models.BigIntegerField(null=True, blank=True)

    class Meta(AppendOnly.Meta):
        verbose_name_plural = "ledger entries"
        ordering = ["seq"]
        indexes = [
            # The accounting of disclosures per subject. Partial, so the other entries
            # cost nothing to index.
            models.Index(
                fields=["subject_ref"],
                name="ledger_disclosure_subject",
                condition=models.Q(event="disclosure"),
            ),
        ]

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


class Head(models.Model):
    """The tree's size and a hash chain over its leaves (one row).

    Each append moves it with one conditional UPDATE that also takes the row's lock, so
    entries get gapless numbers in commit order; `tip` = SHA-256(previous tip || leaf
    hash) lets a process trust its in-memory frontier only while no one else appended.
    """

    size = models.BigIntegerField(default=0)
    tip = models.BinaryField(default=bytes(32))

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
