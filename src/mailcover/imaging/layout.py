"""Where the lines of print are on an envelope image, found without a model.

`find_layout(grey)` works on the image at half resolution: the ink is what is darker than
its surroundings by more than the paper's own variation (a black-hat: the image closed by a
square larger than a stroke, minus the image, so that a label's or a window's edge, a step
between two flat tones, is not ink); the skew is the angle that makes the ink's row profile
sharpest (text lines are its peaks); in the image levelled by that angle, ink closed across
the gaps between letters and words gives one component per line, and a component that holds
two lines touching each other (a barcode under the last line, a descender on an ascender)
is cut at the rows its profile nearly empties. A line whose ink repeats at the pitch of the
Intelligent Mail barcode (22 bars an inch) is the barcode's row, given apart as a hint for
`imaging.barcode`.

Each line is cut from the full-resolution image levelled (`Layout.crop`), so that an engine
reads one straight line of text; `Layout.to_image` gives its box in the image's own pixels.
About 5 ms for a #10 letter at 200 dpi on one core.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

Box = tuple[int, int, int, int]
"""(left, top, right, bottom) in pixels, right and bottom exclusive."""

Grey = npt.NDArray[np.uint8]

SCALE = 2
"""The layout is found at 1/SCALE of the image's resolution (100 dpi for 200-dpi images)."""

MAX_SKEW = 6.0
"""Degrees either way the skew is looked for (a sorter's camera sees at most about 5)."""

MIN_CONTRAST = 20
"""Grey levels darker than the surroundings below which nothing counts as ink."""

BARS_PER_INCH = 22.0
BARS_PERIODICITY = 0.5
"""The barcode's ink repeats at its pitch (autocorrelation about 0.7 at 200 dpi, skewed,
blurred and noisy); a line of text's ink does not (at most about 0.35)."""

_SKEW_POINTS = 12_000  # ink pixels the skew is measured on, at most
_CLOSE = 9  # px at half resolution: wider than a stroke, narrower than a flat tone
_JOIN = 17  # px at half resolution: joins the letters and words of a line, not two blocks
_MIN_HEIGHT = 5  # px at half resolution: a line of 6-point print is about 8
_MAX_HEIGHT = 40  # px at half resolution: a line of 28-point print
_PAD_X = 4  # px at full resolution left and right of a line's crop
_PAD_Y = 4  # px at full resolution above and below it


