"""Pages of oversight's compliance part: the checks and their drill-down lists (oversight),
the review queue (reviewing officials and oversight), the return of report documents,
and an order's discovery package (the requesting authority)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mailcover.accounts.models import User
from mailcover.covers import actions as covers
from mailcover.covers.forms import add_violations
from mailcover.covers.views import case_view, signed_in_user
from mailcover.law.errors import RuleBroken
from mailcover.law.roles import Action
from mailcover.oversight import actions, compliance, retention
from mailcover.oversight.compliance_api import package_response
from mailcover.oversight.forms import DiscoveryForm, ReportReturnForm
from mailcover.web import listing


def _require_reader(user: User) -> None:
    """Oversight with a nondisclosure acknowledgment on file: the pages name every agency's
    cases (MC-NONDISCLOSURE)."""
    covers.require(user, Action.VIEW_OVERSIGHT)
    try:
        covers.require_nondisclosure(user)
    except RuleBroken as broken:
        raise PermissionDenied(str(broken)) from None


@case_view
@require_GET
def checks(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    _require_reader(user)
    now = timezone.now()
    context = {
        "results": compliance.run_all(now, covers.policy()),
        "due": retention.due_for_destruction(now, covers.policy()),
        "now": now,
    }
    return render(request, "oversight/compliance.html", context)


@case_view
@require_GET
def check_detail(request: HttpRequest, check_id: str) -> HttpResponse:
    user = signed_in_user(request)
    _require_reader(user)
    check = compliance.find_check(check_id)
    if check is None:
        raise Http404(f"no compliance check {check_id[:40]!r}")
    now = timezone.now()
    result = compliance.run_check(check, now, covers.policy())
    return render(request, "oversight/check.html", {"result": result, "now": now})


@case_view
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    try:
        rows = actions.review_queue(signed_in_user(request), timezone.now())
    except RuleBroken as broken:
        raise PermissionDenied(str(broken)) from None
    query, page = listing.page_only(rows, request.GET)
    context = {"rows": page.rows, "page": page, "query": query}
    return render(request, "oversight/reviews.html", context, status=400 if query.problems else 200)


def _returns_page(
    request: HttpRequest, forms: dict[int, ReportReturnForm], status: int = 200
) -> HttpResponse:
    """One page of the covers that have stopped (web.listing.page_only: those still owed
    first, USWDS pagination); a form sent back with errors is shown on its own page."""
    every = actions.returns_list(signed_in_user(request), timezone.now())
    query, page = listing.page_only(every, request.GET)
    page.rooted(reverse("oversight:report-returns"))
    rows = []
    for row in page.rows:
        form = forms.get(row.order.pk)
        if form is None and row.may_record:
            form = ReportReturnForm(prefix=f"o{row.order.pk}")
        rows.append({**vars(row), "form": form})
    if query.problems and status == 200:
        status = 400
    context = {"rows": rows, "page": page, "query": query}
    return render(request, "oversight/returns.html", context, status=status)


@case_view
@require_GET
def report_returns(request: HttpRequest) -> HttpResponse:
    covers.require(signed_in_user(request), Action.VIEW_CASES)
    return _returns_page(request, {})


@case_view
@require_POST
def record_return(request: HttpRequest, order_id: int) -> HttpResponse:
    user = signed_in_user(request)
    covers.require(user, Action.RECORD_REPORT_RETURN)
    order = covers.get_order(user, order_id)
    form = ReportReturnForm(request.POST, prefix=f"o{order.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_report_return(
                user,
                order,
                how=data["how"],
                certified_by=data["certified_by"],
                done_on=data["done_on"],
                note=data["note"],
                now=timezone.now(),
            )
        except RuleBroken as broken:
            add_violations(form, broken.violations)
        except covers.Conflict as clash:
            form.add_error(None, str(clash))
        else:
            messages.success(request, f"The return of {order.case_number}'s documents is on file.")
            back = reverse("oversight:report-returns")
            on_page = request.GET.get("page", "")
            return redirect(f"{back}?page={on_page}" if on_page.isdigit() else back)
    return _returns_page(request, {order.pk: form}, status=422)


@case_view
@require_http_methods(["GET", "POST"])
def discovery(request: HttpRequest, order_id: int) -> HttpResponse:
    user = signed_in_user(request)
    covers.require(user, Action.EXPORT_DISCOVERY)
    order = covers.get_order(user, order_id)
    form = DiscoveryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            package = actions.export_discovery(user, order, form.to_draft(), timezone.now())
        except RuleBroken as broken:
            add_violations(form, broken.violations)
        except covers.Conflict as clash:
            form.add_error(None, str(clash))
        else:
            return package_response(package)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "oversight/discovery.html", {"order": order, "form": form}, status=status
    )


urlpatterns: list[URLPattern] = [
    path("compliance", checks, name="compliance"),
    path("compliance/<str:check_id>", check_detail, name="check"),
    path("reviews", review_queue, name="reviews"),
    path("report-returns", report_returns, name="report-returns"),
    path("report-returns/<int:order_id>", record_return, name="record-return"),
    path("orders/<int:order_id>/discovery", discovery, name="discovery"),
]
