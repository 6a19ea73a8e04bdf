"""Customer records imported from files: CSV with a header row, or JSON Lines.

One kind of record per file (`KINDS`); the fields of each are `FIELDS`, read and checked
by records/fields.py. Every row is checked before it is stored, and a bad row is
reported with its line and field and left out, never stopping the rest: times are ISO
8601 with a zone, IP addresses and emails valid, tracking numbers pass their check digit
(postal/tracking.py) and are stored as their PIC, amounts are positive with at most two
decimal places, a card is its last four digits. A row that holds a full card number
anywhere is refused whole, and the number is kept nowhere, not even in the error
(models.py: a full card number is never stored). Errors name the field and the
problem, never the value: these are customer records, and the errors end up in
terminals and logs.

Rows are stored in batches (bulk_create); when a batch breaks a database constraint
(another import at the same moment took an account number), its rows are stored one by
one, so that only the conflicting row is lost. The whole import is one transaction,
with its one ledger entry (counts only) inside it: the records and the entry that says
they came in commit together or not at all. A problem with the file as a whole (a CSV
that is not UTF-8, a header without a required column) raises `ImportFileError`, and
nothing of the file is stored.

A row that repeats a record already stored (same customer or item, same time, same
details) is refused as a duplicate: importing a file again after fixing its bad rows
then adds only those rows.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower

from mailcover.ledger import log
from mailcover.ledger.events import EventName
from mailcover.postal.address import AddressError, parse
from mailcover.records.fields import (
    CARD_FIELDS,
    NO_DEFAULT,
    Column,
    Invalid,
    Raw,
    amount,
    blank,
    card_field,
    choice,
    currency,
    email,
    ip_address,
    moment,
    pattern,
    quotable_name,
    seconds,
    services,
    text,
    tracking_number,
)
from mailcover.records.models import (
    AddressChange,
    Customer,
    Payment,
    ScanEvent,
    SignIn,
    TrackedItem,
)

if TYPE_CHECKING:
    from mailcover.accounts.models import User

KINDS = ("customers", "sign_ins", "items", "scans", "payments", "address_changes")
FORMATS = ("csv", "jsonl")
LINE_LIMIT = 64 * 1024
"""Bytes in one line, its newline aside; a longer line is a row error, read past unkept."""
BATCH = 500
CARD_REFUSAL = "a full card number is never stored: give the last four digits (card_last4)"


@dataclass(frozen=True)
class RowError:
    """One problem with one row: its line (the first, for a CSV record over several),
    the field (None for the row as a whole) and what is wrong, without the value."""

    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: {self.field}" if self.field else f"line {self.line}"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    """Rows read (blank lines aside), stored and refused, and every refusal's reasons."""

    kind: str
    read: int = 0
    imported: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)

    def reject(self, errors: list[RowError]) -> None:
        self.rejected += 1
        self.errors.extend(errors)

    def summary(self) -> str:
        return f"{self.kind}: {self.read} read, {self.imported} imported, {self.rejected} rejected"


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; nothing of it was."""


_ACCOUNT = Column(
    "account_number",
    pattern(r"[A-Za-z0-9][A-Za-z0-9-]*", 20, "not an account number (letters, digits, -)"),
)
_AT = Column("at", moment)
_PHONE = pattern(
    r"\+?[0-9 ().-]*[0-9][0-9 ().-]*", 30, "not a phone number (digits, spaces and + ( ) - .)"
)


@dataclass(frozen=True)
class _Parent:
    """The record a row hangs from, named by a field of the row."""

    column: str
    model: type[models.Model]
    attribute: str  # the foreign key on the row's model
    missing: str


@dataclass(frozen=True)
class _Unique:
    column: str
    casefold: bool
    message: str


@dataclass(frozen=True)
class _Kind:
    model: type[models.Model]
    columns: tuple[Column, ...]
    parent: _Parent | None = None
    unique: tuple[_Unique, ...] = ()
    same: tuple[str, ...] = ()
    """The model fields that make two rows one record: the second is a duplicate."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


_CUSTOMER = _Parent(
    "account_number", Customer, "customer_id", "no customer has this account number"
)
_ITEM = _Parent(
    "tracking_number", TrackedItem, "item_id", "no tracked item has this tracking number"
)

