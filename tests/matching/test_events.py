"""The mail-piece event read into a `Piece` (matching/events.py): the fast path for a
well-formed event gives exactly what the field-by-field path gives, and refuses nothing
itself. The refusals' messages are tested where a sender sees them (tests/api/
test_mail_pieces.py, tests/covers/test_ingest.py)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mailcover.matching import synth
from mailcover.matching.events import (
    EventError,
    _checked_piece,
    _valid_piece,
    piece_from,
    read_line,
)
from mailcover.matching.piece import Piece
from mailcover.postal.imb import encode

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
BARS = encode("00040123456200800001", "62704123423")
EVENT: dict[str, Any] = {
    "piece_id": "P-000001",
    "scanned_at": "2026-11-24T10:15:00Z",
    "facility": "SPRINGFIELD IL P&DC",
    "mail_class": "first-class",
    "imb": BARS,
    "addressee": ["JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234"],
    "return_address": ["ACME CORP", "PO BOX 100", "DENVER CO 80201"],
    "image": "images/P-000001.png",
}

# Text near the edges of what an event may hold: spaces to strip, control characters, lone
# surrogates, path tricks, long runs, bars and dates.
awkward_text = st.one_of(
    st.text(max_size=12),
    st.text(st.sampled_from(["A", "D", "F", "T", "a", " ", "X"]), min_size=63, max_size=67),
    st.sampled_from(
        [
            "",
            " ",
            " P-1",
            "P-1 ",
            "P 1",
            "\x00",
            "A\ud800",
            "\t2026-11-24T10:15:00Z",
            "2026-11-24T10:15:00Z\n",
            "2026-11-24T10:15:00",
            "2026-11-24T10:15:00+05:00",
            "2099-01-01T00:00:00Z",
            "2026-11-24T12:04:59Z",
            "2026-11-24T12:05:01Z",
            "2026-11-24",
            "first-class",
            " first-class",
            "postcard",
            "../x.png",
            "a/../x.png",
            "/x.png",
            "\\x.png",
            "c:x.png",
            "data:image/png;base64,AAAA",
            "x" * 40,
            "x" * 41,
            "x" * 200,
            "x" * 201,
            BARS,
            BARS.lower(),
            BARS[:-1] + " ",
        ]
    ),
)
json_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    awkward_text,
    st.lists(awkward_text, max_size=14),
    st.lists(st.one_of(st.none(), st.integers(), awkward_text), max_size=4),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
fields = st.sampled_from(sorted(EVENT))


def outcome(read: Any, event: Any) -> Piece | str:
    try:
        piece: Piece = read(event, NOW)
    except EventError as error:
        return f"refused: {error}"
    return piece


def check(event: Any) -> None:
    """The fast path gives the checked path's piece, or leaves the event to it."""
    checked = outcome(_checked_piece, event)
    fast = _valid_piece(event, NOW)
    assert fast is None or fast == checked
    assert outcome(piece_from, event) == checked


@given(st.dictionaries(fields, json_values))
@example({"facility": " SPRINGFIELD IL P&DC"})
@example({"scanned_at": "2026-11-24T10:15:00Z "})
@example({"mail_class": "first-class\t"})
@example({"piece_id": " P-1"})
@example({"image": " "})
@example({"addressee": "", "return_address": 0})
@example({"return_address": ["A" * 201]})
def test_any_event_reads_the_same_both_ways(changes: dict[str, Any]) -> None:
    check({**EVENT, **changes})


@given(st.lists(fields, unique=True))
def test_an_event_with_fields_left_out_reads_the_same_both_ways(missing: list[str]) -> None:
    check({name: value for name, value in EVENT.items() if name not in missing})


