"""What a page says about where records begin: its barcodes and whether it is blank.

One reduction of the page to analysis resolution serves both (`ocr.ink.reduce_gray`), so
the signals cost 15-20 ms of CPU an A4 page at 300 dpi, under 2 % of its OCR. The domain
(records.intake.separation) decides what they mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ocr.barcodes import DEFAULT_FORMATS, Barcode, read_reduced
from ocr.blank import BlankCheck, check_blank
from ocr.ink import analysis_scale, faint_ink_map, gray_pixels, reduce_gray


@dataclass(frozen=True, slots=True)
class PageSignals:
    """Barcodes on page `number` (1-based) and its blank test."""

    number: int
    barcodes: tuple[Barcode, ...]
    blank: BlankCheck

    @property
    def is_blank(self) -> bool:
        return self.blank.is_blank


def page_signals(
    image: Image.Image | np.ndarray, *, number: int, dpi: int | None,
    formats: Sequence[str] = DEFAULT_FORMATS,
) -> PageSignals:
    """Read the barcodes of a page image (or its grey levels) and test it for blankness.
    `formats` empty: no barcode is looked for (blank-page separation alone)."""
    gray = image if isinstance(image, np.ndarray) else gray_pixels(image)
    scale = analysis_scale(dpi, gray.shape)
    small = reduce_gray(gray, scale)
    blank = check_blank(faint_ink_map(small, scale))
    barcodes = read_reduced(small, scale, formats=formats) if formats and not blank.is_blank else ()
    return PageSignals(number, barcodes, blank)
