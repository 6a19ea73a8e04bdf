"""The second mail-stream generator (matching/mailgen.py): the same seed gives the same stream,
the truth is what the piece is, the corruption codes name what was really done to it, the
rates are those asked for, and the bench's report of it quotes no piece."""

from __future__ import annotations

import importlib.resources
import importlib.util
import json
import math
import random
import re
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rapidfuzz.distance import OSA

from mailcover.law.orders import may_record
from mailcover.law.terms import Scope
from mailcover.matching import CoveredOrder, mailgen
from mailcover.matching.events import piece_from
from mailcover.postal.address import parse_lines

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SEED = 5
HONORIFICS = {"MR", "MRS", "MS", "DR"}
NAME_CODES = {"ocr-name", "given-typo", "given-phonetic", "lower-case", "mixed-case"}
ADDRESS_CODES = {c for c in mailgen.CODES if c.startswith("ocr-")} | {
    "unit-designator",
    "city-typo",
    "state-name",
}

Stream = list[tuple[dict[str, Any], mailgen.Truth]]


@pytest.fixture(scope="module")
def world() -> mailgen.World:
    return mailgen.world(24, SEED, NOW)


@pytest.fixture(scope="module")
def pieces(world: mailgen.World) -> Stream:
    return list(mailgen.stream(world, 2000, SEED))


def order_of(world: mailgen.World, truth: mailgen.Truth) -> CoveredOrder:
    return next(o for o in world.orders if o.order_id == truth.order_id)


def words(line: str) -> list[str]:
    return line.upper().replace(".", "").replace(",", "").split()


def given_of(line: str) -> str:
    """The given name on a name line: the first word after an honorific."""
    found = words(line)
    return found[1] if found[0] in HONORIFICS else found[0]


@pytest.fixture(scope="module")
def census_given() -> frozenset[str]:
    files = importlib.resources.files("names")
    text = "".join(files.joinpath(f).read_text() for f in ("dist.male.first", "dist.female.first"))
    return frozenset(line.split()[0] for line in text.splitlines())


# -- determinism --------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_orders_and_the_same_stream() -> None:
    first, second = mailgen.world(4, 11, NOW), mailgen.world(4, 11, NOW)
    assert first.orders == second.orders
    assert list(mailgen.stream(first, 200, 3)) == list(mailgen.stream(second, 200, 3))


def test_another_seed_gives_another_stream(world: mailgen.World, pieces: Stream) -> None:
    other = list(mailgen.stream(world, 300, SEED + 1))
    assert [e["addressee"] for e, _ in other] != [e["addressee"] for e, _ in pieces[:300]]


# -- the truth ------------------------------------------------------------------------------


def test_every_event_is_one_the_ingest_side_accepts(pieces: Stream) -> None:
    for event, truth in pieces:
        assert piece_from(event, NOW).piece_id == truth.piece_id


def test_every_kind_and_every_corruption_code_occurs(pieces: Stream) -> None:
    assert {t.kind for _, t in pieces} == set(mailgen.KINDS)
    assert {c for _, t in pieces for c in t.corruptions} == set(mailgen.CODES)


def test_only_mail_the_law_reaches_is_to_be_captured(world: mailgen.World, pieces: Stream) -> None:
    for event, truth in pieces:
        if not truth.captures:
            continue
        order = order_of(world, truth)
        assert truth.captures == (order.order_id,)
        assert may_record(order.facts, datetime.fromisoformat(event["scanned_at"]), NOW)
        allowed = {
            Scope.ADDRESSEE: {"subject", "alias"},
            Scope.DELIVERY_POINT: {"subject", "alias", "household"},
            Scope.SENDER: {"sender"},
        }[order.scope]
        assert truth.kind in allowed


def test_mail_to_the_subject_in_force_is_to_be_captured(
    world: mailgen.World, pieces: Stream
) -> None:
    to_subjects = [t for _, t in pieces if t.kind in ("subject", "alias")]
    assert to_subjects
    for truth in to_subjects:
        receiving = order_of(world, truth).scope is not Scope.SENDER
        assert bool(truth.captures) == receiving


def test_outside_window_pieces_are_scanned_when_nothing_may_be_recorded(
    world: mailgen.World, pieces: Stream
) -> None:
    outside = [(e, t) for e, t in pieces if t.kind == "outside_window"]
    assert outside
    for event, truth in outside:
        scanned_at = datetime.fromisoformat(event["scanned_at"])
        assert not may_record(order_of(world, truth).facts, scanned_at, NOW)
        assert truth.captures == ()


