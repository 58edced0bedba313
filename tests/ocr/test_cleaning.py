"""Cleaning keeps the 3x3 median that was measured (benchmarks/QUALITY.md), only faster."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ocr.cleaning import MIN_STROKE, clean_page, measure_noise, should_clean, thin_print
from tests.conftest import FONT


def test_clean_page_gives_pillows_median_pixels_edges_included() -> None:
    grain = np.random.default_rng(7).integers(0, 256, (301, 207), dtype=np.uint8)
    page = Image.fromarray(grain)
    assert np.array_equal(np.asarray(clean_page(page)), np.asarray(page.filter(ImageFilter.MedianFilter(3))))
    assert np.array_equal(np.asarray(page), grain)  # the input is not changed


def _grainy(size: int, *, seed: int) -> np.ndarray:
    """Lines of text in a font `size` pixels high, with scanner grain and dark specks."""
    font = ImageFont.truetype(FONT, size)
    page = Image.new("L", (40 * size, 12 * size), 255)
    draw = ImageDraw.Draw(page)
    for n in range(8):
        draw.text((size, size + int(1.4 * size) * n), "Council tax reduction: notice of entitlement", font=font, fill=0)
    rng = np.random.default_rng(seed)
    pixels = np.asarray(page, dtype=np.float32) + rng.normal(0, 18, (page.height, page.width))
    pixels[rng.random(pixels.shape) < 0.004] = 0
    return np.clip(pixels, 0, 255).astype(np.uint8)


def test_noisy_print_too_thin_for_the_median_is_told_apart_from_print_of_300_dpi() -> None:
    """A 3x3 median erases strokes under 2 pixels wide: noisy print that thin (a typed letter
    scanned at about 110 dpi) is also read as scanned; noisy print of 200-300 dpi is not."""
    thin, thick = measure_noise(_grainy(14, seed=1)), measure_noise(_grainy(46, seed=1))
    assert should_clean(thin) and should_clean(thick)
    assert thin.stroke < MIN_STROKE <= thick.stroke
    assert thin_print(thin)
    assert not thin_print(thick)


def test_stroke_width_leaves_lone_specks_out() -> None:
    paper = np.full((400, 600), 255, dtype=np.uint8)
    paper[:, 100:104] = 0  # a 4-pixel stem on every row
    specks = paper.copy()
    rng = np.random.default_rng(5)
    specks[rng.integers(0, 400, 4000), rng.integers(110, 600, 4000)] = 0
    assert measure_noise(paper).stroke == measure_noise(specks).stroke == 4.0
