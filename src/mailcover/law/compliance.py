"""The inspector general's findings as checks (OIG-* in LAW.md): what each one asks of a
single case, and how a set of answers becomes the figure oversight reads.

The 2014 audit (HR-AR-14-001) and its 2015 follow-up found approvals without written
authority, requests not justified or transcribed wrongly, staff without nondisclosure
forms, reviews that never happened, reused tracking numbers, data recorded after orders
expired, requests left waiting, and report documents never returned. The actions refuse
most of these outright; these functions look at what is stored, so that a failure the
actions cannot prevent (an edit behind the application's back, a delegation revoked with
an earlier date, a person given a role without a form) is seen the day it exists.

Pure: the shell gathers the facts from the database and the ledger; nothing here reads
a clock (the moment is a parameter).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from mailcover.law import authority
from mailcover.law.reporting import return_due, return_overdue
from mailcover.law.roles import reaches_case_data
from mailcover.law.terms import Policy, Role


class Check(StrEnum):
    AUTHORITY = "OIG-AUTHORITY"
    JUSTIFICATION = "OIG-JUSTIFICATION"
    NONDISCLOSURE = "OIG-NONDISCLOSURE"
    REVIEW = "OIG-REVIEW"
    UNIQUE = "OIG-UNIQUE"
    AFTER_EXPIRY = "OIG-AFTER-EXPIRY"
    TIMELINESS = "OIG-TIMELINESS"
    RETURN = "OIG-RETURN"

    @property
    def slug(self) -> str:
        """The check's name in a URL: oig-authority, ..."""
        return self.value.lower()


@dataclass(frozen=True)
class About:
    """What a check asks, what the answer must be, and how mailcover prevents a failure."""

    title: str
    asks: str
    target: str
    prevented_by: str


ABOUT: dict[Check, About] = {
    Check.AUTHORITY: About(
        "Approvals without written authority",
        "approvals whose recorded delegation was not in force at the moment of approval, "
        "does not reach what was approved, or was used by someone who filed the request",
        "0",
        "an approval is refused unless a delegation in force reaches it (MC-AUTHORITY, "
        "MC-120, MC-NOT-SELF); the check catches a delegation later revoked with an "
        "earlier date, or a decision row changed outside the application",
    ),
    Check.JUSTIFICATION: About(
        "Requests without facts, or changed after filing",
        "requests with no stated facts, or whose stored text (facts, grounds, statute, "
        "scope, days, extension statements) no longer matches the request as filed and as "
        "the ledger recorded its digest at filing",
        "0",
        "a request without facts is refused (MC-WRITTEN); the request as filed is kept "
        "with its SHA-256, and the ledger holds that digest where no one can change it",
    ),
    Check.NONDISCLOSURE: About(
        "People with access and no nondisclosure acknowledgment",
        "active accounts whose roles reach case data or captures with no signed "
        "nondisclosure acknowledgment on file",
        "0",
        "filing, deciding, reviewing and reading captures are refused without an "
        "acknowledgment (MC-NONDISCLOSURE); an account can still be given such a role "
        "without one, and is listed here until it is signed or the role removed",
    ),
    Check.REVIEW: About(
        "Orders overdue for periodic review",
        "orders in force past the day their periodic review was due (MC-REVIEW: at least "
        "once a review interval, and before 120 continuous days)",
        "0",
        "an extension past 120 days is refused without a review; reviews are made by a "
        "headquarters official who did not file the request (MC-REVIEW, MC-NOT-SELF)",
    ),
    Check.UNIQUE: About(
        "Case numbers used twice",
        "case numbers filed more than once, read from the ledger's filing entries and the "
        "stored requests",
        "0",
        "case numbers come from a locked counter and the database refuses a second row "
        "with the same number (MC-UNIQUE)",
    ),
    Check.AFTER_EXPIRY: About(
        "Captures outside their order's window",
        "captures scanned or recorded while their order was not in force (before it "
        "started, after it ended, was suspended, terminated or ruled improper)",
        "0",
        "the ingest worker records a piece only if it was scanned and is recorded while "
        "the order is in force (MC-NO-ORDER-NO-DATA)",
    ),
    Check.TIMELINESS: About(
        "Time from request to decision",
        "hours from filing to decision, by percentile, against the policy target; "
        "decisions over the target and requests still waiting past it are listed",
        "every decision within the target",
        "the approval queue lists emergencies first, then the oldest request",
    ),
    Check.RETURN: About(
        "Report documents not returned",
        "covers that stopped more than 60 days ago whose requesting authority has not "
        "returned, or certified the destruction of, the report documents (MC-REPORTING)",
        "0",
        "cannot be prevented by the system: the return is recorded when it happens, and "
        "the cover is listed here from the 61st day until it is",
    ),
}


