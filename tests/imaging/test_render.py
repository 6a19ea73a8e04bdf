"""Synthetic envelopes (imaging/render.py): size, resolution, layout, the barcode drawn at
the proportions of USPS-B-3200, and noise that changes the image but not the seed's
image."""

from __future__ import annotations

import io
import itertools

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from mailcover.imaging.render import (
    BAR_PITCH_IN,
    BAR_WIDTH_IN,
    DPI,
    FULL_BAR_IN,
    NOISE,
    TRACKER_IN,
    Envelope,
    Noise,
    Rendered,
    encoded,
    render,
)
from mailcover.postal.imb import encode

# The example of DESIGN.md's mail-piece event.
BARS = encode("00040123456200800001", "62704123423")
ENVELOPE = Envelope(
    addressee=("John Q Public", "123 Main St Apt 4", "Springfield IL 62704-1234"),
    return_address=("ACME CORP", "PO BOX 100", "DENVER CO 80201"),
    bars=BARS,
)


def pixels(rendered: Rendered) -> npt.NDArray[np.float64]:
    return np.asarray(rendered.image, dtype=np.float64)


def bar_runs(darkness: npt.NDArray[np.float64]) -> list[tuple[int, int]]:
    """(first, last + 1) of each run of columns where some row is more than half dark."""
    dark = np.concatenate([[False], darkness.max(axis=0) > 0.5, [False]])
    edges = np.flatnonzero(np.diff(dark.astype(int)))
    return list(zip(edges[::2], edges[1::2], strict=True))


def barcode_darkness(rendered: Rendered) -> npt.NDArray[np.float64]:
    """The barcode's box, a margin around it, scaled from paper (0) to the bars' ink (1)."""
    left, top, right, bottom = rendered.boxes["barcode"]
    grey = pixels(rendered)[top - 4 : bottom + 4, left - 4 : right + 4]
    paper, ink = np.median(grey[:3]), grey.min()
    return np.asarray((paper - grey) / (paper - ink), dtype=np.float64)


