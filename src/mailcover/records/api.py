"""/api/v1/records-requests and /api/v1/productions: thin edges over records.actions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.params import functions as params
from pydantic import ValidationError

from mailcover.config import paging
from mailcover.covers.api import acting, case_reader
from mailcover.covers.schemas import ErrorOut
from mailcover.law import records as law
from mailcover.law.errors import RuleBroken, Violation
from mailcover.law.records import Instrument
from mailcover.law.roles import Action
from mailcover.records import actions, instruments, lists
from mailcover.records.presenting import request_out
from mailcover.records.schemas import (
    ChallengeNoticeIn,
    CreatedOut,
    DelayIn,
    DownloadIn,
    InstrumentIn,
    LinkOut,
    RecordsRequestOut,
    RecordsRequestsOut,
    ReviewIn,
    parse_request,
)

router = Router(tags=["records requests"])

ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    410: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}


def _second_factor(request: HttpRequest) -> bool:
    """Whether the bearer token was issued after a one-time code (RR-VERIFIED)."""
    return bool(getattr(request, "token_second_factor", False))


def _pdf(upload: UploadedFile, field: str) -> bytes:
    """The upload's bytes, refused before reading when it is over the limit."""
    from django.conf import settings

    limit = settings.MAILCOVER_INSTRUMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise instruments.InstrumentFileError(
            f"{field} is {upload.size:,} bytes; the limit is {limit:,}", too_big=True
        )
    return bytes(upload.read(limit + 1))


@router.post(
    "/records-requests",
    response={201: CreatedOut, **ERRORS},
    summary="File a records request with its legal instrument (multipart)",
)
def file_request(
    request: HttpRequest,
    payload: Annotated[str, params.Form(alias="request")],
    instrument_pdf: File[UploadedFile],
) -> Status[Any]:
    """The `request` part is the JSON of DESIGN.md; `instrument_pdf` the instrument as a PDF.
    Refusals name the rule: RR-VERIFIED (agency not verified, no second factor),
    RR-SCOPE (a category the instrument does not reach, naming the instrument needed; a
    date range reversed or open; no customer named), RR-EMERGENCY."""
    user = acting(request, Action.FILE_RECORDS_REQUEST)
    parsed = parse_request(payload)
    pdf = _pdf(instrument_pdf, "instrument_pdf")
    filed = actions.file_request(
        user,
        parsed.to_draft(),
        parsed.model_dump(mode="json"),
        pdf,
        timezone.now(),
        second_factor_used=_second_factor(request),
    )
    return Status(201, {"id": filed.pk, "number": filed.number, "state": filed.state})


class RecordsRequestsIn(paging.SearchIn):
    state: Literal["under_review", "approved", "produced", "refused", "no_records"] | None = None
    instrument: Instrument | None = None


@router.get(
    "/records-requests",
    response={200: RecordsRequestsOut, **ERRORS},
    openapi_extra=paging.paged_openapi("the records requests you may see, newest filed first"),
)
def list_requests(
    request: HttpRequest, query: Query[RecordsRequestsIn], response: HttpResponse
) -> Status[Any]:
    """The requests you may see (your agency's, or all for reviewers and oversight), newest
    filed first, searched and filtered as on the records requests page; the filters only
    narrow what you may see. `q` searches the request's number, the agency's name and the
    customer's name, e-mail, account and tracking number; `from` and `to` bound the day
    filed. Sort keys (`-` before one for descending): `number`, `agency`, `instrument`,
    `filed`."""
    user = case_reader(request)
    if not (actions.may_see_any(user)):
        actions.require(user, Action.FILE_RECORDS_REQUEST)
    params = paging.as_list_params(
        query, state=query.state, grounds=query.instrument.value if query.instrument else None
    )
    found, rows, _ = lists.records_rows(user, params)
    paging.refuse_problems(found, {"grounds": "instrument"})
    total = rows.count()
    paging.set_headers(request, response, total, query)
    now = timezone.now()
    items = [request_out(r, now) for r in paging.window(rows, query)]
    return Status(
        200, {"total": total, "offset": query.offset, "limit": query.limit, "items": items}
    )


@router.get("/records-requests/{request_id}", response={200: RecordsRequestOut, **ERRORS})
def get_request(request: HttpRequest, request_id: int) -> Status[Any]:
    """The request, its review, its production's hashes and its customer notice."""
    user = case_reader(request)
    if not actions.may_see_any(user):
        actions.require(user, Action.FILE_RECORDS_REQUEST)
    return Status(200, request_out(actions.get_visible(user, request_id), timezone.now()))


@router.post("/records-requests/{request_id}/review", response={200: RecordsRequestOut, **ERRORS})
def review(request: HttpRequest, request_id: int, payload: ReviewIn) -> Status[Any]:
    """An inspector who did not file it approves (and, when the law lets it go, produces)
    or refuses the request. Identifiers that match no customer end as `no_records`."""
    user = acting(request, Action.REVIEW_RECORDS_REQUEST)
    now = timezone.now()
    done = actions.review(user, request_id, payload.approve, payload.reason, now)
    return Status(200, request_out(actions.get_visible(user, done.pk), now))


@router.post("/records-requests/{request_id}/produce", response={200: RecordsRequestOut, **ERRORS})
def produce(request: HttpRequest, request_id: int) -> Status[Any]:
    """Produce an approved request whose release was held (RR-FINANCIAL)."""
    user = acting(request, Action.REVIEW_RECORDS_REQUEST)
    now = timezone.now()
    actions.produce(user, request_id, now)
    return Status(200, request_out(actions.get_visible(user, request_id), now))


