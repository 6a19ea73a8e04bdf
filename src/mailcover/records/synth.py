"""A synthetic world of postal customers and their records, for the demo and the tests.

`build_world` is pure (no Django, no clock: `now` is a parameter) and deterministic: one
`random.Random` and one Faker seeded from `seed`, no global state, so the same arguments
always give the same world. Nothing in it can be mistaken for a real person's data:

* emails are at example.com, example.org and example.net (RFC 2606);
* IP addresses are in the documentation ranges 192.0.2.0/24, 198.51.100.0/24,
  203.0.113.0/24 (RFC 5737) and 2001:db8::/32 (RFC 3849);
* phone numbers are 555-0100 to 555-0199, the range the North American Numbering Plan
  keeps for fiction, after the area code of the customer's ZIP Code;
* payments carry a card brand, last four digits and an opaque processor token, never a
  card number (models.py);
* addresses are made-up streets at real ZIP Codes of the state they name
  (matching.synth.address), and tracking numbers are valid IMpb numbers
  (postal.tracking) whose mailer IDs and serials are random.

Customers opened their accounts in the two years before `now`; every record of theirs
falls between the opening and `now`.

`write_world` stores a world through records/importers.py, row by row as a file would
give it, so the synthetic records pass the same checks as imported ones.
"""

from __future__ import annotations

import ipaddress
import random
import re
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

import zipcodes
from faker import Faker

from mailcover.matching.synth import address as street_address
from mailcover.postal.address import Address
from mailcover.postal.tracking import make_tracking

if TYPE_CHECKING:
    from mailcover.accounts.models import User
    from mailcover.records.importers import ImportReport

SPAN = timedelta(days=730)
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
DOCUMENTATION_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)
SERVICES = ("click_n_ship", "informed_delivery", "hold_mail", "po_box", "package_intercept")
CARD_BRANDS = ("Visa", "Visa", "Visa", "Mastercard", "Mastercard", "American Express", "Discover")
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
)
PURCHASES = (
    ("Click-N-Ship: Priority Mail label", 900, 2500),
    ("Click-N-Ship: Ground Advantage label", 500, 1500),
    ("Click-N-Ship: Priority Mail Express label", 3000, 8000),
    ("PO Box rent, 6 months", 4000, 15000),
    ("Stamps by Mail", 1460, 7300),
    ("USPS Package Intercept", 1735, 1735),
)
"""What a customer pays for online, and the range of its price in cents."""
DELIVERED = (
    "Delivered, In/At Mailbox",
    "Delivered, Front Door/Porch",
    "Delivered, Left with Individual",
    "Delivered, Parcel Locker",
)
# A token's alphabet has few digits, so that no run of them could look like a card number.
_TOKEN_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ2345"
_NON_LETTERS = re.compile(r"[^a-z]")
_TERRITORIES = frozenset({"AS", "FM", "GU", "MH", "MP", "PW", "PR", "VI", "AA", "AE", "AP"})


@dataclass(frozen=True)
class CustomerRow:
    account_number: str
    name: str
    address: str
    email: str
    phone: str
    opened_at: datetime
    services: tuple[str, ...]


@dataclass(frozen=True)
class SignInRow:
    account_number: str
    at: datetime
    ip_address: str
    user_agent: str
    duration_seconds: int | None


@dataclass(frozen=True)
class ItemRow:
    account_number: str
    tracking_number: str
    role: str


@dataclass(frozen=True)
class ScanRow:
    tracking_number: str
    at: datetime
    event: str
    location: str


@dataclass(frozen=True)
class PaymentRow:
    account_number: str
    at: datetime
    amount: Decimal
    currency: str
    card_brand: str
    card_last4: str
    processor_token: str
    description: str


@dataclass(frozen=True)
class AddressChangeRow:
    account_number: str
    at: datetime
    old_address: str
    new_address: str


@dataclass(frozen=True)
class World:
    """The rows of each kind, named as the importers name the kinds."""

    customers: tuple[CustomerRow, ...]
    sign_ins: tuple[SignInRow, ...]
    items: tuple[ItemRow, ...]
    scans: tuple[ScanRow, ...]
    payments: tuple[PaymentRow, ...]
    address_changes: tuple[AddressChangeRow, ...]

    def rows(self, kind: str) -> tuple[Any, ...]:
        rows: tuple[Any, ...] = getattr(self, kind)
        return rows


