"""Records requests about postal customers: RR-SCOPE, RR-EMERGENCY, RR-FINANCIAL, RR-VERIFIED.

A records request names one customer, the data categories it wants, a closed date
range and the legal instrument it rests on. Each category has a least instrument
(18 U.S.C. 2703 for subscriber, transactional and content records; 12 U.S.C. 3402 for
financial records); a request whose instrument does not reach a category is refused,
and the refusal names the instrument that would.

Pure: no Django, no clock (time is a parameter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from mailcover.law.errors import Violation


class Category(StrEnum):
    SUBSCRIBER = "subscriber"  # RR-SUBSCRIBER, 2703(c)(2)
    TRANSACTIONAL = "transactional"  # RR-RECORDS, 2703(c)(1), (d)
    CONTENT = "content"  # RR-CONTENT, 2703(a)
    FINANCIAL = "financial"  # RR-FINANCIAL, 12 U.S.C. 3402


class Instrument(StrEnum):
    SUBPOENA = "subpoena"
    COURT_ORDER_2703D = "court_order_2703d"
    WARRANT = "warrant"
    FINANCIAL_CUSTOMER_AUTHORIZATION = "financial_customer_authorization"  # 3402(1), 3404
    FINANCIAL_ADMINISTRATIVE_SUBPOENA = "financial_administrative_subpoena"  # 3402(2), 3405
    FINANCIAL_SEARCH_WARRANT = "financial_search_warrant"  # 3402(3), 3406
    FINANCIAL_JUDICIAL_SUBPOENA = "financial_judicial_subpoena"  # 3402(4), 3407
    FINANCIAL_FORMAL_WRITTEN_REQUEST = "financial_formal_written_request"  # 3402(5), 3408
    EMERGENCY = "emergency"  # 2702(c)(4), 2702(b)(8)


FINANCIAL_INSTRUMENTS = frozenset(
    {
        Instrument.FINANCIAL_CUSTOMER_AUTHORIZATION,
        Instrument.FINANCIAL_ADMINISTRATIVE_SUBPOENA,
        Instrument.FINANCIAL_SEARCH_WARRANT,
        Instrument.FINANCIAL_JUDICIAL_SUBPOENA,
        Instrument.FINANCIAL_FORMAL_WRITTEN_REQUEST,
    }
)

# What each instrument reaches. A 2703(d) order reaches subscriber records too
# (2703(c)(1)(B) gives the order everything a subpoena gets); a warrant reaches all
# three ECPA categories. The RFPA's instruments reach financial records and nothing
# else; no ECPA instrument reaches financial records (3402: only the five).
# An emergency disclosure reaches non-content records (2702(c)(4)) and content
# (2702(b)(8)); financial records stay behind the RFPA's instruments.
REACHES: dict[Instrument, frozenset[Category]] = {
    Instrument.SUBPOENA: frozenset({Category.SUBSCRIBER}),
    Instrument.COURT_ORDER_2703D: frozenset({Category.SUBSCRIBER, Category.TRANSACTIONAL}),
    Instrument.WARRANT: frozenset({Category.SUBSCRIBER, Category.TRANSACTIONAL, Category.CONTENT}),
    **{kind: frozenset({Category.FINANCIAL}) for kind in FINANCIAL_INSTRUMENTS},
    Instrument.EMERGENCY: frozenset(
        {Category.SUBSCRIBER, Category.TRANSACTIONAL, Category.CONTENT}
    ),
}

# The least instrument each category needs, as a refusal names it.
NEEDS: dict[Category, str] = {
    Category.SUBSCRIBER: "a subpoena (18 U.S.C. 2703(c)(2)) or more",
    Category.TRANSACTIONAL: "a court order under 18 U.S.C. 2703(d), or a warrant",
    Category.CONTENT: "a warrant (18 U.S.C. 2703(a))",
    Category.FINANCIAL: "one of the five instruments of 12 U.S.C. 3402 (customer "
    "authorization, administrative subpoena, search warrant, judicial subpoena or formal "
    "written request)",
}

INSTRUMENT_NAMES: dict[Instrument, str] = {
    Instrument.SUBPOENA: "subpoena",
    Instrument.COURT_ORDER_2703D: "court order under 18 U.S.C. 2703(d)",
    Instrument.WARRANT: "warrant",
    Instrument.FINANCIAL_CUSTOMER_AUTHORIZATION: "customer authorization (12 U.S.C. 3404)",
    Instrument.FINANCIAL_ADMINISTRATIVE_SUBPOENA: "administrative subpoena (12 U.S.C. 3405)",
    Instrument.FINANCIAL_SEARCH_WARRANT: "search warrant (12 U.S.C. 3406)",
    Instrument.FINANCIAL_JUDICIAL_SUBPOENA: "judicial subpoena (12 U.S.C. 3407)",
    Instrument.FINANCIAL_FORMAL_WRITTEN_REQUEST: "formal written request (12 U.S.C. 3408)",
    Instrument.EMERGENCY: "emergency disclosure (18 U.S.C. 2702(c)(4), (b)(8))",
}

# RR-EMERGENCY, policy: an emergency release reaches back this many days from the
# request, no further ("limited to what relates to the emergency"), and the follow-up
# instrument is asked for within FOLLOW_UP_DAYS.
EMERGENCY_LOOKBACK_DAYS = 30
EMERGENCY_FOLLOW_UP_DAYS = 30

# A date range no older than this: records requests are about a customer's records,
# not a lifetime; policy, long enough for any retention the service has.
OLDEST_START = date(1990, 1, 1)

IDENTIFIER_FIELDS = ("email", "account", "tracking_number", "name", "address")


@dataclass(frozen=True)
class EmergencyAttestation:
    """RR-EMERGENCY: the requester's good-faith statement of the danger."""

    danger: str  # "death" or "serious_physical_injury"
    facts: str  # what makes the danger believed, and how the records relate to it
    attested_by: str  # the name and title of the official who attests


