"""The JSON shapes of the records-request API (DESIGN.md, "The records request")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ValidationError

from mailcover.law import records as law
from mailcover.law.errors import RuleBroken, Violation
from mailcover.law.records import EmergencyAttestation, RecordsRequestDraft, parse_instrument


class InstrumentIn(Schema):
    type: str = Field(max_length=60)
    issued_by: str = Field(default="", max_length=300)
    issued_on: dt.date | None = None
    number: str = Field(default="", max_length=100)


class CustomerIn(Schema):
    email: str | None = Field(default=None, max_length=254)
    account: str | None = Field(default=None, max_length=20)
    tracking_number: str | None = Field(default=None, max_length=60)
    name: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=300)


class EmergencyIn(Schema):
    danger: str = Field(max_length=40)
    facts: str = Field(max_length=10000)
    attested_by: str = Field(max_length=300)


class RecordsRequestIn(Schema):
    instrument: InstrumentIn
    customer: CustomerIn
    categories: list[str] = Field(max_length=4)
    start: dt.date | None = None
    end: dt.date | None = None
    purpose: str = Field(default="", max_length=5000)
    emergency: EmergencyIn | None = None

    def identifiers(self) -> dict[str, str]:
        given = self.customer.model_dump()
        return {k: v.strip() for k, v in given.items() if isinstance(v, str) and v.strip()}

    def unknown_type(self) -> bool:
        return parse_instrument(self.instrument.type) is None

    def to_draft(self) -> RecordsRequestDraft:
        """Call only when the instrument type and categories are known words."""
        emergency = self.emergency
        return RecordsRequestDraft(
            instrument=law.Instrument(self.instrument.type),
            issued_by=self.instrument.issued_by,
            issued_on=self.instrument.issued_on,
            number=self.instrument.number,
            identifiers=self.identifiers(),
            categories=tuple(dict.fromkeys(law.Category(c) for c in self.categories)),
            start=self.start,
            end=self.end,
            purpose=self.purpose,
            emergency=None
            if emergency is None
            else EmergencyAttestation(emergency.danger, emergency.facts, emergency.attested_by),
        )


class ReviewIn(Schema):
    approve: bool
    reason: str = Field(default="", max_length=5000)


class ChallengeNoticeIn(Schema):
    served_on: dt.date
    method: str = Field(max_length=10)


class DelayIn(Schema):
    kind: str = Field(max_length=20)
    starts_on: dt.date
    ends_on: dt.date | None = None
    court_reference: str = Field(max_length=200)


class FollowUpIn(Schema):
    instrument: InstrumentIn


class DecisionOut(Schema):
    outcome: str
    reason: str
    decided_at: dt.datetime


class ProductionOut(Schema):
    produced_at: dt.datetime
    sha256: str
    bytes: int
    manifest: dict[str, str]
    counts: dict[str, int]
    ledger_entry: int


class NoticeOut(Schema):
    state: str  # not_due, queued, held, sent
    held_until: dt.date | None = None
    recheck_due: dt.date | None = None  # an open-ended nondisclosure order's re-check
    sent_at: dt.datetime | None = None


class RecordsRequestOut(Schema):
    id: int
    number: str
    state: str
    agency: str
    instrument: InstrumentIn
    instrument_sha256: str
    customer: CustomerIn
    categories: list[str]
    start: dt.date
    end: dt.date
    purpose: str
    emergency: bool
    follow_up_due_at: dt.datetime | None = None
    follow_up_filed: bool = False
    filed_at: dt.datetime
    decision: DecisionOut | None = None
    release_from: dt.date | None = None
    production: ProductionOut | None = None
    notice: NoticeOut
    message: str


class RecordsRequestsOut(Schema):
    total: int
    offset: int
    limit: int
    items: list[RecordsRequestOut]


class CreatedOut(Schema):
    id: int
    number: str
    state: str


class LinkOut(Schema):
    """A download link: POST `{"token"}` to `url`. The token travels in the body, never in
    a URL, so no access log, proxy log or browser history keeps it."""

    token: str
    url: str
    expires_at: dt.datetime


class DownloadIn(Schema):
    token: str = Field(min_length=1, max_length=200)


def parse_request(raw: str | dict[str, Any]) -> RecordsRequestIn:
    """The `request` part (JSON text, or a form's dict), or RuleBroken naming each field."""
    try:
        if isinstance(raw, str):
            parsed = RecordsRequestIn.model_validate_json(raw)
        else:
            parsed = RecordsRequestIn.model_validate(raw)
    except ValidationError as exc:
        raise RuleBroken(
            [
                Violation("RR-SCOPE", ".".join(str(p) for p in e["loc"]) or "request", e["msg"])
                for e in exc.errors()
            ]
        ) from None
    problems = [
        Violation("RR-SCOPE", field, "a text holds a NUL character")
        for field, text in _texts(parsed.model_dump())
        if "\x00" in text
    ]
    if parsed.unknown_type():
        kinds = ", ".join(i.value for i in law.Instrument)
        problems.append(
            Violation("RR-SCOPE", "instrument.type", f"the instrument type is one of: {kinds}")
        )
    for category in parsed.categories:
        if law.parse_category(category) is None:
            kinds = ", ".join(c.value for c in law.Category)
            problems.append(
                Violation("RR-SCOPE", "categories", f"{category!r} is not a category: {kinds}")
            )
    if problems:
        raise RuleBroken(problems)
    return parsed


def _texts(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every string in a parsed body, with its dotted path."""
    if isinstance(value, str):
        return [(path or "request", value)]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _texts(v, f"{path}.{k}".strip("."))]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v, path)]
    return []


def refuse_nul(rule: str, **texts: str) -> None:
    """PostgreSQL stores no NUL in text: refused as bad input, never a 500."""
    bad = [
        Violation(rule, f, "a text holds a NUL character") for f, t in texts.items() if "\x00" in t
    ]
    if bad:
        raise RuleBroken(bad)
