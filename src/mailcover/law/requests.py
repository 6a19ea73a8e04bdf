"""What a written cover request must say: MC-PURPOSE, MC-CRIME-FELONY, MC-WRITTEN,
MC-ALL-NAMES, MC-EMERGENCY, MC-NATSEC-HEAD, MC-PERIOD, MC-ATTORNEY."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from mailcover.law.errors import Violation
from mailcover.law.periods import max_period_days
from mailcover.law.terms import AgencyLevel, Grounds, Policy, Scope

# MC-WRITTEN: "states the reasonable grounds". A one-word "facts" is no statement;
# this floor catches empty or token text without judging the facts themselves.
MIN_FACTS_CHARS = 40
MIN_JUSTIFICATION_CHARS = 20


@dataclass(frozen=True)
class AgencyHeadApproval:
    """MC-NATSEC-HEAD: the requesting agency head's (or one HQ designee's) approval."""

    name: str
    title: str
    date: date | None


@dataclass(frozen=True)
class AttorneyEntry:
    name: str
    address: str


@dataclass(frozen=True)
class CoverRequestDraft:
    """A request as filed, before any rule has looked at it.

    Grounds and scope are kept as the raw strings that were sent, so that an
    unknown value is reported as a broken rule rather than a crash.
    """

    subject_name: str
    subject_address: str
    grounds: str
    statute: str
    max_penalty_years: Decimal | None
    facts: str
    scope: str
    days: int
    requester_agency_level: AgencyLevel
    scope_justification: str | None = None
    emergency: bool = False
    emergency_reason: str | None = None
    agency_head_approval: AgencyHeadApproval | None = None
    forfeiture_authority: str | None = None
    aliases: tuple[str, ...] = ()
    attorneys: tuple[AttorneyEntry, ...] = field(default_factory=tuple)


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def parse_grounds(raw: str) -> Grounds | None:
    try:
        return Grounds(raw)
    except ValueError:
        return None


def parse_scope(raw: str) -> Scope | None:
    try:
        return Scope(raw)
    except ValueError:
        return None


def check_purpose(draft: CoverRequestDraft) -> list[Violation]:
    """MC-PURPOSE, (c)(1), (e)(1)-(2): enumerated grounds; postal statutes come from inspectors."""
    grounds = parse_grounds(draft.grounds)
    if grounds is None:
        allowed = ", ".join(g.value for g in Grounds)
        return [
            Violation(
                "MC-PURPOSE",
                "grounds",
                f"unknown grounds {draft.grounds!r}; a cover may rest only on: {allowed}",
            )
        ]
    if grounds is Grounds.POSTAL_STATUTE and draft.requester_agency_level is not AgencyLevel.POSTAL:
        return [
            Violation(
                "MC-PURPOSE",
                "grounds",
                "postal_statute grounds may be requested only "
                "by a postal inspector; an outside agency may use national_security, "
                "fugitive, crime or forfeiture",
            )
        ]
    return []


def check_offence(draft: CoverRequestDraft) -> list[Violation]:
    """MC-CRIME-FELONY, (c)(6)-(7), (e)(2)(iv): the statute and, for a crime, a felony term."""
    grounds = parse_grounds(draft.grounds)
    found: list[Violation] = []
    if grounds in (Grounds.CRIME, Grounds.POSTAL_STATUTE, Grounds.FORFEITURE) and _blank(
        draft.statute
    ):
        found.append(
            Violation(
                "MC-CRIME-FELONY",
                "statute",
                f"{draft.grounds} grounds must cite the statute or legal basis",
            )
        )
    if grounds is Grounds.CRIME:
        term = draft.max_penalty_years
        if term is None:
            found.append(
                Violation(
                    "MC-CRIME-FELONY",
                    "max_penalty_years",
                    "a crime must state the statute's maximum prison term in years",
                )
            )
        elif term <= 1:
            found.append(
                Violation(
                    "MC-CRIME-FELONY",
                    "max_penalty_years",
                    f"a crime must be punishable by more than one year; {term} years is not enough",
                )
            )
    if grounds is Grounds.FORFEITURE and _blank(draft.forfeiture_authority):
        found.append(
            Violation(
                "MC-CRIME-FELONY",
                "forfeiture_authority",
                "forfeiture grounds must cite the agency's forfeiture authority",
            )
        )
    return found


def check_written(draft: CoverRequestDraft) -> list[Violation]:
    """MC-WRITTEN, (e)(1)-(2): a subject, one address, and the facts that make it necessary."""
    found: list[Violation] = []
    if _blank(draft.subject_name):
        found.append(Violation("MC-WRITTEN", "subject.name", "the subject's name is required"))
    if _blank(draft.subject_address):
        found.append(
            Violation(
                "MC-WRITTEN",
                "subject.address",
                "the subject's address is required (one address per request)",
            )
        )
    elif "\n" in draft.subject_address.strip() or ";" in draft.subject_address:
        found.append(
            Violation(
                "MC-WRITTEN",
                "subject.address",
                "one subject address per request; file another request for another address",
            )
        )
    if _blank(draft.facts):
        found.append(
            Violation("MC-WRITTEN", "facts", "state the facts that make the cover necessary")
        )
    elif len(draft.facts.strip()) < MIN_FACTS_CHARS:
        found.append(
            Violation(
                "MC-WRITTEN",
                "facts",
                f"the facts must be a statement of at least {MIN_FACTS_CHARS} "
                "characters, not a word or two",
            )
        )
    return found


def check_scope(draft: CoverRequestDraft) -> list[Violation]:
    """MC-ALL-NAMES (Publication 55): every name at the address needs its own justification."""
    scope = parse_scope(draft.scope)
    if scope is None:
        allowed = ", ".join(s.value for s in Scope)
        return [
            Violation(
                "MC-ALL-NAMES", "scope", f"unknown scope {draft.scope!r}; use one of: {allowed}"
            )
        ]
    justification = draft.scope_justification
    if scope is Scope.DELIVERY_POINT and (
        justification is None or len(justification.strip()) < MIN_JUSTIFICATION_CHARS
    ):
        return [
            Violation(
                "MC-ALL-NAMES",
                "scope_justification",
                "a delivery_point scope covers every name at the address and needs "
                f"its own written justification (at least {MIN_JUSTIFICATION_CHARS} "
                "characters)",
            )
        ]
    return []


def check_emergency(draft: CoverRequestDraft) -> list[Violation]:
    """MC-EMERGENCY, (c)(10), (e)(3): an emergency states what is at risk."""
    if draft.emergency and _blank(draft.emergency_reason):
        return [
            Violation(
                "MC-EMERGENCY",
                "emergency_reason",
                "an emergency request must state the emergency: the risk of losing "
                "evidence or of immediate physical harm",
            )
        ]
    return []


def check_natsec_head(draft: CoverRequestDraft, today: date) -> list[Violation]:
    """MC-NATSEC-HEAD, (g)(8): the agency head's personal approval, dated, not in the future."""
    if parse_grounds(draft.grounds) is not Grounds.NATIONAL_SECURITY:
        return []
    head = draft.agency_head_approval
    if head is None:
        return [
            Violation(
                "MC-NATSEC-HEAD",
                "agency_head_approval",
                "a national-security request must carry the personal approval of the "
                "requesting agency's head or one headquarters-level designee",
            )
        ]
    found: list[Violation] = []
    for name in ("name", "title"):
        if _blank(getattr(head, name)):
            found.append(
                Violation(
                    "MC-NATSEC-HEAD",
                    f"agency_head_approval.{name}",
                    f"the agency head's approval must give the {name}",
                )
            )
    if head.date is None:
        found.append(
            Violation(
                "MC-NATSEC-HEAD",
                "agency_head_approval.date",
                "the agency head's approval must be dated",
            )
        )
    elif head.date > today:
        found.append(
            Violation(
                "MC-NATSEC-HEAD",
                "agency_head_approval.date",
                "the agency head's approval cannot be dated in the future",
            )
        )
    return found


