"""Signed checkpoints: the ledger's tree head, signed with the log's Ed25519 key.

A checkpoint (c2sp.org/tlog-checkpoint) is a signed note whose text is the origin,
the tree size and the base64 root hash. One is published every
MAILCOVER_CHECKPOINT_ENTRIES entries, when the last is older than
MAILCOVER_CHECKPOINT_SECONDS and entries came since, and whenever asked. Published
checkpoints are kept (append-only) so that `ledger verify` can check each against the
recomputed tree, and a witness can keep copies to hold the log to them.

The signing key is generated on first use into MAILCOVER_LEDGER_KEY_FILE, created
with mode 600 in one step (O_EXCL, so two processes starting together cannot make
two keys), in the Go signer-key format `PRIVATE+KEY+<name>+<id>+<key>`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction

from mailcover.config.env import write_secret_once
from mailcover.ledger import log, note
from mailcover.ledger.models import Checkpoint, Head


class SigningKeyError(RuntimeError):
    """The signing key file cannot be read, or belongs to another log."""


def signer() -> note.Signer:
    """The log's signing key, generated on first use: for the service that signs."""
    path = Path(settings.MAILCOVER_LEDGER_KEY_FILE)
    origin = settings.MAILCOVER_LEDGER_ORIGIN
    write_secret_once(path, lambda: note.Signer.generate(origin).to_string() + "\n")
    return _load_signer(path, origin)


def public_key() -> note.Verifier:
    """The verifier key the service publishes (its key is made if it has none yet)."""
    return signer().verifier()


def verifier() -> note.Verifier:
    """The log's verifier key, from the existing key file only: checking never makes a
    key (a new one would fail every checkpoint, and then sign with itself)."""
    path = Path(settings.MAILCOVER_LEDGER_KEY_FILE)
    if not path.exists():
        raise SigningKeyError(
            f"no ledger signing key at {path}: set MAILCOVER_LEDGER_KEY_FILE to the "
            "service's key file"
        )
    return _load_signer(path, settings.MAILCOVER_LEDGER_ORIGIN).verifier()


@lru_cache(maxsize=4)
def _load_signer(path: Path, origin: str) -> note.Signer:
    try:
        loaded = note.Signer.parse(path.read_text().strip())
    except (OSError, note.NoteError) as problem:
        raise SigningKeyError(f"cannot read the ledger signing key {path}: {problem}") from None
    if loaded.name != origin:
        raise SigningKeyError(
            f"the ledger signing key {path} is for the log {loaded.name!r}, but "
            f"MAILCOVER_LEDGER_ORIGIN is {origin!r}"
        )
    return loaded


def due(size: int, last_size: int, last_at: datetime | None, now: datetime) -> bool:
    """Whether a checkpoint is owed: entries came since the last one, and there are
    MAILCOVER_CHECKPOINT_ENTRIES of them, or MAILCOVER_CHECKPOINT_SECONDS have passed
    (or there has been none at all)."""
    unpublished = size - last_size
    if unpublished <= 0:
        return False
    every = timedelta(seconds=settings.MAILCOVER_CHECKPOINT_SECONDS)
    return (
        unpublished >= settings.MAILCOVER_CHECKPOINT_ENTRIES
        or last_at is None
        or now - last_at >= every
    )


@transaction.atomic
def publish(now: datetime) -> Checkpoint:
    """Publish a checkpoint of the tree as it stands (on demand), unless one has that size."""
    size = _locked_size()
    last = latest()
    if last is not None and last.size == size:
        return last
    return sign(size, log.root_at(size), now)


@transaction.atomic
def publish_when_due(now: datetime) -> Checkpoint | None:
    """For the publisher worker: a checkpoint if entries wait and the interval has passed."""
    size = _locked_size()
    last = latest()
    if not due(size, last.size if last else 0, last.published_at if last else None, now):
        return None
    return sign(size, log.root_at(size), now)


def _locked_size() -> int:
    # The head's lock keeps appends out while the tree is read and signed: the checkpoint
    # is of one tree, never of a size that moved under it.
    head = Head.objects.select_for_update().filter(pk=1).first()
    return head.size if head is not None else 0


def latest() -> Checkpoint | None:
    found: Checkpoint | None = Checkpoint.objects.order_by("-size", "-pk").first()
    return found


def sign(size: int, root: bytes, now: datetime) -> Checkpoint:
    """Sign and keep the checkpoint of the tree of `size` entries with that root."""
    key = signer()
    body = note.Checkpoint(origin=key.name, size=size, root_hash=root)
    checkpoint = Checkpoint(
        size=size,
        root_hash=root,
        published_at=now,
        note=note.sign_checkpoint(body, key),
        verifier_key=key.verifier().to_string(),
    )
    checkpoint.save()
    return checkpoint
