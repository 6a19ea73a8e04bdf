"""Synthetic envelope images, for tests, demos and benchmarks of what reads mail images.

`render(envelope, noise, seed)` draws a mail piece the way a sorter's camera sees it: a
grey-scale image at 200 dots per inch with the return address top left, the postage (a
stamp or a permit indicia) top right, the addressee block in upper case in the lower
middle and, when the envelope has one, the Intelligent Mail barcode drawn from its 65
bars just above the name line or just below the last line, as the Postal Service allows
for a barcode in the address block. The layout varies with the seed (position, fonts when
asked, paper and ink tones); `Noise` then degrades the image as a camera and its storage
do: skew, blur, sensor noise, JPEG. The same envelope, noise and seed give the same
pixels, and `Rendered.boxes` says where each part landed, so a reader can be scored.

The barcode is drawn at the specification's proportions, not as a picture of one (USPS-B-
3200 section 3, as quoted by printer and label-software manuals; SPECS.md section 6 notes
the specification's own text was not read in full): 22 bars an inch (20-24 allowed), bars
0.020 in wide (0.015-0.025), a full bar 0.145 in tall (0.125-0.165), the tracker 0.048 in
(0.039-0.057) centred in it, ascenders and descenders reaching from the tracker to the
full bar's top and bottom; a clear zone of 0.125 in beside the bars and 0.028 in above
and below. At 200 dpi that is a pitch of 9.09 px, bars 4 px wide, 29 px full and 9.6 px
tracker. Each bar is drawn with its exact (fractional) edges, anti-aliased by area.

Nothing here reads files other than the Debian fonts (DejaVu, Liberation); where none is
installed, Pillow's built-in font stands in.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from mailcover.postal.imb import BAR_COUNT

DPI = 200
"""Resolution of every rendered image, dots per inch."""

SIZES: dict[str, tuple[float, float]] = {"letter": (9.5, 4.125), "flat": (12.0, 9.5)}
"""Envelope sizes, width and height in inches: a #10 letter envelope and a flat."""

BAR_PITCH_IN = 1 / 22
"""Centre-to-centre distance of the bars: 22 bars an inch (USPS-B-3200: 20 to 24)."""

BAR_WIDTH_IN = 0.020
"""Width of one bar (USPS-B-3200: 0.015 to 0.025 in)."""

FULL_BAR_IN = 0.145
"""Height of a full bar (USPS-B-3200: 0.125 to 0.165 in)."""

TRACKER_IN = 0.048
"""Height of the tracker, the part every bar has (USPS-B-3200: 0.039 to 0.057 in)."""

CLEAR_ZONE_SIDE_IN = 0.125
"""Clear zone left and right of the bars."""

CLEAR_ZONE_ABOVE_BELOW_IN = 0.028
"""Clear zone above and below the bars."""

_INCH = float(DPI)
_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/liberation"),
)
_PLAIN_FONT = "DejaVuSans.ttf"
# Sans and serif faces a printer or a typewriter-like label might use; font_jitter picks one.
_FONT_FILES = (
    "DejaVuSans.ttf",
    "DejaVuSansCondensed.ttf",
    "DejaVuSansMono.ttf",
    "DejaVuSerif.ttf",
    "LiberationSans-Regular.ttf",
    "LiberationSansNarrow-Regular.ttf",
    "LiberationSerif-Regular.ttf",
    "LiberationMono-Regular.ttf",
    "DejaVuSans-Bold.ttf",
    "LiberationSans-Bold.ttf",
)

FloatImage = npt.NDArray[np.float32]
Box = tuple[int, int, int, int]
"""(left, top, right, bottom) in pixels; right and bottom exclusive, as Pillow's boxes."""


