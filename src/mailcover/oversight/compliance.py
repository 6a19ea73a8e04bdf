"""The compliance checks (OIG-* in LAW.md), computed live from the database and the ledger.

Nothing here stores a figure: each call reads the cases as they are and hands them to
`mailcover.law.compliance`, which says what is wrong with each. A check costs one pass
over the rows it concerns (a few queries each, no query per case).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import Count, Q

from mailcover.accounts.models import User
from mailcover.covers.models import Capture, CoverOrder, CoverRequest, Decision
from mailcover.law import authority
from mailcover.law import compliance as law
from mailcover.law.compliance import Check, Finding, Result
from mailcover.law.orders import order_status, window_of_force
from mailcover.law.periods import exceeds_continuous_cap
from mailcover.law.reviews import review_due_at, review_overdue
from mailcover.law.terms import Grounds, OrderStatus, Policy
from mailcover.ledger import log
from mailcover.ledger.models import Entry

FILING_EVENTS = ("request.filed", "extension.filed")


def _orders() -> Any:
    return CoverOrder.objects.select_related(
        "request", "emergency_confirmation", "indictment", "improper_ruling", "report_return"
    ).prefetch_related("periods", "reviews")


# --- OIG-AUTHORITY -------------------------------------------------------------------------


def authority_check(now: datetime, policy: Policy) -> Result:
    approvals = (
        Decision.objects.filter(outcome=Decision.Outcome.APPROVED)
        .select_related("request", "request__extends__request", "official", "delegation")
        .prefetch_related("request__extends__extension_requests", "request__extends__periods")
        .order_by("decided_at", "pk")
    )
    findings = []
    for decision in approvals:
        problem = law.approval_problem(_approval(decision))
        if problem:
            request = decision.request
            findings.append(Finding(request.case_number, problem, request_id=request.pk))
    return law.count_result(Check.AUTHORITY, findings, len(approvals))


def _approval(decision: Decision) -> law.Approval:
    request = decision.request
    filers = frozenset([request.requester_id])
    past_cap = False
    if request.extends is not None:
        order = request.extends
        filers |= frozenset([order.request.requester_id])
        filers |= frozenset(r.requester_id for r in order.extension_requests.all())
        period = getattr(request, "period", None)
        first = min((p.starts_at for p in order.periods.all()), default=None)
        # MC-120: approving the extension kept the cover past 120 continuous days.
        if period is not None and first is not None:
            past_cap = exceeds_continuous_cap(first, period.ends_at)
    held = decision.delegation
    return law.Approval(
        case_number=request.case_number,
        request_id=request.pk,
        official_id=decision.official_id,
        official_roles=decision.official.role_set,
        decided_at=decision.decided_at,
        delegation=held.as_law() if held is not None else None,
        decision=authority.Decision(filers, Grounds(request.grounds), request.emergency, past_cap),
    )


# --- OIG-JUSTIFICATION ---------------------------------------------------------------------


def body_digest(body: Any) -> str:
    """The SHA-256 of a request as filed, spelt as filing spelt it (covers.actions)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _filing_digests() -> dict[str, list[str]]:
    """What the ledger recorded at each filing: case number -> body digests."""
    found: dict[str, list[str]] = {}
    size = log.tree_size()
    for row in Entry.objects.filter(event__in=FILING_EVENTS, seq__lt=size).order_by("seq"):
        entry = row.entry
        found.setdefault(entry.case_number, []).append(str(entry.details.get("body_sha256")))
    return found


def _as_filed(request: CoverRequest) -> tuple[dict[str, object], dict[str, object]]:
    """(stored, as filed) for the columns a decision rests on."""
    body = request.body if isinstance(request.body, dict) else {}
    if request.extends_id is not None:
        stored: dict[str, object] = {
            "days": request.days,
            "investigative_benefit": request.investigative_benefit,
            "indicted": request.indicted,
            "represented_by_attorney": request.represented_by_attorney,
        }
        filed: dict[str, object] = {
            "days": body.get("days"),
            "investigative_benefit": (body.get("investigative_benefit") or "").strip(),
            "indicted": body.get("indicted"),
            "represented_by_attorney": body.get("represented_by_attorney"),
        }
        return stored, filed
    stored = {
        "facts": request.facts,
        "grounds": request.grounds,
        "statute": request.statute,
        "scope": request.scope,
        "scope_justification": request.scope_justification,
        "days": request.days,
        "emergency": request.emergency,
    }
    filed = {
        "facts": (body.get("facts") or "").strip(),
        "grounds": body.get("grounds"),
        "statute": (body.get("statute") or "").strip(),
        "scope": body.get("scope"),
        "scope_justification": (body.get("scope_justification") or "").strip(),
        "days": body.get("days"),
        "emergency": body.get("emergency"),
    }
    return stored, filed


def justification_check(now: datetime, policy: Policy) -> Result:
    on_ledger = _filing_digests()
    findings = []
    requests = list(CoverRequest.objects.order_by("filed_at", "pk"))
    for request in requests:
        stored, filed = _as_filed(request)
        recorded: list[str | None] = [*on_ledger.get(request.case_number, []), None]
        text = law.FiledText(
            case_number=request.case_number,
            request_id=request.pk,
            facts=request.facts,
            stored=stored,
            as_filed=filed,
            digest_stored=request.body_sha256,
            digest_recomputed=body_digest(request.body),
            digest_on_ledger=recorded[0],
        )
        for problem in law.justification_problems(text):
            findings.append(Finding(request.case_number, problem, request_id=request.pk))
    return law.count_result(Check.JUSTIFICATION, findings, len(requests))


