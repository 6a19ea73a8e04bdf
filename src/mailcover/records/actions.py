"""What people do to records requests. Each action checks the law, writes, and records it.

The checks are `mailcover.law.records` functions; this module gathers their inputs
from the database and stores the outcome. The API and the pages call these.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import QuerySet

from mailcover.accounts.models import User
from mailcover.covers.actions import Conflict, Forbidden, NotFound, require
from mailcover.law import records as law
from mailcover.law.accounting import Nature, SystemOfRecords, check_recipient
from mailcover.law.errors import RuleBroken, Violation, refuse_if
from mailcover.law.roles import (
    Action,
    check_case_access,
    receives_production,
    sees_every_records_request,
    sees_records_request,
)
from mailcover.ledger import log as ledger
from mailcover.ledger.accounting import record_disclosure
from mailcover.ledger.entries import digest
from mailcover.ledger.events import EventName
from mailcover.postal import address as postal_address
from mailcover.postal.tracking import TrackingError, read_tracking
from mailcover.records import instruments, notices, production
from mailcover.records.models import (
    ChallengeNotice,
    Customer,
    DownloadLink,
    FollowUpInstrument,
    NoticeDelay,
    Production,
    RecordsCounter,
    RecordsDecision,
    RecordsRequest,
    TrackedItem,
)
from mailcover.records.schemas import refuse_nul
from mailcover.web.times import agency_zone_name

__all__ = ["Conflict", "Forbidden", "NotFound", "require"]


class Gone(Exception):
    """A download link that expired (HTTP 410)."""


# -- Who sees what -------------------------------------------------------------------


def visible_requests(user: User) -> QuerySet[RecordsRequest]:
    """The requests a person may know of: their agency's, or all for reviewers and
    oversight (law.roles.sees_records_request decides each; this is its query)."""
    found = RecordsRequest.objects.select_related(
        "agency", "requester", "decision", "production", "customer_notice", "follow_up"
    )
    if check_case_access(user.role_set, user.has_nondisclosure()):
        return found.none()  # MC-NONDISCLOSURE: no form on file, no case data
    if sees_every_records_request(user.role_set):
        return found.all()
    if not user.agency_id or not sees_records_request(
        user.role_set, user.agency_id, user.agency_id
    ):
        return found.none()
    return found.filter(agency_id=user.agency_id)


def get_visible(user: User, request_id: int) -> RecordsRequest:
    found = visible_requests(user).filter(pk=request_id).first()
    if found is None:
        raise NotFound(f"no records request {request_id}")
    return found


# -- Filing --------------------------------------------------------------------------


def _number(now: datetime) -> str:
    counter, _ = RecordsCounter.objects.select_for_update().get_or_create(year=now.year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"RR-{now.year:04d}-{counter.last:06d}"


def check_verified(user: User, second_factor_used: bool) -> None:
    """RR-VERIFIED: a verified agency, and a sign-in with a second factor."""
    agency = user.agency
    verified = agency is not None and agency.verified_at is not None
    refuse_if(law.check_verified(verified, second_factor_used and user.has_second_factor()))


def check_identifiers(identifiers: dict[str, str]) -> dict[str, str]:
    """The identifiers in the form they are compared in; a tracking number is checked."""
    cleaned = dict(identifiers)
    number = cleaned.get("tracking_number")
    if number:
        try:
            cleaned["tracking_number"] = read_tracking(number).pic
        except TrackingError as exc:
            raise RuleBroken(
                [Violation("RR-SCOPE", "customer.tracking_number", str(exc))]
            ) from None
    if cleaned.get("email"):
        cleaned["email"] = cleaned["email"].strip().casefold()
    return cleaned


def file_request(
    user: User,
    draft: law.RecordsRequestDraft,
    body: dict[str, Any],
    pdf: bytes,
    now: datetime,
    *,
    second_factor_used: bool,
) -> RecordsRequest:
    """File a records request with its instrument's PDF (RR-VERIFIED, RR-SCOPE)."""
    require(user, Action.FILE_RECORDS_REQUEST)
    check_verified(user, second_factor_used)
    agency = user.agency
    assert agency is not None  # check_verified refuses a person of no agency
    refuse_if(check_recipient(agency.name, agency.address))
    refuse_if(law.check_records_request(draft, now.date()))
    identifiers = check_identifiers(draft.identifiers)
    checked = instruments.check_pdf(pdf, settings.MAILCOVER_INSTRUMENT_MAX_BYTES)
    assert draft.start is not None  # checked above
    assert draft.end is not None
    as_filed = json.dumps(body, sort_keys=True, default=str).encode()
    with transaction.atomic():
        emergency = draft.emergency
        request = RecordsRequest.objects.create(
            number=_number(now),
            agency=agency,
            requester=user,
            instrument=draft.instrument.value,
            issued_by=draft.issued_by.strip(),
            issued_on=draft.issued_on,
            instrument_number=draft.number.strip(),
            instrument_file=instruments.store(checked),
            instrument_sha256=checked.sha256,
            identifiers=identifiers,
            categories=[c.value for c in draft.categories],
            start=draft.start,
            end=draft.end,
            purpose=draft.purpose.strip(),
            emergency_danger=emergency.danger if emergency else "",
            emergency_facts=emergency.facts.strip() if emergency else "",
            emergency_attested_by=emergency.attested_by.strip() if emergency else "",
            filed_at=now,
            body=json.loads(as_filed),
            body_sha256=hashlib.sha256(as_filed).hexdigest(),
        )
        ledger.record(
            user,
            EventName.RECORDS_REQUEST_FILED,
            now,
            case=request.number,
            refs={"records_request": request.pk, "agency": request.agency_id},
            instrument=request.instrument,
            instrument_sha256=request.instrument_sha256,
            categories=request.categories,
            emergency=request.is_emergency,
            request_sha256=request.body_sha256,
        )
    return request


