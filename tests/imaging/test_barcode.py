"""The Intelligent Mail barcode read from envelope images (imaging/barcode.py).

Envelopes are drawn by imaging/render.py with the bars of the Postal Service's own test
cases (tests/postal/data/uspsIMbEncoderTestCases.csv, the "Intelligent Mail barcode
Encoder Test Case Reference Set", (C) 2009 USPS; see tests/postal/test_imb.py) and of
codes hypothesis draws, then read back: clean, at the default noise, skewed both ways,
blurred, upside down, and damaged.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from mailcover.imaging.barcode import BarcodeReading, read_barcode
from mailcover.imaging.render import NOISE, Envelope, Noise, Rendered, render
from mailcover.postal.imb import ROUTING_LENGTHS, encode

REFERENCE_SET = Path(__file__).parents[1] / "postal" / "data" / "uspsIMbEncoderTestCases.csv"
ADDRESSEE = ("JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234")
RETURN_ADDRESS = ("ACME CORP", "PO BOX 100", "DENVER CO 80201")


class Case(NamedTuple):
    tracking: str
    routing: str
    bars: str


@cache
def usps_cases() -> tuple[Case, ...]:
    """The reference set's rows that encode (return code 00), in file order."""
    # Lines end in CR CR LF; fields: id, tracking, routing, bars, return code, message.
    lines = REFERENCE_SET.read_bytes().decode("ascii").split("\r\r\n")
    rows = (line.split(",", 5) for line in lines if line)
    return tuple(Case(row[1], row[2], row[3]) for row in rows if row[4] == "00")


