"""Clean a page image only where cleaning was measured to raise recall.

Measured per condition on generated pages (benchmarks/QUALITY.md, "Cleaning"):

- speckle and grain noise: a 3x3 median filter raised word recall from 0.967 to 0.997
  and made Tesseract faster (fewer blobs) — applied when the noise check fires. A 3x3 median
  keeps only strokes at least 2 pixels wide and wears those at every corner and end, so a
  page whose strokes are mostly under 3 pixels across (`thin_print`: a letter scanned at
  about 110 dpi) is read as scanned as well, and the reader keeps whichever reading is
  better (ocr.reading; a real typewritten letter: 0.81-0.87 of its words cleaned, 0.98 as
  scanned);
- blur, JPEG q40, G4 bitonal, clean pages: median, unsharp mask and Gaussian smoothing
  changed nothing or lowered recall — nothing is applied;
- 200 dpi: upscaling to 300 dpi gained one word in 600 for +27 % OCR time — not applied;
- faint (grey) lines next to black ones: Tesseract drops them whatever the psm; a pass
  with the grey levels pulled towards black reads them — used only as a recovery pass.

The noise check reads every eighth row of the page at full resolution (a few ms). The median
is OpenCV's: the same pixels as Pillow's MedianFilter(3), in about 2 ms of CPU against 650 ms
for an A4 page at 300 dpi (Pillow's is a general rank filter).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

#: Share of pixels that are isolated dark specks (all four neighbours paper).
SPECKLE_LIMIT = 5e-4
#: Mean grey-level jump between neighbouring paper pixels (0.2 on a clean scan, 10 on a grainy one).
GRAIN_LIMIT = 4.0
#: Typical stroke width, in pixels, a page needs for the 3x3 median (3-5 on pages at 200-300 dpi,
#: 2 on a typewritten letter scanned at about 110 dpi).
MIN_STROKE = 3.0


@dataclass(frozen=True, slots=True)
class Noise:
    speckle: float
    grain: float
    stroke: float = 0.0  # median width of the ink across a row, in pixels (lone specks left out)

    @property
    def is_noisy(self) -> bool:
        return self.speckle >= SPECKLE_LIMIT or self.grain >= GRAIN_LIMIT


def measure_noise(gray: np.ndarray) -> Noise:
    """Speckle, grain and stroke width of a page's grey levels, from every eighth row and its
    neighbours."""
    height, width = gray.shape
    blocks = (height - 2) // 8
    if blocks < 1 or width < 3:
        return Noise(0.0, 0.0, 0.0)
    # In each block of 8 rows: row 5 and its neighbours above and below.
    up, mid, down = (gray[shift : shift + 8 * blocks : 8] for shift in (4, 5, 6))
    dark = mid < 128
    up, down = up >= 128, down >= 128
    isolated = dark[:, 1:-1] & up[:, 1:-1] & down[:, 1:-1] & ~dark[:, :-2] & ~dark[:, 2:]
    paper = (mid[:, :-1] > 160) & (mid[:, 1:] > 160)
    on_paper = int(np.count_nonzero(paper))
    jumps = np.abs(np.diff(mid.astype(np.int16), axis=1))
    grain = float(jumps.sum(where=paper)) / on_paper if on_paper else 0.0
    return Noise(float(np.count_nonzero(isolated)) / isolated.size, grain, _stroke_width(dark))


def _stroke_width(dark: np.ndarray) -> float:
    """Median length of the runs of dark pixels along the rows, single pixels left out (specks
    and grain would outnumber the print on a noisy page): across a letter's stems, its stroke width."""
    edges = np.diff(dark.astype(np.int8), axis=1, prepend=0, append=0).ravel()
    runs = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
    runs = runs[runs >= 2]
    return float(np.median(runs)) if runs.size else 0.0


def should_clean(noise: Noise) -> bool:
    """Only noisy pages: filtering a clean or bitonal page was measured to lose words."""
    return noise.is_noisy


def thin_print(noise: Noise) -> bool:
    """Print too thin to come through the 3x3 median whole: worth reading as scanned as well."""
    return noise.stroke < MIN_STROKE


def clean_page(gray: Image.Image) -> Image.Image:
    """A despeckled copy of a greyscale page (3x3 median); the input is not changed."""
    return Image.fromarray(cv2.medianBlur(np.asarray(gray), 3))


def darken_faint_ink(gray: Image.Image) -> Image.Image:
    """A copy with faint (grey) ink pulled towards black and the paper left white.

    Used only for a second OCR pass when the completeness check finds lines of ink that
    the first pass did not read: Tesseract's binarisation drops grey lines on a page
    that also has black ones.
    """
    paper = max(1.0, float(np.percentile(np.asarray(gray.reduce(4) if min(gray.size) > 64 else gray), 90)))
    lut = [int(round(255 * min(1.0, v / paper) ** 3)) for v in range(256)]
    return gray.point(lut)
