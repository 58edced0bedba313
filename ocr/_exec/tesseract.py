"""Tesseract through pytesseract: one call per page yields text, word confidences and a PDF page."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytesseract
from pytesseract import pytesseract as _pt

from ocr.errors import OcrFailedError, OcrTimeoutError, ToolMissingError


@dataclass(frozen=True, slots=True)
class TesseractPage:
    """What one Tesseract run produced for one page image."""

    text: str
    word_confidences: tuple[float, ...]
    pdf_path: Path


def ocr_page_image(
    image: Path, *, out_base: Path, languages: str, dpi: int | None, psm: int, timeout: float
) -> TesseractPage:
    """OCR one page image into `<out_base>.pdf|.txt|.tsv` with a single Tesseract process."""
    config = f"--psm {psm} -c tessedit_create_tsv=1"
    if dpi:
        config += f" --dpi {dpi}"
    # pytesseract hands our environment to tesseract: one OpenMP thread per page process.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        _pt.run_tesseract(
            str(image), str(out_base), extension="pdf txt", lang=languages, config=config,
            timeout=timeout,
        )
    except pytesseract.TesseractNotFoundError as e:
        raise ToolMissingError("tesseract not found: install tesseract-ocr") from e
    except pytesseract.TesseractError as e:
        raise OcrFailedError(f"tesseract failed (exit {e.status})") from e
    except RuntimeError as e:  # pytesseract's bare "Tesseract process timeout"
        if "timeout" in str(e).lower():
            raise OcrTimeoutError(f"tesseract took longer than {timeout:g}s on one page") from e
        raise OcrFailedError("tesseract failed") from e
    pdf, txt, tsv = (Path(f"{out_base}.{ext}") for ext in ("pdf", "txt", "tsv"))
    if not (pdf.is_file() and txt.is_file() and tsv.is_file()):
        raise OcrFailedError("tesseract exited 0 but wrote no output")
    return TesseractPage(
        text=txt.read_text(encoding="utf-8", errors="replace"),
        word_confidences=parse_word_confidences(tsv.read_text(encoding="utf-8", errors="replace")),
        pdf_path=pdf,
    )


def parse_word_confidences(tsv: str) -> tuple[float, ...]:
    """Word-level (level 5) confidences with non-empty text; -1 marks non-words and is dropped."""
    out: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") == "5" and (row.get("text") or "").strip():
            conf = float(row.get("conf") or -1)
            if conf >= 0:
                out.append(conf)
    return tuple(out)


def tesseract_version() -> str:
    try:
        return str(pytesseract.get_tesseract_version())
    except pytesseract.TesseractNotFoundError as e:
        raise ToolMissingError("tesseract not found: install tesseract-ocr") from e


def tesseract_languages() -> frozenset[str]:
    try:
        return frozenset(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError as e:
        raise ToolMissingError("tesseract not found: install tesseract-ocr") from e
