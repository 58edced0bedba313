"""The OCR layer on real Tesseract and Poppler, with pages rendered by the test."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from ocr import (
    EmptyDocumentError,
    InputUnreadableError,
    OcrTimeoutError,
    UnsupportedFormatError,
    ocr_document,
)
from ocr.pages import iter_pages
from tests.conftest import PageMaker, born_digital_pdf, render_lines, word_recall

LINES = [
    "Council Tax Demand Notice 2026/27",
    "Valuation band D under the Local Government Finance Act 1992",
    "Account reference CTAX 4012 3456 7",
]
TRUTH = "\n".join(LINES)


def pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout


def test_ocr_document_png_reads_text_with_confidence(make_page: PageMaker, tmp_path: Path) -> None:
    result = ocr_document(make_page(LINES), work_dir=tmp_path / "w")
    assert len(result.pages) == 1
    page = result.pages[0]
    assert page.method == "ocr"
    assert word_recall(TRUTH, page.text) >= 0.95
    assert page.confidence > 80
    assert result.engine.startswith("tesseract 5")


def test_ocr_document_searchable_pdf_keeps_image_and_text_layer(make_page: PageMaker, tmp_path: Path) -> None:
    result = ocr_document(make_page(LINES), work_dir=tmp_path / "w")
    assert word_recall(TRUTH, pdftotext(result.pdf_path)) >= 0.95
    images = subprocess.run(["pdfimages", "-list", str(result.pdf_path)], capture_output=True, text=True, check=True)
    assert len(images.stdout.strip().splitlines()) == 3  # two header lines + the page image


def test_ocr_document_rerun_writes_the_same_pdf_bytes(make_page: PageMaker, tmp_path: Path) -> None:
    """Tesseract stamps the time into its PDF; the archived PDF must not change on a rerun."""
    page = make_page(LINES)
    first = ocr_document(page, work_dir=tmp_path / "first").pdf_path.read_bytes()
    again = ocr_document(page, work_dir=tmp_path / "again").pdf_path
    assert again.read_bytes() == first
    assert b"/CreationDate (D:19700101000000" in first
    assert subprocess.run(["qpdf", "--check", str(again)], capture_output=True, text=True).returncode == 0
    assert word_recall(TRUTH, pdftotext(again)) >= 0.95


def test_ocr_document_honours_exif_orientation(tmp_path: Path) -> None:
    upright = render_lines(LINES)
    stored = upright.rotate(90, expand=True)  # as a camera would store a sideways shot
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display": undoes the rotation above
    path = tmp_path / "sideways.jpg"
    stored.save(path, dpi=(300, 300), exif=exif, quality=90)
    result = ocr_document(path, work_dir=tmp_path / "w")
    assert word_recall(TRUTH, result.text) >= 0.95


def test_ocr_document_multipage_g4_tiff_gives_one_result_per_page(tmp_path: Path) -> None:
    pages = [render_lines([f"Page {n} of the housing benefit claim HB/12345{n}"]).convert("1") for n in (1, 2, 3)]
    path = tmp_path / "claim.tif"
    pages[0].save(path, save_all=True, append_images=pages[1:], compression="group4", dpi=(300, 300))
    result = ocr_document(path, work_dir=tmp_path / "w")
    assert [p.number for p in result.pages] == [1, 2, 3]
    for n, page in enumerate(result.pages, start=1):
        assert f"HB/12345{n}" in page.text
    assert len(pdftotext(result.pdf_path).split("\f")) >= 3


def test_ocr_document_born_digital_pdf_is_not_ocred(tmp_path: Path) -> None:
    source = born_digital_pdf(tmp_path / "letter.pdf", LINES)
    result = ocr_document(source, work_dir=tmp_path / "w")
    assert [p.method for p in result.pages] == ["text_layer"]
    assert word_recall(TRUTH, result.text) == 1.0
    assert not list((tmp_path / "w").glob("*.ocr.*")), "Tesseract must not have run"


def test_ocr_document_scanned_pdf_is_ocred(tmp_path: Path) -> None:
    source = tmp_path / "scan.pdf"
    render_lines(LINES).save(source, resolution=300)
    result = ocr_document(source, work_dir=tmp_path / "w")
    assert [p.method for p in result.pages] == ["ocr"]
    assert word_recall(TRUTH, result.text) >= 0.95
    assert word_recall(TRUTH, pdftotext(result.pdf_path)) >= 0.95


def test_ocr_document_blank_page_is_empty_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.new("L", (2480, 3508), 255).save(path, dpi=(300, 300))
    result = ocr_document(path, work_dir=tmp_path / "w")
    assert result.pages[0].is_blank
    assert result.pages[0].confidence == 0.0


def test_ocr_document_page_timeout_raises_typed_error(make_page: PageMaker, tmp_path: Path) -> None:
    with pytest.raises(OcrTimeoutError):
        ocr_document(make_page(LINES), work_dir=tmp_path / "w", page_timeout=0.001)


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("notes.txt", b"plain text", UnsupportedFormatError),
        ("fake.png", b"this is not an image", InputUnreadableError),
        ("empty.jpg", b"", InputUnreadableError),
        ("broken.pdf", b"%PDF-1.4\n garbage", InputUnreadableError),
    ],
)
def test_iter_pages_bad_input_raises_typed_error(tmp_path: Path, name: str, content: bytes, error: type[Exception]) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error):
        list(iter_pages(path, work_dir=tmp_path, dpi=300, timeout=10))


def test_iter_pages_pdf_without_pages_is_empty_document(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    path = tmp_path / "nopages.pdf"
    with path.open("wb") as fh:
        PdfWriter().write(fh)
    with pytest.raises((EmptyDocumentError, InputUnreadableError)):
        list(iter_pages(path, work_dir=tmp_path, dpi=300, timeout=10))


@pytest.mark.parametrize("frames", [1, 2])
def test_an_image_without_a_resolution_is_read_at_the_configured_one(tmp_path: Path, frames: int) -> None:
    """pipeline.yaml's `dpi` is assumed for images that do not record their own; one that does keeps its own."""
    from PIL import Image

    pages = [Image.new("L", (400, 300), 255) for _ in range(frames)]
    unmarked, marked = tmp_path / "unmarked.tif", tmp_path / "marked.tif"
    pages[0].save(unmarked, save_all=True, append_images=pages[1:])
    pages[0].save(marked, save_all=True, append_images=pages[1:], dpi=(150, 150))
    assert [p.dpi for p in iter_pages(unmarked, work_dir=tmp_path, dpi=200, timeout=10)] == [200] * frames
    assert [p.dpi for p in iter_pages(marked, work_dir=tmp_path, dpi=200, timeout=10)] == [150] * frames
