"""Word spacing put back in addresses read from photographs (imaging/spacing.py).

Each rule is tested on what it must split and on the words it must not split; the whole is
tested to leave correctly printed addresses exactly as they are, to run on a photograph's
reading and never on a plant's event text.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PIL import Image

from mailcover.imaging import read as read_module
from mailcover.imaging.ocr import Blocks, Line
from mailcover.imaging.spacing import (
    respace_address,
    respace_delivery_line,
    respace_last_line,
)
from mailcover.matching import synth
from mailcover.matching.events import piece_from
from mailcover.postal.address import parse_lines

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

# -- the examples of the issue ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("read", "spaced"),
    [
        (
            ("ANA RUIZ", "6858MENDOZABLVD", "DALLAS TX 75201"),
            ("ANA RUIZ", "6858 MENDOZA BLVD", "DALLAS TX 75201"),
        ),
        (
            ("ANA RUIZ", "4363MARYSTAPT 32", "WEST BRANCH IA 52358"),
            ("ANA RUIZ", "4363 MARY ST APT 32", "WEST BRANCH IA 52358"),
        ),
        (
            ("ANA RUIZ", "12 JACOBBLVDAPT3", "WEST BRANCH IA 52358"),
            ("ANA RUIZ", "12 JACOB BLVD APT 3", "WEST BRANCH IA 52358"),
        ),
        (
            ("ANA RUIZ", "12 JACOB BLVD", "WEST BRANCHIA 52358"),
            ("ANA RUIZ", "12 JACOB BLVD", "WEST BRANCH IA 52358"),
        ),
    ],
)
def test_the_glued_words_of_the_issue_are_parted(
    read: tuple[str, ...], spaced: tuple[str, ...]
) -> None:
    assert respace_address(read) == spaced


def test_a_re_spaced_address_gives_the_delivery_point_of_the_printed_one() -> None:
    printed = ("ANA RUIZ", "4363 MARY ST APT 32", "WEST BRANCH IA 52358")
    glued = ("ANA RUIZ", "4363MARYSTAPT 32", "WEST BRANCHIA 52358")
    assert parse_lines(glued).delivery_point_key != parse_lines(printed).delivery_point_key
    assert (
        parse_lines(respace_address(glued)).delivery_point_key
        == parse_lines(printed).delivery_point_key
    )


# -- the last line ---------------------------------------------------------------------------


def test_letters_glued_to_the_zip_are_parted_from_it() -> None:
    assert respace_last_line("DALLAS TX75201") == "DALLAS TX 75201"


def test_a_city_and_state_glued_together_are_parted_when_the_zip_names_both() -> None:
    assert respace_last_line("WESTBRANCHIA52358") == "WEST BRANCH IA 52358"
    assert respace_last_line("MIAMIFL 33101") == "MIAMI FL 33101"


def test_a_city_read_with_zero_for_o_is_still_confirmed_by_its_zip() -> None:
    assert respace_last_line("BRIGHT0NC0 80601") == "BRIGHTON CO 80601"


def test_a_state_glued_to_a_misread_city_is_parted_when_it_is_the_zips_state() -> None:
    assert respace_last_line("SPRINGFEILDIL 62704") == "SPRINGFEILD IL 62704"


def test_a_city_ending_in_the_zips_state_code_written_alone_is_not_split() -> None:
    # MIAMI ends in MI (Michigan) but 33101 is Florida's; and a city of the ZIP as it is
    # written is never split.
    assert respace_last_line("MIAMI 33101") == "MIAMI 33101"
    assert respace_last_line("STATEN ISLAND NY 10301") == "STATEN ISLAND NY 10301"


def test_a_last_line_whose_zip_is_unknown_changes_only_at_the_zip() -> None:
    assert respace_last_line("NOWHEREXX 00000") == "NOWHEREXX 00000"


def test_the_punctuation_of_a_correct_last_line_is_left_as_read() -> None:
    assert respace_last_line("WEST ALTON, MO 63386") == "WEST ALTON, MO 63386"


# -- the delivery line -----------------------------------------------------------------------


def test_a_house_number_glued_to_the_street_is_parted() -> None:
    assert respace_delivery_line("6858MENDOZA AVE") == "6858 MENDOZA AVE"


@pytest.mark.parametrize("line", ["21ST ST", "2ND AVE", "12B MAIN ST", "1940 74TH RD"])
def test_ordinal_streets_and_half_addresses_keep_their_letters(line: str) -> None:
    assert respace_delivery_line(line) == line


def test_an_ordinal_street_glued_to_its_suffix_is_not_read_as_a_house_number() -> None:
    assert respace_delivery_line("21STST") == "21STST"


def test_a_unit_number_glued_to_its_designator_is_parted() -> None:
    assert respace_delivery_line("12 MAIN ST APT3") == "12 MAIN ST APT 3"
    assert respace_delivery_line("12 MAIN ST STE12B") == "12 MAIN ST STE 12B"


def test_a_designator_glued_after_the_street_is_parted_only_before_a_number() -> None:
    assert respace_delivery_line("4363 MARYSTAPT 32") == "4363 MARY ST APT 32"
    assert respace_delivery_line("12 CAPT") == "12 CAPT"


@pytest.mark.parametrize("line", ["12 FARM 7", "12 CAMELOT 4", "40 STORM 2"])
def test_words_ending_in_a_designator_that_ends_words_are_not_split(line: str) -> None:
    assert respace_delivery_line(line) == line


def test_a_suffix_no_word_ends_with_is_parted_even_on_an_otherwise_spaced_line() -> None:
    assert respace_delivery_line("12 MENDOZABLVD") == "12 MENDOZA BLVD"
    assert respace_delivery_line("12 OLDHWY") == "12 OLD HWY"


@pytest.mark.parametrize("line", ["12 FOREST", "12 HOWARD", "12 LINCOLN", "12 N MAINST"])
def test_a_suffix_that_ends_words_is_not_split_on_a_line_that_shows_no_gluing(line: str) -> None:
    assert respace_delivery_line(line) == line


@pytest.mark.parametrize(
    "line", ["12 BROADWAY", "12 MIDWAY", "12 PARKWAY", "12 WEST", "12 FOREST AVE", "12 STATEN AVE"]
)
def test_words_that_are_known_tokens_or_whole_word_suffixes_are_not_split(line: str) -> None:
    assert respace_delivery_line(line) == line


def test_a_glued_whole_word_suffix_street_keeps_its_name_once_the_number_is_parted() -> None:
    assert respace_delivery_line("12BROADWAY") == "12 BROADWAY"


def test_only_the_streets_last_word_loses_a_suffix() -> None:
    # HOWARD is followed by its suffix: it is a name, not HOWA RD.
    assert respace_delivery_line("12HOWARD AVE") == "12 HOWARD AVE"
    assert respace_delivery_line("12FOREST") == "12 FOREST"  # FOREST is a suffix itself


def test_a_glued_street_name_ending_in_an_abbreviated_suffix_is_split_the_known_limit() -> None:
    # What docs/imaging.md names as the rule's known limit: 123HOWARD with no suffix.
    assert respace_delivery_line("123HOWARD") == "123 HOWA RD"


# -- the whole address -----------------------------------------------------------------------


def test_a_change_is_kept_only_when_it_parses_more_completely() -> None:
    # APT3 on a line of its own already parses as unit 3: nothing is gained, nothing changed.
    lines = ("ANA RUIZ", "12 MAIN ST", "APT3", "MIAMI FL 33101")
    assert respace_address(lines) == lines


def test_lines_without_a_zip_at_the_end_are_returned_as_read() -> None:
    lines = ("ANA RUIZ", "6858MENDOZABLVD", "DALLAS TX")
    assert respace_address(lines) == lines


def test_correctly_printed_addresses_are_left_exactly_as_they_are() -> None:
    orders = synth.orders(40, 5, NOW)
    printed = synth.Mix(ocr=0.0, city_ocr=0.0, odd_case=0.0, punctuation=0.0, damaged=0.0)
    checked = 0
    for event, _truth in synth.stream(orders, 1500, 5, NOW, printed):
        for field in ("addressee", "return_address"):
            lines = event.get(field)
            if lines:
                checked += 1
                assert respace_address(lines) == tuple(lines)
    assert checked > 1000


# -- where it runs: photographs only -----------------------------------------------------------


def _line(text: str, top: int) -> Line:
    return Line(text, 0.95, (400, top, 900, top + 30), 0)


def test_a_photographs_reading_is_re_spaced(monkeypatch: pytest.MonkeyPatch) -> None:
    glued = ("ANA RUIZ", "4363MARYSTAPT 32", "WEST BRANCHIA 52358")
    blocks = Blocks(
        addressee=tuple(_line(text, 400 + 40 * n) for n, text in enumerate(glued)),
        return_address=(),
        confidence=0.95,
    )
    monkeypatch.setattr(read_module, "read_blocks", lambda image, engine=None: blocks)
    reading = read_module.read_envelope(Image.new("L", (1900, 825), 235))
    assert reading.addressee == ("ANA RUIZ", "4363 MARY ST APT 32", "WEST BRANCH IA 52358")
    unspaced = read_module.read_envelope(Image.new("L", (1900, 825), 235), respace=False)
    assert unspaced.addressee == glued


def test_a_plants_event_text_is_taken_as_sent() -> None:
    orders = synth.orders(5, 5, NOW)
    event = next(e for e, _ in synth.stream(orders, 50, 5, NOW) if e.get("addressee"))
    glued = ["ANA RUIZ", "4363MARYSTAPT 32", "WEST BRANCHIA 52358"]
    piece = piece_from({**event, "addressee": glued}, NOW)
    assert piece.addressee == tuple(glued)