DANGERS = ("death", "serious_physical_injury")


@dataclass(frozen=True)
class RecordsRequestDraft:
    """A records request as filed, before it is stored."""

    instrument: Instrument
    issued_by: str
    issued_on: date | None
    number: str
    identifiers: dict[str, str] = field(default_factory=dict)
    categories: tuple[Category, ...] = ()
    start: date | None = None
    end: date | None = None
    purpose: str = ""
    emergency: EmergencyAttestation | None = None


def parse_instrument(raw: str) -> Instrument | None:
    try:
        return Instrument(raw)
    except ValueError:
        return None


def parse_category(raw: str) -> Category | None:
    try:
        return Category(raw)
    except ValueError:
        return None


def check_reach(instrument: Instrument, categories: tuple[Category, ...]) -> list[Violation]:
    """RR-SCOPE: a category the instrument does not reach is refused, naming what would."""
    found = []
    for category in categories:
        if category not in REACHES[instrument]:
            found.append(
                Violation(
                    "RR-SCOPE",
                    "categories",
                    f"{category.value} records need {NEEDS[category]}; a "
                    f"{INSTRUMENT_NAMES[instrument]} does not reach them",
                )
            )
    return found


def check_identifiers(identifiers: dict[str, str]) -> list[Violation]:
    """RR-SCOPE: a request names its customer. A name alone is not a customer."""
    given = {k for k, v in identifiers.items() if v.strip()}
    if not given:
        return [
            Violation(
                "RR-SCOPE",
                "customer",
                "name the customer: an email, account number, tracking number, or a name "
                "with its address",
            )
        ]
    if given <= {"name"} or given <= {"address"}:
        return [
            Violation(
                "RR-SCOPE",
                "customer",
                "a name or an address alone does not name one customer: give both, or an "
                "email, account number or tracking number",
            )
        ]
    return []


def check_range(start: date | None, end: date | None, filed_on: date) -> list[Violation]:
    """RR-SCOPE: a closed date range, in order, of records that exist when it is filed."""
    if start is None or end is None:
        missing = "start" if start is None else "end"
        return [
            Violation(
                "RR-SCOPE",
                missing,
                f"the date range has no {missing}: a request names a closed date range",
            )
        ]
    found = []
    if end < start:
        found.append(
            Violation(
                "RR-SCOPE",
                "end",
                f"the date range is reversed: it ends ({end}) before it starts ({start})",
            )
        )
    if start < OLDEST_START:
        found.append(Violation("RR-SCOPE", "start", f"the date range starts before {OLDEST_START}"))
    if end > filed_on:
        found.append(
            Violation(
                "RR-SCOPE",
                "end",
                f"the date range ends after today ({filed_on}): a records request reaches "
                "records that exist, not those yet to come",
            )
        )
    return found


