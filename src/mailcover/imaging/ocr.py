"""The address blocks of an envelope image, read by an OCR engine.

`read_blocks(image)` returns the addressee block and the return address as lines of text,
top to bottom, each with its confidence and box; `postal.address.parse_lines` normalises
them afterwards, so the text here is cleaned only lightly (Unicode compatibility forms,
spaces) and never "corrected": a 0 read for an O is the address parser's to judge.

Two engines share one small interface (`Engine`): `RapidOcr`, whose detection, angle and
recognition models ship inside the `rapidocr-onnxruntime` wheel and run offline on the CPU,
and `Tesseract`, the command-line program from the operating system's packages. bench/
ocr_engines.py compares them on rendered envelopes.

Finding the blocks is geometry on the engine's lines, not a model: lines on one row are
joined, then lines stacked one under another with the same left edge (within a line's
height, which allows a few degrees of skew) form a block. The return address is the block
in the upper left; the addressee is the largest block in the middle or lower part. Before
that, lines that are not address text are set aside: presort endorsements
("****AUTO**5-DIGIT 62704"), anything whose left edge is in the postage area (top right),
the IMb read as letters (its ink repeats at the bars' pitch, text's does not) and, unless
it lies inside a block, text the engine itself has little faith in.

Upside-down envelopes. RapidOCR classifies each text line as turned 0 or 180 degrees and
reads it the right way up; when most of the text is turned, the whole envelope is, and the
lines are placed in the image turned by 180 degrees. Tesseract cannot tell (its orientation
detection does not apply to sparse text), so when its addressee is missing or poorly read,
the image turned by 180 degrees is read too and the better-read of the two is kept.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import shutil
import subprocess
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from statistics import fmean, median
from typing import Any, Protocol

import numpy as np
from PIL import Image, ImageFilter

from mailcover.imaging.layout import repeats_at_bar_pitch, turn_box

Box = tuple[int, int, int, int]
"""(left, top, right, bottom) in the image's pixels, right and bottom exclusive."""


@dataclass(frozen=True)
class Line:
    """One line of text as an engine read it."""

    text: str
    confidence: float
    """0..1: the engine's own measure (RapidOCR's mean character probability, Tesseract's
    mean word confidence / 100). The two engines' scales are not the same."""
    box: Box
    angle: int | None = None
    """0 or 180: how the line was turned in the image, as the engine found it (RapidOCR
    reads a turned line the right way up); None when the engine cannot tell (Tesseract)."""


@dataclass(frozen=True)
class Blocks:
    """The address blocks of one envelope, each top to bottom."""

    addressee: tuple[Line, ...]
    return_address: tuple[Line, ...]
    """() when the envelope has none (or none was read)."""
    confidence: float
    """The addressee block's lowest line confidence; 0.0 when there is no addressee."""
    rotation: int = 0
    """0, or 180 when the envelope was upside down: the lines' boxes are then in the pixels
    of the image turned by 180 degrees (`image.rotate(180)`)."""


class Engine(Protocol):
    """An OCR engine: the lines of text it finds in an image, in any order."""

    name: str

    def lines(self, image: Image.Image) -> list[Line]: ...


class OcrError(RuntimeError):
    """An engine that cannot run (not installed, failed, too slow); the message says which."""


# -- reading the blocks ---------------------------------------------------------------------

RETRY_TURNED_BELOW = 0.85
"""For an engine that cannot tell orientation: when no addressee is found, or the address
text found is read with less confidence than this (per character), the image turned by 180
degrees is read too. Tesseract reads upright envelopes at 0.9 and more even at "hard" noise,
upside-down ones at 0.4 to 0.75."""


