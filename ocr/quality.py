"""Did OCR read all the text on the page, and how far can its reading be trusted?

`check_reading` compares the ink on the prepared page with the words Tesseract
returned: every text-line band of ink should be mostly inside recognised word boxes.
A band that is not is a line OCR dropped (or a signature, a stamp, a smudge — a human
can tell). Within a one-line band, ink that runs unbroken for more than an inch is
no word (an ornamental border, a strip of photograph, a scanner edge) and is left
out, so such pages are neither flagged nor OCRed again for it. Together with the word
confidences this gives a per-page quality score in [0, 1] and, below the review
threshold or with lines unread, `needs_review` with stable reason codes the domain can
route on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from ocr._exec.tesseract import OcrWord
from ocr.ink import ANALYSIS_DPI, Band, InkMap, projection, text_lines, true_runs

#: A band counts as read when at least this share of its ink lies inside word boxes.
LINE_READ = 0.5
#: In a one-line band, ink running unbroken across more columns than this (an inch at the
#: analysis resolution) is no word: an ornamental border, a strip of photograph, a scanner edge.
MAX_WORD_RUN = ANALYSIS_DPI
#: Bands up to this many typical line heights, and half an inch, are single lines (taller
#: ones are lines run together, or a page whose columns' lines do not line up).
SINGLE_LINE = 1.5
MAX_LINE = ANALYSIS_DPI // 2
#: Characters are at most this many times as wide as their word's box is high (a W is about 1).
MAX_CHAR_WIDTH = 2.5
#: Ink this near the sheet's edge (a share of its width or height) is the scanner's: a dark
#: strip down a side, a shadow along the top. Left out when asking whether a missed band is a
#: text line a reviewer should see (real scans: a third of the well-read pages flagged were so).
EDGE_MARGIN = 0.02
#: A missed band holding less ink than this share of a typical line's, the edges left out, holds
#: at most a word's worth of specks: missed by the passes, not worth a reviewer's look.
SPECK_LINE = 0.1
#: Share of a page's text lines left unread (after the recovery passes) that makes it doubtful.
UNREAD_SHARE = 0.05
#: Bands taller than this are no text line but a slab (columns whose lines do not line up
#: across the page, a photograph): left to the word confidences, not counted as lines.
MAX_BAND = ANALYSIS_DPI
#: A page whose row profile shows fewer text-line bands than this although Tesseract read
#: more words than MANY_WORDS has no line structure to check (a spread whose columns' lines
#: do not line up, a black scanner edge down its side): its confidences speak for it.
MIN_BANDS = 3
MANY_WORDS = 40
#: Words below this confidence count as doubtful.
DOUBTFUL_WORD = 60.0
#: Mean word confidence below which a reading looks garbled (upright pages read at 85-97).
GARBLED_CONFIDENCE = 70.0
#: Pages scoring below this go to review (set from the benchmark's recall-by-score table).
REVIEW_BELOW = 0.75


class ReviewReason(StrEnum):
    """Why a page needs a human look. Stored in sidecars: add values, never rename them."""

    lines_unread = "lines_unread"
    low_confidence = "low_confidence"
    ink_without_text = "ink_without_text"
    orientation_uncertain = "orientation_uncertain"


@dataclass(frozen=True, slots=True)
class Reading:
    """How one OCR pass of a page compares with the ink on it."""

    ink_lines: int
    missed_lines: int  # bands under LINE_READ: steers which passes run and which is kept
    unread_lines: int  # those of them that look like print, not edges or specks: steers review
    coverage: float  # share of text-line ink inside recognised word boxes
    text_coverage: float  # the same, missed bands that are edges or specks left out
    mean_confidence: float
    doubtful_share: float  # share of words below DOUBTFUL_WORD
    words: int

    @property
    def is_complete(self) -> bool:
        return self.missed_lines == 0

    @property
    def lines_unread(self) -> bool:
        """Lines missed enough to doubt the reading: one of a short page's, or UNREAD_SHARE of a
        long page's. One unread band among sixty is a logo, a signature or a stamp far more
        often than a dropped line (real scans: 1 of 53 on a transcript read at 96 %)."""
        return self.unread_lines > 0 and self.unread_lines >= UNREAD_SHARE * self.ink_lines

    @property
    def is_garbled(self) -> bool:
        """Ink but no words, or words Tesseract itself doubts (what an upside-down page gives)."""
        if self.words == 0:
            return self.ink_lines > 0
        return self.mean_confidence < GARBLED_CONFIDENCE or self.doubtful_share > 0.3

    @property
    def score(self) -> float:
        """Quality in [0, 1]: the weakest of coverage and word confidence, scaled by the share of
        lines read (edges and specks left out). Scaled, not less that share: unread lines already lower the coverage, and
        subtracting them as well took a short page read at 95 % whose signature and stamps went
        unread to 0.000, the score of a page with nothing read."""
        if self.ink_lines == 0 and self.words == 0:
            return 1.0  # a blank page, read as blank
        if self.words == 0:
            return 0.0
        confidence = min(1.0, max(0.0, (self.mean_confidence - 40.0) / 50.0)) * (1.0 - 0.5 * self.doubtful_share)
        coverage = min(1.0, self.text_coverage / 0.95)
        unread = self.unread_lines / max(1, self.ink_lines)
        return round(max(0.0, min(confidence, coverage) * (1.0 - unread)), 3)

    def is_better_than(self, other: Reading) -> bool:
        """For two passes over the same page: reads more lines, or clearly more ink no less surely."""
        if self.missed_lines != other.missed_lines:
            return self.missed_lines < other.missed_lines
        return self.coverage > other.coverage + 0.05 and self.mean_confidence >= other.mean_confidence - 5


@dataclass(frozen=True, slots=True)
class _Miss:
    """A band under LINE_READ: its ink and ink read, in all and inside the page's edge strips."""

    ink: float
    read: float
    inner_ink: float
    inner_read: float

    def is_print(self, typical: float) -> bool:
        """Unread print rather than a scanner edge or a few specks (`typical`: a line's ink)."""
        return self.inner_ink >= SPECK_LINE * typical and self.inner_read < LINE_READ * self.inner_ink


