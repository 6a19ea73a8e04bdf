"""Helpers for the cover tests: filing and approving through covers.actions, signed-in
browsers, and reading one field's part of a rendered form."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.conftest import signed_in

from mailcover.accounts.models import User
from mailcover.covers import actions
from mailcover.covers.models import CoverOrder, CoverRequest
from mailcover.law.requests import AttorneyEntry, CoverRequestDraft

FACTS = (
    "Victims of a lottery scheme mailed cheques to this address; the subject collects them daily."
)


def draft_for(user: User, **changes: Any) -> CoverRequestDraft:
    """A valid request from this person's agency; tests change one thing at a time."""
    assert user.agency is not None
    fields: dict[str, Any] = {
        "subject_name": "JOHN Q PUBLIC",
        "subject_address": "123 MAIN ST APT 4, SPRINGFIELD IL 62704-1234",
        "aliases": ("JACK PUBLIC",),
        "grounds": "crime",
        "statute": "18 U.S.C. 1341",
        "max_penalty_years": Decimal(20),
        "facts": FACTS,
        "scope": "addressee",
        "days": 30,
        "requester_agency_level": user.agency.agency_level,
        "attorneys": (AttorneyEntry("JANE ROE ESQ", "1 COURT SQ, SPRINGFIELD IL 62701"),),
    }
    fields.update(changes)
    return CoverRequestDraft(**fields)


@pytest.fixture
def file() -> Callable[..., CoverRequest]:
    """File a request as `who`, through the same action the pages use."""

    def filing(who: User, **changes: Any) -> CoverRequest:
        return actions.file_request(who, draft_for(who, **changes), timezone.now())

    return filing


@pytest.fixture
def approve(people: Any) -> Callable[..., CoverOrder]:
    """Approve a request (by the OSG designee unless told otherwise)."""

    def approving(filed: CoverRequest, by: User | None = None, days: int | None = None) -> Any:
        return actions.approve(by or people.approver, filed, days, timezone.now())

    return approving


@pytest.fixture
def order(people: Any, file: Callable[..., CoverRequest], approve: Any) -> CoverOrder:
    """The requester's crime cover, approved by the OSG designee and in force now."""
    result: CoverOrder = approve(file(people.requester))
    return result


@pytest.fixture
def emergency_order(people: Any, file: Callable[..., CoverRequest], approve: Any) -> CoverOrder:
    """An emergency cover approved by an Inspector in Charge, not yet confirmed in writing."""
    filed = file(
        people.requester,
        subject_name="RICHARD ROE",
        emergency=True,
        emergency_reason="The drop address is about to be abandoned and evidence lost.",
    )
    result: CoverOrder = approve(filed, by=people.iic)
    return result


@pytest.fixture
def browse() -> Callable[[User], Client]:
    """A browser signed in as this person."""

    return signed_in


def _form_data(**changes: Any) -> dict[str, str]:
    data = {
        "submission_key": uuid.uuid4().hex,
        "subject_name": "JOHN Q PUBLIC",
        "subject_aliases": "JACK PUBLIC\nJ Q PUBLIC",
        "subject_street": "123 MAIN ST",
        "subject_unit": "APT 4",
        "subject_city": "SPRINGFIELD",
        "subject_state": "IL",
        "subject_zip": "62704-1234",
        "grounds": "crime",
        "statute": "18 U.S.C. 1341",
        "max_penalty_years": "20",
        "forfeiture_authority": "",
        "facts": FACTS,
        "scope": "addressee",
        "scope_justification": "",
        "days": "30",
        "emergency_reason": "",
        "agency_head_name": "",
        "agency_head_title": "",
        "agency_head_date": "",
        "attorneys": "JANE ROE ESQ | 1 COURT SQ, SPRINGFIELD IL 62701",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def form_data() -> Callable[..., dict[str, str]]:
    """The request form filled in validly, as a browser posts it; a value of None leaves
    that field out, as a browser does with an unticked checkbox."""
    return _form_data


@dataclass
class FieldPart:
    """One `data-field` wrapper of a rendered form: its HTML and its error messages."""

    html: str = ""
    errors: list[str] = field(default_factory=list)


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}


class _FieldReader(HTMLParser):
    def __init__(self, name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.name = name
        self.parts: list[FieldPart] = []
        self.depth = 0
        self.error_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth == 0:
            if ("data-field", self.name) in attrs:
                self.parts.append(FieldPart(html=self.get_starttag_text() or ""))
                self.depth = 1
            return
        self.parts[-1].html += self.get_starttag_text() or ""
        if tag in _VOID:
            return
        self.depth += 1
        classes = (dict(attrs).get("class") or "").split()
        if "usa-error-message" in classes:
            self.error_depth = self.depth
            self.parts[-1].errors.append("")

    def handle_endtag(self, tag: str) -> None:
        if self.depth == 0 or tag in _VOID:
            return
        self.parts[-1].html += f"</{tag}>"
        if self.depth == self.error_depth:
            self.error_depth = 0
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts[-1].html += data
            if self.error_depth:
                self.parts[-1].errors[-1] += data


def read_fields(page: str, name: str) -> list[FieldPart]:
    reader = _FieldReader(name)
    reader.feed(page)
    return reader.parts


@pytest.fixture
def field_part() -> Callable[[Any, str], FieldPart]:
    """The one `data-field="name"` wrapper in a response (fails if not exactly one)."""

    def one(response: Any, name: str) -> FieldPart:
        page = response.content.decode() if hasattr(response, "content") else str(response)
        parts = read_fields(page, name)
        assert len(parts) == 1, f"expected one data-field={name!r}, found {len(parts)}"
        return parts[0]

    return one
