"""A records request as the API and the pages show it: its state in words."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mailcover.law import records as law
from mailcover.records import actions, notices
from mailcover.records.models import RecordsRequest

MESSAGES = {
    "under_review": "An inspector who did not file it is reviewing the request.",
    "refused": "The request was refused: {reason}",
    "no_records": "The identifiers given match no customer. Nothing was disclosed.",
    "approved": "Approved. The financial records are released from {release_from} (RR-FINANCIAL).",
    "approved_waiting": "Approved. Financial records are released only after the customer "
    "is given notice (served: 10 days, mailed: 14 days to challenge) or a court delays it: "
    "record the notice (RR-FINANCIAL).",
    "produced": "Produced on {produced_at}. Ask for a download link; it expires.",
}


def message(request: RecordsRequest, now: datetime) -> str:
    state = request.state
    decision = getattr(request, "decision", None)
    if state == "refused" and decision is not None:
        return MESSAGES["refused"].format(reason=decision.reason)
    if state == "approved":
        first = actions.release_from(request, now)
        if first is None:
            return MESSAGES["approved_waiting"]
        return MESSAGES["approved"].format(release_from=first.isoformat())
    if state == "produced":
        return MESSAGES["produced"].format(produced_at=request.production.produced_at.date())
    return MESSAGES[state]


def request_out(request: RecordsRequest, now: datetime) -> dict[str, Any]:
    decision = getattr(request, "decision", None)
    made = getattr(request, "production", None)
    identifiers = request.identifiers
    return {
        "id": request.pk,
        "number": request.number,
        "state": request.state,
        "agency": request.agency.name,
        "instrument": {
            "type": request.instrument,
            "issued_by": request.issued_by,
            "issued_on": request.issued_on,
            "number": request.instrument_number,
        },
        "instrument_sha256": request.instrument_sha256,
        "customer": {k: identifiers.get(k) for k in law.IDENTIFIER_FIELDS},
        "categories": request.categories,
        "start": request.start,
        "end": request.end,
        "purpose": request.purpose,
        "emergency": request.is_emergency,
        "follow_up_due_at": law.follow_up_due(request.filed_at) if request.is_emergency else None,
        "follow_up_filed": getattr(request, "follow_up", None) is not None,
        "filed_at": request.filed_at,
        "decision": None
        if decision is None
        else {
            "outcome": decision.outcome,
            "reason": decision.reason,
            "decided_at": decision.decided_at,
        },
        "release_from": actions.release_from(request, now) if decision else None,
        "production": None
        if made is None
        else {
            "produced_at": made.produced_at,
            "sha256": made.sha256,
            "bytes": made.size,
            "manifest": made.manifest,
            "counts": made.counts,
            "ledger_entry": made.ledger_seq,
        },
        "notice": notice_out(request, now),
        "message": message(request, now),
    }


def notice_out(request: RecordsRequest, now: datetime) -> dict[str, Any]:
    state = notices.notice_status(request, now.date())
    return {
        "state": state.state,
        "held_until": state.held_until,
        "recheck_due": state.recheck_due,
        "sent_at": state.sent_at,
    }
