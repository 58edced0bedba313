"""Which way up a page is: a cheap look at the ink first, Tesseract's OSD only when unsure.

1. Line direction. The ink's row projection is much sharper along text lines than
   across them, so comparing the best projection of the page with that of the page
   turned 90° tells upright-or-upside-down (0/180) from sideways (90/270).
2. Up or down. In Latin script, ascenders and capitals put more ink above the x-height
   band of each line than descenders put below it; upside down it is the reverse.

Both take milliseconds on the reduced ink map. When a signal is weak (a single line,
figures or capitals only, typewritten pages whose characters line up in columns), the
caller asks Tesseract's OSD (`--psm 0`) and, if that is unsure too, OCRs the page both
ways up and keeps the more confident reading (see `ocr.reading`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ocr.deskew import COARSE_STEP, MAX_SKEW, measure_skew
from ocr.ink import InkMap, projection, sharpness, text_lines

#: Fewer ink pixels than this (at analysis resolution) is a blank page.
MIN_INK_POINTS = 50
#: Ink points sampled for the line-direction test (rows against columns).
DIRECTION_POINTS = 30_000
#: Profile bins left out at each end of the ink's extent by the direction test.
EDGE = 3
#: Direction is trusted when one axis is this much sharper than the other.
DIRECTION_MARGIN = 1.6
#: A weaker direction margin is enough when the chosen axis also shows this many text
#: lines with a clear up/down signal: read across the lines (the wrong axis), pages of
#: 20-30 lines showed at most 4. Spares OSD (0.5-0.7 s) on proportional-font letters.
WEAK_DIRECTION_MARGIN = 1.2
LINES_CONFIRMING_DIRECTION = 12
#: Up/down is trusted when (above - below) / (above + below) is at least this far from 0 ...
UPDOWN_MARGIN = 0.15
#: ... over at least this many text lines,
MIN_LINES = 4
#: or at least this far over at least this many (on 144 two-line pages |score| was >= 0.3).
#: A wrong call here is still caught: a garbled reading is retried the other way up.
SHORT_UPDOWN_MARGIN = 0.4
SHORT_MIN_LINES = 1


@dataclass(frozen=True, slots=True)
class Orientation:
    """How to turn a page upright: `rotation` degrees clockwise, then undo `skew` (degrees CCW)."""

    rotation: int
    skew: float
    certain: bool
    direction_ratio: float
    updown: float
    lines: int


def guess_orientation(ink: InkMap) -> Orientation:
    """Rotation and skew from the ink alone; `certain` says whether OSD is worth asking."""
    if len(ink.points[0]) < MIN_INK_POINTS:  # blank: nothing to turn
        return Orientation(0, 0.0, True, 1.0, 0.0, 0)
    ys, xs = _sample(ink)
    along, tilt = _best_sharpness(ys, xs)
    ratio = (along + 1.0) / (_best_sharpness(xs, ys)[0] + 1.0)
    base = 0 if ratio >= 1 else 90
    frame = ink if base == 0 else ink.rotated(90)
    skew = measure_skew(frame, near=tilt if base == 0 else None).angle
    score, lines = updown_score(frame, skew)
    rotation = base if score >= 0 else (base + 180) % 360
    margin = max(ratio, 1 / ratio)
    direction_sure = margin >= DIRECTION_MARGIN or (
        margin >= WEAK_DIRECTION_MARGIN and lines >= LINES_CONFIRMING_DIRECTION and abs(score) >= UPDOWN_MARGIN * 2
    )
    updown_sure = (abs(score) >= UPDOWN_MARGIN and lines >= MIN_LINES) or (
        abs(score) >= SHORT_UPDOWN_MARGIN and lines >= SHORT_MIN_LINES
    )
    return Orientation(rotation, skew, direction_sure and updown_sure, round(ratio, 2), round(score, 3), lines)


def _sample(ink: InkMap) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = ink.points
    step = max(1, len(ys) // DIRECTION_POINTS)
    return ys[::step], xs[::step]


def _best_sharpness(ys: np.ndarray, xs: np.ndarray) -> tuple[float, float]:
    """Sharpest row profile over the skew range (high when rows run along text lines), and its angle."""
    return max((_inner_sharpness(projection(ys, xs, float(a))), float(a))
               for a in np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, COARSE_STEP))


def _inner_sharpness(profile: np.ndarray) -> float:
    """Sharpness inside the ink's extent, so the jump at a flush left margin counts for nothing.
    (Typewritten pages still give sharp columns, every character in its cell: their ratio
    stays near 1 and they are sent to OSD.)"""
    inked = np.flatnonzero(profile)
    if len(inked) < 2 * EDGE + 2:
        return sharpness(profile)
    return sharpness(profile[inked[0] + EDGE : inked[-1] - EDGE + 1])


def updown_score(ink: InkMap, skew: float) -> tuple[float, int]:
    """(ink above the x-height bands - ink below) / both, over text-like lines; and their count."""
    ys, xs = ink.points
    profile = projection(ys, xs, skew)
    if not profile.any():
        return 0.0, 0
    above = below = 0.0
    lines = 0
    for band in text_lines(profile):
        if band.height < 5:
            continue
        rows = profile[band.top : band.bottom]
        core = np.nonzero(rows >= 0.5 * rows.max())[0]
        top, bottom = int(core[0]), int(core[-1])
        if bottom - top + 1 > 0.8 * band.height:  # figures or capitals only: no signal
            continue
        # Skip the row either side of the core: blur and residual tilt smear the
        # x-height line and the baseline into it, which says nothing about up or down.
        above += float(rows[: max(0, top - 1)].sum())
        below += float(rows[bottom + 2 :].sum())
        lines += 1
    total = above + below
    return (above - below) / total if total else 0.0, lines
