"""Ledger entries as canonical bytes (ledger/entries.py): RFC 8785 JSON anyone can recompute.

The exact bytes matter: the leaf of the Merkle tree is their hash, so an outside party
who rebuilds an entry from its fields must get the same bytes, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import rfc8785
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mailcover.ledger.entries import (
    FORMAT,
    Actor,
    Entry,
    EntryError,
    decode,
    digest,
    encode,
    format_time,
    parse_time,
)

AT = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)


def entry(**changes: Any) -> Entry:
    fields: dict[str, Any] = {
        "seq": 12,
        "at": AT,
        "actor": Actor(id=7, username="zoë"),
        "event": "request.filed",
        "refs": {"subject": 3, "case": "MC-2026-000001"},
        "details": {"grounds": "crime", "days": 30, "attorneys": ["JANE ROE ESQ"]},
    }
    fields.update(changes)
    return Entry(**fields)


def canonical(value: dict[str, Any]) -> bytes:
    """Bytes spelled the way a test wants them, to feed to decode()."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def as_dict(data: bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(data)
    return value


class TestEncoding:
    def test_an_entry_is_written_as_the_exact_canonical_bytes(self) -> None:
        assert (
            encode(entry())
            == (
                '{"actor":{"id":7,"username":"zoë"},"at":"2026-03-04T05:06:07.890123Z",'
                '"details":{"attorneys":["JANE ROE ESQ"],"days":30,"grounds":"crime"},'
                '"event":"request.filed","refs":{"case":"MC-2026-000001","subject":3},'
                '"seq":12,"v":1}'
            ).encode()
        )

    def test_non_ascii_text_stays_utf8_and_is_not_escaped(self) -> None:
        data = encode(entry(details={"name": "Ünïcødé ✉"}))

        assert "Ünïcødé ✉".encode() in data
        assert b"\\u" not in data

    def test_keys_are_sorted_and_strings_escaped_as_rfc8785_writes_them(self) -> None:
        details: dict[str, Any] = {
            "b": "\x00\x1f\x7f\u2028 é",
            "a": 1,
            "B": '\t\n"\\/',
            "_": [True, None],
        }

        data = encode(entry(details=details))

        written = data[data.index(b'"details":') + len(b'"details":') : data.index(b',"event"')]
        # Upper case before "_" before lower case; control characters escaped in lower
        # case hex or their short forms, DEL, U+2028 and "/" left as they are.
        assert written == (
            b'{"B":"\\t\\n\\"\\\\/","_":[true,null],"a":1,'
            b'"b":"\\u0000\\u001f\x7f' + "\u2028 é".encode() + b'"}'
        )
        assert written == rfc8785.dumps(details)

    def test_nothing_but_the_data_is_written_no_spaces_or_newlines(self) -> None:
        data = encode(entry(details={"note": "two words"}))

        assert b"\n" not in data
        assert data.replace(b"two words", b"").count(b" ") == 0

    def test_the_time_is_written_in_utc_with_microseconds(self) -> None:
        two_hours_east = timezone(timedelta(hours=2))
        local = datetime(2026, 3, 4, 7, 6, 7, 890123, tzinfo=two_hours_east)

        assert as_dict(encode(entry(at=local)))["at"] == "2026-03-04T05:06:07.890123Z"

    def test_a_whole_second_still_carries_six_zero_microseconds(self) -> None:
        assert format_time(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00.000000Z"

    def test_a_naive_time_is_refused(self) -> None:
        with pytest.raises(EntryError, match="time zone"):
            encode(entry(at=datetime(2026, 3, 4, 5, 6, 7)))

    def test_the_system_as_actor_is_written_as_null(self) -> None:
        assert as_dict(encode(entry(actor=None)))["actor"] is None

    def test_every_entry_carries_the_format_version(self) -> None:
        assert as_dict(encode(entry()))["v"] == FORMAT == 1

    def test_a_negative_sequence_number_is_refused(self) -> None:
        with pytest.raises(EntryError, match="negative, got -1"):
            encode(entry(seq=-1))

    def test_an_entry_without_an_event_is_refused(self) -> None:
        with pytest.raises(EntryError, match="must name its event"):
            encode(entry(event=""))


class TestRefusedValues:
    @pytest.mark.parametrize(
        ("changes", "where"),
        [
            ({"details": {"days": 30.0}}, "entry.details.days is a float"),
            ({"refs": {"subject": 1.5}}, "entry.refs.subject is a float"),
            ({"details": {"a": [1, {"b": 0.5}]}}, r"entry.details.a\[1\].b is a float"),
            (
                {"details": {"a": {"b": {"c": [[2.0]]}}}},
                r"entry.details.a.b.c\[0\]\[0\] is a float",
            ),
        ],
        ids=["top-level", "in-refs", "in-a-list-in-a-dict", "deeply-nested"],
    )
    def test_a_float_anywhere_is_refused_naming_where_it_is(
        self, changes: dict[str, Any], where: str
    ) -> None:
        with pytest.raises(EntryError, match=where):
            encode(entry(**changes))

    @pytest.mark.parametrize(
        ("changes", "where"),
        [
            ({"details": {1: "one"}}, "entry.details has a key that is not an ASCII string: 1"),
            (
                {"refs": {("a",): 1}},
                r"entry.refs has a key that is not an ASCII string: \('a',\)",
            ),
            (
                {"details": {"orders": [{"ok": 1}, {None: 2}]}},
                r"entry.details.orders\[1\] has a key that is not an ASCII string: None",
            ),
            (
                {"details": {b"raw": 1}},
                r"entry.details has a key that is not an ASCII string: b'raw'",
            ),
        ],
        ids=["int-key", "tuple-key-in-refs", "nested", "bytes-key"],
    )
    def test_a_key_that_is_not_a_string_is_refused_naming_where_it_is(
        self, changes: dict[str, Any], where: str
    ) -> None:
        with pytest.raises(EntryError, match=where):
            encode(entry(**changes))

    @pytest.mark.parametrize(
        ("value", "kind"),
        [(Decimal("1.5"), "Decimal"), (b"raw", "bytes"), ({1, 2}, "set"), (AT, "datetime")],
    )
    def test_values_json_has_no_type_for_are_refused_naming_their_type(
        self, value: object, kind: str
    ) -> None:
        with pytest.raises(EntryError, match=f"entry.details.x is a {kind}, not a JSON value"):
            encode(entry(details={"x": value}))

    @pytest.mark.parametrize("number", [2**53, -(2**53), 10**30])
    def test_an_integer_json_numbers_cannot_hold_exactly_is_refused_naming_where(
        self, number: int
    ) -> None:
        # RFC 8785 writes numbers as IEEE doubles: beyond 2**53 two integers share one
        # spelling, so the bytes would not say what was recorded.
        with pytest.raises(EntryError, match=r"entry.details.n\[0\]"):
            encode(entry(details={"n": [number]}))

    def test_the_largest_exact_integers_are_written_as_they_are(self) -> None:
        data = encode(entry(details={"high": 2**53 - 1, "low": -(2**53 - 1)}))

        assert b'"high":9007199254740991' in data
        assert b'"low":-9007199254740991' in data

    @pytest.mark.parametrize(
        ("changes", "where"),
        [
            ({"details": {"zoë": 1}}, "entry.details has a key that is not an ASCII string: 'zoë'"),
            (
                {"refs": {"case": "MC-1", "\U0001f600": 1}},
                "entry.refs has a key that is not an ASCII string: '\U0001f600'",
            ),
            (
                {"details": {"a": [1, {"ok": {"\ufffd": 2}}]}},
                r"entry.details.a\[1\].ok has a key that is not an ASCII string: '\ufffd'",
            ),
        ],
        ids=["latin", "emoji-in-refs", "nested"],
    )
    def test_a_key_that_is_not_ascii_is_refused_naming_where_it_is(
        self, changes: dict[str, Any], where: str
    ) -> None:
        # RFC 8785 orders keys by UTF-16 code units, Python by code points: they agree
        # on ASCII keys only (U+1F600 sorts before U+FFFD in UTF-16), so keys beyond
        # ASCII are refused rather than risk bytes another implementation would not make.
        with pytest.raises(EntryError, match=where):
            encode(entry(**changes))

    def test_non_ascii_text_is_still_welcome_as_a_value(self) -> None:
        data = encode(entry(details={"name": "\ufffd\U0001f600 zoë"}))

        assert "\ufffd\U0001f600 zoë".encode() in data

    @pytest.mark.parametrize(
        "changes",
        [
            {"details": {"name": "half a pair \ud800"}},
            {"refs": {"case": "\udfff"}},
            {"details": {"a": ["ok", {"b": "x\udc00y"}]}},
            {"actor": Actor(id=1, username="\ud83d")},
            {"event": "request.\ud800"},
        ],
        ids=["detail", "ref", "nested", "actor", "event"],
    )
    def test_text_that_utf8_cannot_carry_is_refused(self, changes: dict[str, Any]) -> None:
        with pytest.raises(EntryError, match=r"cannot be written as RFC 8785 JSON \(UTF-8\)"):
            encode(entry(**changes))


class TestDecoding:
    def test_an_entry_reads_back_as_itself(self) -> None:
        original = entry()

        assert decode(encode(original)) == original

    def test_the_time_reads_back_as_the_same_instant_in_utc(self) -> None:
        local = AT.astimezone(timezone(timedelta(hours=-5)))

        read = decode(encode(entry(at=local)))

        assert read.at == local
        assert read.at.tzinfo == UTC

    def test_the_case_number_and_subject_are_read_from_the_refs(self) -> None:
        read = decode(encode(entry()))

        assert (read.case_number, read.subject_id) == ("MC-2026-000001", 3)
        assert (entry(refs={}).case_number, entry(refs={}).subject_id) == ("", None)

    def test_a_subject_that_is_not_a_number_is_no_subject_id(self) -> None:
        assert entry(refs={"subject": "3"}).subject_id is None

    @pytest.mark.parametrize(
        ("change", "reason"),
        [
            (lambda d: d.replace(b'"seq":12', b'"seq": 12'), "not in canonical form"),
            (lambda d: d + b"\n", "not in canonical form"),
            (lambda d: b" " + d, "not in canonical form"),
            (lambda d: d.replace("zoë".encode(), b"zo\\u00eb"), "not in canonical form"),
            (lambda d: d.replace(b'"days":30', b'"days":3e1'), "entry.details.days is a float"),
        ],
        ids=["space-after-colon", "trailing-newline", "leading-space", "escaped", "exponent"],
    )
    def test_bytes_not_spelled_canonically_are_refused(self, change: Any, reason: str) -> None:
        data = change(encode(entry()))

        with pytest.raises(EntryError, match=reason):
            decode(data)

    def test_the_same_entry_with_its_keys_in_another_order_is_refused(self) -> None:
        value = as_dict(encode(entry()))
        reordered = canonical({key: value[key] for key in reversed(list(value))})
        assert json.loads(reordered) == value

        with pytest.raises(EntryError, match="not in canonical form"):
            decode(reordered)

    def test_nested_keys_in_another_order_are_refused(self) -> None:
        value = as_dict(encode(entry()))
        value["refs"] = {"subject": 3, "case": "MC-2026-000001"}

        with pytest.raises(EntryError, match="not in canonical form"):
            decode(canonical(value))

    @pytest.mark.parametrize(
        "change",
        [
            lambda v: v.update(extra=1),
            lambda v: v.pop("details"),
            lambda v: v.pop("v"),
        ],
        ids=["extra-key", "missing-details", "missing-version"],
    )
    def test_an_entry_with_extra_or_missing_keys_is_refused(self, change: Any) -> None:
        value = as_dict(encode(entry()))
        change(value)

        with pytest.raises(EntryError, match="exactly the keys"):
            decode(canonical(dict(sorted(value.items()))))

    def test_an_entry_of_another_format_version_is_refused(self) -> None:
        data = encode(entry()).replace(b'"v":1', b'"v":2')

        with pytest.raises(EntryError, match="entry format 2 is not 1"):
            decode(data)

    @pytest.mark.parametrize(
        ("data", "reason"),
        [
            (b"\xff\xfe", "not UTF-8 JSON"),
            (b"{", "not UTF-8 JSON"),
            (b"[]", "exactly the keys"),
            (b"null", "exactly the keys"),
        ],
    )
    def test_bytes_that_are_not_an_entry_object_are_refused(self, data: bytes, reason: str) -> None:
        with pytest.raises(EntryError, match=reason):
            decode(data)

    @pytest.mark.parametrize(
        ("old", "new", "reason"),
        [
            (b'"seq":12', b'"seq":true', "seq must be an integer"),
            (b'"seq":12', b'"seq":"12"', "seq must be an integer"),
            (b'"event":"request.filed"', b'"event":5', "event must be a string"),
            (b'"id":7', b'"id":"7"', "actor.id must be an integer"),
            (b',"username":"zo\xc3\xab"', b"", r"actor must be null or \{id, username\}"),
            (b'"refs":{"case":"MC-2026-000001","subject":3}', b'"refs":[]', "refs must be an"),
            (b".890123Z", b"Z", "not RFC 3339 UTC with microseconds"),
            (b".890123Z", b".890123+00:00", "not RFC 3339 UTC with microseconds"),
        ],
    )
    def test_fields_of_the_wrong_type_or_shape_are_refused(
        self, old: bytes, new: bytes, reason: str
    ) -> None:
        data = encode(entry())
        assert old in data

        with pytest.raises(EntryError, match=reason):
            decode(data.replace(old, new))

    @pytest.mark.parametrize(
        ("spelled", "reason"),
        [
            (b'"days":9007199254740993', "entry.details.days is 9007199254740993"),
            (b'"days":"\\ud800"', r"cannot be written as RFC 8785 JSON \(UTF-8\)"),
        ],
        ids=["inexact-integer", "lone-surrogate"],
    )
    def test_values_canonical_json_cannot_write_are_refused_as_entry_errors(
        self, spelled: bytes, reason: str
    ) -> None:
        data = encode(entry()).replace(b'"days":30', spelled)

        with pytest.raises(EntryError, match=reason):
            decode(data)

    def test_parse_time_reads_what_format_time_writes(self) -> None:
        assert parse_time(format_time(AT)) == AT


class TestDigest:
    def test_the_digest_is_the_hex_sha256_of_the_utf8_text(self) -> None:
        assert digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        assert digest("zoë") == hashlib.sha256("zoë".encode()).hexdigest()

    def test_text_and_its_utf8_bytes_have_the_same_digest(self) -> None:
        assert digest("Ünïcødé") == digest("Ünïcødé".encode())
        assert len(digest(b"\x00\xff")) == 64


# --- round trips over random entries, and RFC 8785 as the oracle --------------------------

safe_integers = st.integers(min_value=-(2**53 - 1), max_value=2**53 - 1)
# Any text UTF-8 can carry: non-ASCII, control characters, quotes and backslashes.
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
# Keys are ASCII only, control characters included.
keys = st.text(st.characters(max_codepoint=0x7F), max_size=12)
scalars = st.none() | st.booleans() | safe_integers | text
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)
objects = st.dictionaries(keys, json_values, max_size=5)
actors = st.none() | st.builds(Actor, id=safe_integers, username=text)
moments = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1), timezones=st.just(UTC)
)
random_entries = st.builds(
    Entry,
    seq=st.integers(min_value=0, max_value=2**53 - 1),
    at=moments,
    actor=actors,
    event=text.filter(bool),
    refs=objects,
    details=objects,
)