def test_a_household_piece_names_another_real_given_name_at_the_subjects_delivery_point(
    world: mailgen.World, pieces: Stream, census_given: frozenset[str]
) -> None:
    checked = 0
    for event, truth in pieces:
        order = order_of(world, truth) if truth.order_id else None
        if truth.kind != "household" or set(truth.corruptions) & (NAME_CODES | ADDRESS_CODES):
            continue
        assert order is not None
        side = event["return_address"] if order.scope is Scope.SENDER else event["addressee"]
        subject_words = order.names[0].split()
        assert words(side[0])[-1] == subject_words[-1]  # the subject's surname
        given = given_of(side[0])
        assert given in census_given
        for name in order.names:  # far from every given name the order lists
            assert given[0] != name[0]
            assert OSA.distance(given, name.split()[0]) >= 3
        assert parse_lines(side).delivery_point_key == order.address.delivery_point_key
        checked += 1
    assert checked >= 10


def test_a_neighbour_is_never_at_the_subjects_delivery_point(
    world: mailgen.World, pieces: Stream
) -> None:
    checked = 0
    for event, truth in pieces:
        if truth.kind != "neighbour" or set(truth.corruptions) & ADDRESS_CODES:
            continue
        order = order_of(world, truth)
        side = event["return_address"] if order.scope is Scope.SENDER else event["addressee"]
        point = parse_lines(side)
        assert point.zip5 == order.address.zip5
        assert point.street_name == order.address.street_name
        assert point.delivery_point_key != order.address.delivery_point_key
        checked += 1
    assert checked >= 20


def test_an_attorney_piece_names_the_attorney_and_the_subject(
    world: mailgen.World, pieces: Stream
) -> None:
    checked = 0
    for event, truth in pieces:
        if not truth.kind.startswith("attorney") or set(truth.corruptions) & NAME_CODES:
            continue
        order = order_of(world, truth)
        to, back = event["addressee"], event["return_address"]
        lawyer, subject = (to, back) if truth.kind == "attorney_to" else (back, to)
        written = words(lawyer[0])
        assert any(set(a.name.replace(" ESQ", "").split()) <= set(written) for a in order.attorneys)
        assert words(subject[0])[-1] == order.names[0].split()[-1]
        assert truth.captures == ()
        checked += 1
    assert checked >= 5


# -- the corruption codes name what was done ------------------------------------------------


def unit_written(lines: list[str]) -> str:
    return " ".join(words(" ".join(lines)))


def test_a_piece_marked_unit_designator_carries_another_designator_than_the_orders(
    world: mailgen.World, pieces: Stream
) -> None:
    marked = unmarked = 0
    for event, truth in pieces:
        if truth.kind not in ("subject", "alias") or "ocr-unit" in truth.corruptions:
            continue
        address = order_of(world, truth).address
        if not address.unit_number:
            continue
        text = unit_written(event["addressee"])
        order_unit = f"{address.unit_designator} {address.unit_number}"
        if "unit-designator" in truth.corruptions:
            assert order_unit not in text
            assert address.unit_number in text.split()
            marked += 1
        else:
            assert order_unit in text
            unmarked += 1
    assert marked >= 5
    assert unmarked >= 5


def test_a_piece_marked_zip4_dropped_has_no_add_on_and_the_others_have_one(
    pieces: Stream,
) -> None:
    for event, truth in pieces:
        if truth.kind not in ("subject", "alias") or "ocr-zip" in truth.corruptions:
            continue
        last = event["addressee"][-1]
        assert bool(re.search(r"\d{5}-\d{4}$", last)) == ("zip4-dropped" not in truth.corruptions)


def test_a_piece_marked_honorific_begins_with_one(pieces: Stream) -> None:
    for event, truth in pieces:
        if truth.kind not in ("subject", "alias") or "ocr-name" in truth.corruptions:
            continue
        first = words(event["addressee"][0])[0]
        assert (first in HONORIFICS) == ("honorific" in truth.corruptions)


def test_a_given_typo_is_one_slip_after_the_first_letter(
    world: mailgen.World, to_subjects: Stream
) -> None:
    checked = 0
    for event, truth in to_subjects:
        codes = set(truth.corruptions)
        if "given-typo" not in codes or codes & (NAME_CODES - {"given-typo"}):
            continue
        meant = order_of(world, truth).names[0].split()[0]
        written = given_of(event["addressee"][0])
        assert written != meant
        assert written[0] == meant[0]
        assert OSA.distance(written, meant) == 1
        checked += 1
    assert checked >= 50


