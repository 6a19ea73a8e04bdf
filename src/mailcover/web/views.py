"""Sign-in, the home page of each role, and the health check."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mailcover.accounts.models import User
from mailcover.accounts.sign_in import SignInRefused, check_sign_in, needs_code
from mailcover.covers import actions
from mailcover.covers.matchability import unmatchable
from mailcover.covers.models import Notice
from mailcover.law.orders import confirmation_deadline, order_status
from mailcover.law.reviews import review_due_at, review_overdue
from mailcover.law.roles import Action, check_case_access, may
from mailcover.law.terms import OrderStatus
from mailcover.stream import views as stream_views
from mailcover.web import homes

ENDING_SOON = timedelta(days=7)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the service and its database answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any database failure means unhealthy
        return JsonResponse({"status": "unavailable", "detail": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok"})


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Username, password and one-time code; one answer for every failure (SEC-SIGN-IN).
    An account that needs a second factor and has none yet goes on to enrol one, and
    reaches nothing else until it has (SEC-SECOND-FACTOR, accounts.middleware)."""
    error = None
    if request.method == "POST":
        try:
            user = check_sign_in(
                request,
                request.POST.get("username", ""),
                request.POST.get("password", ""),
                request.POST.get("otp"),
                enrolling=True,
            )
        except SignInRefused as refused:
            error = str(refused)
        else:
            # django_otp verifies the session with user.otp_device, when there is one.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if needs_code(user) and getattr(user, "otp_device", None) is None:
                return redirect("web:enrol")
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = "web:home"
            return redirect(target or "web:home")
    return render(
        request,
        "web/sign_in.html",
        {"error": error, "next": request.GET.get("next", "")},
        status=401 if error else 200,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:sign-in")


def _order_rows(orders: Any, now: datetime) -> list[dict[str, Any]]:
    policy = actions.policy()
    rows = []
    for order in orders:
        facts = order.facts()
        last_review = order.last_review_at()
        rows.append(
            {
                "order": order,
                "facts": facts,
                "status": order_status(facts, now).value,
                "ends_soon": order_status(facts, now) is OrderStatus.ACTIVE
                and facts.ends_at - now <= ENDING_SOON,
                "review_due_at": review_due_at(facts, last_review, policy),
                "review_overdue": review_overdue(facts, last_review, now, policy),
                "confirmation_due_at": confirmation_deadline(facts)
                if facts.emergency and facts.confirmed_at is None
                else None,
            }
        )
    return rows


def _running(user: User, now: datetime) -> Any:
    """The orders whose last period has not ended: the only ones that can end soon, be due
    for review or for a confirmation, or still capture. All of them, with no cut."""
    return actions.visible_orders(user).filter(periods__ends_at__gt=now).distinct()


def _case_lists(user: User, now: datetime, context: dict[str, Any]) -> None:
    visible = actions.visible_orders(user)
    running = _order_rows(_running(user, now), now)
    context["orders"] = _order_rows(visible[: homes.HOME_ROWS], now)
    context["orders_total"] = visible.count()
    context["unmatchable"] = unmatchable(running)  # SVC-MATCHABLE: orders from before
    context["attention"] = [
        r for r in running if r["ends_soon"] or r["review_overdue"] or r["confirmation_due_at"]
    ]


def _queue(user: User) -> homes.Queue:
    return homes.approval_queue(user, timezone.now())


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What this person may act on now comes first (web.homes), then the newest cases."""
    user: User = request.user  # type: ignore[assignment]
    held = user.role_set
    now = timezone.now()
    context: dict[str, Any] = {"now": now}
    missing = check_case_access(held, user.has_nondisclosure())
    if missing:  # MC-NONDISCLOSURE: the home page says why, and shows no case at all
        context["nondisclosure_missing"] = f"{missing[0].message} ({missing[0].rule})"
        return render(request, "web/home.html", context)
    if may(held, Action.VIEW_CASES):
        _case_lists(user, now, context)
        context["emergencies"] = homes.emergencies_due(user, now)
    if may(held, Action.FILE_REQUEST):
        mine = actions.visible_requests(user)
        context["my_requests"] = mine[: homes.HOME_ROWS]
        context["my_requests_total"] = mine.count()
        context["notices"] = Notice.objects.filter(recipient=user).order_by("-created_at")[:20]
    if may(held, Action.DECIDE_REQUEST):
        context["queue"] = _queue(user)
    context["records_queue"] = homes.records_waiting(user, now)
    if may(held, Action.VIEW_OVERSIGHT):
        context["overview"] = _overview(user, now, context.get("attention", []))
    if may(held, Action.FEED_MAIL):
        context["stream"] = stream_views.operator_state(user)
    return render(request, "web/home.html", context)


def _overview(user: User, now: datetime, attention: list[dict[str, Any]]) -> dict[str, Any]:
    requests = actions.visible_requests(user)
    by_status: dict[str, int] = {}
    for row in _order_rows(actions.visible_orders(user), now):
        by_status[row["status"]] = by_status.get(row["status"], 0) + 1
    return {
        "requests": requests.count(),
        "pending": requests.filter(decision__isnull=True).count(),
        "approved": requests.filter(decision__outcome="approved").count(),
        "denied": requests.filter(decision__outcome="denied").count(),
        "orders_by_status": sorted(by_status.items()),
        "reviews_overdue": sum(1 for r in attention if r["review_overdue"]),
    }


@login_required
@require_GET
def approval_queue(request: HttpRequest) -> HttpResponse:
    """The approval queue alone, for htmx to refresh in place."""
    user: User = request.user  # type: ignore[assignment]
    if not may(user.role_set, Action.DECIDE_REQUEST):
        return HttpResponse(status=403)
    missing = check_case_access(user.role_set, user.has_nondisclosure())
    if missing:
        raise PermissionDenied(f"{missing[0].message} ({missing[0].rule})")
    return render(request, "web/_approval_queue.html", {"queue": _queue(user)})
