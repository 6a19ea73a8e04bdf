"""`postal.precheck.precheck`: what can be told of an address without parsing it.

The matcher tells a sender only what the precheck finds (matching/index.py), so it must never
refuse an address the parser reads: a code from the precheck promises that `parse_lines`
fails. These tests hold that promise on the synthetic stream's addresses, with and without
their slips, and on text hypothesis makes up."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailcover.matching import synth
from mailcover.postal.address import AddressError, parse_lines
from mailcover.postal.precheck import precheck

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def parses(lines: tuple[str, ...]) -> bool:
    try:
        parse_lines(lines)
    except AddressError:
        return False
    return True


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ((), "empty"),
        (("", " , "), "empty"),
        (("JOHN Q PUBLIC", "SOMEWHERE"), "no-zip"),
        (("JOHN Q PUBLIC", "9 OAK ST", "NOWHERE ZZ 00000"), "unknown-zip"),
        (("JOHN Q PUBLIC", "SPRINGFIELD IL 62704"), "no-street"),
        (("JOHN Q PUBLIC", "9 OAK ST", "DENVER IL 80201"), "zip-state-mismatch"),
        (("MR X", "OAK ST", "SPRINGFIELD IL 62704"), "no-street"),  # a name is no number
    ],
)
def test_the_cheap_problems_are_the_parsers_own(lines: tuple[str, ...], code: str) -> None:
    assert precheck(lines) == code
    if lines:
        with pytest.raises(AddressError) as refused:
            parse_lines(lines)
        assert refused.value.code == code


@pytest.mark.parametrize(
    "lines",
    [
        ("X", "9 OAK ST", "DENVER CO 80201"),
        ("X", "9 OAK ST", "DENVER K5 8O2O1"),  # slips in the state and the ZIP
        ("X", "PO BOX 100", "DENVER CO 80201"),
        ("X", "RR 2 BOX 15", "SPRINGFIELD IL 62704"),
        ("X", "UNIT 2050 BOX 4190", "APO AE 09499"),
        ("X", "12345 MAIN ST", "SPRINGFIELD IL 62704"),  # a five-digit house number
        ("X", "9 OAK ST, DENVER CO 80201"),
        ("X", "9 OAK ST", "DENVER CO 80201 USA"),  # the ZIP does not end the line
        ("OCCUPANT", "ONE OAK ST", "SPRINGFIELD IL 62704"),  # a house number in words
    ],
)
def test_a_readable_address_passes(lines: tuple[str, ...]) -> None:
    assert parses(lines)
    assert precheck(lines) is None


def test_on_the_synthetic_stream_a_code_always_means_the_parser_refuses_too() -> None:
    orders = synth.orders(30, 11, NOW)
    checked = 0
    for event, _ in synth.stream(orders, 4000, 12, NOW, synth.Mix(barcode=0.0)):
        for side in ("addressee", "return_address"):
            lines = event.get(side)
            if not lines:
                continue
            lines = tuple(lines)
            checked += 1
            if precheck(lines) is not None:
                assert not parses(lines), lines
    assert checked > 4000


ADDRESS_WORDS = st.sampled_from(
    ["123", "9", "12345", "MAIN", "ST", "APT", "4", "#", "PO", "BOX", "RR", "2", "IL", "CO",
     "K5", "1A", "SPRINGFIELD", "DENVER", "62704", "80201", "62704-1234", "627O4", "00000",
     "UNIT", "APO", "AE", "09499", ",", "-", "&", "OAK", "AVE", "N", "USA"]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(st.lists(ADDRESS_WORDS, min_size=0, max_size=6).map(" ".join), max_size=4))
def test_a_code_promises_the_parser_refuses(lines: list[str]) -> None:
    if precheck(lines) is not None:
        assert not parses(tuple(lines))