@router.post(
    "/records-requests/{request_id}/challenge-notice",
    response={201: RecordsRequestOut, **ERRORS},
)
def challenge_notice(
    request: HttpRequest, request_id: int, payload: ChallengeNoticeIn
) -> Status[Any]:
    """RR-FINANCIAL: when the customer was served (10 days) or mailed (14 days) notice."""
    user = acting(request, Action.FILE_RECORDS_REQUEST)
    now = timezone.now()
    actions.record_challenge_notice(user, request_id, payload.served_on, payload.method, now)
    return Status(201, request_out(actions.get_visible(user, request_id), now))


@router.post("/records-requests/{request_id}/delays", response={201: RecordsRequestOut, **ERRORS})
def add_delay(request: HttpRequest, request_id: int, payload: DelayIn) -> Status[Any]:
    """RR-NOTICE: a delayed-notice order (up to 90 days at a time) or a nondisclosure
    order on file holds the customer's notice back."""
    user = acting(request, Action.FILE_RECORDS_REQUEST)
    now = timezone.now()
    actions.add_delay(
        user,
        request_id,
        payload.kind,
        payload.starts_on,
        payload.ends_on,
        payload.court_reference,
        now,
    )
    return Status(201, request_out(actions.get_visible(user, request_id), now))


@router.post(
    "/records-requests/{request_id}/follow-up", response={201: RecordsRequestOut, **ERRORS}
)
def follow_up(
    request: HttpRequest,
    request_id: int,
    payload: Annotated[str, params.Form(alias="instrument")],
    instrument_pdf: File[UploadedFile],
) -> Status[Any]:
    """RR-EMERGENCY: the legal instrument that follows an emergency disclosure (multipart:
    `instrument` JSON {type, issued_by, issued_on, number}, `instrument_pdf`)."""
    user = acting(request, Action.FILE_RECORDS_REQUEST)
    try:
        given = InstrumentIn.model_validate_json(payload)
    except ValidationError as exc:
        raise RuleBroken(
            [Violation("RR-EMERGENCY", "instrument", e["msg"]) for e in exc.errors()]
        ) from None
    kind = law.parse_instrument(given.type)
    if kind is None:
        raise RuleBroken(
            [Violation("RR-EMERGENCY", "instrument.type", f"{given.type!r} is no instrument")]
        )
    now = timezone.now()
    pdf = _pdf(instrument_pdf, "instrument_pdf")
    actions.file_follow_up(
        user, request_id, kind, given.issued_by, given.issued_on, given.number, pdf, now
    )
    return Status(201, request_out(actions.get_visible(user, request_id), now))


@router.post("/records-requests/{request_id}/download-links", response={201: LinkOut, **ERRORS})
def issue_link(request: HttpRequest, request_id: int) -> HttpResponse:
    """A link to the production, for the agency that filed the request; it expires. The
    answer's `token` is POSTed to `url` (`/api/v1/productions/download`)."""
    user = acting(request, Action.FILE_RECORDS_REQUEST)
    link = actions.issue_link(user, request_id, timezone.now(), _second_factor(request))
    url = reverse("api:download_production")
    # The link is a secret: no cache and no Idempotency-Key record keeps it.
    body = {"token": link.token, "url": url, "expires_at": link.expires_at}
    response = api_response(request, body, 201)
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/productions/download",
    response={200: None, **ERRORS},
    url_name="download_production",
    summary="Download a production (a ZIP) with the token of its link",
)
def download_production(request: HttpRequest, body: DownloadIn) -> HttpResponse:
    """Only a member of the requesting agency, signed in, while the link lasts (410 after).
    The token is in the body: a URL with it would land in access logs and histories."""
    user = acting(request, Action.FILE_RECORDS_REQUEST)
    made, data = actions.download(user, body.token, timezone.now(), _second_factor(request))
    return zip_response(made.request.number, made.sha256, data)


@router.get(
    "/productions/{token}",
    response={410: ErrorOut},
    auth=None,
    summary="Gone: a download token is POSTed to /api/v1/productions/download",
)
def download_by_path(request: HttpRequest, token: str) -> Status[Any]:
    """The old link form, with the token in the path. It is never looked up nor recorded:
    a token that has travelled in a URL may be in a log, and is not to be honoured."""
    del token
    return Status(
        410,
        {
            "detail": "download tokens are no longer sent in the URL: POST "
            '{"token": ...} to /api/v1/productions/download'
        },
    )


def api_response(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
    from mailcover.config.api import api

    return api.create_response(request, body, status=status)


def zip_response(number: str, sha256: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{number}-production.zip"'
    response["X-Content-SHA256"] = sha256
    response["Cache-Control"] = "no-store"
    return response


@router.get("/records-requests/{request_id}/reproduction", response={200: dict, **ERRORS})
def reproduction(request: HttpRequest, request_id: int) -> Status[Any]:
    """Rebuild the production from the records as they were and compare it, byte for
    byte, with the hashes on the ledger."""
    user = case_reader(request)
    if not actions.may_see_any(user):
        raise actions.Forbidden("reviewers and oversight check reproductions")
    differences = actions.reproduce(user, request_id)
    return Status(200, {"identical": not differences, "differences": differences})