_KINDS: dict[str, _Kind] = {
    "customers": _Kind(
        Customer,
        (_ACCOUNT, Column("name", text(200)), Column("address", text(300)),
         Column("email", email), Column("phone", _PHONE, ""),
         Column("opened_at", moment), Column("services", services, [])),
        unique=(
            _Unique("account_number", False, "another customer already has this account number"),
            _Unique("email", True, "another customer already has this email address"),
        ),
    ),
    "sign_ins": _Kind(
        SignIn,
        (_ACCOUNT, _AT, Column("ip_address", ip_address), Column("user_agent", text(500), ""),
         Column("duration_seconds", seconds, None)),
        parent=_CUSTOMER,
        same=("customer_id", "at", "ip_address", "user_agent", "duration_seconds"),
    ),
    "items": _Kind(
        TrackedItem,
        (_ACCOUNT, Column("tracking_number", tracking_number),
         Column("role", choice(*TrackedItem.Role.values))),
        parent=_CUSTOMER,
        unique=(_Unique("tracking_number", False, "this tracking number is already recorded"),),
    ),
    "scans": _Kind(
        ScanEvent,
        (Column("tracking_number", tracking_number), _AT, Column("event", text(100)),
         Column("location", text(200))),
        parent=_ITEM,
        same=("item_id", "at", "event", "location"),
    ),
    "payments": _Kind(
        Payment,
        (_ACCOUNT, _AT, Column("amount", amount), Column("currency", currency, "USD"),
         Column("card_brand", text(20)),
         Column("card_last4", pattern(r"[0-9]{4}", 4, "not the last four digits of a card")),
         Column("processor_token", text(100)), Column("description", text(200), "")),
        parent=_CUSTOMER,
        same=("customer_id", "at", "amount", "currency", "card_brand", "card_last4",
              "processor_token", "description"),
    ),
    "address_changes": _Kind(
        AddressChange,
        (_ACCOUNT, _AT, Column("old_address", text(300)), Column("new_address", text(300))),
        parent=_CUSTOMER,
        same=("customer_id", "at", "old_address", "new_address"),
    ),
}  # fmt: skip

FIELDS: dict[str, tuple[str, ...]] = {kind: spec.names for kind, spec in _KINDS.items()}
"""The fields of each kind, in the order a CSV header may give them."""
REQUIRED: dict[str, tuple[str, ...]] = {
    kind: tuple(c.name for c in spec.columns if c.default is NO_DEFAULT)
    for kind, spec in _KINDS.items()
}


def address_key(address: str) -> str:
    """The address's delivery-point key (postal.address), or "" when it cannot be read:
    the key helps find a customer; an address it cannot read is still the customer's."""
    try:
        return parse(address).delivery_point_key
    except AddressError:
        return ""


# -- one row ---------------------------------------------------------------------------


@dataclass
class _Parsed:
    line: int
    values: dict[str, Any]


def _parse_row(kind: _Kind, line: int, raw: Raw, now: datetime) -> _Parsed | list[RowError]:
    card = card_field(raw)
    if card is not None:
        return [RowError(line, quotable_name(card), CARD_REFUSAL)]
    errors = [
        RowError(
            line,
            quotable_name(name),
            f"not a field of this kind; its fields are {', '.join(kind.names)}",
        )
        for name, value in raw.items()
        if name not in kind.names and not (name in CARD_FIELDS and blank(value))
    ]  # an empty card_number cell is no card number: a CSV's column gives every row one
    values: dict[str, Any] = {}
    for column in kind.columns:
        try:
            values[column.name] = _value(column, raw.get(column.name), now)
        except Invalid as problem:
            errors.append(RowError(line, column.name, str(problem)))
    return errors or _Parsed(line, values)


def _value(column: Column, raw: Any, now: datetime) -> Any:
    if blank(raw):
        if column.default is NO_DEFAULT:
            raise Invalid("missing")
        return column.default
    value = column.parse(raw)
    if isinstance(value, datetime) and value > now:
        raise Invalid("after the time of the import: check its time zone")
    return value


# -- a batch of rows -------------------------------------------------------------------


def _parent_ids(kind: _Kind, batch: list[_Parsed]) -> dict[str, int]:
    if kind.parent is None:
        return {}
    column = kind.parent.column
    wanted = {row.values[column] for row in batch}
    found = kind.parent.model._default_manager.filter(**{f"{column}__in": wanted})
    return dict(found.values_list(column, "pk"))


def _taken(kind: _Kind, unique: _Unique, batch: list[_Parsed]) -> set[str]:
    fold = str.lower if unique.casefold else str
    wanted = {fold(row.values[unique.column]) for row in batch}
    stored = kind.model._default_manager.all()
    if unique.casefold:
        stored = stored.annotate(folded=Lower(unique.column))
        return set(stored.filter(folded__in=wanted).values_list("folded", flat=True))
    filtered = stored.filter(**{f"{unique.column}__in": wanted})
    return set(filtered.values_list(unique.column, flat=True))


def _stored(kind: _Kind, batch: list[_Parsed], parents: dict[str, int]) -> set[tuple[Any, ...]]:
    if not kind.same or kind.parent is None:
        return set()
    found = kind.model._default_manager.filter(
        **{f"{kind.parent.attribute}__in": set(parents.values())},
        at__in={row.values["at"] for row in batch},
    )
    return set(found.values_list(*kind.same))


