"""Address normalisation and delivery-point keys (postal/address.py, postal/pub28.py).

Sources: USPS Publication 28 (SPECS.md section 2). Where a test uses an example that
Publication 28 itself prints, the section is named; the military examples are the ones
section 225 prints. Every other address is made up (a real ZIP Code, an invented street),
and says so only by not citing anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailcover.matching import mailgen
from mailcover.postal.address import (
    Address,
    AddressError,
    is_military,
    parse,
    parse_lines,
    recipient_lines,
)
from mailcover.postal.pub28 import (
    DIRECTIONALS,
    RANGELESS_UNITS,
    SECONDARY_UNITS,
    STATES,
    STREET_SUFFIXES,
    SUFFIX_NAMES,
)

CODES = {"empty", "unparseable", "no-zip", "bad-zip", "unknown-zip", "unknown-state",
         "zip-state-mismatch", "no-street", "intersection"}  # fmt: skip
CANONICAL = "123 N MAIN ST APT 4, SPRINGFIELD IL 62704-1234"
KEY = "62704|123 N MAIN ST|4"


def key(text: str) -> str:
    return parse(text).delivery_point_key


# -- the tables, where they differ from usaddress-scourgify (SPECS.md 2.2) --------------------


def test_upper_is_abbreviated_uppr_as_in_appendix_c2_not_upper_as_scourgify_has_it() -> None:
    assert SECONDARY_UNITS["UPPER"] == "UPPR"


@pytest.mark.parametrize("code", ["PR", "GU", "VI", "AS", "MP", "FM", "MH", "PW", "AA", "AE", "AP"])
def test_territories_and_military_states_are_state_codes(code: str) -> None:
    assert STATES[code] == code


@pytest.mark.parametrize(
    ("written", "standard"), [("COMMONS", "CMNS"), ("CROSSROADS", "XRDS"), ("TRAILER", "TRLR")]
)
def test_suffixes_scourgify_lacks_are_on_the_table(written: str, standard: str) -> None:
    assert STREET_SUFFIXES[written] == standard


def test_mdw_is_meadow_the_standard_abbreviation_stays_itself() -> None:
    assert STREET_SUFFIXES["MDW"] == "MDW"


def test_every_standard_abbreviation_maps_to_itself_and_has_a_primary_name() -> None:
    for standard in set(STREET_SUFFIXES.values()):
        assert STREET_SUFFIXES[standard] == standard
        assert standard in SUFFIX_NAMES


def test_appendix_b_has_50_states_dc_8_possessions_and_3_military() -> None:
    assert len(set(STATES.values())) == 62
    assert STATES["DISTRICT OF COLUMBIA"] == "DC"


# -- suffixes (section 234, Appendix C1) ------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "suffix"),
    [("STREET", "ST"), ("AVENUE", "AVE"), ("BOULEVARD", "BLVD"), ("TERRACE", "TER"),
     ("CRSNT", "CRES"), ("PKWY", "PKWY"), ("COMMONS", "CMNS"), ("LANE", "LN")],
)  # fmt: skip
def test_a_suffix_is_abbreviated_as_appendix_c1_says(written: str, suffix: str) -> None:
    address = parse(f"10 OAK {written}, SPRINGFIELD IL 62704")
    assert (address.street_name, address.suffix) == ("OAK", suffix)


def test_of_two_suffix_words_only_the_second_is_abbreviated_section_234_2() -> None:
    address = parse("123 PARK AVENUE, SPRINGFIELD IL 62704")
    assert (address.street_name, address.suffix) == ("PARK", "AVE")


def test_the_first_of_two_suffix_words_is_spelt_out_in_full_section_234_2() -> None:
    address = parse("123 PRK AVE, SPRINGFIELD IL 62704")
    assert (address.street_name, address.suffix) == ("PARK", "AVE")


def test_avenue_park_keeps_avenue_as_the_name_and_park_as_the_suffix() -> None:
    address = parse("123 AVENUE PARK, SPRINGFIELD IL 62704")
    assert (address.street_name, address.suffix) == ("AVENUE", "PARK")


def test_a_type_word_before_the_name_is_spelt_out() -> None:
    assert parse("1 HWY 20, SPRINGFIELD IL 62704").lines()[0] == "1 HIGHWAY 20"
    assert key("1 HWY 20, SPRINGFIELD IL 62704") == key("1 HIGHWAY 20, SPRINGFIELD IL 62704")


# -- directionals (section 233) ---------------------------------------------------------------


@pytest.mark.parametrize(("written", "standard"), sorted(DIRECTIONALS.items()))
def test_a_predirectional_is_abbreviated(written: str, standard: str) -> None:
    assert parse(f"123 {written} MAIN ST, SPRINGFIELD IL 62704").predirectional == standard


def test_a_postdirectional_is_abbreviated() -> None:
    address = parse("1600 PENNSYLVANIA AVE NORTHWEST, WASHINGTON DC 20500")
    assert (address.street_name, address.suffix, address.postdirectional) == (
        "PENNSYLVANIA",
        "AVE",
        "NW",
    )


def test_two_directional_words_make_one_directional() -> None:
    assert parse("123 NORTH WEST MAIN ST, SPRINGFIELD IL 62704").predirectional == "NW"


def test_a_directional_that_is_the_street_name_stays_spelt_out() -> None:
    address = parse("123 NORTH ST, SPRINGFIELD IL 62704")
    assert (address.predirectional, address.street_name, address.suffix) == ("", "NORTH", "ST")


# -- secondary units (section 213, Appendix C2) -----------------------------------------------


@pytest.mark.parametrize("written", sorted(w for w in SECONDARY_UNITS if w != "#"))
def test_every_c2_designator_is_normalised(written: str) -> None:
    standard = SECONDARY_UNITS[written]
    number = "" if standard in RANGELESS_UNITS else " 4"
    address = parse_lines(["123 MAIN ST", f"{written}{number}", "SPRINGFIELD IL 62704"])
    assert address.unit_designator == standard
    assert address.unit_number == number.strip()


@pytest.mark.parametrize("designator", sorted(RANGELESS_UNITS))
def test_a_designator_that_takes_no_number_is_the_unit_in_the_key(designator: str) -> None:
    address = parse(f"123 MAIN ST {designator}, SPRINGFIELD IL 62704")
    assert address.delivery_point_key == f"62704|123 MAIN ST|{designator}"


def test_a_rangeless_designator_without_a_comma_is_taken_off_the_city() -> None:
    address = parse("123 MAIN ST REAR SPRINGFIELD IL 62704")
    assert (address.unit_designator, address.city) == ("REAR", "SPRINGFIELD")


def test_a_city_that_starts_like_a_designator_is_left_alone() -> None:
    address = parse("1 MAIN ST, FRONT ROYAL VA 22630")
    assert (address.unit_designator, address.city) == ("", "FRONT ROYAL")


@pytest.mark.parametrize("written", ["# 4", "#4", "APT #4", "APT # 4", "APARTMENT 4", "UNIT 4"])
def test_the_designator_does_not_change_the_delivery_point(written: str) -> None:
    assert key(f"123 N MAIN ST {written}, SPRINGFIELD IL 62704") == KEY


def test_a_hash_unit_prints_with_the_hash_section_213() -> None:
    assert parse("123 MAIN ST #4, SPRINGFIELD IL 62704").lines()[0] == "123 MAIN ST # 4"


def test_the_unit_on_its_own_line_above_the_street_is_the_unit() -> None:
    address = parse_lines(["JOHN Q PUBLIC", "APT 4", "123 N MAIN ST", "SPRINGFIELD IL 62704"])
    assert address.delivery_point_key == KEY
    assert address.recipient == ("JOHN Q PUBLIC",)


def test_the_unit_on_its_own_line_below_the_street_is_the_unit() -> None:
    address = parse_lines(["JOHN Q PUBLIC", "123 N MAIN ST", "APT 4", "SPRINGFIELD IL 62704"])
    assert address.delivery_point_key == KEY


def test_a_different_unit_is_a_different_delivery_point() -> None:
    assert key("123 N MAIN ST APT 5, SPRINGFIELD IL 62704") != KEY
    assert key("123 N MAIN ST, SPRINGFIELD IL 62704") != KEY


def test_a_different_house_street_or_zip_is_a_different_delivery_point() -> None:
    others = [
        "125 N MAIN ST APT 4, SPRINGFIELD IL 62704",
        "123 S MAIN ST APT 4, SPRINGFIELD IL 62704",
        "123 N MAIN AVE APT 4, SPRINGFIELD IL 62704",
        "123 N MAIN ST APT 4, SPRINGFIELD IL 62701",
    ]
    assert len({KEY, *map(key, others)}) == 5


# -- one delivery point, many spellings -------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "123 North Main Street Apartment 4, Springfield IL 62704",
        "123 north main street apartment 4 springfield il 62704-1234",
        "123 N. Main St., Apt. 4, Springfield, IL. 62704 1234",
        "123 N MAIN ST APT 4 SPRINGFIELD IL 627041234",
        "  123  N  MAIN ST   APT 4 ,SPRINGFIELD  IL 62704.",
        "APT 4 123 N MAIN ST SPRINGFIELD IL 62704",
        "123 N MAIN ST APT 4, SPRINGFIELD ILLINOIS 62704",
        "123 N MAIN ST APT 4\nSPRINGFIELD IL 62704",
    ],
)
def test_every_spelling_of_one_delivery_point_has_one_key(written: str) -> None:
    assert key(written) == KEY


def test_a_missing_zip4_gives_the_same_key() -> None:
    assert key("123 N MAIN ST APT 4, SPRINGFIELD IL 62704") == KEY


def test_a_city_spelled_differently_gives_the_same_key() -> None:
    assert key("123 N MAIN ST APT 4, SPRINGFEILD IL 62704") == KEY


def test_o_and_i_read_for_0_and_1_in_a_zip_are_corrected() -> None:
    assert key("123 N MAIN ST APT 4, SPRINGFIELD IL 627O4-I234") == KEY


def test_the_mail_piece_addressee_of_design_md_parses() -> None:
    address = parse_lines(["JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234"])
    assert address == Address(
        number="123",
        street_name="MAIN",
        suffix="ST",
        unit_designator="APT",
        unit_number="4",
        city="SPRINGFIELD",
        state="IL",
        zip5="62704",
        zip4="1234",
        recipient=("JOHN Q PUBLIC",),
    )
    assert address.lines() == ("123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234")


def test_a_recipient_in_a_one_string_address_is_not_part_of_it() -> None:
    address = parse("JOHN Q PUBLIC, 123 N MAIN ST APT 4, SPRINGFIELD IL 62704")
    assert (address.recipient, address.delivery_point_key) == (("JOHN Q PUBLIC",), KEY)


def test_fractional_and_hyphenated_house_numbers_are_kept_section_232() -> None:
    assert parse("101 1/2 MAIN ST, SPRINGFIELD IL 62704").number == "101 1/2"
    assert parse("289-01 MONTGOMERY AVE, SPRINGFIELD IL 62704").number == "289-01"


# -- PO boxes, rural routes, highway contract routes (sections 24, 25, 28) --------------------


@pytest.mark.parametrize(
    "written", ["PO BOX 100", "P.O. BOX 100", "P O BOX 100", "POB 100", "POST OFFICE BOX 100"]
)
def test_po_box_variants_are_one_po_box(written: str) -> None:
    address = parse_lines(["ACME CORP", written, "DENVER CO 80201"])
    assert address.delivery_point_key == "80201|PO BOX 100|"
    assert address.lines() == ("PO BOX 100", "DENVER CO 80201")


@pytest.mark.parametrize("written", ["RR 2 BOX 15", "RURAL ROUTE 2 BOX 15"])
def test_rural_route_variants_are_one_delivery_point(written: str) -> None:
    address = parse(f"{written}, SPRINGFIELD IL 62704")
    assert (address.route_type, address.route_number, address.box) == ("RR", "2", "15")
    assert address.delivery_point_key == "62704|RR 2 BOX 15|"


def test_a_highway_contract_route_box() -> None:
    address = parse("HC 68 BOX 23, SPRINGFIELD IL 62704")
    assert (address.route_type, address.route_number, address.box) == ("HC", "68", "23")
    assert address.lines()[0] == "HC 68 BOX 23"


# -- military (section 225) and territories ---------------------------------------------------


def test_a_military_unit_box_section_225() -> None:
    address = parse("UNIT 2050 BOX 4190, APO AP 96278-2050")
    assert (address.military_type, address.military_number, address.box) == ("UNIT", "2050", "4190")
    assert (address.unit_designator, address.unit_number) == ("", "")
    assert address.lines() == ("UNIT 2050 BOX 4190", "APO AP 96278-2050")
    assert is_military(address)


def test_a_military_psc_box_section_225() -> None:
    address = parse("PSC 802 BOX 74, APO AE 09499-0074")
    assert address.delivery_point_key == "09499|PSC 802 BOX 74|"


def test_a_military_cmr_box() -> None:
    assert key("CMR 450 BOX 6 APO AE 09705") == "09705|CMR 450 BOX 6|"


def test_a_ship_is_the_delivery_line_of_an_fpo_address() -> None:
    address = parse_lines(["SGT JOHN DOE", "USS GEORGE WASHINGTON", "FPO AE 09550-1234"])
    assert address.delivery_point_key == "09550|USS GEORGE WASHINGTON|"
    assert address.recipient == ("SGT JOHN DOE",)


@pytest.mark.parametrize(
    ("written", "state"),
    [
        ("1234 CALLE SOL, SAN JUAN PR 00901", "PR"),
        ("100 MARINE CORPS DR, HAGATNA GU 96910", "GU"),
        ("5 MAIN ST, ST THOMAS VI 00802", "VI"),
    ],
)
def test_territories_have_their_state_codes(written: str, state: str) -> None:
    assert parse(written).state == state


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("", "empty"),
        (" ., ", "empty"),
        ("123 MAIN ST, SPRINGFIELD IL", "no-zip"),
        ("123 MAIN ST, SPRINGFIELD IL 99999", "unknown-zip"),
        ("123 MAIN ST, SPRINGFIELD WI 62704", "zip-state-mismatch"),
        ("SPRINGFIELD IL 62704", "no-street"),
        ("MAIN ST, SPRINGFIELD IL 62704", "no-street"),
    ],
)
def test_an_address_that_names_no_delivery_point_is_refused_with_a_code(
    written: str, code: str
) -> None:
    with pytest.raises(AddressError) as caught:
        parse(written)
    assert caught.value.code == code
    assert str(caught.value)


def test_a_missing_state_is_taken_from_the_zip() -> None:
    assert parse("123 N MAIN ST APT 4, SPRINGFIELD 62704").state == "IL"


OUTCOME = r"\d{5}\|[^|]+\|[^|]*|error (" + "|".join(sorted(CODES)) + r"): .+"
"""A delivery-point key, or an AddressError with a known code and a message."""


def outcome(read: Callable[[], Address]) -> str:
    try:
        return read().delivery_point_key
    except AddressError as error:
        return f"error {error.code}: {error}"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_raises_nothing_but_address_error(text: str) -> None:
    assert re.fullmatch(OUTCOME, outcome(lambda: parse(text)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=5))
def test_arbitrary_lines_raise_nothing_but_address_error(lines: list[str]) -> None:
    assert re.fullmatch(OUTCOME, outcome(lambda: parse_lines(lines)))


@st.composite
def respelled(draw: st.DrawFn) -> str:
    """CANONICAL re-cased, with stray periods and extra spaces, as an OCR engine might read it."""
    words = []
    for word in CANONICAL.split(" "):
        word = "".join(draw(st.sampled_from([c.upper(), c.lower()])) for c in word)
        word += draw(st.sampled_from(["", "", "."]))
        words.append(word + " " * draw(st.integers(0, 2)))
    return " ".join(words) + draw(st.sampled_from(["", ".", " .", ","]))


@settings(max_examples=200, deadline=None)
@given(respelled())
def test_recasing_and_stray_punctuation_never_change_the_key(text: str) -> None:
    assert key(text) == KEY


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("123 MAIN ST BLDG 2 APT 4", "123 MAIN ST BLDG 3 APT 4"),
        ("123 MAIN ST APT 4", "123 MAIN ST BLDG 4"),
        ("123 MAIN ST APT 4", "123 MAIN ST FL 4"),
        ("123 MAIN ST APT 4", "123 MAIN ST LOT 4"),
        ("123 MAIN ST APT 4 APT 5", "123 MAIN ST APT 45"),
    ],
)
def test_other_units_of_one_building_are_other_delivery_points(one: str, other: str) -> None:
    last = ", SPRINGFIELD IL 62704"

    assert parse(one + last).delivery_point_key != parse(other + last).delivery_point_key


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("123 MAIN ST APT 04", "123 MAIN ST APT 4"),
        ("123 MAIN ST APT 4-A", "123 MAIN ST APT 4A"),
        ("0123 MAIN ST", "123 MAIN ST"),
        ("123 MAIN ST BUILDING 2 APARTMENT 4", "123 MAIN ST BLDG 2 APT 4"),
        # The designator the sender chose among those of one unit (the delivery point is
        # the number): APT, STE, UNIT, RM, # or none, on the street line or its own line.
        ("123 MAIN ST APT 4", "123 MAIN ST STE 4"),
        ("123 MAIN ST APT 4", "123 MAIN ST SUITE 4"),
        ("123 MAIN ST APT 4", "123 MAIN ST UNIT 4"),
        ("123 MAIN ST APT 4", "123 MAIN ST # 4"),
        ("123 MAIN ST APT 4", "123 MAIN ST RM 4"),
    ],
)
def test_one_unit_written_two_ways_is_one_delivery_point(one: str, other: str) -> None:
    last = ", SPRINGFIELD IL 62704"

    assert parse(one + last).delivery_point_key == parse(other + last).delivery_point_key


@pytest.mark.parametrize(
    ("lines", "key"),
    [
        # A city with an OCR slip does not run into the street, the unit or the box.
        (["X", "5677 HAROLD PKWY", "SA1NT HELENA ISLAND SC 29920-1490"], "29920|5677 HAROLD PKWY|"),
        (["X", "3561 HUBBARD AVE.", "# 17", "GAINESV1LLE, GA 3050I-6104"],
         "30501|3561 HUBBARD AVE|17"),
        (["X", "16236 CHLOE PLACE", "5TRATTON, CO 80836"], "80836|16236 CHLOE PL|"),
        (["X", "12839 tara hwy. # 24", "0zark, al 36360"], "36360|12839 TARA HWY|24"),
        (["X", "PO BOX 7640", "P0RT EWEN NY 12466"], "12466|PO BOX 7640|"),
        (["X", "7490 ALEC DR STE 2700", "WISCONS1N DELLS WI 53965"], "53965|7490 ALEC DR|2700"),
        # Nor does a city with a small word, written without a comma.
        (["X", "5745 S CHELSEA PLACE", "NEW YORK NY 10041-7417"], "10041|5745 S CHELSEA PL|"),
        (["X", "9707 N YATES ROAD", "LA FAYETTE GA 30728"], "30728|9707 N YATES RD|"),
        (["X", "3318 LACEY AVE", "TOWNSHIP OF WASHINGTON NJ 07676"], "07676|3318 LACEY AVE|"),
    ],
)  # fmt: skip
def test_the_last_line_is_read_apart_from_the_delivery_line(lines: list[str], key: str) -> None:
    assert parse_lines(lines).delivery_point_key == key


def test_a_comma_after_apo_keeps_the_recipient() -> None:
    address = parse_lines(["JACK PUBLIC", "UNIT 2050 BOX 4190", "APO, AE 09499"])
    assert address.recipient == ("JACK PUBLIC",)
    assert address.delivery_point_key == "09499|UNIT 2050 BOX 4190|"


@pytest.mark.parametrize(
    ("lines", "key"),
    [
        (["X", "PO B0X 5070", "BELLEVILLE, IL 62223"], "62223|PO BOX 5070|"),
        (["X", "POST 0FFICE B0X 7033", "SHADY P0INT 0K 74956"], "74956|PO BOX 7033|"),
        (["X", "9295 FRITZ L00P", "UNIT 9C", "LIVERM0RE ME 04253-7912"],
         "04253|9295 FRITZ LOOP|9C"),
        (["X", "12 K1NG ST", "SHADY P0INT, 0K 74956"], "74956|12 KING ST|"),
        # A short designator or suffix with a digit for a letter: 5TE, 5T, 8LVD.
        (["X", "123 MA1N 5T", "5TE 4", "5PRINGFIELD 1L 62704"], "62704|123 MAIN ST|4"),
        (["X", "70 ELM 8LVD", "SPRINGFIELD IL 62704"], "62704|70 ELM BLVD|"),
        # Digits that belong: ordinals, units and house numbers stay as written.
        (["X", "7 W 1ST ST APT 10A", "SPRINGFIELD IL 62704"], "62704|7 W 1ST ST|10A"),
        (["X", "7 W 5TH ST APT 5E", "SPRINGFIELD IL 62704"], "62704|7 W 5TH ST|5E"),
    ],
)  # fmt: skip
def test_a_digit_read_for_a_letter_inside_a_word_is_read_as_the_letter(
    lines: list[str], key: str
) -> None:
    assert parse_lines(lines).delivery_point_key == key


@pytest.mark.parametrize(
    ("lines", "recipient"),
    [
        (("JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704"), ("JOHN Q PUBLIC",)),
        (("MR J. PUBLIC", "ACME CORP", "APT 4", "123 MAIN ST", "SPRINGFIELD IL 62704"),
         ("MR J PUBLIC", "ACME CORP")),  # the unit's line above the street names nobody
        (("PO BOX 100", "DENVER CO 80201"), ()),
        (("JOHN Q PUBLIC 123 MAIN ST SPRINGFIELD IL 62704",), None),  # one line: labeller's
        (("JOHN PUBLIC", "MAIN STREET", "SPRINGFIELD IL 62704"), None),  # no delivery line
    ],
)  # fmt: skip
def test_the_recipient_lines_are_found_by_shape_when_the_lines_tell(
    lines: tuple[str, ...], recipient: tuple[str, ...] | None
) -> None:
    assert recipient_lines(lines) == recipient
    if recipient:
        assert parse_lines(lines).recipient == recipient


def test_the_recipient_found_by_shape_is_never_more_than_the_parse_gives() -> None:
    # On another generator's mail (names, places and slips not made for this parser).
    world = mailgen.world(12, 11, datetime(2026, 11, 24, tzinfo=UTC))
    compared = 0
    for event, _truth in mailgen.stream(world, 2000, 11):
        for lines in (event["addressee"], event["return_address"]):
            cheap = recipient_lines(lines) if lines else None
            if cheap is None:
                continue
            try:
                parsed = parse_lines(lines).recipient
            except AddressError:
                continue
            assert set(cheap) <= set(parsed)
            compared += 1
    assert compared > 1000
