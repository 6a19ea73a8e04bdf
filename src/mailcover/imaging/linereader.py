"""The fast reader: lines found by geometry, read by Tesseract in-process, doubted lines read
again by RapidOCR's recogniser.

`LineReader` is an `imaging.ocr.Engine`: `lines(image)` finds the lines of print with
`imaging.layout` (no detection model), leaves out the barcode's row and anything whose left
edge is in the postage area (the stamp or indicia, never address text: `ocr._is_address_text`
drops it anyway), and reads each remaining line, levelled, with Tesseract 5's LSTM
recogniser through `tesserocr` (the library in this process, the model loaded once per
reader, one line a call as a raw line: no page layout analysis). A line Tesseract reads with
less confidence than `REREAD_BELOW` is read again by RapidOCR's recognition model alone (its
detection, most of its time, is not needed: the line is already cut out), and RapidOCR's
reading is kept when it is the surer of the two. `confirm(blocks)` does the same for a whole
addressee block that does not parse as an address (no ZIP Code, no state, no delivery line).

Tesseract's model is Debian's `tesseract-ocr-eng` (`make ocr-deps` installs it), found in
`TESSDATA_PREFIX` when set, else in Debian's own folders; the `tesserocr` wheel carries the
library. RapidOCR's models ship inside its wheel. Nothing is downloaded.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import fmean
from typing import Any

import numpy as np
from PIL import Image

from mailcover.imaging.layout import Box, Grey, Layout, find_layout
from mailcover.imaging.ocr import Blocks, Line, OcrError, RapidOcr, _clean

TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
)
"""Where Debian's (and other distributions') tesseract-ocr-eng puts its model."""

REREAD_BELOW = 0.90
"""A line in which Tesseract reads a word with less confidence than this is read by RapidOCR
too. On 405 lines of 80 rendered envelopes at the default noise, 13 lines were misread (one
character each: a 1 read as 4 at a line's start, a J as a bar, 9B as 9P, a last digit of a
ZIP Code); their weakest word had 0.64 to 0.92, well-read lines' weakest words mostly 0.9 and
more. Under 0.75, 7% of the lines are read again and half the misread ones are among them:
RapidOCR's recogniser takes about four times Tesseract's time per line."""

_POSTAGE = (0.62, 0.42)
"""The postage area: left edge right of 62% of the width, centre above 42% of the height
(the rule of `imaging.ocr._is_address_text`, applied before reading to save the time)."""

DIGITS_REREAD_BELOW = 0.95
"""A word with a digit, or of one or two characters, is read again below this: on harder
noise Tesseract read 1110 as 1116
at 0.93 and 9A as SA at 0.93, each losing a capture."""

MARKS_REREAD_TAKEN = 0.3
"""The strong engine's reading of a word Tesseract read as marks alone is taken from this
score up."""

GARBLED_BELOW = 0.5
"""A line whose words Tesseract reads with less mean confidence than this is not read again
word by word (upside-down print reads at 0.2 to 0.5)."""

_WORD_MARGIN = 6
"""Pixels of the line either side of a word the strong engine reads again."""

_HAS_ZIP = re.compile(r"\b[A-Z]{2}\W*\d{5}(?:-\d{4})?$")


def tessdata_dir() -> str:
    """The folder holding Tesseract's `eng.traineddata`; `OcrError` when there is none."""
    candidates = [os.environ.get("TESSDATA_PREFIX", ""), *TESSDATA_DIRS]
    for folder in candidates:
        if folder and (Path(folder) / "eng.traineddata").is_file():
            return folder
    raise OcrError(
        "Tesseract's English model (eng.traineddata) was not found: install Debian's "
        "tesseract-ocr-eng package (make ocr-deps) or set TESSDATA_PREFIX to its folder."
    )


