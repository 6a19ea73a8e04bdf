"""What people do in oversight's part of the system: record the return of report documents
(MC-REPORTING), read the review queue (MC-REVIEW), export a discovery package
(MC-DISCOVERY). Each checks the law through `mailcover.law`, writes, and records who did it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction

from mailcover.accounts.models import User
from mailcover.covers import actions as covers
from mailcover.covers import sealing
from mailcover.covers.actions import Conflict, Forbidden, NotFound
from mailcover.covers.models import CoverOrder
from mailcover.law import discovery as discovery_law
from mailcover.law.accounting import Nature, SystemOfRecords
from mailcover.law.authority import check_reviewer
from mailcover.law.errors import Violation, refuse_if
from mailcover.law.orders import check_release, order_status
from mailcover.law.reporting import check_report_return, return_due, return_overdue
from mailcover.law.reviews import review_due_at, review_overdue
from mailcover.law.roles import Action, is_requesting_agency, may, records_report_return
from mailcover.law.terms import OrderStatus
from mailcover.ledger.accounting import Recipient, record_disclosure
from mailcover.ledger.entries import digest
from mailcover.ledger.events import EventName
from mailcover.oversight import discovery
from mailcover.oversight.compliance import stopped_at
from mailcover.oversight.models import ReportReturn

__all__ = ["Conflict", "Forbidden", "NotFound"]

# --- MC-REPORTING: report documents returned -----------------------------------------------


@transaction.atomic
def record_report_return(
    user: User,
    order: CoverOrder,
    *,
    how: str,
    certified_by: str,
    done_on: date,
    note: str,
    now: datetime,
) -> ReportReturn:
    """The requesting authority returned the report documents of `order`, or certifies
    their destruction; once per order."""
    covers.require(user, Action.RECORD_REPORT_RETURN)
    covers.require_nondisclosure(user)
    if not records_report_return(user.role_set, user.agency_id, order.agency_id):
        raise NotFound(f"no cover order {order.pk}")
    if how not in ReportReturn.How.values:
        choices = " or ".join(ReportReturn.How.values)
        refuse_if([Violation("MC-REPORTING", "how", f"how is {choices}, not {how[:40]!r}")])
    order = CoverOrder.objects.select_for_update().get(pk=order.pk)
    if ReportReturn.objects.filter(order=order).exists():
        raise Conflict(f"the return of {order.case_number}'s report documents is on file")
    stop = stopped_at(order, now)
    refuse_if(check_report_return(stop, done_on, certified_by, note, now))
    try:
        with transaction.atomic():
            made = ReportReturn.objects.create(
                order=order,
                how=how,
                certified_by=certified_by.strip(),
                done_on=done_on,
                note=note.strip(),
                recorded_by=user,
                recorded_at=now,
            )
    except IntegrityError:  # two at once: the row lock makes this rare, the constraint sure
        raise Conflict(f"the return of {order.case_number}'s report documents is on file") from None
    covers.record(
        user,
        EventName.REPORT_RETURNED,
        order.case_number,
        order.request.subject_id,
        now,
        how=how,
        done_on=done_on.isoformat(),
        due_on=return_due(stop).date().isoformat() if stop else None,
        certified_by_sha256=digest(certified_by.strip()),
    )
    return made


@dataclass(frozen=True)
class ReturnRow:
    order: CoverOrder
    stopped_at: datetime
    due_on: date
    overdue: bool
    returned: ReportReturn | None
    may_record: bool


def return_row(user: User, order: CoverOrder, now: datetime) -> ReturnRow | None:
    """One cover's return of its documents as `user` sees it; None while it is in force."""
    stop = stopped_at(order, now)
    if stop is None:
        return None
    returned = getattr(order, "report_return", None)
    return ReturnRow(
        order=order,
        stopped_at=stop,
        due_on=return_due(stop).date(),
        overdue=return_overdue(stop, returned.done_on if returned else None, now),
        returned=returned,
        may_record=returned is None
        and records_report_return(user.role_set, user.agency_id, order.agency_id),
    )


