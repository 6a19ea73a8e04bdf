"""/api/v1/compliance, /api/v1/reviews, /api/v1/report-returns and an order's report
return and discovery package: thin edges over oversight.compliance and oversight.actions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from mailcover.config import paging
from mailcover.covers import actions as covers
from mailcover.covers.api import ERRORS, acting, case_reader
from mailcover.law.compliance import Result
from mailcover.law.discovery import LONGEST, DiscoveryDraft
from mailcover.law.roles import Action
from mailcover.oversight import actions, compliance

router = Router(tags=["oversight"])


class FindingOut(Schema):
    case_number: str
    reason: str
    order_id: int | None
    request_id: int | None
    user_id: int | None


class CheckOut(Schema):
    id: str
    title: str
    asks: str
    target: str
    prevented_by: str
    figure: str
    met: bool
    examined: int
    findings_count: int
    measures: dict[str, str]


class CheckDetailOut(CheckOut):
    findings: list[FindingOut]


def _check_out(result: Result, *, findings: bool) -> dict[str, Any]:
    about = result.about
    out: dict[str, Any] = {
        "id": result.check.value,
        "title": about.title,
        "asks": about.asks,
        "target": about.target,
        "prevented_by": about.prevented_by,
        "figure": result.figure,
        "met": result.met,
        "examined": result.examined,
        "findings_count": len(result.findings),
        "measures": dict(result.measures),
    }
    if findings:
        out["findings"] = [vars(f) for f in result.findings]
    return out


@router.get("/compliance", response={200: list[CheckOut], **ERRORS})
def list_checks(request: HttpRequest) -> Any:
    """Every OIG-* check, computed now from the database and the ledger (oversight)."""
    covers.require_nondisclosure(acting(request, Action.VIEW_OVERSIGHT))
    results = compliance.run_all(timezone.now(), covers.policy())
    return [_check_out(r, findings=False) for r in results]


@router.get("/compliance/{check_id}", response={200: CheckDetailOut, **ERRORS})
def get_check(request: HttpRequest, check_id: str) -> Any:
    """One check with every case it found (oversight): `OIG-REVIEW` or `oig-review`."""
    covers.require_nondisclosure(acting(request, Action.VIEW_OVERSIGHT))
    check = compliance.find_check(check_id)
    if check is None:
        raise covers.NotFound(f"no compliance check {check_id[:40]!r}")
    return _check_out(compliance.run_check(check, timezone.now(), covers.policy()), findings=True)


class ReviewRowOut(Schema):
    order_id: int
    case_number: str
    agency: str
    grounds: str
    due_at: datetime
    overdue: bool
    last_review_at: datetime | None
    may_review: bool


@router.get(
    "/reviews",
    response={200: list[ReviewRowOut], **ERRORS},
    openapi_extra=paging.paged_openapi("orders due for review, most overdue first"),
)
def review_queue(request: HttpRequest, page: Query[paging.PageIn], response: HttpResponse) -> Any:
    """MC-REVIEW: orders in force due for review within 30 days or overdue, most overdue
    first (reviewing officials and oversight)."""
    every = actions.review_queue(case_reader(request), timezone.now())
    paging.set_headers(request, response, len(every), page)
    rows = paging.window(every, page)
    return [
        {
            "order_id": r.order.pk,
            "case_number": r.order.case_number,
            "agency": r.order.agency.name,
            "grounds": r.order.request.grounds,
            "due_at": r.due_at,
            "overdue": r.overdue,
            "last_review_at": r.last_review_at,
            "may_review": r.may_review,
        }
        for r in rows
    ]


class ReturnIn(Schema):
    how: Literal["returned", "destroyed"]
    certified_by: str = Field(max_length=200)
    done_on: date
    note: str = Field(default="", max_length=2000)


class ReturnOut(Schema):
    order_id: int
    case_number: str
    stopped_at: datetime
    due_on: date
    overdue: bool
    how: str | None
    done_on: date | None
    certified_by: str | None


def _return_out(row: actions.ReturnRow) -> dict[str, Any]:
    returned = row.returned
    return {
        "order_id": row.order.pk,
        "case_number": row.order.case_number,
        "stopped_at": row.stopped_at,
        "due_on": row.due_on,
        "overdue": row.overdue,
        "how": returned.how if returned else None,
        "done_on": returned.done_on if returned else None,
        "certified_by": returned.certified_by if returned else None,
    }


@router.get(
    "/report-returns",
    response={200: list[ReturnOut], **ERRORS},
    openapi_extra=paging.paged_openapi("covers that have stopped"),
)
def list_returns(request: HttpRequest, page: Query[paging.PageIn], response: HttpResponse) -> Any:
    """MC-REPORTING: covers that have stopped and the return of their report documents."""
    user = acting(request, Action.VIEW_CASES)
    every = actions.returns_list(user, timezone.now())
    paging.set_headers(request, response, len(every), page)
    return [_return_out(r) for r in paging.window(every, page)]


@router.post("/cover-orders/{order_id}/report-return", response={201: ReturnOut, **ERRORS})
def record_return(request: HttpRequest, order_id: int, payload: ReturnIn) -> Status[Any]:
    """MC-REPORTING: the requesting authority returned the report documents, or certifies
    their destruction (the requesting agency, or an approver or the chief); once per order."""
    user = acting(request, Action.RECORD_REPORT_RETURN)
    order = covers.get_order(user, order_id)
    now = timezone.now()
    actions.record_report_return(
        user,
        order,
        how=payload.how,
        certified_by=payload.certified_by,
        done_on=payload.done_on,
        note=payload.note,
        now=now,
    )
    made = actions.return_row(user, covers.get_order(user, order_id), now)
    assert made is not None  # a return is refused while the cover is in force
    return Status(201, _return_out(made))


class DiscoveryIn(Schema):
    proceeding: str = Field(max_length=LONGEST, description="caption and docket number")
    court: str = Field(max_length=LONGEST)
    recipient_name: str = Field(max_length=LONGEST)
    recipient_address: str = Field(max_length=LONGEST)


@router.post(
    "/cover-orders/{order_id}/discovery",
    response={200: None, **ERRORS},
    openapi_extra={"responses": {200: {"content": {"application/zip": {}}}}},
)
def export_discovery(request: HttpRequest, order_id: int, payload: DiscoveryIn) -> HttpResponse:
    """MC-DISCOVERY: the order's data as a ZIP for a legal proceeding (the requesting
    authority). A disclosure on the ledger with the package's hashes; no copy is kept, and
    the answer is never replayed for an Idempotency-Key."""
    user = acting(request, Action.EXPORT_DISCOVERY)
    order = covers.get_order(user, order_id)
    draft = DiscoveryDraft(**payload.dict())
    return package_response(actions.export_discovery(user, order, draft, timezone.now()))


def package_response(package: Any) -> HttpResponse:
    response = HttpResponse(package.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{package.name}"'
    response["Cache-Control"] = "private, no-store"  # a disclosure, never replayed or cached
    response["X-Content-SHA256"] = package.sha256
    return response
