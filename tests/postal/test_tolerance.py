"""One delivery point written with the slips mail really carries (`same_delivery_point`), and
the other delivery points that must stay apart; the state code read through the ZIP.

Each rule of tolerance in postal/address.py and postal/confusion.py has its test here: what it
lets through, and the neighbour it still refuses."""

from __future__ import annotations

import pytest

from mailcover.postal.address import AddressError, parse_lines
from mailcover.postal.confusion import fold, ocr_same, similarity
from mailcover.postal.delivery_point import same_delivery_point
from mailcover.postal.pub28 import STREET_SUFFIXES

ORDER = ["JOHN Q PUBLIC", "1234 FISHER AVE APT 19", "LAS VEGAS NV 89101-1234"]


def at_the_order(*lines: str) -> bool:
    return same_delivery_point(parse_lines(ORDER), parse_lines(["JOHN Q PUBLIC", *lines]))


@pytest.mark.parametrize(
    "lines",
    [
        ("1234 FISHER AVE STE 19", "LAS VEGAS NV 89101"),
        ("1234 FISHER AVE UNIT 19", "LAS VEGAS NV 89101"),
        ("1234 FISHER AVE # 19", "LAS VEGAS NV 89101"),
        ("STE 19", "1234 FISHER AVE", "LAS VEGAS NV 89101"),
        ("1234 FISHER AVE", "UNIT 19", "LAS VEGAS NV 89101"),
        ("1234 FISHFR AVE APT 19", "LAS VEGAS NV 89101"),  # E read as F in the name
        ("1234 FISHER AVF APT 19", "LAS VEGAS NV 89101"),  # ... and in the suffix
        ("1234 FISHFR AVF", "STE 19", "LAS VFGAS NV 89101"),  # several at once
        ("1234 FISHER AVENUE APT 19", "LAS VEGAS N5 89101"),  # a state code that is none
        ("1234 FlSHER AVE APT 19", "IAS VEGAS NV 89101"),  # L read as I
        ("1234 FISHRE AVE APT 19", "LAS VEGAS NV 89101"),  # two letters swapped
    ],
)
def test_one_delivery_point_written_with_slips_is_the_order_s(lines: tuple[str, ...]) -> None:
    assert at_the_order(*lines)


@pytest.mark.parametrize(
    "lines",
    [
        ("1234 FISHER AVE APT 18", "LAS VEGAS NV 89101"),  # the neighbour's flat
        ("1234 FISHER AVE", "LAS VEGAS NV 89101"),  # no unit: the building, not the flat
        ("1234 FISHER AVE BLDG 19", "LAS VEGAS NV 89101"),  # another level
        ("1234 FISHER AVE FL 19", "LAS VEGAS NV 89101"),
        ("1236 FISHER AVE APT 19", "LAS VEGAS NV 89101"),  # the house next door
        ("1234 FISHER ST APT 19", "LAS VEGAS NV 89101"),  # another real suffix: another street
        ("1234 N FISHER AVE APT 19", "LAS VEGAS NV 89101"),  # a directional the order lacks
        ("1234 FOSTER AVE APT 19", "LAS VEGAS NV 89101"),  # another name
        ("1234 FISHER AVE APT 19", "LAS VEGAS NV 89102"),  # another ZIP Code
    ],
)
def test_the_neighbours_stay_other_delivery_points(lines: tuple[str, ...]) -> None:
    assert not at_the_order(*lines)


def test_a_short_street_name_must_be_the_same_once_folded() -> None:
    order = parse_lines(["X", "12 ELM ST", "SPRINGFIELD IL 62704"])
    assert same_delivery_point(order, parse_lines(["X", "12 EIM ST", "SPRINGFIELD IL 62704"]))
    assert not same_delivery_point(order, parse_lines(["X", "12 ELK ST", "SPRINGFIELD IL 62704"]))


def test_a_box_or_a_route_is_compared_whole() -> None:
    box = parse_lines(["X", "PO BOX 100", "DENVER CO 80201"])
    assert same_delivery_point(box, parse_lines(["X", "PO BOX 0100", "DENVER CO 80201"]))
    assert not same_delivery_point(box, parse_lines(["X", "PO BOX 101", "DENVER CO 80201"]))


@pytest.mark.parametrize(("written", "state"), [("K5", "KS"), ("KS", "KS"), ("N5", "KS")])
def test_the_zip_code_names_the_state_a_slip_leaves_unreadable(written: str, state: str) -> None:
    address = parse_lines(["X", "100 MAIN ST", f"DODGE CITY {written} 67801"])
    assert address.state == state
    assert address.zip5 == "67801"


