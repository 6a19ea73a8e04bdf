"""The fields of imported customer records: each read from text and checked, and the
screen for full card numbers (records/importers.py uses them).

A parser takes a field's value as read (text, or in JSON Lines a list of texts) and
returns it in the form it is stored in, or raises `Invalid` with a message that names
the problem and never quotes the value: the messages end up in terminals and logs, and
the values are customer records.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from mailcover.postal.tracking import TrackingError, read_tracking

Raw = Mapping[str, Any]
"""A row as read: field name to text (or, in JSON Lines, a list of texts)."""
Parser = Callable[[Any], Any]
NO_DEFAULT = object()
"""A column's default when it has none: the field is required."""


class Invalid(ValueError):
    """A field's value is wrong; the message says how, without the value."""


def plain_text(raw: Any) -> str:
    """The value as text, stripped; only the JSON Lines form may give something else."""
    if not isinstance(raw, str):
        raise Invalid("not text")
    if "\x00" in raw:
        raise Invalid("holds a NUL character")  # PostgreSQL refuses it in text
    return raw.strip()


def text(limit: int) -> Parser:
    def parse_text(raw: Any) -> str:
        written = plain_text(raw)
        if len(written) > limit:
            raise Invalid(f"longer than {limit} characters")
        return written

    return parse_text


def pattern(regex: str, limit: int, problem: str) -> Parser:
    compiled = re.compile(regex)

    def parse_pattern(raw: Any) -> str:
        written: str = text(limit)(raw)
        if not compiled.fullmatch(written):
            raise Invalid(problem)
        return written

    return parse_pattern


def moment(raw: Any) -> datetime:
    try:
        given = datetime.fromisoformat(plain_text(raw))
    except ValueError:
        raise Invalid("not an ISO 8601 time such as 2024-05-01T14:30:00Z") from None
    if given.tzinfo is None:
        # A time without a zone is hours off somewhere, and a records request's range is
        # decided by the day in UTC (law.records.in_range).
        raise Invalid("has no time zone: add one, such as Z or -05:00")
    return given.astimezone(UTC)


def ip_address(raw: Any) -> str:
    try:
        address = ipaddress.ip_address(plain_text(raw))
    except ValueError:
        raise Invalid("not an IPv4 or IPv6 address") from None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            raise Invalid("has a zone index (%...): give the address alone")
        if address.ipv4_mapped:  # stored as the IPv4 address, as the model unpacks it
            return str(address.ipv4_mapped)
    return str(address)


def email(raw: Any) -> str:
    written: str = text(254)(raw)
    try:
        validate_email(written)
    except ValidationError:
        raise Invalid("not a valid email address") from None
    local, _, domain = written.rpartition("@")
    return f"{local}@{domain.lower()}"


def services(raw: Any) -> list[str]:
    given = raw.split(";") if isinstance(raw, str) else raw
    if not isinstance(given, list):
        raise Invalid("not a list of services (in CSV: separated by ;)")
    listed = [text(50)(item) for item in given]
    return list(dict.fromkeys(s for s in listed if s))


def seconds(raw: Any) -> int:
    written = plain_text(raw)
    if not re.fullmatch(r"[0-9]{1,10}", written) or int(written) > 2_147_483_647:
        raise Invalid("not a whole number of seconds, 0 or more")
    return int(written)


def tracking_number(raw: Any) -> str:
    try:
        return read_tracking(plain_text(raw)).pic
    except TrackingError as problem:
        raise Invalid(problem.message) from None


def amount(raw: Any) -> Decimal:
    written = plain_text(raw)
    if not re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?", written):
        raise Invalid("not an amount: digits and a decimal point, such as 12.50")
    value = Decimal(written)
    if value <= 0:
        raise Invalid("not more than 0: a refund is a record of its own kind")
    if len(written.partition(".")[2]) > 2:
        raise Invalid("has more than 2 decimal places")
    if value >= 10**10:
        raise Invalid("too large (at most 9999999999.99)")
    return value


def currency(raw: Any) -> str:
    written = plain_text(raw)
    if not re.fullmatch(r"[A-Za-z]{3}", written):
        raise Invalid("not a currency code of 3 letters, such as USD")
    return written.upper()


def choice(*choices: str) -> Parser:
    def parse_choice(raw: Any) -> str:
        written = plain_text(raw).lower()
        if written not in choices:
            raise Invalid(f"not one of {', '.join(choices)}")
        return written

    return parse_choice


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser
    default: Any = NO_DEFAULT  # the value when the field is blank; NO_DEFAULT: it may not be


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def quotable_name(name: str) -> str | None:
    """A field name fit to quote in an error; None for anything else (it could be data)."""
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,40}", name) else None


# -- full card numbers -----------------------------------------------------------------

CARD_FIELDS = frozenset({"card_number", "cardnumber", "card_no", "pan", "primary_account_number"})
"""Fields that can only hold a full card number: filled in, they refuse the row."""
# Digits, perhaps grouped by single spaces or hyphens as cards are printed.
_DIGIT_RUN = re.compile(r"[0-9](?:[ -]?[0-9])*")


def luhn(digits: str) -> bool:
    total = 0
    for i, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def has_card_number(text: str) -> bool:
    """Whether `text` holds 13 to 19 digits, alone or grouped, that pass the Luhn check:
    a payment card number (ISO/IEC 7812) in all likelihood.

    A run of digits (grouped by single spaces or hyphens) is checked whole and group by
    group. Runs of groups in between are not: a grouped 22-digit tracking number holds
    several 13-to-19-digit runs of groups, and about half of such numbers would be taken
    for cards. So a card number written straight on into other digits ("4111 1111 1111
    1111 1226") is not seen; nor one with other marks between its groups.
    """
    for run in _DIGIT_RUN.finditer(text):
        for digits in (re.sub(r"[ -]", "", run.group()), *re.findall(r"[0-9]+", run.group())):
            if 13 <= len(digits) <= 19 and luhn(digits):
                return True
    return False


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)


def card_field(raw: Raw) -> str | None:
    """The first field of the row that holds a full card number, or None."""
    for name, value in raw.items():
        if name in CARD_FIELDS and not blank(value):
            return name
        if name == "card_last4" and isinstance(value, str):
            digits = re.sub(r"[ -]", "", value.strip())
            if len(digits) > 4 and digits.isdigit():
                return name
        if any(has_card_number(text) for text in _texts(value)):
            return name
    return None
