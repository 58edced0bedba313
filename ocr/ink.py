"""Where the ink is on a page, at low resolution: the cheap measurements behind every check.

A page image is reduced by area averaging to about 150 dpi and thresholded (Otsu), so
isolated specks of scanner noise fade out while text strokes stay. Everything else —
line direction, skew, up/down, text-line bands — is computed from the ink pixels'
coordinates with numpy, in tens of milliseconds for an A4 page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np
from PIL import Image

from ocr.defaults import DEFAULT_DPI
from ocr.resolution import MAX_SHEET_INCHES
from ocr.rotate import rotate_about_centre

#: Analysis resolution. High enough to see ascenders and descenders of 9-pt text.
ANALYSIS_DPI = 150
#: The longest side of the map the analysis works on: twice the largest sheet a records scanner
#: takes, at ANALYSIS_DPI. A file recording a resolution far below its pixels' (a 500-dpi scan
#: "at 72 dpi") would otherwise be measured at full size, its text seven times too large for
#: the skew and line measures (a straight page measured 5.5 degrees askew). Within a factor of
#: two the recorded resolution is believed: the measures were tuned on real scans recording
#: 96 dpi for about 230, which read worse analysed at their true scale (a table 0.84 → 0.71).
MAX_ANALYSIS_SIDE = round(2 * MAX_SHEET_INCHES * ANALYSIS_DPI)
#: Most ink points used for profile searches; more only costs time.
MAX_POINTS = 120_000
#: How much darker than the paper a pixel must be to count as (possibly faint) ink.
FAINT_CONTRAST = 60


@dataclass(frozen=True)
class InkMap:
    """Ink of one page at analysis resolution; `scale` page pixels make one analysis pixel."""

    ink: np.ndarray  # bool, shape (rows, cols)
    scale: int

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.ink.shape[0]), int(self.ink.shape[1]))

    @cached_property
    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """(ys, xs) of ink pixels, evenly thinned to at most MAX_POINTS (thinned as flat
        indices, then split: a fifth of the time of np.nonzero's two full index arrays)."""
        flat = np.flatnonzero(self.ink)
        step = max(1, len(flat) // MAX_POINTS)
        ys, xs = np.divmod(flat[::step], max(1, self.ink.shape[1]))
        return ys.astype(np.float32), xs.astype(np.float32)

    @property
    def ink_fraction(self) -> float:
        return float(self.ink.mean()) if self.ink.size else 0.0

    def rotated(self, clockwise: int) -> InkMap:
        """The same ink after turning the page `clockwise` degrees (a multiple of 90); itself
        for no turn, so that its measured points are kept."""
        if clockwise % 360 == 0:
            return self
        return InkMap(np.ascontiguousarray(np.rot90(self.ink, -(clockwise // 90) % 4)), self.scale)

    def tilted(self, skew: float, *, expand: bool) -> InkMap:
        """The same ink after undoing a tilt of `skew` degrees the way `deskew.straighten`
        does it to the page (same centre, same `expand`): a tenth of measuring it again."""
        out = rotate_about_centre(self.ink.view(np.uint8), -skew, expand=expand, fill=0, nearest=True)
        return InkMap(out.view(bool), self.scale)


def analysis_scale(dpi: int | None, shape: tuple[int, ...]) -> int:
    """How many page pixels make one analysis pixel: by the page's resolution, and never so
    few that the map is larger than any scanned sheet (`MAX_ANALYSIS_SIDE`)."""
    by_size = math.ceil(max(shape[:2], default=0) / MAX_ANALYSIS_SIDE)
    return max(1, round((dpi or DEFAULT_DPI) / ANALYSIS_DPI), by_size)


def ink_map(image: Image.Image | np.ndarray, *, dpi: int | None, faint: bool = False) -> InkMap:
    """Threshold a reduced greyscale copy of `image` into an ink map.

    By default the threshold is Otsu's (capped), which sees the page's main text. With
    `faint`, anything clearly darker than the paper counts: faded or grey lines that
    Tesseract's own binarisation drops, which is what the completeness check must see.
    """
    text, light = ink_maps(image, dpi=dpi)
    return light if faint else text


def gray_pixels(image: Image.Image) -> np.ndarray:
    """The page as an array of grey levels (a copy: Pillow hands out no view of its pixels).

    A bitonal page comes out of Pillow as bytes of 0 and 255 already, typed as booleans:
    read as bytes, those are its grey levels, without a conversion in between.
    """
    if image.mode == "1":
        return np.asarray(image).view(np.uint8)
    return np.asarray(image if image.mode == "L" else image.convert("L"))


def ink_maps(image: Image.Image | np.ndarray, *, dpi: int | None) -> tuple[InkMap, InkMap]:
    """Both ink maps of `image` (a page, or its grey levels) from one reduction."""
    gray = image if isinstance(image, np.ndarray) else gray_pixels(image)
    scale = analysis_scale(dpi, gray.shape)
    return reduced_ink_maps(reduce_gray(gray, scale), scale)


def reduce_gray(gray: np.ndarray, scale: int) -> np.ndarray:
    """Grey levels reduced `scale` times by area averaging of whole scale x scale blocks (a
    partial block at an edge is left out): PIL's reduce(), four times faster on an array.
    Shared by the ink maps and the barcode reader, so a page is reduced once."""
    height, width = gray.shape
    if scale <= 1 or height < scale or width < scale:
        return gray
    return cv2.resize(gray[: height - height % scale, : width - width % scale],
                      (width // scale, height // scale), interpolation=cv2.INTER_AREA)


def reduced_ink_maps(small: np.ndarray, scale: int) -> tuple[InkMap, InkMap]:
    """Both ink maps of grey levels already reduced by `scale` (`reduce_gray`)."""
    hist = cv2.calcHist([small], [0], None, [256], [0, 256]).ravel().astype(np.int64)
    faint = small < faint_threshold(small, hist)
    rules = _long_runs(faint, ANALYSIS_DPI, axis=1)
    text = (small < otsu_threshold(small, hist)) & ~rules
    return InkMap(text, scale), InkMap(faint & ~rules, scale)


def faint_ink_map(small: np.ndarray, scale: int) -> InkMap:
    """Anything clearly darker than the paper in grey levels already reduced by `scale`, ruled
    lines included: what the blank test counts (a ruled form is no blank page). A third of
    the time of both maps."""
    hist = cv2.calcHist([small], [0], None, [256], [0, 256]).ravel().astype(np.int64)
    return InkMap(small < faint_threshold(small, hist), scale)


def _long_runs(ink: np.ndarray, length: int, *, axis: int) -> np.ndarray:
    """Pixels lying in a run of at least `length` ink pixels along `axis`: ruled lines,
    underlines, solid bars. Removed from the ink maps, they would otherwise swamp the line
    profiles and count as unread text. (Vertical rules cost more to find than they
    disturb: a box's sides add a few per cent to the ink of the lines it crosses.)

    Found by erosion, doubling the window each step (a window of `length` is ink if two
    overlapping shorter ones are), then spread back over the rows that have any: a fifth
    of the time of listing every run of the page."""
    a = ink if axis == 1 else ink.T
    rows, cols = a.shape
    out = np.zeros((rows, cols), dtype=bool)
    if cols < length:
        return out if axis == 1 else out.T
    starts, span = a, 1  # starts[:, j]: a[:, j : j + span] is all ink
    while span < length:
        step = min(span, length - span)
        starts = starts[:, :-step] & starts[:, step:]
        span += step
    hit = np.flatnonzero(starts.any(axis=1))
    if hit.size:  # few: rules and bars only
        begins = starts[hit].astype(np.int32)
        marks = np.zeros((hit.size, cols + 1), dtype=np.int32)
        marks[:, : begins.shape[1]] += begins
        marks[:, length : length + begins.shape[1]] -= begins
        out[hit] = np.cumsum(marks, axis=1)[:, :cols] > 0
    return out if axis == 1 else out.T


def true_runs(flags: np.ndarray) -> tuple[list[int], list[int]]:
    """(starts, ends) of the runs of True in a 1-D array; each end is exclusive."""
    edges = np.flatnonzero(np.diff(flags.astype(np.int8), prepend=0, append=0))
    return edges[::2].tolist(), edges[1::2].tolist()


def faint_threshold(pixels: np.ndarray, hist: np.ndarray | None = None) -> int:
    """Paper level (the 90th percentile) less FAINT_CONTRAST grey levels."""
    if not pixels.size:
        return 128
    counts = np.bincount(pixels.ravel(), minlength=256) if hist is None else hist
    share = np.cumsum(counts) / pixels.size
    paper = int(np.searchsorted(share, 0.9))
    return int(max(40, paper - FAINT_CONTRAST))


def otsu_threshold(pixels: np.ndarray, hist: np.ndarray | None = None) -> int:
    """Grey level that best separates ink from paper, capped so that specks and grey noise stay paper."""
    hist = (np.bincount(pixels.ravel(), minlength=256) if hist is None else hist).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 128
    levels = np.arange(256, dtype=np.float64)
    weight = np.cumsum(hist)
    mass = np.cumsum(hist * levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mass[-1] * weight / total - mass) ** 2 / (weight * (total - weight))
    between = np.nan_to_num(between[:-1])
    if not between.any():
        return 128
    return int(min(160, max(40, int(np.argmax(between)) + 1)))


def projection(ys: np.ndarray, xs: np.ndarray, angle: float) -> np.ndarray:
    """Row histogram of the ink after undoing a counter-clockwise tilt of `angle` degrees."""
    if len(ys) == 0:
        return np.zeros(1)
    t = math.radians(angle)
    rows = ys * math.cos(t) + xs * math.sin(t)
    rows -= rows.min()
    return np.bincount(rows.astype(np.int32)).astype(np.float64)


def sharpness(profile: np.ndarray) -> float:
    """Postl's criterion: text lines crossed square-on give the largest jumps between rows."""
    return float(np.square(np.diff(profile)).sum())


@dataclass(frozen=True, slots=True)
class Band:
    """A horizontal run of rows holding ink (normally one text line), analysis pixels."""

    top: int
    bottom: int  # exclusive
    ink: float

    @property
    def height(self) -> int:
        return self.bottom - self.top


def bands(profile: np.ndarray, *, min_ink: float = 2.0, min_gap: int = 1) -> list[Band]:
    """Runs of rows whose ink is above `min_ink`, split at gaps of at least `min_gap` rows."""
    inked = profile > min_ink
    out: list[Band] = []
    start: int | None = None
    gap = 0
    for row, on in enumerate(inked):
        if on:
            if start is None:
                start = row
            gap = 0
        elif start is not None:
            gap += 1
            if gap >= min_gap:
                out.append(Band(start, row - gap + 1, float(profile[start : row - gap + 1].sum())))
                start, gap = None, 0
    if start is not None:
        end = len(profile) - gap
        out.append(Band(start, end, float(profile[start:end].sum())))
    return out


def text_lines(profile: np.ndarray) -> list[Band]:
    """Text-line bands of a row profile: cores above 3% of the peak, grown over faint rows.

    The core threshold keeps scanner noise from joining lines. Each band then grows
    while rows still hold ink (up to half its height, never into the next band), and a
    sliver left over (the loose descenders of a line) joins the line it touches, so a
    band is a whole line with its ascenders and descenders.
    """
    if not profile.any():
        return []
    cores = bands(profile, min_ink=max(2.0, 0.03 * float(profile.max())))
    faint = max(1.0, float(np.percentile(profile, 10)))
    grown: list[Band] = []
    for i, band in enumerate(cores):
        floor = grown[-1].bottom if grown else 0
        ceiling = cores[i + 1].top if i + 1 < len(cores) else len(profile)
        reach = max(2, band.height // 2)
        top, bottom = band.top, band.bottom
        while top > max(floor, band.top - reach) and profile[top - 1] > faint:
            top -= 1
        while bottom < min(ceiling, band.bottom + reach) and profile[bottom] > faint:
            bottom += 1
        grown.append(Band(top, bottom, float(profile[top:bottom].sum())))
    return _merge_slivers(grown, profile)


def _merge_slivers(lines: list[Band], profile: np.ndarray) -> list[Band]:
    if len(lines) < 2:
        return lines
    typical = float(np.median([b.height for b in lines]))
    out = list(lines)
    i = 0
    while i < len(out) and len(out) > 1:
        band = out[i]
        if band.height >= 0.5 * typical:
            i += 1
            continue
        gaps = [
            (band.top - out[i - 1].bottom, i - 1) if i > 0 else (10**9, -1),
            (out[i + 1].top - band.bottom, i + 1) if i + 1 < len(out) else (10**9, -1),
        ]
        gap, j = min(gaps)
        if j < 0 or gap > max(2.0, 0.25 * typical):
            i += 1
            continue
        a, b = sorted((i, j))
        top, bottom = out[a].top, out[b].bottom
        out[a : b + 1] = [Band(top, bottom, float(profile[top:bottom].sum()))]
        i = a
    return out
