"""The Intelligent Mail barcode (postal/imb.py), checked against published vectors and zint.

Sources (SPECS.md section 1 cites each):

* USPS-B-3200 "Intelligent Mail Barcode 4-State", Rev H, 2015: the four worked examples
  (tracking 01234567094987654321 with no routing, a ZIP, a ZIP+4 and 11 digits) and
  their intermediates, which also appear in the USPS reference encoder's self-test and
  in democracyworks/imbarcode's tests; the table routine and spot values of Appendix D
  Tables I and II (the SHA-256 fingerprints were computed by SPECS.md's author and
  match zint's static tables); Table IV, the bar-to-character map.
* `data/uspsIMbEncoderTestCases.csv`: the Postal Service's "Intelligent Mail barcode
  Encoder Test Case Reference Set" (Copyright (C) 2009 U.S. Postal Service), copied
  from zint/zint `backend/tests/data/imail/usps/uspsIMbEncoderTestCases.csv` (git blob
  c88205e4dc6cc862aee4c56401de1cfe95dcc624). 10,000 rows: 8,128 that encode and 1,872
  that the USPS encoder refuses, with its return code. Its licence is `data/LICENSE`,
  which must stay beside it.
* SPECS.md 1.10.3: further public vectors (BossRoxall/imb's README, a barcode made with
  the USPS PostalPro encoder in lgactna/unr-csc23-ctf, democracyworks/imbarcode's origin
  IMbs).
* zint (the `zint-bindings` package, a dev dependency): an independent encoder whose
  bars are compared with ours.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mailcover.postal.imb import (
    BAR_COUNT,
    ROUTING_LENGTHS,
    TABLE_I,
    TABLE_II,
    TABLE_IV,
    Imb,
    ImbError,
    Tracking,
    _fast_value,
    _reference_value,
    _unpack,
    add_extra_information,
    apply_fcs,
    bars_from_characters,
    binary_value,
    characters,
    codewords,
    crc11,
    decode,
    encode,
    read,
    rotated,
    routing_of_bars,
)

DATA = Path(__file__).parent / "data"
REFERENCE_SET = DATA / "uspsIMbEncoderTestCases.csv"


def h(hex_words: str) -> tuple[int, ...]:
    return tuple(int(word, 16) for word in hex_words.split())


@dataclass(frozen=True)
class WorkedExample:
    routing: str
    binary: str  # 13 bytes, big-endian
    fcs: int
    codewords: tuple[int, ...]
    marked_codewords: tuple[int, ...]
    chars: tuple[int, ...]
    inverted_chars: tuple[int, ...]
    bars: str


# USPS-B-3200's four worked examples (SPECS.md 1.9), all for this tracking code.
EXAMPLE_TRACKING = "01234567094987654321"
WORKED_EXAMPLES = [
    WorkedExample(
        routing="",
        binary="00000000001122103B5C2004B1",
        fcs=0x051,
        codewords=(0, 0, 0, 0, 559, 202, 508, 451, 124, 17),
        marked_codewords=(0, 0, 0, 0, 559, 202, 508, 451, 124, 34),
        chars=h("001F 001F 001F 001F 1524 01A3 043C 1838 012B 0076"),
        inverted_chars=h("1FE0 001F 001F 001F 0ADB 01A3 1BC3 1838 012B 0076"),
        bars="ATTFATTDTTADTAATTDTDTATTDAFDDFADFDFTFFFFFTATFAAAATDFFTDAADFTFDTDT",
    ),
    WorkedExample(
        routing="01234",
        binary="0000000D138A87BAB5CF3804B1",
        fcs=0x065,
        codewords=(0, 0, 15, 14, 290, 567, 385, 48, 388, 333),
        marked_codewords=(0, 0, 15, 14, 290, 567, 385, 48, 388, 666),
        chars=h("001F 001F 1D40 0057 0255 0724 04E8 009D 030B 0583"),
        inverted_chars=h("1FE0 001F 02BF 0057 0255 18DB 1B17 009D 030B 0583"),
        bars="DTTAFADDTTFTDTFTFDTDDADADAFADFATDDFTAAAFDTTADFAAATDFDTDFADDDTDFFT",
    ),
    WorkedExample(
        routing="012345678",
        binary="000202BDC097711204D21804B1",
        fcs=0x606,
        codewords=(0, 110, 1113, 1363, 198, 413, 470, 468, 1333, 513),
        marked_codewords=(659, 110, 1113, 1363, 198, 413, 470, 468, 1333, 1026),
        chars=h("1154 00F8 1E01 0110 019A 1298 03A2 03A1 0084 0B11"),
        inverted_chars=h("1154 1F07 01FE 0110 019A 1298 03A2 03A1 0084 14EE"),
        bars="ADFTTAFDTTTTFATTADTAAATFTFTATDAAAFDDADATATDTDTTDFDTDATADADTDFFTFA",
    ),
    WorkedExample(
        routing="01234567891",
        binary="016907B2A24ABC16A2E5C004B1",
        fcs=0x751,
        codewords=(14, 787, 607, 1022, 861, 19, 816, 1294, 35, 301),
        marked_codewords=(673, 787, 607, 1022, 861, 19, 816, 1294, 35, 602),
        chars=h("1234 085C 08E4 0B06 1922 1740 0839 1200 0DC0 04D4"),
        inverted_chars=h("0DCB 085C 08E4 0B06 06DD 1740 17C6 1200 123F 1B2B"),
        bars="AADTFFDFTDADTAADAATFDTDDAAADDTDTTDAFADADDDTFFFDDTTTADFAAADFTDAADA",
    ),
]
ELEVEN_DIGITS = WORKED_EXAMPLES[3]


def example_id(worked: WorkedExample) -> str:
    return f"routing-{len(worked.routing)}"


worked_examples = pytest.mark.parametrize("worked", WORKED_EXAMPLES, ids=example_id)

# SPECS.md 1.10.3: (tracking, routing, bars) from other public sources.
FURTHER_VECTORS = [
    # BossRoxall/imb README
    (
        "12234567094987654321",
        "",
        "ATTFAATTFTADFDATDDADAATTTTTTTTADFFFFFDFAFATTDAADATDDDTADAFFDFDTFT",
    ),
    # lgactna/unr-csc23-ctf osint/bars/readme.md, made with the USPS PostalPro encoder
    (
        "23270592831482031240",
        "96713024817",
        "DDADATADTAATDTTTDFDTTFTFFADTFTDFTATAAFTTFATDAATATDATATFADAADDTFDT",
    ),
    # democracyworks/imbarcode core_test.cljc: origin IMbs (6- and 9-digit mailer IDs)
    (
        "00050010203123456789",
        "012345678",
        "FTTATTTTTDFAADTATAFTFTTTAAAAFTTDDDTFTDDAFTADDFDTDAFTDATTDFADDDDDA",
    ),
    (
        "00050999888777666555",
        "012345678",
        "FAADADDDTAFTAFDFFTDAADADTAFTTDATAAFTAFTTFAATAAFTFATDTFATFFTATTAAF",
    ),
]

trackings = st.from_regex(r"[0-9][0-4][0-9]{18}", fullmatch=True)
routings = st.sampled_from(ROUTING_LENGTHS).flatmap(
    lambda n: st.text("0123456789", min_size=n, max_size=n)
)
bar_strings = st.text("ADFT", min_size=BAR_COUNT, max_size=BAR_COUNT)


# SPECS.md 1.5: Table II in full, index 0 to 77.
PUBLISHED_TABLE_II = h(
    "0003 1800 0005 1400 0006 0C00 0009 1200 000A 0A00 000C 0600 0011 1100 0012 0900 "
    "0014 0500 0018 0300 0021 1080 0022 0880 0024 0480 0028 0280 0030 0180 0041 1040 "
    "0042 0840 0044 0440 0048 0240 0050 0140 0060 00C0 0081 1020 0082 0820 0084 0420 "
    "0088 0220 0090 0120 0101 1010 0102 0810 0104 0410 0108 0210 0201 1008 0202 0808 "
    "0204 0408 0401 1004 0402 0804 0801 1002 1001 0802 0404 0208 0110 00A0"
)


def sha256_of_table(table: Sequence[int]) -> str:
    return hashlib.sha256(",".join(f"{c:04X}" for c in table).encode()).hexdigest()


def bars_for(value: int, change: Callable[[list[int]], None] = lambda words: None) -> str:
    """Bars built by steps 2-6 from any value, with the codewords changed after step 4:
    the way to make bars that no valid encoding gives, to see how decode refuses them."""
    fcs = crc11(value)
    words = list(add_extra_information(codewords(value), fcs))
    change(words)
    return bars_from_characters(apply_fcs(characters(words), fcs))


def decoded(bars: str) -> tuple[str, str]:
    imb = decode(bars)
    return imb.tracking.digits, imb.routing


# --- the worked examples ---------------------------------------------------------------


class TestTheWorkedExamples:
    @worked_examples
    def test_step_1_gives_the_published_binary_value(self, worked: WorkedExample) -> None:
        value = binary_value(EXAMPLE_TRACKING, worked.routing)
        assert value.to_bytes(13, "big").hex().upper() == worked.binary

    @worked_examples
    def test_step_2_gives_the_published_frame_check_sequence(self, worked: WorkedExample) -> None:
        assert crc11(int(worked.binary, 16)) == worked.fcs

    @worked_examples
    def test_step_3_gives_the_published_codewords(self, worked: WorkedExample) -> None:
        assert codewords(int(worked.binary, 16)) == worked.codewords

    @worked_examples
    def test_step_4_doubles_j_and_puts_the_top_fcs_bit_into_a(self, worked: WorkedExample) -> None:
        assert add_extra_information(worked.codewords, worked.fcs) == worked.marked_codewords

    @worked_examples
    def test_step_5_gives_the_published_characters_before_and_after_inversion(
        self, worked: WorkedExample
    ) -> None:
        assert characters(worked.marked_codewords) == worked.chars
        assert apply_fcs(worked.chars, worked.fcs) == worked.inverted_chars

    @worked_examples
    def test_step_6_gives_the_published_bars(self, worked: WorkedExample) -> None:
        assert bars_from_characters(worked.inverted_chars) == worked.bars

    @worked_examples
    def test_encoding_gives_the_published_bars(self, worked: WorkedExample) -> None:
        assert encode(EXAMPLE_TRACKING, worked.routing) == worked.bars

    @worked_examples
    def test_the_published_bars_decode_to_the_example_data(self, worked: WorkedExample) -> None:
        imb = decode(worked.bars)

        assert imb == Imb(Tracking("01", "234", "567094", "987654321"), worked.routing)
        assert imb.bars == worked.bars

    @pytest.mark.parametrize(("tracking", "routing", "bars"), FURTHER_VECTORS)
    def test_the_further_public_vectors_encode_and_decode(
        self, tracking: str, routing: str, bars: str
    ) -> None:
        assert encode(tracking, routing) == bars
        assert decoded(bars) == (tracking, routing)


# --- the tables ------------------------------------------------------------------------


class TestTheTables:
    def test_table_i_has_the_published_spot_values(self) -> None:
        spots = {0: 0x001F, 1: 0x1F00, 2: 0x002F, 3: 0x1E80, 673: 0x1234}
        spots |= {1271: 0x1883, 1272: 0x1843, 1286: 0x01F0}
        assert len(TABLE_I) == 1287
        assert {index: TABLE_I[index] for index in spots} == spots

    def test_table_ii_has_the_published_spot_values(self) -> None:
        spots = {0: 0x0003, 1: 0x1800, 7: 0x1200, 77: 0x00A0}
        assert len(TABLE_II) == 78
        assert {index: TABLE_II[index] for index in spots} == spots

    def test_both_tables_match_their_sha256_fingerprints(self) -> None:
        assert sha256_of_table(TABLE_I) == (
            "ae017bf82f22cf2a6f630f0762b6d04bde834477107a1190050b8a9614409f3c"
        )
        assert sha256_of_table(TABLE_II) == (
            "8e10a2aeb24a2e57540548c991c4b36797b17a0713e0fcf67268ec94dd053740"
        )

    def test_table_ii_is_as_published_in_full(self) -> None:
        assert TABLE_II == PUBLISHED_TABLE_II

    @pytest.mark.parametrize(
        ("table", "bits", "pairs"), [(TABLE_I, 5, 636), (TABLE_II, 2, 36)], ids=["I", "II"]
    )
    def test_each_table_holds_reversed_pairs_then_palindromes(
        self, table: tuple[int, ...], bits: int, pairs: int
    ) -> None:
        def reverse(c: int) -> int:
            return int(f"{c:013b}"[::-1], 2)

        assert {c.bit_count() for c in table} == {bits}
        assert len(set(table)) == len(table)
        assert all(reverse(table[i]) == table[i + 1] for i in range(0, 2 * pairs, 2))
        assert all(reverse(c) == c for c in table[2 * pairs :])

    def test_table_iv_has_the_published_rows(self) -> None:
        # SPECS.md 1.7, bars 1, 2, 27, 40 and 65: H2/E3, B10/A0, H3/I0, A7/C0, D10/I2.
        spots = {0: ((7, 2), (4, 3)), 1: ((1, 10), (0, 0)), 26: ((7, 3), (8, 0))}
        spots |= {39: ((0, 7), (2, 0)), 64: ((3, 10), (8, 2))}
        assert len(TABLE_IV) == BAR_COUNT
        assert {bar: TABLE_IV[bar] for bar in spots} == spots

    def test_table_iv_uses_every_bit_of_every_character_exactly_once(self) -> None:
        used = [half for bar in TABLE_IV for half in bar]
        assert sorted(used) == [(c, b) for c in range(10) for b in range(13)]

    def test_no_bar_takes_both_halves_from_one_character(self) -> None:
        # So changing one bar changes each character it touches by one bit, which always
        # breaks its 5-of-13 (or 2, 8, 11) count: see the single-bar tests below.
        assert all(descender[0] != ascender[0] for descender, ascender in TABLE_IV)


# --- the CRC ---------------------------------------------------------------------------


def crc11_bit_by_bit(value: int) -> int:
    """SPECS.md 1.3 step 2, written out: 102 bits, top first, register preset 0x7FF."""
    fcs = 0x7FF
    for position in range(101, -1, -1):
        feedback = (fcs >> 10 & 1) ^ (value >> position & 1)
        fcs = ((fcs << 1) ^ (0xF35 if feedback else 0)) & 0x7FF
    return fcs


class TestTheCrc:
    @given(st.integers(0, (1 << 102) - 1))
    @example(0)
    @example((1 << 102) - 1)
    def test_the_table_driven_crc_agrees_with_the_bit_by_bit_definition(self, value: int) -> None:
        assert crc11(value) == crc11_bit_by_bit(value)

    @pytest.mark.parametrize("value", [-1, 1 << 102])
    def test_the_crc_refuses_values_beyond_102_bits(self, value: int) -> None:
        with pytest.raises(ValueError, match="102-bit"):
            crc11(value)


# --- the USPS reference set ------------------------------------------------------------


class ReferenceRow(NamedTuple):
    id: str
    tracking: str
    routing: str
    bars: str
    return_code: str


@cache
def reference_rows() -> tuple[ReferenceRow, ...]:
    # Lines end in CR CR LF, which the csv module reads as a blank line after each row;
    # no field holds a comma before the message, which is not needed here.
    lines = REFERENCE_SET.read_bytes().decode("ascii").split("\r\r\n")
    return tuple(ReferenceRow(*line.split(",", 5)[:5]) for line in lines if line)


class TestTheUspsReferenceSet:
    def test_the_copy_is_the_file_specs_cites_with_its_licence(self) -> None:
        digest = hashlib.sha256(REFERENCE_SET.read_bytes()).hexdigest()
        codes = [row.return_code for row in reference_rows()]

        assert digest == "ed82954a46204a817ea8a1206478771ba06f996d44396ca746d1fc6a1873af2d"
        assert [row.id for row in reference_rows()] == [str(n) for n in range(1, 10_001)]
        assert (codes.count("00"), len(codes) - codes.count("00")) == (8128, 1872)
        assert "Copyright Notice: © US Postal Service 2009" in (DATA / "LICENSE").read_text("utf-8")

    def test_every_success_row_encodes_to_the_expected_bars(self) -> None:
        wrong = [
            (row.id, bars)
            for row in reference_rows()
            if row.return_code == "00" and (bars := encode(row.tracking, row.routing)) != row.bars
        ]
        assert wrong == []

    def test_every_success_row_decodes_back_to_its_tracking_and_routing(self) -> None:
        wrong = [
            (row.id, data)
            for row in reference_rows()
            if row.return_code == "00"
            and (data := decoded(row.bars)) != (row.tracking, row.routing)
        ]
        assert wrong == []

    def test_every_error_row_is_refused_with_the_usps_return_code(self) -> None:
        def outcome(row: ReferenceRow) -> str | None:
            try:
                return f"encoded as {encode(row.tracking, row.routing)}"
            except ImbError as error:
                return error.usps_code

        wrong = [
            (row.id, row.return_code, found)
            for row in reference_rows()
            if row.return_code != "00" and (found := outcome(row)) != row.return_code
        ]
        assert wrong == []

    def test_no_reference_barcode_also_decodes_upside_down(self) -> None:
        # What lets read() try the other way round without risk of a second reading.
        def decodes(bars: str) -> bool:
            try:
                decode(bars)
            except ImbError:
                return False
            return True

        both_ways = [
            row.id
            for row in reference_rows()
            if row.return_code == "00" and decodes(rotated(row.bars))
        ]
        assert both_ways == []


# --- the fields ------------------------------------------------------------------------


class TestTheFields:
    def test_a_mailer_id_not_starting_with_9_has_6_digits_and_the_serial_9(self) -> None:
        assert Tracking.parse(EXAMPLE_TRACKING) == Tracking("01", "234", "567094", "987654321")

    def test_a_mailer_id_starting_with_9_has_9_digits_and_the_serial_6(self) -> None:
        tracking = Tracking.parse("00050999888777666555")

        assert tracking == Tracking("00", "050", "999888777", "666555")
        assert tracking.digits == "00050999888777666555"

    def test_parsing_ignores_surrounding_whitespace(self) -> None:
        assert Tracking.parse(f"  {EXAMPLE_TRACKING}\n").digits == EXAMPLE_TRACKING

    @pytest.mark.parametrize(
        ("routing", "parts"),
        [
            ("", (None, None, None)),
            ("01234", ("01234", None, None)),
            ("012345678", ("01234", "5678", None)),
            ("01234567891", ("01234", "5678", "91")),
        ],
    )
    def test_the_routing_code_splits_into_zip_zip4_and_delivery_point(
        self, routing: str, parts: tuple[str | None, ...]
    ) -> None:
        imb = Imb(Tracking.parse(EXAMPLE_TRACKING), routing)
        assert (imb.zip5, imb.zip4, imb.delivery_point) == parts


# --- properties ------------------------------------------------------------------------


class TestProperties:
    @given(trackings, routings)
    def test_any_valid_data_survives_a_round_trip(self, tracking: str, routing: str) -> None:
        bars = encode(tracking, routing)

        assert len(bars) == BAR_COUNT
        assert decoded(bars) == (tracking, routing)

    @given(trackings, routings, st.integers(0, BAR_COUNT - 1), st.integers(1, 3))
    def test_changing_any_one_bar_never_gives_back_the_original_data(
        self, tracking: str, routing: str, bar: int, shift: int
    ) -> None:
        bars = encode(tracking, routing)
        symbol = "ADFT"[("ADFT".index(bars[bar]) + shift) % 4]
        changed = bars[:bar] + symbol + bars[bar + 1 :]
        try:
            data = decoded(changed)
        except ImbError:
            return
        assert data != (tracking, routing)

    @worked_examples
    def test_every_single_bar_change_of_a_worked_example_is_an_invalid_character(
        self, worked: WorkedExample
    ) -> None:
        not_refused = []
        for bar in range(BAR_COUNT):
            for symbol in "ADFT".replace(worked.bars[bar], ""):
                try:
                    decode(worked.bars[:bar] + symbol + worked.bars[bar + 1 :])
                except ImbError as error:
                    if error.code == "invalid-character":
                        continue
                not_refused.append((bar + 1, symbol))
        assert not_refused == []

    @given(bar_strings)
    def test_random_bars_are_refused_or_re_encode_to_themselves(self, bars: str) -> None:
        try:
            imb = decode(bars)
        except ImbError:
            return
        assert imb.bars == bars

    @given(st.text())
    @example("A" * 64 + "\u00df")  # upper-cases to two letters
    @example("\ufb00" * 33)  # the ligature "ff", which upper-cases to "FF"
    def test_any_text_is_refused_only_with_an_imb_error_or_is_a_barcode(self, text: str) -> None:
        try:
            imb = decode(text)
        except ImbError:
            return
        assert imb.bars == "".join(text.split()).upper()

    @given(trackings, routings)
    def test_decoding_ignores_case_and_whitespace(self, tracking: str, routing: str) -> None:
        bars = encode(tracking, routing)
        spaced = " ".join(bars[i : i + 5].lower() for i in range(0, BAR_COUNT, 5))

        assert decoded(f"\t{spaced}\n") == (tracking, routing)


# --- the fast path agrees with the reference decode --------------------------------------


def reference_value(bars: str) -> int | None:
    """What the reference path makes of bars: their value, or None when it refuses them
    (for their routing value too, which `_unpack` checks)."""
    try:
        value = _reference_value(bars)
        _unpack(value)
    except ImbError:
        return None
    return value


def read_outcome(call: Callable[[], object]) -> object:
    """A routing code, or the refusal's code and message."""
    try:
        return call()
    except ImbError as error:
        return (error.code, str(error))


