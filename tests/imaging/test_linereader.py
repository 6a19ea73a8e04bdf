"""The fast reader: lines found by geometry (imaging/layout.py), read by Tesseract in-process,
doubted words read again by the strong engine (imaging/linereader.py), and a pool of readers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from PIL import Image

from mailcover.imaging import linereader
from mailcover.imaging.layout import find_layout
from mailcover.imaging.linereader import LineReader
from mailcover.imaging.ocr import Blocks, Line, OcrError, RapidOcr, default_engine, read_blocks
from mailcover.imaging.read import ImageError, ReaderPool, read_envelope
from mailcover.imaging.render import NOISE, Envelope, encoded, render
from mailcover.imaging.render2 import OTHER_NOISE, render_other
from mailcover.postal.imb import read

ADDRESSEE = ("ANA RUIZ", "6858 MENDOZA BLVD APT 4", "DALLAS TX 75201")
RETURN_ADDRESS = ("ACME CORP", "PO BOX 100", "DENVER CO 80201")
BARS = "FDDTTDDAFDDFFDDADTFDFAFDFADFAAAFDFFFAFATTTDFFFTAFAADTDDDTFDTFDADT"
ENVELOPE = Envelope(ADDRESSEE, RETURN_ADDRESS, BARS)


@pytest.fixture(scope="module")
def tesseract_only() -> LineReader:
    reader = LineReader(strong=None)
    reader.load()
    return reader


def _inside(inner: tuple[int, int, int, int], outer: tuple[int, int, int, int], slack: int) -> bool:
    return (
        outer[0] - slack <= inner[0]
        and outer[1] - slack <= inner[1]
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


# -- finding the lines ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_layout_finds_the_address_lines_the_bars_and_the_skew(seed: int) -> None:
    drawn = render(ENVELOPE, NOISE["default"], seed=seed)
    layout = find_layout(np.asarray(drawn.image))
    # The image's skew is undone (within half a degree: a 500-pixel line drifts 4 pixels).
    assert abs(layout.level_deg + drawn.angle_deg) <= 0.5
    boxes = [layout.to_image(box) for box in layout.lines]
    block = drawn.boxes["addressee"]
    in_block = [box for box in boxes if _inside(box, block, slack=12)]
    assert len(in_block) == len(ADDRESSEE), (in_block, block)
    bars = drawn.boxes["barcode"]
    assert any(_inside(bars, found, slack=12) for found in layout.bars)
    assert not any(_inside(box, bars, slack=4) for box in boxes), "the bars are not text"


def test_a_blank_image_has_no_lines() -> None:
    layout = find_layout(np.full((825, 1900), 240, np.uint8))
    assert layout.lines == ()
    assert layout.bars == ()


def test_a_label_s_edges_are_not_ink() -> None:
    # A white label on a darker flat: the step between two tones is no line of print.
    grey = np.full((1900, 2400), 150, np.uint8)
    grey[800:1200, 900:1700] = 245
    layout = find_layout(grey)
    assert layout.lines == ()


# -- reading them ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_tesseract_reads_the_blocks_of_both_renderers(
    tesseract_only: LineReader, seed: int
) -> None:
    for drawn in (
        render(ENVELOPE, NOISE["default"], seed=seed),
        render_other(ENVELOPE, OTHER_NOISE["default"], seed=880_100 + seed),
    ):
        blocks = read_blocks(drawn.image, tesseract_only)
        assert tuple(line.text for line in blocks.addressee) == ADDRESSEE
        assert tuple(line.text for line in blocks.return_address) == RETURN_ADDRESS
        assert 0.6 < blocks.confidence <= 1.0


def test_the_postage_area_is_not_read(tesseract_only: LineReader) -> None:
    drawn = render(ENVELOPE, NOISE["clean"], seed=5)
    texts = " ".join(line.text for line in tesseract_only.lines(drawn.image))
    assert "USA" not in texts
    assert "FOREVER" not in texts
    assert "PRESORTED" not in texts


class _Strong(RapidOcr):
    """A strong engine that reads every crop as `text` with `score`, and counts its calls."""

    def __init__(self, text: str, score: float) -> None:
        super().__init__()
        self.text = text
        self.score = score
        self.calls = 0

    def recognise(self, crops: Sequence[np.ndarray[Any, Any]]) -> list[tuple[str, float]]:
        self.calls += len(crops)
        return [(self.text, self.score) for _ in crops]


def test_a_doubted_word_is_read_again_and_the_surer_reading_kept() -> None:
    drawn = render(Envelope(("ANA RUIZ", "12 ELM ST", "DALLAS TX 75201")), NOISE["clean"], seed=3)
    sure = _Strong("ZZ", 1.0)  # surer than any Tesseract word
    reader = LineReader(strong=sure, reread_below=1.01)  # every word doubted
    lines = reader.lines(drawn.image)
    assert sure.calls == reader.rereads == sum(len(line.text.split()) for line in lines) > 0
    assert all(set(line.text.split()) == {"ZZ"} for line in lines)
    unsure = _Strong("YY", 0.01)  # less sure than Tesseract: Tesseract's words stay
    reader = LineReader(strong=unsure, reread_below=1.01)
    assert "ANA RUIZ" in [line.text for line in reader.lines(drawn.image)]


def test_a_strong_reading_longer_than_the_word_is_refused() -> None:
    # Tesseract drew a word's box too wide: the strong engine read the neighbours too.
    drawn = render(Envelope(("ANA RUIZ", "12 ELM ST", "DALLAS TX 75201")), NOISE["clean"], seed=3)
    reader = LineReader(strong=_Strong("12 ELM ST 12 ELM ST", 1.0), reread_below=1.01)
    assert "12 ELM ST" in [line.text for line in reader.lines(drawn.image)]


def test_words_above_the_threshold_are_not_read_again() -> None:
    drawn = render(ENVELOPE, NOISE["clean"], seed=4)
    strong = _Strong("ZZ", 1.0)
    reader = LineReader(strong=strong, reread_below=0.0)
    read_blocks(drawn.image, reader)
    assert strong.calls == 0


def test_an_addressee_that_is_no_address_is_read_again_whole() -> None:
    drawn = render(ENVELOPE, NOISE["clean"], seed=6)
    reader = LineReader(strong=_Strong("DALLAS TX 75201", 0.99), reread_below=0.0)
    blocks = read_blocks(drawn.image, reader)
    assert blocks.addressee[-1].text == "DALLAS TX 75201"
    assert reader.confirm(blocks, drawn.image.size) is blocks  # a ZIP: nothing read again
    # The last line lost its state and ZIP Code: the strong engine's reading, which has
    # them, replaces the block's lines.
    broken = Blocks(
        addressee=(*blocks.addressee[:-1], Line("DALLAS", 0.9, blocks.addressee[-1].box)),
        return_address=blocks.return_address,
        confidence=blocks.confidence,
    )
    confirmed = reader.confirm(broken, drawn.image.size)
    assert confirmed.addressee[-1].text == "DALLAS TX 75201"
    # A strong reading that is no better is not taken.
    worse = LineReader(strong=_Strong("DALLAS", 0.99), reread_below=0.0)
    read_blocks(drawn.image, worse)
    assert worse.confirm(broken, drawn.image.size) is broken


def test_capitals_and_edge_marks() -> None:
    assert linereader._capitals("3625 BRAUN Hwy") == "3625 BRAUN HWY"
    assert linereader._capitals("3625 Braun Hwy") == "3625 Braun Hwy"  # mixed case stays
    assert linereader._trim("\u2018SMITHFIELD UT 84335,") == "SMITHFIELD UT 84335"
    assert linereader._trim("# 3") == "# 3"


def test_without_tesseract_s_model_the_error_names_the_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    monkeypatch.setattr(linereader, "TESSDATA_DIRS", ())
    with pytest.raises(OcrError, match="tesseract-ocr-eng"):
        linereader.tessdata_dir()
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path / "missing"))
    with pytest.raises(OcrError, match="TESSDATA_PREFIX"):
        LineReader().load()


def test_the_default_engine_is_the_line_reader() -> None:
    assert isinstance(default_engine(), LineReader)


# -- end to end -----------------------------------------------------------------------------


def test_an_envelope_is_read_end_to_end_with_its_bars() -> None:
    drawn = render(ENVELOPE, NOISE["default"], seed=21)
    reading = read_envelope(drawn.image)
    assert reading.addressee == ADDRESSEE
    assert reading.return_address == RETURN_ADDRESS
    assert reading.imb is not None
    assert read(reading.imb).imb == read(BARS).imb
    assert not reading.upside_down


def test_an_upside_down_envelope_is_read_by_the_line_reader() -> None:
    drawn = render(Envelope(ADDRESSEE, RETURN_ADDRESS, BARS, upside_down=True), NOISE["default"], 8)
    reading = read_envelope(drawn.image)
    assert reading.upside_down
    assert reading.addressee == ADDRESSEE


def test_a_pool_reads_in_order_and_refuses_a_bad_image_by_name() -> None:
    first = encoded(render(ENVELOPE, NOISE["default"], seed=31).image, "JPEG", 90)
    other = Envelope(("MARIA LOPEZ", "PO BOX 7", "DENVER CO 80201"), None, None)
    second = encoded(render(other, NOISE["default"], seed=32).image, "JPEG", 90)
    with ReaderPool(2) as pool:
        pool.start()
        results = list(pool.read_all([first, b"not an image", second, first]))
    assert [type(r).__name__ for r in results] == [
        "EnvelopeReading",
        "ImageError",
        "EnvelopeReading",
        "EnvelopeReading",
    ]
    assert results[0].addressee == ADDRESSEE  # type: ignore[union-attr]
    assert results[2].addressee == other.addressee  # type: ignore[union-attr]
    refused = results[1]
    assert isinstance(refused, ImageError)
    assert refused.code == "not-an-image"


def test_a_pool_stops_an_image_over_its_time_limit_and_reads_the_next() -> None:
    image = encoded(render(ENVELOPE, NOISE["default"], seed=33).image, "JPEG", 90)
    with ReaderPool(1, time_limit=0.005) as pool:
        pool.start()
        (late,) = list(pool.read_all([image]))
        assert isinstance(late, ImageError)
        assert late.code == "time-limit"
        for reader in pool._readers:
            reader.time_limit = 60
        (found,) = list(pool.read_all([image]))
    assert not isinstance(found, ImageError)
    assert found.addressee == ADDRESSEE


def test_an_image_s_mode_does_not_matter(tesseract_only: LineReader) -> None:
    drawn = render(ENVELOPE, NOISE["clean"], seed=41)
    grey = read_blocks(drawn.image, tesseract_only)
    rgb = read_blocks(drawn.image.convert("RGB"), tesseract_only)
    assert [line.text for line in grey.addressee] == [line.text for line in rgb.addressee]
    assert isinstance(drawn.image, Image.Image)
