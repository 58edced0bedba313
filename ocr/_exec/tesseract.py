"""Tesseract through pytesseract: one call per page yields text, word confidences and a PDF page."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytesseract
from pytesseract import pytesseract as _pt

from ocr._exec.engine import engine_available, read_with_engine
from ocr.defaults import DEFAULT_DPI, DEFAULT_ENGINE
from ocr.errors import OcrFailedError, OcrTimeoutError, ToolMissingError
from ocr.words import is_plausible

#: How Tesseract is run: a CLI process per page, or a long-lived engine per worker (engine.py).
Engine = Literal["cli", "api"]

# pytesseract logs its whole command line, input path included, at DEBUG: file names can
# name citizens, so its logger never passes DEBUG records on.
logging.getLogger("pytesseract").setLevel(logging.INFO)


@dataclass(frozen=True, slots=True)
class OcrWord:
    """One recognised word: its box in page-image pixels, confidence, line (block, par, line)
    and length in characters."""

    left: int
    top: int
    width: int
    height: int
    confidence: float
    line: tuple[int, int, int]
    chars: int = 0
    plausible: bool = field(default=False, compare=False)  # reads like a word (ocr.words), text not kept


@dataclass(frozen=True, slots=True)
class TesseractPage:
    """What one Tesseract run produced for one page image."""

    text: str
    word_confidences: tuple[float, ...]
    pdf_path: Path
    words: tuple[OcrWord, ...] = ()


@dataclass(frozen=True, slots=True)
class Osd:
    """Tesseract's orientation guess: turn the page `rotate` degrees clockwise to make it upright."""

    rotate: int
    confidence: float


def ocr_page_image(
    image: Path, *, out_base: Path, languages: str, dpi: int | None, psm: int, timeout: float,
    engine: Engine = DEFAULT_ENGINE,
) -> TesseractPage:
    """OCR one page image into `<out_base>.pdf|.txt` with a single Tesseract run: the `cli`
    (a process per page) or the `api` engine (a process per worker, model kept loaded)."""
    if engine == "api" and engine_available():
        tsv = read_with_engine(image, out_base=out_base, languages=languages, dpi=dpi or DEFAULT_DPI, psm=psm,
                               timeout=timeout)
    else:
        tsv = _run_cli(image, out_base=out_base, languages=languages, dpi=dpi, psm=psm, timeout=timeout)
    pdf, txt = Path(f"{out_base}.pdf"), Path(f"{out_base}.txt")
    if not (pdf.is_file() and txt.is_file()):
        raise OcrFailedError("tesseract exited 0 but wrote no output")
    words = parse_words(tsv)
    return TesseractPage(
        text=txt.read_text(encoding="utf-8", errors="replace"),
        word_confidences=tuple(w.confidence for w in words),
        pdf_path=pdf,
        words=words,
    )


def _run_cli(image: Path, *, out_base: Path, languages: str, dpi: int | None, psm: int, timeout: float) -> str:
    """The `tesseract` CLI on one page: writes the PDF and text, returns the TSV."""
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
            raise OcrTimeoutError.for_page(timeout) from e
        raise OcrFailedError("tesseract failed") from e
    tsv = Path(f"{out_base}.tsv")
    if not tsv.is_file():
        raise OcrFailedError("tesseract exited 0 but wrote no output")
    return tsv.read_text(encoding="utf-8", errors="replace")


def detect_orientation(image: Path, *, dpi: int | None, timeout: float) -> Osd | None:
    """Tesseract's OSD pass alone (`--psm 0`); None when the page has too little text to tell."""
    config = "--psm 0"
    if dpi:
        config += f" --dpi {dpi}"
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        report = pytesseract.image_to_osd(str(image), config=config, timeout=timeout)
    except pytesseract.TesseractNotFoundError as e:
        raise ToolMissingError("tesseract not found: install tesseract-ocr") from e
    except pytesseract.TesseractError as e:
        if _is_too_few_characters(e):
            return None
        raise OcrFailedError(f"tesseract orientation detection failed (exit {e.status})") from e
    except RuntimeError as e:  # pytesseract's bare "Tesseract process timeout"
        if "timeout" in str(e).lower():
            raise OcrTimeoutError.for_page(timeout) from e
        raise OcrFailedError("tesseract orientation detection failed") from e
    return parse_osd(str(report))


def _is_too_few_characters(error: pytesseract.TesseractError) -> bool:
    """OSD refuses pages with little text ("Too few characters"); that is an answer, not a failure."""
    message = str(error.message).lower()
    return "too few characters" in message or "couldn't" in message


def parse_osd(report: str) -> Osd | None:
    """Read `Rotate:` and `Orientation confidence:` from an OSD report."""
    fields: dict[str, str] = {}
    for line in report.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip().lower()] = value.strip()
    try:
        return Osd(int(fields["rotate"]) % 360, float(fields["orientation confidence"]))
    except (KeyError, ValueError):
        return None


def parse_word_confidences(tsv: str) -> tuple[float, ...]:
    """Word-level (level 5) confidences with non-empty text; -1 marks non-words and is dropped."""
    return tuple(w.confidence for w in parse_words(tsv))


def parse_words(tsv: str) -> tuple[OcrWord, ...]:
    """Word-level (level 5) rows with non-empty text and a confidence (-1 marks non-words).

    Split by hand: Tesseract's TSV is never quoted, and this takes half csv.DictReader's time."""
    lines = tsv.splitlines()
    if not lines:
        return ()
    column = {name: i for i, name in enumerate(lines[0].split("\t"))}
    try:
        level, conf_at, text_at = column["level"], column["conf"], column["text"]
        box_at = [column[k] for k in ("left", "top", "width", "height", "block_num", "par_num", "line_num")]
    except KeyError:
        return ()
    out: list[OcrWord] = []
    for line in lines[1:]:
        fields = line.split("\t")
        if len(fields) <= text_at or fields[level] != "5":
            continue
        text = fields[text_at].strip()
        if not text:
            continue
        try:
            conf = float(fields[conf_at] or -1)
            left, top, width, height, block, par, line_num = (int(fields[i] or 0) for i in box_at)
        except ValueError:
            continue
        if conf >= 0:
            out.append(OcrWord(left, top, width, height, conf, (block, par, line_num), len(text), is_plausible(text)))
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