def check_instrument(draft: RecordsRequestDraft, filed_on: date) -> list[Violation]:
    found = []
    if not draft.issued_by.strip():
        found.append(
            Violation(
                "RR-SCOPE", "instrument.issued_by", "name the authority that issued the instrument"
            )
        )
    if draft.instrument is not Instrument.EMERGENCY:
        if draft.issued_on is None:
            found.append(
                Violation(
                    "RR-SCOPE", "instrument.issued_on", "give the date the instrument was issued"
                )
            )
        elif draft.issued_on > filed_on:
            found.append(
                Violation(
                    "RR-SCOPE", "instrument.issued_on", "the instrument's date is in the future"
                )
            )
    return found


def check_emergency(draft: RecordsRequestDraft, filed_on: date) -> list[Violation]:
    """RR-EMERGENCY: a good-faith belief of danger of death or serious physical injury,
    and a release limited to what relates to the emergency."""
    attestation = draft.emergency
    if draft.instrument is not Instrument.EMERGENCY:
        if attestation is not None:
            return [
                Violation(
                    "RR-EMERGENCY",
                    "emergency",
                    "an emergency attestation goes with the emergency instrument type only",
                )
            ]
        return []
    found = []
    if attestation is None:
        return [
            Violation(
                "RR-EMERGENCY",
                "emergency",
                "an emergency request carries an attestation: the danger, the facts that "
                "make it believed, and who attests",
            )
        ]
    if attestation.danger not in DANGERS:
        found.append(
            Violation(
                "RR-EMERGENCY", "emergency.danger", "the danger is death or serious_physical_injury"
            )
        )
    if not attestation.facts.strip():
        found.append(
            Violation(
                "RR-EMERGENCY",
                "emergency.facts",
                "state the facts of the emergency and how the records relate to it",
            )
        )
    if not attestation.attested_by.strip():
        found.append(
            Violation("RR-EMERGENCY", "emergency.attested_by", "name the official who attests")
        )
    earliest = filed_on - timedelta(days=EMERGENCY_LOOKBACK_DAYS)
    if draft.start is not None and draft.start < earliest:
        found.append(
            Violation(
                "RR-EMERGENCY",
                "start",
                f"an emergency release reaches back {EMERGENCY_LOOKBACK_DAYS} days, to "
                f"{earliest}; older records need the follow-up instrument",
            )
        )
    return found


def check_records_request(draft: RecordsRequestDraft, filed_on: date) -> list[Violation]:
    """Every rule a records request must meet when it is filed."""
    found = check_instrument(draft, filed_on)
    if not draft.categories:
        found.append(Violation("RR-SCOPE", "categories", "name at least one category"))
    found += check_reach(draft.instrument, draft.categories)
    found += check_identifiers(draft.identifiers)
    found += check_range(draft.start, draft.end, filed_on)
    found += check_emergency(draft, filed_on)
    if not draft.purpose.strip():
        found.append(
            Violation(
                "PA-ACCOUNT",
                "purpose",
                "state the purpose: every disclosure is accounted for with its purpose",
            )
        )
    return found


def follow_up_due(filed_at: datetime) -> datetime:
    """RR-EMERGENCY: when the follow-up instrument of an emergency request is due."""
    return filed_at + timedelta(days=EMERGENCY_FOLLOW_UP_DAYS)


def in_range(at: datetime, start: date, end: date) -> bool:
    """RR-SCOPE: whether a record's time falls in the request's range (both days whole,
    in UTC)."""
    return start <= at.astimezone(UTC).date() <= end


# -- RR-VERIFIED --------------------------------------------------------------------


def check_verified(agency_verified: bool, second_factor: bool) -> list[Violation]:
    """RR-VERIFIED: requests come only from verified agency accounts with two-factor
    sign-in."""
    found = []
    if not agency_verified:
        found.append(
            Violation(
                "RR-VERIFIED",
                None,
                "your agency's account is not verified: records "
                "requests come only from verified agencies",
            )
        )
    if not second_factor:
        found.append(
            Violation(
                "RR-VERIFIED",
                None,
                "records requests need a two-factor sign-in: "
                "enrol a one-time-code device and sign in with it",
            )
        )
    return found


# -- Review -------------------------------------------------------------------------


