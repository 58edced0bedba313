"""OCR a whole input document: pages in order, one searchable PDF out."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Literal, cast

from pypdf import PdfReader, PdfWriter

from ocr._exec.qpdf import join_pdfs
from ocr._exec.engine import engine_available
from ocr._exec.engine import engine_version as api_engine_version
from ocr._exec.tesseract import Engine, tesseract_version
from ocr.defaults import DEFAULT_DPI, DEFAULT_ENGINE, DEFAULT_LANGUAGES, DEFAULT_PAGE_TIMEOUT
from ocr.blank import SURELY_INKED, BlankCheck
from ocr.capture import PageCapture
from ocr.errors import OcrError, ToolMissingError
from ocr.profiling import stage, subject
from ocr.pages import ImagePage, TextLayerPage, UnreadablePage, iter_pages
from ocr.reading import PageReading, ReadOptions, read_page
from ocr.signals import PageSignals

log = logging.getLogger(__name__)

PAGE_SEPARATOR = "\f"
#: qpdf's time limit: a base plus a little per page (it copies, it does not render).
JOIN_TIMEOUT = 60.0
JOIN_SECONDS_PER_PAGE = 0.5
#: Tesseract's stamp in a PDF's Info dictionary, and the fixed one of the same length put in its place.
_CREATION_DATE = re.compile(rb"/CreationDate \((D:\d{14}[^)]*)\)")
_FIXED_DATE = b"D:19700101000000Z00'00'"


@dataclass(frozen=True, slots=True)
class PageResult:
    """One page's text and how much Tesseract trusted it (mean word confidence, 0-100).

    For OCRed pages also what was done before OCR (`rotation` degrees clockwise, `skew`
    degrees undone, `cleaned`) and how complete the reading looks: `quality` in [0, 1]
    and, when a human should look, `needs_review` with stable `review_reasons` codes.
    """

    number: int
    text: str
    confidence: float
    word_count: int
    method: Literal["ocr", "text_layer", "unreadable"]
    rotation: int = 0
    skew: float = 0.0
    cleaned: bool = False
    quality: float = 1.0
    review_reasons: tuple[str, ...] = ()
    psm: int | None = None  # Tesseract's segmentation mode for the kept reading (OCRed pages)
    #: The page as scanned (pixels, resolution, colour depth); None for a born-digital page.
    capture: PageCapture | None = None

    @property
    def needs_review(self) -> bool:
        return bool(self.review_reasons)

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
    #: Per page, in order, when `ocr_document` was asked for them (`signals=`); else empty.
    signals: tuple[PageSignals, ...] = ()
    #: Pages that could not be read (only with `isolate_pages=`): a blank page stands in for each.
    unreadable: tuple[UnreadablePage, ...] = ()

    @property
    def text(self) -> str:
        return PAGE_SEPARATOR.join(p.text for p in self.pages)

    @property
    def pages_needing_review(self) -> tuple[int, ...]:
        """Numbers of the pages whose reading a human should check (see PageResult.review_reasons)."""
        return tuple(p.number for p in self.pages if p.needs_review)

    @property
    def mean_confidence(self) -> float:
        """Word-weighted mean confidence over the document's pages."""
        words = sum(p.word_count for p in self.pages)
        if words == 0:
            return 0.0
        return sum(p.confidence * p.word_count for p in self.pages) / words


@cache
def engine_version(engine: Engine = DEFAULT_ENGINE) -> str:
    """What read the pages, for the record: the CLI's Tesseract, or the engine's (its own build)."""
    if engine == "api" and engine_available():
        return f"tesseract {api_engine_version()} (api)"
    return f"tesseract {tesseract_version()}"


