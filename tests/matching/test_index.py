"""Matching pieces of mail against covered orders (matching/index.py, matching/piece.py).

The subject, the addresses and the barcode are the made-up ones of DESIGN.md's examples: the
bars encode tracking code 00040123456200800001 and routing code 62704123423.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailcover.law.orders import OrderFacts
from mailcover.law.periods import Period
from mailcover.law.terms import Grounds, Scope
from mailcover.matching import (
    Attorney,
    Counters,
    CoveredOrder,
    MatchedOn,
    MatchError,
    MatchIndex,
    Outcome,
    Piece,
    mailgen,
)
from mailcover.matching import index as index_module
from mailcover.matching import side as side_module
from mailcover.matching.events import piece_from
from mailcover.postal.address import parse
from mailcover.postal.imb import encode
from mailcover.postal.zips import zip5_candidates

STARTS = datetime(2026, 11, 1, tzinfo=UTC)
ENDS = STARTS + timedelta(days=30)
DURING = STARTS + timedelta(days=23, hours=10)
TRACKING = "00040123456200800001"
ROUTING = "62704123423"
HOME = "123 MAIN ST APT 4, SPRINGFIELD IL 62704-1234"
TO_SUBJECT = ("JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234")
TO_JANE = ("JANE PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234")
ACME = ("ACME CORP", "PO BOX 100", "DENVER CO 80201")
ATTORNEY_OFFICE = ("JANE ROE ESQ", "1 COURT SQ", "SPRINGFIELD IL 62701")
STRANGER = ("ZEBULON QUIGLEY", "987 ELM AVE", "SPRINGFIELD IL 62702")


def an_order(
    order_id: int = 1,
    scope: Scope = Scope.ADDRESSEE,
    address: str = HOME,
    routing: str | None = None,
    names: tuple[str, ...] = ("JOHN Q PUBLIC", "JACK PUBLIC"),
    attorneys: tuple[Attorney, ...] | None = None,
) -> CoveredOrder:
    return CoveredOrder(
        order_id=order_id,
        case_number=f"MC-2026-{order_id:05d}",
        scope=scope,
        names=names,
        address=parse(address),
        facts=OrderFacts(Grounds.CRIME, (Period(STARTS, ENDS),)),
        attorneys=(
            (Attorney("JANE ROE ESQ", parse("1 COURT SQ, SPRINGFIELD IL 62701")),)
            if attorneys is None
            else attorneys
        ),
        routing=routing,
    )


def a_piece(
    addressee: Sequence[str] | None = TO_SUBJECT,
    return_address: Sequence[str] | None = ACME,
    bars: str | None = None,
    at: datetime = DURING,
    piece_id: str = "P-000001",
) -> Piece:
    return Piece(
        piece_id=piece_id,
        scanned_at=at,
        facility="SPRINGFIELD IL P&DC",
        mail_class="first-class",
        imb=bars,
        addressee=tuple(addressee) if addressee is not None else None,
        return_address=tuple(return_address) if return_address is not None else None,
    )


def captured_by(index: MatchIndex, piece: Piece) -> list[int]:
    return [capture.order_id for capture in index.match(piece).captures]


@pytest.fixture
def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the (slow) address parser is asked to read a piece's text."""

    def refuse(lines: Sequence[str]) -> None:
        raise AssertionError("the address parser was called")

    monkeypatch.setattr(side_module, "parse_lines", refuse)


# -- scope addressee, and MC-ALL-NAMES --------------------------------------------------------


def test_mc_all_names_mail_to_the_subject_at_the_address_is_captured_under_addressee() -> None:
    index = MatchIndex.build([an_order()])
    result = index.match(a_piece())
    assert result.outcome is Outcome.MATCHED
    [capture] = result.captures
    assert (capture.order_id, capture.case_number) == (1, "MC-2026-00001")
    assert capture.matched_on is MatchedOn.ADDRESS
    assert capture.piece.addressee == TO_SUBJECT


def test_mc_all_names_mail_to_an_alias_or_a_reordered_or_misread_name_is_captured() -> None:
    index = MatchIndex.build([an_order()])
    for name in ("JACK PUBLIC", "PUBLIC, JOHN Q", "J0HN Q PUBL1C", "J Q PUBLIC"):
        assert captured_by(index, a_piece((name, *TO_SUBJECT[1:]))) == [1], name


