"""GET /api/v1/ledger/...: the signed checkpoint, the public key, entries and proofs.

Who may read them (oversight; the public key is for anyone), that what they return
checks out with nothing but the public key and the Merkle verifiers, and that a
question the tree cannot answer is refused naming the problem.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from mailcover.accounts.models import Agency, NondisclosureAcknowledgment, User
from mailcover.ledger import checkpoints, log, merkle, note
from mailcover.ledger.events import EventName
from mailcover.ledger.models import Checkpoint, Entry

Json = dict[str, Any]
ADDED = 10
CLOSED_TO = ["requester", "approver", "chief", "operator", "admin", "inspector", "outsider"]
OVERSIGHT_CALLS = [
    "/ledger/checkpoint",
    "/ledger/entries/0",
    "/ledger/proofs/inclusion?index=0",
    "/ledger/proofs/consistency?first=1",
]


def append(count: int) -> None:
    for number in range(count):
        log.record(
            None, EventName.MAIL_INGESTED, timezone.now(), case="MC-2026-000001", number=number
        )


def opened(text: str) -> note.Checkpoint:
    return note.open_checkpoint(text, checkpoints.verifier(), settings.MAILCOVER_LEDGER_ORIGIN)


def unbase64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def answer(response: Any, status: int = 200) -> Json:
    assert response.status_code == status, response.content
    body: Json = response.json()
    return body


def refusal(response: Any, status: int = 422) -> str:
    detail: str = answer(response, status)["detail"]
    return detail


def stored(index: int) -> bytes:
    return bytes(Entry.objects.get(seq=index).data)


@pytest.fixture
def tree(people: Any) -> int:
    """The people's own entries (each account added is one) and ADDED more, with a
    checkpoint signed over all of them; the size of the tree."""
    append(ADDED)
    checkpoints.publish(timezone.now())
    size = log.tree_size()
    assert size > ADDED
    return size


@pytest.fixture
def watcher(db: None) -> User:
    """An oversight account made without provisioning, which would put it on the ledger:
    for asking an empty ledger. It sits at an oversight body (SEC-ROLE-AGENCY) and its
    nondisclosure acknowledgment is on file (MC-NONDISCLOSURE: no one reads the ledger
    without one)."""
    body = Agency.objects.create(name="Office of Inspector General", level="oversight")
    user = User.objects.create(username="watcher", roles=["oversight"], agency=body)
    NondisclosureAcknowledgment.objects.create(user=user, signed_on=timezone.now().date())
    return user


class TestWhoMayRead:
    @pytest.mark.parametrize("path", OVERSIGHT_CALLS)
    def test_oversight_reads_the_checkpoint_entries_and_proofs(
        self, api: Any, people: Any, tree: int, path: str
    ) -> None:
        assert api.get(path, people.oversight).status_code == 200

    @pytest.mark.parametrize("path", OVERSIGHT_CALLS)
    @pytest.mark.parametrize("persona", CLOSED_TO)
    def test_everyone_else_is_forbidden(
        self, api: Any, people: Any, tree: int, path: str, persona: str
    ) -> None:
        detail = refusal(api.get(path, getattr(people, persona)), 403)

        assert detail

    @pytest.mark.parametrize("path", OVERSIGHT_CALLS)
    def test_a_caller_without_a_token_is_told_to_sign_in(
        self, api: Any, tree: int, path: str
    ) -> None:
        assert "sign in" in refusal(api.get(path, None), 401)

    def test_the_public_key_is_for_anyone_without_a_token(self, api: Any, db: None) -> None:
        response = api.get("/ledger/public-key", None)

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        assert response.content.decode() == checkpoints.verifier().to_string() + "\n"

    def test_the_public_key_is_the_verifier_of_the_signing_key_under_the_origin(
        self, api: Any, db: None
    ) -> None:
        text = api.get("/ledger/public-key", None).content.decode()

        key = note.Verifier.parse(text.strip())
        assert key == checkpoints.signer().verifier()
        assert key.name == settings.MAILCOVER_LEDGER_ORIGIN


class TestCheckpoint:
    def test_the_checkpoint_is_a_note_signed_by_the_public_key_at_the_current_size(
        self, api: Any, people: Any, tree: int
    ) -> None:
        response = api.get("/ledger/checkpoint", people.oversight)

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        checkpoint = opened(response.content.decode())
        assert checkpoint.size == log.tree_size() == tree
        assert checkpoint.root_hash == log.root_at(tree)

    def test_the_checkpoint_opens_with_the_key_the_public_key_call_hands_out(
        self, api: Any, people: Any, tree: int
    ) -> None:
        key = note.Verifier.parse(api.get("/ledger/public-key", None).content.decode().strip())
        text = api.get("/ledger/checkpoint", people.oversight).content.decode()

        assert note.open_checkpoint(text, key, key.name).size == tree

    def test_the_checkpoint_is_the_latest_published_not_the_unsigned_head(
        self, api: Any, people: Any, tree: int
    ) -> None:
        append(3)

        text = api.get("/ledger/checkpoint", people.oversight).content.decode()

        assert log.tree_size() == tree + 3
        assert opened(text).size == tree
        assert text == Checkpoint.objects.get(size=tree).note

    def test_the_first_entry_publishes_a_checkpoint_of_size_one(
        self, api: Any, watcher: User
    ) -> None:
        append(1)

        text = api.get("/ledger/checkpoint", watcher).content.decode()

        assert opened(text).size == 1
        assert opened(text).root_hash == merkle.hash_leaf(stored(0))

    def test_an_empty_ledger_has_no_checkpoint_yet(self, api: Any, watcher: User) -> None:
        assert log.tree_size() == 0

        detail = refusal(api.get("/ledger/checkpoint", watcher), 404)

        assert "no checkpoint" in detail

    def test_the_entries_of_real_actions_are_signed_too(
        self, api: Any, people: Any, make_body: Any
    ) -> None:
        filed = api.post("/cover-requests", make_body(), people.requester)
        assert filed.status_code == 201, filed.content
        checkpoints.publish(timezone.now())

        text = api.get("/ledger/checkpoint", people.oversight).content.decode()

        filing = Entry.objects.get(event="request.filed")
        assert opened(text).size == log.tree_size() == filing.seq + 1


class TestEntries:
    def test_each_entry_is_its_exact_stored_bytes_in_base64(
        self, api: Any, people: Any, tree: int
    ) -> None:
        for index in range(tree):
            body = answer(api.get(f"/ledger/entries/{index}", people.oversight))

            assert set(body) == {"index", "data"}
            assert body["index"] == index
            assert unbase64(body["data"]) == stored(index)

    def test_the_bytes_of_an_entry_hash_to_its_stored_leaf(
        self, api: Any, people: Any, tree: int
    ) -> None:
        body = answer(api.get("/ledger/entries/7", people.oversight))

        leaf = bytes(Entry.objects.get(seq=7).leaf_hash)
        assert merkle.hash_leaf(unbase64(body["data"])) == leaf

    def test_an_entry_beyond_the_ledger_is_404_naming_the_size(
        self, api: Any, people: Any, tree: int
    ) -> None:
        detail = refusal(api.get(f"/ledger/entries/{tree}", people.oversight), 404)

        assert f"no entry {tree}" in detail
        assert f"holds {tree} entries" in detail


class TestInclusionProofs:
    def test_every_entry_is_proved_in_the_signed_tree(
        self, api: Any, people: Any, tree: int
    ) -> None:
        signed = opened(api.get("/ledger/checkpoint", people.oversight).content.decode())

        for index in range(tree):
            url = f"/ledger/proofs/inclusion?index={index}&size={tree}"
            body = answer(api.get(url, people.oversight))
            data = unbase64(answer(api.get(f"/ledger/entries/{index}", people.oversight))["data"])

            assert (body["index"], body["size"]) == (index, tree)
            assert unbase64(body["leaf_hash"]) == merkle.hash_leaf(data)
            path = [unbase64(node) for node in body["audit_path"]]
            merkle.verify_inclusion(merkle.hash_leaf(data), index, tree, path, signed.root_hash)

    def test_every_entry_is_proved_in_every_earlier_tree_that_holds_it(
        self, api: Any, people: Any, tree: int
    ) -> None:
        for size in range(1, tree + 1):
            for index in range(size):
                url = f"/ledger/proofs/inclusion?index={index}&size={size}"
                body = answer(api.get(url, people.oversight))
                path = [unbase64(node) for node in body["audit_path"]]

                leaf = merkle.hash_leaf(stored(index))
                merkle.verify_inclusion(leaf, index, size, path, log.root_at(size))

    def test_a_proof_does_not_verify_for_another_entry(
        self, api: Any, people: Any, tree: int
    ) -> None:
        url = f"/ledger/proofs/inclusion?index=2&size={tree}"
        body = answer(api.get(url, people.oversight))
        path = [unbase64(node) for node in body["audit_path"]]

        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(merkle.hash_leaf(stored(3)), 2, tree, path, log.root_at(tree))

    def test_leaving_out_the_size_proves_against_the_latest_checkpoint(
        self, api: Any, people: Any, tree: int
    ) -> None:
        append(3)

        body = answer(api.get("/ledger/proofs/inclusion?index=4", people.oversight))

        assert body["size"] == tree
        signed = opened(api.get("/ledger/checkpoint", people.oversight).content.decode())
        path = [unbase64(node) for node in body["audit_path"]]
        merkle.verify_inclusion(merkle.hash_leaf(stored(4)), 4, tree, path, signed.root_hash)

    def test_an_index_outside_the_size_is_422_naming_both(
        self, api: Any, people: Any, tree: int
    ) -> None:
        detail = refusal(api.get("/ledger/proofs/inclusion?index=6&size=6", people.oversight))

        assert "entry 6 is not in a tree of size 6" in detail

    def test_a_size_beyond_the_tree_is_422_naming_the_current_size(
        self, api: Any, people: Any, tree: int
    ) -> None:
        url = f"/ledger/proofs/inclusion?index=0&size={tree + 1}"

        detail = refusal(api.get(url, people.oversight))

        assert f"size {tree + 1}" in detail
        assert f"current {tree}" in detail

    def test_a_negative_index_is_422_naming_the_field(
        self, api: Any, people: Any, tree: int
    ) -> None:
        detail = refusal(api.get("/ledger/proofs/inclusion?index=-1", people.oversight))

        assert detail.startswith("index:")

    def test_a_size_of_zero_is_422_naming_the_field(self, api: Any, people: Any, tree: int) -> None:
        detail = refusal(api.get("/ledger/proofs/inclusion?index=0&size=0", people.oversight))

        assert detail.startswith("size:")

    def test_an_index_is_required(self, api: Any, people: Any, tree: int) -> None:
        detail = refusal(api.get("/ledger/proofs/inclusion", people.oversight))

        assert detail.startswith("index:")

    def test_an_empty_ledger_has_nothing_to_prove(self, api: Any, watcher: User) -> None:
        detail = refusal(api.get("/ledger/proofs/inclusion?index=0", watcher))

        assert "size 0" in detail


class TestConsistencyProofs:
    def test_every_earlier_tree_is_proved_a_prefix_of_every_later_one(
        self, api: Any, people: Any, tree: int
    ) -> None:
        roots = {size: log.root_at(size) for size in range(1, tree + 1)}

        for second in range(1, tree + 1):
            for first in range(1, second + 1):
                url = f"/ledger/proofs/consistency?first={first}&second={second}"
                body = answer(api.get(url, people.oversight))
                proof = [unbase64(node) for node in body["consistency"]]

                assert (body["first"], body["second"]) == (first, second)
                merkle.verify_consistency(first, second, roots[first], roots[second], proof)

    def test_the_roots_are_those_of_the_stored_entries(
        self, api: Any, people: Any, tree: int
    ) -> None:
        leaves = [merkle.hash_leaf(stored(index)) for index in range(tree)]

        assert log.root_at(5) == merkle.root_hash(leaves[:5])
        assert log.root_at(tree) == merkle.root_hash(leaves)

    def test_a_proof_does_not_verify_against_a_wrong_old_root(
        self, api: Any, people: Any, tree: int
    ) -> None:
        url = f"/ledger/proofs/consistency?first=3&second={tree}"
        body = answer(api.get(url, people.oversight))
        proof = [unbase64(node) for node in body["consistency"]]

        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(3, tree, log.root_at(4), log.root_at(tree), proof)

    def test_leaving_out_second_proves_up_to_the_latest_checkpoint(
        self, api: Any, people: Any, tree: int
    ) -> None:
        append(3)

        body = answer(api.get("/ledger/proofs/consistency?first=4", people.oversight))

        assert (body["first"], body["second"]) == (4, tree)
        signed = opened(api.get("/ledger/checkpoint", people.oversight).content.decode())
        proof = [unbase64(node) for node in body["consistency"]]
        merkle.verify_consistency(4, tree, log.root_at(4), signed.root_hash, proof)

    def test_first_beyond_second_is_422_naming_both(self, api: Any, people: Any, tree: int) -> None:
        detail = refusal(api.get("/ledger/proofs/consistency?first=5&second=3", people.oversight))

        assert "size 5 to size 3" in detail
        assert "first <= second" in detail

    def test_a_second_size_beyond_the_tree_is_422_naming_the_current_size(
        self, api: Any, people: Any, tree: int
    ) -> None:
        url = f"/ledger/proofs/consistency?first=1&second={tree + 5}"

        detail = refusal(api.get(url, people.oversight))

        assert f"size {tree + 5}" in detail
        assert f"current {tree}" in detail

    def test_first_zero_is_422_naming_the_field(self, api: Any, people: Any, tree: int) -> None:
        detail = refusal(api.get("/ledger/proofs/consistency?first=0&second=3", people.oversight))

        assert detail.startswith("first:")

    def test_an_empty_ledger_has_no_consistency_to_prove(self, api: Any, watcher: User) -> None:
        detail = refusal(api.get("/ledger/proofs/consistency?first=1", watcher))

        assert "size 1 to size 0" in detail
