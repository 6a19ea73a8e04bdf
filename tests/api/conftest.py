"""Helpers for the API tests: file and approve through the API, or build an order's past.

`filed` and `approved` go through /api/v1 as a client would. `history` calls
`mailcover.covers.actions` directly with moments in the past, for the rules that
only bite after days have gone by (MC-120, MC-EMERGENCY's 3 days).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mailcover.accounts.models import ApiToken, User
from mailcover.accounts.provisioning import NewUser, add_user
from mailcover.covers import actions
from mailcover.covers.models import CoverOrder, CoverRequest
from mailcover.covers.schemas import CoverRequestIn, ExtensionIn
from mailcover.law.terms import Policy

Json = dict[str, Any]

BENEFIT = (
    "The cover identified two new victims who mailed cheques; more are expected "
    "before the grand jury sits."
)


def agency_head(**changes: Any) -> Json:
    """MC-NATSEC-HEAD: the requesting agency head's personal approval, dated last week."""
    approval: Json = {
        "name": "JANE DOE",
        "title": "Director",
        "date": (timezone.now().date() - timedelta(days=7)).isoformat(),
    }
    approval.update(changes)
    return approval


def extension_body(**changes: Any) -> Json:
    """A complete extension request (MC-EXTENSION asks for all three statements)."""
    body: Json = {
        "days": 30,
        "investigative_benefit": BENEFIT,
        "indicted": False,
        "represented_by_attorney": False,
    }
    body.update(changes)
    return body


@pytest.fixture(scope="session")
def shared_client() -> Client:
    """One test client for the whole run: a new one re-reads every middleware, and
    WhiteNoise's scan of the built static files alone costs a fifth of a second a test."""
    return Client()


@pytest.fixture
def api(api: Any, shared_client: Client) -> Any:
    """The shared `api` fixture, on the one long-lived client (the API uses no cookies)."""
    shared_client.cookies.clear()
    api.client = shared_client
    return api


@pytest.fixture
def extension() -> Callable[..., Json]:
    return extension_body


@pytest.fixture
def head_approval() -> Callable[..., Json]:
    return agency_head


@pytest.fixture
def filed(api: Any, people: Any, make_body: Callable[..., Json]) -> Callable[..., int]:
    """File a request through the API (as `requester` unless `by` says otherwise); its id."""

    def file(by: User | None = None, **changes: Any) -> int:
        response = api.post("/cover-requests", make_body(**changes), by or people.requester)
        assert response.status_code == 201, response.json()
        return int(response.json()["id"])

    return file


@pytest.fixture
def approved(api: Any, people: Any, filed: Callable[..., int]) -> Callable[..., Json]:
    """File and approve a request through the API; the order as the approval returned it."""

    def approve(approver: User | None = None, **changes: Any) -> Json:
        request_id = filed(**changes)
        response = api.post(
            f"/cover-requests/{request_id}/approve", {}, approver or people.approver
        )
        assert response.status_code == 200, response.json()
        order: Json = response.json()
        return order

    return approve


@pytest.fixture
def order_id(approved: Callable[..., Json]) -> int:
    """A 30-day crime order of Springfield PD, approved just now."""
    return int(approved()["id"])


@pytest.fixture
def both_roles(people: Any) -> User:
    """A postal inspector who also holds an approver's delegation: may file and approve,
    but never their own request (MC-NOT-SELF)."""
    new = NewUser(
        username="two-hats",
        agency="U.S. Postal Inspection Service",
        roles=["requester", "approver"],
        password="correct horse battery staple",
        delegation="DEL-OSG-2",
        delegation_scope="osg_designee",
        delegation_group="Central OSG",
        nondisclosure=True,
    )
    return add_user(new, datetime(2020, 1, 1, tzinfo=UTC), Policy())


@pytest.fixture
def hq_requester(people: Any) -> User:
    """A headquarters designee who also files requests: may review orders, never their own."""
    new = NewUser(
        username="hq-two-hats",
        agency="U.S. Postal Inspection Service",
        roles=["requester", "approver"],
        password="correct horse battery staple",
        delegation="DEL-HQ-2",
        delegation_scope="hq_designee",
        nondisclosure=True,
    )
    return add_user(new, datetime(2020, 1, 1, tzinfo=UTC), Policy())


@pytest.fixture
def bearer() -> Callable[[User], dict[str, str]]:
    """One fixed Authorization header for a person, for calls that must share a caller."""

    def header(user: User) -> dict[str, str]:
        token = ApiToken.issue(user, timezone.now(), 1, second_factor=True)
        return {"Authorization": f"Bearer {token}"}

    return header


class History:
    """An order's past, written with the actions the API calls, at the moments given."""

    def __init__(self, people: Any, make_body: Callable[..., Json]) -> None:
        self.people = people
        self.make_body = make_body
        self.now = timezone.now()

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def file(self, at: datetime, by: User | None = None, **changes: Any) -> CoverRequest:
        user = by or self.people.requester
        draft = CoverRequestIn(**self.make_body(**changes)).to_draft(user.agency.agency_level)
        return actions.file_request(user, draft, at)

    def approve(self, request: CoverRequest, at: datetime, by: User | None = None) -> CoverOrder:
        return actions.approve(by or self.people.approver, request, None, at)

    def order(self, at: datetime, approver: User | None = None, **changes: Any) -> CoverOrder:
        """A request filed and approved at the same moment."""
        return self.approve(self.file(at, **changes), at, approver)

    def extend(self, order: CoverOrder, at: datetime, days: int = 30) -> CoverOrder:
        """An extension filed by the requester and approved by the OSG approver at `at`."""
        draft = ExtensionIn(**extension_body(days=days)).to_draft()
        fresh = CoverOrder.objects.get(pk=order.pk)
        request = actions.file_extension(self.people.requester, fresh, draft, at)
        return self.approve(request, at)


@pytest.fixture
def history(people: Any, make_body: Callable[..., Json]) -> History:
    return History(people, make_body)


@pytest.fixture
def today() -> date:
    return timezone.now().date()
