"""The oversight page of the ledger: the latest checkpoint, the tree size, and a form
that proves an entry's inclusion against the signed root; no one else may open it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.conftest import signed_in as verified_session

from mailcover.ledger import checkpoints, log
from mailcover.ledger.events import EventName


def signed_in(user: Any) -> Client:
    """A session as the sign-in page leaves it (tests.conftest.signed_in)."""
    return verified_session(user)


@pytest.fixture
def published(people: Any) -> Any:
    for number in range(5):
        log.record(
            people.requester, EventName.MAIL_INGESTED, timezone.now(), case=f"MC-2026-00000{number}"
        )
    return checkpoints.publish(timezone.now())


class TestTheLedgerPage:
    def test_shows_the_latest_checkpoint_the_tree_size_and_the_key(
        self, people: Any, published: Any
    ) -> None:
        page = signed_in(people.oversight).get("/ledger/").content.decode()

        assert f'data-testid="tree-size">{log.tree_size()}<' in page
        assert f'data-testid="checkpoint-size">{published.size}<' in page
        assert published.note.splitlines()[2] in page
        assert checkpoints.verifier().to_string() in page

    def test_proves_an_entry_is_in_the_signed_tree(self, people: Any, published: Any) -> None:
        index = published.size - 2

        page = signed_in(people.oversight).get(f"/ledger/?index={index}").content.decode()

        assert "usa-alert--success" in page
        assert f"Entry {index} (Mail stream received" in page  # the event in words
        assert f"is in the signed tree of {published.size} entries" in page

    def test_an_entry_beyond_the_checkpoint_is_an_error_at_the_field(
        self, people: Any, published: Any
    ) -> None:
        page = signed_in(people.oversight).get(f"/ledger/?index={published.size}")

        assert page.status_code == 200
        assert "usa-form-group--error" in page.content.decode()
        assert f"covers entries 0 to {published.size - 1}" in page.content.decode()

    @pytest.mark.parametrize("given", ["-1", "seven", ""])
    def test_an_index_that_is_not_a_whole_number_is_an_error_at_the_field(
        self, people: Any, published: Any, given: str
    ) -> None:
        page = signed_in(people.oversight).get(f"/ledger/?index={given}").content.decode()

        assert "usa-form-group--error" in page
        assert "usa-alert--success" not in page

    @pytest.mark.parametrize(
        "who", ["requester", "approver", "chief", "inspector", "operator", "admin"]
    )
    def test_no_one_but_oversight_may_open_it(self, people: Any, published: Any, who: str) -> None:
        assert signed_in(getattr(people, who)).get("/ledger/").status_code == 403

    def test_the_navigation_offers_it_to_oversight_only(self, people: Any, published: Any) -> None:
        assert 'href="/ledger/"' in signed_in(people.oversight).get("/").content.decode()
        assert 'href="/ledger/"' not in signed_in(people.requester).get("/").content.decode()
