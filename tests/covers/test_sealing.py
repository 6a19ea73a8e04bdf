"""Captured data sealed at rest under one AES-256-GCM key per order (MC-RETENTION,
MC-IMPROPER: destroying the key destroys every copy), read only through covers.captures."""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase
from django.utils import timezone

from mailcover.accounts.models import Agency
from mailcover.covers import captures, image_refs, ingest, photographs, sealing
from mailcover.covers.captures import Exterior, exterior, read_image
from mailcover.covers.models import Capture
from mailcover.imaging.render import NOISE, Envelope, encoded, render
from mailcover.ledger import log, triggers
from mailcover.ledger.models import Entry

TO_SUBJECT = ("JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234")
FROM = ("ACME CORP", "PO BOX 100", "DENVER CO 80201")


def event(piece_id: str, image: str | None = None, **changes: Any) -> str:
    return json.dumps(
        {
            "piece_id": piece_id,
            "scanned_at": timezone.now().isoformat(),
            "facility": "SPRINGFIELD IL P&DC",
            "mail_class": "first-class",
            "imb": None,
            "addressee": list(TO_SUBJECT),
            "return_address": list(FROM),
            "image": image,
            **changes,
        }
    )


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path / "files"


@pytest.fixture(scope="module")
def photo() -> bytes:
    return encoded(render(Envelope(addressee=TO_SUBJECT), NOISE["clean"], seed=1).image)


def capture_pieces(folder: Path, *lines: str) -> ingest.Summary:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return ingest.ingest_lines(list(lines), "cli", images=photographs.FolderImages(folder))


@pytest.fixture
def captured(order: Any, tmp_path: Path, media: Path, photo: bytes) -> Capture:
    (tmp_path / "P-1.png").write_bytes(photo)
    capture_pieces(tmp_path, event("P-1", "P-1.png"))
    return Capture.objects.get()


def raw_sealed_column() -> list[bytes]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed FROM covers_capture")
        return [bytes(row[0]) for row in cursor.fetchall()]


def test_mc_retention_the_exterior_is_sealed_in_the_database_column(captured):
    (raw,) = raw_sealed_column()
    for line in (*TO_SUBJECT, *FROM):
        assert line.encode() not in raw
    assert b"SPRINGFIELD" not in raw
    assert raw[:1] == sealing.VERSION


def test_mc_retention_the_stored_image_is_a_ciphertext_in_its_orders_folder(captured, media, photo):
    stored = media / captured.image
    assert stored.parent.name == f"order-{captured.order_id}"
    kept = stored.read_bytes()
    assert not kept.startswith(b"\x89PNG")
    assert photo[100:164] not in kept
    assert read_image(captured) == photo


def test_the_exterior_reads_back_through_captures_exterior(captured):
    assert exterior(captured) == Exterior(None, TO_SUBJECT, FROM)


