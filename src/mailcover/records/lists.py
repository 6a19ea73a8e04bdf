"""The list of records requests: search, filters, sort and pages (web.listing), always over
the rows `actions.visible_requests` allows (law.roles.sees_records_request).

A search by a customer's name, e-mail, account or tracking number is a look at case data.
It is not put on the ledger: the rows it returns (number, state, agency, instrument,
categories, dates) are those the unsearched list shows the same person without a ledger
entry, and a search only narrows them. The accounting of disclosures (PA-ACCOUNT) records
what is released to an agency, the production, where it is made; a search term on the
ledger would put a customer's identifier there in clear.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from mailcover.accounts.models import User
from mailcover.law.records import Instrument
from mailcover.records import actions
from mailcover.records.models import RecordsRequest
from mailcover.web import listing
from mailcover.web.listing import Choice, Sort

STATES = [
    Choice("under_review", "under review"),
    Choice("approved", "approved, not yet produced"),
    Choice("produced", "produced"),
    Choice("refused", "refused"),
    Choice("no_records", "no records"),
]
INSTRUMENTS = [Choice(i.value, i.value.replace("_", " ")) for i in Instrument]
SEARCHED = (
    "number",
    "agency__name",
    "identifiers__name",
    "identifiers__email",
    "identifiers__account",
    "identifiers__tracking_number",
)
SORTS = {
    "number": Sort("number", "number"),
    "agency": Sort("agency", "agency__name"),
    "instrument": Sort("instrument", "instrument"),
    "filed": Sort("filed", "filed_at"),
}


def in_state(rows: QuerySet[RecordsRequest], state: str) -> QuerySet[RecordsRequest]:
    """The stored facts behind `RecordsRequest.state`, as a query."""
    if state == "produced":
        return rows.filter(production__isnull=False)
    if state == "under_review":
        return rows.filter(decision__isnull=True, production__isnull=True)
    if state:
        return rows.filter(Q(decision__outcome=state) & Q(production__isnull=True))
    return rows


def records_rows(
    user: User, params: Any
) -> tuple[listing.ListQuery, QuerySet[RecordsRequest], list[Choice]]:
    visible = actions.visible_requests(user)
    agencies = listing.agency_choices(visible)
    query = listing.parse(
        params,
        sorts=SORTS,
        default_sort="-filed",
        states=STATES,
        grounds=INSTRUMENTS,
        agencies=agencies,
    )
    rows = in_state(listing.search(visible, query.q, SEARCHED), query.state)
    if query.grounds:
        rows = rows.filter(instrument=query.grounds)
    if query.agency:
        rows = rows.filter(agency_id=query.agency)
    rows = listing.dated(rows, query, "filed_at")
    return query, listing.ordered(rows, query, SORTS), agencies