# -- Finding the customer ------------------------------------------------------------


def _by_name_and_address(name: str, address: str) -> set[int]:
    try:
        key = postal_address.parse(address).delivery_point_key
    except postal_address.AddressError:
        return set()
    wanted = " ".join(name.casefold().split())
    return {
        c.pk
        for c in Customer.objects.filter(address_key=key)
        if " ".join(c.name.casefold().split()) == wanted
    }


def find_customer(identifiers: dict[str, str]) -> Customer | None:
    """The one customer every given identifier names, or None (RR-SCOPE: a request
    about one customer; identifiers that disagree name no one)."""
    sets: list[set[int]] = []
    if identifiers.get("email"):
        sets.append(
            set(
                Customer.objects.filter(email__iexact=identifiers["email"]).values_list(
                    "pk", flat=True
                )
            )
        )
    if identifiers.get("account"):
        sets.append(
            set(
                Customer.objects.filter(account_number=identifiers["account"].upper()).values_list(
                    "pk", flat=True
                )
            )
        )
    if identifiers.get("tracking_number"):
        sets.append(
            set(
                TrackedItem.objects.filter(
                    tracking_number=identifiers["tracking_number"]
                ).values_list("customer_id", flat=True)
            )
        )
    if identifiers.get("name") and identifiers.get("address"):
        sets.append(_by_name_and_address(identifiers["name"], identifiers["address"]))
    if not sets:
        return None
    common = set.intersection(*sets)
    if len(common) != 1:
        return None
    found = Customer.objects.get(pk=common.pop())
    return found if _also_named(found, identifiers) else None


def _also_named(customer: Customer, identifiers: dict[str, str]) -> bool:
    """RR-SCOPE: a name or an address given beside another identifier is part of what
    names the customer; one that does not match names someone else."""
    name = identifiers.get("name")
    if name and " ".join(name.casefold().split()) != " ".join(customer.name.casefold().split()):
        return False
    address = identifiers.get("address")
    if address:
        try:
            key = postal_address.parse(address).delivery_point_key
        except postal_address.AddressError:
            return False
        return key == customer.address_key
    return True


# -- Review --------------------------------------------------------------------------