def test_an_ocr_slip_in_a_number_reads_a_digit_as_a_letter() -> None:
    rng = random.Random(1)
    slips: Counter[str] = Counter()
    for _ in range(200):
        slipped = mailgen.ocr_slip("62704", rng, digits_only=True)
        changed = [(a, b) for a, b in zip("62704", slipped, strict=True) if a != b]
        assert len(changed) <= 1  # none when ten tries find no slippable digit
        slips.update(b for _, b in changed)
    assert set(slips) <= {"G", "Z", "O"}  # 6, 2 and 0 read as letters; 7 and 4 are never misread
    assert sum(slips.values()) > 150


def test_an_ocr_slip_in_a_word_uses_the_published_confusions() -> None:
    rng = random.Random(2)
    seen = {mailgen.ocr_slip("LAS VEGAS", rng) for _ in range(300)}
    assert "LAS VFGAS" in seen
    assert "LA5 VEGAS" in seen
    assert all(len(s) in (8, 9, 10) for s in seen)


def test_a_typo_keeps_the_first_letter_and_is_one_edit() -> None:
    rng = random.Random(3)
    for name in ("CHRISTINA", "JOHN", "AL", "MARIANA"):
        for _ in range(100):
            slipped = mailgen.typo(name, rng)
            assert slipped[0] == name[0]
            assert OSA.distance(slipped, name) == 1


# -- rates --------------------------------------------------------------------------------


def expected_rate(rate: float, careless: float) -> float:
    return (1 - careless) * rate + careless * min(0.95, 3 * rate)


def within(count: int, n: int, p: float) -> bool:
    return abs(count - n * p) <= 4 * math.sqrt(n * p * (1 - p)) + 1


def test_kinds_come_at_their_shares(world: mailgen.World, pieces: Stream) -> None:
    counts = Counter(t.kind for _, t in pieces)
    for kind, share in mailgen.Mix().shares():
        if kind in ("alias", "attorney_to", "attorney_from", "neighbour", "elsewhere"):
            continue  # these fall back to elsewhere when an order cannot give them
        assert within(counts[kind], len(pieces), share), kind


HABITS = mailgen.Habits(honorific=0.5, zip4_dropped=0.2, given_typo=0.3, careless=0.1)


@pytest.fixture(scope="module")
def to_subjects(world: mailgen.World) -> Stream:
    """Mail to the subjects only, written with the habits above."""
    mix = mailgen.Mix(subject=1.0, alias=0, sender=0, household=0, neighbour=0,
                      attorney_to=0, attorney_from=0, outside_window=0)  # fmt: skip
    return list(mailgen.stream(world, 1500, 9, HABITS, mix))


def test_habits_come_at_their_rates(to_subjects: Stream) -> None:
    assert {t.kind for _, t in to_subjects} == {"subject"}
    for code, rate in (("honorific", 0.5), ("zip4-dropped", 0.2), ("mixed-case", 0.2)):
        count = sum(code in t.corruptions for _, t in to_subjects)
        assert within(count, len(to_subjects), expected_rate(rate, 0.1)), code


def test_habits_at_zero_leave_pieces_clean(world: mailgen.World) -> None:
    clean = mailgen.Habits(**dict.fromkeys(vars(mailgen.Habits()), 0.0))
    made = [t for _, t in mailgen.stream(world, 300, 4, clean)]
    assert all(t.corruptions == () for t in made)


# -- the bench's report ---------------------------------------------------------------------


def leaves(value: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in leaves(v, (*path, k))]
    return [(path, value)]


def test_the_bench_report_counts_misses_and_quotes_no_piece() -> None:
    path = Path(__file__).resolve().parents[2] / "bench" / "match.py"
    spec = importlib.util.spec_from_file_location("bench_match", path)
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_match"] = bench
    spec.loader.exec_module(bench)
    report = bench.mailgen_accuracy(6, 300, 77)
    assert report["pieces"] == 300
    assert report["true_captures"] > 0
    assert sum(report["misses_by_kind"].values()) == report["missed"]
    # Every key is a field of the report, a kind or a code; every value is a number.
    vocabulary = {*mailgen.KINDS, *mailgen.CODES, "none", "attorney", *report}
    for where, value in leaves(report):
        assert set(where) <= vocabulary, where
        assert isinstance(value, int | float), where
    text = json.dumps(report).upper()
    for event, truth in mailgen.stream(mailgen.world(6, 77, NOW), 300, 77):
        assert truth.piece_id.upper() not in text
        for line in (event["addressee"] or []) + (event["return_address"] or []):
            assert line.upper() not in text
