"""The production of a records request: what is handed over, built so it can be rebuilt.

A production is a ZIP holding one CSV per requested category, a cover letter (PDF) and
`manifest.json` with the SHA-256 of every other member. It is built from the customer
records known at the production time (`Scope.as_of`: only rows recorded by then) and
inside the request's date range (RR-SCOPE), and every byte is a function of those rows
and the letter's facts: no clock, no random ids, fixed member order, times and
permissions. So the ZIP can be rebuilt later and compared, byte for byte, with the
hashes put on the ledger when it was handed over (`rebuild_matches`).

The bytes also depend on the versions of WeasyPrint and the fonts (the letter's layout, a
tagged PDF: web/documents.py) and of zlib (the compression); `rebuild_matches` names the
members that differ, so a rebuild under other versions shows whether only the letter or
the container changed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from django.db.models import QuerySet

from mailcover.law.records import (
    EMERGENCY_FOLLOW_UP_DAYS,
    INSTRUMENT_NAMES,
    Category,
    Instrument,
    in_range,
)
from mailcover.records.models import AddressChange, Customer, Payment, ScanEvent, SignIn
from mailcover.web.documents import tagged_pdf
from mailcover.web.labels import label
from mailcover.web.times import zoned_text, zoned_with_utc

CSV_NAMES: dict[Category, str] = {
    Category.SUBSCRIBER: "subscriber.csv",
    Category.TRANSACTIONAL: "transactional.csv",
    Category.FINANCIAL: "financial.csv",
    Category.CONTENT: "content.csv",
}
LETTER_NAME = "cover-letter.pdf"
MANIFEST_NAME = "manifest.json"


def _header(line: str) -> tuple[str, ...]:
    """The columns, written as the CSV's header line reads."""
    return tuple(line.split(","))


COLUMNS: dict[Category, tuple[str, ...]] = {
    # RR-SUBSCRIBER, 2703(c)(2)(A)-(F).
    Category.SUBSCRIBER: _header(
        "record_type,time,account_number,name,address,email,phone,services,ip_address,"
        "duration_seconds,card_brand,card_last4"
    ),
    # RR-RECORDS, 2703(c)(1): other non-content records.
    Category.TRANSACTIONAL: _header(
        "record_type,time,ip_address,user_agent,tracking_number,role,event,location,amount,"
        "currency,description"
    ),
    # RR-FINANCIAL, 12 U.S.C. 3401(2): the customer's account records.
    Category.FINANCIAL: _header(
        "record_type,time,amount,currency,card_brand,card_last4,processor_token,description"
    ),
    Category.CONTENT: _header("record_type,time,note"),
}

EMERGENCY_MARKING = "EMERGENCY DISCLOSURE under 18 U.S.C. 2702(c)(4)/(b)(8)"
NO_CONTENT_NOTE = (
    "The service holds no content of communications: a mail cover records the exterior "
    "of mail only, so content.csv has no rows."
)
# Fixed, so that the bytes do not depend on zlib's default or the Python build.
COMPRESSLEVEL = 6
# -rw-r--r-- on a regular file, written as by a Unix system (create_system 3), whatever
# system builds it: zipfile's default differs on Windows.
FILE_MODE = 0o100644 << 16
UNIX = 3
ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)  # the earliest time a ZIP entry can hold


class ProductionError(Exception):
    """A production cannot be built as asked; the message says what to fix."""


@dataclass(frozen=True)
class Scope:
    """What a production reads: one customer's rows recorded by `as_of` (the production
    time), in the categories asked for and the date range [start, end], whole UTC days.
    `customer_id` None: the identifiers matched no customer."""

    customer_id: int | None
    categories: tuple[Category, ...]
    start: date
    end: date
    as_of: datetime


@dataclass(frozen=True)
class Letter:
    """The facts the cover letter states."""

    request_number: str
    agency_name: str
    agency_address: str
    instrument: Instrument
    issued_by: str
    issued_on: date | None  # None: an emergency request has no instrument yet
    instrument_number: str
    categories: tuple[Category, ...]
    start: date
    end: date
    produced_at: datetime
    produced_by: str  # the inspector's name
    emergency: bool = False
    no_records: bool = False
    # The IANA zone the letter gives times in: the recipient agency's, as the ledger
    # recorded it at production (a rebuild must not follow a later change of zone).
    time_zone: str = "UTC"


