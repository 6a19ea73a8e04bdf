"""Workers of one shared JetStream consumer (`mailcover ingest nats://...`): every covered
piece captured exactly once however many workers take the stream, whichever of them dies
(MC-NO-ORDER-NO-DATA: nothing kept twice, nothing lost), and a message that is no piece
refused without coming back."""

from __future__ import annotations

import signal
import time
import uuid

from tests.stream.conftest import STRANGER, TEST_STREAM_BYTES, TO_MARY, event


def prefix() -> str:
    return f"S{uuid.uuid4().hex[:8]}-"


def test_two_workers_capture_each_covered_piece_exactly_once(names, database):
    p = prefix()
    covered = [event(f"{p}C{i}") for i in range(150)]
    strangers = [event(f"{p}N{i}", STRANGER) for i in range(2850)]
    ledger_before, (received_before, _) = database.ledger_captures(), database.tallied()
    tallies_before = database.tallies()

    first, second = names.start_worker(), names.start_worker()
    names.wait(lambda s: len(s.workers) == 2)  # both bound and waiting, as in production
    fed = names.feed(covered + strangers)
    assert fed.returncode == 0, fed.stderr
    assert "published 3000 pieces" in fed.stdout
    names.drained()
    shared = names.wait(lambda s: sum(w.received for w in s.workers) == 3000)
    shown = names.command("stream", "status", "nats://127.0.0.1:4222", "--stream", names.stream,
                          "--durable", names.durable, "--json")  # fmt: skip
    assert names.stop(first) == 0
    assert names.stop(second) == 0

    assert database.captured(p) == sorted(f"{p}C{i}" for i in range(150))
    assert database.ledger_captures() - ledger_before == 150
    assert database.tallied()[0] - received_before == 3000
    assert [w.received > 0 for w in shared.workers] == [True, True]  # both took a share
    # One tally and one mail.ingested entry a worker a minute (here: each at its stop), not
    # one a piece.
    tallies, entries = database.tallies()
    assert (tallies - tallies_before[0], entries - tallies_before[1]) == (2, 2)
    assert '"pending": 0' in shown.stdout
    assert shown.stdout.count('"worker":') == 2  # each worker's rate
    for index in (0, 1):
        # Workers read no captures out: what they print says nothing of any piece.
        assert "JOHN" not in names.output(index)
        assert p not in names.output(index)


def test_a_piece_resent_by_a_plant_is_dropped_by_the_stream(names, database):
    p = prefix()
    lines = [event(f"{p}C{i}") for i in range(20)]
    assert names.feed(lines).returncode == 0

    again = names.feed([*lines[:10], event(f"{p}C20")])

    assert again.returncode == 0
    assert "published 1 pieces" in again.stdout
    assert "10 already in it" in again.stdout
    worker = names.start_worker()
    names.drained()
    assert names.stop(worker) == 0
    assert database.captured(p) == sorted(f"{p}C{i}" for i in range(21))


def test_a_worker_killed_mid_batch_leaves_its_pieces_to_the_others(names, database):
    p = prefix()
    names.create_consumer(ack_wait=2.0)
    ledger_before = database.ledger_captures()
    assert names.feed([event(f"{p}C{i}") for i in range(3000)]).returncode == 0
    doomed = names.start_worker()
    # Killed while it holds pieces it has not acknowledged, after it wrote some.
    names.wait(lambda s: s.unacknowledged > 0 and s.messages < 3000, timeout=60)
    held = names.status().unacknowledged
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    assert held > 0

    survivors = [names.start_worker(), names.start_worker()]
    names.drained(timeout=120)
    for worker in survivors:
        assert names.stop(worker) == 0

    assert database.captured(p) == sorted(f"{p}C{i}" for i in range(3000))
    assert database.ledger_captures() - ledger_before == 3000  # no capture put on it twice


def test_a_malformed_message_is_refused_with_its_sequence_and_never_comes_back(names, database):
    _, rejected_before = database.tallied()
    assert names.feed([event(f"{prefix()}C0")]).returncode == 0
    names.publish_raw(b"{not json", msg_id="bad-1")
    names.publish_raw(b'{"piece_id": "bad-2", "scanned_at": 5}', msg_id="bad-2")
    worker = names.start_worker()

    status = names.drained()
    time.sleep(0.5)
    assert names.stop(worker) == 0

    assert status.redelivered == 0
    out = names.output(0)
    assert "stream sequence 2: not JSON" in out
    assert "stream sequence 3: " in out
    assert database.tallied()[1] - rejected_before == 2
    assert names.status().messages == 0


def test_the_feed_names_a_line_it_cannot_publish(names):
    fed = names.feed([event(f"{prefix()}C0"), "{not json", '{"facility": "X"}'])

    assert fed.returncode == 1
    assert "line 2: not JSON" in fed.stderr
    assert "line 3: no piece_id" in fed.stderr
    assert "published 1 pieces" in fed.stdout


def test_an_order_approved_while_workers_run_captures_from_then_on(names, database):
    p = prefix()
    workers = [names.start_worker(), names.start_worker()]
    assert names.feed([event(f"{p}before{i}", TO_MARY) for i in range(20)]).returncode == 0
    names.drained()
    assert database.captured(p) == []

    database.world("approve")  # MARY MAJOR's order, approved now, told to the workers
    assert names.feed([event(f"{p}after{i}", TO_MARY) for i in range(20)]).returncode == 0
    names.drained()
    for worker in workers:
        assert names.stop(worker) == 0

    assert database.captured(p) == sorted(f"{p}after{i}" for i in range(20))