def test_another_state_s_code_still_contradicts_the_zip() -> None:
    with pytest.raises(AddressError) as refused:
        parse_lines(["X", "9 OAK ST", "DENVER IL 80201"])
    assert refused.value.code == "zip-state-mismatch"


def test_1a_is_iowa_when_the_zip_is_in_iowa() -> None:
    address = parse_lines(["X", "55 MAIN ST", "EA5T DUBUQUE 1A 52001"])
    assert (address.state, address.delivery_point_key) == ("IA", "52001|55 MAIN ST|")


def test_only_pt_and_ft_of_the_standard_suffixes_fold_alike() -> None:
    standard = sorted(set(STREET_SUFFIXES.values()))
    collisions = {(a, b) for a in standard for b in standard if a < b and fold(a) == fold(b)}
    assert collisions == {("FT", "PT")}
    # ... and a real suffix is never taken for another: POINT is not FORT.
    order = parse_lines(["X", "12 LOOKOUT PT", "SPRINGFIELD IL 62704"])
    assert not same_delivery_point(
        order, parse_lines(["X", "12 LOOKOUT FT", "SPRINGFIELD IL 62704"])
    )


def test_a_real_code_ocr_makes_of_the_zip_s_state_is_the_zip_s_state() -> None:
    # UT and VT, MD and MO are one slip apart: the ZIP decides (Salt Lake City is in Utah).
    assert parse_lines(["X", "9 MAIN ST", "SALT LAKE CITY VT 84101"]).state == "UT"
    with pytest.raises(AddressError):
        parse_lines(["X", "9 MAIN ST", "SALT LAKE CITY TX 84101"])


def test_the_confusion_table_is_a_comparison_never_a_correction() -> None:
    assert ocr_same("LOCK", "IOCK")
    assert ocr_same("AVE", "AVF")
    assert ocr_same("KS", "K5")
    assert not ocr_same("ST", "AVE")
    assert similarity("FISHER", "FISHRE") == pytest.approx(5 / 6)


@pytest.mark.parametrize(
    "lines",
    [
        ("1234 FISHER AVE 19", "LAS VEGAS NV 89101"),  # a unit with no designator
        ("19", "1234 FISHER AVE", "LAS VEGAS NV 89101"),  # ... alone above the street
        ("1234 FISHER AVE", "19", "LAS VEGAS NV 89101"),  # ... or below it
        ("1234 FISHER AVENUF # 19", "LAS VEGAS NV 89101"),  # a suffix spelt out, misread
        ("1234 FISHER AVE # 19", "LAS VEGAS NEVADA 89101"),  # the state spelt out
        ("1Z34 FISHER AVE # 19", "LAS VEGAS NV 8910I"),  # letters for digits
        ("I234 FISHER AVE APT I9", "LAS VEGAS NV 89101"),  # I, L, O, Q, Z, S in a number
    ],
)
def test_more_ways_of_writing_the_order_s_delivery_point(lines: tuple[str, ...]) -> None:
    assert at_the_order(*lines)


def test_a_road_numbered_after_its_suffix_keeps_its_number() -> None:
    address = parse_lines(["X", "100 COUNTY ROAD 12", "SPRINGFIELD IL 62704"])
    assert address.unit == ""
    assert parse_lines(["X", "71 N 33RD RD 42", "LLANO CA 93544"]).unit == "42"


@pytest.mark.parametrize(
    ("order", "piece"),
    [("128 MAIN ST", "12B MAIN ST"), ("10 MAIN ST", "1D MAIN ST"), ("14 MAIN ST", "1A MAIN ST"),
     ("9 MAIN ST APT 2E", "9 MAIN ST APT 2F"), ("9 MAIN ST APT 10", "9 MAIN ST APT 1D"),
     ("9 MAIN ST APT 44", "9 MAIN ST APT 4A"), ("9 MAIN ST APT 3U", "9 MAIN ST APT 3V")],
)  # fmt: skip
def test_a_number_or_unit_with_a_letter_is_its_own_delivery_point(order: str, piece: str) -> None:
    # 12B is a half address and 2E a flat, not 128 or 2F: numbers are never folded.
    last = "SPRINGFIELD IL 62704"
    assert not same_delivery_point(parse_lines(["X", order, last]), parse_lines(["X", piece, last]))


def test_the_glyphs_of_a_pair_are_also_read_one_by_one() -> None:
    # CL is D when CLARK is read as DARK; but the C and L of CLR are CIR with I read as L.
    assert ocr_same("CLARK", "DARK")
    assert ocr_same("CIR", "CLR")
    order = parse_lines(["X", "19673 34TH CIR", "RADISSON WI 54867"])
    for street in ("19673 34TH CLR", "19673 34TH CIRCIE", "19673 34TH CLRCLE", "19673 34TH CRCI"):
        assert same_delivery_point(order, parse_lines(["X", street, "RADISSON WI 54867"]))
    assert not same_delivery_point(order, parse_lines(["X", "19673 34TH CT", "RADISSON WI 54867"]))