@dataclass(frozen=True)
class Package:
    data: bytes  # the ZIP
    sha256: str
    manifest: dict[str, str]  # member name -> SHA-256, every member (manifest.json too)
    counts: dict[str, int]  # category -> data rows


@dataclass(frozen=True)
class _Row:
    """One CSV row before it is written, with what it is sorted by."""

    at: datetime
    rank: int  # orders rows of different kinds that share a time
    pk: int
    cells: dict[str, str]


# -- Building -------------------------------------------------------------------------


def build(scope: Scope, letter: Letter) -> Package:
    """The production of `scope`, with `letter` as its cover letter."""
    _check_agrees(scope, letter)
    if scope.customer_id is None:
        return no_records_package(letter)
    customer = _customer(scope.customer_id, scope.as_of)
    tables = {category: _TABLES[category](customer, scope) for category in _ordered(scope)}
    files = {CSV_NAMES[c]: _csv(COLUMNS[c], rows) for c, rows in tables.items()}
    rows = {CSV_NAMES[c]: len(table) for c, table in tables.items()}
    pdf = cover_letter(letter, rows)
    members = [*files.items(), (LETTER_NAME, pdf)]
    manifest = _manifest_json(letter, members, rows)
    return _package(
        [*members, (MANIFEST_NAME, manifest)],
        {c.value: len(table) for c, table in tables.items()},
        letter.produced_at,
    )


def no_records_package(letter: Letter) -> Package:
    """The answer when the identifiers match no customer: the cover letter alone, saying
    so. It names no customer and counts no rows: anything more would disclose records
    the request did not reach."""
    pdf = cover_letter(replace(letter, no_records=True), {})
    return _package([(LETTER_NAME, pdf)], {}, letter.produced_at)


def rebuild_matches(
    package_sha256: str, manifest: dict[str, str], scope: Scope, letter: Letter
) -> list[str]:
    """The differences between a production as the ledger hashed it and its rebuild,
    in words; empty when the rebuild is the same byte for byte."""
    try:
        rebuilt = build(scope, letter)
    except ProductionError as error:
        return [f"the production cannot be rebuilt: {error}"]
    found = [
        _member_difference(name, manifest, rebuilt.manifest) for name in _names(manifest, rebuilt)
    ]
    differences = [text for text in found if text]
    if rebuilt.sha256 != package_sha256:
        differences.append(
            f"the ZIP differs: the ledger has SHA-256 {package_sha256}, the rebuild "
            f"{rebuilt.sha256}"
            + ("" if differences else " (every member is the same: only the container changed)")
        )
    return differences


def _names(manifest: dict[str, str], rebuilt: Package) -> list[str]:
    """Every member either side names, the rebuild's in its order first."""
    return [*rebuilt.manifest, *sorted(set(manifest) - set(rebuilt.manifest))]


def _member_difference(name: str, ledger: dict[str, str], rebuilt: dict[str, str]) -> str:
    if name not in ledger:
        return f"{name} is in the rebuild but not in the ledger's manifest"
    if name not in rebuilt:
        return f"{name} is in the ledger's manifest but not in the rebuild"
    if ledger[name] != rebuilt[name]:
        return f"{name} differs: the ledger has SHA-256 {ledger[name]}, the rebuild {rebuilt[name]}"
    return ""


def _check_agrees(scope: Scope, letter: Letter) -> None:
    """The letter describes the production it covers; a mismatch is a caller's error
    that would put a false statement on a legal document."""
    if scope.as_of.tzinfo is None or letter.produced_at.tzinfo is None:
        raise ProductionError("the production time must carry a time zone")
    if not scope.categories and scope.customer_id is not None:
        raise ProductionError("a production names at least one category")
    mismatched = [
        name
        for name, ours, theirs in (
            ("categories", set(scope.categories), set(letter.categories)),
            ("start", scope.start, letter.start),
            ("end", scope.end, letter.end),
            ("produced_at", scope.as_of, letter.produced_at),
            ("no_records", scope.customer_id is None, letter.no_records),
        )
        if ours != theirs
    ]
    if mismatched:
        raise ProductionError("the cover letter and the scope disagree on " + ", ".join(mismatched))