# Bars from any codewords and FCS (steps 5 and 6 alone): most fail the CRC, some have J odd,
# A or J out of range, as bars misread in just the wrong way would.
any_codewords = st.lists(st.integers(0, 1364), min_size=10, max_size=10)
any_fcs = st.integers(0, (1 << 11) - 1)
# Values past the largest routing value: the codewords and CRC are right, the ZIP is not.
beyond_any_zip = st.integers(
    binary_value("94999999999999999999", "99999999999") + 1, 659 * 1365**8 * 636 - 1
)


class TestFastPath:
    """`_fast_value` (the common case) answers exactly when the reference path does, with
    the same value; `routing_of_bars` gives what `read` gives, or the same refusal."""

    def check(self, bars: str) -> None:
        assert _fast_value(bars) == reference_value(bars)
        assert read_outcome(lambda: routing_of_bars(bars)) == read_outcome(
            lambda: read(bars).imb.routing
        )

    @given(trackings, routings)
    def test_valid_bars_and_the_same_turned_round(self, tracking: str, routing: str) -> None:
        bars = encode(tracking, routing)
        self.check(bars)
        self.check(rotated(bars))
        assert _fast_value(bars) == binary_value(tracking, routing)

    @given(any_codewords, any_fcs)
    def test_bars_from_any_codewords(self, words: list[int], fcs: int) -> None:
        self.check(bars_from_characters(apply_fcs(characters(words), fcs)))

    @given(beyond_any_zip)
    def test_bars_whose_routing_value_is_beyond_any_zip(self, value: int) -> None:
        bars = bars_for(value)
        assert _fast_value(bars) is None
        self.check(bars)

    @given(trackings, routings, st.integers(0, BAR_COUNT - 1), st.integers(1, 3))
    def test_bars_with_one_bar_changed(
        self, tracking: str, routing: str, bar: int, shift: int
    ) -> None:
        bars = encode(tracking, routing)
        symbol = "ADFT"[("ADFT".index(bars[bar]) + shift) % 4]
        self.check(bars[:bar] + symbol + bars[bar + 1 :])

    @given(bar_strings)
    def test_random_bars(self, bars: str) -> None:
        self.check(bars)

    @given(st.text("ADFTadft \t\n0123_", max_size=70))
    @example("ADFT" * 16 + "_")
    @example("0123" * 16 + "0")
    def test_text_that_is_not_65_upper_case_bars_goes_the_reference_way(self, text: str) -> None:
        if len(text) != BAR_COUNT or set(text) - set("ADFT"):
            assert _fast_value(text) is None
        self.check(text)

    def test_every_row_of_the_usps_reference_set_and_the_worked_examples(self) -> None:
        bars = [row.bars for row in reference_rows() if row.return_code == "00"]
        bars += [worked.bars for worked in WORKED_EXAMPLES] + [v[2] for v in FURTHER_VECTORS]
        disagree = [
            b for b in bars if _fast_value(b) != reference_value(b) or _fast_value(b) is None
        ]
        assert (len(bars), disagree) == (8128 + 4 + 4, [])