def spread(count: int) -> list[Case]:
    """`count` of the reference cases, evenly spread through the file."""
    cases = usps_cases()
    return [cases[i * len(cases) // count] for i in range(count)]


def envelope_for(case: Case, index: int, **options: object) -> Envelope:
    return Envelope(
        ADDRESSEE,
        RETURN_ADDRESS,
        bars=case.bars,
        size="flat" if index % 10 == 9 else "letter",
        **options,  # type: ignore[arg-type]
    )


def decodes_to(reading: BarcodeReading, case: Case) -> bool:
    return (
        reading.imb is not None
        and reading.imb.tracking.digits == case.tracking
        and reading.imb.routing == case.routing
    )


def decode_rate(level: str, count: int) -> tuple[float, list[tuple[int, BarcodeReading]]]:
    misread = []
    for index, case in enumerate(spread(count)):
        upside_down = index % 5 == 4
        rendered = render(envelope_for(case, index, upside_down=upside_down), NOISE[level], index)
        reading = read_barcode(rendered.image)
        if not (decodes_to(reading, case) and reading.upside_down == upside_down):
            misread.append((index, reading))
    return 1 - len(misread) / count, misread


def turned(rendered: Rendered, degrees: float) -> Image.Image:
    return rendered.image.rotate(degrees, resample=Image.Resampling.BILINEAR, fillcolor=200)


class TestTheReferenceSetRoundTrips:
    def test_every_bar_string_of_200_clean_envelopes_reads_back_exactly(self) -> None:
        wrong = []
        for index, case in enumerate(spread(200)):
            reading = read_barcode(render(envelope_for(case, index), seed=index).image)
            if reading.bars != case.bars or not decodes_to(reading, case):
                wrong.append((index, reading.error))

        assert wrong == []

    def test_99_percent_of_200_envelopes_decode_at_the_default_noise(self) -> None:
        rate, misread = decode_rate("default", 200)

        assert rate >= 0.99, misread
        # and none of those that decode decodes to something else
        assert all(reading.imb is None for _, reading in misread)

    def test_a_reading_has_its_confidence_box_and_skew(self) -> None:
        case = spread(1)[0]
        rendered = render(envelope_for(case, 0), seed=1)

        reading = read_barcode(rendered.image)

        assert reading.confidence > 0.9
        assert reading.error is None
        assert reading.error_code is None
        assert reading.skew_deg == pytest.approx(0, abs=0.2)
        assert reading.box is not None
        assert np.abs(np.subtract(reading.box, rendered.boxes["barcode"])).max() <= 2


class TestGeometry:
    @pytest.mark.parametrize("degrees", [-5.0, -4.0, -2.5, -1.0, 0.5, 1.5, 3.0, 4.5, 5.0])
    def test_a_skewed_envelope_reads_either_way_and_reports_its_skew(self, degrees: float) -> None:
        case = spread(9)[int(degrees + 5) % 9]
        rendered = render(envelope_for(case, 0), seed=int(degrees * 10) + 50)

        reading = read_barcode(turned(rendered, degrees))

        assert decodes_to(reading, case), reading.error
        assert reading.skew_deg == pytest.approx(degrees, abs=0.25)

    @pytest.mark.parametrize("blur", [0.8, 1.2, 1.6])
    def test_a_blurred_envelope_reads(self, blur: float) -> None:
        for index, case in enumerate(spread(5)):
            rendered = render(envelope_for(case, index), Noise(blur_px=blur), seed=index)

            assert decodes_to(read_barcode(rendered.image), case)

    def test_an_upside_down_envelope_reads_turned_round(self) -> None:
        for index, case in enumerate(spread(10)):
            envelope = envelope_for(case, index, upside_down=True)
            reading = read_barcode(render(envelope, NOISE["default"], seed=index).image)

            assert decodes_to(reading, case), reading.error
            assert reading.upside_down
            # the bars as seen: reversed, ascenders and descenders swapped
            assert reading.bars == case.bars[::-1].translate(str.maketrans("AD", "DA"))

    def test_the_reader_finds_the_bars_anywhere_and_takes_a_region_as_a_hint(self) -> None:
        case = spread(1)[0]
        rendered = render(envelope_for(case, 0), NOISE["default"], seed=3)

        hinted = read_barcode(rendered.image, region=rendered.boxes["barcode"])
        wrong_hint = read_barcode(rendered.image, region=rendered.boxes["postage"])
        empty_hint = read_barcode(rendered.image, region=(10, 10, 5, 5))

        assert decodes_to(hinted, case)
        assert decodes_to(wrong_hint, case)
        assert decodes_to(empty_hint, case)

    @settings(max_examples=25, deadline=None)
    @given(
        tracking=st.from_regex(r"[0-9][0-4][0-9]{18}", fullmatch=True),
        routing=st.sampled_from(ROUTING_LENGTHS).flatmap(
            lambda n: st.text("0123456789", min_size=n, max_size=n)
        ),
        upside_down=st.booleans(),
        position=st.sampled_from(["above", "below"]),
        seed=st.integers(0, 2**32 - 1),
    )
    def test_any_code_round_trips_at_the_default_noise(
        self, tracking: str, routing: str, upside_down: bool, position: str, seed: int
    ) -> None:
        envelope = Envelope(
            ADDRESSEE,
            RETURN_ADDRESS,
            bars=encode(tracking, routing),
            upside_down=upside_down,
            barcode_position=position,  # type: ignore[arg-type]
        )

        reading = read_barcode(render(envelope, NOISE["default"], seed).image)

        assert decodes_to(reading, Case(tracking, routing, envelope.bars or ""))
        assert reading.upside_down == upside_down


def erase_bar(rendered: Rendered, position: int) -> Image.Image:
    """The image with bar `position` (1-65, left to right) painted over with paper."""
    left, top, right, bottom = rendered.boxes["barcode"]
    grey = np.asarray(rendered.image).copy()
    band = grey[top:bottom, left:right]
    dark = np.concatenate([[False], band.min(axis=0) < 128, [False]])
    edges = np.flatnonzero(np.diff(dark.astype(int)))
    first, last = edges[2 * position - 2], edges[2 * position - 1]
    paper = int(np.median(grey[top - 10 : top - 2, left:right]))
    grey[top - 1 : bottom + 1, left + first - 1 : left + last + 1] = paper
    return Image.fromarray(grey, mode="L")


class TestWhatCannotBeRead:
    @pytest.mark.parametrize(
        "image",
        [
            Image.new("L", (1900, 825), 235),
            Image.new("L", (1900, 825), 0),
            Image.new("L", (1, 1), 0),
            Image.new("L", (0, 0)),
            Image.new("RGB", (300, 20), "white"),
            Image.fromarray(np.random.default_rng(0).integers(0, 256, (825, 1900), dtype=np.uint8)),
        ],
        ids=["blank", "black", "one-pixel", "empty", "thin-colour", "noise"],
    )
    def test_an_image_without_bars_says_no_barcode_was_found(self, image: Image.Image) -> None:
        reading = read_barcode(image)

        assert reading == BarcodeReading(
            bars=None, imb=None, error="no barcode found", error_code="no-barcode"
        )

    def test_an_envelope_with_text_but_no_barcode_says_no_barcode_was_found(self) -> None:
        for level in NOISE:
            envelope = Envelope(ADDRESSEE, RETURN_ADDRESS)

            reading = read_barcode(render(envelope, NOISE[level], seed=2).image)

            assert (reading.error, reading.bars, reading.imb) == ("no barcode found", None, None)

    def test_a_barcode_with_a_bar_erased_says_how_many_bars_it_found(self) -> None:
        case = spread(1)[0]
        rendered = render(envelope_for(case, 0), seed=4)

        inside = read_barcode(erase_bar(rendered, 30))
        at_the_end = read_barcode(erase_bar(rendered, 65))

        assert inside.error == "found 64 bars, not 65 (no bar at position 30 of 65)"
        assert at_the_end.error == "found 64 bars, not 65"
        for reading in (inside, at_the_end):
            assert (reading.bars, reading.imb, reading.error_code) == (None, None, "bar-count")
            assert reading.box is not None

    def test_a_misprinted_bar_is_read_as_printed_and_refused_by_the_decoder(self) -> None:
        case = spread(1)[0]
        misprinted = case.bars[:20] + ("T" if case.bars[20] != "T" else "F") + case.bars[21:]
        rendered = render(Envelope(ADDRESSEE, bars=misprinted), NOISE["default"], seed=5)

        reading = read_barcode(rendered.image)

        assert reading.bars == misprinted
        assert reading.imb is None
        assert reading.error_code == "invalid-character"
        assert "misread" in (reading.error or "")
