"""The page on another site that makes its visitor's browser write disclosures: a link to an
order page, an image tag pointing at a capture's image, a form posted there. Each page of
captures shown and each image shown is a disclosure on the ledger in the viewer's name
(PA-ACCOUNT), so only a deliberate, CSRF-checked POST from mailcover's own page shows them,
and an image is served only with the short-lived reference that POST issued to that person."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, TestCase
from django.utils import timezone
from tests.conftest import request_body, signed_in

from mailcover.accounts.models import Agency
from mailcover.covers import image_refs, ingest
from mailcover.imaging.render import NOISE, Envelope, encoded, render
from mailcover.ledger.models import Entry

pytestmark = pytest.mark.django_db

TO_SUBJECT = ("JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234")


@pytest.fixture
def order_id(api: Any, people: Any, settings: Any, tmp_path: Path) -> int:
    """The requester's approved cover with one photographed piece captured under it."""
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    Agency.objects.filter(address="").update(address="1 POLICE PLAZA, SPRINGFIELD IL 62701")
    filed = api.post("/cover-requests", request_body(), people.requester)
    order = api.post(f"/cover-requests/{filed.json()['id']}/approve", {}, people.approver).json()
    photo = encoded(render(Envelope(addressee=TO_SUBJECT), NOISE["default"], seed=1).image)
    with TestCase.captureOnCommitCallbacks(execute=True):
        feeder = ingest.Ingestor("cli")
        feeder.feed(
            1,
            {
                "piece_id": "P-1",
                "scanned_at": timezone.now().isoformat(),
                "facility": "SPRINGFIELD IL P&DC",
                "mail_class": "first-class",
                "addressee": list(TO_SUBJECT),
                "image": "data:image/png;base64," + base64.b64encode(photo).decode(),
            },
        )
        feeder.finish()
    return int(order["id"])


def victim(people: Any) -> Client:
    """The requester's browser, signed in, with Django's CSRF check as in production."""
    client = signed_in(people.requester)
    client.handler.enforce_csrf_checks = True
    return client


def disclosures() -> int:
    return Entry.objects.filter(event="disclosure").count()


def image_url(order_id: int) -> str:
    return f"/orders/{order_id}/captures/P-1/image"


def test_sec_disclosure_a_cross_site_link_to_the_order_page_writes_nothing(
    people: Any, order_id: int
) -> None:
    page = victim(people).get(
        f"/orders/{order_id}?captures=1", headers={"Sec-Fetch-Site": "cross-site"}
    )

    assert page.status_code == 200
    assert "1 piece captured under this order" in page.content.decode()
    assert 'data-testid="capture-table"' not in page.content.decode()
    assert "P-1" not in page.content.decode()
    assert disclosures() == 0


def test_sec_disclosure_a_form_posted_from_another_site_is_refused_by_the_csrf_check(
    people: Any, order_id: int
) -> None:
    answer = victim(people).post(f"/orders/{order_id}/captures", {"page": "1"})

    assert answer.status_code == 403
    assert disclosures() == 0


def test_sec_disclosure_a_get_of_the_captures_address_writes_nothing(
    people: Any, order_id: int
) -> None:
    assert victim(people).get(f"/orders/{order_id}/captures?page=1").status_code == 405
    assert disclosures() == 0


def test_sec_disclosure_an_image_tag_without_a_reference_writes_nothing(
    people: Any, order_id: int
) -> None:
    answer = victim(people).get(image_url(order_id))

    assert answer.status_code == 403
    assert "Show the captures" in answer.content.decode()
    assert disclosures() == 0


def test_sec_disclosure_an_image_fetched_for_another_site_is_refused_even_with_a_reference(
    people: Any, order_id: int
) -> None:
    ref = image_refs.issue(people.requester.pk, order_id, "P-1", timezone.now())

    answer = victim(people).get(
        image_url(order_id), {"ref": ref}, headers={"Sec-Fetch-Site": "cross-site"}
    )

    assert answer.status_code == 403
    assert disclosures() == 0


def test_sec_disclosure_a_reference_issued_to_someone_else_opens_nothing(
    people: Any, order_id: int
) -> None:
    """An attacker of the same agency who viewed the captures cannot plant their reference
    in a page their colleague visits."""
    ref = image_refs.issue(people.colleague.pk, order_id, "P-1", timezone.now())

    answer = victim(people).get(image_url(order_id), {"ref": ref})

    assert answer.status_code == 403
    assert "another piece or person" in answer.content.decode()
    assert disclosures() == 0


@pytest.mark.parametrize("ref", ["forged", "e30:1tZ:abc"])
def test_sec_disclosure_a_forged_reference_opens_nothing(
    people: Any, order_id: int, ref: str
) -> None:
    answer = victim(people).get(image_url(order_id), {"ref": ref})

    assert answer.status_code == 403
    assert disclosures() == 0


def test_sec_disclosure_an_old_reference_has_expired(people: Any, order_id: int) -> None:
    issued = timezone.now() - image_refs.LIFETIME - timedelta(seconds=1)
    ref = image_refs.issue(people.requester.pk, order_id, "P-1", issued)

    answer = victim(people).get(image_url(order_id), {"ref": ref})

    assert answer.status_code == 403
    assert "expired" in answer.content.decode()
    assert disclosures() == 0


def test_sec_disclosure_the_officer_who_asks_sees_the_captures_and_the_image(
    people: Any, order_id: int
) -> None:
    browser = victim(people)
    page = browser.get(f"/orders/{order_id}").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    assert 'data-testid="show-captures"' in page
    assert disclosures() == 0

    shown = browser.post(
        f"/orders/{order_id}/captures",
        {"page": "1", "csrfmiddlewaretoken": token.group(1)},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    html = shown.content.decode()
    assert shown.status_code == 200
    assert 'data-testid="capture-table"' in html
    assert "P-1" in html
    assert disclosures() == 1

    link = re.search(r'href="([^"]+/viewer\?ref=[^"]+)"', html)
    assert link is not None
    viewer = browser.get(unescape(link.group(1)), headers={"Sec-Fetch-Site": "same-origin"})
    assert viewer.status_code == 200
    assert disclosures() == 1  # the viewer page shows nothing of the piece by itself
    src = re.search(r'<img src="([^"]+/image\?ref=[^"]+)"', viewer.content.decode())
    assert src is not None
    image = browser.get(unescape(src.group(1)), headers={"Sec-Fetch-Site": "same-origin"})
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert disclosures() == 2


def test_sec_disclosure_a_link_from_another_site_to_the_viewer_opens_nothing(
    people: Any, order_id: int
) -> None:
    ref = image_refs.issue(people.requester.pk, order_id, "P-1", timezone.now())
    viewer = f"/orders/{order_id}/captures/P-1/viewer"

    cross = victim(people).get(viewer, {"ref": ref}, headers={"Sec-Fetch-Site": "cross-site"})
    bare = victim(people).get(viewer)

    assert cross.status_code == 403
    assert bare.status_code == 403
    assert disclosures() == 0


def test_sec_disclosure_the_csv_export_is_a_csrf_checked_post_only(
    people: Any, order_id: int
) -> None:
    browser = victim(people)
    assert browser.get(f"/orders/{order_id}/captures.csv").status_code == 405
    assert browser.post(f"/orders/{order_id}/captures.csv").status_code == 403  # no token
    assert disclosures() == 0
    page = browser.get(f"/orders/{order_id}").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    exported = browser.post(
        f"/orders/{order_id}/captures.csv", {"csrfmiddlewaretoken": token.group(1)}
    )
    assert exported.status_code == 200
    assert disclosures() == 1