def review(
    user: User, request_id: int, approve: bool, reason: str, now: datetime
) -> RecordsRequest:
    """An inspector who did not file the request approves or refuses it. An approved
    request is produced at once when the law lets it go (RR-FINANCIAL may hold it)."""
    require(user, Action.REVIEW_RECORDS_REQUEST)
    refuse_nul("RR-SCOPE", reason=reason)
    with transaction.atomic():
        request = _locked(user, request_id)
        refuse_if(law.check_reviewer(user.pk, request.requester_id))
        if request.state != "under_review":
            raise Conflict(f"{request.number} was already reviewed ({request.state})")
        if not approve and not reason.strip():
            raise RuleBroken([Violation("RR-SCOPE", "reason", "say why the request is refused")])
        customer = find_customer(request.identifiers) if approve else None
        outcome = _outcome(approve, customer)
        RecordsDecision.objects.create(
            request=request,
            reviewer=user,
            outcome=outcome,
            reason=reason.strip(),
            customer=customer,
            decided_at=now,
        )
        ledger.record(
            user,
            EventName.RECORDS_REQUEST_REVIEWED,
            now,
            case=request.number,
            refs={"records_request": request.pk},
            outcome=outcome,
        )
        request.refresh_from_db()
        if outcome == RecordsDecision.Outcome.APPROVED and not release_problems(request, now):
            _produce(user, request, now)
    return request


def _outcome(approve: bool, customer: Customer | None) -> str:
    if not approve:
        return RecordsDecision.Outcome.REFUSED
    return RecordsDecision.Outcome.APPROVED if customer else RecordsDecision.Outcome.NO_RECORDS


def _locked(user: User, request_id: int) -> RecordsRequest:
    get_visible(user, request_id)
    return RecordsRequest.objects.select_for_update().get(pk=request_id)


# -- Production ----------------------------------------------------------------------


def release_problems(request: RecordsRequest, now: datetime) -> list[Violation]:
    """RR-FINANCIAL: whether the customer's time to challenge still holds the release."""
    notice = getattr(request, "challenge_notice", None)
    return law.check_release(
        request.instrument_kind,
        request.category_set,
        notice.served_on if notice else None,
        notice.method if notice else None,
        _financial_delay_until(request, now.date()),
        now.date(),
    )


def release_from(request: RecordsRequest, now: datetime) -> date | None:
    notice = getattr(request, "challenge_notice", None)
    first = law.release_after(
        request.instrument_kind,
        request.category_set,
        notice.served_on if notice else None,
        notice.method if notice else None,
        _financial_delay_until(request, now.date()),
    )
    return None if first is None or first == date.min else first


def _financial_delay_until(request: RecordsRequest, today: date) -> date | None:
    return law.financial_delay_until(
        notices.delays_of(request.delays.all()),
        request.issued_on or request.filed_at.date(),
        today,
    )


def produce(user: User, request_id: int, now: datetime) -> RecordsRequest:
    """Produce an approved request whose release was held (RR-FINANCIAL)."""
    require(user, Action.REVIEW_RECORDS_REQUEST)
    with transaction.atomic():
        request = _locked(user, request_id)
        refuse_if(law.check_reviewer(user.pk, request.requester_id))
        if request.state != RecordsDecision.Outcome.APPROVED:
            raise Conflict(
                f"{request.number} is {request.state}: only an approved request "
                "waiting for its release is produced"
            )
        refuse_if(release_problems(request, now))
        _produce(user, request, now)
    return request


def release_preview(
    request: RecordsRequest, now: datetime
) -> tuple[Customer | None, list[production.PreviewTable]]:
    """What approving or producing `request` now would release: the one customer the
    identifiers name (as the review finds them) and that customer's rows, file by file. The
    reviewer reads records the service holds; nothing leaves it, so nothing is accounted."""
    decision = getattr(request, "decision", None)
    customer = decision.customer if decision is not None else find_customer(request.identifiers)
    if customer is None:
        return None, []
    return customer, production.preview(scope_of(request, customer.pk, now))


def scope_of(request: RecordsRequest, customer_id: int, as_of: datetime) -> production.Scope:
    return production.Scope(
        customer_id=customer_id,
        categories=request.category_set,
        start=request.start,
        end=request.end,
        as_of=as_of,
    )