def check_reviewer(reviewer_id: int, filer_id: int) -> list[Violation]:
    """MC-NOT-SELF, applied to records requests: the reviewer did not file it."""
    if reviewer_id == filer_id:
        return [
            Violation("MC-NOT-SELF", None, "you filed this request: another inspector reviews it")
        ]
    return []


# -- RR-FINANCIAL: the customer's time to challenge --------------------------------

# 12 U.S.C. 3405(3), 3407(3), 3408(4), 3410(a): the customer has 10 days from service,
# or 14 from mailing, to move to quash before the records may be released. Counted as
# Fed. R. Civ. P. 6(a)(1) counts: the day of service is excluded and the last day is
# included, so the customer may still file on served_on + 10 and release waits a day more.
CHALLENGE_DAYS = {"served": 10, "mailed": 14}
# 3409(a): a court may delay the notice up to 90 days at a time.
FINANCIAL_DELAY_DAYS = 90

# Instruments after which the customer has a period to challenge before release.
CHALLENGEABLE = frozenset(
    {
        Instrument.FINANCIAL_ADMINISTRATIVE_SUBPOENA,
        Instrument.FINANCIAL_JUDICIAL_SUBPOENA,
        Instrument.FINANCIAL_FORMAL_WRITTEN_REQUEST,
    }
)


def release_after(
    instrument: Instrument,
    categories: tuple[Category, ...],
    notice_served_on: date | None,
    notice_method: str | None,
    delay_until: date | None,
) -> date | None:
    """RR-FINANCIAL: the first day financial records may be released, or None while the
    customer has not been given notice (nor has a court delayed it).

    With a delay order (3409) the release need not wait; the notice follows it. Other
    categories and other instruments do not wait.
    """
    if Category.FINANCIAL not in categories or instrument not in CHALLENGEABLE:
        return date.min
    if delay_until is not None:
        return date.min
    if notice_served_on is None or notice_method not in CHALLENGE_DAYS:
        return None
    last_day_to_challenge = notice_served_on + timedelta(days=CHALLENGE_DAYS[notice_method])
    return last_day_to_challenge + timedelta(days=1)


def check_release(
    instrument: Instrument,
    categories: tuple[Category, ...],
    notice_served_on: date | None,
    notice_method: str | None,
    delay_until: date | None,
    today: date,
) -> list[Violation]:
    """RR-FINANCIAL: financial records wait for the customer's time to challenge."""
    first_day = release_after(instrument, categories, notice_served_on, notice_method, delay_until)
    if first_day is None:
        return [
            Violation(
                "RR-FINANCIAL",
                "notice",
                "financial records are released only after the customer is given notice "
                "(served: 10 days, mailed: 14 days to challenge) or a court delays it "
                "(12 U.S.C. 3409)",
            )
        ]
    if today < first_day:
        return [
            Violation(
                "RR-FINANCIAL",
                "notice",
                f"the customer may challenge until {first_day - timedelta(days=1)}: the "
                f"financial records are released from {first_day}",
            )
        ]
    return []


def check_challenge_notice(
    method: str, served_on: date, issued_on: date | None, today: date
) -> list[Violation]:
    """RR-FINANCIAL: the notice was served or mailed, after the instrument and by today."""
    found = []
    if method not in CHALLENGE_DAYS:
        found.append(Violation("RR-FINANCIAL", "method", "method is served or mailed"))
    if issued_on is not None and served_on < issued_on:
        found.append(
            Violation(
                "RR-FINANCIAL",
                "served_on",
                f"the notice cannot precede the instrument it gives notice of (issued {issued_on})",
            )
        )
    if served_on > today:
        found.append(Violation("RR-FINANCIAL", "served_on", "served_on is in the future"))
    return found


def financial_delay_until(delays: tuple[Delay, ...], issued_on: date, today: date) -> date | None:
    """12 U.S.C. 3409: the end of a delayed-notice order in force today, which lets the
    financial records go before the customer's notice. An order dated before the
    instrument it delays is no such order."""
    for delay in delays:
        if (
            delay.kind is DelayKind.DELAYED_NOTICE
            and issued_on <= delay.starts_on <= today
            and (delay.ends_on is None or today <= delay.ends_on)
        ):
            return delay.ends_on
    return None


# -- RR-EMERGENCY: the follow-up ----------------------------------------------------


