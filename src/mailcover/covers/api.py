"""/api/v1/cover-requests and /api/v1/cover-orders: thin edges over covers.actions."""

from __future__ import annotations

import json
from time import monotonic
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from mailcover.accounts.models import User
from mailcover.config import paging
from mailcover.covers import actions, ingest, lists
from mailcover.covers.captures import IMAGE_TYPES, Exterior, exteriors, image_response
from mailcover.covers.models import Capture, CoverOrder, CoverRequest, OperatorFacility
from mailcover.covers.photographs import image_only
from mailcover.covers.schemas import (
    ApproveIn,
    CapturesOut,
    ConfirmationIn,
    CoverRequestIn,
    CoverRequestOut,
    CreatedOut,
    DenyIn,
    ErrorOut,
    ExtensionIn,
    ImproperIn,
    IndictmentIn,
    MailPiecesOut,
    OrderOut,
    ReviewIn,
)
from mailcover.law.orders import confirmation_deadline, order_status
from mailcover.law.reviews import review_due_at
from mailcover.law.terms import Grounds, OrderStatus

router = Router(tags=["mail covers"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def case_reader(request: HttpRequest) -> User:
    """The signed-in person, at the door of every call that reads or changes case data: one
    whose roles reach it and who has no nondisclosure acknowledgment on file is refused
    here, whatever the call (MC-NONDISCLOSURE)."""
    user: User = request.auth  # type: ignore[attr-defined]
    actions.require_case_reader(user)
    return user


def acting(request: HttpRequest, action: actions.Action) -> User:
    """The signed-in person, if their roles allow `action` at all: otherwise a 403 before any
    lookup, so a wrong role (an operator, an admin) learns nothing about which cases exist.
    Whether they may see the one case is asked next, and is a 404."""
    user = case_reader(request)
    actions.require(user, action)
    return user


def order_out(order: CoverOrder) -> dict[str, Any]:
    now = timezone.now()
    facts = order.facts()
    indictment = getattr(order, "indictment", None)
    ruling = getattr(order, "improper_ruling", None)
    confirmation = getattr(order, "emergency_confirmation", None)
    return {
        "id": order.pk,
        "case_number": order.case_number,
        "request": order.request_id,
        "status": order_status(facts, now).value,
        "starts_at": facts.starts_at,
        "ends_at": facts.ends_at,
        "grounds": order.request.grounds,
        "scope": order.request.scope,
        "agency": order.agency.name,
        "subject": order.request.subject.name,
        "emergency": facts.emergency,
        "confirmation_due_at": confirmation_deadline(facts),
        "confirmed_at": confirmation.confirmed_at if confirmation else None,
        "indicted_on": indictment.filed_on if indictment else None,
        "ruled_improper_at": ruling.ruled_at if ruling else None,
        "review_due_at": review_due_at(facts, order.last_review_at(), actions.policy()),
        "periods": [
            {"starts_at": p.starts_at, "ends_at": p.ends_at, "case_number": p.request.case_number}
            for p in order.periods.select_related("request")
        ],
    }


def request_out(filed: CoverRequest) -> dict[str, Any]:
    decision = getattr(filed, "decision", None)
    order = filed.extends or getattr(filed, "order", None)
    if order is not None and decision is None and not filed.is_extension:
        order = None
    return {
        "id": filed.pk,
        "case_number": filed.case_number,
        "kind": filed.kind,
        "status": filed.state,
        "filed_at": filed.filed_at,
        "agency": filed.agency.name,
        "requester": filed.requester.username,
        "extends": filed.extends_id,
        "request": filed.body,
        "decision": {
            "outcome": decision.outcome,
            "decided_at": decision.decided_at,
            "days": decision.days,
            "reason": decision.reason,
        }
        if decision
        else None,
        "order": order_out(order) if order is not None else None,
    }


@router.post("/cover-requests", response={201: CreatedOut, **ERRORS})
def file_cover_request(request: HttpRequest, payload: CoverRequestIn) -> Status[Any]:
    """File a mail cover request (requester). A broken rule is a 422 naming it."""
    user = acting(request, actions.Action.FILE_REQUEST)
    assert user.agency is not None
    filed = actions.file_request(user, payload.to_draft(user.agency.agency_level), timezone.now())
    return Status(201, {"id": filed.pk, "case_number": filed.case_number, "status": filed.state})


class CoverRequestsIn(paging.SearchIn):
    status: Literal["pending", "approved", "denied"] | None = Field(
        None, description="pending (not yet decided), approved or denied"
    )
    grounds: Grounds | None = None


class CoverOrdersIn(paging.SearchIn):
    status: OrderStatus | None = Field(None, description="the status computed now")
    grounds: Grounds | None = None


@router.get(
    "/cover-requests",
    response={200: list[CoverRequestOut], **ERRORS},
    openapi_extra=paging.paged_openapi("the requests you may see, newest filed first"),
)
def list_cover_requests(
    request: HttpRequest, query: Query[CoverRequestsIn], response: HttpResponse
) -> list[Any]:
    """The requests you may see, newest filed first, searched and filtered as on the Cases
    page; the filters only narrow what you may see. `q` searches the case number, the
    subject's name and the agency's name; `from` and `to` bound the day filed. Sort keys
    (`-` before one for descending): `case`, `agency`, `subject`, `grounds`, `filed`."""
    user = acting(request, actions.Action.VIEW_CASES)
    params = paging.as_list_params(
        query, state=query.status, grounds=query.grounds.value if query.grounds else None
    )
    found, rows, _ = lists.request_rows(user, params)
    paging.refuse_problems(found, {"state": "status"})
    paging.set_headers(request, response, rows.count(), query)
    return [request_out(r) for r in paging.window(rows, query)]


@router.get(
    "/cover-orders",
    response={200: list[OrderOut], **ERRORS},
    openapi_extra=paging.paged_openapi("the orders you may see, newest approved first"),
)
def list_cover_orders(
    request: HttpRequest, query: Query[CoverOrdersIn], response: HttpResponse
) -> list[Any]:
    """The orders you may see, newest approved first, searched and filtered as on the
    orders' page; the filters only narrow what you may see. `status` is computed now, as
    on each order. `q` searches the case number, the subject's name and the agency's name;
    `from` and `to` bound the day of approval. Sort keys (`-` before one for descending):
    `case`, `agency`, `subject`, `grounds`, `approved`, `status`."""
    user = acting(request, actions.Action.VIEW_CASES)
    params = paging.as_list_params(
        query,
        state=query.status.value if query.status else None,
        grounds=query.grounds.value if query.grounds else None,
    )
    found, rows, _ = lists.order_rows(user, params)
    paging.refuse_problems(found, {"state": "status"})
    if found.state or lists.ORDER_SORTS[found.sort].key is not None:
        listed = lists.ordered_order_rows(found, rows, timezone.now())
        paging.set_headers(request, response, len(listed), query)
        return [order_out(row["order"]) for row in paging.window(listed, query)]
    paging.set_headers(request, response, rows.count(), query)
    return [order_out(order) for order in paging.window(rows, query)]


@router.get("/cover-requests/{request_id}", response={200: CoverRequestOut, **ERRORS})
def get_cover_request(request: HttpRequest, request_id: int) -> Any:
    """A request and its order, if any: its agency, approvers and oversight only."""
    return request_out(actions.get_request(acting(request, actions.Action.VIEW_CASES), request_id))


@router.post("/cover-requests/{request_id}/approve", response={200: OrderOut, **ERRORS})
def approve_cover_request(
    request: HttpRequest, request_id: int, payload: ApproveIn | None = None
) -> Any:
    """Approve a request or an extension (approver, chief), granting up to the days asked."""
    user = acting(request, actions.Action.DECIDE_REQUEST)
    filed = actions.get_request(user, request_id)
    order = actions.approve(user, filed, payload.days if payload else None, timezone.now())
    return order_out(actions.get_order(user, order.pk))


@router.post("/cover-requests/{request_id}/deny", response={200: CoverRequestOut, **ERRORS})
def deny_cover_request(request: HttpRequest, request_id: int, payload: DenyIn) -> Any:
    user = acting(request, actions.Action.DECIDE_REQUEST)
    filed = actions.get_request(user, request_id)
    actions.deny(user, filed, payload.reason, timezone.now())
    return request_out(actions.get_request(user, request_id))


@router.get("/cover-orders/{order_id}", response={200: OrderOut, **ERRORS})
def get_cover_order(request: HttpRequest, order_id: int) -> Any:
    """An order with its status computed at this moment."""
    return order_out(actions.get_order(acting(request, actions.Action.VIEW_CASES), order_id))


@router.post("/cover-orders/{order_id}/extensions", response={201: CreatedOut, **ERRORS})
def file_extension(request: HttpRequest, order_id: int, payload: ExtensionIn) -> Status[Any]:
    """Request an extension (requester of the order's agency); approved like any request."""
    user = acting(request, actions.Action.FILE_EXTENSION)
    order = actions.get_order(user, order_id)
    filed = actions.file_extension(user, order, payload.to_draft(), timezone.now())
    return Status(201, {"id": filed.pk, "case_number": filed.case_number, "status": filed.state})


@router.post("/cover-orders/{order_id}/emergency-confirmation", response={200: OrderOut, **ERRORS})
def confirm_emergency(request: HttpRequest, order_id: int, payload: ConfirmationIn) -> Any:
    """MC-EMERGENCY: the written confirmation of an oral emergency request."""
    user = acting(request, actions.Action.CONFIRM_EMERGENCY)
    order = actions.get_order(user, order_id)
    actions.confirm_emergency(user, order, payload.written_request, timezone.now())
    return order_out(actions.get_order(user, order_id))


@router.post("/cover-orders/{order_id}/indictment", response={200: OrderOut, **ERRORS})
def notify_indictment(request: HttpRequest, order_id: int, payload: IndictmentIn) -> Any:
    """MC-INDICTMENT: the subject was indicted; the cover ends unless it is a fugitive's."""
    user = acting(request, actions.Action.NOTIFY_INDICTMENT)
    order = actions.get_order(user, order_id)
    actions.notify_indictment(user, order, payload.filed_on, payload.note, timezone.now())
    return order_out(actions.get_order(user, order_id))


@router.post("/cover-orders/{order_id}/improper", response={200: OrderOut, **ERRORS})
def rule_improper(request: HttpRequest, order_id: int, payload: ImproperIn) -> Any:
    """MC-IMPROPER: rule the order improper (final); the requester is told why."""
    user = acting(request, actions.Action.RULE_IMPROPER)
    order = actions.get_order(user, order_id)
    actions.rule_improper(user, order, payload.reasons, timezone.now())
    return order_out(actions.get_order(user, order_id))


@router.post("/cover-orders/{order_id}/reviews", response={201: OrderOut, **ERRORS})
def review_order(request: HttpRequest, order_id: int, payload: ReviewIn) -> Status[Any]:
    """MC-REVIEW: record a periodic review of the order."""
    user = acting(request, actions.Action.REVIEW_ORDER)
    order = actions.get_order(user, order_id)
    actions.review(user, order, payload.note, timezone.now())
    return Status(201, order_out(actions.get_order(user, order_id)))


class CapturesQuery(Schema):
    offset: int = Field(default=0, ge=0, le=1_000_000_000)
    limit: int = Field(default=actions.CAPTURES_PAGE, ge=1, le=actions.CAPTURES_PAGE_MAX)


def capture_out(capture: Capture, exterior: Exterior) -> dict[str, Any]:
    return {
        "piece_id": capture.piece_id,
        "scanned_at": capture.scanned_at,
        "facility": capture.facility,
        "mail_class": capture.mail_class,
        "imb": exterior.imb,
        "addressee": exterior.addressee,
        "return_address": exterior.return_address,
        "image_url": (
            f"/api/v1/cover-orders/{capture.order_id}/captures/{capture.piece_id}/image"
            if capture.image
            else None
        ),
        "matched_on": capture.matched_on,
        "captured_at": capture.captured_at,
    }


@router.get("/cover-orders/{order_id}/captures", response={200: CapturesOut, **ERRORS})
def list_captures(
    request: HttpRequest, order_id: int, page: Query[CapturesQuery]
) -> dict[str, Any]:
    """What the order captured, oldest scan first: to the requesting authority and oversight
    only (MC-REPORTING). Every page with captures on it is a disclosure on the ledger."""
    user = acting(request, actions.Action.VIEW_CAPTURES)
    order = actions.get_order(user, order_id)
    total, shown = actions.view_captures(
        user, order, timezone.now(), offset=page.offset, limit=page.limit
    )
    return {
        "order": order.pk,
        "case_number": order.case_number,
        "total": total,
        "offset": page.offset,
        "captures": [capture_out(c, x) for c, x in zip(shown, exteriors(shown), strict=True)],
    }


@router.get(
    "/cover-orders/{order_id}/captures/{piece_id}/image",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {200: {"content": {kind: {} for kind in IMAGE_TYPES.values()}}},
    },
)
def capture_image(request: HttpRequest, order_id: int, piece_id: str) -> HttpResponse:
    """A captured piece's exterior image: to the requesting authority and oversight only,
    each time a disclosure on the ledger."""
    user = acting(request, actions.Action.VIEW_CAPTURES)
    order = actions.get_order(user, order_id)
    capture, data = actions.view_capture_image(user, order, piece_id, timezone.now())
    return image_response(capture, data)


MAIL_PIECES_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "array",
                    "maxItems": ingest.BATCH_LIMIT,
                    "items": {"type": "object", "description": "a mail-piece event (DESIGN.md)"},
                }
            }
        },
    }
}