def test_the_ledger_digest_is_still_that_of_the_clear_exterior(captured):
    clear = {
        "piece_id": "P-1",
        "scanned_at": captured.scanned_at.isoformat(),
        "facility": "SPRINGFIELD IL P&DC",
        "mail_class": "first-class",
        "imb": "",
        "addressee": list(TO_SUBJECT),
        "return_address": list(FROM),
    }
    text = json.dumps(clear, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    entry = json.loads(Entry.objects.get(event="capture.recorded").data)
    assert entry["details"]["piece_sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert captured.sha256 == entry["details"]["piece_sha256"]


def test_each_order_has_its_own_key_file_made_on_first_capture_mode_600(
    order, tmp_path, media, test_key_dir
):
    assert not sealing.has_key(order.pk)
    capture_pieces(tmp_path, event("P-1"), event("P-2"))
    path = test_key_dir / f"order-{order.pk}.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(bytes.fromhex(path.read_text())) == 32
    assert [p.name for p in test_key_dir.iterdir()] == [path.name]  # no temporary left


def test_a_sealed_exterior_moved_to_another_row_does_not_open(order, tmp_path, media):
    capture_pieces(
        tmp_path,
        event("P-1"),
        event("P-2", return_address=["A FRIEND", "1 OAK ST", "PEORIA IL 61602"]),
    )
    first, second = Capture.objects.order_by("piece_id")
    Capture.objects.filter(pk=second.pk).update(sealed=first.sealed)
    with pytest.raises(sealing.Unsealable):
        exterior(Capture.objects.get(pk=second.pk))


def test_a_sealed_image_copied_into_another_orders_folder_does_not_open(
    captured, media, photo, people, approve, file
):
    other = approve(file(people.requester))
    # The same key: only the context (order and name) differs, so it is the binding that
    # refuses the copy.
    key = sealing.order_key(captured.order_id)
    name = f"captures/order-{other.pk}/{Path(captured.image).name}"
    (media / name).parent.mkdir(parents=True)
    (media / name).write_bytes((media / captured.image).read_bytes())
    with pytest.raises(sealing.Unsealable):
        sealing.unseal(key, sealing.image_context(other.pk, name), (media / name).read_bytes())


def test_a_missing_key_is_a_clear_refusal_with_nothing_disclosed(api, browse, people, captured):
    Agency.objects.filter(address="").update(address="1 POLICE PLAZA, SPRINGFIELD IL 62701")
    sealing.destroy_key(captured.order_id)
    listed = api.get(f"/cover-orders/{captured.order_id}/captures", people.requester)
    assert listed.status_code == 409
    assert "key of order" in listed.json()["detail"]
    page = browse(people.requester).post(f"/orders/{captured.order_id}/captures", {"page": "1"})
    assert page.status_code == 200
    assert "is not in the key folder" in page.content.decode()
    ref = image_refs.issue(people.requester.pk, captured.order_id, "P-1", timezone.now())
    image = browse(people.requester).get(
        f"/orders/{captured.order_id}/captures/P-1/image", {"ref": ref}
    )
    assert image.status_code == 409
    assert not Entry.objects.filter(event="disclosure").exists()


def test_the_api_lists_the_opened_exterior(api, people, captured):
    Agency.objects.filter(address="").update(address="1 POLICE PLAZA, SPRINGFIELD IL 62701")
    listed = api.get(f"/cover-orders/{captured.order_id}/captures", people.requester).json()
    (shown,) = listed["captures"]
    assert (shown["addressee"], shown["return_address"]) == (list(TO_SUBJECT), list(FROM))


def test_exteriors_read_a_page_with_one_key_read_per_order(captured, monkeypatch):
    reads: list[int] = []
    real = sealing.order_key

    def counted(order_id: int, *, create: bool = False) -> bytes:
        reads.append(order_id)
        return real(order_id, create=create)

    monkeypatch.setattr(sealing, "order_key", counted)
    assert captures.exteriors([captured, captured]) == [exterior(captured)] * 2
    assert reads == [captured.order_id, captured.order_id]  # one for the page, one alone


@pytest.fixture
def ledger_triggers_after_flush(django_db_blocker: Any) -> Iterator[None]:
    """The flush that ends a transactional test cannot empty the append-only ledger: its
    triggers are lifted for the flush and put back after it."""
    yield
    with django_db_blocker.unblock():
        triggers.install(connection)
    log.forget_cached_head()


@pytest.fixture
def migrating(ledger_triggers_after_flush: None, transactional_db: None) -> Iterator[None]:
    yield
    triggers.remove(connection)


def test_the_migration_seals_rows_and_images_kept_in_the_clear(
    migrating, people, media, photo, order
):
    executor = MigrationExecutor(connection)
    executor.migrate([("covers", "0003_captures")])
    old = executor.loader.project_state([("covers", "0003_captures")]).apps
    digest = hashlib.sha256(photo).hexdigest()
    clear_name = f"captures/{digest[:2]}/{digest}.png"
    (media / clear_name).parent.mkdir(parents=True)
    (media / clear_name).write_bytes(photo)
    now = timezone.now()
    old.get_model("covers", "Capture").objects.create(
        order_id=order.pk,
        piece_id="P-1",
        scanned_at=now,
        facility="SPRINGFIELD IL P&DC",
        mail_class="first-class",
        imb="",
        addressee=list(TO_SUBJECT),
        return_address=None,
        image=clear_name,
        matched_on="address",
        captured_at=now,
        sha256="0" * 64,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    capture = Capture.objects.get()
    assert exterior(capture) == Exterior(None, TO_SUBJECT, None)
    assert read_image(capture) == photo
    assert not (media / clear_name).exists()
    assert b"JOHN" not in raw_sealed_column()[0]
