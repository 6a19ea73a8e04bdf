"""Signed checkpoints of the ledger (ledger/checkpoints.py): the signing key generated on
first use, when a checkpoint is published, and what each one signs."""

from __future__ import annotations

import re
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from mailcover.ledger import checkpoints, log, merkle, note
from mailcover.ledger.events import EventName
from mailcover.ledger.models import Checkpoint

ORIGIN = "test.example/ledger"


@pytest.fixture(autouse=True)
def key_file(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """A key file of this test alone, under one known origin, in a directory that does
    not exist yet; read afresh, not from the cache of another test's signer."""
    path = tmp_path / "var" / "keys" / "ledger-signing.key"
    settings.MAILCOVER_LEDGER_ORIGIN = ORIGIN
    settings.MAILCOVER_LEDGER_KEY_FILE = path
    checkpoints._load_signer.cache_clear()
    yield path
    checkpoints._load_signer.cache_clear()


def record(count: int) -> None:
    for _ in range(count):
        log.record(None, EventName.MAIL_INGESTED, timezone.now(), case="MC-2026-000001")


def published_sizes() -> list[int]:
    return list(Checkpoint.objects.order_by("pk").values_list("size", flat=True))


def last_checkpoint_at() -> datetime:
    last = checkpoints.latest()
    assert last is not None
    return last.published_at


@pytest.fixture(autouse=True)
def fresh_process() -> Iterator[None]:
    """Each test as a process that has not appended yet: what this one remembers of the
    head (and of the last checkpoint) is read from the store on its first append."""
    log.forget_cached_head()
    yield
    log.forget_cached_head()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[timedelta], None]:
    """Move the clock appends read (timezone.now) forward by a given time."""
    start = timezone.now()
    moved = [timedelta(0)]
    monkeypatch.setattr(timezone, "now", lambda: start + moved[0])

    def forward(by: timedelta) -> None:
        moved[0] += by

    return forward


class TestSigningKey:
    def test_the_key_is_generated_on_first_use_readable_by_its_owner_only(
        self, key_file: Path
    ) -> None:
        assert not key_file.exists()

        checkpoints.signer()

        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        text = key_file.read_text()
        assert re.fullmatch(r"PRIVATE\+KEY\+test\.example/ledger\+[0-9a-f]{8}\+\S+\n", text)
        key = note.Signer.parse(text.strip())
        assert key.name == ORIGIN
        assert key.verifier().to_string() == checkpoints.verifier().to_string()

    def test_a_second_use_reuses_the_key_in_the_file(self, key_file: Path) -> None:
        first = checkpoints.signer().verifier().to_string()
        written = key_file.read_text()
        checkpoints._load_signer.cache_clear()

        second = checkpoints.signer().verifier().to_string()

        assert second == first
        assert key_file.read_text() == written

    def test_a_key_already_in_the_file_is_used_not_replaced(self, key_file: Path) -> None:
        existing = note.Signer.generate(ORIGIN)
        key_file.parent.mkdir(parents=True)
        key_file.write_text(existing.to_string() + "\n")

        assert checkpoints.verifier().to_string() == existing.verifier().to_string()
        assert key_file.read_text() == existing.to_string() + "\n"

    def test_a_key_for_another_log_is_refused_naming_both_logs(
        self, key_file: Path, settings: Any
    ) -> None:
        checkpoints.signer()
        settings.MAILCOVER_LEDGER_ORIGIN = "other.example/ledger"

        with pytest.raises(checkpoints.SigningKeyError) as refused:
            checkpoints.signer()

        said = str(refused.value)
        assert str(key_file) in said
        assert "'test.example/ledger'" in said
        assert "MAILCOVER_LEDGER_ORIGIN is 'other.example/ledger'" in said

    def test_a_file_that_holds_no_key_is_refused_naming_the_file(self, key_file: Path) -> None:
        key_file.parent.mkdir(parents=True)
        key_file.write_text("not a key\n")

        with pytest.raises(
            checkpoints.SigningKeyError,
            match=f"cannot read the ledger signing key {re.escape(str(key_file))}",
        ):
            checkpoints.signer()

    def test_the_refusal_of_a_damaged_key_never_quotes_the_secret(self, key_file: Path) -> None:
        secret = note.Signer.generate(ORIGIN).to_string()
        damaged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
        key_file.parent.mkdir(parents=True)
        key_file.write_text(damaged + "\n")

        with pytest.raises(checkpoints.SigningKeyError) as refused:
            checkpoints.signer()
        # PRIVATE+KEY+<name>+<id>+<base64 seed>: the seed may itself hold "+".
        seed_text = secret.split("+", 4)[4]
        assert len(seed_text) > 20
        assert seed_text[:20] not in str(refused.value)


T0 = datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC)