def test_mc_all_names_a_household_member_is_captured_only_under_delivery_point() -> None:
    addressee = MatchIndex.build([an_order(scope=Scope.ADDRESSEE)])
    every_name = MatchIndex.build([an_order(scope=Scope.DELIVERY_POINT)])
    assert addressee.match(a_piece(TO_JANE)).outcome is Outcome.NO_ORDER
    assert captured_by(every_name, a_piece(TO_JANE)) == [1]


def test_mc_all_names_a_different_person_at_the_same_address_is_not_captured() -> None:
    index = MatchIndex.build([an_order()])
    for name in ("JOAN PUBLIC", "JOHN R PUBLIC", "ZEBULON QUIGLEY", "CURRENT RESIDENT"):
        assert index.match(a_piece((name, *TO_SUBJECT[1:]))).outcome is Outcome.NO_ORDER, name


def test_mail_to_the_subjects_name_at_another_address_is_not_captured() -> None:
    index = MatchIndex.build([an_order()])
    other_unit = ("JOHN Q PUBLIC", "123 MAIN ST APT 5", "SPRINGFIELD IL 62704-1234")
    assert index.match(a_piece(other_unit)).outcome is Outcome.NO_ORDER


# -- barcode-keyed and text-only pieces -------------------------------------------------------


def test_a_barcode_with_the_orders_routing_code_places_the_piece_without_its_address() -> None:
    index = MatchIndex.build([an_order(scope=Scope.DELIVERY_POINT, routing=ROUTING)])
    piece = a_piece(("JOHN Q PUBLIC", "smudged beyond reading"), bars=encode(TRACKING, ROUTING))
    [capture] = index.match(piece).captures
    assert capture.matched_on is MatchedOn.ROUTING


def test_a_barcode_in_the_orders_zip4_is_confirmed_by_the_address_text() -> None:
    index = MatchIndex.build([an_order()])
    [capture] = index.match(a_piece(bars=encode(TRACKING, ROUTING))).captures
    assert capture.matched_on is MatchedOn.ADDRESS


def test_the_barcode_decides_over_the_text_when_they_disagree(no_parsing: None) -> None:
    index = MatchIndex.build([an_order()])
    elsewhere = encode(TRACKING, "62702123401")  # the text says the subject's address
    assert index.match(a_piece(bars=elsewhere)).outcome is Outcome.NO_ORDER


def test_a_barcode_to_an_unindexed_zip4_is_dropped_without_reading_its_text(
    no_parsing: None,
) -> None:
    index = MatchIndex.build([an_order(), an_order(2, address="1 ELM ST, SPRINGFIELD IL 62704")])
    for routing in ("62703999901", "80201123401"):
        piece = a_piece(STRANGER, bars=encode(TRACKING, routing))
        assert index.match(piece).outcome is Outcome.NO_ORDER


def test_a_barcode_without_a_full_routing_code_leaves_the_address_to_the_text() -> None:
    index = MatchIndex.build([an_order()])
    for routing in ("627041234", "62704", ""):
        [capture] = index.match(a_piece(bars=encode(TRACKING, routing))).captures
        assert capture.matched_on is MatchedOn.ADDRESS


UNREADABLE_TEXT = [
    (None, "no addressee lines"),
    (("JOHN Q PUBLIC", "SOMEWHERE"), "no ZIP Code"),
    (("JOHN Q PUBLIC", "9 OAK ST", "NOWHERE ZZ 00000"), "not on the ZIP Code list"),
    (("JOHN Q PUBLIC", "SPRINGFIELD IL 62704"), "no street address"),
    (("JOHN Q PUBLIC", "9 OAK ST", "DENVER IL 80201"), "another state"),
]


@pytest.mark.parametrize(("lines", "problem"), UNREADABLE_TEXT)
def test_a_piece_without_a_delivery_point_gets_the_same_problem_whatever_the_index_holds(
    lines: tuple[str, ...] | None, problem: str
) -> None:
    # An operator must not learn which ZIP Codes are under cover from the answers: the text of
    # a piece without a full routing code is read whether or not its ZIP is indexed.
    answers = set()
    for orders in ([], [an_order()], [an_order(address="9 OAK ST, DENVER CO 80201")]):
        result = MatchIndex.build(orders).match(a_piece(lines))
        assert result.outcome is Outcome.UNREADABLE
        assert result.problem is not None
        answers.add(result.problem)
    [answer] = answers
    assert answer.startswith("no delivery point: no barcode, and ")
    assert problem in answer