def _ordered(scope: Scope) -> list[Category]:
    # A fixed member order whatever order the request listed its categories in.
    return [category for category in CSV_NAMES if category in scope.categories]


def _customer(customer_id: int, as_of: datetime) -> Customer:
    customer = Customer.objects.filter(pk=customer_id, recorded_at__lte=as_of).first()
    if customer is None:
        raise ProductionError(f"customer {customer_id} was not on record at {_iso(as_of)}")
    return customer


# -- Reading the customer's records ---------------------------------------------------

Timed = TypeVar("Timed", SignIn, Payment, AddressChange, ScanEvent)


def _within(rows: QuerySet[Timed], scope: Scope) -> list[Timed]:
    """Rows recorded by the production time whose time falls in the range (RR-SCOPE).
    The database narrows to a window a day wider each side; `in_range` decides."""
    low = datetime.combine(scope.start - timedelta(days=1), time.min, UTC)
    high = datetime.combine(scope.end + timedelta(days=2), time.min, UTC)
    known = rows.filter(recorded_at__lte=scope.as_of, at__gte=low, at__lt=high)
    return [row for row in known if in_range(_utc(row.at), scope.start, scope.end)]


def _sign_ins(customer: Customer, scope: Scope) -> list[SignIn]:
    return _within(SignIn.objects.filter(customer=customer), scope)


def _payments(customer: Customer, scope: Scope) -> list[Payment]:
    return _within(Payment.objects.filter(customer=customer), scope)


def _address_changes(customer: Customer, scope: Scope) -> list[AddressChange]:
    return _within(AddressChange.objects.filter(customer=customer), scope)


def _scans(customer: Customer, scope: Scope) -> list[ScanEvent]:
    # An item recorded after the production time was not the customer's then.
    items = ScanEvent.objects.filter(item__customer=customer, item__recorded_at__lte=scope.as_of)
    return _within(items.select_related("item"), scope)


def _address_at(customer: Customer, scope: Scope) -> str:
    """RR-SCOPE: the address in force at the end of the range (or at the production, if
    sooner): the last change that took effect by then; else the old address of the first
    change after it; else the address the account was opened with. Read from the
    append-only changes recorded by the production, so a later change does not alter a
    rebuild, and an address taken after the range is not disclosed."""
    cutoff = min(
        scope.as_of,
        datetime.combine(scope.end + timedelta(days=1), time.min, tzinfo=UTC),
    )
    changes = AddressChange.objects.filter(customer=customer, recorded_at__lte=scope.as_of)
    last = changes.filter(at__lt=cutoff).order_by("-at", "-pk").first()
    if last is not None:
        return last.new_address
    after = changes.filter(at__gte=cutoff).order_by("at", "pk").first()
    return customer.address if after is None else after.old_address


# -- The tables -----------------------------------------------------------------------


def _subscriber(customer: Customer, scope: Scope) -> list[_Row]:
    """RR-SUBSCRIBER: the account as it stands (whatever the range), then the address
    changes, sessions and means of payment inside the range."""
    account = _Row(
        customer.opened_at,
        0,
        customer.pk,
        {
            "record_type": "account",
            "account_number": _cell(customer.account_number),
            "name": _cell(customer.name),
            "address": _cell(_address_at(customer, scope)),
            "email": _cell(customer.email),
            "phone": _cell(customer.phone),
            "services": _cell(";".join(str(s) for s in customer.services)),
        },
    )
    changes = [
        _Row(c.at, 1, c.pk, {"record_type": "address_change", "address": _cell(c.new_address)})
        for c in _address_changes(customer, scope)
    ]
    sessions = [_session(s) for s in _sign_ins(customer, scope)]
    means = _payment_means(_payments(customer, scope))
    return _sorted([account, *changes, *sessions, *means])


def _session(sign_in: SignIn) -> _Row:
    duration = sign_in.duration_seconds
    cells = {
        "record_type": "session",
        "ip_address": sign_in.ip_address,
        "duration_seconds": "" if duration is None else str(duration),
    }
    return _Row(sign_in.at, 2, sign_in.pk, cells)