class TestWhenACheckpointIsDue:
    @pytest.mark.parametrize(
        ("size", "last_size", "last_at", "now", "due"),
        [
            (0, 0, None, T0, False),
            (1, 0, None, T0, True),
            (7, 0, None, T0, True),
            (3, 3, T0, T0 + timedelta(days=30), False),
            (2, 3, T0, T0 + timedelta(days=30), False),
            (4, 1, T0, T0 + timedelta(seconds=1), False),
            (5, 1, T0, T0 + timedelta(seconds=59), False),
            (6, 1, T0, T0 + timedelta(seconds=1), True),
            (60, 1, T0, T0, True),
            (2, 1, T0, T0 + timedelta(seconds=59, microseconds=999999), False),
            (2, 1, T0, T0 + timedelta(seconds=60), True),
            (2, 1, T0, T0 + timedelta(hours=5), True),
        ],
        ids=[
            "empty-never-checkpointed",
            "first-entry",
            "entries-never-checkpointed",
            "none-since-however-long",
            "head-behind-the-last",
            "few-and-recent",
            "four-of-five-just-in-time",
            "five-since",
            "many-since",
            "one-a-moment-too-soon",
            "one-once-the-interval-passed",
            "one-long-after",
        ],
    )
    def test_a_checkpoint_is_due_for_entries_waiting_by_count_or_by_time(
        self,
        settings: Any,
        size: int,
        last_size: int,
        last_at: datetime | None,
        now: datetime,
        due: bool,
    ) -> None:
        settings.MAILCOVER_CHECKPOINT_ENTRIES = 5
        settings.MAILCOVER_CHECKPOINT_SECONDS = 60

        assert checkpoints.due(size, last_size, last_at, now) is due


class TestWhenCheckpointsArePublished:
    def test_the_first_entry_is_checkpointed_at_once(self, db: None) -> None:
        assert published_sizes() == []

        record(1)

        assert published_sizes() == [1]

    def test_a_checkpoint_follows_every_so_many_entries(self, db: None, settings: Any) -> None:
        settings.MAILCOVER_CHECKPOINT_ENTRIES = 5

        record(12)

        assert published_sizes() == [1, 6, 11]

    def test_each_checkpoint_appends_make_signs_the_root_at_its_size(
        self, db: None, settings: Any
    ) -> None:
        settings.MAILCOVER_CHECKPOINT_ENTRIES = 5
        record(12)

        for checkpoint in Checkpoint.objects.all():
            assert bytes(checkpoint.root_hash) == log.root_at(checkpoint.size)

    def test_a_new_process_counts_from_the_last_stored_checkpoint(
        self, db: None, settings: Any
    ) -> None:
        settings.MAILCOVER_CHECKPOINT_ENTRIES = 5
        record(3)
        # Another process (or this one restarted) knows nothing of the checkpoint at 1
        # but what the store holds.
        log.forget_cached_head()

        record(3)

        assert published_sizes() == [1, 6]

    def test_the_publisher_signs_once_the_interval_has_passed_and_entries_wait(
        self, db: None, settings: Any
    ) -> None:
        settings.MAILCOVER_CHECKPOINT_SECONDS = 60
        record(3)
        last = last_checkpoint_at()

        assert checkpoints.publish_when_due(last + timedelta(seconds=59)) is None
        published = checkpoints.publish_when_due(last + timedelta(seconds=60))

        assert published is not None
        assert (published.size, published.published_at) == (3, last + timedelta(seconds=60))
        assert bytes(published.root_hash) == log.root_at(3)
        assert published_sizes() == [1, 3]

    def test_the_publisher_signs_nothing_when_no_entry_came_since(
        self, db: None, settings: Any
    ) -> None:
        settings.MAILCOVER_CHECKPOINT_SECONDS = 60
        record(1)

        assert checkpoints.publish_when_due(last_checkpoint_at() + timedelta(days=30)) is None
        assert published_sizes() == [1]

    def test_the_publisher_signs_nothing_for_the_empty_ledger(self, db: None) -> None:
        assert checkpoints.publish_when_due(timezone.now() + timedelta(days=30)) is None
        assert published_sizes() == []

    def test_the_publisher_signs_as_soon_as_enough_entries_wait(
        self, db: None, settings: Any
    ) -> None:
        settings.MAILCOVER_CHECKPOINT_ENTRIES = 5
        settings.MAILCOVER_CHECKPOINT_SECONDS = 3600
        record(5)
        assert published_sizes() == [1]
        # Fewer entries per checkpoint since: four wait, and the publisher need not wait
        # for the interval.
        settings.MAILCOVER_CHECKPOINT_ENTRIES = 4

        published = checkpoints.publish_when_due(last_checkpoint_at())

        assert published is not None
        assert published_sizes() == [1, 5]

    def test_the_interval_counts_from_the_last_checkpoint_not_the_first(
        self, db: None, settings: Any
    ) -> None:
        settings.MAILCOVER_CHECKPOINT_SECONDS = 60
        record(2)
        second = checkpoints.publish_when_due(last_checkpoint_at() + timedelta(seconds=60))
        assert second is not None
        record(1)

        assert checkpoints.publish_when_due(second.published_at + timedelta(seconds=59)) is None
        third = checkpoints.publish_when_due(second.published_at + timedelta(seconds=60))
        assert third is not None
        assert published_sizes() == [1, 2, 3]

    def test_the_interval_counts_from_a_checkpoint_on_demand_too(
        self, db: None, settings: Any
    ) -> None:
        settings.MAILCOVER_CHECKPOINT_SECONDS = 60
        record(2)
        on_demand = checkpoints.publish(last_checkpoint_at() + timedelta(seconds=30))
        record(1)

        assert checkpoints.publish_when_due(on_demand.published_at + timedelta(seconds=59)) is None
        later = checkpoints.publish_when_due(on_demand.published_at + timedelta(seconds=60))
        assert later is not None
        assert published_sizes() == [1, 2, 3]

    def test_an_entry_after_a_quiet_interval_is_checkpointed_as_it_is_appended(
        self, db: None, settings: Any, clock: Callable[[timedelta], None]
    ) -> None:
        settings.MAILCOVER_CHECKPOINT_SECONDS = 60
        record(2)
        clock(timedelta(seconds=59))
        record(1)
        assert published_sizes() == [1]

        clock(timedelta(seconds=1))
        record(1)

        assert published_sizes() == [1, 4]
        assert last_checkpoint_at() == timezone.now()

    def test_a_checkpoint_on_demand_signs_the_tree_as_it_stands(self, db: None) -> None:
        record(3)
        now = timezone.now()

        published = checkpoints.publish(now)

        assert (published.size, published.published_at) == (3, now)
        assert bytes(published.root_hash) == log.root_at(3)
        assert checkpoints.latest() == published

    def test_a_checkpoint_on_demand_is_not_signed_twice_at_one_size(self, db: None) -> None:
        record(3)
        first = checkpoints.publish(timezone.now())

        again = checkpoints.publish(timezone.now() + timedelta(hours=1))

        assert again.pk == first.pk
        assert published_sizes() == [1, 3]
        record(1)
        assert checkpoints.publish(timezone.now()).size == 4

    def test_a_checkpoint_on_demand_becomes_the_latest(self, db: None) -> None:
        record(2)
        now = timezone.now() + timedelta(minutes=1)

        published = checkpoints.publish(now)

        latest = checkpoints.latest()
        assert latest == published
        assert (latest.size, latest.published_at) == (2, now)

    def test_the_empty_ledger_can_be_checkpointed_with_the_empty_root(self, db: None) -> None:
        published = checkpoints.publish(timezone.now())

        signed = note.open_checkpoint(published.note, checkpoints.verifier(), ORIGIN)
        assert (signed.size, signed.root_hash) == (0, merkle.EMPTY_ROOT)


