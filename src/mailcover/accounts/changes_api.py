"""/api/v1/account-changes: propose, list, confirm and refuse changes to power over cases
(SEC-TWO-PERSON), for the same people and under the same rules as the Account changes page."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from mailcover.accounts import grants
from mailcover.accounts.models import AccountChange, Agency, Delegation, User
from mailcover.config import paging
from mailcover.covers.schemas import ErrorOut
from mailcover.law import grants as law
from mailcover.law.errors import RuleBroken, Violation
from mailcover.law.grants import ChangeKind
from mailcover.law.terms import DelegationScope, Role

router = Router(tags=["accounts"])
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ChangeIn(Schema):
    kind: ChangeKind
    account: str | None = Field(default=None, description="the username whose power changes")
    role: Role | None = None
    agency: str | None = Field(default=None, description="the agency to verify, by name")
    reference: str = Field(default="", max_length=200)
    scope: DelegationScope | None = None
    group: str = Field(default="", max_length=100)
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    delegation: int | None = Field(default=None, description="the delegation to revoke")
    signed_on: date | None = None


class ChangeOut(Schema):
    id: int
    kind: str
    account: str | None
    agency: str | None
    role: str | None
    reference: str | None
    scope: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    delegation: int | None
    signed_on: date | None
    proposed_by: str
    proposed_at: datetime
    confirmed_by_role: str
    status: str
    decided_by: str | None
    decided_at: datetime | None


class RefusalIn(Schema):
    reason: str = Field(min_length=1, max_length=1000)


def _out(change: AccountChange) -> dict[str, Any]:
    return {
        "id": change.pk,
        "kind": change.kind,
        "account": change.account.username if change.account else None,
        "agency": change.agency.name if change.agency else None,
        "role": change.role or None,
        "reference": change.reference or None,
        "scope": change.scope or None,
        "valid_from": change.valid_from,
        "valid_until": change.valid_until,
        "delegation": change.delegation_id,
        "signed_on": change.signed_on,
        "proposed_by": change.proposed_by.username,
        "proposed_at": change.proposed_at,
        "confirmed_by_role": law.confirming_role(grants.law_change(change)).value,
        "status": "pending" if change.pending else change.outcome,
        "decided_by": change.decided_by.username if change.decided_by else None,
        "decided_at": change.decided_at,
    }


def _acting(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not law.takes_part(grants.person(user).roles):
        raise grants.NotAllowed(
            [Violation(law.RULE, None, "your roles take no part in changes to power over cases")]
        )
    return user


def _found(model: Any, field: str, **lookup: Any) -> Any:
    found = model.objects.filter(**lookup).first()
    if found is None:
        raise RuleBroken([Violation(law.RULE, field, f"no such {field}: {lookup}")])
    return found


@router.get(
    "/account-changes",
    response={200: list[ChangeOut], **ERRORS},
    openapi_extra=paging.paged_openapi("proposed changes, newest first"),
)
def list_changes(
    request: HttpRequest, page: Query[paging.PageIn], response: HttpResponse
) -> Status[Any]:
    """Proposed changes, newest first (admins, the chief, the head of oversight)."""
    _acting(request)
    found = AccountChange.objects.select_related(
        "account__agency", "agency", "delegation__holder__agency", "proposed_by", "decided_by"
    )
    paging.set_headers(request, response, found.count(), page)
    return Status(200, [_out(c) for c in paging.window(found, page)])


@router.post("/account-changes", response={201: ChangeOut, **ERRORS})
def propose_change(request: HttpRequest, payload: ChangeIn) -> Status[Any]:
    """Propose a change; it takes effect only when a second, authorised person confirms it."""
    user = _acting(request)
    proposal = grants.Proposal(
        kind=payload.kind,
        account=_found(User, "account", username=payload.account) if payload.account else None,
        role=payload.role,
        agency=_found(Agency, "agency", name=payload.agency) if payload.agency else None,
        reference=payload.reference,
        scope=payload.scope,
        group=payload.group,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        delegation=_found(Delegation, "delegation", pk=payload.delegation)
        if payload.delegation
        else None,
        signed_on=payload.signed_on,
    )
    made = grants.propose(user, proposal, timezone.now(), settings.MAILCOVER_POLICY)
    return Status(201, _out(made))


def _decided(change_id: int) -> AccountChange:
    return AccountChange.objects.select_related(
        "account__agency", "agency", "delegation__holder__agency", "proposed_by", "decided_by"
    ).get(pk=change_id)


@router.post("/account-changes/{change_id}/confirm", response={200: ChangeOut, **ERRORS})
def confirm_change(request: HttpRequest, change_id: int) -> Status[Any]:
    """Confirm and apply a change (never one's own proposal, never to one's own power)."""
    user = _acting(request)
    grants.confirm(
        user,
        change_id,
        timezone.now(),
        settings.MAILCOVER_POLICY,
        request.build_absolute_uri("/"),
    )
    return Status(200, _out(_decided(change_id)))


@router.post("/account-changes/{change_id}/refuse", response={200: ChangeOut, **ERRORS})
def refuse_change(request: HttpRequest, change_id: int, payload: RefusalIn) -> Status[Any]:
    """Refuse a change (who may confirm it), or withdraw it (who proposed it)."""
    user = _acting(request)
    grants.refuse(user, change_id, payload.reason, timezone.now())
    return Status(200, _out(_decided(change_id)))