@settings(max_examples=300, deadline=None)
@given(random_entries)
def test_every_entry_reads_back_as_itself_from_its_canonical_bytes(original: Entry) -> None:
    data = encode(original)

    assert decode(data) == original
    assert encode(decode(data)) == data


def as_plain_json(value: Entry) -> dict[str, Any]:
    """The entry as the JSON object it stands for, built without the code under test."""
    return {
        "v": FORMAT,
        "seq": value.seq,
        "at": value.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": None
        if value.actor is None
        else {"id": value.actor.id, "username": value.actor.username},
        "event": value.event,
        "refs": dict(value.refs),
        "details": dict(value.details),
    }


@settings(max_examples=500, deadline=None)
@given(random_entries)
@example(
    entry(
        details={
            "": "",
            "\x00": "\x00\x08\t\n\x0b\x0c\r\x1f\x7f",
            "\x7f": "\u2028\u2029\ufeff\ufffd\U0001f600\U0010ffff",
            "~": ['"', "\\", "/", "</script>", "zoë"],
            "A": [[], {}, [[{}]], -(2**53 - 1), 2**53 - 1, 0, True, False, None],
        },
        refs={"case": "MC-2026-000001", "subject": 0, "a": {"Z": {"z": 1}, "_": []}},
    )
)
def test_every_entry_the_encoder_accepts_is_written_as_rfc8785_writes_it(
    original: Entry,
) -> None:
    # The `rfc8785` package is the oracle: the encoder's fast path (sorted compact JSON)
    # must give its bytes exactly, for everything the encoder lets through.
    assert encode(original) == rfc8785.dumps(as_plain_json(original))


def test_a_nested_mapping_that_is_not_a_dict_is_refused_naming_where() -> None:
    import types

    entry = Entry(1, AT, None, "x", {}, {"a": types.MappingProxyType({})})

    with pytest.raises(EntryError, match=r"entry\.details\.a is a mappingproxy"):
        encode(entry)