def returns_list(user: User, now: datetime) -> list[ReturnRow]:
    """Covers that have stopped, with the return of their documents (MC-REPORTING): the
    requesting authority sees its own, the deciding officials and oversight all."""
    orders = covers.visible_orders(user).select_related("report_return")
    rows = [row for order in orders if (row := return_row(user, order, now)) is not None]
    return sorted(rows, key=lambda r: (r.returned is not None, r.due_on))


# --- MC-REVIEW: the review queue ------------------------------------------------------------

REVIEW_HORIZON_DAYS = 30


@dataclass(frozen=True)
class ReviewRow:
    order: CoverOrder
    due_at: datetime
    overdue: bool
    last_review_at: datetime | None
    may_review: bool


def review_queue(
    user: User, now: datetime, horizon_days: int = REVIEW_HORIZON_DAYS
) -> list[ReviewRow]:
    """Orders in force whose periodic review is due within `horizon_days` or overdue, the
    most overdue first. Whether this person may review each one (MC-REVIEW, MC-NOT-SELF) is
    asked of the same rule the review action applies."""
    held = user.role_set
    if not (may(held, Action.REVIEW_ORDER) or may(held, Action.VIEW_OVERSIGHT)):
        raise Forbidden("the review queue is for the reviewing officials and oversight")
    covers.require_nondisclosure(user)  # it lists every agency's case numbers
    policy = covers.policy()
    official = user.as_official()
    rows = []
    for order in covers.visible_orders(user):
        facts = order.facts()
        if order_status(facts, now) is not OrderStatus.ACTIVE:
            continue
        last = order.last_review_at()
        due = review_due_at(facts, last, policy)
        if (due - now).days > horizon_days:
            continue
        allowed = may(held, Action.REVIEW_ORDER) and not check_reviewer(
            official, order.filer_ids(), order.request.grounds_value, now
        )
        rows.append(ReviewRow(order, due, review_overdue(facts, last, now, policy), last, allowed))
    return sorted(rows, key=lambda r: r.due_at)


# --- MC-DISCOVERY ---------------------------------------------------------------------------


@transaction.atomic
def export_discovery(
    user: User, order: CoverOrder, draft: discovery_law.DiscoveryDraft, now: datetime
) -> discovery.Package:
    """The order's data for a legal proceeding, handed to the person the draft names: a
    disclosure on the ledger with the package's hashes (PA-ACCOUNT), in this transaction.
    Only the requesting authority, which holds the reports, produces it; an order ruled
    improper (its data destroyed) or an emergency never confirmed releases nothing."""
    covers.require(user, Action.EXPORT_DISCOVERY)
    covers.require_nondisclosure(user)
    if not is_requesting_agency(user.agency_id, order.agency_id):
        raise NotFound(f"no cover order {order.pk}")
    refuse_if(discovery_law.check_discovery(draft))
    # Locked, so that an improper ruling cannot slip between the check and the export.
    order = CoverOrder.objects.select_for_update().get(pk=order.pk)
    refuse_if(check_release(order.facts(), now))
    try:
        package = discovery.build(order, draft, now)
    except (sealing.KeyMissing, sealing.Unsealable) as unreadable:
        raise Conflict(f"the order's captures cannot be opened: {unreadable}") from None
    except OSError:
        raise Conflict("an image of the order's captures is not in storage") from None
    record_disclosure(
        user,
        now,
        subject_id=order.request.subject_id,
        case=order.case_number,
        recipient=Recipient(draft.recipient_name.strip(), draft.recipient_address.strip()),
        nature=f"{Nature.DISCOVERY}: {package.captures} pieces captured, {package.images} images",
        purpose=discovery_law.purpose(draft),
        law_enforcement=False,
        agency_head_written_request=False,
        system=SystemOfRecords.MAIL_COVER,  # the cover's data (PA-SUBJECT)
        refs={"order": order.pk},
        package_sha256=package.sha256,
        members=package.members,
        proceeding_sha256=digest(discovery_law.proceeding_digest_text(draft)),
    )
    return package
