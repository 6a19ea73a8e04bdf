"""Retention and destruction: a cover's data 8 years after it ended (MC-RETENTION), an
improper order's at once (MC-IMPROPER), a production's ZIP after its policy period; the
ledger and the accounting of disclosures kept (PA-KEEP)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import TestCase
from django.utils import timezone
from tests.api.test_records_requests import (  # noqa: F401 (fixtures)
    RecordsApi,
    customer,
    produced,
    rr,
    verified,
)

from mailcover import cli
from mailcover.accounts.models import Agency
from mailcover.covers import actions, captures, ingest, photographs, sealing
from mailcover.covers.models import AttorneyExclusion, Capture, CoverOrder, Notice
from mailcover.imaging.render import NOISE, Envelope, encoded, render
from mailcover.law.retention import Reason, cover_destroy_after
from mailcover.ledger.accounting import accounting_for
from mailcover.ledger.models import Entry
from mailcover.oversight import retention
from mailcover.records.actions import Gone
from mailcover.records.models import DownloadLink, Production

TO_SUBJECT = ["JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234"]
REASONS = "The facts stated did not show a crime punishable by more than a year."


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path / "files"


def event(piece_id: str, image: str | None = None) -> str:
    return json.dumps(
        {
            "piece_id": piece_id,
            "scanned_at": timezone.now().isoformat(),
            "facility": "SPRINGFIELD IL P&DC",
            "mail_class": "first-class",
            "addressee": TO_SUBJECT,
            "image": image,
        }
    )


@pytest.fixture
def held(order: CoverOrder, tmp_path: Path, media: Path) -> CoverOrder:
    """An order holding two captures, one with its photograph."""
    photo = encoded(render(Envelope(addressee=tuple(TO_SUBJECT)), NOISE["clean"], seed=1).image)
    (tmp_path / "P-1.png").write_bytes(photo)
    with TestCase.captureOnCommitCallbacks(execute=True):
        ingest.ingest_lines(
            [event("P-1", "P-1.png"), event("P-2")],
            "cli",
            images=photographs.FolderImages(tmp_path),
        )
    assert Capture.objects.filter(order=order).count() == 2
    return CoverOrder.objects.get(pk=order.pk)


def run(now: Any, **options: Any) -> retention.RunSummary:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return retention.run(now, **options)


def destroyed_entries() -> list[dict[str, Any]]:
    return [json.loads(e.data) for e in Entry.objects.filter(event="data.destroyed")]


def test_mc_retention_a_cover_is_kept_8_years_after_it_ended_and_destroyed_after(held):
    kept_until = cover_destroy_after(held.facts())
    assert kept_until.year == held.facts().ends_at.year + 8
    assert run(kept_until).due == []
    assert retention.due_for_destruction(held.facts().ends_at) == []
    assert held.captures.count() == 2

    summary = run(kept_until + timedelta(seconds=1))
    assert [(d.kind, d.pk, d.reason) for d in summary.due] == [("order", held.pk, Reason.RETENTION)]
    assert (summary.orders, summary.captures) == (1, 2)
    assert not Capture.objects.filter(order=held).exists()
    assert not sealing.has_key(held.pk)


def test_mc_retention_a_backup_holds_nothing_readable_afterwards(held, media):
    rows = list(held.captures.order_by("piece_id"))
    backup_rows = [(c.piece_id, bytes(c.sealed)) for c in rows]
    backup_image = (media / rows[0].image).read_bytes()
    image_name = rows[0].image

    run(cover_destroy_after(held.facts()) + timedelta(days=1))

    assert not (media / image_name).exists()
    assert not list((media / f"captures/order-{held.pk}").glob("*"))
    with pytest.raises(sealing.KeyMissing):
        sealing.order_key(held.pk)
    for piece_id, sealed in backup_rows:
        assert b"JOHN" not in sealed
        for guess in (sealing.order_key(0, create=True),):  # any other key opens nothing
            with pytest.raises(sealing.Unsealable):
                sealing.unseal(guess, sealing.exterior_context(held.pk, piece_id), sealed)
    assert not backup_image.startswith(b"\x89PNG")


def test_mc_retention_a_second_run_destroys_and_records_nothing_more(held):
    later = cover_destroy_after(held.facts()) + timedelta(days=1)
    run(later)
    again = run(later)
    assert (again.due, again.orders, again.productions) == ([], 0, 0)
    assert len(destroyed_entries()) == 1


def test_mc_retention_the_ledger_entry_gives_counts_and_hashes_never_the_data(held):
    digests = sorted(held.captures.values_list("sha256", flat=True))
    run(cover_destroy_after(held.facts()) + timedelta(days=1))
    (entry,) = destroyed_entries()
    details = entry["details"]
    assert details["rule"] == "MC-RETENTION"
    assert (details["captures"], details["images"], details["key_destroyed"]) == (2, 1, True)
    assert details["captures_sha256"] == retention._digest_of(digests)
    text = json.dumps(entry)
    assert "JOHN" not in text
    assert "MAIN ST" not in text


def test_mc_retention_a_dry_run_says_what_is_due_and_changes_nothing(held, capsys):
    moment = (cover_destroy_after(held.facts()) + timedelta(days=1)).isoformat()
    assert cli.main(["retention", "run", "--now", moment, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"due: order {held.case_number} (MC-RETENTION, 2 captures)" in out
    assert "nothing destroyed" in out
    assert held.captures.count() == 2
    assert sealing.has_key(held.pk)
    assert not destroyed_entries()


def test_mc_retention_a_moment_to_come_is_only_looked_at_never_acted_on(held, capsys):
    moment = (cover_destroy_after(held.facts()) + timedelta(days=1)).isoformat()
    assert cli.main(["retention", "run", "--now", moment]) == 2
    assert "in the future" in capsys.readouterr().err
    assert held.captures.count() == 2
    assert not destroyed_entries()


def test_mc_retention_the_command_destroys_what_is_due_and_prints_a_summary(
    held, capsys, monkeypatch
):
    later = cover_destroy_after(held.facts()) + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: later)  # eight years on
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert cli.main(["retention", "run"]) == 0
    assert (
        "destroyed the data of 1 orders (2 captures) and 0 productions" in capsys.readouterr().out
    )
    assert not sealing.has_key(held.pk)


@pytest.mark.parametrize("moment", ["yesterday", "2034-01-01T00:00:00"])
def test_mc_retention_a_bad_now_is_a_clear_error(moment, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(["retention", "run", "--now", moment])
    assert stopped.value.code == 2
    assert "ISO 8601 moment with a zone" in capsys.readouterr().err


def test_mc_improper_a_ruling_destroys_the_data_at_once_and_tells_the_requester_why(held, people):
    now = timezone.now()
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.rule_improper(people.chief, held, REASONS, now)
    assert not Capture.objects.filter(order=held).exists()
    assert not sealing.has_key(held.pk)
    (entry,) = destroyed_entries()
    assert entry["details"]["rule"] == "MC-IMPROPER"
    notice = Notice.objects.get(recipient=people.requester)
    assert notice.body.startswith(REASONS)
    assert "2 captured pieces) has been destroyed" in notice.body
    assert retention.due_for_destruction(now + timedelta(days=1)) == []


def test_mc_improper_an_improper_order_is_due_at_once_if_anything_is_left(held, people):
    # A ruling recorded while the files could not be removed (e.g. before this release)
    # leaves the key behind: the next run finds it.
    with TestCase.captureOnCommitCallbacks(execute=False):
        actions.rule_improper(people.chief, held, REASONS, timezone.now())
    assert sealing.has_key(held.pk)
    due = retention.due_for_destruction(timezone.now())
    assert [(d.pk, d.reason, d.captures) for d in due] == [(held.pk, Reason.IMPROPER, 0)]
    run(timezone.now())
    assert not sealing.has_key(held.pk)


def test_mc_improper_what_was_destroyed_is_refused_to_the_requester(api, held, people):
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.rule_improper(people.chief, held, REASONS, timezone.now())
    listed = api.get(f"/cover-orders/{held.pk}/captures", people.requester)
    assert listed.json()["rule"] == "MC-IMPROPER"


def test_pa_keep_the_accounting_of_a_subject_reads_the_same_after_destruction(held, people):
    Agency.objects.update(address="1 POLICE PLAZA, SPRINGFIELD IL 62701")
    people.requester.agency.refresh_from_db()
    actions.view_captures(people.requester, held, timezone.now())
    subject = held.request.subject_id
    before = accounting_for(subject)
    assert before
    run(cover_destroy_after(held.facts()) + timedelta(days=1))
    assert accounting_for(subject) == before
    assert Entry.objects.filter(event="capture.recorded").count() == 2


def test_mc_retention_aggregate_counts_stay(held):
    AttorneyExclusion.objects.create(order=held, scanned_on=timezone.now().date(), pieces=3)
    run(cover_destroy_after(held.facts()) + timedelta(days=1))
    assert AttorneyExclusion.objects.get(order=held).pieces == 3


def test_the_exterior_of_a_destroyed_order_cannot_be_read_from_a_kept_row_copy(held):
    copy = list(held.captures.all())
    run(cover_destroy_after(held.facts()) + timedelta(days=1))
    with pytest.raises(sealing.KeyMissing):
        captures.exterior(copy[0])


def test_a_production_past_its_period_is_destroyed_and_its_link_answers_410(
    rr: RecordsApi,  # noqa: F811 (the records API fixtures, imported above)
    verified: Any,  # noqa: F811
    customer: Any,  # noqa: F811
    settings: Any,
) -> None:
    request_id = produced(rr, verified)
    made = Production.objects.get(request_id=request_id)
    link = rr.post(f"/records-requests/{request_id}/download-links", {}, verified.colleague)
    token = link.json()["token"]
    days = settings.MAILCOVER_POLICY.production_retention_days
    assert run(made.produced_at + timedelta(days=days)).due == []

    summary = run(made.produced_at + timedelta(days=days, seconds=1))

    assert summary.productions == 1
    made.refresh_from_db()
    assert made.destroyed_at is not None
    assert not default_storage.exists(made.file)
    answer = rr.post("/productions/download", {"token": token}, verified.colleague)
    assert answer.status_code == 410
    assert "destroyed" in answer.json()["detail"]
    (entry,) = Entry.objects.filter(event="production.destroyed")
    assert json.loads(entry.data)["details"]["package_sha256"] == made.sha256
    assert Entry.objects.filter(event="disclosure").exists()  # PA-KEEP
    assert run(made.produced_at + timedelta(days=days + 1)).productions == 0
    links = DownloadLink.objects.count()
    again = rr.post(f"/records-requests/{request_id}/download-links", {}, verified.colleague)
    assert again.status_code == 410  # no new link to what is gone
    assert "destroyed" in again.json()["detail"]
    assert DownloadLink.objects.count() == links
    assert issubclass(Gone, Exception)