# --- reading either way up -------------------------------------------------------------


class TestReading:
    def test_bars_the_right_way_up_read_as_they_are(self) -> None:
        reading = read(ELEVEN_DIGITS.bars)

        assert (reading.imb.routing, reading.upside_down) == (ELEVEN_DIGITS.routing, False)

    @given(trackings, routings)
    def test_upside_down_bars_read_and_say_so(self, tracking: str, routing: str) -> None:
        reading = read(rotated(encode(tracking, routing)))

        assert reading.upside_down
        assert (reading.imb.tracking.digits, reading.imb.routing) == (tracking, routing)

    def test_turning_round_reverses_the_bars_and_swaps_ascenders_and_descenders(self) -> None:
        assert rotated("AADT F") == "FTADD"

    def test_bars_that_read_neither_way_give_the_error_for_the_bars_as_given(self) -> None:
        bars = "T" + ELEVEN_DIGITS.bars[1:]
        with pytest.raises(ImbError) as as_given:
            decode(bars)
        with pytest.raises(ImbError) as read_error:
            read(bars)
        assert str(read_error.value) == str(as_given.value)


# --- errors ----------------------------------------------------------------------------


def refusal(call: Callable[[], object]) -> ImbError:
    with pytest.raises(ImbError) as caught:
        call()
    return caught.value


