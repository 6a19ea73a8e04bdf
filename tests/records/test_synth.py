"""The synthetic world of customers (records/synth.py): the same for a seed, believable, and
made of nothing that could be a real person's data."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import astuple, fields
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import zipcodes

from mailcover.postal.address import parse
from mailcover.postal.tracking import read_tracking
from mailcover.records.models import (
    AddressChange,
    Customer,
    Payment,
    ScanEvent,
    SignIn,
    TrackedItem,
)
from mailcover.records.synth import World, build_world, write_world

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
KINDS = [f.name for f in fields(World)]
DOCUMENTATION = [
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
]


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(7, 60, NOW)


def texts(world: World) -> list[str]:
    """Every value of every row, as text."""
    return [str(value) for kind in KINDS for row in world.rows(kind) for value in astuple(row)]


def luhn(digits: str) -> bool:
    """The Luhn check, written here again so that the test does not trust the code's."""
    total = sum(
        sum(divmod(int(d) * 2, 10)) if i % 2 else int(d) for i, d in enumerate(reversed(digits))
    )
    return total % 10 == 0


def test_the_same_seed_makes_the_same_world(world: World) -> None:
    assert build_world(7, 60, NOW) == world


def test_another_seed_makes_another_world(world: World) -> None:
    other = build_world(8, 60, NOW)
    assert {c.account_number for c in other.customers}.isdisjoint(
        {c.account_number for c in world.customers}
    )


def test_there_are_as_many_customers_as_asked_with_unique_accounts_and_emails(
    world: World,
) -> None:
    accounts = [c.account_number for c in world.customers]
    emails = [c.email for c in world.customers]
    assert len(accounts) == len(set(accounts)) == 60
    assert len(set(emails)) == 60
    assert all(re.fullmatch(r"A[0-9]{9}", a) for a in accounts)


def test_every_kind_of_record_is_there(world: World) -> None:
    for kind in KINDS:
        assert world.rows(kind), kind


def test_emails_are_at_the_example_domains_only(world: World) -> None:
    domains = {c.email.rpartition("@")[2] for c in world.customers}
    assert domains <= {"example.com", "example.org", "example.net"}


def test_phone_numbers_are_in_the_range_kept_for_fiction(world: World) -> None:
    phones = [c.phone for c in world.customers if c.phone]
    assert phones
    assert all(re.fullmatch(r"\([0-9]{3}\) 555-01[0-9]{2}", p) for p in phones)


def test_every_ip_address_is_in_a_documentation_range(world: World) -> None:
    addresses = [ipaddress.ip_address(s.ip_address) for s in world.sign_ins]
    assert all(any(a in net for net in DOCUMENTATION) for a in addresses)
    assert any(a.version == 6 for a in addresses)


def test_every_tracking_number_is_a_valid_impb_number_of_one_item(world: World) -> None:
    numbers = [i.tracking_number for i in world.items]
    assert len(numbers) == len(set(numbers))
    for number in numbers:
        read = read_tracking(number)
        assert (read.pic, read.channel in ("92", "93", "94", "95")) == (number, True)
    assert {s.tracking_number for s in world.scans} <= set(numbers)


def test_no_full_card_number_is_anywhere(world: World) -> None:
    tracking_numbers = {i.tracking_number for i in world.items}
    for text in texts(world):
        # Digits as a card is printed: alone, or grouped by spaces or hyphens.
        for run in re.findall(r"[0-9](?:[ -]?[0-9])*", text):
            digits = re.sub(r"[ -]", "", run)
            assert len(digits) < 13 or digits in tracking_numbers
            assert not (13 <= len(digits) <= 19 and luhn(digits))
    for payment in world.payments:
        assert re.fullmatch(r"[0-9]{4}", payment.card_last4)
        assert payment.processor_token.startswith("tok_")


def test_every_record_falls_in_the_two_years_before_now_after_its_account_opened(
    world: World,
) -> None:
    opened = {c.account_number: c.opened_at for c in world.customers}
    assert all(NOW - timedelta(days=730) <= at <= NOW for at in opened.values())
    for kind in ("sign_ins", "payments", "address_changes"):
        for row in world.rows(kind):
            assert opened[row.account_number] <= row.at <= NOW, kind
    owner = {i.tracking_number: i.account_number for i in world.items}
    assert all(opened[owner[s.tracking_number]] <= s.at <= NOW for s in world.scans)


def test_a_packages_scans_run_in_order_from_its_label(world: World) -> None:
    by_item: dict[str, list[Any]] = {}
    for scan in world.scans:
        by_item.setdefault(scan.tracking_number, []).append(scan)
    for scans in by_item.values():
        assert scans[0].event == "Shipping Label Created, USPS Awaiting Item"
        assert [s.at for s in scans] == sorted(s.at for s in scans)


def test_addresses_are_at_real_zip_codes_of_their_state(world: World) -> None:
    for customer in world.customers:
        address = parse(customer.address)  # refuses a ZIP of another state
        [known] = zipcodes.matching(address.zip5)
        assert known["state"] == address.state


def test_address_changes_lead_to_the_customers_address(world: World) -> None:
    current = {c.account_number: c.address for c in world.customers}
    last: dict[str, Any] = {}
    for change in sorted(world.address_changes, key=lambda c: c.at):
        previous = last.get(change.account_number)
        if previous is not None:
            assert change.old_address == previous.new_address
        assert change.old_address != change.new_address
        last[change.account_number] = change
    assert all(current[a] == change.new_address for a, change in last.items())


def test_now_must_carry_a_time_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        build_world(1, 1, datetime(2026, 1, 1))


# -- into the database -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_world_is_stored_whole_through_the_importers() -> None:
    world = build_world(3, 15, NOW)
    reports = write_world(world, NOW)
    assert list(reports) == [
        "customers",
        "sign_ins",
        "items",
        "scans",
        "payments",
        "address_changes",
    ]
    assert {kind: (r.imported, r.rejected) for kind, r in reports.items()} == {
        kind: (len(world.rows(kind)), 0) for kind in KINDS
    }
    counts = [Customer, SignIn, TrackedItem, ScanEvent, Payment, AddressChange]
    assert [m.objects.count() for m in counts] == [len(world.rows(k)) for k in KINDS]
    assert set(TrackedItem.objects.values_list("tracking_number", flat=True)) == {
        i.tracking_number for i in world.items
    }
    assert all(c.address_key for c in Customer.objects.all())


@pytest.mark.django_db
def test_writing_a_world_again_stores_nothing_more() -> None:
    world = build_world(3, 5, NOW)
    write_world(world, NOW)
    again = write_world(world, NOW)
    assert all(r.imported == 0 and r.rejected == len(world.rows(k)) for k, r in again.items())
    assert Customer.objects.count() == 5
