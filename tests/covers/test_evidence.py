"""The evidence of a cover, as its requesting authority works with it: each capture marked
with how its lines were read (OCR and its confidence), its image opened full size in a
viewer whose every load is a disclosure, and the captures downloaded as a CSV file that is
itself a disclosure (PA-ACCOUNT). Nobody else sees any of it (MC-REPORTING)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from tests.covers.test_images import TO_SUBJECT, ingest_file, photo, stream_of

from mailcover.accounts.models import Agency
from mailcover.covers import exports, image_refs, ingest
from mailcover.covers.captures import Exterior
from mailcover.covers.models import Capture
from mailcover.ledger.models import Entry


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path / "files"


@pytest.fixture
def photographed(order: Any, tmp_path: Any, media: Any) -> Capture:
    """A piece that came as a photograph alone, read by OCR and captured under `order`."""
    Agency.objects.filter(address="").update(address="1 POLICE PLAZA, SPRINGFIELD IL 62701")
    ingest_file(stream_of(tmp_path, {"P-1": photo(TO_SUBJECT)}))
    return Capture.objects.get()


def disclosures() -> list[dict[str, Any]]:
    return [json.loads(e.data) for e in Entry.objects.filter(event="disclosure")]


def viewer_link(html: str) -> str:
    found = re.search(r'href="([^"]+/viewer\?ref=[^"]+)"', html)
    assert found is not None, "no link to the image viewer on the page"
    return unescape(found.group(1))


def viewer_image(html: str) -> str:
    found = re.search(r'<img src="([^"]+/image\?ref=[^"]+)"', html)
    assert found is not None, "no image on the viewer page"
    return unescape(found.group(1))


# -- OCR marks --------------------------------------------------------------------------


def test_a_capture_read_by_ocr_keeps_the_engines_confidence(photographed):
    assert photographed.ocr_confidence is not None
    assert 0 < photographed.ocr_confidence <= 1


def test_a_capture_whose_lines_were_sent_as_text_has_no_ocr_confidence(order, tmp_path, media):
    line = json.dumps(
        {
            "piece_id": "P-2",
            "scanned_at": timezone.now().isoformat(),
            "facility": "SPRINGFIELD IL P&DC",
            "mail_class": "first-class",
            "addressee": list(TO_SUBJECT),
        }
    )
    ingest.ingest_lines([line], "cli")
    assert Capture.objects.get().ocr_confidence is None


def test_the_captures_table_marks_ocr_rows_with_their_confidence(browse, people, photographed):
    Capture.objects.filter(pk=photographed.pk).update(ocr_confidence=0.42)
    page = browse(people.requester).post(f"/orders/{photographed.order_id}/captures", {"page": 1})
    html = page.content.decode()
    assert "OCR</span> 42% confidence" in html
    assert "low, check the lines against the image" in html
    Capture.objects.filter(pk=photographed.pk).update(ocr_confidence=0.97)
    page = browse(people.requester).post(f"/orders/{photographed.order_id}/captures", {"page": 1})
    html = page.content.decode()
    assert "OCR</span> 97% confidence" in html
    assert "low, check the lines" not in html
    Capture.objects.filter(pk=photographed.pk).update(ocr_confidence=None)
    page = browse(people.requester).post(f"/orders/{photographed.order_id}/captures", {"page": 1})
    assert re.search(r'data-testid="capture-reading">as sent<', page.content.decode())


# -- the image viewer ---------------------------------------------------------------------


def test_the_viewer_page_records_nothing_and_each_load_of_its_image_is_one_disclosure(
    browse, people, photographed
):
    client = browse(people.requester)
    listed = client.post(f"/orders/{photographed.order_id}/captures", {"page": "1"})
    assert len(disclosures()) == 1  # the page of captures
    link = viewer_link(listed.content.decode())
    assert link.startswith(f"/orders/{photographed.order_id}/captures/P-1/viewer?ref=")
    viewer = client.get(link)
    assert viewer.status_code == 200
    html = viewer.content.decode()
    for control in ('data-testid="viewer-image"', "Zoom in", "Zoom out", "Move left"):
        assert control in html
    assert "capture-viewer.js" in html
    assert len(disclosures()) == 1  # the page alone shows nothing of the piece
    image = client.get(viewer_image(html))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert client.get(viewer_image(client.get(link).content.decode())).status_code == 200
    recorded = disclosures()
    assert len(recorded) == 3  # the page of captures and two loads of the image
    assert recorded[-1]["details"]["nature"].endswith("the exterior image of one piece")
    assert recorded[-1]["actor"]["username"] == "requester"


def test_the_viewer_serves_no_script_or_style_from_another_origin(browse, people, photographed):
    client = browse(people.requester)
    listed = client.post(f"/orders/{photographed.order_id}/captures", {"page": "1"})
    response = client.get(viewer_link(listed.content.decode()))
    html = response.content.decode()
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert "/static/mailcover/capture-viewer.js" in scripts
    assert styles
    assert all(s.startswith("/static/") for s in scripts + styles)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in html
    assert " style=" not in html


def test_the_viewer_opens_only_with_this_persons_fresh_reference_from_this_site(
    browse, people, photographed
):
    url = f"/orders/{photographed.order_id}/captures/P-1/viewer"
    now = timezone.now()
    client = browse(people.requester)
    assert client.get(url).status_code == 403  # no reference
    colleagues = image_refs.issue(people.colleague.pk, photographed.order_id, "P-1", now)
    assert client.get(url, {"ref": colleagues}).status_code == 403
    own = image_refs.issue(people.requester.pk, photographed.order_id, "P-1", now)
    assert (
        client.get(url, {"ref": own}, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    )
    stale = image_refs.issue(
        people.requester.pk, photographed.order_id, "P-1", now - image_refs.LIFETIME * 2
    )
    assert client.get(url, {"ref": stale}).status_code == 403
    assert client.get(url, {"ref": own}).status_code == 200
    assert not disclosures()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("outsider", 404),  # another agency's officer: the order does not exist for them
        ("inspector", 404),  # a postal inspector not on the case
        ("operator", 404),
        ("admin", 404),
        ("approver", 403),  # decides covers, never reads their mail (MC-REPORTING)
    ],
)
def test_mc_reporting_nobody_else_opens_the_viewer_even_with_a_reference_of_their_own(
    browse, people, photographed, who, status
):
    person = getattr(people, who)
    ref = image_refs.issue(person.pk, photographed.order_id, "P-1", timezone.now())
    base = f"/orders/{photographed.order_id}/captures/P-1"
    client = browse(person)
    viewer = client.get(f"{base}/viewer", {"ref": ref})
    assert viewer.status_code == status
    if status == 403:
        assert "MC-REPORTING" in viewer.content.decode()
    assert client.get(f"{base}/image", {"ref": ref}).status_code == status
    assert not disclosures()


def test_oversight_opens_the_viewer_and_its_load_is_accounted_to_oversight(
    browse, people, photographed
):
    client = browse(people.oversight)
    listed = client.post(f"/orders/{photographed.order_id}/captures", {"page": "1"})
    html = client.get(viewer_link(listed.content.decode())).content.decode()
    assert client.get(viewer_image(html)).status_code == 200
    assert [d["actor"]["username"] for d in disclosures()] == ["oversight", "oversight"]


# -- the CSV export -----------------------------------------------------------------------


def read_csv(response: Any) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_requesting_authority_downloads_the_captures_as_csv_and_it_is_a_disclosure(
    browse, people, photographed
):
    response = browse(people.requester).post(f"/orders/{photographed.order_id}/captures.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    case = photographed.order.case_number
    assert response["Content-Disposition"] == f'attachment; filename="captures-{case}.csv"'
    assert response["Cache-Control"] == "private, no-store"
    rows = read_csv(response)
    assert rows[0] == list(exports.header(people.requester.agency.time_zone or "UTC"))
    assert rows[0][0] == "Piece"
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Piece"] == "P-1"
    assert row["Addressee"].splitlines() == list(TO_SUBJECT)
    assert row["Lines read by"] == "OCR from the photograph"
    assert row["OCR confidence"] == f"{round(photographed.ocr_confidence * 100)}%"
    [entry] = disclosures()
    assert entry["actor"]["username"] == "requester"
    assert entry["refs"]["order"] == photographed.order_id
    assert entry["refs"]["case"] == case
    assert entry["refs"]["captures"] == 1
    assert entry["refs"]["export"] == "csv"
    assert "CSV export of all 1 pieces" in entry["details"]["nature"]


def test_the_csv_export_is_never_made_by_a_get(browse, people, photographed):
    response = browse(people.requester).get(f"/orders/{photographed.order_id}/captures.csv")
    assert response.status_code == 405
    assert not disclosures()


def test_the_order_page_offers_the_download_to_the_requester_and_not_the_approver(
    browse, people, photographed
):
    url = f"/orders/{photographed.order_id}"
    assert 'data-testid="export-captures"' in browse(people.requester).get(url).content.decode()
    assert 'data-testid="export-captures"' not in browse(people.approver).get(url).content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("outsider", 404),
        ("inspector", 404),
        ("operator", 404),
        ("admin", 404),
        ("approver", 403),
        ("no_nda", 403),
    ],
)
def test_mc_reporting_nobody_else_downloads_the_captures(browse, people, photographed, who, status):
    response = browse(getattr(people, who)).post(f"/orders/{photographed.order_id}/captures.csv")
    assert response.status_code == status
    if status == 403:
        body = response.content.decode()
        assert "MC-REPORTING" in body or "MC-NONDISCLOSURE" in body
        assert "P-1" not in body
    assert not disclosures()


def test_oversight_downloads_the_captures_too(browse, people, photographed):
    response = browse(people.oversight).post(f"/orders/{photographed.order_id}/captures.csv")
    assert response.status_code == 200
    assert [d["actor"]["username"] for d in disclosures()] == ["oversight"]


def test_csv_cells_that_a_spreadsheet_would_run_are_written_as_text():
    capture = Capture(
        piece_id="=1+1",
        scanned_at=timezone.now(),
        facility="@SUM(A1:A9)",
        mail_class="-2",
        matched_on="address",
    )
    lines = ('=HYPERLINK("http://x.invalid","click")', "JOSÉ ÑÚÑEZ")
    text = exports.captures_csv([capture], [Exterior("+CMD", lines, ("\tTAB",))])
    [header, row] = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    cells = dict(zip(header, row, strict=True))
    assert cells["Piece"] == "'=1+1"
    assert cells["Facility"] == "'@SUM(A1:A9)"
    assert cells["Mail class"] == "'-2"
    assert cells["Barcode (Intelligent Mail)"] == "'+CMD"
    assert cells["Return address"] == "'\tTAB"
    assert cells["Addressee"].startswith("'=HYPERLINK")
    assert cells["Addressee"].endswith("JOSÉ ÑÚÑEZ")
    assert cells["Lines read by"] == "as sent by the mail-processing equipment"
    assert not any(cell.startswith(exports.FORMULA_STARTS) for cell in row)


def test_the_csv_gives_each_scan_time_in_utc_and_in_the_readers_own_time_zone(
    browse, people, photographed
):
    people.requester.time_zone = "America/Chicago"
    people.requester.save(update_fields=["time_zone"])

    response = browse(people.requester).post(f"/orders/{photographed.order_id}/captures.csv")

    rows = read_csv(response)
    row = dict(zip(rows[0], rows[1], strict=True))
    scanned = photographed.scanned_at
    assert row["Scanned (UTC)"] == f"{scanned.astimezone(UTC):%Y-%m-%d %H:%M}"
    local = scanned.astimezone(ZoneInfo("America/Chicago"))
    assert row["Scanned (America/Chicago)"] == f"{local:%Y-%m-%d %H:%M} {local.tzname()}"