@router.post(
    "/mail-pieces",
    response={200: MailPiecesOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 413: ErrorOut},
    openapi_extra=MAIL_PIECES_BODY,
)
def feed_mail_pieces(request: HttpRequest) -> Any:
    """A batch of mail-piece events (operator, bound to the facilities it feeds). The answer
    is `{received, rejected}` and nothing else (SEC-OPERATOR): each bad item, or one from a
    facility the account does not feed, is rejected with its index and the reason, and the
    rest is matched; whether any piece was captured is not told. Items past the batch limit,
    or not reached within the time a request may take, are rejected one by one, to be sent
    again. A batch of more than a few photographs to be read by OCR is refused whole (413)."""
    user = acting(request, actions.Action.FEED_MAIL)
    try:
        body = request.body
    except RequestDataTooBig:
        return Status(
            413,
            {
                "detail": f"the body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes; "
                f"send at most {ingest.BATCH_LIMIT} pieces a batch"
            },
        )
    try:
        events = json.loads(body)
    except (ValueError, RecursionError) as error:  # not UTF-8, not JSON, a number too long
        where = (
            f" ({error.msg} at line {error.lineno}, column {error.colno})"
            if isinstance(error, json.JSONDecodeError)
            else ""
        )
        return Status(400, {"detail": f"the body must be a JSON array of mail-piece events{where}"})
    if not isinstance(events, list):
        return Status(400, {"detail": "the body must be a JSON array of mail-piece events"})
    limit = settings.MAILCOVER_IMAGE_ONLY_BATCH_MAX
    photographs = image_only(events[: ingest.BATCH_LIMIT])
    if photographs > limit:
        return Status(
            413,
            {
                "detail": f"the batch holds {photographs} pieces with an image and neither "
                f"addressee nor barcode; each is read by OCR, and one request takes at most "
                f"{limit} (MAILCOVER_IMAGE_ONLY_BATCH_MAX). Send photographs in batches of "
                f"{limit} or fewer, or through `mailcover ingest` on the server"
            },
        )
    return _feed(user, events).for_operator()


