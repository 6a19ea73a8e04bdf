"""Every POST honours an Idempotency-Key (DESIGN.md, The public API): the same caller, key
and body get the first answer again and create nothing new; the same key with another body
is a 409."""

from __future__ import annotations

import hashlib
import json

import pytest

from mailcover.accounts.models import IdempotencyRecord
from mailcover.covers.models import CoverOrder, CoverRequest, Decision


@pytest.fixture
def as_requester(people, bearer):
    """The requester's headers, one token for every call, as a retrying client sends them."""
    return bearer(people.requester)


def with_key(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


def test_the_same_key_and_body_return_the_first_answer_and_create_nothing_new(
    api, make_body, as_requester
):
    headers = with_key(as_requester, "file-0001")
    first = api.post("/cover-requests", make_body(), None, headers)

    again = api.post("/cover-requests", make_body(), None, headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert CoverRequest.objects.count() == 1


def test_the_same_key_with_another_body_is_409(api, make_body, as_requester):
    headers = with_key(as_requester, "file-0002")
    api.post("/cover-requests", make_body(), None, headers)

    response = api.post("/cover-requests", make_body(days=20), None, headers)

    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["detail"]
    assert CoverRequest.objects.count() == 1


def test_the_same_key_on_another_call_is_409(api, people, make_body, as_requester, order_id):
    headers = with_key(as_requester, "file-0003")
    api.post("/cover-requests", make_body(), None, headers)

    response = api.post(f"/cover-orders/{order_id}/extensions", make_body(), None, headers)

    assert response.status_code == 409


def test_a_new_key_does_not_get_round_the_double_submit_check(api, make_body, as_requester):
    api.post("/cover-requests", make_body(), None, with_key(as_requester, "file-0004"))

    response = api.post("/cover-requests", make_body(), None, with_key(as_requester, "file-0005"))

    assert response.status_code == 409
    assert CoverRequest.objects.count() == 1


def test_a_key_belongs_to_its_caller(api, people, make_body, as_requester, bearer):
    api.post("/cover-requests", make_body(), None, with_key(as_requester, "shared-key"))

    response = api.post(
        "/cover-requests", make_body(), None, with_key(bearer(people.colleague), "shared-key")
    )

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert CoverRequest.objects.count() == 2


def test_a_refusal_is_replayed_too(api, make_body, as_requester):
    headers = with_key(as_requester, "file-0006")
    first = api.post("/cover-requests", make_body(days=31), None, headers)

    again = api.post("/cover-requests", make_body(days=31), None, headers)

    assert first.status_code == again.status_code == 422
    assert again.json() == first.json()
    assert again.json()["rule"] == "MC-PERIOD"
    assert again["Idempotent-Replayed"] == "true"
    assert not CoverRequest.objects.exists()


def test_a_retried_approval_returns_the_order_instead_of_409(api, people, filed, bearer):
    headers = with_key(bearer(people.approver), "approve-0001")
    request_id = filed()
    first = api.post(f"/cover-requests/{request_id}/approve", {}, None, headers)

    again = api.post(f"/cover-requests/{request_id}/approve", {}, None, headers)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Decision.objects.count() == CoverOrder.objects.count() == 1


def test_a_retried_extension_is_filed_once(api, order_id, extension, as_requester):
    headers = with_key(as_requester, "extend-0001")
    first = api.post(f"/cover-orders/{order_id}/extensions", extension(), None, headers)

    again = api.post(f"/cover-orders/{order_id}/extensions", extension(), None, headers)

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert CoverRequest.objects.filter(kind="extension").count() == 1


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_retry_while_the_first_call_is_still_being_processed_is_409(
    api, make_body, as_requester, people
):
    IdempotencyRecord.objects.create(
        caller=f"user:{people.requester.pk}",
        key="file-0007",
        path="/api/v1/cover-requests",
        body_digest=sha256(json.dumps(make_body())),
        status=0,
        content_type="",
        body=b"",
    )

    response = api.post("/cover-requests", make_body(), None, with_key(as_requester, "file-0007"))

    assert response.status_code == 409
    assert "still being processed" in response.json()["detail"]
    assert not CoverRequest.objects.exists()


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_an_empty_or_overlong_key_is_400(api, make_body, as_requester, key):
    response = api.post("/cover-requests", make_body(), None, with_key(as_requester, key))

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not CoverRequest.objects.exists()


def test_a_post_without_a_key_is_not_recorded(api, people, make_body):
    api.post("/cover-requests", make_body(), people.requester)

    assert not IdempotencyRecord.objects.exists()


def test_the_same_key_from_the_same_person_with_a_new_token_replays_the_first_answer(
    api, make_body, people
):
    first = api.post("/cover-requests", make_body(), people.requester, {"Idempotency-Key": "k-9"})
    again = api.post("/cover-requests", make_body(), people.requester, {"Idempotency-Key": "k-9"})

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert CoverRequest.objects.count() == 1


def test_the_same_key_from_another_person_is_their_own_key(api, make_body, people):
    mine = api.post("/cover-requests", make_body(), people.requester, {"Idempotency-Key": "k-1"})
    theirs = api.post(
        "/cover-requests",
        make_body(
            subject={
                "name": "RICHARD ROE",
                "aliases": [],
                "address": "9 OAK ST, SPRINGFIELD IL 62704",
            }
        ),
        people.colleague,
        {"Idempotency-Key": "k-1"},
    )

    assert mine.status_code == theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]
