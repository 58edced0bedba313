"""OCR a whole input document: pages in order, one searchable PDF out."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from pypdf import PdfReader, PdfWriter

from ocr._exec.tesseract import TesseractPage, ocr_page_image, tesseract_version
from ocr.pages import ImagePage, TextLayerPage, iter_pages

log = logging.getLogger(__name__)

PAGE_SEPARATOR = "\f"


@dataclass(frozen=True, slots=True)
class PageResult:
    """One page's text and how much Tesseract trusted it (mean word confidence, 0-100)."""

    number: int
    text: str
    confidence: float
    word_count: int
    method: Literal["ocr", "text_layer"]

    @property
    def is_blank(self) -> bool:
        return self.word_count == 0


@dataclass(frozen=True, slots=True)
class OcrResult:
    """Everything the OCR layer learnt about one input file."""

    pages: tuple[PageResult, ...]
    pdf_path: Path
    engine: str
    languages: str

    @property
    def text(self) -> str:
        return PAGE_SEPARATOR.join(p.text for p in self.pages)

    @property
    def mean_confidence(self) -> float:
        """Word-weighted mean confidence over the document's pages."""
        words = sum(p.word_count for p in self.pages)
        if words == 0:
            return 0.0
        return sum(p.confidence * p.word_count for p in self.pages) / words


@cache
def engine_version() -> str:
    return f"tesseract {tesseract_version()}"


def ocr_document(
    source: Path,
    *,
    work_dir: Path,
    languages: str = "eng",
    dpi: int = 300,
    page_timeout: float = 180.0,
    psm: int = 3,
) -> OcrResult:
    """OCR `source` page by page into `work_dir/document.pdf` (searchable: image + invisible text).

    Pages are processed one at a time, so memory does not grow with page count.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    writer = PdfWriter()
    pages: list[PageResult] = []
    for page in iter_pages(source, work_dir=work_dir, dpi=dpi, timeout=page_timeout):
        if isinstance(page, TextLayerPage):
            writer.add_page(PdfReader(page.pdf).pages[page.index])
            pages.append(_text_layer_result(page))
            continue
        result = _ocr_image_page(page, work_dir=work_dir, languages=languages, timeout=page_timeout, psm=psm)
        writer.append(result.pdf_path)
        pages.append(_ocr_result(page, result))
        log.debug("page %d: %d words", page.number, pages[-1].word_count)
    out = work_dir / "document.pdf"
    with out.open("wb") as fh:
        writer.write(fh)
    return OcrResult(tuple(pages), out, engine_version(), languages)


def _ocr_image_page(
    page: ImagePage, *, work_dir: Path, languages: str, timeout: float, psm: int
) -> TesseractPage:
    return ocr_page_image(
        page.image,
        out_base=work_dir / f"{page.number:05d}.ocr",
        languages=languages,
        dpi=None if page.dpi else 300,
        psm=psm,
        timeout=timeout,
    )


def _ocr_result(page: ImagePage, result: TesseractPage) -> PageResult:
    confidences = result.word_confidences
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return PageResult(page.number, result.text.strip(), round(mean, 2), len(confidences), "ocr")


def _text_layer_result(page: TextLayerPage) -> PageResult:
    return PageResult(page.number, page.text.strip(), 100.0, len(page.text.split()), "text_layer")