TIME_CHECK_EVERY = 500


def _feed(user: User, events: list[Any]) -> ingest.Summary:
    """Match the batch for at most MAILCOVER_BATCH_SECONDS, then keep the tally: a request
    never outlasts the server's timeout, and a batch cut short still leaves its counts."""
    feeder = ingest.Ingestor(
        "api", user, facilities=_facilities(user), ocr_limit=settings.MAILCOVER_IMAGE_ONLY_BATCH_MAX
    )
    deadline = monotonic() + settings.MAILCOVER_BATCH_SECONDS
    taken = min(len(events), ingest.BATCH_LIMIT)
    number = 0
    seen: set[str] = set()
    # SEC-OPERATOR: the clock is looked at only between whole chunks, so where a batch is
    # cut short says little of how long each piece took (a covered piece costs a capture).
    while number < taken and (number % TIME_CHECK_EVERY or monotonic() < deadline):
        event = events[number]
        piece_id = event.get("piece_id") if isinstance(event, dict) else None
        if isinstance(piece_id, str) and piece_id in seen:
            # One piece is matched once a batch: copies of it would multiply the time a
            # covered piece costs into something an operator could measure.
            feeder.reject_many(number, 1, "piece_id repeats an earlier item of this batch")
        else:
            if isinstance(piece_id, str):
                seen.add(piece_id)
            feeder.feed(number, event)
        number += 1
    if number < taken:
        feeder.reject_many(
            number,
            taken - number,
            f"items {number} to {taken - 1} were not read within the "
            f"{settings.MAILCOVER_BATCH_SECONDS} seconds one request may take; send them again "
            "in another batch",
        )
    if len(events) > ingest.BATCH_LIMIT:
        feeder.reject_many(
            ingest.BATCH_LIMIT,
            len(events) - ingest.BATCH_LIMIT,
            f"items {ingest.BATCH_LIMIT} to {len(events) - 1} are over the batch limit of "
            f"{ingest.BATCH_LIMIT} pieces; send them again in another batch",
        )
    events.clear()
    return feeder.finish()


def _facilities(user: User) -> frozenset[str]:
    """SEC-OPERATOR: the facilities this operator account is bound to feed (none: it feeds
    nothing)."""
    return frozenset(
        OperatorFacility.objects.filter(operator=user).values_list("facility", flat=True)
    )