@dataclass(frozen=True)
class Layout:
    """The lines found on one image (boxes in the levelled image's full-resolution pixels)."""

    size: tuple[int, int]
    """The image's width and height."""
    level_deg: float
    """Degrees counter-clockwise by which the image is turned to level its text (as
    `PIL.Image.rotate` and `cv2.getRotationMatrix2D` take them)."""
    lines: tuple[Box, ...]
    """Lines of print, top to bottom, the barcode's row left out."""
    bars: tuple[Box, ...]
    """Rows whose ink repeats at the barcode's pitch, in the image's own pixels."""

    def crop(self, grey: Grey, box: Box) -> Grey:
        """The line at `box`, cut levelled from the full-resolution grey image."""
        left, top, right, bottom = box
        matrix = self._matrix()
        matrix[0, 2] -= left
        matrix[1, 2] -= top
        levelled = cv2.warpAffine(
            grey,
            matrix,
            (right - left, bottom - top),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        return np.asarray(levelled, dtype=np.uint8)

    def to_image(self, box: Box) -> Box:
        """The bounds, in the image's own pixels, of a box of the levelled image."""
        return turn_box(box, self.size, -self.level_deg)

    def _matrix(self) -> npt.NDArray[np.float64]:
        width, height = self.size
        turn = cv2.getRotationMatrix2D((width / 2, height / 2), self.level_deg, 1.0)
        return np.asarray(turn, dtype=np.float64)


def find_layout(grey: Grey, dpi: float = 200.0) -> Layout:
    """The lines of print of a grey image (uint8, height x width)."""
    height, width = grey.shape
    size = (width, height)
    small = cv2.pyrDown(grey)  # SCALE 2: smoothed, then every other pixel
    small_size = (small.shape[1], small.shape[0])
    kernel = np.ones((_CLOSE, _CLOSE), np.uint8)
    darker = cv2.subtract(cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel), small)
    otsu, _ = cv2.threshold(darker, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    _, thresholded = cv2.threshold(darker, max(float(otsu), MIN_CONTRAST), 255, cv2.THRESH_BINARY)
    ink: Grey = np.asarray(thresholded, dtype=np.uint8)
    level = _level_deg(ink)
    turn = cv2.getRotationMatrix2D((small_size[0] / 2, small_size[1] / 2), level, 1.0)
    levelled: Grey = np.asarray(
        cv2.warpAffine(ink, turn, small_size, flags=cv2.INTER_NEAREST), dtype=np.uint8
    )
    joined = cv2.morphologyEx(levelled, cv2.MORPH_CLOSE, np.ones((1, _JOIN), np.uint8))
    count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(joined)
    found: list[Box] = []
    for left, top, box_width, box_height, _area in stats[1:count].tolist():
        if box_height < _MIN_HEIGHT or box_width < 2 * _MIN_HEIGHT:
            continue
        for row_top, row_bottom in _rows(levelled[top : top + box_height, left : left + box_width]):
            found.append(
                (
                    max(0, left * SCALE - _PAD_X),
                    max(0, (top + row_top) * SCALE - _PAD_Y),
                    min(width, (left + box_width) * SCALE + _PAD_X),
                    min(height, (top + row_bottom) * SCALE + _PAD_Y),
                )
            )
    layout = Layout(size=size, level_deg=level, lines=(), bars=())
    lines: list[Box] = []
    bars: list[Box] = []
    for box in sorted(found, key=lambda b: (b[1], b[0])):
        if repeats_at_bar_pitch(layout.crop(grey, box), dpi):
            bars.append(layout.to_image(box))
        else:
            lines.append(box)
    return Layout(size=size, level_deg=level, lines=tuple(lines), bars=tuple(bars))


def _rows(component: Grey) -> list[tuple[int, int]]:
    """The rows (top, bottom) of the lines in one component: where its row profile has ink
    and does not nearly empty."""
    profile = np.count_nonzero(component, axis=1)
    if component.shape[0] <= 3 * _MIN_HEIGHT:
        return [(0, component.shape[0])] if component.shape[0] <= _MAX_HEIGHT else []
    empty = profile <= max(1, 0.08 * int(profile.max()))
    rows: list[tuple[int, int]] = []
    start: int | None = None
    for i, gap in enumerate([*empty.tolist(), True]):
        if not gap and start is None:
            start = i
        elif gap and start is not None:
            if _MIN_HEIGHT <= i - start <= _MAX_HEIGHT:
                rows.append((start, i))
            start = None
    return rows


def _level_deg(ink: Grey) -> float:
    """The angle (counter-clockwise) that levels the ink's rows: the one whose row profile is
    sharpest, searched in steps of 0.5 and then 0.1 degrees over at most `_SKEW_POINTS` ink
    pixels."""
    ys, xs = np.nonzero(ink)
    if xs.size < 50:
        return 0.0
    step = max(1, xs.size // _SKEW_POINTS)
    y = ys[::step].astype(np.float64)
    x = xs[::step].astype(np.float64)

    def sharpness(degrees: float) -> float:
        radians = np.radians(degrees)
        rows = np.rint(y * np.cos(radians) + x * np.sin(radians)).astype(np.int64)
        steps = np.diff(np.bincount(rows - rows.min()).astype(np.float64))
        return float(np.dot(steps, steps))

    coarse = max((float(d) for d in np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5)), key=sharpness)
    fine = [float(d) for d in np.arange(coarse - 0.4, coarse + 0.41, 0.1)]
    best: float = max(fine, key=sharpness)
    return -round(best, 1)


def repeats_at_bar_pitch(crop: Grey, dpi: float) -> bool:
    pitch = dpi / BARS_PER_INCH
    if crop.size == 0 or crop.shape[1] < 6 * pitch:
        return False
    profile = (float(crop.max()) - crop.astype(np.float32)).mean(axis=0)
    profile -= profile.mean()
    energy = float(np.dot(profile, profile))
    if energy == 0:
        return False
    lags = range(max(1, int(pitch) - 1), int(pitch) + 3)
    best = max(float(np.dot(profile[:-lag], profile[lag:])) for lag in lags)
    return best / energy > BARS_PERIODICITY


def turn_box(box: Box, size: tuple[int, int], degrees: float) -> Box:
    """The bounds of a box after turning the image by `degrees` counter-clockwise about its
    centre (the same turn as `Image.rotate(degrees)`)."""
    width, height = size
    cx, cy = width / 2, height / 2
    cos, sin = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    left, top, right, bottom = box
    corners = [(left, top), (right, top), (left, bottom), (right, bottom)]
    xs = [cx + (x - cx) * cos + (y - cy) * sin for x, y in corners]
    ys = [cy - (x - cx) * sin + (y - cy) * cos for x, y in corners]
    return (
        max(0, int(np.floor(min(xs)))),
        max(0, int(np.floor(min(ys)))),
        min(width, int(np.ceil(max(xs)))),
        min(height, int(np.ceil(max(ys)))),
    )
