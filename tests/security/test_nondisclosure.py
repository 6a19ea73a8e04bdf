"""MC-NONDISCLOSURE: the insider without a form.

An account that holds a case role (a requester of the requesting agency, a postal
inspector, oversight) but has no signed nondisclosure acknowledgment on file reads no case
data: no request, order, capture, image, ledger entry, checkpoint, proof, accounting,
compliance finding, records request, instrument or production, on the pages or the API.
The same account, once its acknowledgment is on file, reads every one of them. The check is
made at the door (`covers.views.case_view`, the API's acting person), so a view added later
cannot forget it: `test_every_case_route_is_in_this_list` fails when a route is added
without being listed here or among the public ones.
"""

from __future__ import annotations

import io
import json
from base64 import b64encode
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from fpdf import FPDF
from PIL import Image
from tests.conftest import signed_in
from tests.covers.conftest import draft_for

from mailcover.accounts.models import Agency, ApiToken, NondisclosureAcknowledgment, User
from mailcover.covers import actions, image_refs, ingest
from mailcover.covers.models import Capture
from mailcover.ledger import checkpoints
from mailcover.records import actions as records
from mailcover.records.models import Customer
from mailcover.records.schemas import parse_request

TO_SUBJECT = ["JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234"]
PIECE = "P-1"


@dataclass
class Case:
    request: int
    order: int
    subject: int
    records_request: int


def envelope() -> str:
    image = Image.new("RGB", (320, 160), "white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + b64encode(out.getvalue()).decode()


def instrument_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="SUBPOENA")
    return bytes(pdf.output())


def records_body() -> str:
    today = timezone.now().date()
    return json.dumps(
        {
            "instrument": {
                "type": "subpoena",
                "issued_by": "GRAND JURY, N.D. ILL.",
                "issued_on": (today - timedelta(days=3)).isoformat(),
                "number": "GJ-26-114",
            },
            "customer": {"email": "jq@example.com"},
            "categories": ["subscriber"],
            "start": (today - timedelta(days=200)).isoformat(),
            "end": (today - timedelta(days=1)).isoformat(),
            "purpose": "Identify who shipped the stolen goods.",
        }
    )


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> None:
    """Images and instruments in a folder of this test, never the service's own."""
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@pytest.fixture
def case(people: Any, media: None, django_capture_on_commit_callbacks: Any) -> Case:
    """A cover in force with a captured piece and its image, a checkpoint over the ledger,
    and a produced records request of the same agency."""
    now = timezone.now()
    for user in (people.requester, people.inspector):
        agency = user.agency
        agency.verified_at = datetime(2025, 1, 1, tzinfo=UTC)
        agency.address = "1 POLICE PLAZA, SPRINGFIELD IL 62701"
        agency.save()
    # PA-ACCOUNT: a disclosure names its recipient's address.
    Agency.objects.filter(address="").update(address="1 MAIN ST, WASHINGTON DC 20001")
    filed = actions.file_request(people.requester, draft_for(people.requester), now)
    order = actions.approve(people.approver, filed, 30, now)
    piece = {
        "piece_id": PIECE,
        "scanned_at": now.isoformat(),
        "facility": "SPRINGFIELD IL P&DC",
        "mail_class": "first-class",
        "imb": None,
        "addressee": TO_SUBJECT,
        "return_address": ["ACME CORP", "PO BOX 100", "DENVER CO 80201"],
        "image": envelope(),
    }
    with django_capture_on_commit_callbacks(execute=True):  # the image is written on commit
        assert ingest.ingest_lines([json.dumps(piece)], "cli").captured == 1
    assert Capture.objects.get().image
    Customer.objects.create(
        account_number="A000000001",
        name="JOHN Q PUBLIC",
        address="123 MAIN ST, SPRINGFIELD IL 62704",
        email="jq@example.com",
        opened_at=now - timedelta(days=400),
        recorded_at=now - timedelta(days=30),
    )
    parsed = parse_request(records_body())
    asked = records.file_request(
        people.requester,
        parsed.to_draft(),
        parsed.model_dump(mode="json"),
        instrument_pdf(),
        now,
        second_factor_used=True,
    )
    records.review(people.inspector, asked.pk, True, "", now)
    checkpoints.publish(timezone.now())
    return Case(filed.pk, order.pk, filed.subject_id, asked.pk)