# Pieces an operator could make up to probe the subject's address: at its ZIP Code and house
# number, each with something wrong that only parsing finds, or a slip the matcher forgives.
PROBES = [
    ("JOHN Q PUBLIC", "123 MAIN ST & OAK AVE", "SPRINGFIELD IL 62704"),  # a street corner
    ("JOHN Q PUBLIC", "123", "SPRINGFIELD IL 62704"),  # a number and no street
    ("JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-12"),  # a broken ZIP+4
    ("JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD ZZ 62704"),  # no state code
    ("JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD MO 62704"),  # another state's
    ("JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL"),  # no ZIP
    ("JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 00000"),  # an unlisted ZIP
    ("JOHN Q PUBLIC", "123 MA1N 5T 5TE 4", "5PRINGFIELD 1L 62704"),  # slips everywhere
    ("JOHN Q PUBLIC", "SPRINGFIELD IL 62704"),  # no street line
    ("123 123 123 123", "62704 62704"),
    ("", "  ", ","),
]


@pytest.mark.parametrize("lines", PROBES)
def test_what_a_sender_is_told_about_a_piece_never_depends_on_the_index(
    lines: tuple[str, ...],
) -> None:
    # SEC-OPERATOR: the problem (the reason a piece is refused) is the same with no order,
    # with an order at the probed address, and with one elsewhere; only a capture differs.
    problems = set()
    for orders in ([], [an_order()], [an_order(address="9 OAK ST, DENVER CO 80201")]):
        result = MatchIndex.build(orders).match(a_piece(lines))
        problems.add(result.problem)
    assert len(problems) == 1, problems


def test_a_stream_gets_the_same_answers_with_and_without_a_covered_address() -> None:
    from mailcover.matching import synth

    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    orders = synth.orders(40, 5, now)
    covered, bare = MatchIndex.build(orders), MatchIndex.build([])
    told = 0
    for event, _truth in synth.stream(orders, 3000, 6, now, synth.Mix(barcode=0.3)):
        piece = synth.piece_of(event)
        answer = covered.match(piece, now).problem
        assert answer == bare.match(piece, now).problem
        told += answer is not None
    assert covered.counters.matched > 0  # the covered index did capture
    assert told > 0  # and some pieces were refused, the same way by both


def test_sec_operator_an_even_match_parses_alike_whatever_the_index_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The time a piece takes must not tell an operator that its address is covered: with
    # `even`, every piece's text is parsed, near an order or not (the server's own ingest
    # parses only near one, and so takes longer there).
    calls = []
    real = side_module.parse_lines
    monkeypatch.setattr(side_module, "parse_lines", lambda lines: calls.append(1) or real(lines))
    pieces = [
        a_piece(),
        a_piece(TO_JANE),
        a_piece(STRANGER),
        a_piece(("X", "1 ELM ST", "DENVER CO 80201")),
        a_piece(("John Q. Public", "123 Main Street, Apt 4", "Springfield, IL 62704")),
    ]

    def parses(orders: list[CoveredOrder], even: bool) -> int:
        calls.clear()
        index = MatchIndex.build(orders)
        for piece in pieces:
            index.match(piece, DURING, even=even)
        return len(calls)

    assert parses([], True) == parses([an_order()], True)
    assert parses([], False) < parses([an_order()], False)


def test_the_problem_names_what_kept_the_barcode_from_deciding() -> None:
    index = MatchIndex.build([])
    bars = encode(TRACKING, ROUTING)
    misread = ("A" if bars[0] != "A" else "D") + bars[1:]
    problem = index.match(a_piece(("JOHN Q PUBLIC",), bars=misread)).problem
    assert problem is not None
    assert problem.startswith("no delivery point: the barcode did not decode (")
    short = encode(TRACKING, "62704")
    problem = index.match(a_piece(("JOHN Q PUBLIC",), bars=short)).problem
    assert problem is not None
    assert "routing code does not name a delivery point" in problem