@pytest.mark.parametrize(
    ("street", "suffix", "unit"),
    [("33 STAINBROOK WAV 2L", "WAY", "2L"), ("19300 MCCAULEY W4Y", "WAY", ""),
     ("33 STAINBROOK P1", "", "P1"), ("12 BROADWAY PH", "", ""), ("12 BROADWAY RM 4", "", "4")],
)  # fmt: skip
def test_a_misread_suffix_the_labeller_took_for_a_unit_is_the_suffix(
    street: str, suffix: str, unit: str
) -> None:
    # WAV is WAY read with a slip, and usaddress took it for a unit; P1 (one letter) and the
    # designators PH and RM stay units.
    address = parse_lines(["X", street, "GLEN ALLEN VA 23060"])
    assert (address.suffix, address.unit_number) == (suffix, unit)


def test_the_misread_suffix_and_the_unit_after_it_are_the_order_s() -> None:
    order = parse_lines(["X", "33 STAINBROOK WAY APT 21", "GLEN ALLEN VA 23060"])
    piece = parse_lines(["X", "33 STAINBROOK WAV 2L", "GLEN AILEN V4 23060"])
    assert same_delivery_point(order, piece)
    neighbour = parse_lines(["X", "33 STAINBROOK WAV 22", "GLEN ALLEN VA 23060"])
    assert not same_delivery_point(order, neighbour, named=True)


def test_a_number_hiding_the_street_is_read_again_and_kept_as_written() -> None:
    # "370B RODGERS CIRCLF": usaddress reads all three words as a name and finds no street.
    # Read again with 370B as 3708, the street is found; the number stays 370B, so only an
    # order whose mail must also name the subject takes it for 3708 (370B may be a half
    # address, whose mail scope delivery_point must not take).
    order = parse_lines(["X", "3708 RODGERS CIR", "VENTURA CA 93004"])
    piece = parse_lines(["NICK NOVAK", "370B RODGERS CIRCLF", "VENTURA CA 93004"])
    assert (piece.number, piece.recipient) == ("370B", ("NICK NOVAK",))
    assert same_delivery_point(order, piece, named=True)
    assert not same_delivery_point(order, piece)
    assert parse_lines(["X", "12B MAIN ST", "SPRINGFIELD IL 62704"]).number == "12B"


def test_each_pair_of_glyphs_is_read_as_one_or_two_on_its_own() -> None:
    # In COLIRT (COURT) LI is U; in CLR (CIR) CL is two glyphs; both pairs in one word.
    assert ocr_same("COURT", "COLIRT")
    assert ocr_same("CURTIS", "CLIRTIS")
    assert not ocr_same("COURT", "COLLRT")


@pytest.mark.parametrize(
    ("street", "unit"),
    [("18155 WHATIEY AVF 53", "53"), ("12032 QUIGLEY AVF # 23", "23"),
     ("8860 N BENEFIELD COLIRT 28", "28"), ("100 COUNTY R0AD 12", "")],
)  # fmt: skip
def test_a_unit_after_a_misread_suffix_is_the_unit(street: str, unit: str) -> None:
    address = parse_lines(["X", street, "SAYREVILLE NJ 08872"])
    assert address.unit_number == unit


def test_a_digit_for_the_first_letter_of_a_word_is_read_as_the_letter() -> None:
    order = parse_lines(["X", "1720 BARKER DR", "CLOVERDALE CA 95425"])
    piece = parse_lines(["X", "172O 8ARKER DRIVF", "CLOVERDALE CA 95425"])
    assert same_delivery_point(order, piece)
    # Ordinals stay numbers: 4TH ST, and 5THST written without its space.
    assert parse_lines(["X", "12 4TH ST", "CLOVERDALE CA 95425"]).street_name == "4TH"


@pytest.mark.parametrize("street", ["100 BROADWAY FL 3", "100 BROADWAY FI 3", "100 BROADWAY EL 3"])
def test_a_floor_is_never_read_as_a_misread_suffix(street: str) -> None:
    # FL read as PL would drop the floor, and with it the delivery point.
    order = parse_lines(["X", "100 BROADWAY APT 3", "SPRINGFIELD IL 62704"])
    office = parse_lines(["ACME CORP", street, "SPRINGFIELD IL 62704"])
    assert office.suffix == ""
    assert not same_delivery_point(order, office)
