"""Is the page one column of text? Then Tesseract can skip looking for columns.

Tesseract's automatic page segmentation (`--psm 3`) looks for columns before it reads.
On a single-column page (a letter, a notice, a form read line by line), telling it the
page is a single column (`--psm 4`) reads the same words with about 9 % less CPU
(benchmarks/QUALITY.md). On a page with columns that would interleave them, so any
page with a gutter, a vertical strip of paper between inked columns that runs down
COLUMN_INCHES or more, keeps the automatic mode. So does a page with a gutter anywhere
on it (a leaflet with one column on top and two below) as wide as a text line is tall and
as long as COLUMN_LINES lines: measured in the page's own line height, that holds
whatever resolution the file claims (scans recorded at 96 dpi make inches meaningless).
When in doubt the automatic mode is the safe one: it costs about 9 % more CPU, while a
single-column reading of two columns interleaves them line by line.

`--psm 6` (one uniform block) would save about 16 % more: it skips Tesseract's search for
ruled lines and pictures, which is most of the difference. Without that search it reads
pictures and barcodes as junk words, and on 40 generated letters with no picture at all
it read scanner specks as stray punctuation at line ends, ran paragraphs together and
lost 9 more of 7,532 words (benchmarks/QUALITY.md): not worth it.
"""

from __future__ import annotations

import numpy as np

from ocr.ink import ANALYSIS_DPI, InkMap, projection, text_lines, true_runs

#: Automatic layout analysis, for pages with columns (and the configured default before `auto`).
LAYOUT_PSM = 3
#: A single column of text of variable sizes, for single-column pages.
SINGLE_COLUMN_PSM = 4
#: The page is examined in strips this tall...
STRIP_INCHES = 0.5
#: ...for runs of blank paper this wide between inked columns...
GUTTER_INCHES = 0.2
#: ...and a gutter that holds at the same place down this much of the page makes columns.
#: (A letter's address and date blocks sit side by side for less.)
COLUMN_INCHES = 2.5
#: In the page's own measure: strips one line pitch tall, gutters a line height wide, holding
#: for COLUMN_LINES lines (a letter's address and date blocks sit side by side for four or five).
GUTTER_LINES = 1.0
COLUMN_LINES = 6
MIN_LINES = 6
#: Ink pixels a strip's column needs to count as inked...
MIN_INK = 2
#: ...and inked columns side by side, once gaps between letters are closed, a strip needs
#: to count as text: a word is wider, a speck of dust is not.
LETTER_GAP = round(0.03 * ANALYSIS_DPI)
MIN_INK_WIDTH = round(0.1 * ANALYSIS_DPI)


def segmentation_mode(ink: InkMap, configured: int | None) -> int:
    """The `--psm` for a page: `configured` if set, else by the page's columns."""
    if configured is not None:
        return configured
    return SINGLE_COLUMN_PSM if is_single_column(ink) else LAYOUT_PSM


def is_single_column(ink: InkMap) -> bool:
    """True unless the upright page `ink` has a gutter: one running down COLUMN_INCHES or
    more, or one as wide as a line is tall running down COLUMN_LINES lines."""
    strip = round(STRIP_INCHES * ANALYSIS_DPI)
    if _has_gutter(ink, strip, round(GUTTER_INCHES * ANALYSIS_DPI), round(COLUMN_INCHES / STRIP_INCHES)):
        return False
    lines = line_measure(ink)
    if lines is None:
        return True
    height, pitch = lines
    return not _has_gutter(ink, max(2, round(pitch)), max(3, round(GUTTER_LINES * height)), COLUMN_LINES)


def line_measure(ink: InkMap) -> tuple[float, float] | None:
    """Height of the page's text lines and their pitch (top to top) in analysis pixels, or None
    with fewer than MIN_LINES lines. Lower quartiles: lines of side-by-side columns that do
    not line up merge into taller bands, and paragraphs add wider steps."""
    ys, xs = ink.points
    bands = text_lines(projection(ys, xs, 0.0)) if len(ys) else []
    if len(bands) < MIN_LINES:
        return None
    height = float(np.percentile([band.height for band in bands], 25))
    steps = np.diff([band.top for band in bands])
    return height, max(height, float(np.percentile(steps, 25)))


def _has_gutter(ink: InkMap, strip: int, gutter_width: int, min_strips: int) -> bool:
    """Whether a blank strip of paper `gutter_width` wide, with ink either side, holds at the
    same place down `min_strips` consecutive strips of `strip` rows."""
    count = ink.shape[0] // strip
    if count < min_strips:
        return False
    width = ink.shape[1]
    inked = ink.ink[: count * strip].reshape(count, strip, width).sum(axis=1, dtype=np.int32) >= MIN_INK
    gutters = np.array([_gutter_columns(has_ink, gutter_width) for has_ink in inked])
    return _longest_vertical_run(gutters) >= min_strips


def _gutter_columns(has_ink: np.ndarray, min_width: int) -> np.ndarray:
    """Columns inside blank runs of at least `min_width`, between the strip's first and last ink.

    Letters are first joined into words (gaps up to LETTER_GAP); ink still narrower than
    MIN_INK_WIDTH across is no text but a speck of dust. The blank paper between specks
    would otherwise pass for gutters, and a dusty letter for a page with columns.
    """
    has_ink = has_ink.copy()
    for start, end in zip(*true_runs(~has_ink)):
        if 0 < start and end < has_ink.size and end - start <= LETTER_GAP:
            has_ink[start:end] = True
    for start, end in zip(*true_runs(has_ink)):
        if end - start < MIN_INK_WIDTH:
            has_ink[start:end] = False
    out = np.zeros(has_ink.size, dtype=bool)
    for start, end in zip(*true_runs(~has_ink)):
        if start > 0 and end < has_ink.size and end - start >= min_width:  # ink on both sides
            out[start:end] = True
    return out


def _longest_vertical_run(mask: np.ndarray) -> int:
    """Most consecutive strips in which any one column is a gutter."""
    run = np.zeros(mask.shape[1], dtype=np.int32)
    longest = 0
    for row in mask:
        run = np.where(row, run + 1, 0)
        longest = max(longest, int(run.max(initial=0)))
    return longest
