"""The demo's year in the transparency report: rendered as HTML, CSV and PDF, every figure
agrees with the database, counted here directly from the rows."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader
from tests.conftest import signed_in

from mailcover.accounts.models import User
from mailcover.covers.models import AttorneyExclusion, CoverRequest, ImproperRuling
from mailcover.oversight import transparency
from mailcover.records.models import CustomerNotice, NoticeDelay, RecordsRequest

pytestmark = pytest.mark.django_db(transaction=False)


def _inside(start: date, end: date, moment: datetime | None) -> bool:
    return moment is not None and start <= moment.astimezone(UTC).date() <= end


def expected(start: date, end: date) -> dict[str, Any]:
    """The figures, counted row by row from the models."""
    covers = [
        r
        for r in CoverRequest.objects.select_related("agency", "decision")
        if _inside(start, end, r.filed_at)
    ]
    initial = [r for r in covers if r.kind == "initial"]
    extensions = [r for r in covers if r.kind == "extension"]
    records = [
        r
        for r in RecordsRequest.objects.select_related("decision", "production")
        if _inside(start, end, r.filed_at)
    ]
    categories: Counter[str] = Counter(c for r in records for c in set(r.categories))
    return {
        "requested": len(initial),
        "approved": sum(1 for r in initial if r.state == "approved"),
        "denied": sum(1 for r in initial if r.state == "denied"),
        "emergency": sum(1 for r in initial if r.emergency),
        "extensions": len(extensions),
        "improper": sum(1 for r in ImproperRuling.objects.all() if _inside(start, end, r.ruled_at)),
        "crime": sum(1 for r in initial if r.grounds == "crime"),
        "local": sum(1 for r in initial if r.agency.level == "local"),
        "attorney_pieces_excluded": sum(
            e.pieces for e in AttorneyExclusion.objects.all() if start <= e.scanned_on <= end
        ),
        "received": len(records),
        "produced": sum(1 for r in records if r.state == "produced"),
        "refused": sum(1 for r in records if r.state == "refused"),
        "subpoena": sum(1 for r in records if r.instrument == "subpoena"),
        "subscriber": categories["subscriber"],
        "notices_sent": sum(
            1 for n in CustomerNotice.objects.all() if _inside(start, end, n.sent_at)
        ),
        "notices_delayed": len(
            {
                d.request_id
                for d in NoticeDelay.objects.all()
                if d.starts_on <= end and (d.ends_on is None or d.ends_on >= start)
            }
        ),
    }


def test_the_demo_years_report_renders_in_html_csv_and_pdf_and_matches_the_database() -> None:
    call_command("seed_demo", "--no-photographs", stdout=StringIO())
    end = datetime.now(UTC).date()
    start = end - timedelta(days=364)
    want = expected(start, end)
    assert want["requested"] >= 10  # the demo has something to count
    assert all(want[k] > 0 for k in ("approved", "denied", "improper", "received"))

    report = transparency.as_json(transparency.build_report(start, end))
    covers, records = report["mail_covers"], report["records_requests"]
    got = {
        **{k: covers[k] for k in ("requested", "approved", "denied", "emergency")},
        **{k: covers[k] for k in ("extensions", "improper", "attorney_pieces_excluded")},
        "crime": covers["by_grounds"]["crime"],
        "local": covers["by_agency_level"]["local"],
        **{k: records[k] for k in ("received", "produced", "refused")},
        "subpoena": records["by_instrument"]["subpoena"],
        "subscriber": records["by_category"]["subscriber"],
        **{k: records[k] for k in ("notices_sent", "notices_delayed")},
    }
    assert got == want
    assert sum(covers["by_grounds"].values()) == want["requested"]
    assert sum(covers["durations"]["bands"].values()) == want["approved"]

    oversight = signed_in(User.objects.get(username="oversight"))
    query = f"start={start}&end={end}"

    page = oversight.get(f"/transparency?{query}").content.decode()
    for figure, count in (
        ("mail_covers.requested", want["requested"]),
        ("mail_covers.denied", want["denied"]),
        ("mail_covers.by_grounds.crime", want["crime"]),
        ("records_requests.received", want["received"]),
    ):
        row = page.split(f'data-figure="{figure}"')[1].split("</tr>")[0]
        assert f'data-testid="value">{count}</td>' in row, figure

    rows = csv.DictReader(io.StringIO(oversight.get(f"/transparency.csv?{query}").content.decode()))
    by_cell = {(r["section"], r["measure"], r["key"]): r["value"] for r in rows}
    assert by_cell[("mail_covers", "requested", "")] == str(want["requested"])
    assert by_cell[("mail_covers", "improper", "")] == str(want["improper"])
    assert by_cell[("records_requests", "by_instrument", "subpoena")] == str(want["subpoena"])
    assert by_cell[("records_requests", "notices_sent", "")] == str(want["notices_sent"])

    pdf = PdfReader(io.BytesIO(oversight.get(f"/transparency.pdf?{query}").content))
    lines = "\n".join(p.extract_text() for p in pdf.pages).splitlines()
    assert f"Requested {want['requested']}" in lines
    assert f"Approved {want['approved']}" in lines
    assert f"Denied {want['denied']}" in lines
    assert f"Crime (a felony) {want['crime']}" in lines
    assert f"Received {want['received']}" in lines
    assert f"Produced {want['produced']}" in lines

    # Not a calendar period: the public is refused it (SEC-PUBLIC-PERIOD); oversight may
    # see how its public version would read.
    assert Client().get(f"/transparency.csv?{query}").status_code == 422
    public = oversight.get(f"/transparency.csv?{query}&version=public").content.decode()
    small = [k for k in ("denied", "improper") if want[k] < 10]
    for measure in small:
        assert f"mail_covers,{measure},,0-9" in public