@dataclass(frozen=True)
class _Place:
    city: str
    state: str
    zip5: str


@cache
def _places() -> tuple[_Place, ...]:
    """Standard, active ZIP Codes of the states and DC: where the other party of a package is."""
    return tuple(
        _Place(str(row["city"]).upper(), str(row["state"]), str(row["zip_code"]))
        for row in zipcodes.list_all()  # type: ignore[no-untyped-call]
        if row["zip_code_type"] == "STANDARD" and row["active"] and row["state"] not in _TERRITORIES
    )


@cache
def _area_codes() -> dict[str, tuple[str, ...]]:
    return {
        str(row["zip_code"]): tuple(str(code) for code in row["area_codes"] or ())
        for row in zipcodes.list_all()  # type: ignore[no-untyped-call]
    }


def build_world(seed: int, customers: int, now: datetime) -> World:
    """`customers` customers and their records over the two years before `now`."""
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    fake = Faker("en_US")
    fake.seed_instance(seed)
    builder = _Builder(random.Random(seed), fake, now.replace(microsecond=0))
    for number in builder.rng.sample(range(10**9), customers):
        builder.customer(f"A{number:09d}")
    return builder.world()


class _Builder:
    def __init__(self, rng: random.Random, fake: Faker, now: datetime) -> None:
        self.rng, self.fake, self.now = rng, fake, now
        self.emails: set[str] = set()
        self.tracking_numbers: set[str] = set()
        self.rows: dict[str, list[Any]] = {f.name: [] for f in fields(World)}

    def world(self) -> World:
        return World(**{kind: tuple(rows) for kind, rows in self.rows.items()})

    def between(self, start: datetime, end: datetime) -> datetime:
        seconds = max(0, int((end - start).total_seconds()))
        return start + timedelta(seconds=self.rng.randint(0, seconds))

    def customer(self, account: str) -> None:
        rng = self.rng
        first, last = self.fake.first_name(), self.fake.last_name()
        opened = self.between(self.now - SPAN, self.now - timedelta(days=1))
        homes = [street_address(rng) for _ in range(rng.choice((1, 1, 1, 1, 1, 1, 1, 2, 2, 3)))]
        moves = sorted(self.between(opened, self.now) for _ in homes[1:])
        for at, old, new in zip(moves, homes, homes[1:], strict=False):
            self.rows["address_changes"].append(
                AddressChangeRow(account, at, _text(old), _text(new))
            )
        self.rows["customers"].append(
            CustomerRow(
                account_number=account,
                name=f"{first} {last}",
                address=_text(homes[-1]),
                email=self.email(first, last),
                phone=self.phone(homes[-1]) if rng.random() < 0.8 else "",
                opened_at=opened,
                services=tuple(rng.sample(SERVICES, rng.randint(1, 3))),
            )
        )
        self.sign_ins(account, opened)
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4, 5))):
            self.item(account, opened, homes[-1])
        self.payments(account, opened)

    def email(self, first: str, last: str) -> str:
        local = ".".join(_NON_LETTERS.sub("", n.lower()) or "customer" for n in (first, last))
        domain = self.rng.choice(EMAIL_DOMAINS)
        email, n = f"{local}@{domain}", 1
        while email in self.emails:
            n += 1
            email = f"{local}{n}@{domain}"
        self.emails.add(email)
        return email

    def phone(self, home: Address) -> str:
        area = self.rng.choice(_area_codes().get(home.zip5) or ("312",))
        return f"({area}) 555-01{self.rng.randrange(100):02d}"

    def ip(self) -> str:
        network = self.rng.choice(DOCUMENTATION_NETWORKS)
        first = int(network.network_address)
        host = self.rng.randrange(1, network.num_addresses - 1)
        return str(ipaddress.ip_address(first + host))

    def sign_ins(self, account: str, opened: datetime) -> None:
        rng = self.rng
        usual = [self.ip() for _ in range(rng.randint(1, 2))]
        agents = rng.sample(USER_AGENTS, rng.randint(1, 2))
        for _ in range(rng.randint(0, 12)):
            self.rows["sign_ins"].append(
                SignInRow(
                    account_number=account,
                    at=self.between(opened, self.now),
                    ip_address=rng.choice(usual) if rng.random() < 0.8 else self.ip(),
                    user_agent=rng.choice(agents),
                    duration_seconds=rng.randint(20, 3600) if rng.random() < 0.8 else None,
                )
            )

    def tracking_number(self) -> str:
        rng = self.rng
        while True:
            channel = rng.choice(("92", "93", "94", "94", "95"))
            length = 25 if rng.random() < 0.1 and channel != "93" else 21
            rest = "".join(rng.choice("0123456789") for _ in range(length - 2))
            number = make_tracking(channel + rest)
            if number not in self.tracking_numbers:
                self.tracking_numbers.add(number)
                return number

    def item(self, account: str, opened: datetime, home: Address) -> None:
        role = self.rng.choice(("sender", "recipient"))
        number = self.tracking_number()
        self.rows["items"].append(ItemRow(account, number, role))
        mine = _Place(home.city, home.state, home.zip5)
        other = self.rng.choice(_places())
        origin, destination = (mine, other) if role == "sender" else (other, mine)
        for at, event, location in self.journey(opened, origin, destination):
            self.rows["scans"].append(ScanRow(number, at, event, location))

    def journey(
        self, opened: datetime, origin: _Place, destination: _Place
    ) -> list[tuple[datetime, str, str]]:
        """A package's scans, from its label to its delivery, as far as `now` allows."""
        rng = self.rng
        steps = [
            ("Shipping Label Created, USPS Awaiting Item", _town(origin)),
            ("USPS in possession of item", _town(origin)),
            ("Arrived at USPS Regional Origin Facility", _facility(origin)),
            ("Departed USPS Regional Facility", _facility(origin)),
            ("In Transit to Next Facility", _facility(destination)),
            ("Arrived at USPS Regional Destination Facility", _facility(destination)),
            ("Arrived at Post Office", _town(destination)),
            ("Out for Delivery", _town(destination)),
            (rng.choice(DELIVERED), _town(destination)),
        ]
        at = self.between(opened, self.now)
        scans = []
        for event, location in steps:
            if at > self.now:
                break  # still on its way
            scans.append((at, event, location))
            at += timedelta(minutes=rng.randint(30, 18 * 60))
        return scans

    def payments(self, account: str, opened: datetime) -> None:
        rng = self.rng
        cards = [
            (rng.choice(CARD_BRANDS), f"{rng.randrange(10_000):04d}", self.token())
            for _ in range(rng.randint(1, 2))
        ]
        for _ in range(rng.randint(0, 8)):
            description, low, high = rng.choice(PURCHASES)
            brand, last4, token = rng.choice(cards)
            self.rows["payments"].append(
                PaymentRow(
                    account_number=account,
                    at=self.between(opened, self.now),
                    amount=Decimal(rng.randint(low, high)).scaleb(-2),
                    currency="USD",
                    card_brand=brand,
                    card_last4=last4,
                    processor_token=token,
                    description=description,
                )
            )

    def token(self) -> str:
        return "tok_" + "".join(self.rng.choice(_TOKEN_ALPHABET) for _ in range(24))


def _text(address: Address) -> str:
    return ", ".join(address.lines())


def _town(place: _Place) -> str:
    return f"{place.city}, {place.state} {place.zip5}"


def _facility(place: _Place) -> str:
    return f"{place.city} {place.state} DISTRIBUTION CENTER"


# -- into the database -----------------------------------------------------------------


def raw_row(row: Any) -> dict[str, Any]:
    """A world row as a JSON Lines file would give it: text, or a list of texts."""
    return {f.name: _raw(getattr(row, f.name)) for f in fields(row)}


def _raw(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [str(v) for v in value]
    return None if value is None else str(value)


def write_world(
    world: World, now: datetime, *, actor: User | None = None
) -> dict[str, ImportReport]:
    """Store a world through the importers, kind by kind (customers first, items before
    their scans); each kind's report, in the importers' order. A second write of the same
    world stores nothing: every row is then a duplicate."""
    from mailcover.records.importers import KINDS, import_rows  # Django: only when writing

    return {
        kind: import_rows(
            kind,
            ((line, raw_row(row)) for line, row in enumerate(world.rows(kind), 1)),
            now,
            actor=actor,
        )
        for kind in KINDS
    }
