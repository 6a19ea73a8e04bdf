"""`mailcover ingest PATH|-`, the index of orders in force and how it stays current, and the
captures section of the order page (MC-NO-ORDER-NO-DATA, MC-REPORTING, PA-ACCOUNT)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count, Max
from django.utils import timezone

from mailcover import cli
from mailcover.accounts.models import Agency
from mailcover.covers import actions, in_force, ingest
from mailcover.covers.models import (
    Capture,
    CoverOrder,
    EmergencyConfirmation,
    ImproperRuling,
    IndictmentNotice,
    OrderPeriod,
    StreamTally,
)
from mailcover.ledger.models import Entry

TO_SUBJECT = ["JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234"]
STRANGER = ["ZEBULON QUIGLEY", "987 ELM AVE", "DENVER CO 80201"]


def event(piece_id: str, addressee: Any = TO_SUBJECT, at: datetime | None = None) -> str:
    return json.dumps(
        {
            "piece_id": piece_id,
            "scanned_at": (at or timezone.now()).isoformat(),
            "facility": "SPRINGFIELD IL P&DC",
            "mail_class": "first-class",
            "imb": None,
            "addressee": addressee,
            "return_address": None,
        }
    )


@pytest.fixture
def stream(tmp_path: Path) -> Callable[..., Path]:
    def write(*lines: str) -> Path:
        path = tmp_path / "stream.jsonl"
        path.write_text("\n".join(lines) + "\n")
        return path

    return write


# --- the command --------------------------------------------------------------------------


def test_ingest_takes_the_good_lines_and_names_each_bad_one(order, stream, capsys):
    path = stream(event("P-1"), "{not json", "", event("P-3", STRANGER), '{"piece_id": 5}')

    assert cli.main(["ingest", str(path)]) == 1  # some lines were rejected

    out, err = capsys.readouterr()
    assert "line 2: not JSON" in err
    assert "line 5: piece_id must be a string, not a number" in err
    assert "line 1" not in err
    assert "line 4" not in err
    assert "received 4 pieces: 1 matched (1 new captures, 0 already captured)" in out
    assert "1 under no order" in out
    assert "2 rejected" in out
    assert list(Capture.objects.values_list("piece_id", flat=True)) == ["P-1"]
    assert StreamTally.objects.get().source == "cli"


def test_ingest_twice_captures_nothing_twice_and_exits_0_on_a_clean_stream(order, stream, capsys):
    path = stream(event("P-1"), event("P-2"))
    assert cli.main(["ingest", str(path)]) == 0
    assert cli.main(["ingest", str(path)]) == 0
    out = capsys.readouterr().out
    assert "0 new captures, 2 already captured" in out
    assert Capture.objects.count() == 2


def test_ingest_reads_standard_input(order, monkeypatch, capsys):
    piped = io.TextIOWrapper(io.BytesIO((event("P-1") + "\n").encode()))
    monkeypatch.setattr("sys.stdin", piped)
    assert cli.main(["ingest", "-"]) == 0
    assert Capture.objects.count() == 1


def test_ingest_of_a_missing_file_says_so_and_exits_2(db, tmp_path, capsys):
    assert cli.main(["ingest", str(tmp_path / "nope.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_ingest_quiet_prints_no_summary(order, stream, capsys):
    assert cli.main(["ingest", "--quiet", str(stream(event("P-1")))]) == 0
    assert capsys.readouterr().out == ""


# --- the index of orders in force ---------------------------------------------------------


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def fed(ingestor: ingest.Ingestor, *lines: str) -> ingest.Summary:
    for number, line in enumerate(lines, 1):
        ingestor.feed_line(number, line)
    ingestor.flush()
    return ingestor.summary


@pytest.mark.parametrize(
    ("argument", "said"),
    [
        ("--readers=0", "'0' is not a whole number of 1 or more"),
        ("--readers=two", "'two' is not a whole number of 1 or more"),
    ],
)
def test_a_bad_number_of_readers_is_named(tmp_path, capsys, argument, said):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["ingest", argument, str(tmp_path / "stream.jsonl")])
    assert stopped.value.code == 2
    assert f"argument --readers: {said}" in capsys.readouterr().err


def test_an_order_approved_during_an_ingest_is_matched_from_then_on(
    people, file, approve, monkeypatch
):
    monkeypatch.setattr(in_force, "FINGERPRINT_EVERY_S", 0)
    ingestor = ingest.Ingestor("cli")
    assert fed(ingestor, event("P-1")).no_order == 1
    approve(file(people.requester))
    assert fed(ingestor, event("P-2")).captured == 1


def test_mc_no_order_no_data_a_piece_reported_after_the_order_ended_is_not_kept(order):
    facts = order.facts()
    scanned = facts.ends_at - timedelta(hours=1)
    late = ingest.Ingestor("cli", clock=Clock(facts.ends_at + timedelta(minutes=5)))
    assert fed(late, event("P-1", at=scanned)).captured == 0
    assert not Capture.objects.exists()
    in_time = ingest.Ingestor("cli", clock=Clock(scanned + timedelta(minutes=5)))
    assert fed(in_time, event("P-1", at=scanned)).captured == 1


def test_the_fingerprint_is_each_tables_count_and_last_key_and_moves_with_an_order(
    people, file, approve
):
    def by_the_orm() -> tuple[object, ...]:
        parts: list[object] = []
        for model in (OrderPeriod, EmergencyConfirmation, IndictmentNotice, ImproperRuling):
            row = model.objects.aggregate(n=Count("pk"), last=Max("pk"))
            parts += [row["n"], row["last"]]
        return tuple(parts)

    before = in_force.fingerprint()
    assert before == by_the_orm() == (0, None) * 4
    approve(file(people.requester))
    after = in_force.fingerprint()
    assert after == by_the_orm()
    assert after != before


def test_the_index_is_rebuilt_when_the_clock_passes_an_orders_end(order):
    clock = Clock(timezone.now())
    index = in_force.OrderIndex(clock)
    assert [o.order_id for o in index.current(clock.now).orders] == [order.pk]
    clock.now = order.facts().ends_at + timedelta(seconds=1)
    assert index.current(clock.now).orders == ()


def test_an_order_whose_address_cannot_be_read_is_named_and_left_out(order):
    order.request.subject.address = "SOMEWHERE OVER THE RAINBOW"
    order.request.subject.save()
    loaded = in_force.load(timezone.now())
    assert loaded.orders == ()
    assert "cannot be read" in loaded.unusable[order.case_number]


# --- the order page -----------------------------------------------------------------------


@pytest.fixture
def with_captures(order: CoverOrder) -> CoverOrder:
    Agency.objects.filter(address="").update(address="1 POLICE PLAZA, SPRINGFIELD IL 62701")
    ingestor = ingest.Ingestor("cli")
    fed(ingestor, *(event(f"P-{i}") for i in range(1, 4)))
    return order


def test_the_order_page_counts_the_captures_and_shows_them_only_when_asked(
    browse, people, with_captures
):
    page = browse(people.requester).get(f"/orders/{with_captures.pk}")
    html = page.content.decode()
    assert "3 pieces captured under this order" in html
    assert "P-1" not in html
    assert not Entry.objects.filter(event="disclosure").exists()

    shown = browse(people.requester).post(f"/orders/{with_captures.pk}/captures", {"page": "1"})
    html = shown.content.decode()
    assert all(f"P-{i}" in html for i in range(1, 4))
    assert "JOHN Q PUBLIC" in html
    assert Entry.objects.filter(event="disclosure").count() == 1


@pytest.mark.parametrize("who", ["approver", "chief"])
def test_mc_reporting_approvers_see_the_order_but_not_its_captures(
    browse, people, with_captures, who
):
    client = browse(getattr(people, who))
    html = client.get(f"/orders/{with_captures.pk}")
    text = html.content.decode()
    assert html.status_code == 200
    assert "Captures" not in text
    assert "P-1" not in text
    asked = client.post(f"/orders/{with_captures.pk}/captures", {"page": "1"})
    assert asked.status_code == 403
    assert "P-1" not in asked.content.decode()
    assert not Entry.objects.filter(event="disclosure").exists()


def test_another_agency_does_not_find_the_order(browse, people, with_captures):
    response = browse(people.outsider).post(f"/orders/{with_captures.pk}/captures", {"page": "1"})
    assert response.status_code == 404


def test_captures_are_written_in_batches_and_all_of_them_by_the_end(order, monkeypatch):
    monkeypatch.setattr(ingest, "FLUSH_CAPTURES", 2)
    ingestor = ingest.Ingestor("cli")
    for number in range(1, 4):
        ingestor.feed_line(number, event(f"P-{number}"))
    assert Capture.objects.count() == 2  # the first batch of two
    assert ingestor.finish().captured == 3
    assert Capture.objects.count() == 3
    assert Entry.objects.filter(event="capture.recorded").count() == 3


def test_a_piece_kept_meanwhile_by_another_ingest_is_counted_already_captured(order):
    first, second = ingest.Ingestor("cli"), ingest.Ingestor("cli")
    first.feed_line(1, event("P-1"))
    second.feed_line(1, event("P-1"))
    second.feed_line(2, event("P-2"))
    first.flush()
    summary = second.finish()
    assert (summary.captured, summary.already_captured) == (1, 1)
    assert Capture.objects.count() == 2


def test_mc_no_order_no_data_a_capture_held_when_the_order_is_ruled_improper_is_not_written(
    people, order
):
    ingestor = ingest.Ingestor("cli")
    ingestor.feed_line(1, event("P-1"))  # matched and held for the next flush
    actions.rule_improper(
        people.chief, order, "The statute cited carries no prison term.", timezone.now()
    )
    summary = ingestor.finish()
    assert not Capture.objects.exists()
    assert (summary.captured, summary.matched, summary.outside_window) == (0, 0, 1)


def test_held_captures_are_written_once_a_second_has_passed_whatever_comes_next(order, monkeypatch):
    monkeypatch.setattr(ingest, "FLUSH_SECONDS", 0)
    ingestor = ingest.Ingestor("cli")
    ingestor.feed_line(1, event("P-1"))
    assert Capture.objects.count() == 1  # written without waiting for more captures


def test_a_capture_raced_by_another_ingest_is_counted_already_captured(order, monkeypatch):
    first, second = ingest.Ingestor("cli"), ingest.Ingestor("cli")
    first.feed_line(1, event("P-1"))
    second.feed_line(1, event("P-1"))
    second.feed_line(2, event("P-2"))
    first.flush()
    # The race: the second ingest looked for kept pieces before the first wrote P-1.
    real_filter = Capture.objects.filter
    monkeypatch.setattr(
        Capture.objects, "filter", lambda **kw: real_filter(pk__in=[]) if "order_id__in" in kw
        else real_filter(**kw)
    )  # fmt: skip
    summary = second.finish()
    assert (summary.captured, summary.already_captured) == (1, 1)
    assert sorted(Capture.objects.values_list("piece_id", flat=True)) == ["P-1", "P-2"]


def test_mc_improper_the_order_page_shows_no_captures_of_an_improper_order(
    browse, people, with_captures
):
    actions.rule_improper(
        people.chief, with_captures, "The statute cited carries no prison term.", timezone.now()
    )
    html = browse(people.requester).post(f"/orders/{with_captures.pk}/captures", {"page": "1"})
    text = html.content.decode()
    assert "ruled improper" in text
    assert "pieces captured" not in text
    assert "P-1" not in text
    assert not Entry.objects.filter(event="disclosure").exists()


@pytest.mark.parametrize("page", ["²", "9" * 40, "-1", "x"])
def test_an_odd_page_number_shows_the_first_page(browse, people, with_captures, page):
    response = browse(people.requester).post(f"/orders/{with_captures.pk}/captures", {"page": page})
    assert response.status_code == 200
    assert "P-1" in response.content.decode()