@dataclass(frozen=True)
class Envelope:
    """What is printed on a mail piece.

    `addressee` is printed in upper case, as the Postal Service asks; `return_address` as
    given. `bars` is the 65-character IMb bar string (A, D, F, T), drawn above the
    addressee's name line or below the last line (`barcode_position`; None lets the seed
    choose).
    `upside_down` turns the whole envelope through 180 degrees, as a piece fed the wrong
    way round is seen.
    """

    addressee: tuple[str, ...]
    return_address: tuple[str, ...] | None = None
    bars: str | None = None
    size: Literal["letter", "flat"] = "letter"
    upside_down: bool = False
    barcode_position: Literal["above", "below"] | None = None

    def __post_init__(self) -> None:
        if self.size not in SIZES:
            raise ValueError(f"size must be one of {', '.join(SIZES)}, not {self.size!r}")
        if not self.addressee:
            raise ValueError("an envelope needs at least one addressee line")
        if self.bars is not None and (len(self.bars) != BAR_COUNT or set(self.bars) - set("ADFT")):
            raise ValueError(f"bars must be {BAR_COUNT} of A, D, F and T; got {self.bars!r}")


@dataclass(frozen=True)
class Noise:
    """How far a rendered image is degraded from the clean drawing.

    rotation_deg: the envelope is turned by an angle drawn uniformly from [-r, r].
    blur_px: Gaussian blur, standard deviation in pixels (focus, motion).
    noise_sigma: additive Gaussian noise, standard deviation on the 0-255 scale.
    jpeg_quality: the image is stored as JPEG at this quality and read back (None: not).
    font_jitter: each text block gets a font drawn from several Debian faces, and a size
        from 10 to 12 points, instead of DejaVu Sans at 11.
    print_jitter_px: each bar's ends and width move by this standard deviation in pixels,
        as an ink-jet printer's bars do.
    """

    rotation_deg: float = 0.0
    blur_px: float = 0.0
    noise_sigma: float = 0.0
    jpeg_quality: int | None = None
    font_jitter: bool = False
    print_jitter_px: float = 0.0


CLEAN = Noise()
"""No noise at all."""

NOISE: dict[str, Noise] = {
    # The drawing itself: upright, sharp, noiseless, lossless.
    "clean": CLEAN,
    # A good sorter camera: a little skew, slightly soft, faint sensor noise, stored as a
    # good JPEG; printed in any of several fonts by an ordinary printer.
    "default": Noise(
        rotation_deg=2.0,
        blur_px=0.7,
        noise_sigma=6.0,
        jpeg_quality=85,
        font_jitter=True,
        print_jitter_px=0.3,
    ),
    # A poor camera or a poorly fed piece: the full +-5 degrees of skew a reader must
    # take, visibly soft, grainy, a low JPEG quality and a worn printer.
    "hard": Noise(
        rotation_deg=5.0,
        blur_px=1.1,
        noise_sigma=12.0,
        jpeg_quality=60,
        font_jitter=True,
        print_jitter_px=0.6,
    ),
    # Beyond what a reader should be asked to read reliably: out of focus, very noisy,
    # heavily compressed, bars printed badly.
    "harder": Noise(
        rotation_deg=5.0,
        blur_px=1.6,
        noise_sigma=20.0,
        jpeg_quality=40,
        font_jitter=True,
        print_jitter_px=1.0,
    ),
}
"""The noise levels tests and benchmarks name."""


@dataclass(frozen=True)
class Rendered:
    """A rendered envelope: the image, where its parts are, and what it shows.

    `boxes` holds "addressee", "postage" and, when drawn, "return_address" and "barcode"
    (the bars alone, without their clear zone), in the final image's pixels: after the
    envelope is turned, the axis-aligned bounds of the turned part. `angle_deg` is the
    skew drawn from `Noise.rotation_deg`, counter-clockwise as the image shows it (an
    upside-down envelope is turned by 180 degrees besides).
    """

    image: Image.Image
    boxes: dict[str, Box]
    envelope: Envelope
    noise: Noise = CLEAN
    seed: int = 0
    angle_deg: float = 0.0


# --- fonts --------------------------------------------------------------------------------

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _available_fonts() -> tuple[Path, ...]:
    return tuple(
        directory / name
        for name in _FONT_FILES
        for directory in _FONT_DIRS
        if (directory / name).is_file()
    )


@cache
def _font(path: Path | None, size_px: int) -> Font:
    if path is None:
        return ImageFont.load_default(size_px)
    return ImageFont.truetype(str(path), size_px)