# --- OIG-NONDISCLOSURE ---------------------------------------------------------------------


def nondisclosure_check(now: datetime, policy: Policy) -> Result:
    people = list(
        User.objects.filter(is_active=True)
        .annotate(signed=Count("acknowledgments"))
        .select_related("agency")
        .order_by("username")
    )
    reaching = [p for p in people if law.needs_nondisclosure(p.role_set)]
    findings = [
        Finding(
            "",
            f"{p.username} ({', '.join(sorted(p.roles))}, {p.agency or 'no agency'}) has no "
            "signed nondisclosure acknowledgment on file",
            user_id=p.pk,
        )
        for p in reaching
        if not p.signed
    ]
    return law.count_result(Check.NONDISCLOSURE, findings, len(reaching))


# --- OIG-REVIEW ----------------------------------------------------------------------------


def review_check(now: datetime, policy: Policy) -> Result:
    orders = list(_orders())
    findings = []
    for order in orders:
        facts = order.facts()
        last = order.last_review_at()
        if review_overdue(facts, last, now, policy):
            due = review_due_at(facts, last, policy)
            findings.append(
                Finding(
                    order.case_number,
                    f"review due {due:%Y-%m-%d}, {(now - due).days} days overdue",
                    order_id=order.pk,
                )
            )
    return law.count_result(Check.REVIEW, findings, len(orders))


# --- OIG-UNIQUE ----------------------------------------------------------------------------


def unique_check(now: datetime, policy: Policy) -> Result:
    filings: Counter[str] = Counter(
        {case: len(digests) for case, digests in _filing_digests().items()}
    )
    stored = (
        CoverRequest.objects.values("case_number").annotate(times=Count("pk")).filter(times__gt=1)
    )
    findings = [
        Finding(case, f"filed {times} times on the ledger")
        for case, times in sorted(filings.items())
        if times > 1
    ]
    findings += [
        Finding(row["case_number"], f"held by {row['times']} stored requests") for row in stored
    ]
    return law.count_result(Check.UNIQUE, findings, len(filings))


# --- OIG-AFTER-EXPIRY ----------------------------------------------------------------------


def after_expiry_check(now: datetime, policy: Policy) -> Result:
    findings = []
    examined = 0
    for order in _orders().filter(captures__isnull=False).distinct():
        start, stop = window_of_force(order.facts())
        outside = Capture.objects.filter(order=order).filter(
            Q(scanned_at__lt=start)
            | Q(scanned_at__gte=stop)
            | Q(captured_at__lt=start)
            | Q(captured_at__gte=stop)
        )
        examined += order.captures.count()
        for capture in outside.only("piece_id", "scanned_at", "captured_at"):
            reason = law.outside_window(capture.scanned_at, capture.captured_at, (start, stop))
            if reason:
                findings.append(
                    Finding(
                        order.case_number,
                        f"piece {capture.piece_id} {reason}",
                        order_id=order.pk,
                    )
                )
    return law.count_result(Check.AFTER_EXPIRY, findings, examined)


# --- OIG-TIMELINESS ------------------------------------------------------------------------


def timeliness_check(now: datetime, policy: Policy) -> Result:
    requests = CoverRequest.objects.select_related("decision").order_by("filed_at", "pk")
    waiting = [
        law.Waiting(
            case_number=r.case_number,
            request_id=r.pk,
            emergency=r.emergency,
            filed_at=r.filed_at,
            decided_at=r.decision.decided_at if hasattr(r, "decision") else None,
        )
        for r in requests
    ]
    return law.timeliness(waiting, now, policy)


# --- OIG-RETURN ----------------------------------------------------------------------------


def stopped_at(order: CoverOrder, now: datetime) -> datetime | None:
    """When the cover stopped being in force, or None while it still is (or is to come)."""
    facts = order.facts()
    if order_status(facts, now) in (OrderStatus.ACTIVE, OrderStatus.SCHEDULED):
        return None
    return window_of_force(facts)[1]


def return_check(now: datetime, policy: Policy) -> Result:
    findings = []
    examined = 0
    for order in _orders():
        stop = stopped_at(order, now)
        if stop is None:
            continue
        examined += 1
        returned = getattr(order, "report_return", None)
        cover = law.Stopped(
            order.case_number, order.pk, stop, returned.done_on if returned else None
        )
        problem = law.return_problem(cover, now)
        if problem:
            findings.append(Finding(order.case_number, problem, order_id=order.pk))
    return law.count_result(Check.RETURN, findings, examined)


CHECKS: dict[Check, Callable[[datetime, Policy], Result]] = {
    Check.AUTHORITY: authority_check,
    Check.JUSTIFICATION: justification_check,
    Check.NONDISCLOSURE: nondisclosure_check,
    Check.REVIEW: review_check,
    Check.UNIQUE: unique_check,
    Check.AFTER_EXPIRY: after_expiry_check,
    Check.TIMELINESS: timeliness_check,
    Check.RETURN: return_check,
}


def run_check(check: Check, now: datetime, policy: Policy) -> Result:
    return CHECKS[check](now, policy)


def run_all(now: datetime, policy: Policy) -> list[Result]:
    return [run(now, policy) for run in CHECKS.values()]


def find_check(slug: str) -> Check | None:
    """The check a URL names (oig-authority or OIG-AUTHORITY), or None."""
    for check in Check:
        if slug.lower() == check.slug:
            return check
    return None