def ocr_document(
    source: Path,
    *,
    work_dir: Path,
    languages: str = DEFAULT_LANGUAGES,
    dpi: int = DEFAULT_DPI,
    page_timeout: float = DEFAULT_PAGE_TIMEOUT,
    psm: int | None = None,
    engine: Engine = DEFAULT_ENGINE,
    signals: Sequence[str] | None = None,
    isolate_pages: bool = False,
) -> OcrResult:
    """OCR `source` page by page into `work_dir/document.pdf` (searchable: image + invisible text).

    Pages are processed one at a time and each leaves only its one-page PDF behind, so
    memory and scratch space do not grow with page count; qpdf joins the pages.

    `signals`: barcode formats to look for (empty: none) to return each page's barcodes and
    blank test as well (`OcrResult.signals`), for splitting a scanned stack into records. A
    text-layer PDF page is not rendered: it has no barcode, and is blank when it has no text.

    `isolate_pages`: a page that cannot be read (a cut-short TIFF frame, a PDF page that will
    not rasterise or OCR) does not fail the file: it is listed in `OcrResult.unreadable`, has
    an empty `unreadable` PageResult (never blank) and a blank page in its place in the PDF, so
    the caller can set aside just the record it belongs to. If no page reads, the first error
    is raised.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    formats = None if signals is None else tuple(signals)
    options = ReadOptions(work_dir, languages=languages, timeout=page_timeout, psm=psm, engine=engine,
                          signal_formats=formats)
    read = _ReadPages(work_dir)
    with subject(source.name):
        for page in iter_pages(source, work_dir=work_dir, dpi=dpi, timeout=page_timeout, isolate=isolate_pages):
            outcome = _read(page, options, isolate=isolate_pages)
            if isinstance(outcome, UnreadablePage):
                read.add_unreadable(outcome)
            elif isinstance(outcome, TextLayerPage):
                read.add_text_layer(outcome)
            else:
                read.add_reading(cast(ImagePage, page), outcome)
        if read.unreadable and len(read.unreadable) == len(read.pages):
            raise read.unreadable[0].error
        with stage("PDF assembly", children=True):
            out = _join(read.parts, work_dir / "document.pdf")
    return OcrResult(tuple(read.pages), out, engine_version(engine), languages,
                     tuple(read.signals) if formats is not None else (), tuple(read.unreadable))


def _read(
    page: ImagePage | TextLayerPage | UnreadablePage, options: ReadOptions, *, isolate: bool
) -> PageReading | TextLayerPage | UnreadablePage:
    """OCR an image page; with `isolate`, a page that cannot be read becomes an UnreadablePage
    instead of failing the file (a missing tool or a transient failure still fails it)."""
    if not isinstance(page, ImagePage):
        return page
    try:
        return read_page(page, options)
    except OcrError as e:
        if not isolate or e.transient or isinstance(e, ToolMissingError):
            raise
        return UnreadablePage(page.number, e)


@dataclass
class _ReadPages:
    """The pages read so far: each one's PDF part, result and signals, in page order."""

    work_dir: Path
    parts: list[Path] = field(default_factory=list)
    pages: list[PageResult] = field(default_factory=list)
    signals: list[PageSignals] = field(default_factory=list)
    unreadable: list[UnreadablePage] = field(default_factory=list)

    def add_unreadable(self, page: UnreadablePage) -> None:
        self.unreadable.append(page)
        self.parts.append(_stand_in_page(self.work_dir / f"{page.number:05d}.unreadable.pdf"))
        self.pages.append(PageResult(page.number, "", 0.0, 0, "unreadable", quality=0.0,
                                     review_reasons=("page_unreadable",)))
        self.signals.append(PageSignals(page.number, (), BlankCheck(SURELY_INKED, 0)))  # never dropped as blank
        _remove_scratch(self.work_dir, page.number, keep=self.parts[-1])

    def add_text_layer(self, page: TextLayerPage) -> None:
        self.parts.append(_copy_pdf_page(page.pdf, page.index, self.work_dir / f"{page.number:05d}.text-layer.pdf"))
        self.pages.append(_text_layer_result(page))
        self.signals.append(_text_layer_signals(self.pages[-1]))

    def add_reading(self, page: ImagePage, reading: PageReading) -> None:
        self.parts.append(reading.ocr.pdf_path)
        self.pages.append(_ocr_result(page, reading))
        if reading.signals is not None:
            self.signals.append(reading.signals)
        with stage("scratch clean-up"):
            _remove_scratch(self.work_dir, page.number, keep=reading.ocr.pdf_path)
        log.debug("page %d: %d words", page.number, self.pages[-1].word_count)


