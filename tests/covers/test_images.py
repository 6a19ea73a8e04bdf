"""Pieces that carry only a photograph: read, matched, and their image kept only when an order
covers them (MC-NO-ORDER-NO-DATA), shown to those who may see the capture, each time a
disclosure (PA-ACCOUNT, MC-REPORTING)."""

from __future__ import annotations

import io
import json
import os
import re
import struct
import zlib
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone
from PIL import Image

from mailcover.accounts.models import Agency
from mailcover.covers import image_refs, ingest, photographs
from mailcover.covers.captures import exterior
from mailcover.covers.models import Capture
from mailcover.imaging import read as reading
from mailcover.imaging.render import NOISE, Envelope, encoded, render
from mailcover.ledger.models import Entry
from mailcover.postal.imb import encode

TO_SUBJECT = ("JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234")
STRANGER = ("ZEBULON QUIGLEY", "987 ELM AVE", "DENVER CO 80201")
FROM = ("ACME CORP", "PO BOX 100", "DENVER CO 80201")


def photo(addressee: tuple[str, ...], *, bars: bool = True, **options: Any) -> bytes:
    envelope = Envelope(
        addressee=addressee,
        return_address=FROM,
        bars=encode("00040123456200800001", "62704123404") if bars else None,
        **options,
    )
    return encoded(render(envelope, NOISE["default"], seed=3).image)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path / "files"


def stream_of(folder: Path, pieces: dict[str, bytes | None]) -> Path:
    lines = []
    for piece_id, image in pieces.items():
        name = f"{piece_id}.png"
        if image is not None:
            (folder / name).write_bytes(image)
        lines.append(
            json.dumps(
                {
                    "piece_id": piece_id,
                    "scanned_at": timezone.now().isoformat(),
                    "facility": "SPRINGFIELD IL P&DC",
                    "mail_class": "first-class",
                    "imb": None,
                    "addressee": None,
                    "return_address": None,
                    "image": name,
                }
            )
        )
    path = folder / "stream.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def ingest_file(path: Path) -> ingest.Summary:
    # Images are written once their capture commits; the test's transaction never does.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return ingest.ingest_lines(
            path.read_bytes().splitlines(), "cli", images=photographs.FolderImages(path.parent)
        )


def test_a_photograph_alone_is_read_matched_and_kept_only_when_captured(order, tmp_path, media):
    summary = ingest_file(
        stream_of(tmp_path, {"P-1": photo(TO_SUBJECT), "P-2": photo(STRANGER, bars=False)})
    )
    assert (summary.captured, summary.no_order, summary.rejected) == (1, 1, [])
    capture = Capture.objects.get()
    assert capture.piece_id == "P-1"
    assert exterior(capture).addressee == TO_SUBJECT
    stored = sorted(p for p in media.rglob("*") if p.is_file())
    assert [p.name for p in stored] == [Path(capture.image).name]  # P-2's image nowhere
    entry = Entry.objects.get(event="capture.recorded")
    assert json.loads(entry.data)["details"]["image_sha256"] == Path(capture.image).stem


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the image file is empty"),
        (b"this is not a picture", "not an image"),
        (None, "does not exist"),
    ],
)
def test_an_image_that_cannot_be_read_is_rejected_with_its_line(
    order, tmp_path, media, content, message
):
    summary = ingest_file(stream_of(tmp_path, {"P-1": content, "P-2": photo(TO_SUBJECT)}))
    assert [r.index for r in summary.rejected] == [1]
    assert message in summary.rejected[0].error
    assert summary.captured == 1


