"""What people do to covers. Each action checks the law, writes, and records who did it.

The checks are `mailcover.law` functions; this module only gathers their
inputs from the database and stores the outcome. Views and the API call these
and nothing lower.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import date, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, models, transaction

from mailcover.accounts.models import Delegation, User
from mailcover.covers import captures, sealing
from mailcover.covers.matchability import subject_problems
from mailcover.covers.models import (
    Attorney,
    Capture,
    CaseCounter,
    CoverOrder,
    CoverRequest,
    Decision,
    EmergencyConfirmation,
    ImproperRuling,
    IndictmentNotice,
    Notice,
    OrderPeriod,
    RequestKind,
    Review,
    Subject,
)
from mailcover.law import authority, extensions, orders, requests, reviews, rulings
from mailcover.law.accounting import Nature, SystemOfRecords
from mailcover.law.case_numbers import case_number, extension_case_number
from mailcover.law.errors import Violation, refuse_if
from mailcover.law.periods import check_granted_days, first_period
from mailcover.law.retention import Reason
from mailcover.law.roles import (
    Action,
    check_case_access,
    is_requesting_agency,
    may,
    sees_captures,
    sees_case,
    sees_every_agency,
)
from mailcover.law.terms import Policy
from mailcover.ledger import log as ledger
from mailcover.ledger.accounting import record_disclosure
from mailcover.ledger.entries import digest
from mailcover.ledger.events import EventName
from mailcover.oversight import retention

__all__ = ["Action", "Conflict", "Forbidden", "NotFound"]


class Forbidden(Exception):
    """The person's role does not allow this action (HTTP 403)."""


class NotFound(Exception):
    """No such object, or none this person may know of (HTTP 404)."""


class Conflict(Exception):
    """The action clashes with the object's state (HTTP 409)."""


def policy() -> Policy:
    result: Policy = settings.MAILCOVER_POLICY
    return result


def require(user: User, action: Action) -> None:
    """The person's roles allow `action`, and, when it reaches case data, their
    nondisclosure acknowledgment is on file (MC-NONDISCLOSURE)."""
    if not may(user.role_set, action):
        raise Forbidden(
            f"your roles ({', '.join(sorted(user.roles)) or 'none'}) do not allow "
            f"{action.value.replace('_', ' ')}"
        )
    refuse_if(check_case_access(user.role_set, user.has_nondisclosure(), action))


def require_nondisclosure(user: User) -> None:
    refuse_if(authority.check_nondisclosure(user.has_nondisclosure()))


def locked(order: CoverOrder) -> CoverOrder:
    """The order's row, locked until this transaction ends, and read afresh. On PostgreSQL
    two events on one order (two extensions, a confirmation and a ruling) otherwise both
    pass their checks on what each read before the other wrote: two pending extensions, or
    a constraint error (a 500). Locked, the second waits and then sees the first. SQLite
    takes the whole database for a writing transaction (BEGIN IMMEDIATE), so there they
    queue anyway."""
    return CoverOrder.objects.select_for_update().get(pk=order.pk)


M = TypeVar("M", bound=models.Model)


def create_once(model: type[M], already: str, **fields: Any) -> M:
    """Create the row, or a Conflict naming what exists when a unique constraint says it
    was created meanwhile (the row lock makes that rare; the constraint makes it sure)."""
    try:
        with transaction.atomic():
            made: M = model._default_manager.create(**fields)
            return made
    except IntegrityError:
        raise Conflict(already) from None


def require_case_reader(user: User) -> None:
    """The check at every door to case data (the pages' `case_view`, the API's acting
    person): a person whose roles reach case data and who has no nondisclosure
    acknowledgment on file goes no further (MC-NONDISCLOSURE)."""
    refuse_if(check_case_access(user.role_set, user.has_nondisclosure()))