# Who reads what: the requesting agency's requester, a reviewing postal inspector, oversight.
PAGES = [
    ("requester", "get", "/requests/{request}"),
    ("requester", "get", "/orders/{order}"),
    ("requester", "post", "/orders/{order}/captures"),
    ("requester", "get", "/orders/{order}/captures/" + PIECE + "/image?ref={ref}"),
    ("requester", "get", "/orders/{order}/captures/" + PIECE + "/viewer?ref={ref}"),
    ("requester", "post", "/orders/{order}/captures.csv"),
    ("requester", "get", "/records"),
    ("requester", "get", "/requests"),
    ("requester", "get", "/orders"),
    ("approver", "get", "/requests?q=JOHN+Q+PUBLIC"),
    ("oversight", "get", "/orders?q=PUBLIC&state=active"),
    ("requester", "get", "/records/{records_request}"),
    ("requester", "get", "/records/{records_request}/instrument"),
    ("requester", "post", "/records/{records_request}/download"),
    ("approver", "get", "/fragments/approval-queue"),
    ("inspector", "get", "/records/{records_request}"),
    ("oversight", "get", "/ledger/"),
    ("oversight", "get", "/ledger/?index=0"),
    ("oversight", "get", "/ledger/accounting"),
    ("oversight", "get", "/ledger/accounting/{subject}"),
    ("oversight", "get", "/ledger/accounting/{subject}?format=csv"),
    ("oversight", "get", "/compliance"),
    ("oversight", "get", "/compliance/OIG-REVIEW"),
    ("oversight", "get", "/reviews"),
    ("oversight", "get", "/report-returns"),
    ("oversight", "get", "/security-log"),
]

API = [
    ("requester", "/cover-requests"),
    ("requester", "/cover-requests/{request}"),
    ("requester", "/cover-orders/{order}"),
    ("requester", "/cover-orders/{order}/captures"),
    ("requester", "/cover-orders/{order}/captures/" + PIECE + "/image"),
    ("requester", "/records-requests"),
    ("requester", "/records-requests/{records_request}"),
    ("requester", "POST /productions/download"),
    ("inspector", "/records-requests/{records_request}"),
    ("inspector", "/records-requests/{records_request}/reproduction"),
    ("oversight", "/cover-orders/{order}/captures"),
    ("oversight", "/ledger/checkpoint"),
    ("oversight", "/ledger/entries/0"),
    ("oversight", "/ledger/proofs/inclusion?index=0"),
    ("oversight", "/ledger/proofs/consistency?first=1"),
    ("oversight", "/compliance"),
    ("oversight", "/compliance/OIG-REVIEW"),
    ("oversight", "/reviews"),
    ("oversight", "/report-returns"),
]


def without_form(user: User) -> User:
    NondisclosureAcknowledgment.objects.filter(user=user).delete()
    assert not user.has_nondisclosure()
    return user


def url(template: str, case: Case, user: User | None = None) -> str:
    ref = ""
    if "{ref}" in template:
        # The reference the captures page (a POST) issues with each image it shows.
        assert user is not None
        ref = image_refs.issue(user.pk, case.order, PIECE, timezone.now())
    return template.format(**vars(case), ref=ref)


def page(user: User, method: str, path: str) -> Any:
    client = signed_in(user)
    return client.post(path) if method == "post" else client.get(path)


def call(user: User, path: str, case: Case | None = None) -> Any:
    # A token from a sign-in with the one-time code, as RR-VERIFIED asks of downloads.
    token = ApiToken.issue(user, timezone.now(), 1, second_factor=True)
    headers = {"Authorization": f"Bearer {token}"}
    if path.startswith("POST "):
        # A production's download: the link's token goes in the body, never the URL.
        assert case is not None
        link = records.issue_link(user, case.records_request, timezone.now(), True).token
        body = json.dumps({"token": link})
        return Client().post(
            f"/api/v1{path[5:]}", body, content_type="application/json", headers=headers
        )
    return Client().get(f"/api/v1{path}", headers=headers)


@pytest.mark.parametrize(("who", "method", "path"), PAGES, ids=[f"{m} {p}" for _, m, p in PAGES])
def test_mc_nondisclosure_a_page_of_case_data_is_refused_without_the_form(
    people, case, who, method, path
):
    user = getattr(people, who)
    target = url(path, case, user)
    assert page(user, method, target).status_code == 200, "with the form on file"
    refused = page(without_form(user), method, target)
    assert refused.status_code == 403
    assert "(MC-NONDISCLOSURE)" in refused.content.decode()
    assert "JOHN Q PUBLIC" not in refused.content.decode()


