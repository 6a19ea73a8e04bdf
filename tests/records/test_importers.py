"""Importing customer records from CSV and JSON Lines (records/importers.py, records/fields.py).

Every bad input is refused row by row with its line and field, the good rows beside it
are kept, and no error ever quotes the value it refuses: these are customer records.
The card numbers below are the issuers' published test numbers (4111 1111 1111 1111 is
Visa's), not anyone's card.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mailcover.ledger.models import Entry
from mailcover.records import importers
from mailcover.records.fields import has_card_number
from mailcover.records.importers import (
    CARD_REFUSAL,
    LINE_LIMIT,
    ImportFileError,
    ImportReport,
    import_file,
    import_stream,
)
from mailcover.records.models import (
    AddressChange,
    Customer,
    Payment,
    ScanEvent,
    SignIn,
    TrackedItem,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
VISA = "4111111111111111"
ACCOUNT = "A000000001"
PIC = "9400111201080805483016"  # SPECS.md 3.4, jkeen/tracking_number_data


def jsonl(*rows: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(row).encode() + b"\n" for row in rows)


def run(kind: str, data: bytes, fmt: str = "jsonl") -> ImportReport:
    return import_stream(kind, io.BytesIO(data), fmt, NOW)


def customer(**changes: Any) -> dict[str, Any]:
    row = {
        "account_number": ACCOUNT,
        "name": "Jane Q Public",
        "address": "123 N Main St Apt 4, Springfield IL 62704",
        "email": "jane.public@example.com",
        "phone": "(217) 555-0123",
        "opened_at": "2025-01-02T10:00:00Z",
        "services": ["click_n_ship", "informed_delivery"],
    }
    return row | changes


def sign_in(**changes: Any) -> dict[str, Any]:
    row = {"account_number": ACCOUNT, "at": "2026-03-01T08:30:00-05:00",
           "ip_address": "192.0.2.10", "user_agent": "Mozilla/5.0",
           "duration_seconds": 300}  # fmt: skip
    return row | changes


def item(**changes: Any) -> dict[str, Any]:
    return {"account_number": ACCOUNT, "tracking_number": PIC, "role": "recipient"} | changes


def scan(**changes: Any) -> dict[str, Any]:
    row = {"tracking_number": PIC, "at": "2026-03-02T09:00:00Z", "event": "Out for Delivery",
           "location": "SPRINGFIELD, IL 62704"}  # fmt: skip
    return row | changes


def payment(**changes: Any) -> dict[str, Any]:
    row = {"account_number": ACCOUNT, "at": "2026-03-03T12:00:00Z", "amount": "12.50",
           "currency": "USD", "card_brand": "Visa", "card_last4": "1111",
           "processor_token": "tok_abcDEFghiJKL", "description": "Priority Mail label"}  # fmt: skip
    return row | changes


def address_change(**changes: Any) -> dict[str, Any]:
    row = {"account_number": ACCOUNT, "at": "2026-04-01T00:00:00Z",
           "old_address": "1 Elm St, Springfield IL 62704",
           "new_address": "123 N Main St Apt 4, Springfield IL 62704"}  # fmt: skip
    return row | changes


ROWS = {
    "sign_ins": sign_in,
    "items": item,
    "scans": scan,
    "payments": payment,
    "address_changes": address_change,
}


@pytest.fixture
def jane() -> Customer:
    assert run("customers", jsonl(customer())).imported == 1
    return Customer.objects.get(account_number=ACCOUNT)


@pytest.fixture
def parcel(jane: Customer) -> TrackedItem:
    assert run("items", jsonl(item())).imported == 1
    return TrackedItem.objects.get()


def errors_of(report: ImportReport) -> list[tuple[int, str | None, str]]:
    return [(e.line, e.field, e.message) for e in report.errors]


# -- good rows -------------------------------------------------------------------------


def test_a_customer_is_stored_with_its_delivery_point_key_and_the_imports_clock() -> None:
    report = run("customers", jsonl(customer()))
    assert (report.read, report.imported, report.rejected) == (1, 1, 0)
    stored = Customer.objects.get()
    assert stored.address_key == "62704|123 N MAIN ST|4"
    assert stored.services == ["click_n_ship", "informed_delivery"]
    assert stored.recorded_at == NOW
    assert stored.opened_at == datetime(2025, 1, 2, 10, 0, tzinfo=UTC)


def test_an_address_that_cannot_be_read_is_kept_with_a_blank_key() -> None:
    report = run("customers", jsonl(customer(address="somewhere over the rainbow")))
    assert report.imported == 1
    assert Customer.objects.get().address_key == ""


def test_a_csv_file_with_a_header_row_is_read_like_json_lines() -> None:
    text = (
        "account_number,name,address,email,phone,opened_at,services\n"
        'A1,"Public, Jane",1 Elm St Springfield IL 62704,j@example.com,,2025-01-02T10:00:00Z,'
        "click_n_ship; hold_mail\n"
    )
    report = run("customers", text.encode(), "csv")
    assert report.imported == 1
    stored = Customer.objects.get()
    assert (stored.name, stored.phone) == ("Public, Jane", "")
    assert stored.services == ["click_n_ship", "hold_mail"]


def test_every_kind_of_record_is_stored_against_its_customer_or_item(parcel: TrackedItem) -> None:
    for kind in ("sign_ins", "scans", "payments", "address_changes"):
        assert run(kind, jsonl(ROWS[kind]())).imported == 1, kind
    jane = parcel.customer
    assert SignIn.objects.get().customer == jane
    assert SignIn.objects.get().at == datetime(2026, 3, 1, 13, 30, tzinfo=UTC)  # in UTC
    assert ScanEvent.objects.get().item == parcel
    assert Payment.objects.get().amount == pytest.approx(12.5)
    assert AddressChange.objects.get().customer == jane


def test_optional_fields_take_their_defaults(jane: Customer) -> None:
    row = payment()
    del row["currency"], row["description"]
    run("payments", jsonl(row))
    assert (Payment.objects.get().currency, Payment.objects.get().description) == ("USD", "")
    run("sign_ins", jsonl(sign_in(user_agent=None, duration_seconds=None)))
    assert SignIn.objects.get().duration_seconds is None


def test_a_tracking_number_is_stored_as_its_pic_however_it_was_written(jane: Customer) -> None:
    run("items", jsonl(item(tracking_number="420 22153 9101 0268 3733 1000 0395 21")))
    assert TrackedItem.objects.get().tracking_number == "9101026837331000039521"
    report = run("scans", jsonl(scan(tracking_number="9101-0268-3733-1000-0395-21")))
    assert report.imported == 1


def test_ip_addresses_are_stored_in_their_standard_form(jane: Customer) -> None:
    rows = [sign_in(ip_address="2001:DB8:0:0::1"), sign_in(ip_address="::ffff:192.0.2.7")]
    run("sign_ins", jsonl(*rows))
    assert sorted(SignIn.objects.values_list("ip_address", flat=True)) == [
        "192.0.2.7",
        "2001:db8::1",
    ]


def test_a_currency_code_and_an_email_domain_are_stored_in_their_usual_case(
    jane: Customer,
) -> None:
    run("payments", jsonl(payment(currency="usd")))
    assert Payment.objects.get().currency == "USD"
    run("customers", jsonl(customer(account_number="A2", email="Ann@Example.COM")))
    assert Customer.objects.get(account_number="A2").email == "Ann@example.com"


# -- bad rows beside good ones ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_bad_row_is_reported_and_the_good_rows_beside_it_are_kept(fmt: str) -> None:
    rows = [
        customer(account_number="A1", email="a@example.com"),
        customer(account_number="A2", email="not an email"),
        customer(account_number="A3", email="c@example.com"),
    ]
    if fmt == "csv":
        header = list(rows[0])
        lines = [",".join(header)] + [
            ",".join(";".join(v) if isinstance(v, list) else f'"{v}"' for v in r.values())
            for r in rows
        ]
        data = ("\n".join(lines) + "\n").encode()
    else:
        data = jsonl(*rows)
    report = run("customers", data, fmt)
    assert (report.read, report.imported, report.rejected) == (3, 2, 1)
    line = 3 if fmt == "csv" else 2
    assert errors_of(report) == [(line, "email", "not a valid email address")]
    assert set(Customer.objects.values_list("account_number", flat=True)) == {"A1", "A3"}


BAD_FIELDS = [
    ("customers", "opened_at", "2025-01-02T10:00:00", "has no time zone"),
    ("customers", "opened_at", "2025-01-02", "has no time zone"),
    ("customers", "opened_at", "the second of January", "not an ISO 8601 time"),
    ("customers", "opened_at", "2030-01-01T00:00:00Z", "after the time of the import"),
    ("customers", "email", "jane@@example.com", "not a valid email address"),
    ("customers", "email", None, "missing"),
    ("customers", "name", "   ", "missing"),
    ("customers", "name", "J" * 201, "longer than 200 characters"),
    ("customers", "phone", "call me", "not a phone number"),
    ("customers", "account_number", "A 12", "not an account number"),
    ("customers", "services", {"a": "b"}, "not a list of services"),
    ("customers", "address", True, "not text"),
    ("customers", "name", "Jane\x00", "NUL"),
    ("sign_ins", "ip_address", "999.0.2.1", "not an IPv4 or IPv6 address"),
    ("sign_ins", "ip_address", "192.0.2.010", "not an IPv4 or IPv6 address"),
    ("sign_ins", "ip_address", "fe80::1%eth0", "zone index"),
    ("sign_ins", "duration_seconds", "-5", "not a whole number of seconds"),
    ("sign_ins", "duration_seconds", 1.5, "not a whole number of seconds"),
    ("sign_ins", "at", "2026-03-01 08:30", "has no time zone"),
    ("items", "tracking_number", "9400 1112 0108 0805 4830 17",
     "the check digit is 6, the number ends in 7"),
    ("items", "tracking_number", "EJ958083578US", "digits only"),
    ("items", "tracking_number", "1234", "this one has 4"),
    ("items", "role", "owner", "not one of sender, recipient"),
    ("scans", "event", "", "missing"),
    ("scans", "location", "L" * 201, "longer than 200 characters"),
    ("payments", "amount", "12.345", "more than 2 decimal places"),
    ("payments", "amount", "0.00", "not more than 0"),
    ("payments", "amount", "-5", "not more than 0"),
    ("payments", "amount", "12,50", "not an amount"),
    ("payments", "amount", "1e3", "not an amount"),
    ("payments", "amount", "NaN", "not an amount"),
    ("payments", "amount", "10000000000", "too large"),
    ("payments", "currency", "US", "3 letters"),
    ("payments", "currency", "US$", "3 letters"),
    ("payments", "card_last4", "12a4", "not the last four digits"),
    ("payments", "card_last4", "123", "not the last four digits"),
    ("payments", "processor_token", None, "missing"),
    ("address_changes", "new_address", None, "missing"),
    ("address_changes", "at", "last spring", "not an ISO 8601 time"),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "name", "value", "says"), BAD_FIELDS)
def test_each_bad_field_is_refused_naming_the_field_not_the_value(
    parcel: TrackedItem, kind: str, name: str, value: Any, says: str
) -> None:
    other = {"account_number": "A9", "email": "a9@example.com"}  # not jane, already there
    make = customer if kind == "customers" else ROWS[kind]
    fields = (other if kind == "customers" else {}) | {name: value}
    report = run(kind, jsonl(make(**fields)))
    assert report.rejected == 1
    [error] = report.errors
    assert (error.field, says in error.message) == (name, True), error.message
    if isinstance(value, str) and len(value) > 3:
        assert value not in str(error)


def test_a_field_the_kind_does_not_have_is_refused_by_name(jane: Customer) -> None:
    report = run("sign_ins", jsonl(sign_in(browser="Firefox")))
    assert errors_of(report) == [
        (1, "browser", "not a field of this kind; its fields are account_number, at, "
         "ip_address, user_agent, duration_seconds")
    ]  # fmt: skip


def test_a_field_name_that_could_be_data_is_not_quoted(jane: Customer) -> None:
    report = run("sign_ins", jsonl(sign_in(**{"jane@example.com": "x"})))
    assert report.errors[0].field is None
    assert "jane" not in str(report.errors[0])


# -- full card numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"card_number": VISA}, "card_number"),
        ({"pan": "5555 5555 5555 4444"}, "pan"),
        ({"card_last4": VISA}, "card_last4"),
        ({"card_last4": "41111"}, "card_last4"),
        ({"description": f"paid with {VISA[:4]} {VISA[4:8]} {VISA[8:12]} {VISA[12:]}"},
         "description"),
        ({"processor_token": "4111-1111-1111-1111"}, "processor_token"),
        ({"description": int(VISA)}, "description"),  # a JSON number
        ({"card_brand": "Amex 378282246310005"}, "card_brand"),
    ],
)  # fmt: skip
def test_a_row_with_a_full_card_number_is_refused_and_the_number_kept_nowhere(
    jane: Customer, changes: dict[str, Any], field: str
) -> None:
    report = run("payments", jsonl(payment(**changes), payment(at="2026-03-04T12:00:00Z")))
    assert (report.imported, report.rejected) == (1, 1)
    assert errors_of(report) == [(1, field, CARD_REFUSAL)]
    number = str(next(iter(changes.values())))
    digits = "".join(c for c in number if c.isdigit())
    assert digits not in repr(report)
    assert number not in repr(report)
    stored = json.dumps(list(Payment.objects.values()), default=str)
    stored += "".join(bytes(e.data).decode() for e in Entry.objects.all())
    assert digits not in stored.replace(" ", "").replace("-", "")


def test_a_card_number_anywhere_in_any_kind_of_row_is_refused() -> None:
    report = run("customers", jsonl(customer(address=f"{VISA} Main St, Springfield IL 62704")))
    assert errors_of(report) == [(1, "address", CARD_REFUSAL)]
    report = run("customers", jsonl(customer(services=["click_n_ship", VISA])))
    assert errors_of(report) == [(1, "services", CARD_REFUSAL)]


def test_a_csv_card_number_column_refuses_the_rows_that_fill_it(jane: Customer) -> None:
    header = ",".join([*payment(), "card_number"])
    good = ",".join([*(str(v) for v in payment().values()), ""])
    bad = ",".join([*(str(v) for v in payment(at="2026-03-05T00:00:00Z").values()), VISA])
    report = run("payments", f"{header}\n{good}\n{bad}\n".encode(), "csv")
    assert (report.imported, report.rejected) == (1, 1)
    assert errors_of(report) == [(3, "card_number", CARD_REFUSAL)]


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # fails the Luhn check
        PIC,  # 22 digits: a tracking number, not a card
        "420 22153 9101 0268 3733 1000 0395 21",
        "2026-03-03T12:00:00Z",
        "(217) 555-0123",
    ],
)
def test_digits_that_are_not_a_card_number_are_not_taken_for_one(text: str) -> None:
    assert not has_card_number(text)


# -- duplicates and references ---------------------------------------------------------


def test_an_account_number_or_email_already_there_is_a_row_error(jane: Customer) -> None:
    report = run(
        "customers",
        jsonl(
            customer(email="other@example.com"),
            customer(account_number="A2", email="JANE.PUBLIC@example.com"),
            customer(account_number="A3", email="new@example.com"),
            customer(account_number="A3", email="new2@example.com"),
        ),
    )
    assert errors_of(report) == [
        (1, "account_number", "another customer already has this account number"),
        (2, "email", "another customer already has this email address"),
        (4, "account_number", "another customer already has this account number"),
    ]
    assert report.imported == 1


def test_a_tracking_number_already_there_is_a_row_error_however_written(
    parcel: TrackedItem,
) -> None:
    report = run("items", jsonl(item(tracking_number="9400 1112 0108 0805 4830 16")))
    assert errors_of(report) == [(1, "tracking_number", "this tracking number is already recorded")]


def test_an_unknown_account_or_tracking_number_is_a_row_error(parcel: TrackedItem) -> None:
    report = run("payments", jsonl(payment(account_number="A404")))
    assert errors_of(report) == [(1, "account_number", "no customer has this account number")]
    report = run("scans", jsonl(scan(tracking_number="9505 5110 6960 5048 6006 24")))
    assert errors_of(report) == [(1, "tracking_number", "no tracked item has this tracking number")]


def test_importing_a_file_again_stores_only_the_rows_not_stored_before(jane: Customer) -> None:
    first = jsonl(sign_in(), sign_in(ip_address="not an ip"), sign_in(at="2026-03-02T00:00:00Z"))
    assert run("sign_ins", first).imported == 2
    fixed = jsonl(sign_in(), sign_in(ip_address="192.0.2.99"), sign_in(at="2026-03-02T00:00:00Z"))
    again = run("sign_ins", fixed)
    assert (again.imported, again.rejected) == (1, 2)
    assert {e.message for e in again.errors} == {"this record is already stored"}
    assert SignIn.objects.count() == 3


def test_duplicates_are_found_across_batches(
    jane: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importers, "BATCH", 2)
    rows = [customer(account_number=f"A{n}", email=f"{n}@example.com") for n in range(2, 7)]
    rows.append(customer(account_number="A3", email="x@example.com"))
    report = run("customers", jsonl(*rows))
    assert (report.imported, report.rejected) == (5, 1)
    assert errors_of(report)[0][0] == 6


def test_a_constraint_the_checks_missed_loses_only_its_row(
    jane: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if another import had taken the account number between the check and the insert.
    monkeypatch.setattr(importers, "_taken", lambda kind, unique, batch: set())
    rows = [customer(account_number="A2", email="a2@example.com"), customer(email="b@example.com")]
    report = run("customers", jsonl(*rows))
    assert (report.imported, report.rejected) == (1, 1)
    assert errors_of(report) == [(2, None, "conflicts with a record stored meanwhile")]
    assert Customer.objects.count() == 2


# -- reading files ---------------------------------------------------------------------


def test_a_jsonl_line_over_64_kib_is_a_row_error_and_the_next_line_is_read() -> None:
    long_line = json.dumps(customer(name="x" * LINE_LIMIT)).encode() + b"\n"
    report = run("customers", long_line + jsonl(customer(account_number="A2")))
    assert errors_of(report) == [(1, None, "the line is longer than 64 KiB")]
    assert report.imported == 1


def test_a_csv_line_over_64_kib_is_a_row_error_and_the_next_line_is_read() -> None:
    header = "account_number,name,address,email,opened_at\n"
    good = "A2,Ann,1 Elm St Springfield IL 62704,a@example.com,2025-01-01T00:00:00Z\n"
    long = f"A1,{'x' * LINE_LIMIT},1 Elm St,b@example.com,2025-01-01T00:00:00Z\n"
    report = run("customers", (header + long + good).encode(), "csv")
    assert errors_of(report) == [(2, None, "the line is longer than 64 KiB")]
    assert report.imported == 1


def test_a_jsonl_line_that_is_not_utf8_is_a_row_error() -> None:
    data = b'{"name": "Jos\xe9"}\n' + jsonl(customer())
    report = run("customers", data)
    assert errors_of(report) == [(1, None, "the line is not UTF-8 text")]
    assert report.imported == 1


def test_a_csv_file_that_is_not_utf8_is_refused_whole_and_nothing_is_stored() -> None:
    header = "account_number,name,address,email,opened_at\n"
    good = "A2,Ann,1 Elm St Springfield IL 62704,a@example.com,2025-01-01T00:00:00Z\n"
    latin1 = "A3,José,1 Elm St Springfield IL 62704,j@example.com,2025-01-01T00:00:00Z\n"
    with pytest.raises(ImportFileError, match="line 3 is not UTF-8 text"):
        run("customers", (header + good).encode() + latin1.encode("latin-1"), "csv")
    assert not Customer.objects.exists()
    assert not Entry.objects.filter(event="records.imported").exists()


def test_a_csv_file_saved_with_a_byte_order_mark_is_read() -> None:
    header = "\ufeffaccount_number,name,address,email,opened_at\n"
    good = "A2,Ann,1 Elm St Springfield IL 62704,a@example.com,2025-01-01T00:00:00Z\n"
    assert run("customers", (header + good).encode(), "csv").imported == 1


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (b"{not json", "not JSON: Expecting property name"),
        (b"[1, 2]", "not a JSON object"),
        (b'"just text"', "not a JSON object"),
        (b"[" * 10_000, "nested too deeply"),
    ],
)
def test_a_jsonl_line_that_is_not_a_json_object_is_a_row_error(line: bytes, says: str) -> None:
    report = run("customers", line + b"\n\n" + jsonl(customer()))
    assert report.read == 2  # the blank line is not a row
    assert (report.imported, report.rejected) == (1, 1)
    assert says in report.errors[0].message


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "the file is empty"),
        ("account_number,name,address,email\n", "the header has no opened_at column"),
        ("account_number,name,address,email,opened_at,colour\n", "not fields of customers: colour"),
        ("account_number,name,name,address,email,opened_at\n", "names a column twice"),
    ],
)
def test_a_csv_header_that_does_not_fit_the_kind_refuses_the_file(text: str, says: str) -> None:
    with pytest.raises(ImportFileError, match=says):
        run("customers", text.encode(), "csv")


def test_a_csv_row_with_the_wrong_number_of_fields_is_a_row_error() -> None:
    text = "account_number,name,address,email,opened_at\nA1,Ann\n,,,,\n"
    report = run("customers", text.encode(), "csv")
    assert errors_of(report) == [(2, None, "has 2 fields; the header names 5")]
    assert report.read == 1  # the row of empty cells is a blank line


def test_a_csv_record_over_several_lines_is_reported_at_its_first(jane: Customer) -> None:
    text = (
        "account_number,at,old_address,new_address\n"
        f'{ACCOUNT},2026-01-01T00:00:00Z,"1 Elm St\nSpringfield IL 62704",\n'
        f"{ACCOUNT},nope,1 Elm St,2 Elm St\n"
    )
    report = run("address_changes", text.encode(), "csv")
    assert errors_of(report) == [
        (2, "new_address", "missing"),
        (4, "at", "not an ISO 8601 time such as 2024-05-01T14:30:00Z"),
    ]


def test_the_format_comes_from_the_extension_unless_given(tmp_path: Path) -> None:
    (tmp_path / "people.ndjson").write_bytes(jsonl(customer()))
    assert import_file("customers", tmp_path / "people.ndjson", NOW).imported == 1
    (tmp_path / "people.txt").write_bytes(jsonl(customer(account_number="A2", email="b@x.org")))
    with pytest.raises(ImportFileError, match="give --format csv or jsonl"):
        import_file("customers", tmp_path / "people.txt", NOW)
    assert import_file("customers", tmp_path / "people.txt", NOW, fmt="jsonl").imported == 1


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ImportFileError, match="no kind of record is called 'parcels'"):
        run("parcels", jsonl(customer()))


# -- the ledger -------------------------------------------------------------------------


def test_each_import_leaves_one_ledger_entry_with_counts_only() -> None:
    run("customers", jsonl(customer(), customer(account_number="A2", email="bad")))
    [entry] = Entry.objects.filter(event="records.imported")
    assert entry.details == {"kind": "customers", "imported": 1, "rejected": 1}
    assert entry.at == NOW
    assert "Jane" not in bytes(entry.data).decode()
