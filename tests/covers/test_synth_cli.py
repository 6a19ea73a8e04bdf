"""`mailcover synth stream --pieces N --seed S OUT`: a stream and its ground truth, for the
orders in the database or for synthetic ones (--orders K)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from tests.covers.conftest import draft_for

from mailcover import cli
from mailcover.covers import actions, ingest
from mailcover.covers.models import Capture
from mailcover.ledger.models import Entry
from mailcover.matching.synth import KINDS


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_synthetic_orders_give_a_stream_its_truth_and_the_orders(tmp_path, capsys):
    out = tmp_path / "mail.jsonl"
    assert (
        cli.main(["synth", "stream", "--pieces", "500", "--seed", "7", "--orders", "20", str(out)])
        == 0
    )

    events = read(out)
    truth = read(tmp_path / "mail.truth.jsonl")
    orders = read(tmp_path / "mail.orders.jsonl")
    assert len(events) == len(truth) == 500
    assert [e["piece_id"] for e in events] == [t["piece_id"] for t in truth]
    assert {t["kind"] for t in truth} <= set(KINDS)
    assert len(orders) == 20
    assert "wrote 500 pieces for 20 orders" in capsys.readouterr().out


def test_the_same_seed_gives_the_same_stream(tmp_path):
    for name in ("a.jsonl", "b.jsonl"):
        cli.main(["synth", "stream", "--pieces", "200", "--seed", "3", "--orders", "5",
                  "--now", "2026-11-24T12:00:00Z", str(tmp_path / name)])  # fmt: skip
    assert (tmp_path / "a.jsonl").read_text() == (tmp_path / "b.jsonl").read_text()


def test_a_stream_for_the_database_orders_is_captured_as_its_truth_says(people, tmp_path):
    three_days_ago = timezone.now() - timedelta(days=3)
    filed = actions.file_request(people.requester, draft_for(people.requester), three_days_ago)
    order = actions.approve(people.approver, filed, None, three_days_ago)
    out = tmp_path / "mail.jsonl"
    assert cli.main(["synth", "stream", "--pieces", "3000", "--seed", "5", str(out)]) == 0
    truth = read(tmp_path / "mail.truth.jsonl")
    expected = {t["piece_id"] for t in truth if order.pk in t["captures"]}
    assert expected  # the stream has mail for the order

    assert Entry.objects.filter(event="synthetic_stream.written").count() == 1
    ingest.ingest_lines(out.read_bytes().splitlines(), "cli")

    assert set(Capture.objects.values_list("piece_id", flat=True)) == expected
