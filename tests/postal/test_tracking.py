"""USPS tracking numbers (postal/tracking.py): the forms a label prints, and the check digit.

Source of the examples: `jkeen/tracking_number_data` `couriers/usps.json` at commit
0d93e32f878b795619cc044dceb16204bcafea93, as SPECS.md section 3.4 lists them with their
check digits recomputed (every valid and invalid number it gives is here, with the
spaced-out variants the file also lists). The structure and the mod-10 rule are SPECS.md
3.2 and 3.3 (USPS-2000508, Publication 199, Publication 109).
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from mailcover.postal.tracking import (
    CHANNELS,
    LEGACY,
    TrackingError,
    TrackingNumber,
    check_digit,
    make_tracking,
    read_tracking,
)

# (as published, the PIC the check digit covers, the routing ZIP, the channel)
VALID = [
    ("9400 1112 0108 0805 4830 16", "9400111201080805483016", None, "94"),
    ("9505 5110 6960 5048 6006 24", "9505511069605048600624", None, "95"),
    ("9361 2898 7870 0317 6337 95", "9361289878700317633795", None, "93"),
    (" 9 3 6 1   2 8 9 8   7 8 7 0   0 3 1 7   6 3 3 7   9 5 ", "9361289878700317633795", None,
     "93"),
    ("9405803699300124287899", "9405803699300124287899", None, "94"),
    ("9101 1234 5678 9000 0000 13", "9101123456789000000013", None, LEGACY),
    ("92748931507708513018050063", "92748931507708513018050063", None, "92"),
    ("420 22153 9101026837331000039521", "9101026837331000039521", "22153", LEGACY),
    ("4201002334249200190132607600833457", "9200190132607600833457", "100233424", "92"),
    ("4201028200009261290113185417468510", "9261290113185417468510", "102820000", "92"),
    (" 4 2 0 1 0 2 8 2 0 0 0 0 9 2 6 1 2 9 0 1 1 3 1 8 5 4 1 7 4 6 8 5 1 0 ",
     "9261290113185417468510", "102820000", "92"),
    ("0307 1790 0005 2348 3741", "03071790000523483741", None, LEGACY),
    (" 0 3 0 7   1 7 9 0   0 0 0 5   2 3 4 8   3 7 4 1 ", "03071790000523483741", None, LEGACY),
    ("7112 3456 7891 2345 6787", "71123456789123456787", None, LEGACY),
    ("7196 9010 7560 0307 7385", "9171969010756003077385", None, LEGACY),
]  # fmt: skip

INVALID = [
    ("4201028200009261290113185417468511", "check-digit"),
    ("0307 1790 0005 2348 3742", "check-digit"),
    ("9200000000000000000000", "check-digit"),
    ("61299998820821171811", "check-digit"),
    ("420000000000000000000000000000", "all-zeros"),
    # SPECS.md 3.4 says this one's check digit adds up; recomputed, the PIC after
    # 420 00000 is 9200000000000000000000 again, whose check digit is 1, not 0.
    ("420000009200000000000000000000", "check-digit"),
]


@pytest.mark.parametrize(("written", "pic", "routing_zip", "channel"), VALID)
def test_every_valid_example_of_the_usps_data_file_is_read(
    written: str, pic: str, routing_zip: str | None, channel: str
) -> None:
    assert read_tracking(written) == TrackingNumber(pic, routing_zip, channel)


@pytest.mark.parametrize(("written", "code"), INVALID)
def test_every_invalid_example_of_the_usps_data_file_is_refused(written: str, code: str) -> None:
    with pytest.raises(TrackingError) as refused:
        read_tracking(written)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("data", "check"),
    [("940011120108080548301", 6), ("950551106960504860062", 4), ("936128987870031763379", 5),
     ("920019013260760083345", 7), ("0307179000052348374", 1), ("917196901075600307738", 5)],
)  # fmt: skip
def test_the_check_digit_is_the_gs1_mod_10_of_the_data_digits(data: str, check: int) -> None:
    assert check_digit(data) == check


def test_a_wrong_check_digit_says_what_it_should_be_and_what_it_is() -> None:
    with pytest.raises(TrackingError, match="the check digit is 6, the number ends in 7"):
        read_tracking("9400 1112 0108 0805 4830 17")


def test_the_routing_zip_is_not_covered_by_the_check_digit() -> None:
    # Another ZIP, the same PIC: the check digit cannot tell, and the PIC is what is kept.
    assert read_tracking("420 99999 9101026837331000039521").pic == "9101026837331000039521"


def test_the_420_form_with_brackets_and_hyphens_reads_like_the_plain_one() -> None:
    read = read_tracking("(420)22153(91)01-0268-3733-1000-0395-21")
    assert read == read_tracking("420 22153 9101026837331000039521")


def test_a_20_digit_number_and_its_91_form_are_one_number() -> None:
    assert read_tracking("7196 9010 7560 0307 7385") == read_tracking("9171 9690 1075 6003 0773 85")


def test_the_grouped_form_is_the_pic_in_fours() -> None:
    assert read_tracking("9400111201080805483016").grouped == "9400 1112 0108 0805 4830 16"


# The example's digits in their full-width forms: digits to str.isdigit(), not to a reader.
FULL_WIDTH = "".join(chr(0xFF10 + int(d)) for d in "9400111201080805483016")

# -- each error -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "code", "says"),
    [
        ("", "empty", "empty"),
        ("  - ", "empty", "empty"),
        ("9400 1112 0108 0805 4830 1O", "not-digits", "digits only"),
        ("EJ958083578US", "not-digits", "digits only"),
        (FULL_WIDTH, "not-digits", "digits only"),
        ("0000 0000 0000 0000 0000 00", "all-zeros", "zeros only"),
        ("00000000000000000000", "all-zeros", "zeros only"),
        ("9400 1112 0108 0805 4830 1", "length", "this one has 21"),
        ("12345", "length", "this one has 5"),
        ("940011120108080548301612345678", "length", "does not start with 420"),
        ("8400 1112 0108 0805 4830 16", "channel", "starts with 84"),
        ("91748931507708513018050063", "channel", "starts with 91"),
        ("420 22153 8101026837331000039521", "channel", "starts with 81"),
        ("9400 1112 0108 0805 4830 10", "check-digit", "the check digit is 6"),
    ],
)
def test_each_problem_has_its_code_and_a_message_to_act_on(
    written: str, code: str, says: str
) -> None:
    with pytest.raises(TrackingError) as refused:
        read_tracking(written)
    assert refused.value.code == code
    assert says in refused.value.message


def test_a_refusal_never_quotes_the_number() -> None:
    with pytest.raises(TrackingError) as refused:
        read_tracking("9400 1112 0108 0805 4830 10")
    assert "94001112" not in str(refused.value)


def test_a_body_of_the_wrong_shape_cannot_be_made_into_a_number() -> None:
    with pytest.raises(TrackingError):
        make_tracking("840011120108080548301")
    with pytest.raises(TrackingError):
        make_tracking("940011120108080548301", routing_zip="1234")


# -- properties -------------------------------------------------------------------------

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def impb_bodies(draw: st.DrawFn) -> tuple[str, str | None]:
    """An IMpb PIC without its check digit, and perhaps a routing ZIP."""
    channel = draw(st.sampled_from(CHANNELS))
    rest = draw(st.sampled_from((19, 23)))
    body = channel + draw(st.text(alphabet="0123456789", min_size=rest, max_size=rest))
    routing_zip = draw(st.one_of(st.none(), st.from_regex(r"\A[0-9]{5}([0-9]{4})?\Z")))
    return body, routing_zip


@given(impb_bodies())
def test_a_made_number_reads_back_as_its_pic_and_zip(made: tuple[str, str | None]) -> None:
    body, routing_zip = made
    pic = body + str(check_digit(body))
    assume(not _reads_as_zip4(pic, routing_zip))
    read = read_tracking(make_tracking(body, routing_zip))
    assert (read.pic, read.routing_zip, read.channel) == (pic, routing_zip, body[:2])


def _reads_as_zip4(pic: str, routing_zip: str | None) -> bool:
    """420 + ZIP + a 26-digit PIC is 34 digits, which also split as ZIP+4 and 22 digits."""
    if routing_zip is None or len(routing_zip) != 5 or len(pic) != 26:
        return False
    tail = pic[4:]
    return tail[:2] in ("91", *CHANNELS) and check_digit(tail[:-1]) == int(tail[-1])


@given(impb_bodies(), st.data())
def test_any_one_digit_changed_in_an_impb_number_is_caught(
    made: tuple[str, str | None], data: st.DataObject
) -> None:
    body, _ = made
    pic = body + str(check_digit(body))
    at = data.draw(st.integers(0, len(pic) - 1))
    slip = data.draw(digits.filter(lambda d: d != pic[at]))
    with pytest.raises(TrackingError):
        read_tracking(pic[:at] + slip + pic[at + 1 :])


@given(st.text(alphabet="0123456789", min_size=19, max_size=19), st.data())
def test_a_slip_in_a_20_digit_number_is_caught_or_read_only_as_another_91_number(
    body: str, data: st.DataObject
) -> None:
    number = body + str(check_digit(body))
    assume(number[:2] not in ("91", *CHANNELS) and number.strip("0"))
    at = data.draw(st.integers(0, 19))
    slip = data.draw(digits.filter(lambda d: d != number[at]))
    changed = number[:at] + slip + number[at + 1 :]
    try:
        read = read_tracking(changed)
    except TrackingError:
        return
    # The cost of jkeen's "prepend 91" rule (the module's docstring): never the number
    # as written, never the original's PIC.
    assert read.pic == "91" + changed
    assert read.pic != number


def test_the_91_rule_lets_through_a_digit_raised_by_two_at_an_odd_position() -> None:
    written = "03071790000523483741"  # valid as written
    raised = written[:-1] + str((int(written[-1]) + 2) % 10)  # the check digit, position 1
    assert read_tracking(raised).pic == "91" + raised


@given(st.text(alphabet="0123456789 -", max_size=40))
def test_any_string_of_digits_and_separators_is_read_or_refused_with_a_code(
    written: str,
) -> None:
    try:
        read = read_tracking(written)
    except TrackingError as refused:
        code = refused.code
    else:
        code = "read"
        assert check_digit(read.pic[:-1]) == int(read.pic[-1])
    assert code in {"read", "empty", "all-zeros", "length", "channel", "check-digit"}