class TestEncodingRefusals:
    def test_a_tracking_code_of_the_wrong_length_is_usps_09(self) -> None:
        error = refusal(lambda: encode("82205455868913972", "54765515722"))

        assert (error.code, error.usps_code) == ("tracking-length", "09")
        assert str(error) == "the tracking code must be 20 digits; got 17 characters"

    def test_surrounding_spaces_do_not_count_towards_the_length_as_in_usps_rows_191_and_194(
        self,
    ) -> None:
        error = refusal(lambda: encode("9198765432109876543 ", "012345678901"))

        assert (error.code, error.usps_code) == ("tracking-length", "09")
        assert encode(f" {EXAMPLE_TRACKING} ", " 01234 ") == WORKED_EXAMPLES[1].bars

    def test_a_tracking_code_with_non_digits_is_usps_10_naming_their_positions(self) -> None:
        error = refusal(lambda: encode("4258963*45&123654785", "57280"))

        assert (error.code, error.usps_code) == ("tracking-digits", "10")
        assert "'*' at position 8, '&' at position 11" in str(error)

    def test_a_barcode_identifier_with_a_second_digit_over_4_is_usps_11(self) -> None:
        error = refusal(lambda: encode("58412598741256321456", "45879654123"))

        assert (error.code, error.usps_code) == ("barcode-identifier", "11")
        assert "barcode identifier 58" in str(error)
        assert "second digit (tracking position 2) must be 0-4, not 8" in str(error)

    def test_a_routing_code_of_the_wrong_length_is_usps_12(self) -> None:
        error = refusal(lambda: encode(EXAMPLE_TRACKING, "6217660911"))

        assert (error.code, error.usps_code) == ("routing-length", "12")
        assert "5, 9 or 11 digits" in str(error)
        assert "got 10 characters" in str(error)

    def test_a_routing_code_with_non_digits_is_usps_13_naming_their_positions(self) -> None:
        error = refusal(lambda: encode(EXAMPLE_TRACKING, "137655B3689"))

        assert (error.code, error.usps_code) == ("routing-digits", "13")
        assert "'B' at position 7" in str(error)

    def test_a_tracking_code_is_checked_before_the_routing_code(self) -> None:
        assert refusal(lambda: encode("4012X111574675115924", "62X76")).usps_code == "10"

    def test_a_six_digit_mailer_id_must_not_start_with_9(self) -> None:
        error = refusal(lambda: Tracking("01", "234", "912345", "987654321"))

        assert error.code == "mailer-id"
        assert "mailer ID 912345 must have 9 digits" in str(error)

    def test_fields_of_the_wrong_lengths_are_refused_even_when_they_total_20(self) -> None:
        error = refusal(lambda: Tracking("0", "1234", "567094", "987654321"))

        assert error.code == "tracking-fields"
        assert "'0' and '1234'" in str(error)

    def test_an_imb_refuses_a_routing_code_of_the_wrong_length(self) -> None:
        error = refusal(lambda: Imb(Tracking.parse(EXAMPLE_TRACKING), "1234"))

        assert error.code == "routing-length"


