"""Check once, before a batch starts, that the OCR tools and languages are installed."""

from __future__ import annotations

import shutil
from collections.abc import Iterable

from ocr._exec.pdftoppm import poppler_version
from ocr._exec.tesseract import tesseract_languages, tesseract_version
from ocr.errors import ToolMissingError


def check_tools(languages: Iterable[str]) -> dict[str, str]:
    """Return tool versions, or raise ToolMissingError naming the package to install."""
    versions = {"tesseract": tesseract_version(), "poppler": poppler_version()}
    if shutil.which("qpdf") is None:
        raise ToolMissingError("qpdf not found: install qpdf")
    installed = tesseract_languages()
    for spec in languages:
        for lang in spec.split("+"):
            if lang not in installed:
                raise ToolMissingError(
                    f"tesseract language '{lang}' is not installed: apt-get install tesseract-ocr-{lang}"
                )
    return versions
