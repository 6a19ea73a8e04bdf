"""Pages for cover requests and orders. Each view parses a form, calls covers.actions,
and renders; the law's refusals come back as errors next to their fields."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from mailcover.accounts.models import User
from mailcover.covers import actions, exports, image_refs
from mailcover.covers.captures import exteriors, image_response
from mailcover.covers.forms import (
    ConfirmationForm,
    CoverRequestForm,
    DecisionForm,
    ExtensionForm,
    ImproperForm,
    IndictmentForm,
    ReviewForm,
    add_violations,
)
from mailcover.covers.matchability import order_problems, request_problems
from mailcover.covers.models import Capture, CoverOrder
from mailcover.imaging.read import LOW_CONFIDENCE
from mailcover.law import orders
from mailcover.law.errors import RuleBroken
from mailcover.law.orders import OrderEvent, confirmation_deadline, events_possible, order_status
from mailcover.law.periods import max_period_days
from mailcover.law.reviews import review_due_at
from mailcover.law.roles import Action, is_requesting_agency, may, sees_captures
from mailcover.law.terms import Grounds
from mailcover.ledger.events import EventName
from mailcover.ledger.models import Entry
from mailcover.web import times
from mailcover.web.confirm import Confirmation, ask, confirmed
from mailcover.web.labels import label

View = Callable[..., HttpResponse]


def case_view(view: View) -> View:
    """Signed-in only, and never past this door without a nondisclosure acknowledgment when
    the person's roles reach case data (MC-NONDISCLOSURE); 'not found' and 'not allowed'
    become 404 and 403 pages."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            actions.require_case_reader(signed_in_user(request))
        except RuleBroken as broken:
            raise PermissionDenied(f"{broken.detail} ({broken.rule})") from None
        try:
            return view(request, *args, **kwargs)
        except actions.NotFound as missing:
            raise Http404(str(missing)) from None
        except actions.Forbidden as refused:
            raise PermissionDenied(str(refused)) from None

    return wrapped


def signed_in_user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _period_help() -> dict[str, int]:
    policy = actions.policy()
    return {g.value: max_period_days(g, policy) for g in Grounds}