def _choose_font(rng: np.random.Generator, jitter: bool, points: float) -> Font:
    fonts = _available_fonts()
    if jitter and fonts:
        path: Path | None = fonts[int(rng.integers(len(fonts)))]
    else:
        plain = [f for f in fonts if f.name == _PLAIN_FONT]
        path = plain[0] if plain else (fonts[0] if fonts else None)
    return _font(path, round(points / 72 * DPI))


def _points(rng: np.random.Generator, jitter: bool, low: float, high: float) -> float:
    return float(rng.uniform(low, high)) if jitter else (low + high) / 2


# --- the layout ---------------------------------------------------------------------------


def _text_block(
    draw: ImageDraw.ImageDraw, lines: Sequence[str], x: float, y: float, font: Font
) -> Box:
    """Draws the lines from (x, y) down; returns the bounds of the ink."""
    spacing = _line_height(font)
    boxes = []
    for index, line in enumerate(lines):
        origin = (round(x), round(y + index * spacing))
        draw.text(origin, line, font=font, fill=255)
        boxes.append(draw.textbbox(origin, line, font=font))
    return _union([(int(b[0]), int(b[1]), int(b[2]), int(b[3])) for b in boxes])


def _line_height(font: Font) -> float:
    size = font.size if isinstance(font, ImageFont.FreeTypeFont) else 11
    return 1.3 * float(size)


def _block_size(lines: Sequence[str], font: Font) -> tuple[float, float]:
    width = max(font.getbbox(line)[2] for line in lines)
    return float(width), _line_height(font) * (len(lines) - 1) + float(font.getbbox("AG")[3])


