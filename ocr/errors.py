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

A code names what went wrong; callers store the codes of document problems (all but
`tool_missing`) as quarantine reasons, so a code is never renamed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class OcrErrorCode(StrEnum):
    """Each error's stable code: add members, never rename them."""

    ocr_error = "ocr_error"
    input_unreadable = "input_unreadable"
    unsupported_format = "unsupported_format"
    image_too_large = "image_too_large"
    encrypted_pdf = "encrypted_pdf"
    empty_document = "empty_document"
    ocr_timeout = "ocr_timeout"
    ocr_failed = "ocr_failed"
    tool_missing = "tool_missing"


class OcrError(Exception):
    """Base class: a problem with one input document."""

    code: ClassVar[OcrErrorCode] = OcrErrorCode.ocr_error
    transient: ClassVar[bool] = False


class InputUnreadableError(OcrError):
    code = OcrErrorCode.input_unreadable


class UnsupportedFormatError(OcrError):
    code = OcrErrorCode.unsupported_format


class ImageTooLargeError(OcrError):
    code = OcrErrorCode.image_too_large


class EncryptedPdfError(OcrError):
    code = OcrErrorCode.encrypted_pdf


class EmptyDocumentError(OcrError):
    code = OcrErrorCode.empty_document


class OcrTimeoutError(OcrError):
    code = OcrErrorCode.ocr_timeout

    @classmethod
    def for_page(cls, timeout: float) -> OcrTimeoutError:
        """The one message for a page over its time limit, whichever way Tesseract ran."""
        return cls(f"tesseract took longer than {timeout:g}s on one page")


class OcrFailedError(OcrError):
    code = OcrErrorCode.ocr_failed
    transient = True


class ToolMissingError(OcrError):
    """Raised for the whole batch: nothing can be OCRed until the tool is installed."""

    code = OcrErrorCode.tool_missing