@pytest.mark.parametrize(("who", "path"), API, ids=[p for _, p in API])
def test_mc_nondisclosure_an_api_read_of_case_data_is_refused_without_the_form(
    people, case, who, path
):
    user = getattr(people, who)
    assert call(user, url(path, case, user), case).status_code == 200, "with the form on file"
    target = url(path, case, user)
    if path.startswith("POST "):  # a download link issued while the form is on file
        link = records.issue_link(user, case.records_request, timezone.now(), True).token
        token = ApiToken.issue(user, timezone.now(), 1, second_factor=True)
        without_form(user)
        refused = Client().post(
            f"/api/v1{path[5:]}",
            json.dumps({"token": link}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
    else:
        refused = call(without_form(user), target)
    assert refused.status_code == 422, refused.content
    assert refused.json()["rule"] == "MC-NONDISCLOSURE"
    assert b"JOHN Q PUBLIC" not in refused.content


def test_mc_nondisclosure_the_home_page_shows_no_case_without_the_form(people, case):
    user = people.requester
    assert "JOHN Q PUBLIC" in signed_in(user).get("/").content.decode()
    home = signed_in(without_form(user)).get("/")
    assert home.status_code == 200
    text = home.content.decode()
    assert "MC-NONDISCLOSURE" in text
    assert "JOHN Q PUBLIC" not in text
    assert "MC-20" not in text  # no case number either


def test_mc_nondisclosure_nothing_is_disclosed_by_a_refused_read(people, case):
    from mailcover.ledger.models import Entry

    before = Entry.objects.filter(event="disclosure").count()
    requester = without_form(people.requester)
    call(requester, f"/cover-orders/{case.order}/captures")
    signed_in(requester).get(f"/orders/{case.order}")
    assert Entry.objects.filter(event="disclosure").count() == before


# --- the public parts stay public, and nothing new slips past the door ----------------------

PUBLIC_PAGES = {
    "healthz",
    "sign-in",
    "sign-out",
    "",  # home: shows no case without the form (test above)
    "transparency",
    "transparency.csv",
    "transparency.pdf",
    "api/docs",
}
# Sign-in, the session and account management: no case data behind them (the account pages
# are held by SEC-TWO-PERSON in tests/security/test_grants.py).
ACCOUNT_PAGES = {
    "sign-in/code",
    "sign-in/enrol",
    "session/extend",
    "accounts/set-password",
    "accounts/changes",
    "accounts/changes/<int:change_id>/confirm",
    "accounts/changes/<int:change_id>/refuse",
    # A person's own time zone (accounts/preferences.py): no case data, only their own row.
    "accounts/preferences",
}
# The stream's counters in the Prometheus format, and the operator's page of the stream: no
# case data (counts of pieces received and refused, no order, no subject), for the operator
# role (and a scraper's token) only (tests/stream/test_metrics.py, tests/web/test_homes.py).
OPERATIONS_PAGES = {"metrics", "stream"}
# Routes that change case data: refused at the same door (covers.views.case_view), named here
# so that the list of reads above is known to be complete.
PAGE_WRITES = {
    "requests/new",
    "requests/<int:request_id>/decide",
    "orders/<int:order_id>/<str:event>",
    "records/new",
    "records/<int:request_id>/review",
    "records/<int:request_id>/produce",
    "records/<int:request_id>/challenge-notice",
    "records/<int:request_id>/delays",
    "records/<int:request_id>/follow-up",
    "report-returns/<int:order_id>",
    "orders/<int:order_id>/discovery",
}


def _routes(patterns: Any, prefix: str = "") -> list[str]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            route = prefix + str(entry.pattern)
            if route.startswith(("admin/", "api/v1/")):
                continue
            found += _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            found.append(prefix + str(entry.pattern))
    return found


def _template(path: str) -> str:
    return (
        path.split("?")[0]
        .lstrip("/")
        .replace("{request}", "<int:request_id>")
        .replace("{order}", "<int:order_id>")
        .replace("{records_request}", "<int:request_id>")
        .replace("{subject}", "<int:subject_id>")
        .replace(PIECE, "<str:piece_id>")
        .replace("?ref={ref}", "")
        .replace("OIG-REVIEW", "<str:check_id>")
    )


def test_every_case_route_is_in_this_list() -> None:
    listed = {_template(p) for _, _, p in PAGES} | {"ledger/"}
    unlisted = (
        set(_routes(get_resolver().url_patterns))
        - listed
        - PUBLIC_PAGES
        - PAGE_WRITES
        - ACCOUNT_PAGES
        - OPERATIONS_PAGES
    )
    assert not unlisted, f"routes neither listed as case reads nor as public: {unlisted}"


@pytest.mark.parametrize("path", ["/healthz", "/sign-in", "/api/v1/ledger/public-key"])
def test_the_public_parts_stay_public(client, db, path):
    assert client.get(path).status_code == 200


def test_the_public_transparency_report_is_served_to_the_person_without_a_form(people):
    response = signed_in(without_form(people.requester)).get("/transparency")
    assert response.status_code in (200, 422)  # a period to choose; never refused by role
    assert response.status_code != 403


def test_mc_nondisclosure_oversight_without_the_form_reads_the_public_report_only(api, people):
    """The exact figures of any period are case data: without the form, oversight reads the
    transparency report as the public does (closed periods, banded)."""
    day = "start=2025-05-01&end=2025-05-01"
    assert api.get(f"/reports/transparency?{day}", people.oversight).json()["version"] == (
        "internal"
    )
    reader = without_form(people.oversight)

    one_day = api.get(f"/reports/transparency?{day}", reader)
    internal = api.get("/reports/transparency?year=2025&version=internal", reader)
    public = api.get("/reports/transparency?year=2025", reader)

    assert one_day.status_code == 422
    assert one_day.json()["rule"] == "SEC-PUBLIC-PERIOD"
    assert internal.status_code == 403
    assert public.status_code == 200
    assert public.json()["version"] == "public"
    page = signed_in(reader).get(f"/transparency?{day}")
    assert page.status_code == 422


def test_the_operator_and_the_admin_need_no_form_for_what_they_do(api, people):
    """They reach no case data, so MC-NONDISCLOSURE does not stand in their way (their
    roles do: law.roles)."""
    assert api.post("/mail-pieces", [], people.operator).status_code == 200
    refused = api.get("/cover-requests", people.operator)
    assert refused.status_code == 403  # by role, before any question of the form
