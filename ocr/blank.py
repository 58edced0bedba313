"""Is a page blank? The ink map's own blank test, with scanner dust and page edges left out.

`guess_orientation` calls a page blank below MIN_INK_POINTS ink pixels at analysis
resolution. That alone calls a dusty duplex back a page: 60-200 specks of dust leave
more ink than that. So before counting, ink blobs smaller than a speck (under about half
a millimetre across) and ink along the page edges (scanner shadows, punch holes) are
dropped. The faint ink map is counted (anything clearly darker than the paper), so a
pencil note is ink; bleed-through from the other side is much lighter and is not. What is
left of a one-line note or a signature is hundreds of pixels, well over the limit
(measured on generated pages: benchmarks/separation.py, tests/ocr/test_page_signals.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ocr.ink import ANALYSIS_DPI, InkMap
from ocr.orientation import MIN_INK_POINTS

#: Ink blobs of fewer analysis pixels than this are dust: a 2 mm speck at 300 dpi comes to
#: at most 12; the stem of a letter at 9 pt to 20 or more.
MIN_BLOB = 16
#: Ink within this share of an inch of the page edge is a scanner shadow or a punch hole.
EDGE_INCH = 0.3
#: More ink than this (analysis pixels) is a page without counting blobs: dust on the
#: generated backs comes to at most 3,000, a page of letter text to 8,000-100,000. Saves the
#: blob count (12-25 ms) on pages of text.
SURELY_INKED = 10_000


@dataclass(frozen=True, slots=True)
class BlankCheck:
    """What the blank test counted: ink pixels left once dust and edges are dropped, and the
    dust blobs it dropped."""

    ink_points: int
    dust: int

    @property
    def is_blank(self) -> bool:
        return self.ink_points < MIN_INK_POINTS


def check_blank(faint: InkMap) -> BlankCheck:
    """Count the ink of a page's faint ink map (`ocr.ink.faint_ink_map`) that is not dust;
    on a page of text, all its ink (`dust` 0: not counted)."""
    ink = faint.ink
    edge = round(EDGE_INCH * ANALYSIS_DPI)
    rows, cols = ink.shape
    if rows <= 2 * edge or cols <= 2 * edge:
        return BlankCheck(0, 0)
    inner = np.ascontiguousarray(ink[edge : rows - edge, edge : cols - edge]).view(np.uint8)
    total = int(np.count_nonzero(inner))
    if total == 0 or total >= SURELY_INKED:
        return BlankCheck(total, 0)
    count, _, stats, _ = cv2.connectedComponentsWithStats(inner, connectivity=8)
    areas = stats[1:count, cv2.CC_STAT_AREA]
    kept = areas >= MIN_BLOB
    return BlankCheck(int(areas[kept].sum()), int((~kept).sum()))
