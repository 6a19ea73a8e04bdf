"""The second envelope renderer (imaging/render2.py), which the reader is evaluated on."""

from __future__ import annotations

import numpy as np
import pytest

from mailcover.imaging.barcode import read_barcode
from mailcover.imaging.render import _FONT_FILES, Envelope
from mailcover.imaging.render2 import (
    LAYOUTS,
    OTHER_FONT_FILES,
    OTHER_NOISE,
    Layout,
    other_fonts,
    render_other,
)
from mailcover.postal.address import parse_lines
from mailcover.postal.imb import read

ADDRESSEE = ("ANA RUIZ", "6858 MENDOZA BLVD APT 4", "DALLAS TX 75201")
RETURN_ADDRESS = ("ACME CORP", "PO BOX 100", "DENVER CO 80201")
BARS = "FDDTTDDAFDDFFDDADTFDFAFDFADFAAAFDFFFAFATTTDFFFTAFAADTDDDTFDTFDADT"
ENVELOPE = Envelope(ADDRESSEE, RETURN_ADDRESS, BARS)
SEEDS = range(880_001, 880_007)


def test_its_faces_are_none_of_the_first_renderers() -> None:
    assert not set(OTHER_FONT_FILES) & set(_FONT_FILES)
    assert other_fonts(), "Debian's DejaVu and Liberation fonts are installed (make ocr-deps)"


def test_the_same_seed_gives_the_same_pixels_and_another_seed_other_ones() -> None:
    one = render_other(ENVELOPE, OTHER_NOISE["default"], seed=880_001)
    again = render_other(ENVELOPE, OTHER_NOISE["default"], seed=880_001)
    other = render_other(ENVELOPE, OTHER_NOISE["default"], seed=880_002)
    assert np.array_equal(np.asarray(one.image), np.asarray(again.image))
    assert one.boxes == again.boxes
    assert not np.array_equal(np.asarray(one.image), np.asarray(other.image))


def test_the_seed_chooses_among_all_three_layouts() -> None:
    sizes = {render_other(ENVELOPE, seed=seed).image.size for seed in range(30)}
    assert sizes == {(1900, 825), (2400, 1900)}


@pytest.mark.parametrize("layout", ["below", "label"])
def test_the_barcode_is_under_the_address_block(layout: Layout) -> None:
    for seed in SEEDS:
        drawn = render_other(ENVELOPE, seed=seed, layout=layout)
        assert drawn.boxes["barcode"][1] >= drawn.boxes["addressee"][3]


def test_a_window_envelopes_address_and_bars_show_through_the_window() -> None:
    for seed in SEEDS:
        drawn = render_other(ENVELOPE, seed=seed, layout="window")
        width, height = drawn.image.size
        assert (width, height) == (1900, 825)
        window = (175, height - 325, 175 + 900, height - 100)  # 7/8 in, 1/2 in, 4.5 x 1.125
        for part in ("addressee", "barcode"):
            left, top, right, bottom = drawn.boxes[part]
            assert window[0] <= left, part
            assert right <= window[2], part
            assert window[1] <= top, part
            assert bottom <= window[3], part
        assert drawn.boxes["barcode"][3] <= drawn.boxes["addressee"][1] + 2


def test_a_label_is_on_a_flat_lighter_than_its_manila_paper() -> None:
    drawn = render_other(ENVELOPE, seed=880_001, layout="label")
    assert drawn.image.size == (2400, 1900)
    pixels = np.asarray(drawn.image, dtype=np.float32)
    left, top, right, _bottom = drawn.boxes["addressee"]
    label_paper = np.median(pixels[top - 20 : top - 5, left:right])
    manila = np.median(pixels[top - 20 : top - 5, 40:200])
    assert label_paper > manila + 25


def test_default_noise_is_mild_blur_two_degrees_at_most_and_jpeg() -> None:
    noise = OTHER_NOISE["default"]
    assert noise.rotation_deg == 2.0
    assert 0 < noise.blur_px <= 1.0
    assert noise.jpeg_quality is not None
    for seed in SEEDS:
        assert abs(render_other(ENVELOPE, noise, seed=seed).angle_deg) <= 2.0


@pytest.mark.parametrize("layout", LAYOUTS)
def test_its_bars_read_at_the_default_level_in_every_layout(layout: Layout) -> None:
    for seed in SEEDS:
        drawn = render_other(ENVELOPE, OTHER_NOISE["default"], seed=seed, layout=layout)
        bars = read_barcode(drawn.image)
        assert bars.imb is not None, bars.error
        assert bars.imb == read(BARS).imb


def test_an_upside_down_envelope_is_drawn_turned() -> None:
    upright = render_other(ENVELOPE, seed=880_003, layout="below")
    turned = render_other(
        Envelope(ADDRESSEE, RETURN_ADDRESS, BARS, upside_down=True), seed=880_003, layout="below"
    )
    assert np.array_equal(np.asarray(turned.image), np.asarray(upright.image)[::-1, ::-1])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_reader_finds_the_delivery_point_in_every_layout(layout: Layout) -> None:
    from mailcover.imaging.read import read_envelope

    drawn = render_other(ENVELOPE, OTHER_NOISE["default"], seed=880_004, layout=layout)
    reading = read_envelope(drawn.image)
    assert reading.addressee is not None
    assert (
        parse_lines(reading.addressee).delivery_point_key
        == parse_lines(ADDRESSEE).delivery_point_key
    )
