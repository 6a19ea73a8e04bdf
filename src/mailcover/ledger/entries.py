"""What a ledger entry says, as exact bytes anyone can recompute.

An entry is one JSON object in the canonical form of RFC 8785 (JSON Canonicalization
Scheme: keys sorted, no insignificant whitespace, UTF-8). Floats are refused
outright: their text form is where canonical JSON implementations disagree, and
nothing the ledger records needs one. The leaf of the Merkle tree is the hash of
these bytes, so an outside party holding an entry can check it against a signed
checkpoint with nothing but this module's rules.

An entry records who did what, when, and to what: never the data itself. Captured
exteriors, free-text reasons and request bodies appear only as SHA-256 digests, so
destroying the data (an improper order, the end of retention) leaves the ledger
whole and readable while holding nothing about the person.

Pure: no Django, no I/O, no clock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

FORMAT = 1
"""The entry format's version, written into every entry as "v"."""

_KEYS = frozenset({"v", "seq", "at", "actor", "event", "refs", "details"})
# RFC 8785 writes numbers as IEEE doubles: beyond this, two integers share one spelling.
_MAX_EXACT_INTEGER = 2**53 - 1


class EntryError(ValueError):
    """An entry cannot be written or read as the ledger's canonical JSON."""


@dataclass(frozen=True)
class Actor:
    """Who acted: the account's id and username at the time (None for the system)."""

    id: int
    username: str


@dataclass(frozen=True)
class Entry:
    """One ledger entry. `refs` name the objects acted on; `details` are small facts."""

    seq: int
    at: datetime
    actor: Actor | None
    event: str
    refs: Mapping[str, Any] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def case_number(self) -> str:
        return str(self.refs.get("case") or "")

    @property
    def subject_id(self) -> int | None:
        subject = self.refs.get("subject")
        return subject if isinstance(subject, int) else None


def digest(text: str | bytes) -> str:
    """The hex SHA-256 the ledger records in place of a text or a blob."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds: one spelling per instant, so bytes are stable."""
    if moment.tzinfo is None:
        raise EntryError("an entry's time must carry a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        raise EntryError(f"entry time {text!r} is not RFC 3339 UTC with microseconds") from None


def encode(entry: Entry) -> bytes:
    """The entry's canonical bytes (RFC 8785), refusing floats and non-string keys."""
    if entry.seq < 0:
        raise EntryError(f"sequence number must not be negative, got {entry.seq}")
    if not entry.event:
        raise EntryError("an entry must name its event")
    value: dict[str, Any] = {
        "v": FORMAT,
        "seq": entry.seq,
        "at": format_time(entry.at),
        "actor": None
        if entry.actor is None
        else {"id": entry.actor.id, "username": entry.actor.username},
        "event": entry.event,
        "refs": dict(entry.refs),
        "details": dict(entry.details),
    }
    _check_value(value, "entry")
    # Within what _check_value lets through (no floats, ASCII keys, integers JSON holds
    # exactly), Python's sorted compact JSON is byte for byte RFC 8785: the same string
    # escapes, and code-point order is UTF-16 order for ASCII keys. It is several times
    # faster than a general RFC 8785 serializer, on every append; the tests hold the two
    # equal with the `rfc8785` package as the oracle.
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as problem:
        raise EntryError(f"entry cannot be written as RFC 8785 JSON (UTF-8): {problem}") from None


def decode(data: bytes) -> Entry:
    """Read an entry's bytes back, refusing any that are not exactly canonical."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EntryError(f"entry is not UTF-8 JSON: {exc}") from None
    if not isinstance(value, dict) or set(value) != _KEYS:
        raise EntryError(f"entry must be an object with exactly the keys {sorted(_KEYS)}")
    if value["v"] != FORMAT:
        raise EntryError(f"entry format {value['v']!r} is not {FORMAT}")
    entry = Entry(
        seq=_int(value["seq"], "seq"),
        at=parse_time(_str(value["at"], "at")),
        actor=_actor(value["actor"]),
        event=_str(value["event"], "event"),
        refs=_object(value["refs"], "refs"),
        details=_object(value["details"], "details"),
    )
    if encode(entry) != data:
        raise EntryError("entry bytes are not in canonical form")
    return entry


def _check_value(value: Any, where: str) -> None:
    """Refuse what RFC 8785 cannot write exactly, naming where it is.

    On every append, so exact type tests first (isinstance against the ABCs is slow)
    and the path text is built only for an error.
    """
    problem = _first_problem(value)
    if problem is not None:
        path, text = problem
        raise EntryError(f"{where}{''.join(reversed(path))} {text}")


def _first_problem(value: Any) -> tuple[list[str], str] | None:
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return None
    if kind is int:
        if -_MAX_EXACT_INTEGER <= value <= _MAX_EXACT_INTEGER:
            return None
        return [], f"is {value}, beyond the integers JSON holds exactly"
    if kind is dict:
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                return [], f"has a key that is not an ASCII string: {key!r}"
            found = _first_problem(item)
            if found is not None:
                found[0].append(f".{key}")
                return found
        return None
    if isinstance(value, list | tuple):
        for position, item in enumerate(value):
            found = _first_problem(item)
            if found is not None:
                found[0].append(f"[{position}]")
                return found
        return None
    if kind is float:
        return [], "is a float; the ledger records integers or strings"
    if isinstance(value, str | int):  # subclasses: enums and the like
        return _first_problem(str(value) if isinstance(value, str) else int(value))
    if isinstance(value, Mapping):
        return [], f"is a {kind.__name__}; an entry's objects must be plain dicts"
    return [], f"is a {kind.__name__}, not a JSON value"


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise EntryError(f"entry {name} must be an integer")
    return value


def _str(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise EntryError(f"entry {name} must be a string")
    return value


def _object(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise EntryError(f"entry {name} must be an object")
    return value


def _actor(value: Any) -> Actor | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"id", "username"}:
        raise EntryError("entry actor must be null or {id, username}")
    return Actor(id=_int(value["id"], "actor.id"), username=_str(value["username"], "actor"))