class TestDecodingRefusals:
    def test_a_refusal_keeps_its_code_through_pickling_for_worker_processes(self) -> None:
        error = pickle.loads(pickle.dumps(refusal(lambda: decode("T" + ELEVEN_DIGITS.bars[1:]))))

        assert (type(error), error.code, error.positions) == (ImbError, "invalid-character", (4,))
        assert str(error).startswith("character E is")

    def test_bars_of_the_wrong_count_are_refused(self) -> None:
        error = refusal(lambda: decode(ELEVEN_DIGITS.bars[:-1]))

        assert error.code == "bar-count"
        assert str(error) == "an Intelligent Mail barcode has 65 bars; got 64"

    def test_an_unknown_symbol_is_refused_naming_its_bar(self) -> None:
        error = refusal(lambda: decode(ELEVEN_DIGITS.bars[:16] + "X" + ELEVEN_DIGITS.bars[17:]))

        assert (error.code, error.positions) == ("bar-symbol", (17,))
        assert str(error).startswith("bar 17 is 'X', not one of A (ascender), D (descender)")

    def test_an_invalid_character_is_refused_naming_it(self) -> None:
        # Bar 1 takes its ascender from bit 3 of character E (Table IV): A -> T clears it.
        error = refusal(lambda: decode("T" + ELEVEN_DIGITS.bars[1:]))

        assert (error.code, error.positions) == ("invalid-character", (4,))
        assert str(error).startswith("character E is not in the 5-of-13 or 2-of-13 tables")

    def test_several_invalid_characters_are_all_named(self) -> None:
        # Bar 2: descender B10, ascender A0; A -> D swaps both halves.
        error = refusal(lambda: decode("AD" + ELEVEN_DIGITS.bars[2:]))

        assert (error.code, error.positions) == ("invalid-character", (0, 1))
        assert str(error).startswith("characters A, B are not in the")

    def test_an_odd_codeword_j_is_an_orientation_error(self) -> None:
        def make_j_odd(words: list[int]) -> None:
            words[9] += 1

        error = refusal(lambda: decode(bars_for(int(ELEVEN_DIGITS.binary, 16), make_j_odd)))

        assert (error.code, error.positions) == ("orientation", (9,))
        assert "reverse order or upside down" in str(error)

    @pytest.mark.parametrize(
        ("index", "word", "message"),
        [
            (0, 659 + 659 + 2, "codeword A is 661, beyond its largest, 658"),
            (9, 2 * 636, "J is 636"),
        ],
    )
    def test_a_codeword_beyond_its_range_is_refused_naming_it(
        self, index: int, word: int, message: str
    ) -> None:
        def put(words: list[int]) -> None:
            words[index] = word

        error = refusal(lambda: decode(bars_for(int(ELEVEN_DIGITS.binary, 16), put)))

        assert (error.code, error.positions) == ("codeword-range", (index,))
        assert message in str(error)

    def test_a_frame_check_sequence_that_does_not_match_is_refused(self) -> None:
        # Character A inverted as if FCS bit 0 were set: every character stays valid.
        chars = apply_fcs(ELEVEN_DIGITS.inverted_chars, 0b1)

        error = refusal(lambda: decode(bars_from_characters(chars)))

        assert error.code == "crc"
        assert "the bars carry 0x750 but the data they hold give 0x751" in str(error)

    def test_a_routing_value_beyond_any_zip_is_refused(self) -> None:
        # One more than tracking 94999999999999999999 with routing 99999999999: it fits
        # the codewords and passes the CRC, but no routing code gives it.
        largest = binary_value("94999999999999999999", "99999999999")

        error = refusal(lambda: decode(bars_for(largest + 1)))

        assert error.code == "routing-range"
        assert "routing value 101000100001 is beyond the largest" in str(error)


