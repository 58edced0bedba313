"""A scan whose file records a screen resolution is also read at the resolution it was scanned at."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from ocr.ink import analysis_scale
from ocr.pages import ImagePage, iter_pages
from ocr.reading import PageReading, ReadOptions, read_page
from ocr.resolution import sheet_resolution
from tests.conftest import render_lines, word_recall


def _pages(tmp_path: Path, size: tuple[int, int], recorded: int | None, *, frames: int = 1) -> list[ImagePage]:
    source = tmp_path / ("scan.tif" if frames > 1 else "scan.png")
    pages = [Image.new("L", size, 255) for _ in range(frames)]
    info = {"dpi": (recorded, recorded)} if recorded else {}
    pages[0].save(source, save_all=frames > 1, append_images=pages[1:], **info)
    work = tmp_path / "work"
    work.mkdir()
    return [page for page in iter_pages(source, work_dir=work, dpi=300, timeout=30) if isinstance(page, ImagePage)]


def test_an_a4_scan_recorded_at_96_dpi_keeps_96_and_gets_300_to_try(tmp_path: Path) -> None:
    [page] = _pages(tmp_path, (2480, 3508), 96)
    assert (page.dpi, page.sheet_dpi) == (96, 300)


def test_every_frame_of_a_letter_scan_turned_sideways_gets_its_sheet_resolution(tmp_path: Path) -> None:
    pages = _pages(tmp_path, (3300, 2550), 96, frames=2)
    assert [(p.dpi, p.sheet_dpi) for p in pages] == [(96, 300), (96, 300)]


def test_a_small_low_resolution_scan_raises_no_doubt(tmp_path: Path) -> None:
    [page] = _pages(tmp_path, (1168, 1170), 96)
    assert (page.dpi, page.sheet_dpi) == (96, None)


def test_an_a3_scan_and_a_file_recording_no_resolution_raise_no_doubt(tmp_path: Path) -> None:
    assert sheet_resolution(3508, 4961, 300) is None
    [page] = _pages(tmp_path, (2000, 2600), None)
    assert (page.dpi, page.sheet_dpi) == (300, None)


def test_a_screen_resolution_on_a_scan_of_about_230_dpi() -> None:
    assert 220 <= (sheet_resolution(2000, 2589, 96) or 0) <= 240
    assert sheet_resolution(4319, 5600, 72) == 510


def test_analysis_works_on_a_map_no_larger_than_a_scanned_sheet() -> None:
    assert analysis_scale(300, (3508, 2480)) == 2  # A4 at 300 dpi, as ever
    assert analysis_scale(96, (2589, 2000)) == 1  # within the largest sheet at 150 dpi: as recorded
    assert analysis_scale(96, (3300, 2550)) == 1  # out by less than two: believed
    assert analysis_scale(72, (5576, 4319)) == 2  # a 500-dpi scan recorded at 72: as a 300-dpi one


LINES = ["Council Tax Reduction scheme", "Your account reference is 4417 2209",
         "The amount to pay this year is shown below"]


def _read(tmp_path: Path, recorded: int) -> tuple[PageReading, float]:
    page = render_lines(LINES, size=(2480, 3508))
    source = tmp_path / f"scan-{recorded}.png"
    page.save(source, dpi=(recorded, recorded))
    work = tmp_path / f"work-{recorded}"
    work.mkdir()
    [image_page] = [p for p in iter_pages(source, work_dir=work, dpi=300, timeout=60) if isinstance(p, ImagePage)]
    reading = read_page(image_page, ReadOptions(work_dir=work))
    return reading, word_recall("\n".join(LINES), reading.ocr.text)


def test_a_page_recording_a_doubtful_resolution_is_read_twice_and_a_sound_one_once(tmp_path: Path) -> None:
    doubted, recall_doubted = _read(tmp_path, 96)
    believed, recall_believed = _read(tmp_path, 300)
    assert believed.passes == 1 and recall_believed >= 0.95
    assert doubted.passes == believed.passes + 1 and recall_doubted >= 0.95
