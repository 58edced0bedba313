"""Texts rendered as scanned pages and read back by the pipeline's OCR, cached by content.

The classifier benchmark scores what the pipeline would see: each held-out text is drawn on
A4 pages at 300 dpi (DejaVu Sans 11 pt, the generator's layout and scanner effects: paper tone,
up to 1 degree of skew, specks), saved as a scan (greyscale PNG or bitonal G4 TIFF, alternating),
and read by `ocr.ocr_document`, as `digitise run` reads a scan. Readings are cached under
var/classifier-f1/ocr/ by a hash of the text and the rendering, so a re-run costs no OCR.
"""

from __future__ import annotations

import hashlib
import random
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from ocr import ocr_document
from samples.generate import A4_PX, LEADING, MARGIN_BOTTOM, MARGIN_TOP, render_page, wrap_text

CACHE = Path(__file__).resolve().parents[1] / "var" / "classifier-f1" / "ocr"
BODY = 46  # px at 300 dpi: 11 pt
RENDERING = "v1"  # change when the rendering changes: the cache key includes it
LINES_PER_PAGE = int((A4_PX[1] - MARGIN_TOP - MARGIN_BOTTOM) / (BODY * LEADING))


def page_lines(text: str) -> list[list[str]]:
    """The text wrapped to the page width, paragraph by paragraph, cut into pages."""
    lines = [wrapped for paragraph in text.splitlines() for wrapped in (wrap_text(paragraph, BODY) or [""])]
    return [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[""]]


def render_scan(text: str, path_stem: Path, seed: int) -> Path:
    """Draw the text as a scan; even seeds give a greyscale PNG (one page), odd a bitonal G4 TIFF."""
    pages = [render_page(lines, seed=seed * 100 + n) for n, lines in enumerate(page_lines(text))]
    if seed % 2 == 0 and len(pages) == 1:
        path = path_stem.with_suffix(".png")
        pages[0].save(path, dpi=(300, 300))
        return path
    bitonal = [p.point(lambda v: 255 if v > 150 else 0).convert("1", dither=Image.Dither.NONE) for p in pages]
    path = path_stem.with_suffix(".tif")
    bitonal[0].save(path, compression="group4", dpi=(300, 300), save_all=True, append_images=bitonal[1:])
    return path


def _key(text: str, seed: int) -> str:
    return hashlib.sha256(f"{RENDERING}|{seed}|{text}".encode()).hexdigest()


def _read(text: str, seed: int) -> str:
    cached = CACHE / f"{_key(text, seed)}.txt"
    if cached.is_file():
        return cached.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as work:
        scan = render_scan(text, Path(work) / "scan", seed)
        read = ocr_document(scan, work_dir=Path(work) / "ocr", languages="eng").text
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(read, encoding="utf-8")
    return read


def ocr_texts(texts: Sequence[str], workers: int = 2) -> list[str]:
    """Each text as the pipeline's OCR reads it from a rendered scan (cached)."""
    seeds = [int(hashlib.sha256(t.encode()).hexdigest()[:6], 16) for t in texts]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_read, texts, seeds))
