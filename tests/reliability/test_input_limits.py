"""Decompression bombs, tiny images and odd files are refused with typed errors and clear messages."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfWriter

from ocr import ImageTooLargeError, InputUnreadableError, OcrError, ToolMissingError, set_pixel_limit
from ocr.pages import iter_pages
from records.errors import ArchiveWriteError, QuarantineReason, UnsafePathError
from records.intake.scan import discover

LIMIT = 1_000_000


@pytest.fixture
def small_limit() -> Iterator[None]:
    before = Image.MAX_IMAGE_PIXELS
    set_pixel_limit(LIMIT)
    yield
    Image.MAX_IMAGE_PIXELS = before


def _pages(path: Path) -> list[object]:
    return list(iter_pages(path, work_dir=path.parent, dpi=300, timeout=10))


@pytest.mark.parametrize("warnings_are_errors", [False, True])
def test_image_between_one_and_two_times_the_limit_is_refused(
    tmp_path: Path, small_limit: None, warnings_are_errors: bool
) -> None:
    """Pillow only warns here (or raises the warning, under -W error); either way it is refused."""
    path = tmp_path / "large.png"
    Image.new("1", (1001, 1000), 1).save(path)
    with warnings.catch_warnings():
        if warnings_are_errors:
            warnings.simplefilter("error")
        with pytest.raises(ImageTooLargeError, match=r"over the pixel limit of 1000000 pixels|exceeds the pixel limit of 1000000 pixels"):
            _pages(path)


def test_scanned_pdf_page_that_would_rasterise_over_the_limit_is_refused_first(tmp_path: Path, small_limit: None) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=72 * 10, height=72 * 10)  # 10 in square: 9 Mpx at 300 dpi
    path = tmp_path / "poster.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(ImageTooLargeError, match="page 1 would rasterise to 9000000 pixels at 300 dpi"):
        _pages(path)
    assert not list(tmp_path.glob("*.raster*")), "pdftoppm must not have run"


@pytest.mark.parametrize("size", [(1, 1), (2, 400), (400, 15)])
def test_image_too_small_to_be_a_page_is_unreadable(tmp_path: Path, size: tuple[int, int]) -> None:
    path = tmp_path / "tiny.png"
    Image.new("L", size, 255).save(path)
    with pytest.raises(InputUnreadableError, match="too small to be a scanned page"):
        _pages(path)


def test_discover_refuses_a_council_folder_that_is_a_link_and_a_link_loop(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "b1").mkdir(parents=True)
    (elsewhere / "b1" / "letter.png").write_bytes(b"x")
    root = tmp_path / "scans"
    (root / "ashbourne" / "b1").mkdir(parents=True)
    (root / "kingsmere").symlink_to(elsewhere, target_is_directory=True)
    os.symlink("loop.png", root / "ashbourne" / "b1" / "loop.png")
    accepted, refused = discover(root)
    assert accepted == []
    assert sorted((r.item.relative, r.reason) for r in refused) == [
        ("ashbourne/b1/loop.png", "unsafe_path"),
        ("kingsmere", "unsafe_path"),
    ]


def _subclasses(cls: type[Any]) -> Iterator[type[Any]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_record_level_error_code_is_a_quarantine_reason() -> None:
    """What process_item quarantines by code: every OCR error but a missing tool, and archive errors."""
    record_level = [c for c in _subclasses(OcrError) if c is not ToolMissingError]
    record_level += [ArchiveWriteError, UnsafePathError]
    assert {c.code for c in record_level} <= set(QuarantineReason)
