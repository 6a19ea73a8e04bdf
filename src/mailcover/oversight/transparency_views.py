"""The transparency report's page and downloads, open to everyone: the public version
for anyone, signed in or not; the internal version for oversight, who may switch."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from mailcover.accounts.models import User
from mailcover.covers.actions import Forbidden
from mailcover.law.errors import RuleBroken
from mailcover.law.roles import Action, may, roles_reading_reports
from mailcover.law.terms import Role
from mailcover.law.transparency import (
    CalendarPeriod,
    Span,
    calendar_period,
    closed_periods,
    latest_closed_quarter,
)
from mailcover.oversight import transparency
from mailcover.oversight import transparency_periods as periods
from mailcover.oversight.transparency import (
    Format,
    PeriodError,
    TransparencyReport,
    Version,
)
from mailcover.oversight.transparency_pdf import issuing_agency, render_pdf
from mailcover.oversight.transparency_tables import tables, version_statement


def _roles(request: HttpRequest) -> frozenset[Role]:
    user = request.user
    if not isinstance(user, User):
        return frozenset()
    return roles_reading_reports(user.role_set, user.has_nondisclosure())


def asked_report(roles: frozenset[Role], query: Any) -> TransparencyReport:
    """The report a query string asks for (a calendar period or start and end, and the
    version), as this reader may see it. PeriodError names a bad field; Forbidden, an
    internal version not theirs; RuleBroken, a period the public may not have
    (SEC-PUBLIC-PERIOD)."""
    asked = (
        transparency.parse_choice("version", query.get("version"), Version, Version.PUBLIC)
        if query.get("version")
        else None
    )
    version = transparency.choose_version(roles, asked)
    today = timezone.now().date()
    oversight = may(roles, Action.VIEW_OVERSIGHT)
    start, end = periods.period_of(periods.asked_from(query), today, public=not oversight)
    return periods.report_for(roles, start, end, version, today)


def _query(report: TransparencyReport, version: Version | None = None) -> str:
    return urlencode(
        {
            "start": report.start.isoformat(),
            "end": report.end.isoformat(),
            "version": (version or report.version).value,
        }
    )


def document_context(report: TransparencyReport) -> dict[str, Any]:
    return {
        "report": report,
        "tables": tables(report),
        "statement": version_statement(report.version),
        "public": report.version is Version.PUBLIC,
    }


def render_document(report: TransparencyReport) -> str:
    """The report as a page of its own, with no link to the site (the command line's
    HTML)."""
    return render_to_string("oversight/transparency_document.html", document_context(report))


@require_GET
def page(request: HttpRequest) -> HttpResponse:
    roles = _roles(request)
    oversight = may(roles, Action.VIEW_OVERSIGHT)
    choices = _choices(request.GET, timezone.now().date())
    try:
        report = asked_report(roles, request.GET)
    except (PeriodError, RuleBroken) as bad:
        context = {"error": bad, "form": request.GET, "oversight": oversight, **choices}
        return render(request, "oversight/transparency.html", context, status=422)
    except Forbidden as refused:
        raise PermissionDenied(str(refused)) from None
    context = {
        **document_context(report),
        **choices,
        "oversight": oversight,
        "period": calendar_period(report.start, report.end),
        "form": {"start": report.start.isoformat(), "end": report.end.isoformat()},
        "csv_url": f"{reverse('oversight:transparency-csv')}?{_query(report)}",
        "pdf_url": f"{reverse('oversight:transparency-pdf')}?{_query(report)}",
        "switch_url": (
            f"{reverse('oversight:transparency')}?"
            + _query(
                report,
                Version.INTERNAL if report.version is Version.PUBLIC else Version.PUBLIC,
            )
        ),
    }
    return render(request, "oversight/transparency.html", context)


YEARS_OFFERED = 5


def _choices(query: Any, today: date) -> dict[str, Any]:
    """The calendar periods the page offers: the closed ones of the year chosen (by
    default the year of the last closed quarter), and the years to choose from."""
    latest = latest_closed_quarter(today).year
    try:
        year = int(query.get("year") or latest)
    except ValueError:
        year = latest
    years = list(range(today.year, today.year - YEARS_OFFERED, -1))
    if year not in years:
        year = latest
    offered = [
        {"label": p.label, "url": f"{reverse('oversight:transparency')}?{_calendar_query(p)}"}
        for p in closed_periods(year, today)
    ]
    return {"years": years, "chosen_year": year, "offered": offered}


def _calendar_query(period: CalendarPeriod) -> str:
    fields = {"year": str(period.year)}
    if period.span is not Span.YEAR:
        fields[period.span.value] = str(period.number)
    return urlencode(fields)


def download(request: HttpRequest, form: Format) -> HttpResponse:
    try:
        report = asked_report(_roles(request), request.GET)
    except (PeriodError, RuleBroken) as bad:
        return HttpResponse(str(bad) + "\n", status=422, content_type="text/plain; charset=utf-8")
    except Forbidden as refused:
        raise PermissionDenied(str(refused)) from None
    return report_response(report, form)


def report_response(report: TransparencyReport, form: Format) -> HttpResponse:
    """The report as a CSV or PDF download, named after its period and version."""
    name = f"transparency-{report.start}-{report.end}-{report.version.value}.{form.value}"
    if form is Format.PDF:
        response = HttpResponse(
            render_pdf(report, issuing_agency()), content_type="application/pdf"
        )
    else:
        response = HttpResponse(transparency.as_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    if report.version is Version.INTERNAL:
        response["Cache-Control"] = "private, no-store"  # exact counts stay with oversight
    return response


@require_GET
def csv_download(request: HttpRequest) -> HttpResponse:
    return download(request, Format.CSV)


@require_GET
def pdf_download(request: HttpRequest) -> HttpResponse:
    return download(request, Format.PDF)


urlpatterns: list[URLPattern] = [
    path("transparency", page, name="transparency"),
    path("transparency.csv", csv_download, name="transparency-csv"),
    path("transparency.pdf", pdf_download, name="transparency-pdf"),
]