@given(json_values)
@example([EVENT])
def test_what_is_not_an_object_reads_the_same_both_ways(value: Any) -> None:
    check(value)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"imb": None, "image": None},
        {"addressee": None, "return_address": None},
        {"addressee": [], "return_address": []},
        {"image": "data:image/png;base64,AAAA"},
        {"scanned_at": "2026-11-24T05:15:00-05:00"},
    ],
    ids=["full", "no-barcode-or-image", "no-lines", "empty-lines", "inline-image", "offset"],
)
def test_a_well_formed_event_takes_the_fast_path(changes: dict[str, Any]) -> None:
    event = {**EVENT, **changes}

    assert _valid_piece(event, NOW) == _checked_piece(event, NOW)
    assert _valid_piece(event, NOW) is not None


def test_every_event_of_a_synthetic_stream_takes_the_fast_path() -> None:
    orders = synth.orders(20, 7, NOW)
    events = [event for event, _ in synth.stream(orders, 300, 7, NOW)]

    slow = [e["piece_id"] for e in events if _valid_piece(e, NOW) != _checked_piece(e, NOW)]
    assert slow == []


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"addressee": ""}, "addressee must be a list of lines or null, not a string"),
        ({"return_address": 0}, "return_address must be a list of lines or null, not a number"),
        ({"addressee": ["A", 4]}, "addressee line 2 must be a string, not a number"),
        ({"facility": "P&DC\x00"}, "facility holds a control character or an unpaired surrogate"),
        (
            {"imb": BARS.lower()},
            "imb bars must each be A, D, F or T; bar 1, 2, 3, 4, 5, ... is not",
        ),
    ],
)
def test_what_the_fast_path_leaves_is_refused_by_the_checked_one(
    changes: dict[str, Any], refusal: str
) -> None:
    event = {**EVENT, **changes}

    assert _valid_piece(event, NOW) is None
    with pytest.raises(EventError, match=f"^{re.escape(refusal)}$"):
        piece_from(event, NOW)


def _json_reading(line: bytes | str) -> tuple[str, Any]:
    """What json.loads makes of a line, or the kind of its refusal: the contract read_line
    keeps while it reads with orjson first."""
    try:
        return "value", json.loads(line)
    except (ValueError, RecursionError):
        return "refused", None


def _read_line_reading(line: bytes | str) -> tuple[str, Any]:
    try:
        return "value", read_line(line)
    except EventError:
        return "refused", None


_JSON_TEXT = st.text(alphabet='{}[]",:0123456789.eE+-tfrueanlsNIy\\u \t\n\x00\ud800', max_size=40)


@settings(max_examples=600, deadline=None)
@given(st.one_of(_JSON_TEXT, _JSON_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_a_line_reads_as_json_loads_reads_it(line: bytes | str) -> None:
    kind, value = _json_reading(line)
    mine, read = _read_line_reading(line)
    assert mine == kind
    if kind == "value":
        assert read == value or (read != read and value != value)  # NaN is not NaN


@pytest.mark.parametrize(
    "line",
    [
        b'{"a": NaN}',  # json reads NaN and Infinity; orjson does not
        b'{"a": Infinity}',
        b'{"a": 1' + b"0" * 30 + b"}",  # beyond 64 bits
        b'{"a": 1e400}',
        b'{"a": ' + b"9" * 5000 + b"}",  # json refuses a number of thousands of digits
        b'{"a": "\\ud800"}',  # an escaped lone surrogate
        '{"a": 1}'.encode("utf-16"),  # json detects UTF-16 and UTF-32 in bytes
        b'\xef\xbb\xbf{"a": 1}',  # a UTF-8 byte-order mark
        b'{"a": 1, "a": 2}',  # the last of a repeated key
    ],
)
def test_texts_orjson_refuses_are_read_as_json_reads_them(line: bytes) -> None:
    assert _read_line_reading(line) == _json_reading(line)


def test_a_piece_is_filled_in_the_order_of_its_fields() -> None:
    from dataclasses import fields

    from mailcover.matching import piece as piece_module

    assert tuple(f.name for f in fields(Piece)) == piece_module._FIELDS
