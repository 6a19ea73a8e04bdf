"""A second envelope renderer, for evaluating the reader on images it was not tuned on.

`imaging.render` is what the reader was developed against; a reader can come to fit its
fonts and its one layout without anyone meaning it to. `render_other(envelope, noise, seed)`
draws the same `Envelope` differently, and bench/imaging.py reports the two side by side:

* **other faces**: only Debian faces `imaging.render` never uses (italic, oblique,
  condensed serif, bold monospace, bold narrow: OTHER_FONT_FILES). Debian packages no
  handwriting-like face among the fonts this project installs (fonts-dejavu-core,
  fonts-liberation), so there is none here;
* **other layouts** (`LAYOUTS`), chosen by the seed unless the caller names one:
  `below`, the addressee block low and left of centre with the barcode always under its
  last line; `window`, a #10 window envelope whose address shows through a window 4.5 x
  1.125 in, 7/8 in from the left and 1/2 in from the bottom edge (the common commercial
  position), the barcode above the name inside the window, the window's film a shade
  darker than the paper with a faint edge; `label`, a flat (12 x 9.5 in) of manila paper
  with a white address label (4 x 2 in) stuck on it slightly askew, the barcode under the
  address on the label;
* **its own noise levels** (`OTHER_NOISE`): mild blur, up to +-2 degrees of rotation and
  JPEG at "default", as a good camera gives, and two harder levels.

Tests and benchmarks give it seeds of their own (bench/imaging.py: HELD_OUT_SEED), never
the seeds the first renderer is measured with. The envelope's parts are drawn with
`imaging.render`'s helpers (bars at the specification's proportions, stamp, paper, grain,
the same `Rendered` result with its boxes), so the two differ in what is meant to differ.
"""

from __future__ import annotations

import io
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from PIL import Image, ImageDraw

from mailcover.imaging.render import (
    _FONT_DIRS,
    CLEAR_ZONE_SIDE_IN,
    DPI,
    FULL_BAR_IN,
    Box,
    Envelope,
    FloatImage,
    Font,
    Noise,
    Rendered,
    _bar_ink,
    _block_size,
    _darken,
    _font,
    _grain,
    _ink_bounds,
    _inside,
    _paper,
    _postage,
    _text_block,
    _turn_boxes,
    _turned,
    barcode_length_px,
    encoded,
)

Layout = Literal["below", "window", "label"]
LAYOUTS: tuple[Layout, ...] = ("below", "window", "label")

OTHER_FONT_FILES = (
    "DejaVuSerifCondensed.ttf",
    "DejaVuSerifCondensed-Bold.ttf",
    "DejaVuSerif-Italic.ttf",
    "DejaVuSansCondensed-Oblique.ttf",
    "DejaVuSansMono-Oblique.ttf",
    "DejaVuSansMono-Bold.ttf",
    "LiberationSerif-Italic.ttf",
    "LiberationSerif-Bold.ttf",
    "LiberationMono-Bold.ttf",
    "LiberationMono-Italic.ttf",
    "LiberationSansNarrow-Bold.ttf",
    "LiberationSans-Italic.ttf",
)
"""Faces of Debian's fonts-dejavu-core and fonts-liberation that `imaging.render` never
draws with."""

OTHER_NOISE: dict[str, Noise] = {
    "clean": Noise(font_jitter=True),
    # A good camera: mild blur, up to 2 degrees of skew, a good JPEG.
    "default": Noise(
        rotation_deg=2.0, blur_px=0.8, noise_sigma=5.0, jpeg_quality=80, font_jitter=True,
        print_jitter_px=0.3,
    ),
    "hard": Noise(
        rotation_deg=4.0, blur_px=1.1, noise_sigma=10.0, jpeg_quality=60, font_jitter=True,
        print_jitter_px=0.6,
    ),
    "harder": Noise(
        rotation_deg=5.0, blur_px=1.5, noise_sigma=18.0, jpeg_quality=45, font_jitter=True,
        print_jitter_px=1.0,
    ),
}  # fmt: skip
"""The second renderer's noise levels, named as `imaging.render.NOISE`'s."""