def check_follow_up(
    instrument: Instrument,
    categories: tuple[Category, ...],
    issued_by: str,
    issued_on: date | None,
    today: date,
) -> list[Violation]:
    """RR-EMERGENCY: the legal process after an emergency disclosure reaches every category
    released, names its issuer, and is dated, not in the future."""
    if instrument is Instrument.EMERGENCY:
        found = [
            Violation(
                "RR-EMERGENCY",
                "instrument.type",
                "the follow-up is a legal instrument, not another emergency",
            )
        ]
    else:
        found = check_reach(instrument, categories)
    if not issued_by.strip():
        found.append(Violation("RR-EMERGENCY", "instrument.issued_by", "name the issuer"))
    if issued_on is None or issued_on > today:
        found.append(
            Violation(
                "RR-EMERGENCY",
                "instrument.issued_on",
                "give the instrument's date, not in the future",
            )
        )
    return found


# -- RR-NOTICE ----------------------------------------------------------------------

# 2705(a)(1)(A), (a)(4): a delayed-notice order runs up to 90 days, renewable 90 at a time.
DELAY_MAX_DAYS = 90
# DOJ policy (2017): a nondisclosure order without an end is re-checked at one year.
NONDISCLOSURE_RECHECK_DAYS = 365
# An end further off than this is no end a court sets; it is refused (and date
# arithmetic on it would overflow).
DELAY_HORIZON_DAYS = 10 * 365


class DelayKind(StrEnum):
    DELAYED_NOTICE = "delayed_notice"  # 2705(a), 3409
    NONDISCLOSURE = "nondisclosure"  # 2705(b)


@dataclass(frozen=True)
class Delay:
    """A court's order on file that holds the customer notice back."""

    kind: DelayKind
    starts_on: date
    ends_on: date | None  # None: a nondisclosure order for a period the court left open


def check_delay(delay: Delay) -> list[Violation]:
    """RR-NOTICE: a delayed-notice order runs up to 90 days at a time; a nondisclosure
    order for the period the court sets."""
    if delay.ends_on is not None and delay.ends_on > delay.starts_on + timedelta(
        days=DELAY_HORIZON_DAYS
    ):
        return [
            Violation(
                "RR-NOTICE",
                "ends_on",
                f"an order ending more than {DELAY_HORIZON_DAYS // 365} years after it starts "
                "is open-ended: leave ends_on out",
            )
        ]
    if delay.ends_on is not None and delay.ends_on < delay.starts_on:
        return [Violation("RR-NOTICE", "ends_on", "the delay ends before it starts")]
    if delay.kind is DelayKind.DELAYED_NOTICE:
        if delay.ends_on is None:
            return [
                Violation(
                    "RR-NOTICE",
                    "ends_on",
                    "a delayed-notice order has an end: it runs at most "
                    f"{DELAY_MAX_DAYS} days, its first and last day included",
                )
            ]
        # ends_on is the last day held (the notice goes the day after, notice_held_until),
        # so both ends count: a 90-day order starting on day S ends on S + 89.
        if (delay.ends_on - delay.starts_on).days + 1 > DELAY_MAX_DAYS:
            return [
                Violation(
                    "RR-NOTICE",
                    "ends_on",
                    f"a delayed-notice order runs at most {DELAY_MAX_DAYS} days at a time; "
                    "renew it with another order",
                )
            ]
    return []


def notice_held_until(delays: tuple[Delay, ...], today: date) -> date | None:
    """RR-NOTICE: the day the notice may go out: today when no delay holds it, the
    day after the last delay in force ends, or None while an open-ended
    nondisclosure order is in force."""
    held = today
    for delay in sorted(delays, key=lambda d: d.starts_on):
        if delay.starts_on > held:
            continue  # starts after the notice could already have gone
        if delay.ends_on is None:
            return None
        held = max(held, delay.ends_on + timedelta(days=1))
    return held


def notice_may_go(delays: tuple[Delay, ...], today: date) -> bool:
    held = notice_held_until(delays, today)
    return held is not None and held <= today


def nondisclosure_recheck_due(delay: Delay) -> date | None:
    """RR-NOTICE, policy: an open-ended nondisclosure order is re-checked at a year."""
    if delay.kind is not DelayKind.NONDISCLOSURE or delay.ends_on is not None:
        return None
    return delay.starts_on + timedelta(days=NONDISCLOSURE_RECHECK_DAYS)