def test_photographs_read_ahead_by_two_readers_give_what_one_at_a_time_gives(
    order, tmp_path, media, monkeypatch
):
    """`mailcover ingest` reads the photographs of a few lines at once, one a reader process:
    each line still becomes what it becomes alone, in order (a bad line, an image that is not
    one, an image missing, a stranger, the subject twice), and the captures are the same."""
    monkeypatch.setattr(ingest, "READ_AHEAD", 4)  # several windows, one cut mid-stream
    path = stream_of(
        tmp_path,
        {
            "P-1": photo(TO_SUBJECT),
            "P-2": b"this is not a picture",
            "P-3": photo(STRANGER, bars=False),
            "P-4": None,
            "P-5": photo(TO_SUBJECT, bars=False),
            "P-6": photo(STRANGER),
        },
    )
    lines = path.read_bytes().splitlines()
    lines[3:3] = [b"{not json", b"", b"null"]  # lines 4, 5 (blank) and 6

    def run(readers: int) -> tuple[ingest.Summary, list[str]]:
        Capture.objects.all().delete()
        ingestor = ingest.Ingestor(
            "cli", images=photographs.FolderImages(tmp_path), readers=readers
        )
        with TestCase.captureOnCommitCallbacks(execute=True):
            ingestor.feed_lines(enumerate(lines, 1))
            summary = ingestor.finish()
        return summary, sorted(Capture.objects.values_list("piece_id", flat=True))

    pooled: list[int] = []
    read_all = ingest.ReaderPool.read_all

    def counted(pool: Any, images: Any) -> Any:
        images = list(images)
        pooled.append(len(images))
        return read_all(pool, images)

    monkeypatch.setattr(ingest.ReaderPool, "read_all", counted)
    one, captured_one = run(1)
    assert pooled == []
    two, captured_two = run(2)
    # Windows of 4 lines: P-1, P-2 (bytes that are no picture) and P-3; P-5 (P-4 missing is
    # left to the piece's own refusal); P-6.
    assert pooled == [3, 1, 1]
    assert captured_one == captured_two == ["P-1", "P-5"]
    assert two.counts() == one.counts()
    assert two.rejected == one.rejected
    assert [r.index for r in two.rejected] == [2, 4, 6, 7]


def test_photographs_are_read_ahead_only_by_the_servers_own_ingest():
    with pytest.raises(ValueError, match="server's own ingest"):
        ingest.Ingestor("api", ocr_limit=20, readers=2)
    with pytest.raises(ValueError, match="server's own ingest"):
        ingest.Ingestor("api", facilities=frozenset({"SPRINGFIELD IL P&DC"}), readers=2)


def _png(width: int, height: int, body: bytes = b"") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (_png(100_000, 100_000), "bomb"),  # a decompression bomb: the header claims 10^10 px
        (_png(7000, 5000), "too-many-pixels"),  # enormous, under the bomb's line
        (_png(2000, 900, zlib.compress(b"\0" * 1000)), "truncated"),
        (_png(40, 20), "too-small"),
        (b"GIF89a" + b"\0" * 100, "not-an-image"),
    ],
)
def test_bad_images_are_refused_with_a_reason_never_a_crash(data, code):
    with pytest.raises(reading.ImageError) as refused:
        reading.open_image(data)
    assert refused.value.code == code


def test_an_image_in_a_format_not_read_is_refused():
    gif = io.BytesIO()
    Image.new("L", (400, 200), 255).save(gif, "GIF")
    with pytest.raises(reading.ImageError) as refused:
        reading.open_image(gif.getvalue())
    assert refused.value.code == "format"


def test_an_image_that_takes_too_long_is_stopped_and_the_next_is_read():
    with reading.EnvelopeReader(time_limit=0.005) as reader:
        # The worker has started and loaded its models (outside the limit); reading an
        # envelope takes some hundredths of a second, decoding it alone more than the limit.
        with pytest.raises(reading.ImageError) as refused:
            reader.read(photo(TO_SUBJECT))
        assert refused.value.code == "time-limit"
        reader.time_limit = 60
        found = reader.read(photo(TO_SUBJECT))  # a new worker, started afresh
    assert found.addressee == TO_SUBJECT


def test_an_upside_down_envelope_is_read_the_right_way_up():
    found = reading.read_bytes(photo(TO_SUBJECT, upside_down=True))
    assert found.upside_down
    assert found.addressee is not None
    assert found.addressee[-1].startswith("SPRINGFIELD IL 62704")


def test_an_empty_envelope_gives_no_lines_and_no_error():
    blank = Image.new("L", (1900, 825), 245)  # a letter at 200 dpi, nothing on it
    found = reading.read_envelope(blank)
    assert found.addressee is None
    assert found.low_confidence


def image_src(html: str) -> str:
    """The address of the first capture image on a viewer page, or of the viewer on a
    captures page, as the browser reads it."""
    found = re.search(r'(?:<img src|href)="([^"]+/(?:image|viewer)\?ref=[^"]+)"', html)
    assert found is not None, "no capture image on the page"
    return unescape(found.group(1))


