"""Skewed pages: the angle is measured, undone before OCR, and recorded."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ocr import ocr_document
from ocr.deskew import measure_skew, straighten
from ocr.ink import ink_map
from tests.conftest import render_lines, word_recall

LINES = [
    "Minutes of the meeting of the licensing committee",
    "Members considered the application for a premises licence",
    "and resolved that the licence be granted subject to conditions.",
    "The applicant and two residents addressed the committee.",
    "Councillor Rhys Morgan declared a personal interest in item 4.",
    "The meeting closed at 8.15 pm; next meeting 12 May 2026.",
]
TRUTH = "\n".join(LINES)


def _tilted(angle: float) -> Image.Image:
    page = render_lines(LINES, size=(2480, 1200))
    return page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)


@pytest.mark.parametrize("angle", [-3.0, -1.0, 0.5, 3.0])
def test_measure_skew_finds_small_tilts(angle: float) -> None:
    assert measure_skew(ink_map(_tilted(angle), dpi=300)).angle == pytest.approx(angle, abs=0.15)


def test_measure_skew_two_words_report_no_tilt() -> None:
    page = render_lines(["Page 3"], size=(2480, 1200))
    assert measure_skew(ink_map(page, dpi=300)).angle == 0.0


def test_straighten_bitonal_page_stays_bitonal_and_keeps_its_size() -> None:
    page = _tilted(2.0).convert("1")
    out = straighten(page, rotation=0, skew=2.0)
    assert out.mode == "1"
    assert out.size == page.size


def test_straighten_grows_canvas_rather_than_cut_ink() -> None:
    """A bar along the top edge would be pushed off a same-size page by the 3° turn: the canvas
    grows to the turned page's bounding box and the whole bar is in it, turned clockwise."""
    page = Image.new("L", (1000, 600), 255)
    page.paste(0, (0, 0, 1000, 8))  # ink along the top edge: 8,000 pixels
    out = straighten(page, rotation=0, skew=3.0)
    cos, sin = math.cos(math.radians(3.0)), math.sin(math.radians(3.0))
    assert out.size == pytest.approx((1000 * cos + 600 * sin, 1000 * sin + 600 * cos), abs=2)  # 1030 x 652
    ink = np.asarray(out) < 128
    assert ink.sum() == pytest.approx(8000, rel=0.02), "ink was cut off"
    ys, xs = np.nonzero(ink)
    assert xs.max() - xs.min() + 1 == pytest.approx(1000 * cos + 8 * sin, abs=2)  # the bar's full length
    assert ys.max() - ys.min() + 1 == pytest.approx(1000 * sin + 8 * cos, abs=2)  # ... across 61 rows
    assert ys[xs == xs.min()].mean() < 10 and ys[xs == xs.max()].mean() > 50, "left end high, right end low"


def test_ocr_document_skewed_page_reads_in_text_and_pdf(tmp_path: Path) -> None:
    path = tmp_path / "skewed.png"
    _tilted(-3.0).save(path, dpi=(300, 300))
    result = ocr_document(path, work_dir=tmp_path / "w")
    page = result.pages[0]
    assert page.skew == pytest.approx(-3.0, abs=0.15)
    assert word_recall(TRUTH, page.text) >= 0.97
    layer = subprocess.run(["pdftotext", str(result.pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    assert word_recall(TRUTH, layer) >= 0.97


def test_straightened_colour_page_is_written_with_the_pixels_pillow_would_write(tmp_path: Path) -> None:
    from ocr.colour import ColourPage
    from ocr.prepare import Preparation, prepare_page, save_prepared

    grey = _tilted(2.0)
    page = Image.merge("RGB", (grey, grey.point(lambda v: min(255, v + 40)), grey.point(lambda v: v // 2)))
    prepared = prepare_page(page, np.asarray(grey), Preparation(0, 2.0))
    assert isinstance(prepared, ColourPage)  # kept as OpenCV's array, not copied into Pillow's
    expected = np.asarray(straighten(page, rotation=0, skew=2.0))
    written = save_prepared(prepared, tmp_path / "p", 300)
    with Image.open(written) as out:
        assert out.mode == "RGB"
        assert np.array_equal(np.asarray(out), expected)


def test_ocr_document_tilted_colour_scan_keeps_its_page_size(tmp_path: Path) -> None:
    """The straightened colour page is written without a resolution: Tesseract is told it, and the
    searchable PDF's page is the scan's size at that resolution."""
    path = tmp_path / "colour.jpg"
    _tilted(-2.0).convert("RGB").save(path, dpi=(300, 300), quality=92)
    result = ocr_document(path, work_dir=tmp_path / "w")
    assert result.pages[0].skew == pytest.approx(-2.0, abs=0.15)
    assert word_recall(TRUTH, result.pages[0].text) >= 0.97
    from pypdf import PdfReader

    box = PdfReader(result.pdf_path).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((2480 * 72 / 300, 1200 * 72 / 300), abs=3)