def _build(
    kind: _Kind, batch: list[_Parsed], now: datetime, report: ImportReport
) -> list[tuple[int, models.Model]]:
    """The rows of a batch as unsaved model instances; a row that names no parent, or
    repeats a unique value or a whole record, is refused."""
    parents = _parent_ids(kind, batch)
    taken = {u.column: _taken(kind, u, batch) for u in kind.unique}
    stored = _stored(kind, batch, parents)
    pending: list[tuple[int, models.Model]] = []
    for row in batch:
        errors = _conflicts(kind, row, parents, taken)
        if errors:
            report.reject(errors)
            continue
        instance = _instance(kind, row.values, parents, now)
        key = tuple(getattr(instance, name) for name in kind.same)
        if kind.same and key in stored:
            report.reject([RowError(row.line, None, "this record is already stored")])
            continue
        stored.add(key)
        pending.append((row.line, instance))
    return pending


def _conflicts(
    kind: _Kind, row: _Parsed, parents: dict[str, int], taken: dict[str, set[str]]
) -> list[RowError]:
    errors = []
    parent = kind.parent
    if parent is not None and row.values[parent.column] not in parents:
        errors.append(RowError(row.line, parent.column, parent.missing))
    for unique in kind.unique:
        value = row.values[unique.column]
        folded = value.lower() if unique.casefold else value
        if folded in taken[unique.column]:
            errors.append(RowError(row.line, unique.column, unique.message))
    if not errors:
        for unique in kind.unique:  # a later row of the file repeating it is the duplicate
            value = row.values[unique.column]
            taken[unique.column].add(value.lower() if unique.casefold else value)
    return errors


def _instance(
    kind: _Kind, values: dict[str, Any], parents: dict[str, int], now: datetime
) -> models.Model:
    fields = dict(values)
    if kind.parent is not None:
        fields[kind.parent.attribute] = parents[fields.pop(kind.parent.column)]
    if kind.model is Customer:
        fields["address_key"] = address_key(fields["address"])
    return kind.model(**fields, recorded_at=now)


def _insert(kind: _Kind, pending: list[tuple[int, models.Model]], report: ImportReport) -> None:
    if not pending:
        return
    try:
        with transaction.atomic():
            kind.model._default_manager.bulk_create([instance for _, instance in pending])
    except IntegrityError:
        pass  # stored one by one below, so that the conflicting row alone is lost
    else:
        report.imported += len(pending)
        return
    for line, instance in pending:
        try:
            with transaction.atomic():
                kind.model._default_manager.bulk_create([instance])
        except IntegrityError:
            # The database's message may quote the value: it is not passed on.
            report.reject([RowError(line, None, "conflicts with a record stored meanwhile")])
        else:
            report.imported += 1


# -- whole imports ---------------------------------------------------------------------


def import_rows(
    kind: str,
    rows: Iterable[tuple[int, Raw | RowError]],
    now: datetime,
    *,
    actor: User | None = None,
) -> ImportReport:
    """Check and store rows (line number and fields, or the error reading them gave),
    and put the import on the ledger. Raises `ImportFileError` for an unknown kind, or
    when the rows' source does; nothing is stored then."""
    if kind not in _KINDS:
        raise ImportFileError(f"no kind of record is called {kind!r}: {', '.join(KINDS)}")
    if now.tzinfo is None:
        raise ValueError("the import's clock must carry a time zone")
    spec = _KINDS[kind]
    report = ImportReport(kind)
    with transaction.atomic():
        batch: list[_Parsed] = []
        for line, row in rows:
            report.read += 1
            parsed = [row] if isinstance(row, RowError) else _parse_row(spec, line, row, now)
            if isinstance(parsed, list):
                report.reject(parsed)
                continue
            batch.append(parsed)
            if len(batch) == BATCH:
                _insert(spec, _build(spec, batch, now, report), report)
                batch = []
        _insert(spec, _build(spec, batch, now, report), report)
        report.errors.sort(key=lambda error: error.line)  # a batch's conflicts come last
        log.record(
            actor,
            EventName.RECORDS_IMPORTED,
            now,
            kind=kind,
            imported=report.imported,
            rejected=report.rejected,
        )
    return report


def import_stream(
    kind: str, handle: IO[bytes], fmt: str, now: datetime, *, actor: User | None = None
) -> ImportReport:
    """Import one file's bytes, CSV (with a header row) or JSON Lines."""
    if fmt not in FORMATS:
        raise ImportFileError(f"the format is csv or jsonl, not {fmt!r}")
    if kind not in _KINDS:
        raise ImportFileError(f"no kind of record is called {kind!r}: {', '.join(KINDS)}")
    rows = csv_rows(handle, kind) if fmt == "csv" else jsonl_rows(handle)
    return import_rows(kind, rows, now, actor=actor)


