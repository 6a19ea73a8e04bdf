"""The compliance checks (OIG-* in LAW.md), computed live from the database and the ledger.

Nothing here stores a figure: each call reads the cases as they are and hands them to
`mailcover.law.compliance`, which says what is wrong with each. A check costs one pass
over the rows it concerns (a few queries each, no query per case).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, Q

from mailcover.accounts.models import User
from mailcover.covers import actions as covers
from mailcover.covers.models import Capture, CoverOrder, CoverRequest, Decision, OrderPeriod
from mailcover.law import authority
from mailcover.law import compliance as law
from mailcover.law.compliance import Check, Finding, Result
from mailcover.law.orders import order_status, window_of_force
from mailcover.law.periods import exceeds_continuous_cap
from mailcover.law.reviews import review_due_at, review_overdue
from mailcover.law.terms import Grounds, OrderStatus, Policy
from mailcover.ledger import log
from mailcover.ledger.events import EventName
from mailcover.ledger.models import Entry

FILING_EVENTS = (EventName.REQUEST_FILED, EventName.EXTENSION_FILED)


def _orders() -> Any:
    return CoverOrder.objects.select_related(
        "request", "emergency_confirmation", "indictment", "improper_ruling", "report_return"
    ).prefetch_related("periods", "reviews")


# --- OIG-AUTHORITY -------------------------------------------------------------------------


def authority_check(now: datetime, policy: Policy) -> Result:
    """Every approved period of every order: an order runs only on its periods, so a period
    without its approval, longer than approved, or approved without authority is found."""
    periods = list(
        OrderPeriod.objects.select_related(
            "order__request",
            "request__decision__official",
            "request__decision__delegation",
        )
        .prefetch_related("order__periods", "order__extension_requests")
        .order_by("order_id", "starts_at")
    )
    findings = []
    for period in periods:
        problem = law.approval_problem(_approval(period))
        if problem:
            request = period.request
            findings.append(
                Finding(
                    request.case_number, problem, order_id=period.order_id, request_id=request.pk
                )
            )
    return law.count_result(Check.AUTHORITY, findings, len(periods))


def _approval(period: OrderPeriod) -> law.Approval:
    request = period.request
    order = period.order
    filers = frozenset(
        [order.request.requester_id, *(r.requester_id for r in order.extension_requests.all())]
    )
    first = min(p.starts_at for p in order.periods.all())
    # MC-120: this period keeps the cover past 120 continuous days. The grounds are the
    # order's own (an extension's copy is checked by OIG-JUSTIFICATION).
    decision = authority.Decision(
        filers,
        Grounds(order.request.grounds),
        request.emergency and request.extends_id is None,
        exceeds_continuous_cap(first, period.ends_at),
    )
    made = getattr(request, "decision", None)
    approved = made is not None and made.outcome == Decision.Outcome.APPROVED
    held = made.delegation if approved and made is not None else None
    return law.Approval(
        case_number=request.case_number,
        request_id=request.pk,
        official_id=made.official_id if approved and made is not None else None,
        decided_at=made.decided_at if approved and made is not None else None,
        delegation=held.as_law() if held is not None else None,
        delegation_holder_id=held.holder_id if held is not None else None,
        decision=decision,
        days_approved=made.days if approved and made is not None else None,
        period_days=(period.ends_at - period.starts_at) / timedelta(days=1),
    )


# --- OIG-JUSTIFICATION ---------------------------------------------------------------------


def _filing_digests() -> dict[str, list[str]]:
    """What the ledger recorded at each filing: case number -> body digests."""
    found: dict[str, list[str]] = {}
    size = log.tree_size()
    for row in Entry.objects.filter(event__in=FILING_EVENTS, seq__lt=size).order_by("seq"):
        entry = row.entry
        found.setdefault(entry.case_number, []).append(str(entry.details.get("body_sha256")))
    return found


def _text(value: Any) -> str:
    return str(value or "").strip()


def _penalty(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def _initial_as_filed(request: CoverRequest) -> tuple[dict[str, object], dict[str, object]]:
    """(stored, as filed) for everything a decision and the matcher rest on: the subject
    the ingest looks for, the attorneys whose mail is withheld, the grounds and penalty."""
    body = request.body if isinstance(request.body, dict) else {}
    head = body.get("agency_head_approval") or {}
    subject = request.subject
    stored: dict[str, object] = {
        "facts": request.facts,
        "grounds": request.grounds,
        "statute": request.statute,
        "max_penalty_years": request.max_penalty_years,
        "forfeiture_authority": request.forfeiture_authority,
        "scope": request.scope,
        "scope_justification": request.scope_justification,
        "days": request.days,
        "emergency": request.emergency,
        "emergency_reason": request.emergency_reason,
        "agency_head": (
            request.agency_head_name,
            request.agency_head_title,
            request.agency_head_date.isoformat() if request.agency_head_date else None,
        ),
        "subject_name": subject.name,
        "aliases": list(subject.aliases),
        "subject_address": subject.address,
        "attorneys": sorted((a.name, a.address) for a in request.attorneys.all()),
    }
    filed: dict[str, object] = {
        "facts": _text(body.get("facts")),
        "grounds": body.get("grounds"),
        "statute": _text(body.get("statute")),
        "max_penalty_years": _penalty(body.get("max_penalty_years")),
        "forfeiture_authority": _text(body.get("forfeiture_authority")),
        "scope": body.get("scope"),
        "scope_justification": _text(body.get("scope_justification")),
        "days": body.get("days"),
        "emergency": body.get("emergency"),
        "emergency_reason": _text(body.get("emergency_reason")),
        "agency_head": (
            _text(head.get("name")),
            _text(head.get("title")),
            str(head["date"]) if head.get("date") else None,
        )
        if head
        else ("", "", None),
        "subject_name": _text(body.get("subject_name")),
        "aliases": [_text(a) for a in body.get("aliases") or [] if _text(a)],
        "subject_address": _text(body.get("subject_address")),
        "attorneys": sorted(
            (_text(a.get("name")), _text(a.get("address")))
            for a in body.get("attorneys") or []
            if isinstance(a, dict)
        ),
    }
    return stored, filed


# What an extension copies from the request it extends, and must still equal.
COPIED = ("grounds", "statute", "max_penalty_years", "forfeiture_authority", "facts", "scope")


def _as_filed(request: CoverRequest) -> tuple[dict[str, object], dict[str, object]]:
    """(stored, as filed) for the columns a decision rests on."""
    if request.extends is None:
        return _initial_as_filed(request)
    body = request.body if isinstance(request.body, dict) else {}
    original = request.extends.request
    stored: dict[str, object] = {
        "days": request.days,
        "investigative_benefit": request.investigative_benefit,
        "indicted": request.indicted,
        "represented_by_attorney": request.represented_by_attorney,
        "subject": request.subject_id,
        **{name: getattr(request, name) for name in COPIED},
    }
    filed: dict[str, object] = {
        "days": body.get("days"),
        "investigative_benefit": _text(body.get("investigative_benefit")),
        "indicted": body.get("indicted"),
        "represented_by_attorney": body.get("represented_by_attorney"),
        "subject": original.subject_id,
        **{name: getattr(original, name) for name in COPIED},
    }
    return stored, filed


def justification_check(now: datetime, policy: Policy) -> Result:
    on_ledger = _filing_digests()
    findings = []
    requests = list(
        CoverRequest.objects.select_related("subject", "extends__request")
        .prefetch_related("attorneys")
        .order_by("filed_at", "pk")
    )
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
            digest_recomputed=covers.body_digest(request.body),
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
    """One query per order that holds captures, filtered in the database to those outside
    its window of force: the captures inside it are counted, never loaded."""
    findings = []
    examined = 0
    held = _orders().annotate(held=Count("captures")).filter(held__gt=0)
    for order in held:
        examined += order.held
        start, stop = window_of_force(order.facts())
        outside = Capture.objects.filter(order_id=order.pk).filter(
            Q(scanned_at__lt=start)
            | Q(scanned_at__gte=stop)
            | Q(captured_at__lt=start)
            | Q(captured_at__gte=stop)
        )
        for capture in outside.only("piece_id", "scanned_at", "captured_at"):
            reason = law.outside_window(capture.scanned_at, capture.captured_at, (start, stop))
            if reason:
                findings.append(
                    Finding(
                        order.case_number, f"piece {capture.piece_id} {reason}", order_id=order.pk
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