def letter_of(
    request: RecordsRequest,
    produced_by: str,
    produced_at: datetime,
    no_records: bool = False,
    recipient: tuple[str, str] | None = None,
    time_zone: str | None = None,
) -> production.Letter:
    """The cover letter's facts; a rebuild names the recipient, and the time zone the letter
    gives times in, as the ledger recorded them, not as the agency's row reads now."""
    name, address = recipient or (request.agency.name, request.agency.address)
    return production.Letter(
        request_number=request.number,
        agency_name=name,
        agency_address=address,
        instrument=request.instrument_kind,
        issued_by=request.issued_by,
        issued_on=request.issued_on,
        instrument_number=request.instrument_number,
        categories=request.category_set,
        start=request.start,
        end=request.end,
        produced_at=produced_at,
        produced_by=produced_by,
        emergency=request.is_emergency,
        no_records=no_records,
        time_zone=time_zone or agency_zone_name(request.agency),
    )


def _produce(user: User, request: RecordsRequest, now: datetime) -> Production:
    """Build the package, keep it, and account for it as a disclosure (PA-ACCOUNT)."""
    customer = request.decision.customer
    assert customer is not None
    refuse_if(check_recipient(request.agency.name, request.agency.address))
    letter = letter_of(request, user.get_full_name() or user.username, now)
    package = production.build(scope_of(request, customer.pk, now), letter)
    name = f"productions/{request.number}-{package.sha256[:16]}.zip"
    # Kept before the rows that name it commit; a rollback leaves an unnamed file behind,
    # never a row without its file.
    saved = default_storage.save(name, ContentFile(package.data))
    try:
        return _account_for(user, request, customer, package, letter, saved, now)
    except BaseException:
        default_storage.delete(saved)  # a production that did not happen leaves no file
        raise


def production_purpose(request: RecordsRequest) -> str:
    """The purpose a production's accounting states (PA-ACCOUNT): the requesting agency's
    investigation, under the instrument it served, as stated in its request."""
    # The instrument in words (court order under 18 U.S.C. 2703(d), not court_order_2703d):
    # the purpose is read on the accounting pages and the subject's copy.
    instrument = law.INSTRUMENT_NAMES[request.instrument_kind]
    article = "an" if instrument[:1] in "aeiou" else "a"
    return (
        f"the requesting agency's law-enforcement investigation, under {article} {instrument}, as "
        f"stated in records request {request.number}"
    )


def _account_for(
    user: User,
    request: RecordsRequest,
    customer: Customer,
    package: production.Package,
    letter: production.Letter,
    saved: str,
    now: datetime,
) -> Production:
    nature = Nature.RECORDS_PRODUCTION
    if request.is_emergency:
        # RR-EMERGENCY: marked as such in every report.
        nature = f"{nature} (emergency disclosure, 18 U.S.C. 2702)"
    entry = record_disclosure(
        user,
        now,
        subject_id=None,
        case=request.number,
        recipient=request.agency,
        nature=nature,
        # The purpose as the agency typed it may name the customer or the case: the
        # append-only ledger keeps its digest, and a phrase built from the request's facts.
        purpose=production_purpose(request),
        law_enforcement=True,
        agency_head_written_request=False,
        # The customer's own records, from the customer systems (PA-SUBJECT).
        system=SystemOfRecords.CUSTOMER,
        refs={
            "records_request": request.pk,
            "customer": customer.pk,
        },
        categories=request.categories,
        start=request.start.isoformat(),
        end=request.end.isoformat(),
        emergency=request.is_emergency,
        purpose_sha256=digest(request.purpose.strip()),
        package_sha256=package.sha256,
        manifest=package.manifest,
        # The cover letter names who produced it; kept here so a rebuild does not depend on
        # that person's name staying the same.
        produced_by=letter.produced_by,
        time_zone=letter.time_zone,
    )
    made = Production.objects.create(
        request=request,
        customer=customer,
        produced_by=user,
        produced_at=now,
        file=saved,
        sha256=package.sha256,
        size=len(package.data),
        manifest=package.manifest,
        counts=package.counts,
        ledger_seq=entry.seq,
    )
    notices.queue_notice(request, customer, now)  # RR-NOTICE
    return made


