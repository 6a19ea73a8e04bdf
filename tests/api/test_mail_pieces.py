"""POST /api/v1/mail-pieces (operator) and GET /api/v1/cover-orders/{id}/captures
(requesting authority, oversight): MC-NO-ORDER-NO-DATA, MC-ATTORNEY, MC-REPORTING,
MC-IMPROPER, PA-ACCOUNT; every bad item refused with its index and the rest kept."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from mailcover.accounts.models import Agency, IdempotencyRecord
from mailcover.covers import feeds, ingest
from mailcover.covers.captures import exterior
from mailcover.covers.models import AttorneyExclusion, Capture, CoverOrder, StreamTally
from mailcover.ledger.accounting import accounting_for
from mailcover.ledger.models import Entry
from mailcover.postal.imb import encode

TO_SUBJECT = ["JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234"]
STRANGER = ["ZEBULON QUIGLEY", "987 ELM AVE", "DENVER CO 80201"]
SECRETS = ("ZEBULON", "QUIGLEY", "987 ELM", "P-SECRET-9")
ROUTING = "62704123404"
TRACKING = "00040123456200800001"


def event(piece_id: str = "P-1", addressee: Any = TO_SUBJECT, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "piece_id": piece_id,
        "scanned_at": timezone.now().isoformat(),
        "facility": "SPRINGFIELD IL P&DC",
        "mail_class": "first-class",
        "imb": None,
        "addressee": addressee,
        "return_address": ["ACME CORP", "PO BOX 100", "DENVER CO 80201"],
        "image": None,
    }
    body.update(changes)
    return body


@pytest.fixture(autouse=True)
def addressed_agencies(people: Any) -> None:
    # PA-ACCOUNT: a disclosure names its recipient's address.
    Agency.objects.filter(address="").update(address="1 POLICE PLAZA, SPRINGFIELD IL 62701")


@pytest.fixture(autouse=True)
def operator_feeds_springfield(people: Any) -> None:
    # SEC-OPERATOR: the operator feeds the facility these events come from.
    feeds.bind(people.operator, "SPRINGFIELD IL P&DC", timezone.now())


def kept() -> list[str]:
    """The piece ids captured (the answer no longer tells the sender)."""
    return sorted(Capture.objects.values_list("piece_id", flat=True))


def feed(api: Any, people: Any, events: Any, **headers: str) -> Any:
    return api.post("/mail-pieces", events, people.operator, headers or None)


def fed(api: Any, people: Any, events: Any) -> dict[str, Any]:
    response = feed(api, people, events)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def errors(body: dict[str, Any]) -> dict[int, str]:
    return {item["index"]: item["error"] for item in body["rejected"]}


# --- feeding the stream ------------------------------------------------------------------


def test_a_piece_to_the_subject_is_captured_and_put_on_the_ledger(api, people, order_id):
    body = fed(api, people, [event("P-1"), event("P-2", STRANGER)])

    assert body == {"received": 2, "rejected": []}
    capture = Capture.objects.get()
    assert (capture.order_id, capture.piece_id) == (order_id, "P-1")
    assert exterior(capture).addressee == tuple(TO_SUBJECT)
    assert capture.matched_on == "address"
    entry = Entry.objects.get(event="capture.recorded")
    assert json.loads(entry.data)["details"]["piece_sha256"] == capture.sha256
    assert entry.case_number == CoverOrder.objects.get(pk=order_id).case_number


def test_a_barcode_keyed_piece_is_captured_by_its_routing_code(api, people, order_id):
    fed(api, people, [event("P-1", imb=encode(TRACKING, ROUTING))])
    assert kept() == ["P-1"]
    assert exterior(Capture.objects.get()).imb == encode(TRACKING, ROUTING)


def test_mc_definition_a_capture_keeps_the_exterior_only_and_ignores_other_fields(
    api, people, order_id
):
    fed(api, people, [event("P-1", contents="Dear John, the money is under the floor.")])
    capture = Capture.objects.values().get()
    assert "floor" not in repr(capture)
    assert set(capture) == {
        "id",
        "order_id",
        "piece_id",
        "scanned_at",
        "facility",
        "mail_class",
        "sealed",
        "image",
        "matched_on",
        "captured_at",
        "sha256",
        "feed",
        "fed_by_id",
        "ocr_confidence",  # how sure the OCR was of lines read from the photograph
    }


def test_re_feeding_the_same_pieces_captures_nothing_twice(api, people, order_id):
    fed(api, people, [event("P-1")])
    fed(api, people, [event("P-1")])
    tally = StreamTally.objects.order_by("pk").last()
    assert tally is not None
    assert (tally.captured, tally.already_captured) == (0, 1)
    assert Capture.objects.count() == 1
    assert Entry.objects.filter(event="capture.recorded").count() == 1


def test_sec_operator_a_piece_repeated_in_one_batch_is_matched_once(api, people, order_id):
    """Copies of one piece in a batch would multiply the time a covered piece costs into
    something an operator could measure: the repeats are refused, the first is matched."""
    body = fed(api, people, [event("P-1"), event("P-1"), event("P-2"), event("P-1")])
    assert body["received"] == 4
    assert [r["index"] for r in body["rejected"]] == [1, 3]
    assert all("repeats an earlier item" in r["error"] for r in body["rejected"])
    assert Capture.objects.count() == 2


def test_mc_attorney_mail_from_the_known_attorney_is_counted_never_kept(api, people, order_id):
    from_attorney = event(
        "P-1", return_address=["JANE ROE ESQ", "1 COURT SQ", "SPRINGFIELD IL 62701"]
    )
    body = fed(api, people, [from_attorney])
    assert body == {"received": 1, "rejected": []}  # the sender is not told it was withheld
    assert StreamTally.objects.get().excluded == 1
    assert not Capture.objects.exists()
    assert AttorneyExclusion.objects.get(order_id=order_id).pieces == 1


def test_mc_no_order_no_data_a_piece_scanned_before_the_order_is_not_captured(
    api, people, order_id
):
    early = event("P-1", scanned_at=(timezone.now() - timedelta(days=2)).isoformat())
    fed(api, people, [early])
    assert not Capture.objects.exists()
    assert StreamTally.objects.get().outside_window == 1  # for oversight, not the sender


def test_mc_no_order_no_data_a_piece_no_order_covers_leaves_only_counts(
    api, people, order_id, caplog
):
    caplog.set_level(logging.DEBUG)
    stranger = event("P-SECRET-9", STRANGER, return_address=STRANGER)
    unreadable = event("P-SECRET-9", ["ZEBULON QUIGLEY", "987 ELM", "NOWHERE ZZ 00000"])
    body = fed(api, people, [stranger, unreadable])
    assert not Capture.objects.exists()
    assert len(body["rejected"]) == 1
    # Not in any table (captures, tallies, the ledger, the idempotency store), not in a log,
    # not in the answer.
    for model in apps.get_models():
        for row in model.objects.all().values():
            text = repr(row)
            for secret in SECRETS:
                assert secret not in text, f"{model.__name__} holds {secret}"
    for secret in SECRETS:
        assert secret not in caplog.text
        assert secret not in json.dumps(body)
    tally = StreamTally.objects.get()
    assert (tally.received, tally.no_order, tally.rejected) == (2, 1, 1)
    assert (
        json.loads(Entry.objects.get(event="mail.ingested").data)["details"]["counts"]["no_order"]
        == 1
    )


def test_an_idempotency_key_replays_the_answer_and_keeps_no_piece(api, people, order_id):
    batch = [event("P-SECRET-9", STRANGER), event("P-2")]
    first = feed(api, people, batch, **{"Idempotency-Key": "batch-1"})
    second = feed(api, people, batch, **{"Idempotency-Key": "batch-1"})
    assert first.json() == second.json()
    assert StreamTally.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    for secret in SECRETS:
        assert secret.encode() not in bytes(record.body)


BAD_ITEMS = [
    ("not an object", ["P-1"], "must be a JSON object"),
    ("no piece_id", {"piece_id": None}, "piece_id is missing"),
    ("piece_id not a string", {"piece_id": 7}, "piece_id must be a string, not a number"),
    ("piece_id with spaces", {"piece_id": "P 1"}, "piece_id must be 1 to 64"),
    ("no scanned_at", {"scanned_at": None}, "scanned_at is missing"),
    ("scanned_at not a date", {"scanned_at": "yesterday"}, "ISO 8601"),
    ("scanned_at without a zone", {"scanned_at": "2026-11-24T10:15:00"}, "no time zone"),
    ("scanned_at in the future", {"scanned_at": "2099-01-01T00:00:00Z"}, "in the future"),
    ("no facility", {"facility": ""}, "facility is empty"),
    ("unknown mail class", {"mail_class": "postcard"}, "mail_class must be one of"),
    ("imb too short", {"imb": "ADFT" * 16}, "imb must be 65 bars, not 64"),
    ("imb with bad letters", {"imb": "X" + "A" * 64}, "bar 1 is not"),
    ("imb not a string", {"imb": 12}, "imb must be a string of bars or null"),
    ("addressee not a list", {"addressee": "JOHN"}, "addressee must be a list"),
    ("addressee line not a string", {"addressee": ["JOHN", 4]}, "addressee line 2"),
    ("image outside the stream", {"image": "../etc/passwd"}, "inside its folder"),
    ("a control character", {"facility": "P&DC\u0000"}, "control character"),
    ("an unpaired surrogate", {"addressee": ["JOHN Q PUBLIC\ud800"]}, "unpaired surrogate"),
    ("nothing to read", {"addressee": None}, "no barcode, and no addressee lines"),
    (
        "bars that fail the CRC, no text",
        {"addressee": None, "imb": "D" + encode(TRACKING, ROUTING)[1:]},
        "the barcode did not decode",
    ),
    ("unparseable address", {"addressee": ["JOHN Q PUBLIC", "ELM"]}, "no ZIP Code"),
    (
        "unknown ZIP",
        {"addressee": ["JOHN Q PUBLIC", "9 OAK ST", "NOWHERE ZZ 00000"]},
        "not on the ZIP Code list",
    ),
    (
        "no street",
        {"addressee": ["JOHN Q PUBLIC", "SPRINGFIELD IL 62704"]},
        "no street address",
    ),
]


@pytest.mark.parametrize(("case", "change", "message"), BAD_ITEMS, ids=[b[0] for b in BAD_ITEMS])
def test_a_bad_item_is_rejected_with_its_index_and_the_rest_is_kept(
    api, people, order_id, case, change, message
):
    bad = change if isinstance(change, list) else {**event("P-BAD"), **change}
    body = fed(api, people, [event("P-1"), bad, event("P-3")])
    assert body["received"] == 3
    assert list(errors(body)) == [1]
    assert message in errors(body)[1]
    assert sorted(Capture.objects.values_list("piece_id", flat=True)) == ["P-1", "P-3"]


def test_a_crc_failure_with_readable_text_is_matched_by_the_text(api, people, order_id):
    damaged = "D" + encode(TRACKING, ROUTING)[1:]
    fed(api, people, [event("P-1", imb=damaged)])
    assert kept() == ["P-1"]


def test_items_past_the_batch_limit_are_rejected_in_one_entry(api, people, order_id, monkeypatch):
    monkeypatch.setattr(ingest, "BATCH_LIMIT", 2)
    body = fed(api, people, [event("P-1"), event("P-2"), event("P-3"), event("P-4")])
    assert body["received"] == 4
    assert kept() == ["P-1", "P-2"]
    assert list(errors(body)) == [2]
    assert "items 2 to 3 are over the batch limit of 2" in errors(body)[2]
    assert StreamTally.objects.get().rejected == 2


def test_the_answer_tells_the_sender_nothing_of_pieces_it_did_not_capture(api, people, order_id):
    # A one-piece batch must not say whether an order covers an address at another time
    # (outside_window) or in another way (unreadable, no_order).
    years_ago = (timezone.now() - timedelta(days=3650)).isoformat()
    answers = [
        fed(api, people, [piece])
        for piece in (event("P-1", scanned_at=years_ago), event("P-2", STRANGER))
    ]
    assert answers[0] == answers[1]
    assert set(answers[0]) == {"received", "rejected"}


@pytest.mark.parametrize(
    ("body", "message"),
    [("{not json", "must be a JSON array"), ('{"piece_id": "P-1"}', "must be a JSON array")],
)
def test_a_body_that_is_not_an_array_is_refused_whole(api, people, body, message):
    response = api.client.post(
        "/api/v1/mail-pieces",
        data=body,
        content_type="application/json",
        headers=api._headers(people.operator, None),
    )
    assert response.status_code == 400
    assert message in response.json()["detail"]


@pytest.mark.parametrize("key", [None, "big-1"])
def test_a_body_over_the_size_limit_is_refused_whole(api, people, settings, key):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    headers = {"Idempotency-Key": key} if key else {}
    response = feed(api, people, [event(f"P-{i}") for i in range(20)], **headers)
    assert response.status_code == 413
    assert "over 1000 bytes" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    ["[" + "9" * 5000 + "]", "[" * 100_000 + "]" * 100_000, '["abc', b'["\xff"]'],
    ids=["a number too long", "nested too deeply", "unterminated", "not UTF-8"],
)
def test_json_that_cannot_be_read_is_a_400_never_a_crash(api, people, body):
    response = api.client.post(
        "/api/v1/mail-pieces",
        data=body,
        content_type="application/json",
        headers=api._headers(people.operator, None),
    )
    assert response.status_code == 400
    assert "must be a JSON array" in response.json()["detail"]


@pytest.mark.parametrize("who", ["requester", "approver", "oversight", "admin"])
def test_only_the_operator_feeds_the_mail_stream(api, people, who):
    response = api.post("/mail-pieces", [event()], getattr(people, who))
    assert response.status_code == 403
    assert not StreamTally.objects.exists()


def test_feeding_the_stream_needs_a_sign_in(api):
    assert api.post("/mail-pieces", [event()], None).status_code == 401


# --- reading captures -------------------------------------------------------------------


def captured(api: Any, people: Any, count: int = 1) -> None:
    fed(api, people, [event(f"P-{i}") for i in range(1, count + 1)])


def test_the_requesting_authority_reads_the_captures_and_that_is_a_disclosure(
    api, people, order_id
):
    captured(api, people, 3)
    response = api.get(f"/cover-orders/{order_id}/captures?limit=2", people.requester)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["total"], body["offset"]) == (3, 0)
    assert [c["piece_id"] for c in body["captures"]] == ["P-1", "P-2"]
    assert set(body["captures"][0]) >= {
        "piece_id",
        "scanned_at",
        "facility",
        "mail_class",
        "addressee",
        "return_address",
        "image_url",
    }
    order = CoverOrder.objects.select_related("request").get(pk=order_id)
    [disclosure] = accounting_for(order.request.subject_id)
    assert disclosure.case_number == order.case_number
    assert disclosure.disclosure.recipient_name == "Springfield Police Department"
    assert disclosure.disclosure.law_enforcement
    assert "2 of the 3 pieces" in disclosure.disclosure.nature


def test_oversight_reads_the_captures_and_that_is_accounted_for_too(api, people, order_id):
    captured(api, people)
    assert api.get(f"/cover-orders/{order_id}/captures", people.oversight).status_code == 200
    order = CoverOrder.objects.select_related("request").get(pk=order_id)
    [disclosure] = accounting_for(order.request.subject_id)
    assert not disclosure.disclosure.law_enforcement
    assert "oversight" in disclosure.disclosure.purpose


def test_a_page_with_no_captures_discloses_nothing(api, people, order_id):
    response = api.get(f"/cover-orders/{order_id}/captures", people.requester)
    assert response.json()["captures"] == []
    assert not Entry.objects.filter(event="disclosure").exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("outsider", 404), ("approver", 403), ("chief", 403), ("operator", 403), ("admin", 403)],
)
def test_mc_reporting_no_one_else_reads_the_captures(api, people, order_id, who, status):
    captured(api, people)
    response = api.get(f"/cover-orders/{order_id}/captures", getattr(people, who))
    assert response.status_code == status
    assert not Entry.objects.filter(event="disclosure").exists()


def test_mc_improper_an_order_ruled_improper_releases_nothing(api, people, order_id):
    captured(api, people)
    ruling = {"reasons": "The statute cited carries no prison term; no lawful ground."}
    assert api.post(f"/cover-orders/{order_id}/improper", ruling, people.chief).status_code == 200
    response = api.get(f"/cover-orders/{order_id}/captures", people.requester)
    assert response.status_code == 422
    assert response.json()["rule"] == "MC-IMPROPER"
    assert not Entry.objects.filter(event="disclosure").exists()


def test_mc_no_order_no_data_nothing_is_captured_once_the_order_is_ruled_improper(
    api, people, order_id
):
    ruling = {"reasons": "The statute cited carries no prison term; no lawful ground."}
    api.post(f"/cover-orders/{order_id}/improper", ruling, people.chief)
    fed(api, people, [event("P-1")])
    assert not Capture.objects.exists()


def test_mc_emergency_an_unconfirmed_emergency_order_releases_nothing(api, people, history):
    order = history.order(
        history.ago(4),
        people.iic,
        emergency=True,
        emergency_reason="Threat of harm to a witness by the next letter.",
    )
    Capture.objects.create(
        order=order,
        piece_id="P-1",
        scanned_at=history.ago(3.9),
        facility="SPRINGFIELD IL P&DC",
        mail_class="first-class",
        matched_on="address",
        captured_at=history.ago(3.9),
        sha256="0" * 64,
    )
    response = api.get(f"/cover-orders/{order.pk}/captures", people.requester)
    assert response.status_code == 422
    assert response.json()["rule"] == "MC-EMERGENCY"
    assert not Entry.objects.filter(event="disclosure").exists()


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=501", "offset=-1", "limit=x", f"offset={10**30}"]
)
def test_a_bad_page_is_refused(api, people, order_id, query):
    response = api.get(f"/cover-orders/{order_id}/captures?{query}", people.requester)
    assert response.status_code == 422