def _join(parts: list[Path], out: Path) -> Path:
    """The pages' PDFs as one file at `out`; the parts are removed."""
    if len(parts) == 1:  # one page: quicker than starting qpdf, and as deterministic
        _undated_copy(parts[0], out)
    else:
        join_pdfs(parts, out=out, timeout=JOIN_TIMEOUT + JOIN_SECONDS_PER_PAGE * len(parts))
    for part in parts:
        part.unlink()
    return out


def extract_pages(pdf: Path, numbers: Sequence[int], out: Path) -> Path:
    """Pages `numbers` (1-based, in that order) of `pdf` as a PDF of their own: one record of a
    scanned stack. Deterministic (no dates, an /ID from the content), so a rerun writes the same bytes."""
    reader = PdfReader(pdf)
    writer = PdfWriter()
    for number in numbers:
        writer.add_page(reader.pages[number - 1])
    with out.open("wb") as fh:
        writer.write(fh)
    return out


def _stand_in_page(out: Path) -> Path:
    """An empty A4 page in the place of one that could not be read, so page numbers hold."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with out.open("wb") as fh:
        writer.write(fh)
    return out


def _copy_pdf_page(pdf: Path, index: int, out: Path) -> Path:
    """Page `index` of `pdf` alone, without the source's dates (Tesseract stamps its PDFs)."""
    writer = PdfWriter()
    writer.add_page(PdfReader(pdf).pages[index])
    with out.open("wb") as fh:
        writer.write(fh)
    return out


def _undated_copy(pdf: Path, out: Path) -> Path:
    """A one-page PDF without the date Tesseract stamps on it, so that a rerun writes the
    same bytes. The date is overwritten in place with one of the same length (the
    cross-reference table counts bytes): a tenth of the time of rewriting the PDF. Any
    other PDF (a text-layer page, a stamp of another length) is rewritten by pypdf."""
    data = pdf.read_bytes()
    stamp = _CREATION_DATE.search(data)
    if stamp is None or len(stamp.group(1)) != len(_FIXED_DATE) or _CREATION_DATE.search(data, stamp.end()):
        return _copy_pdf_page(pdf, 0, out)
    out.write_bytes(data[: stamp.start(1)] + _FIXED_DATE + data[stamp.end(1) :])
    return out


def _remove_scratch(work_dir: Path, number: int, *, keep: Path) -> None:
    """Drop a finished page's rasters, prepared images and losing passes: a 500-page
    document would otherwise leave gigabytes of them until the record is done."""
    for path in work_dir.glob(f"{number:05d}.*"):
        if path != keep:
            path.unlink(missing_ok=True)


def _ocr_result(page: ImagePage, reading: PageReading) -> PageResult:
    confidences = reading.ocr.word_confidences
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return PageResult(
        page.number, reading.ocr.text.strip(), round(mean, 2), len(confidences), "ocr",
        rotation=reading.rotation, skew=reading.skew, cleaned=reading.cleaned,
        quality=reading.reading.score, review_reasons=tuple(r.value for r in reading.reasons),
        psm=reading.psm, capture=page.capture,
    )


def _text_layer_signals(page: PageResult) -> PageSignals:
    """A born-digital page is not rendered: no barcode is read, and it is blank when it has no words."""
    return PageSignals(page.number, (), BlankCheck(SURELY_INKED if page.word_count else 0, 0))


def _text_layer_result(page: TextLayerPage) -> PageResult:
    return PageResult(page.number, page.text.strip(), 100.0, len(page.text.split()), "text_layer")