def reproduce(user: User, request_id: int) -> list[str]:
    """Rebuild a production from the records as they were and compare it with the hashes
    on the ledger: [] when identical byte for byte, else the differences in words."""
    request = get_visible(user, request_id)
    made = getattr(request, "production", None)
    if made is None:
        raise Conflict(f"{request.number} has no production")
    recorded = ledger_hashes(made)
    return production.rebuild_matches(
        recorded["package_sha256"],
        recorded["manifest"],
        scope_of(request, made.customer_id, made.produced_at),
        letter_of(
            request,
            recorded["produced_by"],
            made.produced_at,
            recipient=(recorded["recipient"]["name"], recorded["recipient"]["address"]),
            time_zone=recorded["time_zone"],
        ),
    )


def ledger_hashes(made: Production) -> dict[str, Any]:
    """The hashes the disclosure's ledger entry holds (not the production row's copy)."""
    from mailcover.ledger.models import Entry

    details = Entry.objects.get(seq=made.ledger_seq).entry.details
    return {
        "package_sha256": details["package_sha256"],
        "manifest": details["manifest"],
        "produced_by": details["produced_by"],
        "recipient": details["recipient"],
        # Letters made before the zone was recorded gave their times in UTC.
        "time_zone": details.get("time_zone", "UTC"),
    }


# -- Download links ------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    token: str
    expires_at: datetime