def test_the_problem_quotes_nothing_of_the_piece() -> None:
    result = MatchIndex.build([]).match(a_piece(("ZEBULON QUIGLEY", "987 ELM", "QUIGLEY ZZ 00000")))
    assert result.problem is not None
    for secret in _SECRETS:
        assert secret not in result.problem


def test_mc_no_order_no_data_nothing_is_recorded_after_the_order_ends() -> None:
    # Scanned inside the window, reported to the matcher after the end: not captured.
    index = MatchIndex.build([an_order()])
    piece = a_piece(at=DURING)
    assert index.match(piece, now=DURING).outcome is Outcome.MATCHED
    assert index.match(piece, now=DURING + timedelta(days=365)).outcome is (Outcome.OUTSIDE_WINDOW)


def test_misread_bars_fall_back_to_the_address_text() -> None:
    index = MatchIndex.build([an_order()])
    bars = encode(TRACKING, ROUTING)
    misread = ("A" if bars[0] != "A" else "D") + bars[1:]
    [capture] = index.match(a_piece(bars=misread)).captures
    assert capture.matched_on is MatchedOn.ADDRESS


def test_a_piece_with_neither_barcode_nor_readable_address_is_counted_unreadable() -> None:
    index = MatchIndex.build([an_order()])
    assert index.match(a_piece(None)).outcome is Outcome.UNREADABLE
    assert index.match(a_piece(("JOHN Q PUBLIC", "SOMEWHERE"))).outcome is Outcome.UNREADABLE
    garbled = ("JOHN Q PUBLIC", "SPRINGFIELD IL 62704")  # an indexed ZIP, no street
    assert index.match(a_piece(garbled)).outcome is Outcome.UNREADABLE
    assert index.counters.unreadable == 3


# -- scope sender -------------------------------------------------------------------------------


def test_scope_sender_captures_mail_bearing_the_subjects_name_and_return_address() -> None:
    index = MatchIndex.build([an_order(scope=Scope.SENDER)])
    piece = a_piece(ACME, return_address=TO_SUBJECT)
    [capture] = index.match(piece).captures
    assert capture.matched_on is MatchedOn.RETURN_ADDRESS


def test_scope_sender_does_not_capture_mail_to_the_subject_or_from_others_there() -> None:
    index = MatchIndex.build([an_order(scope=Scope.SENDER)])
    assert index.match(a_piece(TO_SUBJECT, return_address=ACME)).outcome is Outcome.NO_ORDER
    assert index.match(a_piece(ACME, return_address=TO_JANE)).outcome is Outcome.NO_ORDER


# -- MC-ATTORNEY ----------------------------------------------------------------------------


def test_mc_attorney_mail_from_the_subjects_known_attorney_is_excluded_and_counted() -> None:
    index = MatchIndex.build([an_order()])
    result = index.match(a_piece(return_address=ATTORNEY_OFFICE))
    assert result.outcome is Outcome.EXCLUDED_ATTORNEY
    assert result.captures == ()
    assert result.excluded_by_attorney == (1,)
    assert index.counters == Counters(received=1, excluded_attorney=1)


def test_mc_attorney_mail_from_the_attorneys_office_under_a_firm_name_is_excluded() -> None:
    index = MatchIndex.build([an_order()])
    firm = ("ROE AND PARTNERS LLP", *ATTORNEY_OFFICE[1:])
    assert index.match(a_piece(return_address=firm)).outcome is Outcome.EXCLUDED_ATTORNEY


def test_mc_attorney_mail_from_the_attorney_at_another_address_is_excluded() -> None:
    index = MatchIndex.build([an_order()])
    moved = ("JANE ROE", "5 STATE ST", "SPRINGFIELD IL 62701")
    assert index.match(a_piece(return_address=moved)).outcome is Outcome.EXCLUDED_ATTORNEY


def test_mc_attorney_mail_from_the_subject_to_the_attorney_is_excluded_under_sender() -> None:
    index = MatchIndex.build([an_order(scope=Scope.SENDER)])
    piece = a_piece(ATTORNEY_OFFICE, return_address=TO_SUBJECT)
    assert index.match(piece).outcome is Outcome.EXCLUDED_ATTORNEY