class TestTheImage:
    @pytest.mark.parametrize(("size", "inches"), [("letter", (9.5, 4.125)), ("flat", (12.0, 9.5))])
    def test_an_envelope_is_its_size_at_200_dpi_in_grey(
        self, size: str, inches: tuple[float, float]
    ) -> None:
        rendered = render(Envelope(ENVELOPE.addressee, bars=BARS, size=size))  # type: ignore[arg-type]

        assert rendered.image.size == (round(inches[0] * 200), round(inches[1] * 200))
        assert rendered.image.mode == "L"
        assert rendered.image.info["dpi"] == (200, 200)

    @pytest.mark.parametrize("level", list(NOISE))
    def test_the_same_seed_gives_the_same_pixels(self, level: str) -> None:
        first = render(ENVELOPE, NOISE[level], seed=7)
        again = render(ENVELOPE, NOISE[level], seed=7)

        assert first.image.tobytes() == again.image.tobytes()
        assert first.boxes == again.boxes

    def test_another_seed_gives_another_layout(self) -> None:
        assert render(ENVELOPE, seed=1).boxes != render(ENVELOPE, seed=2).boxes

    @pytest.mark.parametrize("level", list(NOISE))
    @pytest.mark.parametrize("upside_down", [False, True])
    def test_every_part_is_boxed_inside_the_image(self, level: str, upside_down: bool) -> None:
        envelope = Envelope(ENVELOPE.addressee, ENVELOPE.return_address, BARS, "flat", upside_down)
        for seed in range(5):
            rendered = render(envelope, NOISE[level], seed)
            width, height = rendered.image.size

            assert set(rendered.boxes) == {"addressee", "return_address", "barcode", "postage"}
            for left, top, right, bottom in rendered.boxes.values():
                assert 0 <= left < right <= width
                assert 0 <= top < bottom <= height

    def test_an_envelope_without_a_barcode_or_return_address_boxes_neither(self) -> None:
        rendered = render(Envelope(("JANE ROE", "1 COURT SQ", "SPRINGFIELD IL 62701")))

        assert set(rendered.boxes) == {"addressee", "postage"}

    def test_the_boxes_hold_the_ink_of_their_part(self) -> None:
        rendered = render(ENVELOPE, seed=3)
        grey = pixels(rendered)

        for left, top, right, bottom in rendered.boxes.values():
            assert grey[top:bottom, left:right].min() < 100
        # and the paper between the return address and the addressee is blank
        gap_top = rendered.boxes["return_address"][3] + 5
        gap_bottom = rendered.boxes["addressee"][1] - 60
        assert grey[gap_top:gap_bottom, :1400].min() > 180

    def test_the_barcode_sits_just_above_the_name_line_or_just_below_the_last(self) -> None:
        for position in ("above", "below"):
            envelope = Envelope(ENVELOPE.addressee, bars=BARS, barcode_position=position)
            boxes = render(envelope, seed=4).boxes
            bars, address = boxes["barcode"], boxes["addressee"]
            gap = address[1] - bars[3] if position == "above" else bars[1] - address[3]

            # The 0.028 in clear zone at least, and no more than a line's height.
            assert 0.028 * DPI <= gap <= 0.08 * DPI
            assert abs(bars[0] - address[0]) < 0.1 * DPI

    def test_the_addressee_is_printed_in_upper_case_in_the_lower_middle(self) -> None:
        rendered = render(ENVELOPE, seed=5)
        left, top, _, bottom = rendered.boxes["addressee"]
        width, height = rendered.image.size

        assert 0.25 * width < left < 0.5 * width
        assert 0.3 * height < (top + bottom) / 2 < 0.8 * height
        assert bottom <= height - 0.625 * DPI  # the barcode clear zone at the bottom
        assert rendered.envelope.addressee == ENVELOPE.addressee

    def test_upside_down_is_the_same_envelope_turned_through_180_degrees(self) -> None:
        upright = render(ENVELOPE, seed=6)
        turned = render(
            Envelope(ENVELOPE.addressee, ENVELOPE.return_address, BARS, upside_down=True), seed=6
        )
        width, height = upright.image.size

        assert np.array_equal(pixels(turned), pixels(upright)[::-1, ::-1])
        left, top, right, bottom = upright.boxes["barcode"]
        assert turned.boxes["barcode"] == (
            width - right,
            height - bottom,
            width - left,
            height - top,
        )

    def test_an_envelope_refuses_bars_that_are_not_65_of_a_d_f_t(self) -> None:
        with pytest.raises(ValueError, match="65"):
            Envelope(ENVELOPE.addressee, bars=BARS[:-1])
        with pytest.raises(ValueError, match="65"):
            Envelope(ENVELOPE.addressee, bars=BARS[:-1] + "X")
        with pytest.raises(ValueError, match="size"):
            Envelope(ENVELOPE.addressee, size="postcard")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def darkness() -> npt.NDArray[np.float64]:
    return barcode_darkness(render(ENVELOPE, seed=11))


