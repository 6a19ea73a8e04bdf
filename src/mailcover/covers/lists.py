"""The lists of cover requests and orders: search, filters, sort and pages (web.listing),
always over the rows `actions.visible_requests` / `actions.visible_orders` allow.

Searching by a subject's name is a look at case data. It is not put on the ledger: the rows
a search returns are the same case facts (case number, agency, subject, grounds, dates,
status) that the unsearched list and the request and order pages show the same person
without a ledger entry, and a search can only narrow those rows (web.listing). What the
ledger accounts for as a disclosure (PA-ACCOUNT) is what leaves the case file for an agency:
captures, their images, productions and discovery packages, each recorded where it is shown.
Writing search terms to the ledger would also put a subject's name there, which the ledger
keeps only as digests of free text.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from mailcover.accounts.models import User
from mailcover.covers import actions
from mailcover.covers.models import CoverOrder
from mailcover.covers.views import case_view
from mailcover.law.orders import order_status
from mailcover.law.roles import Action
from mailcover.law.terms import Grounds, OrderStatus
from mailcover.web import listing
from mailcover.web.listing import Choice, Sort

GROUNDS = [Choice(g.value, g.value.replace("_", " ")) for g in Grounds]
REQUEST_STATES = [Choice(s, s) for s in ("pending", "approved", "denied")]
ORDER_STATES = [Choice(s.value, s.value) for s in OrderStatus]
SEARCHED = ("case_number", "subject__name", "agency__name")
ORDER_SEARCHED = ("case_number", "request__subject__name", "agency__name")

REQUEST_SORTS = {
    "case": Sort("case number", "case_number"),
    "agency": Sort("agency", "agency__name"),
    "subject": Sort("subject", "subject__name"),
    "grounds": Sort("grounds", "grounds"),
    "filed": Sort("filed", "filed_at"),
}
ORDER_SORTS = {
    "case": Sort("case number", "case_number"),
    "agency": Sort("agency", "agency__name"),
    "subject": Sort("subject", "request__subject__name"),
    "grounds": Sort("grounds", "request__grounds"),
    "approved": Sort("approved", "request__decision__decided_at"),
    "status": Sort("status", key=lambda row: row["status"]),
}


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


def _requests_state(rows: Any, state: str) -> Any:
    if state == "pending":
        return rows.filter(decision__isnull=True)
    if state:
        return rows.filter(decision__outcome=state)
    return rows


def request_rows(user: User, params: Any) -> tuple[listing.ListQuery, Any, list[Choice]]:
    """The person's visible cover requests, narrowed, sorted and not yet paged."""
    visible = actions.visible_requests(user)
    agencies = listing.agency_choices(visible)
    query = listing.parse(
        params,
        sorts=REQUEST_SORTS,
        default_sort="-filed",
        states=REQUEST_STATES,
        grounds=GROUNDS,
        agencies=agencies,
    )
    rows = listing.search(visible, query.q, SEARCHED)
    rows = _requests_state(rows, query.state)
    if query.grounds:
        rows = rows.filter(grounds=query.grounds)
    if query.agency:
        rows = rows.filter(agency_id=query.agency)
    rows = listing.dated(rows, query, "filed_at")
    return query, listing.ordered(rows, query, REQUEST_SORTS), agencies


def _render(
    request: HttpRequest,
    template: str,
    query: listing.ListQuery,
    sorts: dict[str, Sort],
    context: dict[str, Any],
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "query": query,
            "grounds_choices": GROUNDS,
            "sorts": listing.sort_links(query, sorts),
            "sort_label": sorts[query.sort].label,
            **context,
        },
        status=400 if query.problems else 200,
    )


@case_view
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """Every cover request the person may see, searched, filtered, sorted and paged."""
    user = _user(request)
    actions.require(user, Action.VIEW_CASES)
    query, rows, agencies = request_rows(user, request.GET)
    page = listing.paginate(rows, query)
    return _render(
        request,
        "covers/request_list.html",
        query,
        REQUEST_SORTS,
        {"page": page, "agencies": agencies, "states": REQUEST_STATES},
    )


def _order_row(order: CoverOrder, now: Any) -> dict[str, Any]:
    facts = order.facts()
    return {"order": order, "facts": facts, "status": order_status(facts, now).value}


def order_rows(user: User, params: Any) -> tuple[listing.ListQuery, Any, list[Choice]]:
    visible = actions.visible_orders(user).select_related("request__decision")
    agencies = listing.agency_choices(visible)
    query = listing.parse(
        params,
        sorts=ORDER_SORTS,
        default_sort="-approved",
        states=ORDER_STATES,
        grounds=GROUNDS,
        agencies=agencies,
    )
    rows = listing.search(visible, query.q, ORDER_SEARCHED)
    if query.grounds:
        rows = rows.filter(request__grounds=query.grounds)
    if query.agency:
        rows = rows.filter(agency_id=query.agency)
    rows = listing.dated(rows, query, "request__decision__decided_at")
    return query, listing.ordered(rows, query, ORDER_SORTS), agencies


def ordered_order_rows(query: listing.ListQuery, rows: Any, now: Any) -> list[dict[str, Any]]:
    """An order's status is derived from its facts at `now`, never stored (STYLE: derive,
    don't store): a filter or sort by status reads every narrowed row's facts."""
    found = [_order_row(order, now) for order in rows]
    if query.state:
        found = [row for row in found if row["status"] == query.state]
    key = ORDER_SORTS[query.sort].key
    if key is not None:
        found.sort(key=key, reverse=query.descending)
    return found


@case_view
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    """Every order the person may see, searched, filtered, sorted and paged."""
    user = _user(request)
    actions.require(user, Action.VIEW_CASES)
    now = timezone.now()
    query, rows, agencies = order_rows(user, request.GET)
    if query.state or ORDER_SORTS[query.sort].key is not None:
        page = listing.paginate(ordered_order_rows(query, rows, now), query)
    else:  # only the page shown needs its status worked out
        page = listing.paginate(rows, query)
        page.rows = [_order_row(order, now) for order in page.rows]
    return _render(
        request,
        "covers/order_list.html",
        query,
        ORDER_SORTS,
        {"page": page, "agencies": agencies, "states": ORDER_STATES},
    )
