"""Pages the wrong way up: the cheap ink check, Tesseract's OSD, and the whole page read."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ocr import ocr_document
from ocr._exec.tesseract import Osd, detect_orientation, parse_osd
from ocr.ink import ink_map
from ocr.orientation import guess_orientation
from tests.conftest import render_lines, word_recall

LINES = [
    "Notice of decision on your planning application",
    "The council has refused permission for the proposed extension",
    "at the rear of the property described in the schedule below.",
    "You may appeal against this decision within six months",
    "by writing to the Planning Inspectorate at the address shown.",
    "Please quote reference PL/2026/0417 in all correspondence.",
]
SHORT = ["Received 14 March 2026", "Housing benefit claim HB/2026/88120"]
FIGURES = ["CTAX 4012 3456 7890 HB/2026/88120"]  # no lower case: nothing shows which way is up


def _turned(lines: list[str], clockwise: int) -> Image.Image:
    """The page as a scanner would give it after the sheet went in turned `clockwise` degrees."""
    return render_lines(lines, size=(2480, 1200)).rotate(-clockwise, expand=True)


@pytest.mark.parametrize("clockwise", [0, 90, 180, 270])
def test_guess_orientation_multi_line_page_is_certain_and_right(clockwise: int) -> None:
    guess = guess_orientation(ink_map(_turned(LINES, clockwise), dpi=300))
    assert guess.certain
    assert guess.rotation == (360 - clockwise) % 360
    assert abs(guess.skew) < 0.2


@pytest.mark.parametrize("clockwise", [90, 180])
def test_guess_orientation_two_line_page_is_right(clockwise: int) -> None:
    guess = guess_orientation(ink_map(_turned(SHORT, clockwise), dpi=300))
    assert guess.rotation == (360 - clockwise) % 360


@pytest.mark.parametrize("clockwise", [90, 180])
def test_guess_orientation_figures_only_page_asks_for_osd(clockwise: int) -> None:
    guess = guess_orientation(ink_map(_turned(FIGURES, clockwise), dpi=300))
    assert not guess.certain


def test_guess_orientation_blank_page_needs_nothing() -> None:
    guess = guess_orientation(ink_map(Image.new("L", (2480, 1200), 255), dpi=300))
    assert (guess.rotation, guess.certain) == (0, True)


def test_parse_osd_reads_rotation_and_confidence() -> None:
    report = "Page number: 0\nOrientation in degrees: 90\nRotate: 270\nOrientation confidence: 7.11\nScript: Latin\n"
    assert parse_osd(report) == Osd(270, 7.11)
    assert parse_osd("garbage") is None


def test_detect_orientation_blank_page_is_none_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.new("L", (1240, 600), 255).save(path, dpi=(300, 300))
    assert detect_orientation(path, dpi=None, timeout=30) is None


def test_ocr_document_upside_down_page_is_turned_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "upside-down.png"
    _turned(LINES, 180).save(path, dpi=(300, 300))
    page = ocr_document(path, work_dir=tmp_path / "w").pages[0]
    assert page.rotation == 180
    assert word_recall("\n".join(LINES), page.text) >= 0.95
    assert not page.needs_review


def test_ocr_document_short_sideways_page_is_read(tmp_path: Path) -> None:
    path = tmp_path / "sideways.png"
    _turned(SHORT, 90).save(path, dpi=(300, 300))
    page = ocr_document(path, work_dir=tmp_path / "w").pages[0]
    assert page.rotation == 270
    assert word_recall("\n".join(SHORT), page.text) >= 0.95


def test_ocr_document_upside_down_figures_are_read(tmp_path: Path) -> None:
    path = tmp_path / "figures.png"
    _turned(FIGURES, 180).save(path, dpi=(300, 300))
    page = ocr_document(path, work_dir=tmp_path / "w").pages[0]
    assert page.rotation == 180
    assert "HB/2026/88120" in page.text
