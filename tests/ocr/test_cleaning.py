"""Cleaning keeps the 3x3 median that was measured (benchmarks/QUALITY.md), only faster."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from ocr.cleaning import clean_page


def test_clean_page_gives_pillows_median_pixels_edges_included() -> None:
    grain = np.random.default_rng(7).integers(0, 256, (301, 207), dtype=np.uint8)
    page = Image.fromarray(grain)
    assert np.array_equal(np.asarray(clean_page(page)), np.asarray(page.filter(ImageFilter.MedianFilter(3))))
    assert np.array_equal(np.asarray(page), grain)  # the input is not changed
