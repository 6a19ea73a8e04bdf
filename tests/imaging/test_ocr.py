"""Reading the address blocks of envelope images (imaging/ocr.py).

The engines read envelopes drawn by imaging/render.py; how the blocks are found is also
tested without OCR, with an engine that returns lines given in advance.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

import numpy as np
import pytest
from PIL import Image
from rapidfuzz.distance import Levenshtein

from mailcover.imaging.ocr import (
    Blocks,
    Engine,
    Line,
    OcrError,
    RapidOcr,
    Tesseract,
    _SpacedCtcDecode,
    _tsv_lines,
    read_blocks,
    skew_degrees,
)
from mailcover.imaging.render import NOISE, Envelope, Rendered, render

ADDRESSEE = ("JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234")
RETURN_ADDRESS = ("ACME CORP", "PO BOX 100", "DENVER CO 80201")
BARS = "FDDTTDDAFDDFFDDADTFDFAFDFADFAAAFDFFFAFATTTDFFFTAFAADTDDDTFDTFDADT"


@pytest.fixture(scope="module")
def rapidocr() -> RapidOcr:
    return RapidOcr()


@pytest.fixture(scope="module", params=["rapidocr", "tesseract"])
def engine(request: pytest.FixtureRequest, rapidocr: RapidOcr) -> Engine:
    return rapidocr if request.param == "rapidocr" else Tesseract()


@pytest.fixture(scope="module")
def clean() -> Rendered:
    envelope = Envelope(addressee=ADDRESSEE, return_address=RETURN_ADDRESS, bars=BARS)
    return render(envelope, NOISE["clean"], seed=3)


def cer(read: Sequence[Line], truth: Sequence[str]) -> float:
    text = "\n".join(truth)
    return Levenshtein.distance("\n".join(line.text for line in read), text) / len(text)


def zip5(line: str) -> str:
    found = re.search(r"(\d{5})(?:-\d{4})?$", line)
    return found.group(1) if found else ""


# -- the engines on rendered envelopes ------------------------------------------------------


def test_each_engine_reads_a_clean_addressee_block_with_its_zip(
    engine: Engine, clean: Rendered
) -> None:
    blocks = read_blocks(clean.image, engine)
    assert cer(blocks.addressee, ADDRESSEE) <= 0.02
    assert zip5(blocks.addressee[-1].text) == "62704"
    assert blocks.rotation == 0


def test_lines_come_top_to_bottom_with_confidences_between_0_and_1(
    engine: Engine, clean: Rendered
) -> None:
    blocks = read_blocks(clean.image, engine)
    for block in (blocks.addressee, blocks.return_address):
        tops = [line.box[1] for line in block]
        assert tops == sorted(tops)
        assert all(0.0 <= line.confidence <= 1.0 for line in block)
    assert 0.0 < blocks.confidence <= 1.0


def test_the_return_address_is_told_apart_from_the_addressee(
    engine: Engine, clean: Rendered
) -> None:
    blocks = read_blocks(clean.image, engine)
    assert cer(blocks.return_address, RETURN_ADDRESS) <= 0.02
    assert len(blocks.addressee) == len(ADDRESSEE)
    left, top, right, bottom = clean.boxes["addressee"]
    for line in blocks.addressee:  # in the drawn block, give or take a few pixels
        x0, y0, x1, y1 = line.box
        assert left - 10 <= x0 < x1 <= right + 10
        assert top - 10 <= y0 < y1 <= bottom + 10


def test_a_blank_image_gives_empty_blocks(engine: Engine) -> None:
    blank = Image.new("L", (1900, 825), 235)
    assert read_blocks(blank, engine) == Blocks((), (), 0.0)


def test_an_upside_down_envelope_is_read_the_right_way_up(engine: Engine) -> None:
    envelope = Envelope(
        addressee=ADDRESSEE, return_address=RETURN_ADDRESS, bars=BARS, upside_down=True
    )
    image = render(envelope, NOISE["clean"], seed=5).image
    blocks = read_blocks(image, engine)
    assert blocks.rotation == 180
    assert cer(blocks.addressee, ADDRESSEE) <= 0.02
    assert cer(blocks.return_address, RETURN_ADDRESS) <= 0.05
    # The boxes are in the turned image: the addressee is below the return address there.
    assert blocks.addressee[0].box[1] > blocks.return_address[-1].box[3]


def test_rapidocr_reads_a_skewed_noisy_envelope(rapidocr: RapidOcr) -> None:
    envelope = Envelope(addressee=ADDRESSEE, return_address=RETURN_ADDRESS, bars=BARS)
    blocks = read_blocks(render(envelope, NOISE["hard"], seed=11).image, rapidocr)
    assert cer(blocks.addressee, ADDRESSEE) <= 0.05
    assert zip5(blocks.addressee[-1].text) == "62704"


def test_without_an_engine_the_line_reader_reads(clean: Rendered) -> None:
    assert cer(read_blocks(clean.image).addressee, ADDRESSEE) <= 0.02


# -- Tesseract's edges ----------------------------------------------------------------------


def test_tesseract_missing_from_path_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str], clean: Rendered
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(OcrError, match=r"not installed or not on PATH.*tesseract-ocr"):
        Tesseract().lines(clean.image)


def test_tesseract_words_are_grouped_into_lines() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight"
    rows = [
        header + "\tconf\ttext",
        "4\t1\t1\t1\t1\t0\t10\t20\t200\t30\t-1\t",
        "5\t1\t1\t1\t1\t1\t10\t20\t60\t30\t96.0\tJOHN",
        "5\t1\t1\t1\t1\t2\t80\t22\t130\t28\t90.0\tPUBLIC",
        "5\t1\t2\t1\t1\t1\t10\t60\t40\t30\t50.0\t  ",
        "5\t1\t2\t1\t1\t2\t60\t60\t40\t30\t80.0\t62704",
    ]
    name, zip_code = _tsv_lines("\n".join(rows))
    assert (name.text, name.box, name.angle) == ("JOHN PUBLIC", (10, 20, 210, 50), None)
    assert name.confidence == pytest.approx(0.93)
    assert zip_code.text == "62704"
    assert zip_code.confidence == pytest.approx(0.8)


def test_the_skew_of_an_envelope_is_measured() -> None:
    envelope = Envelope(addressee=ADDRESSEE, return_address=RETURN_ADDRESS)
    level = render(envelope, NOISE["clean"], seed=1).image
    assert abs(skew_degrees(level)) <= 0.3
    grey = int(np.median(np.asarray(level)))
    turned = level.rotate(-3.0, resample=Image.Resampling.BICUBIC, fillcolor=grey)
    assert skew_degrees(turned) == pytest.approx(3.0, abs=0.3)  # 0.1-degree steps


# -- RapidOCR's dropped spaces --------------------------------------------------------------


def test_a_space_the_model_dropped_is_put_back_but_not_beside_a_hyphen() -> None:
    alphabet = ["blank", "A", "B", "-", " "]
    # A _ _ B _ B _ - _ A: the space class rises after the first A and around the hyphen.
    steps = [(1, 0), (0, 0), (0, 0.2), (2, 0), (0, 0.003), (2, 0), (0, 0.2), (3, 0), (0, 0.2)]
    steps += [(1, 0)]
    preds = np.zeros((1, len(steps), len(alphabet)), dtype=np.float32)
    for t, (best, space) in enumerate(steps):
        preds[0, t, best] = 0.9
        preds[0, t, 4] = space
    [(text, confidence)] = _SpacedCtcDecode(alphabet, 0.01)(preds)
    assert text == "A BB-A"
    assert confidence == pytest.approx(0.9)


# -- finding the blocks among an engine's lines, without OCR --------------------------------


class Given:
    """An engine that returns the lines it was given."""

    name = "given"

    def __init__(self, lines: Sequence[Line]) -> None:
        self._lines = list(lines)

    def lines(self, image: Image.Image) -> list[Line]:
        return list(self._lines)


PAPER = Image.new("L", (1900, 825), 235)


def line(text: str, left: int, top: int, confidence: float = 0.95, angle: int | None = 0) -> Line:
    return Line(text, confidence, (left, top, left + 22 * len(text), top + 30), angle)


def test_postage_endorsements_and_noise_are_not_address_lines() -> None:
    engine = Given(
        [
            line("SPRINGFIELD IL 62704-1234", 760, 504),  # out of order: sorted by the reader
            line("PRESORTED", 1660, 60),
            line("FIRST-CLASS", 1660, 95),
            line("ACME CORP", 60, 40),
            line("PO BOX 100", 60, 75),
            line("DENVER CO 80201", 60, 110),
            line("****AUTO**5-DIGIT 62704", 760, 380),
            line("JOHN Q PUBLIC", 760, 420),
            line("123 MAIN ST APT 4", 760, 462),
            line("hphtlmgluup", 760, 560, confidence=0.05),
            line("SALE ENDS FRIDAY", 200, 700),  # alone, not aligned with the addressee
        ]
    )
    blocks = read_blocks(PAPER, engine)
    assert [row.text for row in blocks.addressee] == list(ADDRESSEE)
    assert [row.text for row in blocks.return_address] == list(RETURN_ADDRESS)
    assert blocks.confidence == pytest.approx(0.95)


def test_pieces_of_one_row_are_joined_and_a_weak_line_inside_a_block_is_kept() -> None:
    engine = Given(
        [
            line("JOHN Q PUBLIC", 760, 420),
            line("123 MAIN ST APT 4", 760, 462, confidence=0.2),
            line("SPRINGFIELD IL", 760, 504),
            line("62704-1234", 760 + 22 * 15, 506, confidence=0.85),
        ]
    )
    blocks = read_blocks(PAPER, engine)
    assert [row.text for row in blocks.addressee] == list(ADDRESSEE)
    assert blocks.return_address == ()
    assert blocks.confidence == pytest.approx(0.2)


def test_lines_an_engine_found_turned_are_placed_in_the_turned_image() -> None:
    # As RapidOCR reports an upside-down envelope: the text read right, the boxes mirrored.
    upright = [
        line("ACME CORP", 60, 40),
        *(line(t, 760, 420 + 42 * i) for i, t in enumerate(ADDRESSEE)),
    ]
    width, height = PAPER.size
    mirrored = [
        Line(
            row.text,
            row.confidence,
            (width - row.box[2], height - row.box[3], width - row.box[0], height - row.box[1]),
            180,
        )
        for row in upright
    ]
    blocks = read_blocks(PAPER, Given(mirrored))
    assert blocks.rotation == 180
    assert [row.text for row in blocks.addressee] == list(ADDRESSEE)
    assert blocks.addressee[0].box == upright[1].box
    assert [row.text for row in blocks.return_address] == ["ACME CORP"]


class ReadsOnlyTurned:
    """Like Tesseract on an upside-down envelope: garbage, unless the image is turned."""

    name = "turned"

    def __init__(self) -> None:
        self.calls = 0

    def lines(self, image: Image.Image) -> list[Line]:
        self.calls += 1
        if image.getpixel((0, 0)) == 0:  # the marker corner is top left: as given
            return [line("HdIHZZ 8SA", 900, 300, confidence=0.4, angle=None)]
        return [line(t, 760, 420 + 42 * i, angle=None) for i, t in enumerate(ADDRESSEE)]


def test_an_engine_blind_to_orientation_reads_a_poor_image_turned_too() -> None:
    marked = PAPER.copy()
    marked.putpixel((0, 0), 0)
    engine = ReadsOnlyTurned()
    blocks = read_blocks(marked, engine)
    assert engine.calls == 2
    assert blocks.rotation == 180
    assert [row.text for row in blocks.addressee] == list(ADDRESSEE)