def issue_link(user: User, request_id: int, now: datetime, second_factor_used: bool) -> Link:
    """A download link for the requesting agency, expiring after MAILCOVER_DOWNLOAD_HOURS."""
    require(user, Action.FILE_RECORDS_REQUEST)
    check_verified(user, second_factor_used)
    request = get_visible(user, request_id)
    decision = getattr(request, "decision", None)
    reviewer = decision.reviewer_id if decision is not None else None
    if not receives_production(user.role_set, user.agency_id, request.agency_id, user.pk, reviewer):
        raise Forbidden(
            "a production goes to the agency that filed the request only, and never to "
            "the inspector who reviewed it"
        )
    made = getattr(request, "production", None)
    if made is None:
        raise Conflict(f"{request.number} is {request.state}: there is nothing to download")
    if made.destroyed_at is not None:
        raise Gone(
            f"the production of {request.number} was destroyed on "
            f"{made.destroyed_at.date().isoformat()} at the end of its retention period"
        )
    raw = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=settings.MAILCOVER_DOWNLOAD_HOURS)
    with transaction.atomic():
        DownloadLink.objects.create(
            production=made,
            digest=_digest(raw),
            issued_to=user,
            created_at=now,
            expires_at=expires,
        )
        ledger.record(
            user,
            EventName.RECORDS_LINK_ISSUED,
            now,
            case=request.number,
            refs={"records_request": request.pk},
            expires_at=expires.isoformat(),
        )
    return Link(raw, expires)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def download(
    user: User, token: str, now: datetime, second_factor_used: bool
) -> tuple[Production, bytes]:
    """The production behind a link, for a member of the requesting agency while the
    link lasts; each download goes on the ledger."""
    link = (
        DownloadLink.objects.select_related("production__request")
        .filter(digest=_digest(token))
        .first()
    )
    if link is None:
        raise NotFound("no such download link")
    request = link.production.request
    reviewer = RecordsDecision.objects.filter(request=request).values_list("reviewer_id", flat=True)
    if not receives_production(
        user.role_set, user.agency_id, request.agency_id, user.pk, reviewer.first()
    ):
        # Another agency's requester is told nothing about the request.
        raise NotFound("no such download link")
    check_verified(user, second_factor_used)
    destroyed_at = link.production.destroyed_at
    if destroyed_at is not None:
        raise Gone(
            f"the production for {request.number} was destroyed on "
            f"{destroyed_at.date().isoformat()} at the end of its retention period; the "
            "accounting of the disclosure is kept"
        )
    if now >= link.expires_at:
        raise Gone(
            f"this download link expired at {link.expires_at.isoformat()}; ask for a new "
            f"one on {request.number}"
        )
    with default_storage.open(link.production.file, "rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != link.production.sha256:
        raise Conflict("the stored production does not match its hash; it is not served")
    ledger.record(
        user,
        EventName.RECORDS_PRODUCTION_DOWNLOADED,
        now,
        case=request.number,
        refs={"records_request": request.pk},
        package_sha256=link.production.sha256,
    )
    return link.production, data


# -- After filing: the customer's notice, delays, the emergency follow-up -------------


def _own(user: User, request_id: int) -> RecordsRequest:
    require(user, Action.FILE_RECORDS_REQUEST)
    request = get_visible(user, request_id)
    if not receives_production(user.role_set, user.agency_id, request.agency_id):
        raise Forbidden("only the agency that filed the request may add to it")
    return request


def record_challenge_notice(
    user: User, request_id: int, served_on: date, method: str, now: datetime
) -> ChallengeNotice:
    """RR-FINANCIAL: the agency records when it served or mailed the customer's notice."""
    request = _own(user, request_id)
    if law.Category.FINANCIAL not in request.category_set:
        raise Conflict(f"{request.number} asks for no financial records")
    refuse_if(law.check_challenge_notice(method, served_on, request.issued_on, now.date()))
    with transaction.atomic():
        _once(request, ChallengeNotice, "the customer's notice")
        notice = ChallengeNotice.objects.create(
            request=request, served_on=served_on, method=method, recorded_by=user, recorded_at=now
        )
        ledger.record(
            user,
            EventName.RECORDS_CHALLENGE_NOTICE,
            now,
            case=request.number,
            refs={"records_request": request.pk},
            served_on=served_on.isoformat(),
            method=method,
        )
    return notice


def _once(request: RecordsRequest, model: type[models.Model], what: str) -> None:
    """One of these per request: the request's row is locked first, so two concurrent
    calls are a 409 for the second, never a constraint error."""
    RecordsRequest.objects.select_for_update().filter(pk=request.pk).first()
    if model.objects.filter(request=request).exists():  # type: ignore[attr-defined]
        raise Conflict(f"{what} of {request.number} is already on file")


def add_delay(
    user: User,
    request_id: int,
    kind: str,
    starts_on: date,
    ends_on: date | None,
    court_reference: str,
    now: datetime,
) -> NoticeDelay:
    """RR-NOTICE: a delayed-notice or nondisclosure order the agency puts on file."""
    request = _own(user, request_id)
    refuse_nul("RR-NOTICE", court_reference=court_reference)
    try:
        delay_kind = law.DelayKind(kind)
    except ValueError:
        raise RuleBroken(
            [Violation("RR-NOTICE", "kind", "kind is delayed_notice or nondisclosure")]
        ) from None
    with transaction.atomic():
        return notices.add_delay(
            request, delay_kind, starts_on, ends_on, court_reference, user, now
        )


def file_follow_up(
    user: User,
    request_id: int,
    instrument: law.Instrument,
    issued_by: str,
    issued_on: date | None,
    number: str,
    pdf: bytes,
    now: datetime,
) -> FollowUpInstrument:
    """RR-EMERGENCY: the legal process that follows an emergency disclosure; it must reach
    every category that was released."""
    request = _own(user, request_id)
    refuse_nul("RR-EMERGENCY", issued_by=issued_by, number=number)
    if not request.is_emergency:
        raise Conflict(f"{request.number} is not an emergency request")
    found = law.check_follow_up(instrument, request.category_set, issued_by, issued_on, now.date())
    refuse_if(found)
    assert issued_on is not None
    checked = instruments.check_pdf(pdf, settings.MAILCOVER_INSTRUMENT_MAX_BYTES)
    with transaction.atomic():
        _once(request, FollowUpInstrument, "the follow-up instrument")
        follow = FollowUpInstrument.objects.create(
            request=request,
            instrument=instrument.value,
            issued_by=issued_by.strip(),
            issued_on=issued_on,
            instrument_number=number.strip(),
            instrument_file=instruments.store(checked),
            instrument_sha256=checked.sha256,
            filed_by=user,
            filed_at=now,
        )
        ledger.record(
            user,
            EventName.RECORDS_FOLLOW_UP_FILED,
            now,
            case=request.number,
            refs={"records_request": request.pk},
            instrument=instrument.value,
            instrument_sha256=checked.sha256,
        )
    return follow


def instrument_pdf(user: User, request_id: int) -> tuple[RecordsRequest, bytes]:
    """The instrument as filed, for those who see the request."""
    request = get_visible(user, request_id)
    with default_storage.open(request.instrument_file, "rb") as stored:
        return request, stored.read()


def may_see_any(user: User) -> bool:
    """Reviewers and oversight see every agency's records requests."""
    return sees_every_records_request(user.role_set)