def read_blocks(image: Image.Image, engine: Engine | None = None) -> Blocks:
    """The addressee and return-address blocks of an envelope image (any mode, any size)."""
    engine = engine or default_engine()
    lines = engine.lines(image)
    if _mostly_turned(lines):
        turned = [_turned(line, image.size) for line in lines]
        return _locate(turned, image.transpose(Image.Transpose.ROTATE_180), rotation=180)
    blocks = _locate(lines, image, rotation=0)
    orientation_known = any(line.angle is not None for line in lines)
    if orientation_known or (blocks.addressee and _quality(blocks) >= RETRY_TURNED_BELOW):
        return blocks
    upright = image.transpose(Image.Transpose.ROTATE_180)
    other = _locate(engine.lines(upright), upright, rotation=180)
    return other if _quality(other) > _quality(blocks) else blocks


_default: Engine | None = None
_default_lock = threading.Lock()


def default_engine() -> Engine:
    """The engine `read_blocks` uses when given none: one shared `linereader.LineReader`
    (Tesseract in-process, RapidOCR's recogniser for the lines it doubts)."""
    global _default
    with _default_lock:
        if _default is None:
            from mailcover.imaging.linereader import LineReader

            _default = LineReader(strong=RapidOcr())
        return _default


def _mostly_turned(lines: Sequence[Line]) -> bool:
    turned = sum(len(line.text) for line in lines if line.angle == 180)
    return turned * 2 > sum(len(line.text) for line in lines)


def _turned(line: Line, size: tuple[int, int]) -> Line:
    width, height = size
    left, top, right, bottom = line.box
    return replace(line, box=(width - right, height - bottom, width - left, height - top), angle=0)


def _quality(blocks: Blocks) -> float:
    """How well a reading went: the confidence of all its address text, per character."""
    lines = blocks.addressee + blocks.return_address
    chars = sum(len(line.text) for line in lines)
    return sum(line.confidence * len(line.text) for line in lines) / chars if chars else 0.0


# -- finding the blocks in the lines --------------------------------------------------------

MIN_LINE_CONFIDENCE = 0.35
"""Lines read with less confidence are more often noise (the stamp's picture, paper grain)
read as letters: they do not make or extend a block. One that lies inside a block, between
two of its lines and aligned with them, is kept: Tesseract gives some well-read lines no
confidence at all ("BREWER-RUSSELL" at 0.0)."""

_ENDORSEMENT = re.compile(
    r"\*{2,}|\b(?:[35]-DIGIT|CAR-?RT|ECRWSS|(?:MIXED )?A?ADC|PRESORTED|PRSRT)\b", re.IGNORECASE
)
"""Presort endorsement lines ("****AUTO**5-DIGIT 62704", "***ECRWSS**", "CAR-RT LOT**C001")
printed above the addressee: they are left aligned with it but not part of the address."""


@dataclass
class _Block:
    rows: list[Line] = field(default_factory=list)

    @property
    def left(self) -> int:
        return round(median(row.box[0] for row in self.rows))

    @property
    def top(self) -> int:
        return min(row.box[1] for row in self.rows)

    @property
    def centre_y(self) -> float:
        return fmean(_centre_y(row) for row in self.rows)

    @property
    def chars(self) -> int:
        return sum(len(row.text) for row in self.rows)


def _locate(lines: Sequence[Line], image: Image.Image, rotation: int) -> Blocks:
    """The blocks among the lines, which are in the pixels of `image`."""
    dpi = float(image.info.get("dpi", (DPI, DPI))[0]) or DPI
    found = _join_rows(
        [
            line
            for line in lines
            if _is_address_text(line, image.size) and not _looks_like_bars(image, line.box, dpi)
        ]
    )
    blocks = _stack([row for row in found if row.confidence >= MIN_LINE_CONFIDENCE])
    for row in found:
        if row.confidence < MIN_LINE_CONFIDENCE:
            _insert_within(blocks, row)
    width, height = image.size
    upper_left = [b for b in blocks if b.left < 0.35 * width and b.centre_y < 0.4 * height]
    sender = min(upper_left, key=lambda b: b.left + b.top, default=None)
    candidates = [
        b for b in blocks if b is not sender and b.centre_y > 0.3 * height and b.left < 0.7 * width
    ]
    addressee = max(candidates, key=_addressee_rank, default=None)
    rows = tuple(addressee.rows) if addressee else ()
    return Blocks(
        addressee=rows,
        return_address=tuple(sender.rows) if sender else (),
        confidence=min((row.confidence for row in rows), default=0.0),
        rotation=rotation,
    )