# --- an independent encoder: zint -------------------------------------------------------


def zint_bars(tracking: str, routing: str) -> str:
    """The bars zint draws: its symbol is 3 module rows (ascender, tracker, descender) with
    each bar on an even column, stored 8 modules to a byte, lowest bit first."""
    import zint  # the dev dependency, imported here so that only these tests need it

    symbol = zint.Symbol()
    symbol.symbology = zint.Symbology.USPS_IMAIL
    symbol.encode(f"{tracking}-{routing}" if routing else tracking)
    assert (symbol.rows, symbol.width) == (3, 2 * BAR_COUNT - 1)
    modules = symbol.encoded_data

    def dark(row: int, column: int) -> bool:
        return bool(modules[row, column >> 3] >> (column & 7) & 1)

    states = {(True, True): "F", (True, False): "A", (False, True): "D", (False, False): "T"}
    assert all(dark(1, 2 * bar) for bar in range(BAR_COUNT))
    assert not any(dark(row, 2 * bar + 1) for row in range(3) for bar in range(BAR_COUNT - 1))
    return "".join(states[dark(0, 2 * bar), dark(2, 2 * bar)] for bar in range(BAR_COUNT))


class TestAgainstZint:
    @worked_examples
    def test_zint_draws_the_worked_examples_as_published(self, worked: WorkedExample) -> None:
        assert zint_bars(EXAMPLE_TRACKING, worked.routing) == worked.bars

    @settings(max_examples=300)
    @given(trackings, routings)
    def test_zint_draws_the_same_bars_for_any_valid_data(self, tracking: str, routing: str) -> None:
        assert encode(tracking, routing) == zint_bars(tracking, routing)
