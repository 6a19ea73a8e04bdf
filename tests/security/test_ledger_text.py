"""The reader of the append-only ledger, years later and after the data was destroyed: the
ledger holds who did what, when and to which case, never a text someone typed about a
person. Facts, reasons, notes, a records request's purpose, a discovery caption naming the
subject, a court's reference: each goes there only as its SHA-256 digest, which the row it
was typed into (or the paper it came from) can be checked against.

The walk takes every free-text value the demo's world holds in its tables (and the caption
of a discovery package, which no table keeps) and looks for it in every ledger entry. The
one exception is a disclosure's recipient, whose name and address the Privacy Act's
accounting must state (5 U.S.C. 552a(c)(1)): it is skipped by name."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from mailcover.accounts.models import User
from mailcover.covers import models as covers
from mailcover.covers.models import CoverOrder
from mailcover.law.discovery import DiscoveryDraft
from mailcover.law.orders import order_status
from mailcover.law.terms import OrderStatus
from mailcover.ledger.models import Entry
from mailcover.oversight.actions import export_discovery
from mailcover.oversight.models import ReportReturn
from mailcover.records import models as records

pytestmark = pytest.mark.django_db

SHORTEST = 8  # shorter texts ("none", "OK") say nothing and would match by chance
CAPTION = "UNITED STATES v. ZEBEDIAH QUARTERMAINE, No. 1:26-cr-00777"
COURT = "U.S. DISTRICT COURT FOR THE QUARTERMAINE MATTER"


# Every field a person types free text into, model by model.
FREE_TEXT: list[tuple[Any, list[str]]] = [
    (covers.Subject, ["name", "address", "aliases"]),
    (
        covers.CoverRequest,
        [
            "facts",
            "scope_justification",
            "emergency_reason",
            "agency_head_name",
            "investigative_benefit",
        ],
    ),
    (covers.Attorney, ["name", "address"]),
    (covers.Decision, ["reason"]),
    (covers.EmergencyConfirmation, ["statement"]),
    (covers.IndictmentNotice, ["note"]),
    (covers.ImproperRuling, ["reasons"]),
    (covers.Review, ["note"]),
    (records.Customer, ["name", "address", "email", "phone"]),
    (
        records.RecordsRequest,
        ["purpose", "identifiers", "emergency_facts", "emergency_attested_by"],
    ),
    (records.RecordsDecision, ["reason"]),
    (records.NoticeDelay, ["court_reference"]),
    (ReportReturn, ["certified_by", "note"]),
]


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value.strip()
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


def typed_texts() -> set[str]:
    """Every free text the tables hold, long enough to mean something."""
    found: set[str] = set()
    for model, fields in FREE_TEXT:
        for row in model.objects.values_list(*fields):
            found.update(t for t in _texts(list(row)) if len(t) >= SHORTEST)
    return found


def entry_values(entry: Entry) -> Iterator[tuple[str, str]]:
    """(where, text) for each string an entry holds, but the recipient of a disclosure."""
    data = json.loads(bytes(entry.data))
    details = {k: v for k, v in data.get("details", {}).items() if k != "recipient"}
    for where, part in (("refs", data.get("refs", {})), ("details", details)):
        for key, value in part.items():
            for text in _texts(value):
                yield f"{entry.seq} {entry.event} {where}.{key}", text


def typed_text_on_the_ledger(known: set[str]) -> list[str]:
    lowered = [(k, k.lower()) for k in known]
    found = []
    for entry in Entry.objects.order_by("seq"):
        for where, text in entry_values(entry):
            low = text.lower()
            found += [f"{where}: {k!r}" for k, k_low in lowered if k_low in low]
    return found


def discovery_of_an_active_order() -> None:
    now = timezone.now()
    requester = User.objects.get(username="requester")
    order = next(
        o
        for o in CoverOrder.objects.filter(agency=requester.agency)
        if order_status(o.facts(), now) is OrderStatus.ACTIVE
    )
    draft = DiscoveryDraft(CAPTION, COURT, "JANE ROE ESQ", "1 COURT SQ, SPRINGFIELD IL 62701")
    export_discovery(requester, order, draft, now)


def test_sec_ledger_text_no_entry_of_the_demo_holds_text_a_person_typed(
    settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"
    call_command("seed_demo", "--no-photographs", stdout=StringIO())
    discovery_of_an_active_order()
    known = typed_texts() | {CAPTION, COURT}
    assert len(known) > 40, "the walk found too few texts to prove anything"
    assert Entry.objects.count() > 100

    assert typed_text_on_the_ledger(known) == []


def test_sec_ledger_text_the_demos_typed_texts_are_there_as_digests(settings, tmp_path):
    """What replaced them: the digests oversight checks the rows against."""
    settings.MEDIA_ROOT = tmp_path / "files"
    call_command("seed_demo", "--no-photographs", stdout=StringIO())
    discovery_of_an_active_order()

    def details(event: str) -> list[dict[str, Any]]:
        return [e.entry.details for e in Entry.objects.filter(event=event)]

    delay = records.NoticeDelay.objects.first()
    assert delay is not None
    assert {"court_reference_sha256": sha256(delay.court_reference)}.items() <= (
        details("records.notice_delayed")[0].items()
    )
    produced = records.Production.objects.select_related("request").first()
    assert produced is not None
    accounted = Entry.objects.get(seq=produced.ledger_seq).entry.details
    assert accounted["purpose_sha256"] == sha256(produced.request.purpose.strip())
    assert produced.request.purpose.strip() not in accounted["purpose"]
    (discovery,) = [d for d in details("disclosure") if "proceeding_sha256" in d]
    assert discovery["proceeding_sha256"] == sha256(f"{CAPTION}\n{COURT}")
    assert discovery["purpose"] == "discovery in a legal proceeding (39 CFR 233.3(h)(3))"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
