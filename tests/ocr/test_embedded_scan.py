"""A scanned PDF page that is one JPEG is read from that JPEG; any other page is rendered."""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter

from ocr import ocr_document
from ocr.pages import ImagePage, iter_pages
from tests.conftest import render_lines, word_recall

LINES = ["Planning application 26/01234/FUL", "Erection of a single storey rear extension"]


def _only_page(source: Path, work: Path) -> ImagePage:
    work.mkdir(exist_ok=True)
    pages = list(iter_pages(source, work_dir=work, dpi=300, timeout=60))
    assert len(pages) == 1 and isinstance(pages[0], ImagePage)
    return pages[0]


def test_scanned_pdf_page_of_one_jpeg_is_taken_out_at_its_own_resolution(tmp_path: Path) -> None:
    source = tmp_path / "scan.pdf"
    render_lines(LINES, size=(1653, 900)).save(source, resolution=200)  # Pillow writes grey pages as JPEG
    page = _only_page(source, tmp_path / "w")
    assert page.image.suffix == ".jpg" and page.dpi == 200
    embedded = next(iter(PdfReader(source).pages[0]["/Resources"]["/XObject"].values())).get_object()
    assert page.image.read_bytes() == embedded.get_data()  # the scanner's bytes, not a re-encoding
    result = ocr_document(source, work_dir=tmp_path / "ocr")
    assert word_recall("\n".join(LINES), result.text) >= 0.95


def test_scanned_pdf_page_with_more_than_its_scan_is_rendered(tmp_path: Path) -> None:
    scan = io.BytesIO()
    render_lines(LINES).save(scan, "JPEG", dpi=(300, 300))
    pdf = FPDF(unit="pt", format=(595.2, 336))
    pdf.add_page()
    pdf.image(scan, x=0, y=0, w=595.2, h=336)
    pdf.line(10, 10, 200, 10)  # a drawn rule: the page is more than its image
    source = tmp_path / "stamped.pdf"
    pdf.output(str(source))
    page = _only_page(source, tmp_path / "w")
    assert page.image.suffix == ".png" and page.dpi == 300


def test_scanned_pdf_page_turned_by_its_rotate_entry_is_rendered(tmp_path: Path) -> None:
    plain = tmp_path / "scan.pdf"
    render_lines(LINES).save(plain, resolution=300)
    writer = PdfWriter(clone_from=plain)
    writer.pages[0].rotate(90)
    turned = tmp_path / "turned.pdf"
    writer.write(turned)
    page = _only_page(turned, tmp_path / "w")
    assert page.image.suffix == ".png"
    with Image.open(page.image) as image:
        assert image.height > image.width  # rendered as a viewer shows it: the landscape scan turned upright