def _addressee_rank(block: _Block) -> tuple[int, int]:
    # The most lines wins; a last line with a ZIP Code counts as one more, since a block
    # without one is more likely stray text (a company slogan, a handwritten note).
    has_zip = any(_HAS_ZIP.search(row.text) for row in block.rows)
    return len(block.rows) + has_zip, block.chars


_HAS_ZIP = re.compile(r"\b\d{5}(?:\s*-\s*\d{4})?\s*$")


def _is_address_text(line: Line, size: tuple[int, int]) -> bool:
    width, height = size
    left = line.box[0]
    in_postage_area = left > 0.62 * width and _centre_y(line) < 0.42 * height
    return (
        any(c.isalnum() for c in line.text)
        and not _ENDORSEMENT.search(line.text)
        and not in_postage_area
    )


DPI = 200.0
"""The resolution assumed for an image that does not state its own."""


def _looks_like_bars(image: Image.Image, box: Box, dpi: float) -> bool:
    return repeats_at_bar_pitch(np.asarray(image.crop(box).convert("L")), dpi)


def _centre_y(line: Line) -> float:
    return (line.box[1] + line.box[3]) / 2


def _height(line: Line) -> int:
    return max(1, line.box[3] - line.box[1])


def _join_rows(lines: Sequence[Line]) -> list[Line]:
    """Join pieces of one row that an engine returned apart ("SPRINGFIELD IL", "62704")."""
    rows: list[Line] = []
    for line in sorted(lines, key=lambda line: line.box[0]):
        for i, row in enumerate(rows):
            if _same_row(row, line):
                rows[i] = _joined(row, line)
                break
        else:
            rows.append(line)
    return rows


def _same_row(left: Line, right: Line) -> bool:
    height = min(_height(left), _height(right))
    overlap = min(left.box[3], right.box[3]) - max(left.box[1], right.box[1])
    gap = right.box[0] - left.box[2]
    return overlap >= 0.6 * height and -0.5 * height <= gap <= 2.5 * height


def _joined(left: Line, right: Line) -> Line:
    chars = len(left.text) + len(right.text)
    confidence = (left.confidence * len(left.text) + right.confidence * len(right.text)) / chars
    box = (
        min(left.box[0], right.box[0]),
        min(left.box[1], right.box[1]),
        max(left.box[2], right.box[2]),
        max(left.box[3], right.box[3]),
    )
    return Line(f"{left.text} {right.text}", confidence, box, left.angle)


def _stack(rows: Sequence[Line]) -> list[_Block]:
    """Rows stacked one under the next with the same left edge, as blocks, top to bottom."""
    blocks: list[_Block] = []
    for row in sorted(rows, key=_centre_y):
        below = [b for b in blocks if _continues(b.rows[-1], row)]
        if below:
            min(below, key=lambda b: abs(b.rows[-1].box[0] - row.box[0])).rows.append(row)
        else:
            blocks.append(_Block([row]))
    return blocks


def _continues(last: Line, row: Line) -> bool:
    # Heights, not fixed pixels: the tolerance follows the print size, and a skewed line's
    # box is taller, which widens it as much as the skew moves the left edges. A step of up
    # to two lines (about 3.2 heights) bridges a line the engine did not read.
    step = _centre_y(row) - _centre_y(last)
    return _aligned(last, row) and 0 < step <= 3.8 * min(_height(last), _height(row))


def _aligned(one: Line, other: Line) -> bool:
    return abs(one.box[0] - other.box[0]) <= 1.5 * min(_height(one), _height(other))


def _insert_within(blocks: Sequence[_Block], row: Line) -> None:
    """Put a weakly read row into the block it lies inside of, if any."""
    for block in blocks:
        for i, (above, below) in enumerate(itertools.pairwise(block.rows)):
            inside = _centre_y(above) < _centre_y(row) < _centre_y(below)
            if inside and _aligned(above, row) and _aligned(row, below):
                block.rows.insert(i + 1, row)
                return