def import_file(
    kind: str, path: Path, now: datetime, *, fmt: str | None = None, actor: User | None = None
) -> ImportReport:
    """Import a file; its format from its extension (.csv, .jsonl or .ndjson) unless
    given. Raises OSError when it cannot be opened."""
    with path.open("rb") as handle:
        return import_stream(kind, handle, fmt or format_of(path), now, actor=actor)


def format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    raise ImportFileError(
        f"cannot tell the format of {path.name} from its extension: give --format csv or jsonl"
    )


# -- reading files ---------------------------------------------------------------------


def _bounded_lines(handle: IO[bytes]) -> Iterator[bytes | None]:
    """Each line of `handle`, or None for a line over LINE_LIMIT (read past, not kept:
    a line of a gigabyte must not be held in memory to be refused)."""
    while line := handle.readline(LINE_LIMIT + 1):
        if len(line) > LINE_LIMIT and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(LINE_LIMIT)
            yield None
        else:
            yield line


def _too_long(line: int) -> RowError:
    return RowError(line, None, f"the line is longer than {LINE_LIMIT // 1024} KiB")


def jsonl_rows(handle: IO[bytes]) -> Iterator[tuple[int, Raw | RowError]]:
    """One JSON object a line; a line that is not one is a row error. Numbers are kept as
    written (12.50 stays "12.50"), so that an amount is never a binary fraction."""
    for number, line in enumerate(_bounded_lines(handle), 1):
        if line is None:
            yield number, _too_long(number)
            continue
        try:
            text = line.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            yield number, RowError(number, None, "the line is not UTF-8 text")
            continue
        if text.strip():
            yield number, _json_object(number, text)


def _json_object(number: int, text: str) -> Raw | RowError:
    try:
        value = json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
    except json.JSONDecodeError as problem:
        return RowError(number, None, f"not JSON: {problem.msg} at column {problem.colno}")
    except RecursionError:
        return RowError(number, None, "not JSON this importer reads: nested too deeply")
    if not isinstance(value, dict):
        return RowError(number, None, "not a JSON object: each line is one record, {...}")
    return value


def _csv_lines(handle: IO[bytes], too_long: set[int]) -> Iterator[str]:
    """The file's lines as text; an over-long line becomes a blank one, its number noted."""
    for number, line in enumerate(_bounded_lines(handle), 1):
        if line is None:
            too_long.add(number)
            yield "\n"
            continue
        try:
            yield line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise ImportFileError(
                f'line {number} is not UTF-8 text: save the file as UTF-8 ("CSV UTF-8" in a '
                "spreadsheet) and import it again; nothing was imported"
            ) from None


def csv_rows(handle: IO[bytes], kind: str) -> Iterator[tuple[int, Raw | RowError]]:
    """The records of a CSV file with a header row naming the kind's fields."""
    too_long: set[int] = set()
    reader = csv.reader(_csv_lines(handle, too_long))
    try:
        first_row = next(reader, None)
    except csv.Error as problem:
        raise ImportFileError(f"the header row is not valid CSV: {problem}") from None
    if 1 in too_long:
        raise ImportFileError(f"the header row is longer than {LINE_LIMIT // 1024} KiB")
    header = _header(first_row, kind)
    last = reader.line_num
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as problem:  # the reader goes on at the next line
            first, last = last + 1, reader.line_num
            yield first, RowError(first, None, f"not valid CSV: {problem}")
            continue
        first, last = last + 1, reader.line_num
        if too_long.intersection(range(first, last + 1)):
            yield first, _too_long(first)
        elif not any(cell.strip() for cell in record):
            continue  # a blank line, or a spreadsheet's row of empty cells
        elif len(record) != len(header):
            yield (
                first,
                RowError(first, None, f"has {len(record)} fields; the header names {len(header)}"),
            )
        else:
            yield first, dict(zip(header, record, strict=True))


def _header(row: list[str] | None, kind: str) -> list[str]:
    if not row:
        raise ImportFileError("the file is empty: a CSV import starts with a header row")
    names = [name.strip().lower() for name in row]
    known = set(FIELDS[kind]) | CARD_FIELDS  # card fields are refused row by row
    unknown = [n for n in names if n not in known]
    if unknown:
        shown = ", ".join(
            n if quotable_name(n) else "(a name that is not a field)" for n in unknown
        )
        raise ImportFileError(
            f"the header has columns that are not fields of {kind}: {shown}; the fields "
            f"are {', '.join(FIELDS[kind])}"
        )
    if len(set(names)) != len(names):
        raise ImportFileError("the header names a column twice")
    missing = [n for n in REQUIRED[kind] if n not in names]
    if missing:
        raise ImportFileError(f"the header has no {', '.join(missing)} column")
    return names