class LineReader:
    """Lines found by `imaging.layout`, read by Tesseract in-process, doubted ones by RapidOCR.

    The models load on first use, once per reader; calls on one reader are serialised.
    `strong=None` reads with Tesseract alone.
    """

    name = "lines"

    def __init__(
        self, *, strong: RapidOcr | None = None, reread_below: float = REREAD_BELOW
    ) -> None:
        self._strong = strong
        self._reread_below = reread_below
        self._api: Any = None
        self._lock = threading.Lock()
        self._crops: dict[tuple[tuple[int, int], Box], Grey] = {}
        self._last_bars: tuple[Image.Image | None, Box | None] = (None, None)
        self.rereads = 0
        """Words, and lines of addressee blocks, read again by the strong engine since the
        reader was made (for the bench)."""

    def lines(self, image: Image.Image) -> list[Line]:
        grey = np.asarray(image.convert("L"))
        dpi = float(image.info.get("dpi", (200, 200))[0]) or 200.0
        layout = find_layout(grey, dpi)
        width, height = image.size
        self._last_bars = (image, _union(layout.bars))
        crops: list[tuple[Box, Grey]] = []
        for box in layout.lines:
            where = layout.to_image(box)
            centre_y = (where[1] + where[3]) / 2
            if where[0] > _POSTAGE[0] * width and centre_y < _POSTAGE[1] * height:
                continue
            crops.append((where, layout.crop(grey, box)))
        with self._lock:
            self._crops = {(image.size, where): crop for where, crop in crops}
            return [line for line in (self._read(where, crop) for where, crop in crops) if line]

    def bars_hint(self, image: Image.Image) -> Box | None:
        """Where the barcode's row is, when `find_layout` saw one (a hint for
        `imaging.barcode.read_barcode`): from the last `lines` call when it read this image."""
        seen, box = self._last_bars
        if seen is image:
            return box
        return _union(find_layout(np.asarray(image.convert("L"))).bars)

    def confirm(self, blocks: Blocks, size: tuple[int, int]) -> Blocks:
        """The blocks, with the addressee read again by the strong engine when its lines do
        not look like an address (no state and ZIP Code on the last line) and the strong
        engine's reading does."""
        if self._strong is None or not blocks.addressee:
            return blocks
        if _HAS_ZIP.search(blocks.addressee[-1].text.upper()):
            return blocks
        with self._lock:
            crops = [self._crops.get((size, line.box)) for line in blocks.addressee]
        if any(crop is None for crop in crops):
            return blocks
        again = self._strong.recognise([crop for crop in crops if crop is not None])
        self.rereads += len(again)
        lines = tuple(
            replace(line, text=_clean(text), confidence=score)
            if _clean(text) and _latin(text)
            else line
            for line, (text, score) in zip(blocks.addressee, again, strict=True)
        )
        if not _HAS_ZIP.search(lines[-1].text.upper()):
            return blocks
        return replace(blocks, addressee=lines, confidence=min(line.confidence for line in lines))

    def _read(self, box: Box, crop: Grey) -> Line | None:
        words = self._tesseract(crop)
        # A line read as garbage through and through (print turned upside down, a picture)
        # is not worth the strong engine's time: `ocr.read_blocks` turns the image instead.
        garbled = _mean([word.confidence for word in words]) < GARBLED_BELOW
        if self._strong is not None and not garbled:
            words = [
                self._surer(word, crop, first=i == 0, last=i == len(words) - 1)
                for i, word in enumerate(words)
            ]
        text = _capitals(_clean(_trim(" ".join(word.text for word in words))))
        if not text:
            return None
        return Line(text, _mean([word.confidence for word in words]), box)

    def _surer(self, word: _Word, crop: Grey, *, first: bool, last: bool) -> _Word:
        """The word, or the strong engine's reading of it when Tesseract doubted it and the
        strong engine is surer."""
        if self._strong is None or not _doubted(word, self._reread_below):
            return word
        left, right = word.span
        # The word and a little of the paper either side, its line's full height; at the
        # line's ends more paper (half the line's height: RapidOCR reads a lone letter
        # poorly without it), which no neighbour's ink can be in.
        wide = max(_WORD_MARGIN, crop.shape[0] // 2)
        start = max(0, left - (wide if first else _WORD_MARGIN))
        piece = crop[:, start : min(crop.shape[1], right + (wide if last else _WORD_MARGIN))]
        if piece.shape[1] < 4:
            return word
        self.rereads += 1
        ((text, score),) = self._strong.recognise([piece])
        text = _clean(text)
        if not _latin(text):  # RapidOCR's model reads Chinese too: a # can come out as 井
            return word
        # Never more than the word: a reading much longer than Tesseract's took in a
        # neighbour (a word box Tesseract drew too wide).
        # A word of marks alone is no address word: letters read in its place are taken when
        # the strong engine has some faith in them (a J Tesseract read as a bar at 0.58,
        # RapidOCR as J at 0.34).
        marks = not any(c.isalnum() for c in word.text)
        surer = score > word.confidence or (marks and score >= MARKS_REREAD_TAKEN)
        if text and surer and len(text.replace(" ", "")) <= len(word.text) + 1:
            return _Word(text, score, word.span)
        return word

    def _tesseract(self, crop: Grey) -> list[_Word]:
        """Tesseract's words on one line, each with its confidence (0-1) and columns."""
        import tesserocr

        api = self._loaded()
        crop = np.ascontiguousarray(crop)
        height, width = crop.shape
        api.SetImageBytes(crop.tobytes(), width, height, 1, width)
        api.Recognize()
        words: list[_Word] = []
        level = tesserocr.RIL.WORD
        for found in tesserocr.iterate_level(api.GetIterator(), level):
            text = found.GetUTF8Text(level)
            box = found.BoundingBox(level)
            if text and box:
                confidence = max(0.0, min(1.0, float(found.Confidence(level)) / 100))
                words.append(_Word(str(text), confidence, (int(box[0]), int(box[2]))))
        return words

    def _loaded(self) -> Any:
        if self._api is None:
            try:
                import tesserocr
            except ImportError as error:
                raise OcrError("tesserocr is not installed: pip install tesserocr") from error
            # PSM 13, a raw line: the line is already found and levelled, no layout analysis.
            # The LSTM recogniser only; one thread (as the workers run, one per core).
            os.environ.setdefault("OMP_THREAD_LIMIT", "1")
            self._api = tesserocr.PyTessBaseAPI(
                path=tessdata_dir(),
                lang="eng",
                psm=tesserocr.PSM.RAW_LINE,
                oem=tesserocr.OEM.LSTM_ONLY,
            )
        return self._api

    def load(self) -> None:
        """Load the models now, not on the first image."""
        with self._lock:
            self._loaded()
        if self._strong is not None:
            self._strong.recognise([np.full((32, 100), 255, np.uint8)])

    def close(self) -> None:
        with self._lock:
            if self._api is not None:
                self._api.End()
                self._api = None


@dataclass(frozen=True)
class _Word:
    text: str
    confidence: float
    span: tuple[int, int]
    """Its left and right columns in the line's crop."""


def _doubted(word: _Word, below: float) -> bool:
    """Read again: a word Tesseract is unsure of, a word of marks alone (a J read as a bar),
    and a word with digits or of one or two characters (a house number, a unit, a ZIP Code,
    a state: one wrong character loses the address) read with less than
    `DIGITS_REREAD_BELOW`."""
    if word.confidence < below or not any(c.isalnum() for c in word.text):
        return True
    telling = len(word.text) <= 2 or any(c.isdigit() for c in word.text)
    return telling and word.confidence < min(DIGITS_REREAD_BELOW, below + 0.05)


def _latin(text: str) -> bool:
    """Only Latin letters, digits and marks (an address here is written in them)."""
    return all(ord(c) < 0x250 for c in text)


def _mean(values: Sequence[float]) -> float:
    return fmean(values) if values else 0.0


def _union(boxes: Sequence[Box]) -> Box | None:
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


_EDGE_JUNK = re.compile(r"^[^\w#]+|\W+$")


def _trim(text: str) -> str:
    """Marks at a line's ends that no address line begins or ends with (a quote or a bar
    read from the paper's edge): an opening quote before "SMITHFIELD UT 84335" goes."""
    return _EDGE_JUNK.sub("", text.strip())


def _capitals(text: str) -> str:
    """A line printed in capitals, given in capitals: Tesseract reads a word of a line in
    capitals now and then in lower case ("3625 BRAUN Hwy"). Only when at least 60% of the
    line's letters are capitals; a line in mixed case stays as read."""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) >= 0.6 * len(letters):
        return text.upper()
    return text


def layout_of(image: Image.Image) -> Layout:
    """The layout `LineReader` reads (for tests and the bench)."""
    return find_layout(np.asarray(image.convert("L")))