def _clean(text: str) -> str:
    """Light normalisation: compatibility forms (full-width letters), one space between words."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


# -- RapidOCR -------------------------------------------------------------------------------

SPACE_PROBABILITY = 0.01
"""RapidOCR's recognition model (PP-OCRv4, trained mostly on Chinese) often drops the space
between English words ("DENVERCO80201"), yet its space class still rises between them (0.01 to
0.5) while it stays near zero between the letters of a word (under 0.005 but for 6 in 5,675
letter pairs, on 120 rendered envelopes at "default" and "hard" noise). A space is put back
where its probability passes this between two characters."""


class RapidOcr:
    """PP-OCR models (text detection, 0/180 degree line classification, recognition) run by
    onnxruntime on the CPU, one thread. The models load on first use, once per instance;
    calls on one instance are serialised (the angle record below is per call)."""

    name = "rapidocr"

    def __init__(self, *, space_probability: float = SPACE_PROBABILITY) -> None:
        self._space_probability = space_probability
        self._ocr: Any = None
        self._angles: _AngleRecorder | None = None
        self._lock = threading.Lock()

    def lines(self, image: Image.Image) -> list[Line]:
        with self._lock:
            ocr, angles = self._loaded()
            angles.last = []
            found, _elapsed = ocr(image if image.mode in ("L", "RGB") else image.convert("RGB"))
            turned = list(angles.last)
        lines: list[Line] = []
        for i, (points, text, score) in enumerate(found or ()):
            xs = [round(x) for x, _y in points]
            ys = [round(y) for _x, y in points]
            angle = turned[i] if i < len(turned) else 0
            cleaned = _clean(str(text))
            if cleaned and float(score) >= _RAPIDOCR_MIN_SCORE:
                box = (min(xs), min(ys), max(xs), max(ys))
                lines.append(Line(cleaned, _unit(float(score)), box, angle))
        return lines

    def recognise(self, crops: Sequence[np.ndarray[Any, Any]]) -> list[tuple[str, float]]:
        """The recognition model alone on text already cut out (grey, one line or word each):
        the text (spaces put back) and the mean character probability of each. Each crop is
        read at its own width (RapidOCR would pad a short word to a line's width first)."""
        found: list[tuple[str, float]] = []
        with self._lock:
            ocr, _angles = self._loaded()
            shape = ocr.text_rec.rec_image_shape
            ocr.text_rec.rec_image_shape = [shape[0], shape[1], shape[1]]
            try:
                for crop in crops:
                    ((text, score),), _elapsed = ocr.text_rec([np.dstack([crop] * 3)])
                    found.append((str(text), _unit(float(score))))
            finally:
                ocr.text_rec.rec_image_shape = shape
        return found

    def _loaded(self) -> tuple[Any, _AngleRecorder]:
        if self._ocr is None or self._angles is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as error:
                raise OcrError(
                    "RapidOCR is not installed: pip install rapidocr-onnxruntime"
                ) from error
            # text_score=0 keeps every recognised line, so that the results stay aligned
            # with the angle classifier's (recorded below); this module filters them.
            ocr = RapidOCR(text_score=0.0, intra_op_num_threads=1, inter_op_num_threads=1)
            self._angles = _AngleRecorder(ocr.text_cls)
            ocr.text_cls = self._angles
            ocr.text_rec.postprocess_op = _SpacedCtcDecode(
                ocr.text_rec.postprocess_op.character, self._space_probability
            )
            self._ocr = ocr
        return self._ocr, self._angles


_RAPIDOCR_MIN_SCORE = 0.5
"""RapidOCR's own default for dropping a recognised line (its `text_score`)."""


class _AngleRecorder:
    """Wraps RapidOCR's angle classifier and keeps, per line, the angle it turned it by."""

    def __init__(self, classifier: Any) -> None:
        self._classifier = classifier
        self._threshold = float(classifier.cls_thresh)
        self.last: list[int] = []

    def __call__(self, crops: Any) -> Any:
        turned, results, elapsed = self._classifier(crops)
        # The classifier turns a crop only when it says 180 with more than its threshold.
        self.last = [
            180 if "180" in str(label) and float(score) > self._threshold else 0
            for label, score in results
        ]
        return turned, results, elapsed


class _SpacedCtcDecode:
    """Greedy CTC decoding (RapidOCR's own) that puts back the spaces the model drops."""

    def __init__(self, character: Sequence[str], space_probability: float) -> None:
        self._character = list(character)
        self._space = self._character.index(" ")
        self._space_probability = space_probability

    def __call__(
        self, preds: np.ndarray[Any, Any], return_word_box: bool = False, **_: Any
    ) -> list[tuple[str, float]]:
        best = preds.argmax(axis=2)
        probability = preds.max(axis=2)
        return [
            self._decode(best[b], probability[b], preds[b, :, self._space])
            for b in range(preds.shape[0])
        ]

    def _decode(
        self,
        best: np.ndarray[Any, Any],
        probability: np.ndarray[Any, Any],
        space: np.ndarray[Any, Any],
    ) -> tuple[str, float]:
        emitted = (best != 0) & np.concatenate(([True], best[1:] != best[:-1]))
        columns = np.flatnonzero(emitted)
        chars: list[str] = []
        previous = -1
        for column in columns:
            char = self._character[int(best[column])]
            between = space[previous + 1 : column]
            # Never beside a hyphen: "62704-1234" and "SMITH-JONES" are written closed up.
            if (
                chars
                and chars[-1] not in " -"
                and char not in " -"
                and between.size
                and float(between.max()) > self._space_probability
            ):
                chars.append(" ")
            chars.append(char)
            previous = int(column)
        confidence = float(probability[columns].mean()) if columns.size else 0.0
        return "".join(chars), confidence


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


# -- Tesseract ------------------------------------------------------------------------------


class Tesseract:
    """The `tesseract` program (Debian's tesseract-ocr and tesseract-ocr-eng), run once per
    image with sparse-text page segmentation and TSV output, on one thread.

    Two preparations, each for a failure seen on rendered envelopes. A grainy image (sensor
    noise, see `NOISY_GRAIN`) is median-filtered first: Tesseract's own binarisation turns
    heavy grain into thousands of "words" and can take a minute over one envelope. A skewed
    image is levelled (`deskew`): on a skewed envelope the sparse-text layout runs a text
    line into the barcode beside it and reads both as noise. The boxes are turned back into
    the given image's pixels.
    """

    name = "tesseract"

    def __init__(
        self,
        *,
        command: str = "tesseract",
        language: str = "eng",
        timeout_s: float = 15.0,
        deskew: bool = True,
    ) -> None:
        self.command = command
        self.language = language
        self.timeout_s = timeout_s
        self.deskew = deskew

    def lines(self, image: Image.Image) -> list[Line]:
        grey = image.convert("L")
        if grain(grey) > NOISY_GRAIN:
            grey = grey.filter(ImageFilter.MedianFilter(3))
        grey.info = dict(image.info)
        degrees = skew_degrees(grey) if self.deskew else 0.0
        if abs(degrees) < 0.2:
            return _tsv_lines(self._tsv(grey))
        paper = int(np.median(np.asarray(grey)))
        level = grey.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=paper)
        level.info = dict(image.info)
        return [
            replace(line, box=turn_box(line.box, image.size, -degrees))
            for line in _tsv_lines(self._tsv(level))
        ]

    def _tsv(self, image: Image.Image) -> str:
        program = shutil.which(self.command)
        if program is None:
            raise OcrError(
                f"Tesseract ({self.command!r}) is not installed or not on PATH: install "
                "Debian's tesseract-ocr and tesseract-ocr-eng packages, or use RapidOcr."
            )
        png = io.BytesIO()
        image.save(png, format="PNG")
        dpi = image.info.get("dpi", (200, 200))[0]
        # --psm 11: sparse text, no assumption of one column or paragraph (an envelope is a
        # few small blocks far apart). OMP_THREAD_LIMIT=1: one core, as the workers run.
        command = [program, "stdin", "stdout", "--psm", "11", "--dpi", str(round(dpi))]
        command += ["-l", self.language, "tsv"]
        try:
            # The program found on PATH and fixed arguments: no shell, nothing from the image.
            done = subprocess.run(  # noqa: S603
                command,
                input=png.getvalue(),
                capture_output=True,
                timeout=self.timeout_s,
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise OcrError(f"Tesseract took longer than {self.timeout_s:g} s.") from error
        if done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip().splitlines()
            raise OcrError(f"Tesseract failed ({done.returncode}): {' '.join(message[-2:])}")
        return done.stdout.decode("utf-8", errors="replace")


NOISY_GRAIN = 8.0
"""Mean absolute difference of neighbouring pixels (the edges left out) above which an image
is grainy enough to be median-filtered for Tesseract: about 5 for a good camera (render.py's
"default" noise), 5.5 to 7.8 at "hard", 7.4 to 11.8 at "harder"."""


def grain(image: Image.Image) -> float:
    """The sensor grain of a grey image: neighbouring pixels' mean absolute difference, over
    every other row and leaving out the largest tenth (edges of the print)."""
    pixels = np.asarray(image.convert("L"), dtype=np.int16)[::2]
    steps = np.abs(np.diff(pixels, axis=1)).ravel()
    if steps.size == 0:
        return 0.0
    cap = np.partition(steps, int(0.9 * (steps.size - 1)))[int(0.9 * (steps.size - 1))]
    return float(steps[steps <= cap].mean())


MAX_SKEW = 6.0
"""Degrees either way that `skew_degrees` looks for (a sorter's camera sees at most ~5)."""


def skew_degrees(image: Image.Image) -> float:
    """The angle, counter-clockwise, by which `image.rotate` levels the image's text.

    The one that makes the dark pixels' row profile sharpest (text lines are its peaks),
    at half resolution, searched in steps of 0.5 and then 0.1 degrees. (The pixels are not
    centred first: at 0 degrees, rows at half-pixel offsets would round in pairs into one
    bin and look twice as sharp.)
    """
    grey = np.asarray(image.convert("L").reduce(2), dtype=np.float32)
    if grey.size == 0:
        return 0.0
    paper = float(np.median(grey))
    ys, xs = np.nonzero(grey < paper - 0.5 * (paper - float(grey.min())))
    if xs.size < 100:
        return 0.0

    def sharpness(degrees: float) -> float:
        radians = np.radians(degrees)
        rows = np.rint(ys * np.cos(radians) - xs * np.sin(radians)).astype(np.int64)
        steps = np.diff(np.bincount(rows - rows.min()).astype(np.float64))
        return float(np.dot(steps, steps))

    coarse = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=sharpness)
    return float(max(np.arange(coarse - 0.4, coarse + 0.41, 0.1), key=sharpness))


def _tsv_lines(tsv: str) -> list[Line]:
    """Tesseract's words grouped by (page, block, paragraph, line), in its order."""
    words: dict[tuple[str, ...], list[tuple[str, float, Box]]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) != 12 or cells[0] != "5" or not cells[11].strip():
            continue
        left, top, width, height = (int(cell) for cell in cells[6:10])
        box = (left, top, left + width, top + height)
        words.setdefault(tuple(cells[1:5]), []).append(
            (cells[11], _unit(float(cells[10]) / 100), box)
        )
    lines: list[Line] = []
    for group in words.values():
        text = _clean(" ".join(word for word, _conf, _box in group))
        if text:
            confidence = fmean(conf for _word, conf, _box in group)
            box = (
                min(b[0] for _w, _c, b in group),
                min(b[1] for _w, _c, b in group),
                max(b[2] for _w, _c, b in group),
                max(b[3] for _w, _c, b in group),
            )
            lines.append(Line(text, confidence, box))
    return lines