def _payment_means(payments: list[Payment]) -> list[_Row]:
    """2703(c)(2)(F): each card seen in the range once, at its first use in it. Only the
    brand and last four digits: a full number is never stored, let alone produced."""
    first: dict[tuple[str, str], Payment] = {}
    for payment in sorted(payments, key=lambda p: (_utc(p.at), p.pk)):
        first.setdefault((payment.card_brand, payment.card_last4), payment)
    return [
        _Row(
            p.at,
            3,
            p.pk,
            {
                "record_type": "payment_means",
                "card_brand": _cell(p.card_brand),
                "card_last4": _cell(p.card_last4),
            },
        )
        for p in first.values()
    ]


def _transactional(customer: Customer, scope: Scope) -> list[_Row]:
    """RR-RECORDS: the full sign-in history, the scans of the customer's items, and the
    payment history (without the processor's token, which is financial)."""
    sign_ins = [
        _Row(
            s.at,
            0,
            s.pk,
            {
                "record_type": "sign_in",
                "ip_address": s.ip_address,
                "user_agent": _cell(s.user_agent),
            },
        )
        for s in _sign_ins(customer, scope)
    ]
    scans = [_scan(s) for s in _scans(customer, scope)]
    payments = [
        _Row(p.at, 2, p.pk, {"record_type": "payment", **_money(p)})
        for p in _payments(customer, scope)
    ]
    return _sorted([*sign_ins, *scans, *payments])


def _scan(scan: ScanEvent) -> _Row:
    cells = {
        "record_type": "tracking_scan",
        "tracking_number": _cell(scan.item.tracking_number),
        "role": _cell(scan.item.role),
        "event": _cell(scan.event),
        "location": _cell(scan.location),
    }
    return _Row(scan.at, 1, scan.pk, cells)


def _financial(customer: Customer, scope: Scope) -> list[_Row]:
    """RR-FINANCIAL: the payments as account records, with the card and the token."""
    rows = [
        _Row(
            p.at,
            0,
            p.pk,
            {
                "record_type": "payment",
                **_money(p),
                "card_brand": _cell(p.card_brand),
                "card_last4": _cell(p.card_last4),
                "processor_token": _cell(p.processor_token),
            },
        )
        for p in _payments(customer, scope)
    ]
    return _sorted(rows)


def _content(customer: Customer, scope: Scope) -> list[_Row]:
    """RR-CONTENT: nothing. The file is there, empty, so that the answer is explicit."""
    return []


def _money(payment: Payment) -> dict[str, str]:
    # Always two decimals: the database may hand back 12.5 or 12.50.
    return {
        "amount": f"{payment.amount:.2f}",
        "currency": _cell(payment.currency),
        "description": _cell(payment.description),
    }


_TABLES = {
    Category.SUBSCRIBER: _subscriber,
    Category.TRANSACTIONAL: _transactional,
    Category.FINANCIAL: _financial,
    Category.CONTENT: _content,
}


def _sorted(rows: Iterable[_Row]) -> list[_Row]:
    return sorted(rows, key=lambda row: (_utc(row.at), row.rank, row.pk))


# -- Showing before releasing -----------------------------------------------------------


@dataclass(frozen=True)
class PreviewTable:
    """One CSV file of a production as it would be written now, for the reviewer to read
    before anything is released."""

    category: Category
    name: str  # the file's name in the package
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    first: datetime | None  # the earliest row's time, None when there are no rows
    last: datetime | None


def preview(scope: Scope) -> list[PreviewTable]:
    """The rows a production of `scope` would hold, file by file, cell for cell as the CSV
    writes them. Builds nothing and records nothing."""
    if scope.customer_id is None:
        return []
    customer = _customer(scope.customer_id, scope.as_of)
    tables = []
    for category in _ordered(scope):
        rows = _TABLES[category](customer, scope)
        columns = COLUMNS[category]
        cells = [{**row.cells, "time": _iso(row.at)} for row in rows]
        tables.append(
            PreviewTable(
                category=category,
                name=CSV_NAMES[category],
                columns=columns,
                rows=[tuple(c.get(column, "") for column in columns) for c in cells],
                first=rows[0].at if rows else None,
                last=rows[-1].at if rows else None,
            )
        )
    return tables


# -- Writing the members --------------------------------------------------------------