_INCH = float(DPI)
_WINDOW_IN = (0.875, 0.5, 4.5, 1.125)
"""The window of a #10 window envelope: left, from the bottom, width, height (inches)."""


@cache
def other_fonts() -> tuple[Path, ...]:
    """The held-out faces installed here (none: Pillow's built-in font stands in)."""
    return tuple(
        directory / name
        for name in OTHER_FONT_FILES
        for directory in _FONT_DIRS
        if (directory / name).is_file()
    )


def _other_font(rng: np.random.Generator, low: float, high: float) -> Font:
    fonts = other_fonts()
    path = fonts[int(rng.integers(len(fonts)))] if fonts else None
    return _font(path, round(float(rng.uniform(low, high)) / 72 * DPI))


def render_other(
    envelope: Envelope, noise: Noise = OTHER_NOISE["clean"], seed: int = 0,
    layout: Layout | None = None,
) -> Rendered:  # fmt: skip
    """The envelope drawn by the second renderer at 200 dpi (mode "L"), the same for a seed.

    `envelope.size` and `barcode_position` give way to the layout: a label is on a flat,
    a window or a barcode-below layout on a letter.
    """
    rng = np.random.default_rng(seed)
    chosen: Layout = layout or LAYOUTS[int(rng.integers(len(LAYOUTS)))]
    size: Literal["letter", "flat"] = "flat" if chosen == "label" else "letter"
    envelope = replace(envelope, size=size)
    width_px = round((12.0 if size == "flat" else 9.5) * _INCH)
    height_px = round((9.5 if size == "flat" else 4.125) * _INCH)
    canvas = Image.new("L", (width_px, height_px), 0)
    draw = ImageDraw.Draw(canvas)
    boxes: dict[str, Box] = {"postage": _postage(draw, width_px, rng)}
    if envelope.return_address:
        font = _other_font(rng, 8, 10)
        x, y = (float(rng.uniform(0.25, 0.4)) * _INCH for _ in range(2))
        boxes["return_address"] = _text_block(draw, envelope.return_address, x, y, font)
    area = _address_area(chosen, (width_px, height_px), rng)
    bars_at = _address(draw, area, envelope, chosen, rng, boxes)
    ink = np.asarray(canvas, dtype=np.float32) / 255.0
    if envelope.bars and bars_at is not None:
        bar_ink, x0, y0 = _bar_ink(envelope.bars, *bars_at, rng, noise.print_jitter_px)
        _darken(ink, bar_ink, x0, y0)
        boxes["barcode"] = _ink_bounds(bar_ink, x0, y0)
    pixels = _surface(ink.shape, chosen, area, rng)
    ink_tone = np.float32(rng.uniform(10, 50))
    pixels = pixels - (pixels - ink_tone) * ink
    return _photographed(pixels, boxes, envelope, noise, seed, rng)


def _address_area(
    layout: Layout, size: tuple[int, int], rng: np.random.Generator
) -> tuple[float, float, float, float]:
    """Where the address goes: left, top, width, height in pixels."""
    width, height = size
    if layout == "window":
        left, from_bottom, w, h = _WINDOW_IN
        return left * _INCH, height - (from_bottom + h) * _INCH, w * _INCH, h * _INCH
    if layout == "label":
        w, h = 4.0 * _INCH, 2.0 * _INCH
        left = float(rng.uniform(0.3, 0.45)) * width
        top = float(rng.uniform(0.4, 0.55)) * height
        return left, top, w, h
    left = float(rng.uniform(0.22, 0.32)) * width
    return left, float(rng.uniform(0.38, 0.48)) * height, 4.5 * _INCH, 0.5 * height