@dataclass(frozen=True)
class Finding:
    """One case a check found: its case number (or account), and why, in fixed words."""

    case_number: str
    reason: str
    order_id: int | None = None
    request_id: int | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class Result:
    """A check's answer now: the figure, how many cases were looked at, and the findings."""

    check: Check
    figure: str
    examined: int
    met: bool
    findings: tuple[Finding, ...]
    measures: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def about(self) -> About:
        return ABOUT[self.check]


def count_result(check: Check, findings: Sequence[Finding], examined: int) -> Result:
    """A check whose target is 0: the figure is the number of findings."""
    return Result(check, str(len(findings)), examined, not findings, tuple(findings))


# --- OIG-AUTHORITY -------------------------------------------------------------------------


@dataclass(frozen=True)
class Approval:
    """An approved period as stored: who approved it, under which recorded delegation
    (held by whom), for how many days, and how long the period actually runs."""

    case_number: str
    request_id: int
    official_id: int | None  # None: no approval is recorded for the period
    decided_at: datetime | None
    delegation: authority.Delegation | None
    delegation_holder_id: int | None
    decision: authority.Decision
    days_approved: int | None
    period_days: float


def approval_problem(approval: Approval) -> str | None:
    """Why this period does not rest on written authority, or None when it does."""
    if approval.official_id is None or approval.decided_at is None:
        return "the period runs with no approval recorded for it"
    if approval.official_id in approval.decision.filer_ids:
        return "approved by someone who filed the request (MC-NOT-SELF)"
    if approval.days_approved is None or approval.period_days != approval.days_approved:
        return (
            f"the period runs {approval.period_days:g} days; the approval granted "
            f"{approval.days_approved} (MC-PERIOD)"
        )
    held = approval.delegation
    if held is None:
        return "no written delegation is recorded on the approval"
    if approval.delegation_holder_id != approval.official_id:
        return f"delegation {held.reference} is not held by the official who approved"
    if not held.in_force(approval.decided_at):
        return f"delegation {held.reference} was not in force when the approval was made"
    if not authority.delegation_reaches(held, approval.decision):
        return f"delegation {held.reference} ({held.scope.value}) does not reach this approval"
    return None


# --- OIG-JUSTIFICATION ---------------------------------------------------------------------


@dataclass(frozen=True)
class FiledText:
    """A request as it is stored now, beside the request as filed."""

    case_number: str
    request_id: int
    facts: str
    stored: dict[str, object]  # the columns a decision rests on, as stored now
    as_filed: dict[str, object]  # the same, read from the request as filed
    digest_stored: str  # the SHA-256 kept beside the request as filed
    digest_recomputed: str  # the SHA-256 of the request as filed, computed now
    digest_on_ledger: str | None  # the SHA-256 the ledger recorded at filing


def justification_problems(text: FiledText) -> list[str]:
    """Why this request is not justified as filed: no facts, or its text changed."""
    found = []
    if not text.facts.strip():
        found.append("no facts are stated (MC-WRITTEN)")
    if text.digest_recomputed != text.digest_stored:
        found.append("the request as filed was changed after it was stored")
    if text.digest_on_ledger is None:
        found.append("the ledger holds no filing entry for this request")
    elif text.digest_on_ledger != text.digest_stored:
        found.append("the request as filed differs from the digest the ledger recorded")
    changed = sorted(k for k, v in text.as_filed.items() if text.stored.get(k) != v)
    if changed:
        found.append(f"stored {', '.join(changed)} differ from the request as filed")
    return found