@case_view
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    actions.require(user, Action.FILE_REQUEST)
    form = CoverRequestForm(request.POST or None, initial={"submission_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        assert user.agency is not None
        try:
            filed = actions.file_request(
                user,
                form.to_draft(user.agency.agency_level),
                timezone.now(),
                form.cleaned_data["submission_key"],
            )
        except RuleBroken as broken:
            add_violations(form, broken.violations)
        except actions.Conflict as clash:
            form.add_error(None, str(clash))
        else:
            messages.success(
                request, f"Request {filed.case_number} filed; it now waits for an approver."
            )
            response: HttpResponse = redirect("web:request", request_id=filed.pk)
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = f"/requests/{filed.pk}"
            return response
    context = {"form": form, "period_days": _period_help()}
    template = (
        "covers/_request_form.html"
        if request.headers.get("HX-Request")
        else "covers/new_request.html"
    )
    status = 422 if request.method == "POST" else 200
    return render(request, template, context, status=status)


def _request_context(user: User, filed: Any, decision_form: DecisionForm) -> dict[str, Any]:
    return {
        "filed": filed,
        "attorneys": filed.attorneys.all(),
        "order": getattr(filed, "order", None) or filed.extends,
        "decision_form": decision_form,
        "may_decide": may(user.role_set, Action.DECIDE_REQUEST) and filed.state == "pending",
        "events": _case_events(Q(case_number=filed.case_number)),
        "unmatchable": request_problems(filed),
        "unmatchable_what": "request",
    }


@case_view
def request_page(request: HttpRequest, request_id: int) -> HttpResponse:
    user = signed_in_user(request)
    filed = actions.get_request(user, request_id)
    return render(request, "covers/request.html", _request_context(user, filed, DecisionForm()))


def _decision_confirmation(filed: Any, data: dict[str, Any]) -> Confirmation:
    back = reverse("web:request", args=[filed.pk])
    case = filed.case_number
    subject = f"{filed.subject.name}, {filed.subject.address}"
    if data["outcome"] == "approve":
        days = data["days"]
        ends = timezone.now() + timedelta(days=days)
        return Confirmation(
            title=f"Approve {case} for {days} days",
            consequences=[
                f"An order is put in force now and ends about {times.local_text(ends)} "
                f"({days} days; {filed.days} were asked).",
                f"From then on the mail of {subject} ({label('scope', filed.scope)}) is "
                "recorded and shown to the requesting agency.",
                "The approval is recorded on the ledger under your name and delegation; "
                "it cannot be withdrawn, only ended by the law's own steps.",
            ],
            button=f"Approve {case} for {days} days",
            back=back,
        )
    return Confirmation(
        title=f"Deny {case}",
        consequences=[
            f"The request for a mail cover on {subject} is closed; it cannot be approved "
            "afterwards (the agency would have to file a new request).",
            f"Your reason is recorded with the decision on the ledger: {data['reason']}",
        ],
        button=f"Deny {case}",
        back=back,
    )


@case_view
@require_POST
def decide(request: HttpRequest, request_id: int) -> HttpResponse:
    user = signed_in_user(request)
    filed = actions.get_request(user, request_id)
    if not may(user.role_set, Action.DECIDE_REQUEST):
        raise PermissionDenied("your roles do not allow deciding a request")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        context = _request_context(user, filed, form)
        return render(request, "covers/request.html", context, status=422)
    if not confirmed(request):
        return ask(request, _decision_confirmation(filed, form.cleaned_data))
    now = timezone.now()
    try:
        if form.cleaned_data["outcome"] == "approve":
            order = actions.approve(user, filed, form.cleaned_data["days"], now)
            messages.success(request, f"Approved: order {order.case_number} is in force.")
            return redirect("web:order", order_id=order.pk)
        actions.deny(user, filed, form.cleaned_data["reason"] or "", now)
        messages.success(request, f"{filed.case_number} denied.")
    except RuleBroken as broken:
        for violation in broken.violations:
            messages.error(request, f"{violation.message} ({violation.rule})")
    except actions.Conflict as clash:
        messages.error(request, str(clash))
    return redirect("web:request", request_id=filed.pk)


def _timeline(order: CoverOrder) -> list[Entry]:
    """The order's own ledger entries and those of its extension requests (CASE-En)."""
    own = Q(case_number=order.case_number) | Q(case_number__startswith=f"{order.case_number}-E")
    return _case_events(own)


def _case_events(which: Q) -> list[Entry]:
    """A case's steps from the ledger. Disclosures are not steps of the case, and they are
    oversight's to read (PA-SUBJECT withholds some even from the subject); captures have a
    section of their own, shown only to those who may see them."""
    entries = Entry.objects.filter(which).exclude(
        event__in=[EventName.DISCLOSURE, EventName.CAPTURE_RECORDED]
    )
    return list(entries.order_by("at", "seq"))


EVENT_FORMS: dict[str, type[forms.Form]] = {
    "extension": ExtensionForm,
    "confirm": ConfirmationForm,
    "indictment": IndictmentForm,
    "improper": ImproperForm,
    "review": ReviewForm,
}


def _event_form(event: str, data: Any = None) -> forms.Form:
    """Several action forms share a page and field names (note): each gets its own ids."""
    return EVENT_FORMS[event](data, auto_id=f"id_{event}_%s")


EVENT_KINDS = {
    "extension": OrderEvent.EXTENSION,
    "confirm": OrderEvent.CONFIRMATION,
    "indictment": OrderEvent.INDICTMENT,
    "improper": OrderEvent.IMPROPER_RULING,
    "review": OrderEvent.REVIEW,
}


def _improper_confirmation(order: CoverOrder) -> Confirmation:
    return Confirmation(
        title=f"Rule order {order.case_number} improper",
        consequences=[
            "The order ends now and can never be put back in force (39 CFR 233.3(h)(2)).",
            f"Every capture of {order.case_number}, its images and its key are destroyed at "
            "once; they cannot be recovered.",
            f"The requester ({order.agency.name}) is told the cover is discontinued, with "
            "your reasons.",
        ],
        button=f"Rule {order.case_number} improper and destroy its data",
        back=reverse("web:order", args=[order.pk]),
    )


def _indictment_confirmation(order: CoverOrder) -> Confirmation:
    return Confirmation(
        title=f"Record an indictment on {order.case_number}",
        consequences=[
            "Unless this is a fugitive case, the cover ends as of the date the indictment "
            "or information was filed (MC-INDICTMENT): no mail is recorded after it.",
            "An indictment is recorded once only, on the ledger under your name.",
        ],
        button=f"Record the indictment on {order.case_number}",
        back=reverse("web:order", args=[order.pk]),
    )


# The actions on an order that cannot be undone, each with the confirmation it needs.
FINAL_EVENTS: dict[str, Callable[[CoverOrder], Confirmation]] = {
    "improper": _improper_confirmation,
    "indictment": _indictment_confirmation,
}


def _event_permissions(user: User, order: CoverOrder) -> dict[str, bool]:
    held = user.role_set
    own = is_requesting_agency(user.agency_id, order.agency_id)
    return {
        "extension": own and may(held, Action.FILE_EXTENSION),
        "confirm": own and may(held, Action.CONFIRM_EMERGENCY) and order.request.emergency,
        "indictment": may(held, Action.NOTIFY_INDICTMENT),
        "improper": may(held, Action.RULE_IMPROPER),
        "review": may(held, Action.REVIEW_ORDER),
    }


def _order_context(
    user: User, order: CoverOrder, bound: dict[str, forms.Form] | None = None
) -> dict[str, Any]:
    facts = order.facts()
    allowed = _event_permissions(user, order)
    # Offer only what the order can still take; a stale form posted anyway is refused by law.
    possible = events_possible(facts, timezone.now())
    event_forms = {
        name: (bound or {}).get(name) or _event_form(name)
        for name in EVENT_FORMS
        if allowed[name] and (EVENT_KINDS[name] in possible or name in (bound or {}))
    }
    return {
        "order": order,
        "facts": facts,
        "status": order_status(facts, timezone.now()).value,
        "confirmation_due_at": confirmation_deadline(facts),
        "review_due_at": review_due_at(facts, order.last_review_at(), actions.policy()),
        "periods": order.periods.select_related("request"),
        "timeline": _timeline(order),
        "event_forms": event_forms,
        "attorneys": order.request.attorneys.all(),
        "extensions": order.extension_requests.select_related("decision"),
        "unmatchable": order_problems(order),
    }


CAPTURES_PER_PAGE = 50


@case_view
@require_safe
def order_page(request: HttpRequest, order_id: int) -> HttpResponse:
    """The order. Its captures are counted, never shown, here: showing them is a disclosure,
    and a GET is what a link from another site can make a signed-in browser send."""
    user = signed_in_user(request)
    order = actions.get_order(user, order_id)
    context = _order_context(user, order)
    if sees_captures(user.role_set, user.agency_id, order.agency_id):
        context.update(_captures_context(user, order, None))
    return render(request, "covers/order.html", context)


@case_view
@require_POST
def order_captures(request: HttpRequest, order_id: int) -> HttpResponse:
    """A page of the order's captures, shown on a deliberate, CSRF-checked POST ("Show the
    captures"): each page shown is a disclosure on the ledger in the viewer's name
    (PA-ACCOUNT), so no cross-site link or image tag can make one."""
    user = signed_in_user(request)
    order = actions.get_order(user, order_id)
    if not sees_captures(user.role_set, user.agency_id, order.agency_id):
        raise PermissionDenied("only the requesting agency and oversight see the captures")
    context = _order_context(user, order)
    context.update(_captures_context(user, order, _page_number(request.POST.get("page"))))
    return render(request, "covers/order.html", context)


def _page_number(text: str | None) -> int:
    """The page asked for; anything odd is the first page."""
    if text is None or not (text.isascii() and text.isdigit() and len(text) <= 6):
        return 1
    return max(1, int(text))


def _captures_context(user: User, order: CoverOrder, page: int | None) -> dict[str, Any]:
    """The captures section: their number, and a page of them only when asked for, since
    every page shown is a disclosure (PA-ACCOUNT)."""
    refused = orders.check_release(order.facts(), timezone.now())
    if refused:  # MC-IMPROPER, MC-EMERGENCY: not even how many
        return {"may_see_captures": True, "captures_refused": refused[0].message}
    context: dict[str, Any] = {"may_see_captures": True, "captures_total": order.captures.count()}
    if page is None:
        return context
    now = timezone.now()
    try:
        total, shown = actions.view_captures(
            user,
            order,
            now,
            offset=(page - 1) * CAPTURES_PER_PAGE,
            limit=CAPTURES_PER_PAGE,
        )
    except RuleBroken as broken:
        context["captures_refused"] = broken.detail
        return context
    except actions.Conflict as unreadable:  # e.g. the order's key is missing
        context["captures_refused"] = str(unreadable)
        return context
    pages = max(1, -(-total // CAPTURES_PER_PAGE))
    refs = [image_refs.issue(user.pk, order.pk, c.piece_id, now) if c.image else "" for c in shown]
    readings = [reading_of(c) for c in shown]
    context.update(
        captures=list(zip(shown, exteriors(shown), refs, readings, strict=True)),
        low_confidence_percent=round(LOW_CONFIDENCE * 100),
        captures_page=page,
        captures_pages=pages,
        captures_previous=page - 1 if page > 1 else None,
        captures_next=page + 1 if page < pages else None,
    )
    return context


def reading_of(capture: Capture) -> dict[str, Any]:
    """How the capture's address lines were read, for its row: as sent, or by OCR from the
    photograph with the engine's confidence (low under imaging.read.LOW_CONFIDENCE, when a
    person should check the lines against the image)."""
    if capture.ocr_confidence is None:
        return {"ocr": False}
    return {
        "ocr": True,
        "percent": round(capture.ocr_confidence * 100),
        "low": capture.ocr_confidence < LOW_CONFIDENCE,
    }


def _apply_event(user: User, order: CoverOrder, event: str, form: forms.Form) -> str:
    data = form.cleaned_data
    now = timezone.now()
    if event == "extension":
        filed = actions.file_extension(user, order, form.to_draft(), now)  # type: ignore[attr-defined]
        return f"Extension {filed.case_number} filed; it waits for an approver."
    if event == "confirm":
        actions.confirm_emergency(user, order, data["written_request"], now)
        return "Emergency confirmed in writing."
    if event == "indictment":
        actions.notify_indictment(user, order, data["filed_on"], data["note"], now)
        return "Indictment recorded."
    if event == "improper":
        actions.rule_improper(user, order, data["reasons"], now)
        return "Order ruled improper; the requester has been told."
    actions.review(user, order, data["note"], now)
    return "Review recorded."


@case_view
@require_POST
def order_event(request: HttpRequest, order_id: int, event: str) -> HttpResponse:
    user = signed_in_user(request)
    order = actions.get_order(user, order_id)
    if event not in EVENT_FORMS:
        raise Http404(f"no action {event!r} on an order")
    if not _event_permissions(user, order)[event]:
        raise PermissionDenied(f"your roles do not allow {event} on this order")
    form = _event_form(event, request.POST)
    if form.is_valid() and event in FINAL_EVENTS and not confirmed(request):
        return ask(request, FINAL_EVENTS[event](order))
    if form.is_valid():
        try:
            messages.success(request, _apply_event(user, order, event, form))
            return redirect("web:order", order_id=order.pk)
        except RuleBroken as broken:
            add_violations(form, broken.violations)
        except actions.Conflict as clash:
            form.add_error(None, str(clash))
    context = _order_context(user, actions.get_order(user, order_id), {event: form})
    context["open_event"] = event
    return render(request, "covers/order.html", context, status=422)


# A browser marks a request another site caused (a link, an image tag, a form) with this.
CROSS_SITE = {"cross-site", "same-site"}


def _image_reference(
    request: HttpRequest, user: User, order: CoverOrder, piece_id: str, now: Any
) -> str:
    """The reference the captures page issued to this person for this piece (covers.
    image_refs), from a request this site made; PermissionDenied otherwise. A link elsewhere
    cannot open the image, nor the viewer page that loads it, and so cannot write
    disclosures under the visitor's name."""
    if request.headers.get("Sec-Fetch-Site", "") in CROSS_SITE:
        raise PermissionDenied("an image of a capture opens from its order's page only")
    ref = request.GET.get("ref")
    try:
        image_refs.check(ref, user.pk, order.pk, piece_id, now)
    except image_refs.RefusedReference as refused:
        raise PermissionDenied(str(refused)) from None
    assert ref is not None
    return ref


@case_view
@require_GET  # not HEAD: a disclosure is recorded only when the image is sent
def capture_image(request: HttpRequest, order_id: int, piece_id: str) -> HttpResponse:
    """The image of one captured piece; each time it is served, a disclosure. Only with the
    short-lived reference the captures page issued to this person (covers.image_refs), and
    never to a request another site caused: either would let a link elsewhere write
    disclosures under the visitor's name."""
    user = signed_in_user(request)
    order = actions.get_order(user, order_id)
    now = timezone.now()
    _image_reference(request, user, order, piece_id, now)
    try:
        capture, data = actions.view_capture_image(user, order, piece_id, now)
    except RuleBroken as broken:
        raise PermissionDenied(f"{broken.detail} ({broken.rule})") from None
    except actions.Conflict as unreadable:  # e.g. the order's key is missing
        return HttpResponse(str(unreadable), status=409, content_type="text/plain")
    return image_response(capture, data)


@case_view
@require_GET
def capture_viewer(request: HttpRequest, order_id: int, piece_id: str) -> HttpResponse:
    """A page that shows one captured piece's image full size, to zoom into and move about.
    The page itself shows nothing of the piece but its number and how its lines were read;
    the image it loads comes from `capture_image` with the same reference, so each load of
    the image is the one disclosure on the ledger, recorded there and nowhere else
    (PA-ACCOUNT)."""
    user = signed_in_user(request)
    order = actions.get_order(user, order_id)
    now = timezone.now()
    ref = _image_reference(request, user, order, piece_id, now)
    try:
        capture = actions.capture_to_view(user, order, piece_id, now)
    except RuleBroken as broken:
        raise PermissionDenied(f"{broken.detail} ({broken.rule})") from None
    image_url = reverse("web:capture-image", args=[order.pk, capture.piece_id])
    context = {
        "order": order,
        "capture": capture,
        "image_src": f"{image_url}?{urlencode({'ref': ref})}",
        "reading": reading_of(capture),
    }
    return render(request, "covers/capture_viewer.html", context)


@case_view
@require_POST  # a disclosure: never on a GET another site could cause (CSRF-checked)
def captures_csv(request: HttpRequest, order_id: int) -> HttpResponse:
    """Every capture of the order as a CSV file, itself a disclosure on the ledger naming
    the person, the order and how many rows went out (PA-ACCOUNT); refused, naming the rule,
    to anyone the captures may not go to (MC-REPORTING)."""
    user = signed_in_user(request)
    order = actions.get_order(user, order_id)
    try:
        rows, opened = actions.export_captures(user, order, timezone.now())
    except RuleBroken as broken:
        raise PermissionDenied(f"{broken.detail} ({broken.rule})") from None
    except actions.Conflict as unreadable:
        return HttpResponse(str(unreadable), status=409, content_type="text/plain")
    response = HttpResponse(
        exports.captures_csv(rows, opened, times.zone_name_for(user)).encode(),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="captures-{order.case_number}.csv"'
    response["Cache-Control"] = "private, no-store"  # a copy would be a disclosure unrecorded
    response["X-Content-Type-Options"] = "nosniff"
    return response