def _csv(columns: tuple[str, ...], rows: list[_Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        cells = {**row.cells, "time": _iso(row.at)}
        writer.writerow([cells.get(column, "") for column in columns])
    return out.getvalue().encode("utf-8")


def _cell(text: str) -> str:
    # A cell a spreadsheet would read as a formula is written as text (CSV injection);
    # the same rule as the accounting's CSV (ledger.accounting).
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def _manifest_json(letter: Letter, members: list[tuple[str, bytes]], rows: dict[str, int]) -> bytes:
    """The hashes of every other member; `rows` for the CSVs only (a letter has none)."""
    files: dict[str, dict[str, object]] = {}
    for name, data in members:
        files[name] = {"sha256": _sha256(data), "bytes": len(data)}
        if name in rows:
            files[name]["rows"] = rows[name]
    manifest = {
        "request": letter.request_number,
        "produced_at": _iso(letter.produced_at),
        "emergency": letter.emergency,
        "files": files,
    }
    return (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=True) + "\n").encode()


def _package(members: list[tuple[str, bytes]], counts: dict[str, int], at: datetime) -> Package:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members:
            archive.writestr(
                _zip_info(name, at), data, zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL
            )
    data = out.getvalue()
    manifest = {name: _sha256(member) for name, member in members}
    return Package(data=data, sha256=_sha256(data), manifest=manifest, counts=counts)


def _zip_info(name: str, at: datetime) -> zipfile.ZipInfo:
    moment = max(_utc(at), ZIP_EPOCH)  # a ZIP's times start in 1980
    info = zipfile.ZipInfo(name, date_time=moment.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = UNIX
    info.external_attr = FILE_MODE
    return info


# -- The cover letter -----------------------------------------------------------------


def cover_letter(letter: Letter, rows: dict[str, int]) -> bytes:
    """The cover letter as a tagged PDF (PDF/UA-1) whose bytes depend on `letter` and
    `rows` alone: its creation date is the production's."""
    context = {
        "letter": letter,
        "address_lines": [_text(line) for line in letter.agency_address.splitlines()],
        "instrument": _instrument(letter),
        "produced_at": zoned_with_utc(letter.produced_at, letter.time_zone),
        "produced_on": zoned_text(letter.produced_at, letter.time_zone)[:10],
        "time_zone": letter.time_zone,
        "categories": "; ".join(label("category", c) for c in CSV_NAMES if c in letter.categories),
        "files": list(rows.items()),
        "manifest_name": MANIFEST_NAME,
        "content_note": NO_CONTENT_NOTE if Category.CONTENT in letter.categories else "",
        "no_records_text": NO_RECORDS_TEXT,
        "emergency_marking": EMERGENCY_MARKING,
        "emergency_paragraph": _emergency_paragraph(),
    }
    clean = replace(
        letter,
        agency_name=_text(letter.agency_name),
        produced_by=_text(letter.produced_by),
        request_number=_text(letter.request_number),
    )
    return tagged_pdf(
        "records/cover_letter.html",
        {**context, "letter": clean},
        f"Records production {clean.request_number}",
        letter.produced_at,
    )


def _instrument(letter: Letter) -> str:
    issued = f" on {letter.issued_on.isoformat()}" if letter.issued_on else ""
    number = f", number {letter.instrument_number}" if letter.instrument_number else ""
    return _text(
        f"{INSTRUMENT_NAMES[letter.instrument]}, issued by {letter.issued_by}{issued}{number}"
    )


NO_RECORDS_TEXT = (
    "The identifiers in this request match no customer of the service. No records "
    "are produced and nothing else is disclosed."
)


def _emergency_paragraph() -> str:
    return (
        f"{EMERGENCY_MARKING}: made without legal process on the requester's good-faith "
        "attestation of a danger of death or serious physical injury, and limited to what "
        "relates to the emergency. The follow-up legal process is requested within "
        f"{EMERGENCY_FOLLOW_UP_DAYS} days."
    )


def _text(text: str) -> str:
    """Text as the letter writes it: composed (a combining accent joined to its letter)
    and without control characters, which are not text and which a PDF cannot hold in a
    string. Any script is drawn, with the fonts the system has."""
    composed = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in composed if unicodedata.category(ch) != "Cc")


# -- Small helpers --------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _iso(moment: datetime) -> str:
    """ISO 8601 in UTC with Z, to the second unless the record has a fraction."""
    spec = "microseconds" if moment.microsecond else "seconds"
    return _utc(moment).isoformat(timespec=spec).replace("+00:00", "Z")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