def check_days(draft: CoverRequestDraft, policy: Policy) -> list[Violation]:
    """MC-PERIOD, (g)(5): at least one day, at most the grounds' maximum period."""
    grounds = parse_grounds(draft.grounds)
    if grounds is None:
        return []
    most = max_period_days(grounds, policy)
    if not 1 <= draft.days <= most:
        return [
            Violation(
                "MC-PERIOD",
                "days",
                f"{grounds.value} covers run 1 to {most} days; {draft.days} is out of range",
            )
        ]
    return []


def check_attorneys(draft: CoverRequestDraft) -> list[Violation]:
    """MC-ATTORNEY, (g)(3): known attorneys are named so their mail is never captured."""
    return [
        Violation("MC-ATTORNEY", f"attorneys[{i}].name", "each known attorney needs a name")
        for i, attorney in enumerate(draft.attorneys)
        if _blank(attorney.name)
    ]


def check_cover_request(draft: CoverRequestDraft, today: date, policy: Policy) -> list[Violation]:
    """Every rule a new cover request must meet, all reported at once."""
    return [
        *check_purpose(draft),
        *check_offence(draft),
        *check_written(draft),
        *check_scope(draft),
        *check_emergency(draft),
        *check_natsec_head(draft, today),
        *check_days(draft, policy),
        *check_attorneys(draft),
    ]


def check_denial(reason: str) -> list[Violation]:
    """MC-WRITTEN: a denial, like a request, is in writing and gives its reason."""
    if _blank(reason):
        return [Violation("MC-WRITTEN", "reason", "a denial states its reason")]
    return []
