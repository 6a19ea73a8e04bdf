"""/api/v1/reports/transparency: the transparency report, answered with or without a
token. Anyone gets the public version; oversight gets the internal one by default."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import ValidationError

from mailcover.accounts.api import BearerToken
from mailcover.accounts.models import User
from mailcover.covers.api import ERRORS
from mailcover.law.roles import Action, may, roles_reading_reports
from mailcover.law.terms import Role
from mailcover.oversight import transparency
from mailcover.oversight import transparency_periods as periods
from mailcover.oversight.transparency import Format, PeriodError, Version
from mailcover.oversight.transparency_views import report_response

router = Router(tags=["oversight"])

Shown = int | str


class TransparencyDurationsOut(Schema):
    bands: dict[str, Shown]
    median_days: float | None
    shortest_days: int | None
    longest_days: int | None


class TransparencyCoversOut(Schema):
    requested: Shown
    approved: Shown
    denied: Shown
    pending: Shown
    emergency: Shown
    extensions: Shown
    extensions_approved: Shown
    improper: Shown
    by_grounds: dict[str, Shown]
    by_agency_level: dict[str, Shown]
    attorney_pieces_excluded: Shown
    durations: TransparencyDurationsOut


class TransparencyRecordsOut(Schema):
    received: Shown
    produced: Shown
    refused: Shown
    no_records: Shown
    pending: Shown
    emergency: Shown
    by_instrument: dict[str, Shown]
    by_category: dict[str, Shown]
    notices_sent: Shown
    notices_delayed: Shown


class TransparencyOut(Schema):
    start: str
    end: str
    version: str
    mail_covers: TransparencyCoversOut
    records_requests: TransparencyRecordsOut


def _anyone(request: HttpRequest) -> AnonymousUser | None:
    """No Authorization header: a member of the public. A token that is sent must be
    good (BearerToken, tried first): a wrong one is a 401, not a quiet public answer."""
    return None if "Authorization" in request.headers else AnonymousUser()


def _bad(error: PeriodError) -> ValidationError:
    return ValidationError([{"loc": ["query", error.field], "msg": error.message}])


@router.get(
    "/reports/transparency",
    auth=[BearerToken(), _anyone],
    response={200: TransparencyOut, **ERRORS},
    openapi_extra={
        "responses": {200: {"content": {"text/csv": {}, "application/pdf": {}}}},
    },
)
def transparency_report(
    request: HttpRequest,
    start: str | None = None,
    end: str | None = None,
    year: str | None = None,
    quarter: str | None = None,
    half: str | None = None,
    version: str | None = None,
    format: str | None = None,
) -> Any:
    """The transparency report of a calendar period (`year` with `quarter` 1-4 or `half`
    1-2, or the year alone) or of `start` to `end` (YYYY-MM-DD, UTC, both included), as
    `format` json (default), csv or pdf. Anyone may read the public version of a closed
    calendar quarter, half-year or year (by default the last closed quarter); any other
    period is refused (422, rule SEC-PUBLIC-PERIOD). Oversight reads any period (by
    default the year to date) and gets the internal version (exact counts) unless it asks
    for `version=public`."""
    reader = getattr(request, "auth", None)
    roles = (
        roles_reading_reports(reader.role_set, reader.has_nondisclosure())
        if isinstance(reader, User)
        else frozenset[Role]()
    )
    today = timezone.now().date()
    try:
        asked = transparency.parse_choice("version", version, Version, Version.PUBLIC)
        form = transparency.parse_choice("format", format, Format, Format.JSON)
        first, last = periods.period_of(
            periods.Asked(start, end, year, quarter, half),
            today,
            public=not may(roles, Action.VIEW_OVERSIGHT),
        )
    except PeriodError as bad:
        raise _bad(bad) from None
    if form is Format.HTML:
        raise _bad(
            PeriodError("format", "html is the page /transparency; ask for json, csv or pdf")
        )
    chosen = transparency.choose_version(roles, asked if version else None)
    report = periods.report_for(roles, first, last, chosen, today)
    if form is Format.JSON:
        return transparency.as_json(report)
    response: HttpResponse = report_response(report, form)
    return response