def _union(boxes: Sequence[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def barcode_length_px() -> float:
    """Length of the 65 bars at 200 dpi, first bar's left edge to last bar's right edge."""
    return (BAR_COUNT - 1) * BAR_PITCH_IN * _INCH + BAR_WIDTH_IN * _INCH


def _bar_ink(
    bars: str, left: float, top: float, rng: np.random.Generator, jitter: float
) -> tuple[FloatImage, int, int]:
    """The bars as ink coverage (0-1), anti-aliased by area; with the canvas's origin.

    `left` is the first bar's left edge and `top` the top of a full bar, in (fractional)
    pixels. Each bar's coverage is the product of its horizontal and vertical coverage
    of each pixel, which is exact for an axis-aligned rectangle; where a badly printed
    bar touches its neighbour, the darker of the two counts.
    """
    pitch, width = BAR_PITCH_IN * _INCH, BAR_WIDTH_IN * _INCH
    full, tracker = FULL_BAR_IN * _INCH, TRACKER_IN * _INCH
    centre = top + full / 2
    index = np.arange(BAR_COUNT, dtype=np.float64)
    ascends = np.array([b in "AF" for b in bars])
    descends = np.array([b in "DF" for b in bars])
    lefts = left + index * pitch + rng.normal(0.0, jitter / 2, BAR_COUNT)
    rights = lefts + width + rng.normal(0.0, jitter / 2, BAR_COUNT)
    tops = np.where(ascends, centre - full / 2, centre - tracker / 2)
    bottoms = np.where(descends, centre + full / 2, centre + tracker / 2)
    tops = tops + rng.normal(0.0, jitter, BAR_COUNT)
    bottoms = bottoms + rng.normal(0.0, jitter, BAR_COUNT)
    x0, y0 = math.floor(lefts.min()) - 1, math.floor(tops.min()) - 1
    ink = np.zeros((math.ceil(bottoms.max()) + 2 - y0, math.ceil(rights.max()) + 2 - x0))
    for bar in range(BAR_COUNT):
        # Each bar only within its own bounds: a product over the whole canvas costs more.
        c0, r0 = math.floor(lefts[bar]), math.floor(tops[bar])
        columns = np.arange(c0, math.ceil(rights[bar]), dtype=np.float64)
        rows = np.arange(r0, math.ceil(bottoms[bar]), dtype=np.float64)
        across = _coverage(lefts[bar : bar + 1], rights[bar : bar + 1], columns)[0]
        down = _coverage(tops[bar : bar + 1], bottoms[bar : bar + 1], rows)[0]
        window = ink[r0 - y0 : r0 - y0 + len(rows), c0 - x0 : c0 - x0 + len(columns)]
        np.maximum(window, down[:, None] * across[None, :], out=window)
    return ink.astype(np.float32), x0, y0


def _coverage(
    starts: npt.NDArray[np.float64], ends: npt.NDArray[np.float64], cells: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Fraction of each unit cell [c, c+1) inside each interval [start, end): (n, cells)."""
    low = np.maximum(starts[:, None], cells[None, :])
    high = np.minimum(ends[:, None], cells[None, :] + 1)
    return np.asarray(np.clip(high - low, 0.0, 1.0), dtype=np.float64)


def _postage(draw: ImageDraw.ImageDraw, width: int, rng: np.random.Generator) -> Box:
    """A stamp or a permit indicia in the top right corner."""
    w = round(float(rng.uniform(0.8, 0.95)) * _INCH)
    h = round(float(rng.uniform(0.9, 1.05)) * _INCH)
    right = width - round(float(rng.uniform(0.2, 0.35)) * _INCH)
    top = round(float(rng.uniform(0.2, 0.35)) * _INCH)
    box = (right - w, top, right, top + h)
    small = _font(_first_font(), round(7 / 72 * DPI))
    if rng.random() < 0.5:
        _stamp(draw, box, rng, small)
    else:
        draw.rectangle(box, outline=255, width=3)
        permit = f"PERMIT NO. {int(rng.integers(100, 9999))}"
        lines = ("PRESORTED", "FIRST-CLASS", "U.S. POSTAGE", "PAID", permit)
        for index, line in enumerate(lines):
            draw.text((box[0] + 12, box[1] + 14 + index * 34), line, font=small, fill=255)
    return (box[0], box[1], box[2] + 1, box[3] + 1)


def _stamp(draw: ImageDraw.ImageDraw, box: Box, rng: np.random.Generator, font: Font) -> None:
    left, top, right, bottom = box
    draw.rectangle(box, fill=int(rng.integers(50, 110)))
    for _ in range(int(rng.integers(3, 7))):  # the stamp's picture: soft overlapping shapes
        x, y = rng.uniform(left, right), rng.uniform(top, bottom)
        r = rng.uniform(0.1, 0.3) * (right - left)
        shape = (max(left, x - r), max(top, y - r), min(right, x + r), min(bottom, y + r))
        draw.ellipse(shape, fill=int(rng.integers(90, 200)))
    for x in range(left, right + 1, 12):  # perforations
        draw.ellipse((x - 3, top - 3, x + 3, top + 3), fill=0)
        draw.ellipse((x - 3, bottom - 3, x + 3, bottom + 3), fill=0)
    for y in range(top, bottom + 1, 12):
        draw.ellipse((left - 3, y - 3, left + 3, y + 3), fill=0)
        draw.ellipse((right - 3, y - 3, right + 3, y + 3), fill=0)
    draw.text((left + 10, bottom - 36), "USA FOREVER", font=font, fill=255)


@cache
def _first_font() -> Path | None:
    fonts = _available_fonts()
    return fonts[0] if fonts else None


@dataclass(frozen=True)
class _Layout:
    ink: FloatImage
    boxes: dict[str, Box]


def _lay_out(envelope: Envelope, noise: Noise, rng: np.random.Generator) -> _Layout:
    width_in, height_in = SIZES[envelope.size]
    canvas = Image.new("L", (round(width_in * _INCH), round(height_in * _INCH)), 0)
    draw = ImageDraw.Draw(canvas)
    boxes: dict[str, Box] = {"postage": _postage(draw, canvas.width, rng)}
    if envelope.return_address:
        font = _choose_font(rng, noise.font_jitter, _points(rng, noise.font_jitter, 8, 10))
        x, y = (float(rng.uniform(0.2, 0.35)) * _INCH for _ in range(2))
        boxes["return_address"] = _text_block(draw, envelope.return_address, x, y, font)
    bars_at = _addressee(draw, canvas.size, envelope, noise, rng, boxes)
    ink = np.asarray(canvas, dtype=np.float32) / 255.0
    if envelope.bars and bars_at is not None:
        bar_ink, x0, y0 = _bar_ink(envelope.bars, *bars_at, rng, noise.print_jitter_px)
        _darken(ink, bar_ink, x0, y0)
        boxes["barcode"] = _ink_bounds(bar_ink, x0, y0)
    return _Layout(ink, boxes)


def _addressee(
    draw: ImageDraw.ImageDraw,
    size: tuple[int, int],
    envelope: Envelope,
    noise: Noise,
    rng: np.random.Generator,
    boxes: dict[str, Box],
) -> tuple[float, float] | None:
    """Draws the addressee block, upper case, in the lower middle; returns where the bars
    go (the first bar's left edge, the full bars' top), None when there are none."""
    width, height = size
    lines = tuple(line.upper() for line in envelope.addressee)
    font = _choose_font(rng, noise.font_jitter, _points(rng, noise.font_jitter, 10, 12))
    text_w, text_h = _block_size(lines, font)
    full, gap = FULL_BAR_IN * _INCH, float(rng.uniform(0.03, 0.07)) * _INCH
    position = envelope.barcode_position or ("above" if rng.random() < 0.5 else "below")
    bars_h = full + gap if envelope.bars else 0.0
    block_w = max(text_w, barcode_length_px() + CLEAR_ZONE_SIDE_IN * _INCH)
    x = _place(rng, width, block_w, 0.33, 0.45)
    y = _place(rng, height, text_h + bars_h, 0.45, 0.62) - (text_h + bars_h) / 2
    y = max(0.1 * _INCH, min(y, height - 0.625 * _INCH - text_h - bars_h))  # bottom 5/8 in clear
    text_y = y + (bars_h if position == "above" else 0.0)
    boxes["addressee"] = address = _text_block(draw, lines, x, text_y, font)
    if not envelope.bars:
        return None
    bar_top = address[1] - gap - full if position == "above" else address[3] + gap
    return x + float(rng.uniform(-0.02, 0.08)) * _INCH + float(rng.random()), bar_top


def _darken(ink: FloatImage, patch: FloatImage, x0: int, y0: int) -> None:
    """Lays the patch's ink over the canvas's at (x0, y0), what falls outside cut off."""
    top, left = max(y0, 0), max(x0, 0)
    bottom = min(y0 + patch.shape[0], ink.shape[0])
    right = min(x0 + patch.shape[1], ink.shape[1])
    if top < bottom and left < right:
        region = ink[top:bottom, left:right]
        np.maximum(region, patch[top - y0 : bottom - y0, left - x0 : right - x0], out=region)


def _place(rng: np.random.Generator, total: int, size: float, low: float, high: float) -> float:
    """A position between low and high (fractions of total) that keeps size inside."""
    margin = 0.25 * _INCH
    wanted = float(rng.uniform(low, high)) * total
    return max(margin, min(wanted, total - margin - size))


def _ink_bounds(ink: FloatImage, x0: int, y0: int) -> Box:
    rows = np.flatnonzero(ink.max(axis=1) > 0.5)
    columns = np.flatnonzero(ink.max(axis=0) > 0.5)
    return (
        x0 + int(columns[0]),
        y0 + int(rows[0]),
        x0 + int(columns[-1]) + 1,
        y0 + int(rows[-1]) + 1,
    )


# --- paper, ink and the camera ------------------------------------------------------------

_GRAIN_SCALE = 16.0  # the grain tile holds standard normal values times this, as int8


@cache
def _grain_tile() -> npt.NDArray[np.int8]:
    """A fixed field of Gaussian grain that images take windows of.

    Drawing 1.5 million normal numbers per image would cost more than all the rest of
    the rendering; a window at a seeded offset of one pre-drawn field is as good a
    noise for a reader and keeps the image a function of the seed.
    """
    normal = np.random.default_rng(0x1A5).standard_normal((2048, 2560), dtype=np.float32)
    return np.asarray(np.clip(np.rint(normal * _GRAIN_SCALE), -127, 127), dtype=np.int8)


def _grain(shape: tuple[int, int], rng: np.random.Generator) -> FloatImage:
    tile = _grain_tile()
    height, width = shape
    if height > tile.shape[0] or width > tile.shape[1]:
        return rng.standard_normal(shape, dtype=np.float32)
    top = int(rng.integers(tile.shape[0] - height + 1))
    left = int(rng.integers(tile.shape[1] - width + 1))
    window = tile[top : top + height, left : left + width]
    return window.astype(np.float32) * np.float32(1 / _GRAIN_SCALE)


def _paper(shape: tuple[int, int], rng: np.random.Generator) -> FloatImage:
    """Off-white paper with a faint, smooth mottle."""
    height, width = shape
    base = np.float32(rng.uniform(225, 245))
    coarse = rng.normal(0.0, 2.5, (max(2, height // 40), max(2, width // 40))).astype(np.float32)
    mottle = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.asarray(mottle, dtype=np.float32) + base


def _turn_boxes(boxes: dict[str, Box], size: tuple[int, int], degrees: float) -> None:
    """Moves the boxes as the image turns counter-clockwise about its centre."""
    width, height = size
    cx, cy = width / 2, height / 2
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    for name, (left, top, right, bottom) in boxes.items():
        corners = [(left, top), (right, top), (left, bottom), (right, bottom)]
        xs = [cx + (x - cx) * cos + (y - cy) * sin for x, y in corners]
        ys = [cy - (x - cx) * sin + (y - cy) * cos for x, y in corners]
        boxes[name] = (
            max(0, math.floor(min(xs))),
            max(0, math.floor(min(ys))),
            min(width, math.ceil(max(xs))),
            min(height, math.ceil(max(ys))),
        )


def _turned(pixels: FloatImage, degrees: float, fill: float) -> FloatImage:
    height, width = pixels.shape
    # OpenCV's pixel centres are whole numbers, so the image's centre is at (w-1)/2.
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2), degrees, 1.0)
    turned = cv2.warpAffine(
        pixels, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=(fill,)
    )
    return np.asarray(turned, dtype=np.float32)


def render(envelope: Envelope, noise: Noise = CLEAN, seed: int = 0) -> Rendered:
    """The envelope drawn at 200 dpi (mode "L"), degraded by `noise`, the same for a seed."""
    rng = np.random.default_rng(seed)
    layout = _lay_out(envelope, noise, rng)
    boxes = dict(layout.boxes)
    paper = _paper(layout.ink.shape, rng)
    ink_tone = np.float32(rng.uniform(15, 45))
    pixels = paper - (paper - ink_tone) * layout.ink
    height, width = pixels.shape
    if envelope.upside_down:
        pixels = pixels[::-1, ::-1]
        boxes = {
            n: (width - b[2], height - b[3], width - b[0], height - b[1]) for n, b in boxes.items()
        }
    angle = 0.0
    if noise.rotation_deg:
        angle = float(rng.uniform(-noise.rotation_deg, noise.rotation_deg))
        pixels = _turned(pixels, angle, fill=float(paper.mean()) - 20)
        _turn_boxes(boxes, (width, height), angle)
    if noise.blur_px > 0:
        pixels = np.asarray(cv2.GaussianBlur(pixels, (0, 0), noise.blur_px), dtype=np.float32)
    if noise.noise_sigma > 0:
        pixels = pixels + _grain(pixels.shape, rng) * np.float32(noise.noise_sigma)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")
    if noise.jpeg_quality is not None:
        image = Image.open(io.BytesIO(encoded(image, "JPEG", noise.jpeg_quality)))
        image.load()
    image.info["dpi"] = (DPI, DPI)
    return Rendered(image, _inside(boxes, image.size), envelope, noise, seed, angle)


def _inside(boxes: dict[str, Box], size: tuple[int, int]) -> dict[str, Box]:
    """The boxes cut to the image (a long line or block can run off the envelope)."""
    width, height = size
    return {
        name: (max(0, left), max(0, top), min(width, right), min(height, bottom))
        for name, (left, top, right, bottom) in boxes.items()
    }


def encoded(image: Image.Image, fmt: str = "PNG", quality: int | None = None) -> bytes:
    """The image as file bytes (PNG, JPEG, ...), marked 200 dpi; quality for JPEG and WebP."""
    buffer = io.BytesIO()
    options: dict[str, object] = {"dpi": image.info.get("dpi", (DPI, DPI))}
    if quality is not None:
        options["quality"] = quality
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()
