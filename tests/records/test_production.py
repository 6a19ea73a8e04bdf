"""A records production: what it holds, and that it rebuilds byte for byte."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pypdf import PdfReader
from tests.web.tagged import read as read_tagged

from mailcover.law.records import Category, Instrument
from mailcover.records.models import (
    AddressChange,
    Customer,
    Payment,
    ScanEvent,
    SignIn,
    TrackedItem,
)
from mailcover.records.production import (
    EMERGENCY_MARKING,
    Letter,
    Package,
    ProductionError,
    Scope,
    build,
    no_records_package,
    rebuild_matches,
)

START = date(2024, 6, 1)
END = date(2024, 6, 29)
AS_OF = datetime(2024, 6, 30, 12, 0, tzinfo=UTC)
BEFORE = datetime(2024, 6, 30, 9, 0, tzinfo=UTC)  # recorded before the production
AFTER = datetime(2024, 7, 2, 9, 0, tzinfo=UTC)  # recorded after it
ALL = (Category.SUBSCRIBER, Category.TRANSACTIONAL, Category.FINANCIAL, Category.CONTENT)


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2024, 6, day, hour, minute, tzinfo=UTC)


@dataclass
class World:
    customer: Customer
    item: TrackedItem


def _customer(**changes: object) -> Customer:
    fields: dict[str, object] = {
        "account_number": "AC-1001",
        "name": "JOHN Q PUBLIC",
        "address": "123 MAIN ST APT 4, SPRINGFIELD IL 62704-1234",
        "email": "john@example.com",
        "phone": "217-555-0100",
        "opened_at": datetime(2019, 3, 4, 5, 6, 7, tzinfo=UTC),
        "services": ["click_n_ship", "informed_delivery"],
        "recorded_at": datetime(2019, 3, 4, 5, 6, 7, tzinfo=UTC),
    }
    fields.update(changes)
    return Customer.objects.create(**fields)


def sign_in(
    customer: Customer, when: datetime, recorded: datetime = BEFORE, **kw: object
) -> SignIn:
    values: dict[str, object] = {
        "ip_address": "203.0.113.7",
        "user_agent": "Firefox/126",
        "duration_seconds": 600,
    }
    values.update(kw)
    return SignIn.objects.create(customer=customer, at=when, recorded_at=recorded, **values)


def pay(customer: Customer, when: datetime, recorded: datetime = BEFORE, **kw: object) -> Payment:
    values: dict[str, object] = {
        "amount": Decimal("12.50"),
        "card_brand": "VISA",
        "card_last4": "1111",
        "processor_token": "tok_abc123",
        "description": "Priority Mail label",
    }
    values.update(kw)
    return Payment.objects.create(customer=customer, at=when, recorded_at=recorded, **values)


@pytest.fixture
def world(db: None) -> World:
    customer = _customer()
    AddressChange.objects.create(
        customer=customer,
        at=at(10),
        old_address="123 MAIN ST APT 4, SPRINGFIELD IL 62704-1234",
        new_address="9 ELM ST, SPRINGFIELD IL 62701",
        recorded_at=BEFORE,
    )
    sign_in(customer, at(5))
    sign_in(customer, at(20), ip_address="198.51.100.9", duration_seconds=None)
    item = TrackedItem.objects.create(
        customer=customer,
        tracking_number="9400100000000000000001",
        role=TrackedItem.Role.SENDER,
        recorded_at=BEFORE,
    )
    ScanEvent.objects.create(
        item=item, at=at(6), event="Accepted", location="SPRINGFIELD IL 62704", recorded_at=BEFORE
    )
    pay(customer, at(6, 9))
    pay(customer, at(12), amount=Decimal("7"), card_brand="MC", card_last4="4444")
    pay(customer, at(15))  # the VISA card again: one means of payment
    return World(customer=customer, item=item)


def scope(customer: Customer | None, **changes: object) -> Scope:
    base = Scope(
        customer_id=None if customer is None else customer.pk,
        categories=ALL,
        start=START,
        end=END,
        as_of=AS_OF,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def letter_for(the_scope: Scope, **changes: object) -> Letter:
    base = Letter(
        request_number="RR-2024-0007",
        agency_name="Springfield Police Department",
        agency_address="800 E MONROE ST\nSPRINGFIELD IL 62701",
        instrument=Instrument.WARRANT,
        issued_by="Sangamon County Circuit Court",
        issued_on=date(2024, 6, 28),
        instrument_number="24-SW-118",
        categories=the_scope.categories,
        start=the_scope.start,
        end=the_scope.end,
        produced_at=the_scope.as_of,
        produced_by="INSPECTOR JANE DOE",
        no_records=the_scope.customer_id is None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def produce(the_scope: Scope, **letter: object) -> Package:
    return build(the_scope, letter_for(the_scope, **letter))


def members(package: Package) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def table(package: Package, name: str) -> list[dict[str, str]]:
    text = members(package)[name].decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def header(package: Package, name: str) -> str:
    return members(package)[name].decode("utf-8").split("\r\n")[0]


def letter_text(package: Package) -> str:
    reader = PdfReader(io.BytesIO(members(package)["cover-letter.pdf"]))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


# -- Byte for byte ---------------------------------------------------------------------


def test_two_builds_of_the_same_scope_are_the_same_bytes(world: World) -> None:
    first = produce(scope(world.customer))
    second = produce(scope(world.customer))
    assert first.data == second.data
    assert first.sha256 == second.sha256
    assert first.manifest == second.manifest


def test_the_order_the_categories_were_asked_in_does_not_change_the_bytes(world: World) -> None:
    asked = produce(scope(world.customer, categories=ALL))
    reversed_ = produce(scope(world.customer, categories=tuple(reversed(ALL))))
    assert asked.data == reversed_.data
    assert list(members(asked)) == [
        "subscriber.csv",
        "transactional.csv",
        "financial.csv",
        "content.csv",
        "cover-letter.pdf",
        "manifest.json",
    ]


def test_a_rebuild_after_records_recorded_later_is_the_same_bytes(world: World) -> None:
    the_scope = scope(world.customer)
    produced = produce(the_scope)
    c = world.customer
    sign_in(c, at(21), recorded=AFTER)  # in the range, but recorded after the production
    pay(c, at(22), recorded=AFTER, card_last4="9999")
    AddressChange.objects.create(
        customer=c, at=at(23), old_address="x", new_address="1 NEW RD", recorded_at=AFTER
    )
    late = TrackedItem.objects.create(
        customer=c, tracking_number="9400100000000000000099", role="recipient", recorded_at=AFTER
    )
    ScanEvent.objects.create(
        item=late, at=at(23), event="Delivered", location="X", recorded_at=AFTER
    )
    ScanEvent.objects.create(
        item=world.item, at=at(24), event="Delivered", location="Y", recorded_at=AFTER
    )

    assert produce(the_scope).data == produced.data
    assert (
        rebuild_matches(produced.sha256, produced.manifest, the_scope, letter_for(the_scope)) == []
    )


def test_a_rebuild_after_rows_outside_the_range_is_the_same_bytes(world: World) -> None:
    the_scope = scope(world.customer)
    produced = produce(the_scope)
    sign_in(world.customer, at(30, 0, 0))  # the day after the range, recorded before
    pay(world.customer, datetime(2024, 5, 31, 23, 59, tzinfo=UTC))

    assert (
        rebuild_matches(produced.sha256, produced.manifest, the_scope, letter_for(the_scope)) == []
    )


def test_a_changed_row_makes_the_rebuild_name_the_members_that_differ(world: World) -> None:
    the_scope = scope(world.customer)
    produced = produce(the_scope)
    Payment.objects.filter(card_last4="4444").update(amount=Decimal("700.00"))

    found = rebuild_matches(produced.sha256, produced.manifest, the_scope, letter_for(the_scope))

    named = " ".join(found)
    assert "transactional.csv differs" in named
    assert "financial.csv differs" in named
    assert "manifest.json differs" in named
    assert "subscriber.csv" not in named  # the card is the same card
    assert "the ZIP differs" in found[-1]


def test_a_package_whose_members_match_but_zip_does_not_is_named_as_the_container(
    world: World,
) -> None:
    the_scope = scope(world.customer)
    produced = produce(the_scope)
    found = rebuild_matches("0" * 64, produced.manifest, the_scope, letter_for(the_scope))
    assert len(found) == 1
    assert "only the container changed" in found[0]


def test_a_member_missing_from_the_ledger_is_named(world: World) -> None:
    the_scope = scope(world.customer)
    produced = produce(the_scope)
    ledger = {k: v for k, v in produced.manifest.items() if k != "content.csv"}
    ledger["extra.csv"] = "0" * 64
    found = rebuild_matches(produced.sha256, ledger, the_scope, letter_for(the_scope))
    assert "content.csv is in the rebuild but not in the ledger's manifest" in found
    assert "extra.csv is in the ledger's manifest but not in the rebuild" in found


def test_the_zip_entries_have_fixed_times_and_permissions(world: World) -> None:
    produced = produce(scope(world.customer))
    with zipfile.ZipFile(io.BytesIO(produced.data)) as archive:
        for info in archive.infolist():
            assert info.date_time == (2024, 6, 30, 12, 0, 0)
            assert info.external_attr == 0o100644 << 16
            assert info.create_system == 3
            assert info.compress_type == zipfile.ZIP_DEFLATED


def test_a_production_time_before_1980_is_written_as_1980(db: None) -> None:
    old = datetime(1975, 1, 1, tzinfo=UTC)
    the_scope = scope(None, as_of=old, start=date(1974, 1, 1), end=date(1974, 12, 31))
    package = no_records_package(letter_for(the_scope))
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        assert archive.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)


# -- The manifest ----------------------------------------------------------------------


def test_the_manifest_hashes_every_other_member(world: World) -> None:
    produced = produce(scope(world.customer))
    files = members(produced)
    manifest = json.loads(files["manifest.json"])
    assert manifest["request"] == "RR-2024-0007"
    assert manifest["produced_at"] == "2024-06-30T12:00:00Z"
    assert manifest["emergency"] is False
    assert set(manifest["files"]) == set(files) - {"manifest.json"}
    for name, entry in manifest["files"].items():
        assert entry["sha256"] == produced.manifest[name]
        assert entry["bytes"] == len(files[name])
    assert manifest["files"]["transactional.csv"]["rows"] == 6
    assert "rows" not in manifest["files"]["cover-letter.pdf"]
    assert set(produced.manifest) == set(files)  # the package's manifest names itself too
    assert (
        files["manifest.json"] == (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode()
    )


def test_the_counts_are_the_data_rows_per_category(world: World) -> None:
    produced = produce(scope(world.customer))
    assert produced.counts == {"subscriber": 6, "transactional": 6, "financial": 3, "content": 0}


def test_only_the_categories_asked_for_are_produced(world: World) -> None:
    produced = produce(scope(world.customer, categories=(Category.SUBSCRIBER,)))
    assert list(members(produced)) == ["subscriber.csv", "cover-letter.pdf", "manifest.json"]
    assert produced.counts == {"subscriber": 6}


# -- The categories --------------------------------------------------------------------


def test_subscriber_records_hold_the_account_address_changes_sessions_and_cards(
    world: World,
) -> None:
    produced = produce(scope(world.customer))
    assert header(produced, "subscriber.csv") == (
        "record_type,time,account_number,name,address,email,phone,services,ip_address,"
        "duration_seconds,card_brand,card_last4"
    )
    rows = table(produced, "subscriber.csv")
    assert [(r["record_type"], r["time"]) for r in rows] == [
        ("account", "2019-03-04T05:06:07Z"),
        ("session", "2024-06-05T12:00:00Z"),
        ("payment_means", "2024-06-06T09:00:00Z"),
        ("address_change", "2024-06-10T12:00:00Z"),
        ("payment_means", "2024-06-12T12:00:00Z"),
        ("session", "2024-06-20T12:00:00Z"),
    ]
    account = rows[0]
    assert account["account_number"] == "AC-1001"
    assert account["name"] == "JOHN Q PUBLIC"
    assert account["address"] == "9 ELM ST, SPRINGFIELD IL 62701"  # in force at production
    assert account["email"] == "john@example.com"
    assert account["services"] == "click_n_ship;informed_delivery"
    assert rows[1]["ip_address"] == "203.0.113.7"
    assert rows[1]["duration_seconds"] == "600"
    assert rows[5]["duration_seconds"] == ""
    assert (rows[2]["card_brand"], rows[2]["card_last4"]) == ("VISA", "1111")
    assert (rows[4]["card_brand"], rows[4]["card_last4"]) == ("MC", "4444")
    assert rows[3]["address"] == "9 ELM ST, SPRINGFIELD IL 62701"


def test_rr_scope_the_account_shows_the_address_in_force_at_the_end_of_the_range(
    world: World,
) -> None:
    produced = produce(scope(world.customer, start=date(2024, 1, 1), end=date(2024, 1, 31)))
    rows = table(produced, "subscriber.csv")
    assert [r["record_type"] for r in rows] == ["account"]
    # The address change of June is after the range: the address it replaced is the one
    # in force then, and the new one is not disclosed.
    assert rows[0]["address"] == "123 MAIN ST APT 4, SPRINGFIELD IL 62704-1234"
    assert "9 ELM ST" not in produced.data.decode("latin-1")


def test_an_address_change_recorded_after_the_production_does_not_change_the_account(
    world: World,
) -> None:
    AddressChange.objects.create(
        customer=world.customer,
        at=at(25),
        old_address="9 ELM ST",
        new_address="1 LATER RD",
        recorded_at=AFTER,
    )
    rows = table(produce(scope(world.customer)), "subscriber.csv")
    assert rows[0]["address"] == "9 ELM ST, SPRINGFIELD IL 62701"


def test_transactional_records_hold_sign_ins_scans_and_payments(world: World) -> None:
    produced = produce(scope(world.customer))
    assert header(produced, "transactional.csv") == (
        "record_type,time,ip_address,user_agent,tracking_number,role,event,location,amount,"
        "currency,description"
    )
    rows = table(produced, "transactional.csv")
    assert [r["record_type"] for r in rows] == [
        "sign_in",
        "payment",
        "tracking_scan",
        "payment",
        "payment",
        "sign_in",
    ]
    assert rows[0]["user_agent"] == "Firefox/126"
    scan = rows[2]
    assert scan["tracking_number"] == "9400100000000000000001"
    assert (scan["role"], scan["event"], scan["location"]) == (
        "sender",
        "Accepted",
        "SPRINGFIELD IL 62704",
    )
    assert (rows[3]["amount"], rows[3]["currency"]) == ("7.00", "USD")
    assert rows[1]["description"] == "Priority Mail label"
    assert "tok_abc123" not in members(produced)["transactional.csv"].decode()


def test_financial_records_hold_the_payments_with_card_and_token(world: World) -> None:
    produced = produce(scope(world.customer))
    assert header(produced, "financial.csv") == (
        "record_type,time,amount,currency,card_brand,card_last4,processor_token,description"
    )
    rows = table(produced, "financial.csv")
    assert [(r["time"], r["amount"], r["card_last4"]) for r in rows] == [
        ("2024-06-06T09:00:00Z", "12.50", "1111"),
        ("2024-06-12T12:00:00Z", "7.00", "4444"),
        ("2024-06-15T12:00:00Z", "12.50", "1111"),
    ]
    assert {r["record_type"] for r in rows} == {"payment"}
    assert rows[0]["processor_token"] == "tok_abc123"


def test_content_is_an_empty_file_and_the_letter_says_why(world: World) -> None:
    produced = produce(scope(world.customer))
    assert members(produced)["content.csv"] == b"record_type,time,note\r\n"
    assert "holds no content of communications" in letter_text(produced)


def test_the_letter_does_not_mention_content_when_it_was_not_asked_for(world: World) -> None:
    produced = produce(scope(world.customer, categories=(Category.SUBSCRIBER,)))
    assert "content of communications" not in letter_text(produced)


def test_rows_are_in_the_range_by_whole_utc_days(world: World) -> None:
    c = world.customer
    SignIn.objects.all().delete()
    first = datetime(2024, 6, 1, 0, 0, 0, tzinfo=UTC)
    last = datetime(2024, 6, 29, 23, 59, 59, 999999, tzinfo=UTC)
    sign_in(c, first - timedelta(microseconds=1))
    sign_in(c, first)
    sign_in(c, last)
    sign_in(c, last + timedelta(microseconds=1))
    # 20:00 on the 29th in Chicago is 01:00 on the 30th in UTC: outside.
    sign_in(c, datetime(2024, 6, 29, 20, 0, tzinfo=timezone(timedelta(hours=-5))))

    rows = table(produce(scope(c)), "transactional.csv")
    times = [r["time"] for r in rows if r["record_type"] == "sign_in"]
    assert times == ["2024-06-01T00:00:00Z", "2024-06-29T23:59:59.999999Z"]


def test_rows_are_sorted_by_time_then_id(world: World) -> None:
    c = world.customer
    SignIn.objects.all().delete()
    sign_in(c, at(8), ip_address="192.0.2.2")
    sign_in(c, at(3), ip_address="192.0.2.3")
    sign_in(c, at(3), ip_address="192.0.2.4")  # the same time: the later id comes after
    rows = table(produce(scope(c)), "transactional.csv")
    ips = [r["ip_address"] for r in rows if r["record_type"] == "sign_in"]
    assert ips == ["192.0.2.3", "192.0.2.4", "192.0.2.2"]


def test_a_full_card_number_never_appears(world: World) -> None:
    pay(world.customer, at(16), card_brand="AMEX", card_last4="0005")
    produced = produce(scope(world.customer))
    for name, data in members(produced).items():
        if name.endswith(".csv"):
            assert not re.search(rb"\d{13,19}", data.replace(b"9400100000000000000001", b""))
    for row in table(produced, "financial.csv"):
        assert re.fullmatch(r"\d{4}", row["card_last4"])


def test_a_cell_a_spreadsheet_would_run_is_written_as_text(db: None) -> None:
    customer = _customer(name='=HYPERLINK("http://evil")', phone="+1 217 555 0100")
    sign_in(customer, at(5), user_agent="@SUM(1+1)")
    pay(customer, at(6), amount=Decimal("-5.00"), description="-refund")
    produced = produce(scope(customer))
    account = table(produced, "subscriber.csv")[0]
    assert account["name"] == '\'=HYPERLINK("http://evil")'
    assert account["phone"] == "'+1 217 555 0100"
    rows = table(produced, "transactional.csv")
    assert rows[0]["user_agent"] == "'@SUM(1+1)"
    assert rows[1]["description"] == "'-refund"
    assert rows[1]["amount"] == "-5.00"  # a number we wrote, not text we were given


def test_lines_end_in_crlf(world: World) -> None:
    data = members(produce(scope(world.customer)))["subscriber.csv"]
    assert data.count(b"\r\n") == 7
    assert b"\n" not in data.replace(b"\r\n", b"")


# -- The cover letter ------------------------------------------------------------------


def test_the_letter_states_the_request_instrument_files_and_accounting(world: World) -> None:
    produced = produce(scope(world.customer))
    assert members(produced)["cover-letter.pdf"].startswith(b"%PDF-")
    text = letter_text(produced)
    for said in (
        "Springfield Police Department",
        "800 E MONROE ST",
        "RR-2024-0007",
        "warrant, issued by Sangamon County Circuit Court on 2024-06-28, number 24-SW-118",
        "Subscriber records; Transactional records; Financial records; Contents of communications",
        "2024-06-01 to 2024-06-29",
        "subscriber.csv: 6 rows",
        "financial.csv: 3 rows",
        "content.csv: 0 rows",
        "manifest.json",
        "5 U.S.C. 552a(c)",
        "INSPECTOR JANE DOE",
    ):
        assert said in text
    assert "EMERGENCY" not in text


def test_the_letter_gives_times_in_the_recipients_time_zone_and_names_it(world: World) -> None:
    text = letter_text(produce(scope(world.customer), time_zone="America/Chicago"))
    assert "2024-06-30 07:00 CDT (12:00 UTC)" in text
    assert "America/Chicago" in text
    assert "T12:00:00Z" not in text


def test_a_letter_without_a_zone_gives_utc(world: World) -> None:
    text = letter_text(produce(scope(world.customer)))
    assert "2024-06-30 12:00 UTC by" in text


def test_an_emergency_production_is_marked_in_the_letter_and_the_manifest(world: World) -> None:
    the_scope = scope(world.customer, categories=(Category.SUBSCRIBER,))
    produced = produce(
        the_scope,
        instrument=Instrument.EMERGENCY,
        issued_on=None,
        instrument_number="",
        emergency=True,
    )
    text = letter_text(produced)
    assert text.startswith(EMERGENCY_MARKING)
    assert "follow-up legal process is requested" in text
    assert "emergency disclosure (18 U.S.C. 2702(c)(4), (b)(8))" in text
    assert json.loads(members(produced)["manifest.json"])["emergency"] is True


def test_names_in_other_scripts_are_written_as_they_are_in_the_letter(db: None) -> None:
    customer = _customer(name="王小明 Zoë Ørsted")
    the_scope = scope(customer, categories=(Category.SUBSCRIBER,))
    produced = produce(
        the_scope,
        agency_name="Politie — Zoë\u2019s unit 😀",
        produced_by="İNSPECTOR Ŝ\u0007",
        agency_address="Straße 1\nZoe\u0301 plaza",
    )
    text = letter_text(produced)
    assert "Politie — Zoë\u2019s unit" in text
    assert "Zoé plaza" in text  # a combining accent is composed, not dropped
    assert "İNSPECTOR Ŝ" in text
    assert "\u0007" not in text  # a control character is not text
    assert table(produced, "subscriber.csv")[0]["name"] == "王小明 Zoë Ørsted"


def test_a_long_unbroken_name_wraps_rather_than_failing(world: World) -> None:
    produced = produce(scope(world.customer), agency_name="X" * 400)
    assert "XXXX" in letter_text(produced)


# -- No records ------------------------------------------------------------------------


def test_a_request_that_matches_no_customer_gets_the_letter_alone(world: World) -> None:
    the_scope = scope(None)
    package = build(the_scope, letter_for(the_scope))
    assert list(members(package)) == ["cover-letter.pdf"]
    assert set(package.manifest) == {"cover-letter.pdf"}
    assert package.counts == {}
    text = letter_text(package)
    assert "match no customer" in text
    assert "nothing else is disclosed" in text
    for secret in ("JOHN", "AC-1001", "ELM", "john@example.com", "rows", "552a"):
        assert secret not in text
    assert no_records_package(letter_for(the_scope)).data == package.data


def test_the_no_records_letter_is_marked_when_the_request_was_an_emergency(db: None) -> None:
    the_scope = scope(None)
    package = no_records_package(
        letter_for(the_scope, instrument=Instrument.EMERGENCY, issued_on=None, emergency=True)
    )
    assert letter_text(package).startswith(EMERGENCY_MARKING)


# -- Refusals --------------------------------------------------------------------------


def test_a_letter_that_disagrees_with_the_scope_is_refused(world: World) -> None:
    the_scope = scope(world.customer)
    with pytest.raises(ProductionError, match="disagree on categories, end"):
        build(
            the_scope,
            letter_for(the_scope, categories=(Category.SUBSCRIBER,), end=date(2024, 6, 28)),
        )


def test_a_customer_recorded_after_the_production_time_is_not_produced(db: None) -> None:
    customer = _customer(recorded_at=AFTER)
    the_scope = scope(customer)
    with pytest.raises(ProductionError, match="was not on record"):
        build(the_scope, letter_for(the_scope))
    found = rebuild_matches("0" * 64, {}, the_scope, letter_for(the_scope))
    assert found[0].startswith("the production cannot be rebuilt")


def test_a_production_time_without_a_zone_is_refused(world: World) -> None:
    naive = datetime(2024, 6, 30, 12, 0)
    the_scope = scope(world.customer, as_of=naive)
    with pytest.raises(ProductionError, match="time zone"):
        build(the_scope, letter_for(the_scope))


# -- The letter as a document (Section 508) ---------------------------------------------


def test_the_letter_is_a_tagged_pdf_titled_after_the_request(world: World) -> None:
    tagged = read_tagged(members(produce(scope(world.customer)))["cover-letter.pdf"])
    assert tagged.has_structure_tree
    assert tagged.marked
    assert tagged.language == "en-US"
    assert tagged.title == "Records production RR-2024-0007"
    assert {"/H1", "/P", "/L", "/LI"} <= tagged.structure_kinds


def test_every_page_of_the_letter_names_the_request_recipient_date_and_page(
    world: World,
) -> None:
    long_address = "\n".join(f"BUILDING {n}, 800 E MONROE ST" for n in range(90))
    produced = produce(scope(world.customer), agency_address=long_address)
    pages = read_tagged(members(produced)["cover-letter.pdf"]).pages
    assert len(pages) >= 2
    for number, text in enumerate(pages, 1):
        assert "Records production RR-2024-0007 · to Springfield Police Department" in text
        assert "Produced 2024-06-30" in text
        assert f"Page {number} of {len(pages)}" in text


def test_an_emergency_letter_is_marked_on_every_page(world: World) -> None:
    the_scope = scope(world.customer, categories=(Category.SUBSCRIBER,))
    produced = produce(
        the_scope,
        instrument=Instrument.EMERGENCY,
        issued_on=None,
        instrument_number="",
        emergency=True,
        agency_address="\n".join(f"FLOOR {n}" for n in range(90)),
    )
    pages = read_tagged(members(produced)["cover-letter.pdf"]).pages
    assert len(pages) >= 2
    assert all("EMERGENCY DISCLOSURE" in text for text in pages)