def test_mc_attorney_excludes_the_piece_only_from_the_orders_naming_that_attorney() -> None:
    other = CoveredOrder(**{**vars(an_order(2, scope=Scope.DELIVERY_POINT)), "attorneys": ()})
    index = MatchIndex.build([an_order(), other])
    result = index.match(a_piece(return_address=ATTORNEY_OFFICE))
    assert result.outcome is Outcome.MATCHED
    assert [c.order_id for c in result.captures] == [2]
    assert result.excluded_by_attorney == (1,)


# -- MC-NO-ORDER-NO-DATA ------------------------------------------------------------------


def test_mc_no_order_no_data_a_piece_scanned_after_the_order_ended_is_not_captured() -> None:
    index = MatchIndex.build([an_order()])
    for moment in (ENDS, ENDS + timedelta(seconds=1), ENDS + timedelta(days=200)):
        assert index.match(a_piece(at=moment)).outcome is Outcome.OUTSIDE_WINDOW
    assert index.counters.outside_window == 3


def test_mc_no_order_no_data_a_piece_scanned_before_the_order_started_is_not_captured() -> None:
    index = MatchIndex.build([an_order()])
    assert index.match(a_piece(at=STARTS - timedelta(seconds=1))).captures == ()
    assert captured_by(index, a_piece(at=STARTS)) == [1]


def test_mc_no_order_no_data_a_terminated_order_stops_capturing_at_the_indictment() -> None:
    indicted = OrderFacts(Grounds.CRIME, (Period(STARTS, ENDS),), indicted_at=DURING)
    order = CoveredOrder(**{**vars(an_order()), "facts": indicted})
    index = MatchIndex.build([order])
    assert captured_by(index, a_piece(at=DURING - timedelta(minutes=1))) == [1]
    assert index.match(a_piece(at=DURING)).outcome is Outcome.OUTSIDE_WINDOW


_SECRETS = ("ZEBULON", "QUIGLEY", "987 ELM", "P-SECRET-7", "62702")


def _assert_holds_none_of_the_piece(index: MatchIndex, *found: object) -> None:
    for thing in (index, index.counters, *found):
        text = repr(vars(thing)) if hasattr(thing, "__dict__") else repr(thing)
        dumped = pickle.dumps(thing)
        for secret in _SECRETS:
            assert secret not in text
            assert secret.encode() not in dumped


def test_mc_no_order_no_data_a_piece_no_order_covers_leaves_only_counters() -> None:
    index = MatchIndex.build([an_order(), an_order(2, scope=Scope.SENDER)])
    pieces = [
        a_piece(STRANGER, return_address=STRANGER, piece_id="P-SECRET-7"),
        a_piece(STRANGER, bars=encode(TRACKING, "62702123401"), piece_id="P-SECRET-7"),
        # At an indexed ZIP, so parsed: readable, and unreadable (the parser's error is dropped).
        a_piece(("ZEBULON QUIGLEY", "987 ELM", "SPRINGFIELD IL 62704"), piece_id="P-SECRET-7"),
        a_piece(("ZEBULON QUIGLEY", "987 ELM AVE", "SPRINGFIELD CO 62704"), piece_id="P-SECRET-7"),
    ]
    results = [index.match(piece) for piece in pieces]
    assert [r.captures for r in results] == [(), (), (), ()]
    _assert_holds_none_of_the_piece(index, *results)
    assert index.counters == Counters(received=4, no_order=3, unreadable=1)