class TestTheBarcodeIsDrawnAtTheSpecificationsProportions:
    """USPS-B-3200: 22 bars an inch, bars 0.020 in wide, full 0.145 in, tracker 0.048 in;
    at 200 dpi 9.09, 4, 29 and 9.6 pixels. Measured from the clean image."""

    def test_there_are_65_bars(self, darkness: npt.NDArray[np.float64]) -> None:
        assert len(bar_runs(darkness)) == 65

    def test_the_bars_are_22_to_the_inch_and_0_020_in_wide(
        self, darkness: npt.NDArray[np.float64]
    ) -> None:
        columns = darkness.max(axis=0)
        centres, widths = [], []
        for first, last in bar_runs(darkness):
            cover = columns[first - 1 : last + 1]
            widths.append(cover.sum())
            centres.append((cover * np.arange(first - 1, last + 1)).sum() / cover.sum())
        pitch = np.polyfit(np.arange(65), centres, 1)[0]

        assert pitch == pytest.approx(BAR_PITCH_IN * DPI, abs=0.02)
        assert np.median(widths) == pytest.approx(BAR_WIDTH_IN * DPI, abs=0.3)

    def test_full_ascender_descender_and_tracker_bars_have_their_heights(
        self, darkness: npt.NDArray[np.float64]
    ) -> None:
        ascender = (FULL_BAR_IN + TRACKER_IN) / 2 * DPI
        expected = {"F": FULL_BAR_IN * DPI, "A": ascender, "D": ascender, "T": TRACKER_IN * DPI}
        tops: dict[str, list[float]] = {"F": [], "A": [], "D": [], "T": []}
        for symbol, (first, last) in zip(BARS, bar_runs(darkness), strict=True):
            middle = darkness[:, (first + last) // 2]
            height = np.clip(middle, 0, 1).sum()
            rows = np.flatnonzero(middle > 0.5)
            tops[symbol].append(rows[0])

            assert height == pytest.approx(expected[symbol], abs=0.5), symbol
        # Ascenders reach the full bars' tops, descenders and trackers start lower.
        assert np.median(tops["A"]) == np.median(tops["F"])
        assert np.median(tops["D"]) == np.median(tops["T"])
        assert np.median(tops["T"]) - np.median(tops["F"]) == pytest.approx(
            (FULL_BAR_IN - TRACKER_IN) / 2 * DPI, abs=1
        )


class TestNoise:
    def test_each_level_changes_the_image(self) -> None:
        images = {level: pixels(render(ENVELOPE, NOISE[level], seed=8)) for level in NOISE}
        clean = images.pop("clean")

        for level, image in images.items():
            assert np.abs(image - clean).mean() > 1, level

    def test_the_levels_grow_harder(self) -> None:
        levels = [NOISE[name] for name in ("clean", "default", "hard", "harder")]

        for easier, harder in itertools.pairwise(levels):
            assert harder.blur_px > easier.blur_px
            assert harder.noise_sigma > easier.noise_sigma
            assert (harder.jpeg_quality or 100) < (easier.jpeg_quality or 101)

    def test_rotation_turns_the_envelope_and_its_boxes(self) -> None:
        rendered = render(ENVELOPE, Noise(rotation_deg=5.0), seed=9)
        upright = render(ENVELOPE, seed=9)

        assert 0 < abs(rendered.angle_deg) <= 5.0
        # a turned box is larger than the upright one by the turn of its height and width
        left, top, right, bottom = upright.boxes["barcode"]
        turned = rendered.boxes["barcode"]
        assert turned[3] - turned[1] > bottom - top + 0.5 * (right - left) * abs(
            np.sin(np.radians(rendered.angle_deg))
        )

    def test_blur_softens_the_bars_edges(self) -> None:
        sharp = barcode_darkness(render(ENVELOPE, seed=10))
        soft = barcode_darkness(render(ENVELOPE, Noise(blur_px=1.5), seed=10))

        def partly_dark(darkness: npt.NDArray[np.float64]) -> float:
            return float(((darkness > 0.1) & (darkness < 0.9)).mean())

        assert partly_dark(soft) > 2 * partly_dark(sharp)

    def test_noise_has_the_standard_deviation_asked_for(self) -> None:
        quiet = pixels(render(ENVELOPE, seed=12))
        noisy = pixels(render(ENVELOPE, Noise(noise_sigma=10.0), seed=12))

        assert np.std(noisy - quiet) == pytest.approx(10.0, rel=0.1)

    def test_jpeg_quality_stores_the_image_lossily(self) -> None:
        lossless = pixels(render(ENVELOPE, seed=13))
        stored = pixels(render(ENVELOPE, Noise(jpeg_quality=30), seed=13))

        assert 0 < np.abs(stored - lossless).mean() < 5

    def test_font_jitter_draws_the_text_in_other_faces(self) -> None:
        boxes = {
            render(ENVELOPE, Noise(font_jitter=True), seed).boxes["addressee"] for seed in range(8)
        }
        widths = {right - left for left, _, right, _ in boxes}

        assert len(widths) > 3


class TestEncoding:
    @pytest.mark.parametrize(("fmt", "quality"), [("PNG", None), ("JPEG", 90), ("WEBP", 80)])
    def test_encoded_images_read_back_at_200_dpi(self, fmt: str, quality: int | None) -> None:
        image = render(ENVELOPE, seed=14).image

        back = Image.open(io.BytesIO(encoded(image, fmt, quality)))

        assert back.format == fmt
        assert back.size == image.size
        if fmt != "WEBP":
            assert tuple(round(d) for d in back.info["dpi"]) == (200, 200)

    def test_png_is_lossless(self) -> None:
        image = render(ENVELOPE, seed=15).image

        assert Image.open(io.BytesIO(encoded(image))).tobytes() == image.tobytes()