# --- OIG-NONDISCLOSURE ---------------------------------------------------------------------

# Roles that reach case data or captures: everyone who works on covers (MC-NONDISCLOSURE),
# read from the one table of who may do what (law.roles.CASE_DATA).
CASE_ROLES = frozenset(role for role in Role if reaches_case_data([role]))


def needs_nondisclosure(roles: Iterable[Role]) -> bool:
    return reaches_case_data(roles)


# --- OIG-AFTER-EXPIRY ----------------------------------------------------------------------


def outside_window(
    scanned_at: datetime, captured_at: datetime, window: tuple[datetime, datetime]
) -> str | None:
    """Why a capture lies outside its order's window of force, or None (MC-NO-ORDER-NO-DATA:
    scanned while in force, and recorded while still in force)."""
    start, stop = window
    if scanned_at < start:
        return "scanned before the order was in force"
    if scanned_at >= stop:
        return "scanned after the order stopped being in force"
    if captured_at >= stop:
        return "recorded after the order stopped being in force"
    if captured_at < start:
        return "recorded before the order was in force"
    return None


# --- OIG-TIMELINESS ------------------------------------------------------------------------

PERCENTILES = (50, 90, 99)


def nearest_rank(values: Sequence[float], percentile: int) -> float:
    """The nearest-rank percentile: a value that was actually observed."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(percentile / 100 * len(ordered)))
    return ordered[rank - 1]


def decision_target(emergency: bool, policy: Policy) -> timedelta:
    """OIG-TIMELINESS (policy): the time a request may wait for its decision."""
    hours = policy.emergency_decision_target_hours if emergency else policy.decision_target_hours
    return timedelta(hours=hours)


@dataclass(frozen=True)
class Waiting:
    """A request and its decision, if made."""

    case_number: str
    request_id: int
    emergency: bool
    filed_at: datetime
    decided_at: datetime | None


def timeliness(requests: Sequence[Waiting], now: datetime, policy: Policy) -> Result:
    """Hours from filing to decision by percentile; every decision over its target, and
    every request still waiting past it, is a finding."""
    hours = [
        (r.decided_at - r.filed_at).total_seconds() / 3600
        for r in requests
        if r.decided_at is not None
    ]
    findings = []
    for r in requests:
        target = decision_target(r.emergency, policy)
        waited = (r.decided_at or now) - r.filed_at
        if waited > target:
            kind = "emergency request" if r.emergency else "request"
            verb = "decided" if r.decided_at is not None else "still waiting"
            findings.append(
                Finding(
                    r.case_number,
                    f"{kind} {verb} after {_hours(waited)} (target {_hours(target)})",
                    request_id=r.request_id,
                )
            )
    within = sum(1 for r in requests if r.decided_at is not None) - sum(
        1 for f in findings if "decided" in f.reason
    )
    measures = [(f"p{p}", f"{nearest_rank(hours, p):.1f} h") for p in PERCENTILES if hours]
    measures += [
        ("target", f"{policy.decision_target_hours} h"),
        ("emergency target", f"{policy.emergency_decision_target_hours} h"),
        ("decided", str(len(hours))),
        ("waiting", str(len(requests) - len(hours))),
    ]
    figure = f"{round(100 * within / len(hours))}% within target" if hours else "no decisions"
    return Result(
        Check.TIMELINESS, figure, len(requests), not findings, tuple(findings), tuple(measures)
    )


def _hours(span: timedelta) -> str:
    return f"{span.total_seconds() / 3600:.1f} h"


# --- OIG-RETURN ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stopped:
    """A cover that has stopped, and the return of its report documents, if recorded."""

    case_number: str
    order_id: int
    stopped_at: datetime
    returned_on: date | None


def return_problem(cover: Stopped, now: datetime) -> str | None:
    """MC-REPORTING: documents due back 60 days after the cover stopped."""
    if not return_overdue(cover.stopped_at, cover.returned_on, now):
        return None
    due = return_due(cover.stopped_at)
    return f"report documents due back {due:%Y-%m-%d}, {(now - due).days} days ago"
