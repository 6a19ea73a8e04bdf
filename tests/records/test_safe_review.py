"""The records review starts with nothing chosen; approving (which produces at once) or
refusing asks first, showing the customer, the files, their row counts and dates, and the
rows themselves; a POST without the confirmation releases nothing."""

from __future__ import annotations

import re
from typing import Any

from tests.records.test_views import form, signed_in, world  # noqa: F401 (world: a fixture)

from mailcover.records.models import Production, RecordsRequest


def filed_request(people: Any) -> RecordsRequest:
    signed_in(people.requester).post("/records/new", form())
    return RecordsRequest.objects.get()


def test_the_review_form_chooses_nothing(world: Any) -> None:  # noqa: F811
    filed = filed_request(world)

    page = signed_in(world.inspector).get(f"/records/{filed.pk}").content.decode()

    review = page.split(f'action="/records/{filed.pk}/review"', 1)[1].split("</form>", 1)[0]
    assert re.findall(r'name="outcome"', review)
    assert "checked" not in review


def test_approving_without_confirmation_shows_the_rows_and_releases_nothing(
    world: Any,  # noqa: F811
) -> None:
    filed = filed_request(world)

    answer = signed_in(world.inspector).post(
        f"/records/{filed.pk}/review", {"outcome": "approve", "reason": ""}
    )

    assert answer.status_code == 200
    page = answer.content.decode()
    assert f"Approve and produce {filed.number}" in page
    assert 'data-testid="release-summary"' in page
    assert "subscriber.csv" in page
    assert "JOHN Q PUBLIC" in page
    assert "A000000001" in page
    assert 'data-testid="release-rows-subscriber"' in page
    assert "jq@example.com" in page  # a cell of the row that would go
    assert "1 row of JOHN Q PUBLIC" in page  # counted in words that agree
    assert "shown below, is packaged for" in page
    filed.refresh_from_db()
    assert filed.state == "under_review"
    assert not Production.objects.exists()


def test_refusing_without_confirmation_refuses_nothing(world: Any) -> None:  # noqa: F811
    filed = filed_request(world)

    answer = signed_in(world.inspector).post(
        f"/records/{filed.pk}/review", {"outcome": "refuse", "reason": "Not our customer."}
    )

    assert f"Refuse {filed.number}" in answer.content.decode()
    filed.refresh_from_db()
    assert filed.state == "under_review"


def test_a_confirmed_approval_produces(world: Any) -> None:  # noqa: F811
    filed = filed_request(world)

    signed_in(world.inspector).post(
        f"/records/{filed.pk}/review", {"outcome": "approve", "reason": "", "confirmed": "yes"}
    )

    filed.refresh_from_db()
    assert filed.state == "produced"


def test_a_requester_may_not_review_or_produce_even_to_see_the_rows(
    world: Any,  # noqa: F811
) -> None:
    requester = signed_in(world.requester)
    requester.post("/records/new", form())
    filed = RecordsRequest.objects.get()

    review = requester.post(f"/records/{filed.pk}/review", {"outcome": "approve", "reason": ""})
    produce = requester.post(f"/records/{filed.pk}/produce")

    assert review.status_code == 403
    assert produce.status_code == 403
    assert "JOHN Q PUBLIC" not in review.content.decode()
    assert not Production.objects.exists()
