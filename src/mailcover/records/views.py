"""Pages for records requests: the list, filing one, and one request (its review, its
production's download, the customer's notice and the emergency follow-up)."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mailcover.accounts.models import User
from mailcover.covers.views import case_view
from mailcover.law import records as law
from mailcover.law.errors import RuleBroken
from mailcover.law.roles import Action, may, receives_production
from mailcover.ledger.models import Entry
from mailcover.records import actions, instruments, lists
from mailcover.records.api import zip_response
from mailcover.records.forms import (
    ChallengeNoticeForm,
    DelayForm,
    FollowUpForm,
    RecordsRequestForm,
    ReviewForm,
    add_violations,
)
from mailcover.records.models import Customer, RecordsRequest
from mailcover.records.presenting import request_out
from mailcover.records.schemas import parse_request
from mailcover.web import listing
from mailcover.web.confirm import Confirmation, ask, confirmed


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _second_factor(request: HttpRequest) -> bool:
    """Whether this session signed in with a one-time code (django_otp's middleware)."""
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


@case_view
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """The records requests the person may see, searched, filtered, sorted and paged
    (records.lists; a search is not put on the ledger, for the reasons given there)."""
    user = _user(request)
    if not actions.may_see_any(user):
        actions.require(user, Action.FILE_RECORDS_REQUEST)
    now = timezone.now()
    query, rows, agencies = lists.records_rows(user, request.GET)
    page = listing.paginate(rows, query)
    page.rows = [request_out(r, now) for r in page.rows]
    return render(
        request,
        "records/list.html",
        {
            "query": query,
            "page": page,
            "agencies": agencies,
            "states": lists.STATES,
            "grounds_choices": lists.INSTRUMENTS,
            "sorts": listing.sort_links(query, lists.SORTS),
            "sort_label": lists.SORTS[query.sort].label,
        },
        status=400 if query.problems else 200,
    )


@case_view
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    actions.require(user, Action.FILE_RECORDS_REQUEST)
    form = RecordsRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            body = form.body()
            parsed = parse_request(body)
            upload = form.cleaned_data["instrument_pdf"]
            filed = actions.file_request(
                user,
                parsed.to_draft(),
                parsed.model_dump(mode="json"),
                upload.read(user_limit()),
                timezone.now(),
                second_factor_used=_second_factor(request),
            )
        except RuleBroken as broken:
            add_violations(form, broken.violations)
        except instruments.InstrumentFileError as bad:
            form.add_error("instrument_pdf", str(bad))
        else:
            messages.success(request, f"Request {filed.number} filed; an inspector reviews it.")
            return redirect("web:records-request", request_id=filed.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "records/new.html", {"form": form}, status=status)


def user_limit() -> int:
    from django.conf import settings

    return int(settings.MAILCOVER_INSTRUMENT_MAX_BYTES) + 1


@case_view
@require_GET
def request_page(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    found = actions.get_visible(user, request_id)
    now = timezone.now()
    decision = getattr(found, "decision", None)
    own = receives_production(
        user.role_set,
        user.agency_id,
        found.agency_id,
        user.pk,
        decision.reviewer_id if decision is not None else None,
    )
    context = {
        "filed": found,
        "out": request_out(found, now),
        "instrument_name": law.INSTRUMENT_NAMES[found.instrument_kind],
        "may_review": may(user.role_set, Action.REVIEW_RECORDS_REQUEST)
        and found.requester_id != user.pk
        and found.state == "under_review",
        "may_produce": may(user.role_set, Action.REVIEW_RECORDS_REQUEST)
        and found.state == "approved"
        and not actions.release_problems(found, now),
        "own": own,
        "review_form": ReviewForm(),
        "challenge_form": ChallengeNoticeForm()
        if own
        and law.Category.FINANCIAL in found.category_set
        and not hasattr(found, "challenge_notice")
        else None,
        "delay_form": DelayForm() if own else None,
        "follow_up_form": FollowUpForm()
        if own and found.is_emergency and getattr(found, "follow_up", None) is None
        else None,
        "delays": found.delays.all(),
        "events": Entry.objects.filter(case_number=found.number).order_by("seq"),
    }
    return render(request, "records/request.html", context)


def _back(request_id: int) -> HttpResponse:
    return redirect("web:records-request", request_id=request_id)


def _refused(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, RuleBroken):
        text = "; ".join(f"{v.message} ({v.rule})" for v in exc.violations)
    else:
        text = str(exc)
    messages.error(request, text)


PREVIEW_ROWS = 200  # rows shown per file on the confirmation page; the summary counts all


def _what_goes(found: RecordsRequest, customer: Customer | None, rows: int, held: bool) -> str:
    if customer is None:
        return (
            "The identifiers name no one customer: the agency is told that no records were "
            "found, and nothing else is disclosed."
        )
    when = ", once the customer's time to challenge has passed (RR-FINANCIAL)" if held else ""
    counted = "1 row" if rows == 1 else f"{rows} rows"
    return (
        f"{counted} of {customer.name} (account {customer.account_number}) from "
        f"{found.start:%Y-%m-%d} to {found.end:%Y-%m-%d}, shown below, "
        f"{'is' if rows == 1 else 'are'} packaged for {found.agency.name}{when}."
    )


def _release_confirmation(found: RecordsRequest, now: datetime, title: str) -> Confirmation:
    customer, tables = actions.release_preview(found, now)
    held = bool(actions.release_problems(found, now))
    rows = sum(len(t.rows) for t in tables)
    return Confirmation(
        title=title,
        consequences=[
            _what_goes(found, customer, rows, held),
            "The release is recorded on the ledger as a disclosure (Privacy Act accounting) "
            "and cannot be taken back.",
        ],
        button=title,
        back=reverse("web:records-request", args=[found.pk]),
        preview="records/_release_preview.html",
        context={
            "filed": found,
            "customer": customer,
            "tables": tables,
            "preview_rows": PREVIEW_ROWS,
        },
    )


def _refusal_confirmation(found: RecordsRequest, reason: str) -> Confirmation:
    return Confirmation(
        title=f"Refuse {found.number}",
        consequences=[
            f"Nothing is released to {found.agency.name}; the request is closed for good "
            "(the agency would have to file a new one).",
            f"Your reason is shown to the agency and recorded: {reason}",
        ],
        button=f"Refuse {found.number}",
        back=reverse("web:records-request", args=[found.pk]),
    )


def _may_review(user: User) -> None:
    if not may(user.role_set, Action.REVIEW_RECORDS_REQUEST):
        raise PermissionDenied("your roles do not allow reviewing a records request")


@case_view
@require_POST
def review(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    _may_review(user)
    found = actions.get_visible(user, request_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve and produce, or refuse.")
        return _back(request_id)
    approve = form.cleaned_data["outcome"] == "approve"
    now = timezone.now()
    if not confirmed(request):
        if approve:
            return ask(
                request,
                _release_confirmation(found, now, f"Approve and produce {found.number}"),
            )
        return ask(request, _refusal_confirmation(found, form.cleaned_data["reason"]))
    try:
        done = actions.review(user, request_id, approve, form.cleaned_data["reason"], now)
    except (RuleBroken, actions.Conflict) as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"{done.number}: {done.state.replace('_', ' ')}.")
    return _back(request_id)


@case_view
@require_POST
def produce(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    _may_review(user)
    now = timezone.now()
    if not confirmed(request):
        found = actions.get_visible(user, request_id)
        if getattr(found, "decision", None) is None:
            raise Http404(f"records request {request_id} is not approved")
        confirmation = _release_confirmation(found, now, f"Produce {found.number} now")
        return ask(request, confirmation)
    try:
        actions.produce(user, request_id, now)
    except (RuleBroken, actions.Conflict) as exc:
        _refused(request, exc)
    else:
        messages.success(request, "Produced.")
    return _back(request_id)


@case_view
@require_POST
def download(request: HttpRequest, request_id: int) -> HttpResponse:
    """A fresh link, used at once: the page's download is the API's link in one step."""
    user = _user(request)
    now = timezone.now()
    try:
        link = actions.issue_link(user, request_id, now, _second_factor(request))
        made, data = actions.download(user, link.token, now, _second_factor(request))
    except (actions.Conflict, actions.Gone, RuleBroken) as exc:
        _refused(request, exc)
        return _back(request_id)
    return zip_response(made.request.number, made.sha256, data)


@case_view
@require_GET
def instrument(request: HttpRequest, request_id: int) -> HttpResponse:
    found, data = actions.instrument_pdf(_user(request), request_id)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{found.number}-instrument.pdf"'
    response["Content-Security-Policy"] = "sandbox"
    return response


@case_view
@require_POST
def challenge_notice(request: HttpRequest, request_id: int) -> HttpResponse:
    form = ChallengeNoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the date and how the notice went (served or mailed).")
        return _back(request_id)
    try:
        actions.record_challenge_notice(
            _user(request),
            request_id,
            form.cleaned_data["served_on"],
            form.cleaned_data["method"],
            timezone.now(),
        )
    except (RuleBroken, actions.Conflict) as exc:
        _refused(request, exc)
    else:
        messages.success(request, "The customer's notice is on file (RR-FINANCIAL).")
    return _back(request_id)


@case_view
@require_POST
def add_delay(request: HttpRequest, request_id: int) -> HttpResponse:
    form = DelayForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the kind, the dates and the court's reference.")
        return _back(request_id)
    data = form.cleaned_data
    try:
        actions.add_delay(
            _user(request),
            request_id,
            data["kind"],
            data["starts_on"],
            data["ends_on"],
            data["court_reference"],
            timezone.now(),
        )
    except (RuleBroken, actions.Conflict) as exc:
        _refused(request, exc)
    else:
        messages.success(request, "The order is on file; the notice waits for it (RR-NOTICE).")
    return _back(request_id)


@case_view
@require_POST
def follow_up(request: HttpRequest, request_id: int) -> HttpResponse:
    form = FollowUpForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Give the instrument, its issuer, date and PDF.")
        return _back(request_id)
    data = form.cleaned_data
    try:
        actions.file_follow_up(
            _user(request),
            request_id,
            law.Instrument(data["instrument"]),
            data["issued_by"],
            data["issued_on"],
            data["instrument_number"],
            data["instrument_pdf"].read(user_limit()),
            timezone.now(),
        )
    except (RuleBroken, actions.Conflict, instruments.InstrumentFileError) as exc:
        _refused(request, exc)
    else:
        messages.success(request, "The follow-up instrument is on file (RR-EMERGENCY).")
    return _back(request_id)


__all__ = ["Http404", "PermissionDenied"]
