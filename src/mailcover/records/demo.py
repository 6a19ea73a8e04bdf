"""The demo's records requests: synthetic customers, and requests in every state, made by
the same actions people use, at moments in the past.

A subpoena, a 2703(d) order and an emergency request each go all the way to a
production; others stop under review, refused, with no records, or held for the
customer's time to challenge (RR-FINANCIAL).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import F

from mailcover.accounts.models import Agency, User
from mailcover.law import records as law
from mailcover.ledger import log as ledger
from mailcover.ledger.events import EventName
from mailcover.records import actions, notices, synth
from mailcover.records.models import (
    AddressChange,
    Customer,
    Payment,
    RecordsRequest,
    ScanEvent,
    SignIn,
    TrackedItem,
)
from mailcover.web.documents import tagged_pdf

VERIFIED_AGENCIES = (
    "Federal Bureau of Investigation",
    "Springfield Police Department",
    "Illinois State Police",
)


def instrument_pdf(title: str, issued_by: str, number: str) -> bytes:
    """A one-page synthetic instrument: enough to be a real PDF, and saying it is not one."""
    return tagged_pdf(
        "records/demo_instrument.html",
        {"title": title, "issued_by": issued_by, "number": number},
        f"{title} {number} (synthetic)",
        datetime(2026, 1, 1, tzinfo=UTC),
    )


class RecordsWorld:
    def __init__(self, people: dict[str, User], seed: int, now: datetime) -> None:
        self.people = people
        self.rng = random.Random(seed)
        self.now = now
        self.seed = seed

    def at(self, days_ago: float) -> datetime:
        return self.now - timedelta(days=days_ago)

    def build(self) -> None:
        self.verify()
        world = synth.build_world(self.seed, 40, self.at(1))
        synth.write_world(world, self.at(1))
        self.recorded_as_they_happened()
        self.every_state()

    def recorded_as_they_happened(self) -> None:
        """The demo's history: each record was recorded when it happened (the import
        stamps them all with its own moment), so the productions made in the demo's past
        read what was on record then."""
        Customer.objects.update(recorded_at=F("opened_at"))
        for model in (SignIn, ScanEvent, Payment, AddressChange):
            model.objects.update(recorded_at=F("at"))
        TrackedItem.objects.update(recorded_at=self.at(730))

    def verify(self) -> None:
        for name in VERIFIED_AGENCIES:
            agency = Agency.objects.get(name=name)
            agency.verified_at = self.at(700)
            agency.verification_reference = f"LE-VERIFY-{agency.pk:04d}"
            agency.save(update_fields=["verified_at", "verification_reference"])
            ledger.record(
                None,
                EventName.AGENCY_VERIFIED,
                self.at(700),
                refs={"agency": agency.pk},
                reference=agency.verification_reference,
            )
        for user in self.people.values():
            if user.agency is not None:
                user.agency.refresh_from_db()  # verified, and given an address, above

    def customer(self, index: int) -> Customer:
        return Customer.objects.order_by("account_number")[index]

    def file(
        self,
        who: str,
        days_ago: float,
        kind: law.Instrument,
        categories: list[str],
        customer: dict[str, Any],
        span_days: int = 180,
        **extra: Any,
    ) -> RecordsRequest:
        filed_at = self.at(days_ago)
        end = filed_at.date() - timedelta(days=1)
        start = end - timedelta(days=span_days)
        number = f"{kind.value[:3].upper()}-{self.rng.randrange(10_000, 99_999)}"
        issuer = extra.pop("issued_by", "GRAND JURY, N.D. ILL.")
        body: dict[str, Any] = {
            "instrument": {
                "type": kind.value,
                "issued_by": issuer,
                "issued_on": None
                if kind is law.Instrument.EMERGENCY
                else (filed_at.date() - timedelta(days=3)).isoformat(),
                "number": number,
            },
            "customer": customer,
            "categories": categories,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "purpose": extra.pop(
                "purpose",
                "Identify the holder of an account used to "
                "ship stolen goods bought with victims' cards.",
            ),
            "emergency": extra.pop("emergency", None),
        }
        from mailcover.records.schemas import parse_request

        parsed = parse_request(body)
        return actions.file_request(
            self.people[who],
            parsed.to_draft(),
            parsed.model_dump(mode="json"),
            instrument_pdf(law.INSTRUMENT_NAMES[kind], issuer, number),
            filed_at,
            second_factor_used=True,
        )

    def review(
        self, request: RecordsRequest, days_ago: float, approve: bool = True, reason: str = ""
    ) -> None:
        actions.review(
            self.people["inspector"],
            request.pk,
            approve,
            reason or "The instrument is genuine and reaches every category.",
            self.at(days_ago),
        )

    def every_state(self) -> None:
        c = [self.customer(i) for i in range(6)]
        # A subpoena for subscriber records, produced; the notice went out.
        subpoena = self.file(
            "agent", 20, law.Instrument.SUBPOENA, ["subscriber"], {"email": c[0].email}
        )
        self.review(subpoena, 19)
        # A 2703(d) order for subscriber and transactional records, produced; its notice
        # is held by a 90-day delayed-notice order (RR-NOTICE).
        order = self.file(
            "requester",
            15,
            law.Instrument.COURT_ORDER_2703D,
            ["subscriber", "transactional"],
            {"account": c[1].account_number},
            issued_by="U.S. DISTRICT COURT, C.D. ILL.",
        )
        notices.add_delay(
            order,
            law.DelayKind.DELAYED_NOTICE,
            self.at(15).date(),
            self.at(15).date() + timedelta(days=89),
            "C.D. Ill. 26-MJ-0412",
            self.people["requester"],
            self.at(15),
        )
        self.review(order, 14)
        # An emergency request, produced within hours; the follow-up instrument is due.
        emergency = self.file(
            "agent",
            3,
            law.Instrument.EMERGENCY,
            ["subscriber", "transactional"],
            {"email": c[2].email},
            span_days=14,
            issued_by="FBI CHICAGO FIELD OFFICE",
            purpose="Locate a missing child believed to be with the account holder.",
            emergency={
                "danger": "death",
                "facts": "A child was taken from school on the 21st; "
                "threats were sent from this account; recent sign-ins may locate them.",
                "attested_by": "SAC J. RIVERA, FBI CHICAGO",
            },
        )
        self.review(emergency, 2.9)
        # Financial records under an administrative subpoena: approved, held until the
        # customer's 10 days to challenge have run (RR-FINANCIAL).
        financial = self.file(
            "agent",
            4,
            law.Instrument.FINANCIAL_ADMINISTRATIVE_SUBPOENA,
            ["financial"],
            {"account": c[3].account_number},
            issued_by="U.S. DEPARTMENT OF JUSTICE",
        )
        actions.record_challenge_notice(
            self.people["agent"], financial.pk, self.at(4).date(), "served", self.at(4)
        )
        self.review(financial, 3)
        # Waiting for review; a warrant.
        self.file(
            "requester",
            1,
            law.Instrument.WARRANT,
            ["subscriber", "transactional", "content"],
            {"email": c[4].email},
            issued_by="U.S. MAGISTRATE JUDGE, C.D. ILL.",
        )
        # Refused: the instrument names another person.
        refused = self.file(
            "requester",
            8,
            law.Instrument.SUBPOENA,
            ["subscriber"],
            {"account": c[5].account_number},
        )
        self.review(
            refused,
            7,
            approve=False,
            reason="The subpoena names a different account holder than the request.",
        )
        # Identifiers that match no customer: nothing is disclosed.
        nobody = self.file(
            "agent",
            6,
            law.Instrument.SUBPOENA,
            ["subscriber"],
            {"email": "nobody-here@example.net"},
        )
        self.review(nobody, 5)
        notices.send_due(self.now)


@dataclass(frozen=True)
class CustomerToTry:
    """A demo customer no demo request names yet: identifiers to file a records request
    with, and the days their records span (a range outside them produces no rows)."""

    name: str
    email: str
    account_number: str
    tracking_number: str
    first: date
    last: date


def customers_to_try(count: int = 3) -> list[CustomerToTry]:
    """Customers with sign-ins (sessions, for subscriber records) and tracked items, that no
    demo request names."""
    named = {
        value.lower()
        for identifiers in RecordsRequest.objects.values_list("identifiers", flat=True)
        for value in identifiers.values()
        if isinstance(value, str)
    }
    found = []
    for customer in Customer.objects.order_by("account_number"):
        if customer.email.lower() in named or customer.account_number.lower() in named:
            continue
        item = customer.items.order_by("tracking_number").first()
        sign_ins = customer.sign_ins.values_list("at", flat=True)
        times = sorted([*sign_ins, *customer.payments.values_list("at", flat=True)])
        if item is None or not sign_ins or len(times) < 2:
            continue
        found.append(
            CustomerToTry(
                customer.name,
                customer.email,
                customer.account_number,
                item.tracking_number,
                times[0].date(),
                times[-1].date(),
            )
        )
        if len(found) == count:
            break
    return found