def test_mc_no_order_no_data_a_failure_inside_the_matcher_names_no_part_of_the_piece(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(known: object, lines: Sequence[str]) -> bool:
        raise KeyError(" ".join(lines))

    monkeypatch.setattr(side_module, "names_anyone", broken)
    monkeypatch.setattr(index_module, "names_anyone", broken)
    index = MatchIndex.build([an_order()])
    with pytest.raises(MatchError) as raised:
        index.match(a_piece(("ZEBULON QUIGLEY", *TO_SUBJECT[1:])))
    assert "ZEBULON" not in str(raised.value)
    assert raised.value.__cause__ is None
    # Not merely hidden: no context at all, so no frame or message of the failure survives.
    assert raised.value.__context__ is None
    assert index.counters.unreadable == 1


def test_a_piece_without_a_time_zone_is_refused_without_quoting_it() -> None:
    with pytest.raises(ValueError, match="time zone") as raised:
        a_piece(STRANGER, at=datetime(2026, 11, 24, 10, 15))
    assert "ZEBULON" not in str(raised.value)


# -- the index itself -----------------------------------------------------------------------


def test_refreshing_the_orders_keeps_the_counters_and_applies_at_once() -> None:
    index = MatchIndex.build([])
    assert index.match(a_piece()).outcome is Outcome.NO_ORDER
    index.refresh([an_order()])
    assert captured_by(index, a_piece()) == [1]
    assert index.counters == Counters(received=2, matched=1, no_order=1, captures=1)
    assert index.orders == (an_order(),)


def test_overlapping_orders_each_capture_the_piece() -> None:
    index = MatchIndex.build([an_order(), an_order(2, scope=Scope.DELIVERY_POINT)])
    assert captured_by(index, a_piece()) == [1, 2]
    assert index.counters == Counters(received=1, matched=1, captures=2)


def test_an_order_must_name_its_subject_and_agree_with_its_routing_code() -> None:
    with pytest.raises(ValueError, match="no given name and surname"):
        an_order(names=("PUBLIC",))
    with pytest.raises(ValueError, match="names is empty"):
        an_order(names=())
    with pytest.raises(ValueError, match="not in the address's ZIP\\+4"):
        an_order(routing="62704999923")
    with pytest.raises(ValueError, match="11 digits"):
        an_order(routing="627041234")
    with pytest.raises(ValueError, match="given twice"):
        MatchIndex.build([an_order(), an_order()])


_PIECES = [
    a_piece(),
    a_piece(TO_JANE),
    a_piece(STRANGER),
    a_piece(None),
    a_piece(return_address=ATTORNEY_OFFICE),
    a_piece(at=ENDS),
    a_piece(ACME, return_address=TO_SUBJECT),
    a_piece(STRANGER, bars=encode(TRACKING, ROUTING)),
]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_every_piece_has_exactly_one_outcome_and_the_counters_add_up(
    pieces: list[Piece],
) -> None:
    index = MatchIndex.build([an_order(), an_order(2, scope=Scope.SENDER)])
    outcomes = [index.match(piece).outcome for piece in pieces]
    counters = index.counters
    assert counters.received == len(pieces)
    assert counters.received == (
        counters.matched + counters.excluded_attorney + counters.outside_window
        + counters.unreadable + counters.no_order
    )  # fmt: skip
    assert counters.matched == outcomes.count(Outcome.MATCHED)
    assert counters + counters == Counters(**{k: 2 * v for k, v in vars(counters).items()})


def test_a_piece_found_by_its_routing_code_and_its_zip5_is_captured_once_per_order() -> None:
    routed = an_order(address="123 MAIN ST APT 4, SPRINGFIELD IL 62704", routing="62704123423")
    index = MatchIndex.build([routed])
    piece = a_piece(TO_SUBJECT, bars=encode("00040123456200800001", "62704123423"))

    result = index.match(piece)

    assert [c.order_id for c in result.captures] == [routed.order_id]
    assert index.counters.captures == 1


def test_a_letter_read_for_a_digit_in_a_number_needs_the_subject_s_name() -> None:
    # APT 4 read as APT A: the subject's own mail under scope addressee is still theirs; under
    # scope delivery_point, which takes every name, APT A may be a real flat next door.
    misread = ("JOHN Q PUBLIC", "123 MAIN ST APT A", "SPRINGFIELD IL 62704")
    addressee = MatchIndex.build([an_order()])
    assert addressee.match(a_piece(misread)).outcome is Outcome.MATCHED
    stranger = ("MARY MAJOR", "123 MAIN ST APT A", "SPRINGFIELD IL 62704")
    assert addressee.match(a_piece(stranger)).outcome is Outcome.NO_ORDER
    everyone = MatchIndex.build([an_order(scope=Scope.DELIVERY_POINT)])
    assert everyone.match(a_piece(misread)).outcome is Outcome.NO_ORDER
    assert everyone.match(a_piece()).outcome is Outcome.MATCHED


def test_mc_all_names_mail_its_barcode_confirms_is_checked_for_the_name_without_parsing(
    no_parsing: None,
) -> None:
    index = MatchIndex.build([an_order(routing=ROUTING)])
    bars = encode(TRACKING, ROUTING)
    assert captured_by(index, a_piece(bars=bars)) == [1]
    assert index.match(a_piece(TO_JANE, bars=bars)).outcome is Outcome.NO_ORDER


def test_mc_all_names_mail_naming_someone_else_at_the_address_is_not_parsed(
    no_parsing: None,
) -> None:
    # Under scopes addressee and sender the piece must name the subject: a household
    # member's mail at the subject's address cannot be captured, so its address is not read.
    addressee = MatchIndex.build([an_order()])
    assert addressee.match(a_piece(TO_JANE)).outcome is Outcome.NO_ORDER
    jane_barcoded = a_piece(TO_JANE, bars=encode(TRACKING, ROUTING))
    assert addressee.match(jane_barcoded).outcome is Outcome.NO_ORDER
    sender = MatchIndex.build([an_order(scope=Scope.SENDER)])
    assert sender.match(a_piece(STRANGER, return_address=TO_JANE)).outcome is Outcome.NO_ORDER


def test_the_same_pieces_are_captured_whether_the_name_is_checked_first_or_last() -> None:
    # The name is checked before the address is parsed, on the lines above the street; the
    # parse would give the same lines or more, so `even` (everything parsed first) agrees.
    world = mailgen.world(12, 7, DURING)
    index = MatchIndex.build(list(world.orders))
    captured = 0
    for event, _truth in mailgen.stream(world, 3000, 7):
        piece = piece_from(event, DURING)
        lazy = {c.order_id for c in index.match(piece, DURING).captures}
        assert lazy == {c.order_id for c in index.match(piece, DURING, even=True).captures}
        captured += len(lazy)
    assert captured > 100


def test_sec_operator_an_even_match_reads_no_name_before_the_address_is_compared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # How long a piece's names take to read must not tell which house numbers of its ZIP
    # Code are under cover: under `even` a name is read only at an order's delivery point.
    read = []
    real = index_module.names_anyone
    for module in (index_module, side_module):  # the subject's names, and the attorneys'
        monkeypatch.setattr(module, "names_anyone", lambda *a, **k: read.append(1) or real(*a, **k))
    index = MatchIndex.build([an_order(attorneys=())])
    names_nobody = " & ".join(["JO-AN PUB-LIC"] * 12)
    probe = a_piece((names_nobody, "123 OAK AVE", "SPRINGFIELD IL 62704-1234"), None)
    assert index.match(probe, DURING, even=True).outcome is Outcome.NO_ORDER
    assert read == []
    index.match(probe, DURING)  # the server's own ingest may read the name first
    assert read


ATTORNEY = (Attorney("JANE ROE ESQ", parse("1 COURT SQ, SPRINGFIELD IL 62701")),)


@pytest.mark.parametrize(
    "return_address",
    [
        ("JANE ROE, ESQ 1 COURT SQ SPRINGFIELD IL 62701",),  # the name on the address's line
        ("JANE ROE ESQ 500 ELM ST SPRINGFIELD IL 62702",),  # ... at a new address
        ("500 ELM ST", "JANE ROE", "SPRINGFIELD IL 62702"),  # the name below the street
    ],
)
def test_mc_attorney_the_attorney_s_name_is_read_wherever_it_is_written(
    return_address: tuple[str, ...],
) -> None:
    index = MatchIndex.build([an_order(attorneys=ATTORNEY)])
    for even in (False, True):
        result = index.match(a_piece(return_address=return_address), DURING, even=even)
        assert result.outcome is Outcome.EXCLUDED_ATTORNEY, even


def test_mc_attorney_the_subject_s_letter_to_the_attorney_on_one_line_is_withheld() -> None:
    index = MatchIndex.build([an_order(2, scope=Scope.SENDER, attorneys=ATTORNEY)])
    piece = a_piece(("JANE ROE ESQ 500 ELM ST SPRINGFIELD IL 62702",), TO_SUBJECT)
    for even in (False, True):
        assert index.match(piece, DURING, even=even).outcome is Outcome.EXCLUDED_ATTORNEY


def _zip5_candidates_by_text(lines: Sequence[str]) -> frozenset[str]:
    """zip5_candidates as first written, on text: upper case, apostrophes out, OCR letters
    read as digits, every five digits of a run. The bytes path must find the same."""
    import re

    from mailcover.postal.confusion import DIGIT_OF

    text = "\n".join(lines).upper().replace("'", "").translate(DIGIT_OF)
    runs = re.findall(r"[0-9]{5,}", text)
    return frozenset(run[i : i + 5] for run in runs for i in range(len(run) - 4))


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.text(alphabet="0123456789OQDILZASGBoqdilzasgbxyz '-,#\n", max_size=40), max_size=4)
)
def test_zip5_candidates_in_bytes_are_those_of_the_text(lines: list[str]) -> None:
    assert zip5_candidates(lines) == _zip5_candidates_by_text(lines)