def _address(
    draw: ImageDraw.ImageDraw,
    area: tuple[float, float, float, float],
    envelope: Envelope,
    layout: Layout,
    rng: np.random.Generator,
    boxes: dict[str, Box],
) -> tuple[float, float] | None:
    """Draws the addressee block in its area; returns where the bars go (first bar's left
    edge, full bars' top), None without bars."""
    left, top, width, height = area
    lines = tuple(line.upper() for line in envelope.addressee)
    font = _other_font(rng, 9.5, 11.5)
    text_w, text_h = _block_size(lines, font)
    full, gap = FULL_BAR_IN * _INCH, float(rng.uniform(0.03, 0.06)) * _INCH
    bars_h = full + gap if envelope.bars else 0.0
    inset = 0.15 * _INCH
    x = left + inset + float(rng.uniform(0, 0.1)) * _INCH
    x = min(x, left + max(inset, width - max(text_w, barcode_length_px()) - inset / 2))
    above = layout == "window"
    y = top + (0.08 * _INCH if layout == "window" else inset) + (bars_h if above else 0.0)
    if layout == "window":
        y = min(y, top + height - text_h - 0.04 * _INCH)
    boxes["addressee"] = address = _text_block(draw, lines, x, y, font)
    if not envelope.bars:
        return None
    bar_top = address[1] - gap - full if above else address[3] + gap
    bar_left = x + float(rng.uniform(0.0, 0.05)) * _INCH + float(rng.random())
    if bar_left + barcode_length_px() + CLEAR_ZONE_SIDE_IN * _INCH > left + width + inset:
        bar_left = x
    return bar_left, bar_top


def _surface(
    shape: tuple[int, ...], layout: Layout, area: tuple[float, float, float, float],
    rng: np.random.Generator,
) -> FloatImage:  # fmt: skip
    """Paper: off-white, manila for a flat; a window's film or a label on it."""
    height, width = int(shape[0]), int(shape[1])
    paper = _paper((height, width), rng)
    left, top, w, h = (round(v) for v in area)
    if layout == "label":
        paper = paper - np.float32(rng.uniform(35, 55))  # manila
        label = np.full((h, w), np.float32(rng.uniform(240, 250)), dtype=np.float32)
        angle = float(rng.uniform(-1.0, 1.0))
        mask = _turned(np.ones((h, w), dtype=np.float32), angle, 0.0)
        label = _turned(label, angle, 0.0)
        region = paper[top : top + h, left : left + w]
        region[:] = region * (1 - mask) + label * mask
    elif layout == "window":
        film = paper[top : top + h, left : left + w]
        film -= np.float32(rng.uniform(8, 16))
        cv2.rectangle(paper, (left, top), (left + w, top + h), float(paper.mean()) - 30, 1)
    return paper


def _photographed(
    pixels: FloatImage,
    boxes: dict[str, Box],
    envelope: Envelope,
    noise: Noise,
    seed: int,
    rng: np.random.Generator,
) -> Rendered:
    height, width = pixels.shape
    if envelope.upside_down:
        pixels = pixels[::-1, ::-1]
        boxes = {
            n: (width - b[2], height - b[3], width - b[0], height - b[1]) for n, b in boxes.items()
        }
    angle = 0.0
    if noise.rotation_deg:
        angle = float(rng.uniform(-noise.rotation_deg, noise.rotation_deg))
        pixels = _turned(np.asarray(pixels, dtype=np.float32), angle, float(pixels.mean()) - 25)
        _turn_boxes(boxes, (width, height), angle)
    if noise.blur_px > 0:
        blurred = cv2.GaussianBlur(np.asarray(pixels, dtype=np.float32), (0, 0), noise.blur_px)
        pixels = np.asarray(blurred, dtype=np.float32)
    if noise.noise_sigma > 0:
        pixels = pixels + _grain(pixels.shape, rng) * np.float32(noise.noise_sigma)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")
    if noise.jpeg_quality is not None:
        image = Image.open(io.BytesIO(encoded(image, "JPEG", noise.jpeg_quality)))
        image.load()
    image.info["dpi"] = (DPI, DPI)
    return Rendered(image, _inside(boxes, image.size), envelope, noise, seed, angle)