class TestWhatACheckpointSigns:
    @pytest.fixture
    def published(self, db: None, settings: Any) -> list[Checkpoint]:
        settings.MAILCOVER_CHECKPOINT_ENTRIES = 4
        record(10)
        checkpoints.publish(timezone.now())
        return list(Checkpoint.objects.order_by("size"))

    def test_every_checkpoint_opens_with_the_logs_key_and_signs_the_root_at_its_size(
        self, published: list[Checkpoint]
    ) -> None:
        assert [checkpoint.size for checkpoint in published] == [1, 5, 9, 10]
        for checkpoint in published:
            signed = note.open_checkpoint(checkpoint.note, checkpoints.verifier(), ORIGIN)
            assert (signed.origin, signed.size) == (ORIGIN, checkpoint.size)
            assert signed.root_hash == log.root_at(checkpoint.size) == bytes(checkpoint.root_hash)
            assert checkpoint.verifier_key == checkpoints.verifier().to_string()

    def test_a_checkpoint_does_not_open_with_another_key_of_the_same_name(
        self, published: list[Checkpoint]
    ) -> None:
        stranger = note.Signer.generate(ORIGIN).verifier()

        with pytest.raises(note.NoteError, match="no known key signed this note"):
            note.open_checkpoint(published[0].note, stranger, ORIGIN)

    def test_a_checkpoint_does_not_pass_for_another_log(self, published: list[Checkpoint]) -> None:
        with pytest.raises(note.NoteError, match=r"expected 'other\.example/ledger'"):
            note.open_checkpoint(published[0].note, checkpoints.verifier(), "other.example/ledger")

    def test_the_latest_checkpoint_is_the_largest(self, published: list[Checkpoint]) -> None:
        assert checkpoints.latest() == published[-1]

    def test_each_later_checkpoint_is_consistent_with_each_earlier_one(
        self, published: list[Checkpoint]
    ) -> None:
        for older in published:
            for newer in published:
                if older.size <= newer.size:
                    merkle.verify_consistency(
                        older.size,
                        newer.size,
                        bytes(older.root_hash),
                        bytes(newer.root_hash),
                        log.consistency(older.size, newer.size),
                    )