def test_zip5_candidates_read_ocr_letters_apostrophes_and_long_runs() -> None:
    found = zip5_candidates(["JOHN O'NEIL", "12 MAIN ST", "SPRINGFIELD IL 6z7o4 1234"])
    assert found == {"62704"}
    assert zip5_candidates(["IL 627041234"]) == {
        "62704", "27041", "70412", "04123", "41234",
    }  # fmt: skip
    assert zip5_candidates(["CAFÉ", "IL 62704"]) == {"62704"}  # the text path


class TestPrintedInPublication28Form:
    """A side whose last two lines are the order's address exactly as Publication 28 prints it
    is taken as at its delivery point without the (slow) parse: what the parse would conclude,
    as `_printed_forms` checks for each order when the index is built."""

    def test_a_printed_address_is_captured_without_parsing(self, no_parsing: None) -> None:
        index = MatchIndex.build([an_order()])
        assert captured_by(index, a_piece(TO_SUBJECT)) == [1]
        assert captured_by(
            index, a_piece(("JOHN Q PUBLIC", *TO_SUBJECT[1:2], "SPRINGFIELD IL 62704"))
        ) == [1]

    def test_the_names_rule_still_decides(self, no_parsing: None) -> None:
        # MC-ALL-NAMES: the household's mail at the printed address is not the subject's.
        index = MatchIndex.build([an_order()])
        assert captured_by(index, a_piece(TO_JANE)) == []

    def test_under_scope_delivery_point_every_name_is_taken(self, no_parsing: None) -> None:
        index = MatchIndex.build([an_order(scope=Scope.DELIVERY_POINT)])
        assert captured_by(index, a_piece(TO_JANE)) == [1]

    @pytest.mark.parametrize(
        "above",
        [
            ("APT 5",),  # a unit on a line of its own is part of the address
            ("BLDG C", "JOHN Q PUBLIC"),
            ("JOHN Q PUBLIC", "# 5"),
            ("JOHN Q PUBLIC", "REAR"),
            ("John Q Public",),  # not printed in capitals: read as written
            ("JOHN Q PUBLIC 3",),
        ],
    )
    def test_lines_above_that_may_be_address_send_the_piece_to_the_parse(
        self, above: tuple[str, ...]
    ) -> None:
        assert postal_printed_lines((*above, *TO_SUBJECT[1:])) is None

    def test_a_unit_line_above_the_printed_lines_is_not_the_orders_unit(self) -> None:
        # The order has no unit; the piece's "APT 5" line above its street makes it another
        # delivery point, which the parse sees and the printed lines alone would not.
        index = MatchIndex.build([an_order(address="123 MAIN ST, SPRINGFIELD IL 62704-1234")])
        piece = a_piece(("JOHN Q PUBLIC", "APT 5", "123 MAIN ST", "SPRINGFIELD IL 62704-1234"))
        assert captured_by(index, piece) == []

    def test_the_printed_forms_are_only_those_the_parse_reads_back(self) -> None:
        entry = index_module._Entry.of(an_order())
        assert entry.printed == {
            ("123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234"),
            ("123 MAIN ST APT 4", "SPRINGFIELD IL 62704"),
        }

    def test_an_even_match_answers_as_the_printed_path(self) -> None:
        index = MatchIndex.build([an_order(), an_order(2, scope=Scope.DELIVERY_POINT)])
        for lines in (TO_SUBJECT, TO_JANE, STRANGER, ("JOHN Q PUBLIC", "APT 5", *TO_SUBJECT[1:])):
            lazy = index.match(a_piece(lines), DURING)
            even = index.match(a_piece(lines), DURING, even=True)
            assert (lazy.outcome, [c.order_id for c in lazy.captures]) == (
                even.outcome,
                [c.order_id for c in even.captures],
            )


def postal_printed_lines(lines: Sequence[str]) -> tuple[str, str] | None:
    from mailcover.postal.address import printed_lines

    return printed_lines(lines)
