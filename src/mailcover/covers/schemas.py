"""The JSON shapes of the cover API (DESIGN.md), and their conversion to law drafts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema
from pydantic import StrictInt

from mailcover.law.extensions import ExtensionDraft
from mailcover.law.requests import AgencyHeadApproval, AttorneyEntry, CoverRequestDraft
from mailcover.law.terms import AgencyLevel


class SubjectIn(Schema):
    name: str = Field(max_length=200)
    aliases: list[str] = Field(default_factory=list, max_length=20)
    address: str = Field(max_length=300)


class AttorneyIn(Schema):
    name: str = Field(max_length=200)
    address: str = Field(default="", max_length=300)


class AgencyHeadIn(Schema):
    name: str = Field(max_length=200)
    title: str = Field(max_length=200)
    date: dt.date | None = None


class CoverRequestIn(Schema):
    subject: SubjectIn
    grounds: str = Field(max_length=40)
    statute: str = Field(default="", max_length=200)
    max_penalty_years: Decimal | None = Field(default=None, max_digits=5, decimal_places=2)
    facts: str = Field(default="", max_length=20000)
    scope: str = Field(max_length=40)
    scope_justification: str | None = Field(default=None, max_length=5000)
    days: StrictInt  # JSON true is not 1 day, nor "30" a number
    emergency: bool = False
    emergency_reason: str | None = Field(default=None, max_length=5000)
    attorneys: list[AttorneyIn] = Field(default_factory=list, max_length=20)
    agency_head_approval: AgencyHeadIn | None = None
    forfeiture_authority: str | None = Field(default=None, max_length=300)

    def to_draft(self, level: AgencyLevel) -> CoverRequestDraft:
        head = self.agency_head_approval
        return CoverRequestDraft(
            subject_name=self.subject.name,
            subject_address=self.subject.address,
            aliases=tuple(self.subject.aliases),
            grounds=self.grounds,
            statute=self.statute,
            max_penalty_years=self.max_penalty_years,
            facts=self.facts,
            scope=self.scope,
            scope_justification=self.scope_justification,
            days=self.days,
            emergency=self.emergency,
            emergency_reason=self.emergency_reason,
            agency_head_approval=AgencyHeadApproval(head.name, head.title, head.date)
            if head
            else None,
            forfeiture_authority=self.forfeiture_authority,
            requester_agency_level=level,
            attorneys=tuple(AttorneyEntry(a.name, a.address) for a in self.attorneys),
        )


class ExtensionIn(Schema):
    days: StrictInt
    investigative_benefit: str | None = Field(default=None, max_length=20000)
    indicted: bool | None = None
    represented_by_attorney: bool | None = None

    def to_draft(self) -> ExtensionDraft:
        return ExtensionDraft(
            self.days, self.investigative_benefit, self.indicted, self.represented_by_attorney
        )


class ApproveIn(Schema):
    days: StrictInt | None = None


class DenyIn(Schema):
    reason: str = Field(max_length=5000)


class ConfirmationIn(Schema):
    written_request: str = Field(max_length=20000)


class IndictmentIn(Schema):
    filed_on: dt.date
    note: str = Field(default="", max_length=5000)


class ImproperIn(Schema):
    reasons: str = Field(max_length=20000)


class ReviewIn(Schema):
    note: str = Field(max_length=20000)


class CreatedOut(Schema):
    id: int
    case_number: str
    status: str


class DecisionOut(Schema):
    outcome: str
    decided_at: dt.datetime
    days: int | None
    reason: str


class PeriodOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    case_number: str


class OrderOut(Schema):
    id: int
    case_number: str
    request: int
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    grounds: str
    scope: str
    agency: str
    subject: str
    emergency: bool
    confirmation_due_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    indicted_on: dt.date | None
    ruled_improper_at: dt.datetime | None
    review_due_at: dt.datetime
    periods: list[PeriodOut]


class CoverRequestOut(Schema):
    id: int
    case_number: str
    kind: str
    status: str
    filed_at: dt.datetime
    agency: str
    requester: str
    extends: int | None
    request: dict[str, object]
    decision: DecisionOut | None
    order: OrderOut | None


class ErrorOut(Schema):
    detail: str
    rule: str | None = None


class DetailOut(Schema):
    detail: str


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=1000)
    otp: str | None = Field(default=None, max_length=10)


class TokenOut(Schema):
    token: str
    expires_at: dt.datetime


class RejectedOut(Schema):
    index: int = Field(description="the item's position in the array, from 0")
    error: str = Field(description="what is wrong with it; it quotes nothing of the piece")


class MailPiecesOut(Schema):
    """What became of a batch, as far as the sender may know (SEC-OPERATOR): how many items
    came, and which were refused and why. Whether a piece was captured, withheld as attorney
    mail or dropped is not told (it would tell which addresses are under cover): oversight
    reads the counts in the tally and on the ledger."""

    received: int = Field(description="items in the batch, rejected ones included")
    rejected: list[RejectedOut]


class CaptureOut(Schema):
    piece_id: str
    scanned_at: dt.datetime
    facility: str
    mail_class: str
    imb: str | None
    addressee: list[str] | None
    return_address: list[str] | None
    image_url: str | None
    matched_on: str
    captured_at: dt.datetime


class CapturesOut(Schema):
    order: int
    case_number: str
    total: int
    offset: int
    captures: list[CaptureOut]