@pytest.fixture
def photographed(order, tmp_path, media) -> Capture:
    Agency.objects.filter(address="").update(address="1 POLICE PLAZA, SPRINGFIELD IL 62701")
    ingest_file(stream_of(tmp_path, {"P-1": photo(TO_SUBJECT)}))
    return Capture.objects.get()


def test_the_requesting_authority_sees_the_image_and_each_view_is_a_disclosure(
    browse, people, photographed
):
    url = f"/orders/{photographed.order_id}/captures/P-1/image"
    client = browse(people.requester)
    page = client.post(f"/orders/{photographed.order_id}/captures", {"page": "1"})
    html = client.get(image_src(page.content.decode())).content.decode()
    assert "Exterior image of piece P-1" in html
    src = image_src(html)
    assert src.startswith(url + "?ref=")
    first, second = client.get(src), client.get(src)
    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "image/png"
    assert first["Cache-Control"] == "private, no-store"
    assert Entry.objects.filter(event="disclosure").count() == 3  # the page and two views


@pytest.mark.parametrize(
    ("who", "status"), [("approver", 403), ("operator", 404), ("outsider", 404)]
)
def test_mc_reporting_no_one_else_sees_the_image(browse, people, photographed, who, status):
    url = f"/orders/{photographed.order_id}/captures/P-1/image"
    assert browse(getattr(people, who)).get(url).status_code == status
    assert not Entry.objects.filter(event="disclosure").exists()


def test_the_api_gives_the_image_url_and_the_image(api, people, photographed):
    listed = api.get(f"/cover-orders/{photographed.order_id}/captures", people.requester).json()
    url = listed["captures"][0]["image_url"]
    assert url == f"/api/v1/cover-orders/{photographed.order_id}/captures/P-1/image"
    response = api.client.get(url, headers=api._headers(people.oversight, None))
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG")


def test_a_captured_pieces_image_that_is_not_an_image_is_not_kept(order, tmp_path, media):
    (tmp_path / "x.png").write_bytes(b"<html><script>alert(1)</script></html>")
    line = json.dumps(
        {
            "piece_id": "P-1",
            "scanned_at": timezone.now().isoformat(),
            "facility": "SPRINGFIELD IL P&DC",
            "mail_class": "first-class",
            "addressee": list(TO_SUBJECT),
            "image": "x.png",
        }
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        summary = ingest.ingest_lines([line], "cli", images=photographs.FolderImages(tmp_path))
    assert summary.captured == 1
    assert Capture.objects.get().image == ""
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_a_pipe_in_the_stream_folder_is_refused_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "f.png")
    with pytest.raises(reading.ImageError) as refused:
        photographs.FolderImages(tmp_path).load("f.png")
    assert refused.value.code == "not-a-file"


def test_an_image_missing_from_storage_is_not_found_and_not_disclosed(
    browse, people, photographed, media
):
    for stored in media.rglob("*.*"):
        stored.unlink()
    url = f"/orders/{photographed.order_id}/captures/P-1/image"
    ref = {
        "ref": image_refs.issue(people.requester.pk, photographed.order_id, "P-1", timezone.now())
    }
    assert browse(people.requester).get(url, ref).status_code == 404
    assert browse(people.requester).head(url, ref).status_code == 405
    assert not Entry.objects.filter(event="disclosure").exists()


def test_an_image_is_written_only_when_its_capture_commits(order, tmp_path, media):
    with TestCase.captureOnCommitCallbacks(execute=False) as pending:
        ingest.ingest_lines(
            stream_of(tmp_path, {"P-1": photo(TO_SUBJECT)}).read_bytes().splitlines(),
            "cli",
            images=photographs.FolderImages(tmp_path),
        )
    assert Capture.objects.exclude(image="").count() == 1
    assert not [p for p in media.rglob("*") if p.is_file()]  # not before the commit
    for callback in pending:
        callback()
    assert len([p for p in media.rglob("*") if p.is_file()]) == 1


def test_a_truncated_image_is_refused_after_the_pdf_writer_is_loaded():
    # WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES when imported; the server draws PDFs
    # and reads envelopes in one process.
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    with pytest.raises(reading.ImageError) as refused:
        reading.open_image(_png(2000, 900, zlib.compress(b"\0" * 1000)))
    assert refused.value.code == "truncated"
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # left as the writer wants it
