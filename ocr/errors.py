"""Typed OCR errors, raised at the tool boundary so callers never parse tool output.

    OcrError
    ├── InputUnreadableError      (input_unreadable)   file missing, truncated, not an image/PDF
    ├── UnsupportedFormatError    (unsupported_format) a format we do not accept
    ├── ImageTooLargeError        (image_too_large)    over the pixel limit (decompression bomb)
    ├── EncryptedPdfError         (encrypted_pdf)      PDF needs a password
    ├── EmptyDocumentError        (empty_document)     PDF with no pages
    ├── OcrTimeoutError           (ocr_timeout)        a page took longer than the page timeout
    ├── OcrFailedError            (ocr_failed)         the tool ran and failed
    └── ToolMissingError          (tool_missing)       tesseract/pdftoppm not installed

Messages name the page number and what to do, never a file name or any page text:
they are shown in the Prefect UI and in quarantine reasons.
"""

from __future__ import annotations

from typing import ClassVar


class OcrError(Exception):
    """Base class: a problem with one input document."""

    code: ClassVar[str] = "ocr_error"
    transient: ClassVar[bool] = False


class InputUnreadableError(OcrError):
    code = "input_unreadable"


class UnsupportedFormatError(OcrError):
    code = "unsupported_format"


class ImageTooLargeError(OcrError):
    code = "image_too_large"


class EncryptedPdfError(OcrError):
    code = "encrypted_pdf"


class EmptyDocumentError(OcrError):
    code = "empty_document"


class OcrTimeoutError(OcrError):
    code = "ocr_timeout"

    @classmethod
    def for_page(cls, timeout: float) -> OcrTimeoutError:
        """The one message for a page over its time limit, whichever way Tesseract ran."""
        return cls(f"tesseract took longer than {timeout:g}s on one page")


class OcrFailedError(OcrError):
    code = "ocr_failed"
    transient = True


class ToolMissingError(OcrError):
    """Raised for the whole batch: nothing can be OCRed until the tool is installed."""

    code = "tool_missing"
