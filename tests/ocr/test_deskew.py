"""Skewed pages: the angle is measured, undone before OCR, and recorded."""

from __future__ import annotations

import subprocess
from pathlib import Path

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
    page = Image.new("L", (1000, 600), 255)
    page.paste(0, (0, 0, 1000, 8))  # ink along the top edge
    assert straighten(page, rotation=0, skew=3.0).size != page.size


def test_ocr_document_skewed_page_reads_in_text_and_pdf(tmp_path: Path) -> None:
    path = tmp_path / "skewed.png"
    _tilted(-3.0).save(path, dpi=(300, 300))
    result = ocr_document(path, work_dir=tmp_path / "w")
    page = result.pages[0]
    assert page.skew == pytest.approx(-3.0, abs=0.15)
    assert word_recall(TRUTH, page.text) >= 0.97
    layer = subprocess.run(["pdftotext", str(result.pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    assert word_recall(TRUTH, layer) >= 0.97
