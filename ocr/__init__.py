"""Pure OCR: an image or PDF in; page texts, confidences and a searchable PDF out.

No Prefect, no database, no configuration objects: callers pass plain values.
"""

from ocr._exec.engine import engine_pids, stop_engines
from ocr._exec.malloc import tune_malloc
from ocr._exec.pdftoppm import rasterize_page
from ocr._exec.tesseract import Engine
from ocr.barcodes import Barcode
from ocr.capture import PageCapture
from ocr.document import PAGE_SEPARATOR, OcrResult, PageResult, engine_version, extract_pages, ocr_document
from ocr.errors import (
    EmptyDocumentError,
    EncryptedPdfError,
    ImageTooLargeError,
    InputUnreadableError,
    OcrError,
    OcrErrorCode,
    OcrFailedError,
    OcrTimeoutError,
    ToolMissingError,
    UnsupportedFormatError,
)
from ocr.pages import SUPPORTED_SUFFIXES, set_pixel_limit
from ocr.pdfa import ARCHIVE_FORMATS, PDFA_2B, PLAIN_PDF, ArchiveFormat, PdfaResult, make_pdfa, pdfa_findings
from ocr.probe import check_tools
from ocr.profiling import Profile, start_profile, stop_profile
from ocr.profiling import stage as profile_stage
from ocr.profiling import subject as profile_subject
from ocr.quality import ReviewReason
from ocr.signals import PageSignals, page_signals

__all__ = [
    "ARCHIVE_FORMATS",
    "ArchiveFormat",
    "Barcode",
    "EmptyDocumentError",
    "EncryptedPdfError",
    "Engine",
    "ImageTooLargeError",
    "InputUnreadableError",
    "OcrError",
    "OcrErrorCode",
    "OcrFailedError",
    "OcrResult",
    "OcrTimeoutError",
    "PAGE_SEPARATOR",
    "PDFA_2B",
    "PLAIN_PDF",
    "PageCapture",
    "PageResult",
    "PageSignals",
    "PdfaResult",
    "Profile",
    "ReviewReason",
    "SUPPORTED_SUFFIXES",
    "ToolMissingError",
    "UnsupportedFormatError",
    "check_tools",
    "engine_pids",
    "engine_version",
    "extract_pages",
    "make_pdfa",
    "ocr_document",
    "page_signals",
    "pdfa_findings",
    "profile_stage",
    "profile_subject",
    "rasterize_page",
    "set_pixel_limit",
    "start_profile",
    "stop_engines",
    "stop_profile",
    "tune_malloc",
]