def check_reading(ink: InkMap, words: Sequence[OcrWord]) -> Reading:
    """Compare the upright, straightened page's ink (`ink`) with the words OCR found on it."""
    bands = _text_bands(ink)
    if len(bands) < MIN_BANDS and len(words) > MANY_WORDS:
        bands = []  # many words, no lines to check them against: the rows hold no line structure
    single = min(SINGLE_LINE * float(np.median([b.height for b in bands])), MAX_LINE) if bands else 0.0
    read = _word_mask(ink, words)
    total = covered = 0.0
    lines = 0
    misses: list[_Miss] = []
    inks: list[float] = []
    for band in bands:
        block, block_read = ink.ink[band.top : band.bottom], read[band.top : band.bottom]
        columns = _columns_inside_edges(ink, band)
        all_ink = band_ink = float(block.sum())
        if band.height <= single:
            words_only = _word_columns(block)
            if not words_only.all():
                block, block_read, columns = block[:, words_only], block_read[:, words_only], columns[words_only]
                band_ink = float(block.sum())
        if not band_ink or band_ink < 0.25 * all_ink:
            continue  # mostly a border or picture: no text line to check
        band_read = float((block & block_read).sum())
        lines += 1
        total += band_ink
        covered += band_read
        inks.append(band_ink)
        if band_read / band_ink < LINE_READ:
            within = block[:, columns]
            misses.append(_Miss(band_ink, band_read, float(within.sum()), float((within & block_read[:, columns]).sum())))
    typical = float(np.median(inks)) if inks else 0.0
    unread = sum(1 for m in misses if m.is_print(typical))
    not_print = [m for m in misses if not m.is_print(typical)]
    text_total, text_covered = total - sum(m.ink for m in not_print), covered - sum(m.read for m in not_print)
    confidences = [w.confidence for w in words]
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    doubtful = sum(1 for c in confidences if c < DOUBTFUL_WORD) / len(confidences) if confidences else 0.0
    return Reading(lines, len(misses), unread, covered / total if total else 1.0,
                   text_covered / text_total if text_total else 1.0, round(mean, 2), round(doubtful, 3), len(words))


def review_reasons(reading: Reading, *, orientation_certain: bool = True) -> tuple[ReviewReason, ...]:
    """Stable reason codes for a page that should be looked at; empty when it reads well."""
    reasons: list[ReviewReason] = []
    if reading.words == 0 and reading.ink_lines > 0:
        reasons.append(ReviewReason.ink_without_text)
    elif reading.lines_unread:
        reasons.append(ReviewReason.lines_unread)
    if reading.words and reading.score < REVIEW_BELOW and not reading.lines_unread:
        reasons.append(ReviewReason.low_confidence)
    if not orientation_certain and reading.score < REVIEW_BELOW:
        reasons.append(ReviewReason.orientation_uncertain)
    return tuple(reasons)


def _text_bands(ink: InkMap) -> list[Band]:
    """Ink bands shaped like text lines: not hairlines, not slabs taller than three lines."""
    ys, xs = ink.points
    profile = projection(ys, xs, 0.0) if len(ys) else np.zeros(1)
    offset = int(ys.min()) if len(ys) else 0
    found = [Band(b.top + offset, b.bottom + offset, b.ink) for b in text_lines(profile)]
    if not found:
        return []
    typical = float(np.median([b.height for b in found]))
    return [b for b in found if 0.3 * typical <= b.height <= min(3.0 * typical, MAX_BAND)
            and b.ink >= 0.02 * _median_ink(found)]


def _word_columns(block: np.ndarray) -> np.ndarray:
    """Columns of a one-line band outside unbroken runs of ink longer than a word."""
    keep = np.ones(block.shape[1], dtype=bool)
    for start, end in zip(*true_runs(block.any(axis=0))):
        if end - start > MAX_WORD_RUN:
            keep[start:end] = False
    return keep


def _columns_inside_edges(ink: InkMap, band: Band) -> np.ndarray:
    """The band's columns inside the EDGE_MARGIN strips, where a scan's print lies; none for a
    band in the top or bottom strip."""
    rows, cols = ink.shape
    top, side = max(1, round(EDGE_MARGIN * rows)), max(1, round(EDGE_MARGIN * cols))
    inside = np.zeros(cols, dtype=bool)
    if band.top >= top and band.bottom <= rows - top:
        inside[side : cols - side] = True
    return inside


def _median_ink(bands: Sequence[Band]) -> float:
    return float(np.median([b.ink for b in bands]))


def _word_mask(ink: InkMap, words: Sequence[OcrWord]) -> np.ndarray:
    """Analysis-resolution mask of the recognised words' boxes, padded by one pixel.

    A "word" whose characters would each be wider than MAX_CHAR_WIDTH box heights is no
    reading of text but a few letters guessed over a graphic (a barcode, a hatched box),
    which one-block segmentation does read: its box does not count as read.
    """
    mask = np.zeros(ink.ink.shape, dtype=bool)
    s = ink.scale
    for w in words:
        if w.chars and w.width > MAX_CHAR_WIDTH * w.height * w.chars:
            continue
        top, left = max(0, w.top // s - 1), max(0, w.left // s - 1)
        mask[top : (w.top + w.height) // s + 2, left : (w.left + w.width) // s + 2] = True
    return mask
