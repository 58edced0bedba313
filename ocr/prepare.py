"""The page as Tesseract should see it: turned upright, straightened, cleaned, faint ink darkened."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ocr.bitonal import BitonalPage
from ocr.cleaning import clean_page, darken_faint_ink
from ocr.colour import ColourPage
from ocr.deskew import should_deskew, straighten, straighten_colour, straighten_pixels
from ocr.ink import InkMap
from ocr.profiling import stage


@dataclass(frozen=True, slots=True)
class Preparation:
    """What one OCR pass does to the page first: turn it `rotation` degrees clockwise (a
    multiple of 90), undo a tilt of `skew` degrees (from MIN_CORRECTION on), despeckle it
    (`clean`), darken its faint ink (`faint`)."""

    rotation: int = 0
    skew: float = 0.0
    clean: bool = False
    faint: bool = False

    @property
    def changes_page(self) -> bool:
        return bool(self.rotation % 360 or should_deskew(self.skew) or self.clean or self.faint)

    @property
    def skew_undone(self) -> float:
        """The tilt actually undone: a smaller one is left alone, so it is recorded as none."""
        return self.skew if should_deskew(self.skew) else 0.0


#: What `prepare_page` hands on: a page Pillow holds, or one kept as an array until written.
PreparedPage = Image.Image | BitonalPage | ColourPage


def prepare_page(
    source: Image.Image, gray: np.ndarray, prep: Preparation, *, ink: InkMap | None = None
) -> PreparedPage:
    """The page as Tesseract should see it; `source` itself when nothing needs doing.

    `gray` is the source's grey levels, `ink` its ink map if the caller has one. A bitonal
    page that is only turned or straightened stays an array until it is written (`BitonalPage`),
    and so does a colour page straightened and nothing more (`ColourPage`).
    """
    if not prep.changes_page:
        return source
    retouched = prep.clean or prep.faint
    with stage("turn and deskew"):
        # Grey levels are straightened for a grey page, a bitonal page only turned or tilted, and a
        # colour page to be cleaned or darkened (made grey anyway: a third of the pixels to turn).
        if source.mode == "L" or (source.mode == "1") != retouched:
            straight = straighten_pixels(gray, rotation=prep.rotation, skew=prep.skew, ink=ink)
            if source.mode == "1":
                return BitonalPage.from_gray(straight)
            page = Image.fromarray(np.ascontiguousarray(straight))
        elif source.mode == "RGB" and should_deskew(prep.skew):  # retouched colour went grey above
            return ColourPage(straighten_colour(source, rotation=prep.rotation, skew=prep.skew, ink=ink))
        else:
            page = straighten(source, rotation=prep.rotation, skew=prep.skew, ink=ink)
    if retouched:
        page = page if page.mode == "L" else page.convert("L")
        if prep.clean:
            with stage("cleaning"):
                page = clean_page(page)
        if prep.faint:
            with stage("faint darkening"):
                page = darken_faint_ink(page)
    return page


def save_prepared(page: PreparedPage, base: Path, dpi: int | None) -> Path:
    """PBM for bitonal pages, PNG at the fastest compression (zlib's run-length strategy) for the rest.

    Tesseract G4-encodes a bitonal page it reads from PBM, the quickest file to write, into
    its PDF. Not PNM for grey or colour pages, though it writes ten times faster: Tesseract
    copies a PNG's compressed data straight into its PDF, so the archived PDF is about 30 %
    smaller that way. Run-length strategy: on a straightened letter 10 % faster than the default
    strategy and 15 % smaller, on a grainy page 25 % faster and 5 % smaller.
    """
    with stage("write prepared image"):
        if isinstance(page, BitonalPage):
            out = Path(f"{base}.pbm")
            page.save_pbm(out)
            return out
        if isinstance(page, ColourPage):  # no resolution in the file: Tesseract is told it
            out = Path(f"{base}.png")
            page.save_png(out)
            return out
        info: dict[str, Any] = {"dpi": (dpi, dpi)} if dpi else {}
        out = Path(f"{base}.png")
        page.save(out, compress_level=1, compress_type=zlib.Z_RLE, **info)
        return out