def reads_cases(user: User) -> bool:
    """Whether case data may be shown to this person at all (MC-NONDISCLOSURE)."""
    return may(user.role_set, Action.VIEW_CASES) and not check_case_access(
        user.role_set, user.has_nondisclosure()
    )


def record(
    actor: User | None,
    action: EventName,
    case: str,
    subject: int,
    now: datetime,
    **details: Any,
) -> None:
    """Put the action on the ledger. Free text goes there only as its SHA-256 digest."""
    ledger.record(actor, action, now, case=case, subject=subject, **details)


def _spelt(body: Any) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)


def body_digest(body: Any) -> str:
    """The SHA-256 of a request as filed, as filing spelt it (OIG-JUSTIFICATION recomputes it)."""
    return hashlib.sha256(_spelt(body).encode()).hexdigest()


def _canonical(body: dict[str, Any]) -> tuple[Any, str]:
    kept = json.loads(_spelt(body))
    return kept, body_digest(kept)


def next_case_number(now: datetime) -> str:
    """MC-UNIQUE: a new case number from a counter row locked for the transaction."""
    CaseCounter.objects.get_or_create(year=now.year)
    counter = CaseCounter.objects.select_for_update().get(year=now.year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return case_number(now.year, counter.last)


# --- visibility -------------------------------------------------------------


def visible_requests(user: User) -> Any:
    """The requests this person may see; everything else is 'not found'."""
    if not reads_cases(user):
        return CoverRequest.objects.none()
    queryset = CoverRequest.objects.select_related(
        "subject", "agency", "requester", "decision", "extends"
    )
    if sees_every_agency(user.role_set):
        return queryset
    return queryset.filter(agency_id=user.agency_id or 0)


def get_request(user: User, request_id: int) -> CoverRequest:
    found: CoverRequest | None = visible_requests(user).filter(pk=request_id).first()
    if found is None:
        raise NotFound(f"no cover request {request_id}")
    return found


def visible_orders(user: User) -> Any:
    if not reads_cases(user):
        return CoverOrder.objects.none()
    queryset = CoverOrder.objects.select_related(
        "request",
        "request__subject",
        "request__requester",
        "agency",
        "emergency_confirmation",
        "indictment",
        "improper_ruling",
    ).prefetch_related("periods", "reviews", "extension_requests")
    if sees_every_agency(user.role_set):
        return queryset
    return queryset.filter(agency_id=user.agency_id or 0)


def get_order(user: User, order_id: int) -> CoverOrder:
    found: CoverOrder | None = visible_orders(user).filter(pk=order_id).first()
    if found is None:
        raise NotFound(f"no cover order {order_id}")
    return found


# --- filing -----------------------------------------------------------------


def _find_duplicate(user: User, body_sha256: str) -> CoverRequest | None:
    """A double submit: the same person's identical request, still undecided."""
    return CoverRequest.objects.filter(
        requester=user, body_sha256=body_sha256, decision__isnull=True
    ).first()


def file_request(
    user: User, draft: requests.CoverRequestDraft, now: datetime, submission_key: str | None = None
) -> CoverRequest:
    """File a cover request (an emergency one too): every rule of the law, and a subject
    the matcher can use (SVC-MATCHABLE), all refusals reported at once."""
    return _file(user, draft, now, submission_key, matchable=True)


@transaction.atomic
def _file(
    user: User,
    draft: requests.CoverRequestDraft,
    now: datetime,
    submission_key: str | None,
    *,
    matchable: bool,
) -> CoverRequest:
    """`matchable=False` files as before SVC-MATCHABLE existed: only the demo does, to seed
    the record from before that the warning about unmatchable orders is shown on."""
    require(user, Action.FILE_REQUEST)
    require_nondisclosure(user)
    if submission_key:
        earlier = CoverRequest.objects.filter(requester=user, submission_key=submission_key).first()
        if earlier is not None:
            return earlier  # the same form sent twice
    refuse_if(
        [
            *requests.check_cover_request(draft, now.date(), policy()),
            *(subject_problems(draft) if matchable else []),
        ]
    )
    body, digest = _canonical(asdict(draft))
    duplicate = _find_duplicate(user, digest)
    if duplicate is not None:
        raise Conflict(f"an identical request is already pending as {duplicate.case_number}")
    assert user.agency is not None
    subject = Subject.objects.create(
        name=draft.subject_name.strip(),
        aliases=[a.strip() for a in draft.aliases if a.strip()],
        address=draft.subject_address.strip(),
    )
    head = draft.agency_head_approval
    filed = CoverRequest.objects.create(
        case_number=next_case_number(now),
        agency=user.agency,
        requester=user,
        subject=subject,
        grounds=draft.grounds,
        statute=draft.statute.strip(),
        max_penalty_years=draft.max_penalty_years,
        forfeiture_authority=(draft.forfeiture_authority or "").strip(),
        facts=draft.facts.strip(),
        scope=draft.scope,
        scope_justification=(draft.scope_justification or "").strip(),
        days=draft.days,
        emergency=draft.emergency,
        emergency_reason=(draft.emergency_reason or "").strip(),
        agency_head_name=head.name if head else "",
        agency_head_title=head.title if head else "",
        agency_head_date=head.date if head else None,
        filed_at=now,
        body=body,
        body_sha256=digest,
        submission_key=submission_key or None,
    )
    Attorney.objects.bulk_create(
        Attorney(request=filed, name=a.name.strip(), address=a.address.strip())
        for a in draft.attorneys
    )
    record(
        user,
        EventName.REQUEST_FILED,
        filed.case_number,
        filed.subject_id,
        now,
        grounds=draft.grounds,
        emergency=draft.emergency,
        days=draft.days,
        body_sha256=digest,
    )
    return filed


@transaction.atomic
def file_extension(
    user: User, order: CoverOrder, draft: extensions.ExtensionDraft, now: datetime
) -> CoverRequest:
    require(user, Action.FILE_EXTENSION)
    require_nondisclosure(user)
    if not is_requesting_agency(user.agency_id, order.agency_id):
        raise NotFound(f"no cover order {order.pk}")
    order = locked(order)
    waiting = order.extension_requests.filter(decision__isnull=True).first()
    if waiting is not None:
        raise Conflict(
            f"an extension of this order, {waiting.case_number}, is already waiting for a decision"
        )
    refuse_if(extensions.check_extension(draft, order.facts(), now, policy()))
    body, digest = _canonical({"extends": order.case_number, **asdict(draft)})
    original = order.request
    number = extension_case_number(order.case_number, order.extension_requests.count() + 1)
    filed = create_once(
        CoverRequest,
        f"extension {number} of this order was filed meanwhile",
        case_number=number,
        kind=RequestKind.EXTENSION,
        extends=order,
        agency=order.agency,
        requester=user,
        subject=original.subject,
        grounds=original.grounds,
        statute=original.statute,
        max_penalty_years=original.max_penalty_years,
        forfeiture_authority=original.forfeiture_authority,
        facts=original.facts,
        scope=original.scope,
        scope_justification=original.scope_justification,
        days=draft.days,
        investigative_benefit=(draft.investigative_benefit or "").strip(),
        indicted=draft.indicted,
        represented_by_attorney=draft.represented_by_attorney,
        filed_at=now,
        body=body,
        body_sha256=digest,
    )
    record(
        user,
        EventName.EXTENSION_FILED,
        number,
        filed.subject_id,
        now,
        days=draft.days,
        body_sha256=digest,
    )
    return filed


# --- deciding ---------------------------------------------------------------


def _pending(request: CoverRequest) -> None:
    if hasattr(request, "decision"):
        raise Conflict(f"{request.case_number} was already {request.decision.outcome}")


def _decision_for(request: CoverRequest, days: int) -> tuple[authority.Decision, Any]:
    """What approving would mean: for an extension, whether it passes 120 days."""
    filers = frozenset([request.requester_id])
    if not request.is_extension:
        return authority.Decision(filers, request.grounds_value, request.emergency, False), None
    order = request.extends
    assert order is not None
    facts = order.facts()
    past_cap = extensions.extension_passes_cap(facts, days)
    # An extension is never an emergency: it is filed in writing on an order in force.
    decision = authority.Decision(
        filers | order.filer_ids(), request.grounds_value, False, past_cap
    )
    return decision, facts


def approval_refusals(
    official: authority.Official, request: CoverRequest, now: datetime
) -> list[Violation]:
    """What would stop `official` approving `request` now for the days asked, by the same
    rules `approve` applies (MC-NOT-SELF, MC-NONDISCLOSURE, MC-AUTHORITY, MC-120, MC-EXTENSION,
    MC-REVIEW), writing nothing: the approval queue shows an official the requests they may
    decide, not the ones they would be refused on submit."""
    decision, facts = _decision_for(request, request.days)
    _, found = authority.find_authority(official, decision, now)
    if facts is not None:
        found += extensions.check_extension_still_possible(facts, now)
        found += reviews.check_reviewed_before_cap(facts, request.days, _last_review(request), now)
    return found


def _granted_days(request: CoverRequest, days: int | None) -> int:
    granted = request.days if days is None else days
    refuse_if(check_granted_days(request.days, granted))
    return granted


@transaction.atomic
def approve(user: User, request: CoverRequest, days: int | None, now: datetime) -> CoverOrder:
    require(user, Action.DECIDE_REQUEST)
    request = CoverRequest.objects.select_for_update().get(pk=request.pk)
    _pending(request)
    if request.extends is not None:  # a ruling or an indictment does not slip in meanwhile
        request.extends = locked(request.extends)
    granted = _granted_days(request, days)
    decision, facts = _decision_for(request, granted)
    delegation, found = authority.find_authority(user.as_official(), decision, now)
    if facts is not None:
        found += extensions.check_extension_still_possible(facts, now)
        found += reviews.check_reviewed_before_cap(facts, granted, _last_review(request), now)
    refuse_if(found)
    assert delegation is not None
    used = Delegation.objects.filter(
        holder=user, reference=delegation.reference, scope=delegation.scope.value
    ).first()
    Decision.objects.create(
        request=request,
        official=user,
        delegation=used,
        outcome="approved",
        days=granted,
        decided_at=now,
    )
    order = _order_for(request, granted, facts, now)
    record(
        user,
        EventName.REQUEST_APPROVED,
        request.case_number,
        request.subject_id,
        now,
        days=granted,
        delegation=delegation.reference,
        order=order.case_number,
    )
    return order


def _last_review(request: CoverRequest) -> datetime | None:
    return request.extends.last_review_at() if request.extends else None


def _order_for(request: CoverRequest, days: int, facts: Any, now: datetime) -> CoverOrder:
    order = request.extends
    if facts is None:
        order = CoverOrder.objects.create(
            request=request, case_number=request.case_number, agency=request.agency
        )
        period = first_period(now, days)
    else:
        period = extensions.extension_period(facts, days)
    assert order is not None
    OrderPeriod.objects.create(
        order=order, request=request, starts_at=period.starts_at, ends_at=period.ends_at
    )
    return order


@transaction.atomic
def deny(user: User, request: CoverRequest, reason: str, now: datetime) -> Decision:
    require(user, Action.DECIDE_REQUEST)
    request = CoverRequest.objects.select_for_update().get(pk=request.pk)
    _pending(request)
    filers = frozenset([request.requester_id])
    if request.extends is not None:
        filers |= request.extends.filer_ids()
    refuse_if(
        [
            *authority.check_not_self(user.as_official(), filers),
            *authority.check_nondisclosure(user.has_nondisclosure()),
        ]
    )
    refuse_if(requests.check_denial(reason))
    decision = Decision.objects.create(
        request=request, official=user, outcome="denied", reason=reason.strip(), decided_at=now
    )
    record(
        user,
        EventName.REQUEST_DENIED,
        request.case_number,
        request.subject_id,
        now,
        reason_sha256=digest(reason.strip()),
    )
    return decision


# --- events in an order's life ----------------------------------------------


@transaction.atomic
def confirm_emergency(
    user: User, order: CoverOrder, statement: str, now: datetime
) -> EmergencyConfirmation:
    require(user, Action.CONFIRM_EMERGENCY)
    require_nondisclosure(user)
    if not is_requesting_agency(user.agency_id, order.agency_id):
        raise NotFound(f"no cover order {order.pk}")
    order = locked(order)
    refuse_if(rulings.check_emergency_confirmation(order.facts(), statement, now))
    confirmation = create_once(
        EmergencyConfirmation,
        f"the emergency of {order.case_number} is already confirmed",
        order=order,
        statement=statement.strip(),
        confirmed_by=user,
        confirmed_at=now,
    )
    record(
        user,
        EventName.EMERGENCY_CONFIRMED,
        order.case_number,
        order.request.subject_id,
        now,
        statement_sha256=digest(statement.strip()),
    )
    return confirmation


@transaction.atomic
def notify_indictment(
    user: User, order: CoverOrder, filed_on: date, note: str, now: datetime
) -> IndictmentNotice:
    require(user, Action.NOTIFY_INDICTMENT)
    require_nondisclosure(user)
    if not sees_case(user.role_set, user.agency_id, order.agency_id):
        raise NotFound(f"no cover order {order.pk}")
    order = locked(order)
    effective = IndictmentNotice(filed_on=filed_on).effective_at
    refuse_if(rulings.check_indictment_notice(order.facts(), effective, now))
    notice = create_once(
        IndictmentNotice,
        f"an indictment is already on record for {order.case_number}",
        order=order,
        filed_on=filed_on,
        note=note.strip(),
        noted_by=user,
        noted_at=now,
    )
    record(
        user,
        EventName.INDICTMENT_NOTED,
        order.case_number,
        order.request.subject_id,
        now,
        filed_on=filed_on.isoformat(),
    )
    return notice


@transaction.atomic
def rule_improper(user: User, order: CoverOrder, reasons: str, now: datetime) -> ImproperRuling:
    require(user, Action.RULE_IMPROPER)
    require_nondisclosure(user)
    order = locked(order)
    refuse_if(
        rulings.check_improper_ruling(
            user.as_official(), order.facts(), order.filer_ids(), reasons, now
        )
    )
    ruling = create_once(
        ImproperRuling,
        f"{order.case_number} was already ruled improper; the ruling is final",
        order=order,
        reasons=reasons.strip(),
        ruled_by=user,
        ruled_at=now,
    )
    # MC-IMPROPER, (h)(2): all data acquired under the order is destroyed, at once and in
    # this transaction (its files and key once it commits).
    destroyed = retention.destroy_order_data(order, Reason.IMPROPER, now, user)
    held = destroyed.captures if destroyed is not None else 0
    # MC-IMPROPER, (h)(2): the requester is told the cover is discontinued and why.
    Notice.objects.create(
        recipient=order.request.requester,
        case_number=order.case_number,
        title=f"Mail cover {order.case_number} discontinued: ruled improper",
        body=f"{reasons.strip()}\n\nAll data acquired under this cover ({held} captured "
        f"piece{'' if held == 1 else 's'}) has been destroyed (39 CFR 233.3(h)(2)).",
        created_at=now,
    )
    record(
        user,
        EventName.ORDER_RULED_IMPROPER,
        order.case_number,
        order.request.subject_id,
        now,
        reasons_sha256=digest(reasons.strip()),
    )
    return ruling


@transaction.atomic
def review(user: User, order: CoverOrder, note: str, now: datetime) -> Review:
    require(user, Action.REVIEW_ORDER)
    order = locked(order)
    found = authority.check_reviewer(
        user.as_official(), order.filer_ids(), order.request.grounds_value, now
    )
    if not note.strip():
        found.append(Violation("MC-REVIEW", "note", "a review records what was reviewed"))
    refuse_if(found)
    done = Review.objects.create(order=order, reviewer=user, note=note.strip(), reviewed_at=now)
    record(
        user,
        EventName.ORDER_REVIEWED,
        order.case_number,
        order.request.subject_id,
        now,
        note_sha256=digest(note.strip()),
    )
    return done


# --- captures -----------------------------------------------------------------------------

CAPTURES_PAGE = 100
CAPTURES_PAGE_MAX = 500


def _capture_audience(user: User, order: CoverOrder) -> tuple[str, bool]:
    """The purpose of showing `user` what `order` captured, and whether it is a disclosure
    to law enforcement for its investigation; Forbidden for anyone else (MC-REPORTING)."""
    # The rule first, so that a refusal names it whatever the person's roles.
    if not sees_captures(user.role_set, user.agency_id, order.agency_id):
        raise Forbidden(
            "captures go only to the requesting authority and to oversight (MC-REPORTING)"
        )
    require(user, Action.VIEW_CAPTURES)
    require_nondisclosure(user)  # MC-NONDISCLOSURE, OIG-NONDISCLOSURE
    requesting = is_requesting_agency(user.agency_id, order.agency_id) and may(
        user.role_set, Action.FILE_REQUEST
    )
    if not requesting:  # oversight, of this agency or another
        return "oversight of the mail cover program (39 CFR 233.3(j))", False
    purpose = (
        f"report of the mail cover {order.case_number} to the requesting authority for "
        f"the {order.request.grounds.replace('_', ' ')} investigation it was ordered for "
        "(39 CFR 233.3(i))"
    )
    return purpose, True


def _releasing(user: User, order: CoverOrder, now: datetime) -> tuple[str, bool]:
    """Who may be shown what `order` captured, and whether it may be shown at all now."""
    audience = _capture_audience(user, order)
    refuse_if(orders.check_release(order.facts(), now))
    return audience


def _disclose(
    user: User,
    order: CoverOrder,
    now: datetime,
    audience: tuple[str, bool],
    nature: str,
    refs: dict[str, Any],
) -> None:
    """Put what was just shown of `order`'s captures on the ledger (PA-ACCOUNT)."""
    if user.agency is None:
        raise Forbidden("you belong to no agency, so nothing can be disclosed to you")
    purpose, law_enforcement = audience
    record_disclosure(
        user,
        now,
        subject_id=order.request.subject_id,
        case=order.case_number,
        recipient=user.agency,
        nature=f"{Nature.CAPTURE_VIEW}: {nature}",
        purpose=purpose,
        law_enforcement=law_enforcement,
        # (b)(7) asks for the agency head's written request naming the record; a cover
        # request is not that. What keeps these out of the subject's copy is the system
        # they come from, exempt from (c)(3) (PA-SUBJECT, 39 CFR 266.9).
        agency_head_written_request=False,
        system=SystemOfRecords.MAIL_COVER,
        refs={"order": order.pk, **refs},
    )


@transaction.atomic
def view_captures(
    user: User, order: CoverOrder, now: datetime, *, offset: int = 0, limit: int = CAPTURES_PAGE
) -> tuple[int, list[Capture]]:
    """The order's captures, oldest scan first, one page of them; every page shown is a
    disclosure on the ledger, in this transaction (PA-ACCOUNT). An order ruled improper, or
    an emergency order left unconfirmed, releases nothing (MC-IMPROPER, MC-EMERGENCY)."""
    audience = _releasing(user, order, now)
    total = order.captures.count()
    page = list(order.captures.all()[offset : offset + max(1, min(limit, CAPTURES_PAGE_MAX))])
    if not page:
        return total, page  # nothing shown, nothing disclosed
    _openable(page)
    ids = ",".join(str(c.pk) for c in page)
    _disclose(
        user,
        order,
        now,
        audience,
        f"{len(page)} of the {total} pieces captured",
        {
            "captures": len(page),
            "first_capture": page[0].pk,
            "last_capture": page[-1].pk,
            "captures_sha256": hashlib.sha256(ids.encode()).hexdigest(),
        },
    )
    return total, page


def _openable(page: list[Capture]) -> None:
    """A page is opened before it is disclosed: what cannot be read is not accounted as
    shown, and the person is told why instead of a server error."""
    try:
        captures.exteriors(page)
    except (sealing.KeyMissing, sealing.Unsealable) as unreadable:
        raise Conflict(_unreadable(unreadable)) from None


def _unreadable(error: Exception) -> str:
    if isinstance(error, sealing.KeyMissing):
        return str(error)
    return "a capture of this order does not open under the order's key: it was altered or moved"


@transaction.atomic
def view_capture_image(
    user: User, order: CoverOrder, piece_id: str, now: datetime
) -> tuple[Capture, bytes]:
    """One captured piece's exterior image, as a disclosure on the ledger like the list of
    captures (PA-ACCOUNT, MC-REPORTING); NotFound when the order holds no image for it.
    The image is read before the disclosure is recorded: nothing shown, nothing recorded."""
    audience = _releasing(user, order, now)
    capture = _capture_with_image(order, piece_id)
    try:
        data = captures.read_image(capture)
    except OSError:
        raise NotFound(f"the image of piece {piece_id} is not in storage") from None
    except (sealing.KeyMissing, sealing.Unsealable) as unreadable:
        raise Conflict(_unreadable(unreadable)) from None
    _disclose(
        user,
        order,
        now,
        audience,
        "the exterior image of one piece",
        {"capture": capture.pk, "image": capture.image},
    )
    return capture, data


def _capture_with_image(order: CoverOrder, piece_id: str) -> Capture:
    capture: Capture | None = order.captures.filter(piece_id=piece_id).exclude(image="").first()
    if capture is None:
        raise NotFound(f"no image of a piece {piece_id} captured under this order")
    return capture


def capture_to_view(user: User, order: CoverOrder, piece_id: str, now: datetime) -> Capture:
    """The capture whose image the viewer page will show `user`, checked as
    `view_capture_image` checks it (MC-REPORTING, MC-NONDISCLOSURE, MC-IMPROPER,
    MC-EMERGENCY). Nothing is read or shown here, so nothing is recorded: the image the page
    then loads comes through `view_capture_image`, and each load is the disclosure."""
    _releasing(user, order, now)
    return _capture_with_image(order, piece_id)


@transaction.atomic
def export_captures(
    user: User, order: CoverOrder, now: datetime
) -> tuple[list[Capture], list[captures.Exterior]]:
    """Every capture of the order with its exterior, for a CSV file: one disclosure on the
    ledger naming the person, the order and how many rows went out (PA-ACCOUNT), checked as
    any showing of captures is (MC-REPORTING, MC-IMPROPER, MC-EMERGENCY). The rows are
    opened before the disclosure is recorded: nothing handed over, nothing recorded."""
    audience = _releasing(user, order, now)
    rows = list(order.captures.all())
    try:
        opened = captures.exteriors(rows)
    except (sealing.KeyMissing, sealing.Unsealable) as unreadable:
        raise Conflict(_unreadable(unreadable)) from None
    if rows:
        ids = ",".join(str(c.pk) for c in rows)
        _disclose(
            user,
            order,
            now,
            audience,
            f"CSV export of all {len(rows)} pieces captured",
            {
                "export": "csv",
                "captures": len(rows),
                "first_capture": rows[0].pk,
                "last_capture": rows[-1].pk,
                "captures_sha256": hashlib.sha256(ids.encode()).hexdigest(),
            },
        )
    return rows, opened