def test_sigterm_finishes_the_batch_in_hand_acknowledges_it_and_exits_0(names, database):
    p = prefix()
    assert names.feed([event(f"{p}C{i}") for i in range(3000)]).returncode == 0
    worker = names.start_worker()
    names.wait(lambda s: s.unacknowledged > 0 and s.messages < 3000, timeout=60)

    assert names.stop(worker) == 0

    after = names.status()
    assert after.redelivered == 0
    assert len(database.captured(p)) == 3000 - after.messages  # each piece it took was kept
    assert "stopped:" in names.output(0)
    # What it had fetched ahead and not begun it handed back: the next worker takes it at
    # once, not after the consumer's 30-second ack wait.
    started = time.monotonic()
    names.start_worker()
    names.drained(timeout=25)
    assert time.monotonic() - started < 25
    assert len(database.captured(p)) == 3000


def test_a_worker_says_which_nats_it_could_not_reach(names):
    done = names.command("ingest", "nats://127.0.0.1:1", "--stream", names.stream)

    assert done.returncode == 2
    assert "cannot reach NATS at nats://127.0.0.1:1" in done.stderr


def test_ingest_of_a_file_still_runs_in_one_process(names, database, tmp_path):
    p = prefix()
    path = tmp_path / "stream.jsonl"
    path.write_text(event(f"{p}C0") + "\n" + event(f"{p}N0", STRANGER) + "\n")

    done = names.command("ingest", str(path))

    assert done.returncode == 0, done.stderr
    assert database.captured(p) == [f"{p}C0"]


def test_a_photograph_travels_beside_its_piece_and_is_gone_once_taken(names, database):
    from io import BytesIO

    from PIL import Image

    p = prefix()
    photo = BytesIO()
    Image.new("RGB", (240, 120), "white").save(photo, format="PNG")
    (names.tmp / "images").mkdir()
    (names.tmp / "images" / "a.png").write_bytes(photo.getvalue())
    (names.tmp / "images" / "b.png").write_bytes(photo.getvalue())
    fed = names.feed(
        [event(f"{p}C0", image="images/a.png"), event(f"{p}N0", STRANGER, image="images/b.png")]
    )
    assert "2 photographs" in fed.stdout
    assert names.objects() == [f"{p}C0.png", f"{p}N0.png"]

    worker = names.start_worker()
    names.drained()
    assert names.stop(worker) == 0

    assert database.rows(
        "SELECT image <> '' FROM covers_capture WHERE piece_id = %s", f"{p}C0"
    ) == [(True,)]
    assert names.objects() == []  # the captured one is kept with its capture, not in NATS


def test_status_names_a_stream_that_does_not_exist(names):
    done = names.command("stream", "status", "nats://127.0.0.1:4222", "--stream", names.stream)

    assert done.returncode == 2
    assert f"no stream {names.stream}" in done.stderr


def test_status_prints_the_consumers_counts_for_a_person(names):
    assert names.feed([event(f"{prefix()}C{i}") for i in range(5)]).returncode == 0
    names.create_consumer(ack_wait=30.0)

    done = names.command("stream", "status", "nats://127.0.0.1:4222", "--stream", names.stream,
                         "--durable", names.durable)  # fmt: skip

    assert done.returncode == 0
    assert f"stream {names.stream}: 5 messages" in done.stdout
    assert "consumer workers: 5 pending, 0 unacknowledged, 0 redelivered" in done.stdout


def test_the_feed_says_which_nats_it_could_not_reach(names, tmp_path):
    path = tmp_path / "stream.jsonl"
    path.write_text(event(f"{prefix()}C0") + "\n")

    done = names.command("feed", "nats://127.0.0.1:1", str(path))

    assert done.returncode == 2
    assert "mailcover feed: cannot reach NATS at nats://127.0.0.1:1" in done.stderr


def test_the_feed_names_a_subject_no_stream_takes(names):
    done = names.feed([event(f"{prefix()}C0")], "--subject", "elsewhere.pieces")

    assert done.returncode == 2
    assert f"no stream takes it ({names.stream} takes {names.stream.lower()}.pieces.>)" in (
        done.stderr
    )


def test_the_feed_makes_a_missing_stream_with_the_disk_it_is_given(names):
    # MAILCOVER_STREAM_MAX_BYTES (here the tests' 64 MiB; a plant's default is 4 GiB): the
    # server reserves the stream's disk whole while it lives.
    assert names.feed([event(f"{prefix()}C0")]).returncode == 0
    assert names.stream_bytes() == TEST_STREAM_BYTES


def test_a_stream_size_that_is_not_a_number_is_named(names, database):
    names.database.env["MAILCOVER_STREAM_MAX_BYTES"] = "four gigabytes"
    try:
        fed = names.feed([event(f"{prefix()}C0")])
    finally:
        names.database.env["MAILCOVER_STREAM_MAX_BYTES"] = str(TEST_STREAM_BYTES)
    assert fed.returncode != 0
    assert "MAILCOVER_STREAM_MAX_BYTES must be a whole number" in fed.stderr
