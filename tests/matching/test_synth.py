"""The synthetic mail stream (matching/synth.py): the same arguments give the same stream, its
events are ones the ingest side accepts, each kind of piece comes at its share, the truth
follows the law, and the matcher meets its targets on it."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import zipcodes

from mailcover.law.orders import OrderFacts, in_force
from mailcover.law.periods import Period
from mailcover.law.terms import Grounds, Scope
from mailcover.matching import Attorney, CoveredOrder, MatchIndex
from mailcover.matching.events import piece_from
from mailcover.matching.synth import (
    KINDS,
    NICKNAMES,
    Mix,
    Truth,
    orders,
    piece_of,
    routing_code,
    stream,
)
from mailcover.postal.address import parse
from mailcover.postal.imb import ImbError, read

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ORDERS = 200
PIECES = 20_000
SEED = 233
DAYS_30 = timedelta(days=30)

Stream = list[tuple[dict[str, Any], Truth]]


@pytest.fixture(scope="module")
def covered() -> list[CoveredOrder]:
    return orders(ORDERS, SEED, NOW)


@pytest.fixture(scope="module")
def pieces(covered: list[CoveredOrder]) -> Stream:
    return list(stream(covered, PIECES, SEED, NOW))


def by_id(covered: Sequence[CoveredOrder]) -> dict[int, CoveredOrder]:
    return {order.order_id: order for order in covered}


def accuracy(covered: Sequence[CoveredOrder], items: Stream) -> tuple[float, float, Counter[str]]:
    """Precision and recall of the matcher's (piece, order) captures against the truth, and
    the kinds of the pieces it got wrong."""
    index = MatchIndex(covered)
    right = found = expected = 0
    wrong: Counter[str] = Counter()
    for event, truth in items:
        got = {c.order_id for c in index.match(piece_of(event), NOW).captures}
        want = set(truth.captures)
        right += len(got & want)
        found += len(got)
        expected += len(want)
        if got != want:
            wrong[truth.kind] += 1
    return right / max(found, 1), right / max(expected, 1), wrong


# -- the orders ---------------------------------------------------------------------------


def test_orders_are_numbered_and_at_distinct_delivery_points(covered: list[CoveredOrder]) -> None:
    assert [o.order_id for o in covered] == list(range(1, ORDERS + 1))
    assert covered[0].case_number == "2026-SYN-0001"
    assert len({o.address.delivery_point_key for o in covered}) == ORDERS


def test_order_addresses_are_what_the_loader_would_give(covered: list[CoveredOrder]) -> None:
    standard = {
        row["zip_code"]: row
        for row in zipcodes.list_all()  # type: ignore[no-untyped-call]
        if row["zip_code_type"] == "STANDARD"
    }
    for order in covered:
        address = order.address
        assert address.zip5 in standard
        assert address.state == standard[address.zip5]["state"]
        assert address.city == " ".join(standard[address.zip5]["city"].upper().split())
        again = parse(", ".join(address.lines()))
        assert again.delivery_point_key == address.delivery_point_key
        for attorney in order.attorneys:
            if attorney.address:
                assert parse(", ".join(attorney.address.lines())) == attorney.address
    assert 0.3 < sum(bool(o.address.zip4) for o in covered) / ORDERS < 0.7
    assert any(o.address.unit_number for o in covered)
    assert any(o.address.po_box for o in covered)


def test_orders_have_aliases_scopes_attorneys_and_30_day_windows(
    covered: list[CoveredOrder],
) -> None:
    nicknamed = [
        o
        for o in covered
        if any(n.split()[0] in NICKNAMES.get(o.names[0].split()[0], ()) for n in o.names[1:])
    ]
    assert nicknamed
    assert any(len(o.names[0].split()) > 2 for o in covered)  # middle names and initials
    scopes = Counter(o.scope for o in covered)
    assert scopes[Scope.ADDRESSEE] > ORDERS * 0.65
    assert ORDERS * 0.03 < scopes[Scope.DELIVERY_POINT] < ORDERS * 0.2
    assert ORDERS * 0.03 < scopes[Scope.SENDER] < ORDERS * 0.2
    assert {len(o.attorneys) for o in covered} == {0, 1, 2}
    for order in covered:
        assert [p.ends_at - p.starts_at for p in order.facts.periods] == [timedelta(days=30)]
        assert order.facts.starts_at <= NOW
    in_force_now = sum(in_force(o.facts, NOW) for o in covered)
    assert ORDERS * 0.8 < in_force_now < ORDERS


def test_routing_codes_are_stable_and_keep_the_address_zip4(covered: list[CoveredOrder]) -> None:
    for order in covered:
        code = routing_code(order.address)
        assert len(code) == 11
        assert code.isdigit()
        assert code == routing_code(parse(", ".join(order.address.lines())))
        assert code[:5] == order.address.zip5
        if order.address.zip4:
            assert code[5:9] == order.address.zip4
    routed = orders(20, SEED, NOW, routed=1.0)
    assert all(o.routing == routing_code(o.address) for o in routed)


# -- the stream ---------------------------------------------------------------------------


def test_the_same_arguments_give_the_same_orders_and_stream() -> None:
    first, again = orders(10, 7, NOW), orders(10, 7, NOW)
    assert first == again
    assert list(stream(first, 2000, 7, NOW)) == list(stream(again, 2000, 7, NOW))
    assert list(stream(first, 200, 8, NOW)) != list(stream(first, 200, 7, NOW))
    assert orders(10, 8, NOW) != first


def test_piece_ids_are_unique_and_in_order(pieces: Stream) -> None:
    ids = [event["piece_id"] for event, _ in pieces]
    assert ids == sorted(set(ids))
    assert ids[0] == "P-000001"
    assert [truth.piece_id for _, truth in pieces] == ids


def test_every_event_is_one_the_ingest_side_accepts(pieces: Stream) -> None:
    fields = {"piece_id", "scanned_at", "facility", "mail_class", "imb", "addressee",
              "return_address", "image"}  # fmt: skip
    damaged = 0
    for event, truth in pieces:
        assert set(event) == fields
        assert event["scanned_at"].endswith("Z")
        piece = piece_from(json.loads(json.dumps(event)), NOW)
        assert piece == piece_of(event)
        assert piece.scanned_at.utcoffset() == timedelta(0)
        assert piece.scanned_at <= NOW
        assert event["image"] is None
        if event["imb"] is None:
            assert not truth.damaged
            continue
        if truth.damaged:
            damaged += 1
            with pytest.raises(ImbError):
                read(event["imb"])
        else:
            assert read(event["imb"]).imb.tracking
    expected = PIECES * Mix().barcode * Mix().damaged
    assert expected / 2 < damaged < expected * 2


def test_each_kind_comes_at_its_share(pieces: Stream) -> None:
    counts = Counter(truth.kind for _, truth in pieces)
    assert set(counts) == set(KINDS)
    for kind in KINDS:
        share = Mix().share(kind)
        spread = 5 * math.sqrt(PIECES * share * (1 - share)) + 3
        assert abs(counts[kind] - PIECES * share) <= spread, kind
    assert counts["elsewhere"] / PIECES >= 0.94


def test_attorney_mail_and_mail_outside_the_window_is_captured_by_no_order(
    pieces: Stream,
) -> None:
    for _, truth in pieces:
        if truth.kind.startswith("attorney") or truth.kind == "outside_window":
            assert truth.captures == (), truth


def test_household_mail_is_captured_only_under_a_delivery_point_order(
    covered: list[CoveredOrder], pieces: Stream
) -> None:
    orders_by_id = by_id(covered)
    captured = 0
    for _, truth in pieces:
        if truth.kind == "household":
            assert truth.order_id is not None
            scope = orders_by_id[truth.order_id].scope
            expected = (truth.order_id,) if scope is Scope.DELIVERY_POINT else ()
            assert truth.captures == expected
            captured += bool(truth.captures)
    assert captured


def test_mail_to_and_from_the_subject_is_captured_under_the_scope_that_watches_that_side(
    covered: list[CoveredOrder], pieces: Stream
) -> None:
    orders_by_id = by_id(covered)
    for _, truth in pieces:
        if truth.kind in ("subject", "alias", "initials", "sender"):
            assert truth.order_id is not None
            order = orders_by_id[truth.order_id]
            watched = (order.scope is Scope.SENDER) == (truth.kind == "sender")
            assert truth.captures == ((truth.order_id,) if watched else ())
        if truth.kind in ("neighbour", "elsewhere"):
            assert truth.captures == ()


def test_nicknames_and_initials_are_only_those_the_order_allows(
    covered: list[CoveredOrder], pieces: Stream
) -> None:
    orders_by_id = by_id(covered)
    for event, truth in pieces:
        if truth.kind == "initials" and event["imb"] is not None:
            order = orders_by_id[truth.order_id or 0]
            written = event["addressee"][0].replace(".", "")
            assert written.split()[0] == order.names[0][0]
            assert written.split()[-1] == order.names[0].split()[-1]
        if truth.kind == "alias" and event["imb"] is not None:
            order = orders_by_id[truth.order_id or 0]
            first = event["addressee"][0].replace(",", "").split()
            assert any(set(first) <= set(alias.split()) for alias in order.names)


def test_with_no_orders_every_piece_is_elsewhere() -> None:
    truths = [truth for _, truth in stream([], 500, 1, NOW)]
    assert {t.kind for t in truths} == {"elsewhere"}
    assert not any(t.captures for t in truths)


def an_order(number: int, address: str, **changes: Any) -> CoveredOrder:
    fields: dict[str, Any] = {
        "order_id": number,
        "case_number": f"MC-2026-{number:05d}",
        "scope": Scope.ADDRESSEE,
        "names": ("JOHN Q PUBLIC", "JACK PUBLIC"),
        "address": parse(address),
        "facts": OrderFacts(Grounds.CRIME, (Period(NOW - timedelta(days=3), NOW + DAYS_30),)),
    }
    fields.update(changes)
    return CoveredOrder(**fields)


def test_orders_of_any_shape_from_a_database_give_a_stream_the_law_agrees_with() -> None:
    home = "123 MAIN ST APT 4, SPRINGFIELD IL 62704-1234"
    court = parse("1 COURT SQ, SPRINGFIELD IL 62701")
    emergency, later, earlier = NOW - timedelta(days=10), NOW + timedelta(days=2), NOW - 3 * DAYS_30
    odd = [
        an_order(1, home, names=("PUBLIC, JOHN Q",), attorneys=(Attorney("JANE ROE ESQ"),)),
        an_order(2, home, scope=Scope.DELIVERY_POINT, attorneys=(Attorney("JANE ROE", court),)),
        an_order(3, "UNIT 2050 BOX 4190, APO AE 09499", scope=Scope.SENDER),
        an_order(4, "PO BOX 100, DENVER CO 80201",
                 facts=OrderFacts(Grounds.CRIME, (Period(later, later + DAYS_30),))),
        an_order(5, "9 ELM AVE, SPRINGFIELD IL 62702",
                 facts=OrderFacts(Grounds.CRIME, (Period(earlier, earlier + DAYS_30),))),
        an_order(6, "77 OAK DR, SPRINGFIELD IL 62702",
                 facts=OrderFacts(Grounds.CRIME, (Period(emergency, emergency + DAYS_30),),
                                  emergency_requested_at=emergency)),
    ]  # fmt: skip
    mix = Mix(subject=0.1, household=0.05, outside_window=0.05)
    items = list(stream(odd, 4000, 3, NOW, mix))
    kinds = Counter(truth.kind for _, truth in items)
    assert kinds["subject"] > 100
    assert kinds["outside_window"] > 50
    for _, truth in items:
        assert set(truth.captures) <= {1, 2, 3}  # 4 not begun, 5 ended, 6 suspended at NOW
        if truth.kind == "household" and truth.order_id == 1:
            assert truth.captures == (2,)  # the delivery-point order at the same address
        if truth.kind == "subject" and truth.order_id in (1, 2):
            assert truth.captures == (1, 2)  # one subject, two orders
    precision, recall, wrong = accuracy(odd, items)
    assert precision == 1.0, wrong
    assert recall >= 0.99, wrong


def test_a_mix_is_made_of_shares() -> None:
    with pytest.raises(ValueError, match="share"):
        Mix(barcode=1.5)
    with pytest.raises(ValueError, match="more than 1"):
        Mix(subject=0.6, alias=0.6)
    with pytest.raises(ValueError, match="time zone"):
        stream([], 1, 1, datetime(2026, 11, 24))
    assert Mix(subject=1.0, alias=0, initials=0, household=0, neighbour=0, attorney_to=0,
               attorney_from=0, outside_window=0, sender=0).share("elsewhere") == 0  # fmt: skip


# -- the matcher on the stream ------------------------------------------------------------


def test_the_matcher_meets_its_targets_on_the_stream(covered: list[CoveredOrder]) -> None:
    items = list(stream(covered, PIECES, SEED + 1, NOW))
    precision, recall, wrong = accuracy(covered, items)
    assert precision >= 0.999, wrong
    assert recall >= 0.99, wrong


def test_the_matcher_reads_cities_misread_by_ocr() -> None:
    covered = orders(100, SEED, NOW)
    mix = Mix(subject=0.2, alias=0.05, sender=0.05, barcode=0.0, ocr=1.0)
    precision, recall, wrong = accuracy(covered, list(stream(covered, 4000, SEED, NOW, mix)))
    assert precision >= 0.999, wrong
    assert recall >= 0.99, wrong
