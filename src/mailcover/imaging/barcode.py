"""The Intelligent Mail barcode read from an envelope image.

`read_barcode(image)` finds the 65 bars without being told where they are, classifies
each as full (F), ascender (A), descender (D) or tracker (T), and decodes them with
`postal.imb.read`, which also tries them turned round (an envelope fed upside down). It
never raises for an odd image: a blank page, text without bars or a damaged barcode give
a `BarcodeReading` whose `error` says what was wrong.

How, in four steps, each cheap (a 200-dpi letter reads in about ten milliseconds):

1. Candidates. Rows are averaged in pairs (bars are tall) and smoothed along the bars
   only, then thresholded 45% of the way from the paper (the median) to the darkest ink.
   Otsu's threshold is not used: with ink on 2% of the pixels and grainy paper, it cuts
   the paper in two. Connected components taller than wide are candidate bars, and the
   bars of a barcode are a chain of them, each the nearest to the right of the last,
   overlapping it vertically (every bar has the tracker). The longest chains are tried.
2. Geometry. A robust line through the chain's centres (Theil-Sen: the median of the
   pairwise slopes, so ascenders above and descenders below do not pull it) gives the
   skew, either sign, and a least-squares fit of the centres to a grid gives the pitch.
   A chain off its grid, or of components that are not solid and narrower than their
   gaps (a row of small letters), is not a barcode. Along the grid, slots are tested
   for ink in the tracker band beyond both ends of the chain (bars the threshold ran
   together are found again) until the clear zone.
3. Measurement. Each bar is sampled across its core along the perpendicular to the
   line, in the grey image, not the thresholded one, after moving the sample onto the
   bar's ink: its top and bottom are where its darkness falls to half of what it has in
   the tracker band. Blur moves neither, since it spreads an edge evenly to both sides.
4. Classification. The tops fall into two groups (ascending bars and not) and so do the
   bottoms; each is split by two-means clustering along two parallel lines, whose common
   slope takes out what skew the first line left. The confidence is the smallest margin
   of any of the 130 decisions, as a fraction of half the distance between its groups.

The reader does not correct a barcode the decoder refuses: the IMb's check detects
errors but cannot correct them (see `postal.imb`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from mailcover.postal.imb import BAR_COUNT, Imb, ImbError, read

Box = tuple[int, int, int, int]
"""(left, top, right, bottom) in pixels; right and bottom exclusive."""

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_MIN_CHAIN = 16  # components in a row before a chain can be the barcode
_MAX_SKEW_DEG = 12.0  # well beyond the +-5 degrees promised; steeper rows are not bars
_MAX_SLOPE = math.tan(math.radians(_MAX_SKEW_DEG))
_NEIGHBOURS = 24  # components, in order of x, searched for the next bar in a chain
_CHAINS_TRIED = 8  # longest first; a row of small letters can be as regular as bars
# A row of bars with up to this many more or fewer than 65 is reported as a damaged
# barcode; further off, it is taken for a row of something else (small letters, a rule).
_DAMAGED = 10
_SOLID = 0.65  # of its upright box a bar fills at least (letters about half)
_NARROW = 0.8  # of the pitch a bar is at most wide
_INK_PERCENTILE = 0.3  # the darkest pixels: cores of bars and strokes
_THRESHOLD = 0.45  # of the way from paper to ink, where black begins
# Noise is smoothed along the bars only: across them, blur would join bars to neighbours.
_SMOOTHING = 0.75  # in rows of the half-height image
_MIN_CONTRAST = 40  # grey levels between paper and ink, below which nothing is printed
_STEP = 0.5  # pixels between samples along a bar
_HALF = 0.5  # the crossing level of the scaled darkness
# A slot holds a bar when its tracker band is this dark: a faint, thin tracker bar still
# is, and the middle of an empty slot, a whole pitch from the bars beside it, is not.
_INKED = 0.3


@dataclass(frozen=True)
class BarcodeReading:
    """What was read: the bars as seen left to right, and what they say if they decode.

    `bars` is None when 65 bars were not found; `imb` is None when they do not decode,
    and then `error` and `error_code` say why ("no-barcode", "bar-count", or the code of
    the decoder's `ImbError`). `upside_down` is True when the bars decoded only turned
    round. `confidence` (0-1) is the weakest bar's margin. `box` holds the bars' bounds
    in the image, when bars were found; `skew_deg` the angle of their row
    (counter-clockwise positive, as the image shows it).
    """

    bars: str | None
    imb: Imb | None
    upside_down: bool = False
    error: str | None = None
    error_code: str | None = None
    confidence: float = 0.0
    box: Box | None = None
    skew_deg: float | None = None


def _failed(message: str, code: str) -> BarcodeReading:
    return BarcodeReading(bars=None, imb=None, error=message, error_code=code)


_NOT_FOUND = "no barcode found"


def read_barcode(image: Image.Image, region: Box | None = None) -> BarcodeReading:
    """Finds, measures and decodes the Intelligent Mail barcode in the image.

    `region` is a hint, (left, top, right, bottom) in pixels: it is searched first, with
    a margin, and the whole image after it when no bars are found there.
    """
    try:
        gray = np.asarray(image.convert("L"), dtype=np.uint8)
    except (OSError, ValueError) as error:
        return _failed(f"the image cannot be read: {error}", "no-barcode")
    if region is not None:
        crop, offset = _crop(gray, region)
        reading = _read(crop, offset)
        if reading.error_code != "no-barcode":
            return reading
    return _read(gray, (0, 0))


def _crop(
    gray: npt.NDArray[np.uint8], region: Box
) -> tuple[npt.NDArray[np.uint8], tuple[int, int]]:
    left, top, right, bottom = region
    margin = max(20, (bottom - top) // 2, (right - left) // 10)
    x0, y0 = max(0, left - margin), max(0, top - margin)
    x1, y1 = min(gray.shape[1], right + margin), min(gray.shape[0], bottom + margin)
    return gray[y0:y1, x0:x1], (x0, y0)


# --- step 1: candidates and chains ---------------------------------------------------------


@dataclass(frozen=True)
class _Components:
    """Bar-like connected components: bounds, centre and area, one row each."""

    left: FloatArray
    top: FloatArray
    width: FloatArray
    height: FloatArray
    area: FloatArray
    cx: FloatArray
    cy: FloatArray

    def take(self, index: IntArray) -> _Components:
        return _Components(*(getattr(self, name)[index] for name in _COMPONENT_FIELDS))


_COMPONENT_FIELDS = ("left", "top", "width", "height", "area", "cx", "cy")


def _percentiles(image: npt.NDArray[np.uint8], percents: tuple[float, ...]) -> list[float]:
    """Percentiles of an 8-bit image from its histogram (a sort of the pixels is slower)."""
    histogram = np.asarray(cv2.calcHist([image], [0], None, [256], [0, 256])).reshape(-1)
    cumulative = np.cumsum(histogram) / max(float(histogram.sum()), 1.0)
    return [float(np.searchsorted(cumulative, p / 100)) for p in percents]


def _bar_components(gray: npt.NDArray[np.uint8]) -> _Components | None:
    """The image's bar-like components, in full-resolution pixels, sorted by x."""
    if gray.ndim != 2 or min(gray.shape) < 16:
        return None
    # Bars are tall: half the rows (averaged in pairs) still show every one, and halve
    # the work. Noise is then smoothed along the bars only: across them, smoothing would
    # join a bar to its neighbours.
    rows = gray.shape[0] // 2 * 2
    halved = cv2.addWeighted(gray[0:rows:2], 0.5, gray[1:rows:2], 0.5, 0.0)
    small = np.asarray(cv2.GaussianBlur(halved, (1, 0), 0.1, sigmaY=_SMOOTHING), dtype=np.uint8)
    paper, ink = _percentiles(small, (50, _INK_PERCENTILE))
    if paper - ink < _MIN_CONTRAST:
        return None
    binary = (small < paper - _THRESHOLD * (paper - ink)).astype(np.uint8)
    c = _components(binary)
    # Back to full resolution: row pair r covers rows 2r and 2r + 1.
    c = replace(c, top=c.top * 2, height=c.height * 2, area=c.area * 2, cy=c.cy * 2 + 0.5)
    barlike = (
        (c.height >= 5)
        & (c.area >= 8)
        & (c.height >= c.width)  # a blurred tracker is barely taller than it is wide
        & (c.area >= 0.35 * c.width * c.height)
        & (c.height <= gray.shape[0] / 3)
    )
    index = np.flatnonzero(barlike)
    if len(index) < _MIN_CHAIN:
        return None
    return c.take(index[np.argsort(c.cx[index], kind="stable")])


def _components(binary: npt.NDArray[np.uint8]) -> _Components:
    """The 8-connected components of the set pixels, with their bounds, centre and area.

    OpenCV's own statistics cost ten times its labelling; the few ink pixels of an
    envelope, sorted by label, give them for a fraction of that.
    """
    _, labels = cv2.connectedComponents(binary, connectivity=8)
    flat = np.flatnonzero(binary.view(np.bool_))  # as bools: far faster than as numbers
    ys, xs = np.divmod(flat, binary.shape[1])
    label = np.asarray(labels, dtype=np.int64).reshape(-1)[flat]
    order = np.argsort(label, kind="stable")
    label, xs, ys = label[order], xs[order].astype(np.float64), ys[order].astype(np.float64)
    starts = np.flatnonzero(np.diff(label, prepend=-1))
    if len(starts) == 0:
        empty = np.zeros(0)
        return _Components(empty, empty, empty, empty, empty, empty, empty)
    area = np.diff(np.append(starts, len(label))).astype(np.float64)
    left, right = np.minimum.reduceat(xs, starts), np.maximum.reduceat(xs, starts)
    top, bottom = np.minimum.reduceat(ys, starts), np.maximum.reduceat(ys, starts)
    cx, cy = np.add.reduceat(xs, starts) / area, np.add.reduceat(ys, starts) / area
    return _Components(left, top, right - left + 1, bottom - top + 1, area, cx, cy)


def _next_in_row(c: _Components) -> IntArray:
    """For each component, the nearest to its right that could be the next bar, or -1."""
    n = len(c.cx)
    following = np.full(n, -1, dtype=np.int64)
    best = np.full(n, np.inf)
    for offset in range(1, min(_NEIGHBOURS, n - 1) + 1):
        i, j = np.arange(n - offset), np.arange(offset, n)
        dx = c.cx[j] - c.cx[i]
        wide = np.maximum(c.width[i], c.width[j])
        overlap = np.minimum(c.top[i] + c.height[i], c.top[j] + c.height[j]) - np.maximum(
            c.top[i], c.top[j]
        )
        fits = (
            (dx > 0.5)
            & (dx <= 3.5 * wide + 2)
            & (overlap >= 0.3 * np.minimum(c.height[i], c.height[j]))
            & (np.maximum(c.height[i], c.height[j]) <= 4 * np.minimum(c.height[i], c.height[j]))
            & (wide <= 2.5 * np.minimum(c.width[i], c.width[j]) + 1)
            & (
                np.abs(c.cy[j] - c.cy[i])
                <= dx * _MAX_SLOPE + 0.5 * np.maximum(c.height[i], c.height[j])
            )
        )
        better = fits & (dx < best[i])
        following[i[better]] = j[better]
        best[i[better]] = dx[better]
    return following


def _chains(c: _Components) -> list[IntArray]:
    """Maximal runs of components linked by `_next_in_row`, longest first."""
    following = _next_in_row(c)
    # Where two components claim the same successor, the nearer keeps it.
    claimed: dict[int, int] = {}
    for i in np.argsort(-_gaps(c, following)):
        j = int(following[i])
        if j >= 0:
            if j in claimed:
                following[claimed[j]] = -1
            claimed[j] = int(i)
    starts = sorted(set(range(len(following))) - set(claimed))
    chains = []
    for start in starts:
        chain = [start]
        while following[chain[-1]] >= 0:
            chain.append(int(following[chain[-1]]))
        if len(chain) >= _MIN_CHAIN:
            chains.append(np.array(chain, dtype=np.int64))
    return sorted(chains, key=len, reverse=True)


def _gaps(c: _Components, following: IntArray) -> FloatArray:
    gaps = np.full(len(following), -np.inf)
    linked = following >= 0
    gaps[linked] = c.cx[following[linked]] - c.cx[linked]
    return gaps


# --- step 2: geometry ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """A row of bars: a line (origin and angle), the grid along it, the bars' size.

    u runs along the line from the origin, v across it (down when the angle is 0); bar
    slot k is centred at u = start + pitch * k.
    """

    ox: float
    oy: float
    angle: float  # radians, clockwise in image coordinates (y down)
    start: float
    pitch: float
    bar_width: float
    tallest: float
    shortest: float

    def to_image(self, u: FloatArray, v: FloatArray) -> tuple[FloatArray, FloatArray]:
        cos, sin = math.cos(self.angle), math.sin(self.angle)
        return self.ox + u * cos - v * sin, self.oy + u * sin + v * cos

    def along(self, x: FloatArray, y: FloatArray) -> FloatArray:
        """u of image points: their distance along the line from its origin."""
        u = (x - self.ox) * math.cos(self.angle) + (y - self.oy) * math.sin(self.angle)
        return np.asarray(u, dtype=np.float64)


def _theil_sen_slope(x: FloatArray, y: FloatArray) -> float:
    i, j = np.triu_indices(len(x), k=1)
    dx = x[j] - x[i]
    usable = dx > 1e-6
    return float(np.median((y[j] - y[i])[usable] / dx[usable])) if usable.any() else 0.0


def _row_of(c: _Components) -> _Row | None:
    """The line and grid of a chain, or None when it is not a row of bars."""
    slope = _theil_sen_slope(c.cx, c.cy)
    if abs(slope) > _MAX_SLOPE:
        return None
    angle = math.atan(slope)
    ox = float(c.cx[0])
    oy = float(np.median(c.cy - slope * c.cx)) + slope * ox
    line = _Row(ox, oy, angle, start=0.0, pitch=1.0, bar_width=1.0, tallest=1.0, shortest=1.0)
    # Two bars run together into one component sit between slots: leave them out.
    single = np.flatnonzero(c.width <= 1.6 * np.median(c.width))
    c = c.take(single)
    grid = _grid_of(line.along(c.cx, c.cy))
    if grid is None:
        return None
    start, pitch = grid
    widths, heights = _upright(c.width, c.height, angle)
    # Small letters can stand in a row as regular as bars; but bars are solid and narrower
    # than the gaps beside them. Both are judged on the components turned upright: a bar
    # turned by a few degrees fills its bounding box much less than an upright one.
    if np.median(c.area / (widths * heights)) < _SOLID or np.median(widths) > _NARROW * pitch:
        return None
    return replace(
        line,
        start=start,
        pitch=pitch,
        bar_width=max(float(np.median(c.area / c.height)), 1.0),
        tallest=float(np.percentile(c.height, 90)),
        shortest=float(max(2.0, np.percentile(heights, 10))),
    )


def _grid_of(u: FloatArray) -> tuple[float, float] | None:
    """(start, pitch) of the grid the positions sit on, or None when they sit on none."""
    steps = np.diff(u)
    typical = np.abs(steps - np.median(steps)) < 0.2 * np.median(steps)
    if typical.sum() < _MIN_CHAIN // 2 or steps[typical].mean() <= 1:
        return None
    pitch, start = float(steps[typical].mean()), 0.0
    # Slots counted step by step, then fitted, then counted again from the fit: an error
    # of a tenth of a pixel in the first pitch would put the far end of the row a slot out.
    slots = np.concatenate([[0.0], np.cumsum(np.maximum(np.rint(steps / pitch), 1.0))])
    for _ in range(2):
        if len(np.unique(slots)) < _MIN_CHAIN:
            return None
        pitch, start = (float(v) for v in np.polyfit(slots, u, 1))
        if pitch <= 1:
            return None
        slots = np.rint((u - start) / pitch)
    residual = np.abs(u - (start + pitch * slots)) / pitch
    return (start, pitch) if np.mean(residual < 0.25) >= 0.8 else None


def _upright(width: FloatArray, height: FloatArray, angle: float) -> tuple[FloatArray, FloatArray]:
    """The sides of rectangles whose bounding boxes, turned by `angle`, are width x height."""
    cos, sin = math.cos(angle), abs(math.sin(angle))
    det = cos * cos - sin * sin  # the angle is at most _MAX_SKEW_DEG, so this is near 1
    upright_width = (width * cos - height * sin) / det
    upright_height = (height * cos - width * sin) / det
    return np.maximum(upright_width, 1.0), np.maximum(upright_height, 1.0)


def _sample(gray: npt.NDArray[np.float32], x: FloatArray, y: FloatArray) -> FloatArray:
    """Bilinear samples of the image at (x, y); white beyond its edges (no ink there)."""
    sampled = cv2.remap(
        gray,
        x.astype(np.float32),
        y.astype(np.float32),
        interpolation=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(255.0,),
    )
    return np.asarray(sampled, dtype=np.float64)


@dataclass(frozen=True)
class _Profiles:
    """The grey image sampled across the row at every slot, scaled to darkness.

    `darkness` is (len(v), len(slots)): 0 is the paper beyond the bars' ends, 1 the ink
    of the tracker band; `centre` is the row of v at the middle of the tracker band, and
    `inked` says which slots hold a bar.
    """

    v: FloatArray
    slots: FloatArray
    darkness: FloatArray
    centre: int
    inked: npt.NDArray[np.bool_]
    paper: float
    ink: float

    def between(self, low: int, high: int) -> _Profiles:
        return replace(
            self,
            slots=self.slots[low:high],
            darkness=self.darkness[:, low:high],
            inked=self.inked[low:high],
        )

    def scaled(self, grey: FloatArray) -> FloatArray:
        darkness = (self.paper - grey) / max(self.paper - self.ink, 1.0)
        darkness[1:-1] = 0.25 * darkness[:-2] + 0.5 * darkness[1:-1] + 0.25 * darkness[2:]
        return darkness


def _grid(gray: npt.NDArray[np.float32], row: _Row, u: FloatArray, v: FloatArray) -> FloatArray:
    """Mean grey value over the core of the bar at each u, for each v: (len(v), len(u))."""
    across = np.array([-0.25, 0.0, 0.25]) * row.bar_width
    uu, vv = np.meshgrid((u[:, None] + across[None, :]).reshape(-1), v)
    x, y = row.to_image(uu, vv)
    samples = _sample(gray, x, y).reshape(len(v), len(u), len(across))
    return np.asarray(samples.mean(axis=2), dtype=np.float64)


def _profiles(gray: npt.NDArray[np.float32], row: _Row, chain_slots: FloatArray) -> _Profiles:
    """Profiles of the chain's slots and of as many beyond each end as a barcode has."""
    reach = max(row.tallest, 2.0 * row.shortest) * 1.1
    v = np.arange(-reach, reach + _STEP / 2, _STEP)
    slots = np.arange(chain_slots.min() - BAR_COUNT, chain_slots.max() + BAR_COUNT + 1)
    grey = _grid(gray, row, row.start + row.pitch * slots, v)
    in_chain = np.isin(slots, chain_slots)
    # Paper from beyond the bars' ends, not from between them: blur greys the gaps.
    outside = np.abs(v) >= 0.8 * reach
    paper = float(np.median(grey[np.ix_(outside, in_chain)]))
    # The tracker band is the row where four bars in five are darkest; the row of the
    # chain's centres may be a pixel or two off it.
    inside = np.abs(v) <= 0.5 * row.tallest
    fifth = np.where(inside, np.quantile(grey[:, in_chain], 0.8, axis=1), np.inf)
    centre = int(np.argmin(fifth))
    ink = float(np.median(grey[centre, in_chain]))
    profiles = _Profiles(v, slots.astype(np.float64), grey, centre, in_chain, paper, ink)
    darkness = profiles.scaled(grey)
    inked = _band(profiles, row, darkness).mean(axis=0) >= _INKED
    return replace(profiles, darkness=darkness, inked=inked)


def _band(profiles: _Profiles, row: _Row, darkness: FloatArray) -> FloatArray:
    """The rows of the tracker band."""
    rows = np.abs(profiles.v - profiles.v[profiles.centre]) <= 0.25 * row.shortest
    return np.asarray(darkness[rows], dtype=np.float64)


def _barcode_slots(profiles: _Profiles, chain_slots: FloatArray) -> _Profiles:
    """The run of slots holding the barcode: the chain's, grown outwards until the clear
    zone (two empty slots in a row), trimmed to inked slots at both ends."""
    dark = profiles.inked
    low = int(np.searchsorted(profiles.slots, chain_slots.min()))
    high = int(np.searchsorted(profiles.slots, chain_slots.max()))
    while low >= 2 and (dark[low - 1] or dark[low - 2]):
        low -= 1
    while high + 2 < len(dark) and (dark[high + 1] or dark[high + 2]):
        high += 1
    while low < high and not dark[low]:
        low += 1
    while high > low and not dark[high]:
        high -= 1
    return profiles.between(low, high + 1)


# --- step 3: measurement ------------------------------------------------------------------


@dataclass(frozen=True)
class _Extents:
    u: FloatArray  # each bar's position along the row
    tops: FloatArray  # v of each bar's top, up is negative
    bottoms: FloatArray  # v of each bar's bottom


def _extents(gray: npt.NDArray[np.float32], row: _Row, found: _Profiles) -> _Extents:
    """Each bar's top and bottom: where its darkness falls to half its tracker's."""
    centre = _band_middle(found.darkness, found.centre)
    found = replace(found, centre=centre)
    u = _recentred(gray, row, found)
    darkness = found.scaled(_grid(gray, row, u, found.v))
    # Half of each bar's own darkness, not of the ink's: the edge of a thin or faint bar
    # is where it has lost half of what it has.
    level = np.maximum(_HALF * _band(found, row, darkness).mean(axis=0), _INKED / 2)
    up = _crossing(darkness[centre::-1], level)
    down = _crossing(darkness[centre:], level)
    v = found.v[centre]
    return _Extents(u, v - up, v + down)


def _band_middle(darkness: FloatArray, centre: int) -> int:
    """The middle of the rows where (nearly) every bar is dark, around `centre`."""
    common = np.quantile(darkness, 0.2, axis=1) >= _HALF
    if not common[centre]:
        return centre
    band = np.flatnonzero(common)
    runs = np.split(band, np.flatnonzero(np.diff(band) > 1) + 1)
    run = next(r for r in runs if centre in r)
    return int(run[len(run) // 2])


def _recentred(gray: npt.NDArray[np.float32], row: _Row, found: _Profiles) -> FloatArray:
    """Each bar's position along the row, moved onto its ink: printers place bars a
    fraction of a pixel off the grid, and a thin bar sampled off centre looks faint."""
    grid = row.start + row.pitch * found.slots
    shifts = np.linspace(-0.3, 0.3, 7) * row.pitch
    centre = found.v[found.centre]
    band = centre + np.array([-0.25, 0.0, 0.25]) * row.shortest
    grey = _grid(gray, row, (grid[:, None] + shifts[None, :]).reshape(-1), band)
    darkness = (found.paper - grey.mean(axis=0)).reshape(len(grid), len(shifts))
    darkness[:, 1:-1] = 0.25 * darkness[:, :-2] + 0.5 * darkness[:, 1:-1] + 0.25 * darkness[:, 2:]
    return np.asarray(grid + shifts[np.argmax(darkness, axis=1)], dtype=np.float64)


def _crossing(darkness: FloatArray, level: FloatArray) -> FloatArray:
    """Distance from row 0 to where each column's darkness first falls below its level."""
    below = darkness < level[None, :]
    below[-1] = True
    first = np.argmax(below, axis=0)
    columns = np.arange(darkness.shape[1])
    before = darkness[np.maximum(first - 1, 0), columns]
    after = darkness[first, columns]
    fraction = np.where(first > 0, (before - level) / np.maximum(before - after, 1e-6), 0.0)
    distance = (np.maximum(first - 1, 0) + np.clip(fraction, 0.0, 1.0)) * _STEP
    return np.asarray(distance, dtype=np.float64)


# --- step 4: classification ---------------------------------------------------------------


@dataclass(frozen=True)
class _Split:
    high: npt.NDArray[np.bool_]  # in the group that reaches further out
    margin: FloatArray  # distance from the threshold over half the groups' distance


def _two_groups(values: FloatArray, u: FloatArray, slope: float) -> tuple[_Split, FloatArray]:
    """Two-means along parallel lines of the given slope; the split and the residuals."""
    level = values - slope * u
    low, high = np.percentile(level, 10), np.percentile(level, 90)
    group = level > (low + high) / 2
    for _ in range(20):
        if group.all() or not group.any():
            break
        low, high = level[~group].mean(), level[group].mean()
        regrouped = level > (low + high) / 2
        if (regrouped == group).all():
            break
        group = regrouped
    if group.all() or not group.any():
        return _Split(group, np.zeros_like(level)), level - level.mean()
    half = max((high - low) / 2, 1e-6)
    margin = np.abs(level - (low + high) / 2) / half
    residual = values - np.where(group, high, low)
    return _Split(group, margin), residual


def _classify(extents: _Extents) -> tuple[str, float]:
    """The bars, and the confidence of the weakest decision."""
    # Tops are negative (up); make "further out" larger for both.
    outward_tops, bottoms, u = -extents.tops, extents.bottoms, extents.u - extents.u.mean()
    slope = 0.0
    for _ in range(3):
        ascends, top_residual = _two_groups(outward_tops, u, -slope)
        descends, bottom_residual = _two_groups(bottoms, u, slope)
        # A row a little off the bars' true direction tilts tops one way and bottoms the
        # other: fit that common tilt and take it out.
        drift = (bottom_residual - top_residual) / 2
        slope = float(np.polyfit(u, drift, 1)[0]) if len(u) > 2 else 0.0
    symbols = "".join(
        "TDAF"[(int(a) << 1) | int(d)] for a, d in zip(ascends.high, descends.high, strict=True)
    )
    confidence = float(min(ascends.margin.min(), descends.margin.min(), 1.0))
    return symbols, confidence


# --- putting it together ------------------------------------------------------------------


def _read(gray: npt.NDArray[np.uint8], offset: tuple[int, int]) -> BarcodeReading:
    components = _bar_components(gray)
    if components is None:
        return _failed(_NOT_FOUND, "no-barcode")
    grey = gray.astype(np.float32)
    nearest: tuple[int, BarcodeReading] | None = None
    for chain in _chains(components)[:_CHAINS_TRIED]:
        row = _row_of(components.take(chain))
        if row is None:
            continue
        u = row.along(components.cx[chain], components.cy[chain])
        chain_slots = np.unique(np.rint((u - row.start) / row.pitch))
        profiles = _barcode_slots(_profiles(grey, row, chain_slots), chain_slots)
        miss = abs(len(profiles.slots) - BAR_COUNT)
        if miss > _DAMAGED:
            continue  # a row of something else
        reading = _reading(grey, row, profiles, offset)
        if reading.bars is not None:
            return reading
        if nearest is None or miss < nearest[0]:
            nearest = miss, reading
    return nearest[1] if nearest else _failed(_NOT_FOUND, "no-barcode")


def _reading(
    grey: npt.NDArray[np.float32], row: _Row, profiles: _Profiles, offset: tuple[int, int]
) -> BarcodeReading:
    found, slots = int(profiles.inked.sum()), len(profiles.slots)
    extents = _extents(grey, row, profiles)
    box, skew = _box(row, extents, offset), -math.degrees(row.angle)
    if found != BAR_COUNT or slots != BAR_COUNT:
        return BarcodeReading(
            None, None, error=_count_error(profiles), error_code="bar-count", box=box, skew_deg=skew
        )
    bars, confidence = _classify(extents)
    try:
        decoded = read(bars)
    except ImbError as error:
        return BarcodeReading(
            bars,
            None,
            error=str(error),
            error_code=error.code,
            confidence=confidence,
            box=box,
            skew_deg=skew,
        )
    return BarcodeReading(
        bars, decoded.imb, decoded.upside_down, confidence=confidence, box=box, skew_deg=skew
    )


def _count_error(profiles: _Profiles) -> str:
    found, slots = int(profiles.inked.sum()), len(profiles.slots)
    empty = ", ".join(str(i + 1) for i in np.flatnonzero(~profiles.inked))
    gaps = f"no bar at position {empty} of {slots}"
    if found == BAR_COUNT:
        return f"found {found} bars, but with a gap among them ({gaps})"
    return f"found {found} bars, not {BAR_COUNT}" + (f" ({gaps})" if empty else "")


def _box(row: _Row, extents: _Extents, offset: tuple[int, int]) -> Box:
    half = row.bar_width / 2
    u = np.array([extents.u.min() - half, extents.u.max() + half])
    v = np.array([extents.tops.min(), extents.bottoms.max()])
    uu, vv = np.meshgrid(u, v)
    x, y = row.to_image(uu.reshape(-1), vv.reshape(-1))
    # Sample coordinates are pixel centres; the box is in pixel edges.
    return (
        offset[0] + math.floor(x.min() + 0.5),
        offset[1] + math.floor(y.min() + 0.5),
        offset[0] + math.ceil(x.max() + 0.5),
        offset[1] + math.ceil(y.max() + 0.5),
    )
