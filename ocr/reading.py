"""Read one page image well: turn it upright, straighten it, clean it if noisy, OCR it,
check nothing was dropped, and try again differently if something was.

The steps, each cheap unless the page needs it:

1. `guess_orientation` on a 150-dpi ink map (about 15 ms). Only when it is unsure
   (no lower-case line, typewritten columns) does Tesseract's OSD run (`--psm 0`,
   about 0.5 s); when OSD is unsure too, or the first reading looks garbled, the page
   is OCRed the other way up as well and the more confident reading kept.
2. Straighten (lossless quarter turns, then undo skew over MIN_CORRECTION) and
   despeckle noisy pages, into one prepared image; an upright, straight, clean page
   goes to Tesseract untouched.
3. OCR once (`ocr_page_image`: text, TSV word boxes and the PDF page), as a single
   column if the page has only one (`ocr.layout`), else with Tesseract's layout analysis.
4. `check_reading`: text-line bands of ink (faint ink included) against word boxes.
   Lines unread → a second pass with faint ink darkened, then one with sparse-text
   segmentation (`--psm 11`); the most complete pass wins. Whatever is still missing
   is reported as a review reason, never dropped silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ocr.bitonal import BitonalPage
from ocr._exec.tesseract import Engine, TesseractPage, detect_orientation, ocr_page_image
from ocr.defaults import DEFAULT_DPI, DEFAULT_ENGINE
from ocr.cleaning import clean_page, darken_faint_ink, measure_noise, should_clean
from ocr.deskew import measure_skew, should_deskew, straighten, straighten_pixels
from ocr.errors import InputUnreadableError
from ocr.ink import InkMap, gray_pixels, ink_map, ink_maps
from ocr.layout import segmentation_mode
from ocr.orientation import Orientation, guess_orientation
from ocr.quality import DOUBTFUL_WORD, Reading, ReviewReason, check_reading, review_reasons

log = logging.getLogger(__name__)

#: OSD confidence above which its answer overrides the ink's line direction.
OSD_OVERRIDE = 10.0
#: OCRed both ways up, the loser must have fewer than this share of the winner's confident words.
ORIENTATION_MARGIN = 0.5
#: Segmentation mode of the last recovery pass: sparse text finds lines other modes skip.
RECOVERY_PSM = 11
#: A sparse-text pass must read this many more confident words, and this share more, to be kept.
MIN_RECOVERED_WORDS = 5
RECOVERED_SHARE = 0.02


@dataclass(frozen=True, slots=True)
class PageReading:
    """The chosen OCR pass of one page and what was done to the page before it."""

    ocr: TesseractPage
    rotation: int
    skew: float
    cleaned: bool
    reading: Reading
    reasons: tuple[ReviewReason, ...]
    passes: int
    psm: int


@dataclass(frozen=True, slots=True)
class _Plan:
    rotation: int
    skew: float
    certain: bool


@dataclass(frozen=True, slots=True)
class _Pass:
    ocr: TesseractPage
    reading: Reading
    rotation: int
    skew: float
    cleaned: bool
    psm: int


def read_page(
    image: Path, *, number: int, dpi: int | None, work_dir: Path, languages: str, psm: int | None, timeout: float,
    pixels: Image.Image | None = None, engine: Engine = DEFAULT_ENGINE,
) -> PageReading:
    """OCR page `number` (the file `image`, already decoded as `pixels` if given) with
    orientation, skew, cleaning and completeness handled. `psm` None: chosen by the page's columns."""
    source = pixels if pixels is not None else _load(image, number)
    gray = gray_pixels(source)
    ink, faint_ink = ink_maps(gray, dpi=dpi)
    guess = guess_orientation(ink)
    plan = _Plan(guess.rotation, guess.skew, guess.certain)
    if not guess.certain:
        plan = _settle_orientation(image, guess, ink, dpi=dpi, timeout=timeout)
    noisy = should_clean(measure_noise(gray))
    mode = segmentation_mode(ink.rotated(plan.rotation), psm)

    def run(rotation: int, skew: float, tag: str, *, psm_: int = mode, faint: bool = False) -> _Pass:
        return _ocr_pass(
            source, image, number=number, dpi=dpi, work_dir=work_dir, languages=languages, psm=psm_,
            timeout=timeout, rotation=rotation, skew=skew, clean=noisy, faint=faint, tag=tag,
            gray=gray, source_ink=faint_ink, engine=engine,
        )

    best = run(plan.rotation, plan.skew, "ocr")
    passes = 1
    settled = plan.certain
    if not plan.certain or best.reading.is_garbled:  # garbled text may be upside down
        flipped = run((plan.rotation + 180) % 360, plan.skew, "ocr-flipped")
        passes += 1
        best, other = sorted((best, flipped), key=lambda p: _confident_words(p.ocr), reverse=True)
        settled = _confident_words(other.ocr)[0] < ORIENTATION_MARGIN * _confident_words(best.ocr)[0]
    if not best.reading.is_complete:
        for retry in _recoveries(run, best, bitonal=source.mode == "1"):
            passes += 1
            candidate = retry()
            best = candidate if _should_keep(candidate, best) else best
            if best.reading.is_complete:
                break
    reasons = review_reasons(best.reading, orientation_certain=settled)
    log.debug(
        "page %d: rotation %d, skew %.2f, %d passes, score %.3f, reasons %s",
        number, best.rotation, best.skew, passes, best.reading.score, [r.value for r in reasons],
    )
    return PageReading(best.ocr, best.rotation, best.skew, best.cleaned, best.reading, reasons, passes, best.psm)


def _recoveries(run: Callable[..., _Pass], first: _Pass, *, bitonal: bool) -> list[Callable[[], _Pass]]:
    """Second and third tries for a page with unread lines, cheapest likely fix first.

    A bitonal page has no grey ink to darken: the faint pass would be the first pass again.
    """
    tries = [] if bitonal else [lambda: run(first.rotation, first.skew, "ocr-faint", faint=True)]
    tries.append(lambda: run(first.rotation, first.skew, "ocr-sparse", psm_=RECOVERY_PSM, faint=not bitonal))
    return tries


def _should_keep(candidate: _Pass, best: _Pass) -> bool:
    """A recovery pass replaces the reading only if it reads more of the page's lines.

    Sparse segmentation (`--psm 11`) has no reading order across blocks: a two-column page
    comes out with its columns interleaved line by line. It is kept only for clearly more
    confident words (a dropped paragraph), never for junk read off a photograph or a stamp; the
    lines it would have added are still reported for review.
    """
    if not candidate.reading.is_better_than(best.reading):
        return False
    if candidate.psm == best.psm:
        return True
    confident, before = _confident_words(candidate.ocr)[0], _confident_words(best.ocr)[0]
    return confident - before >= max(MIN_RECOVERED_WORDS, RECOVERED_SHARE * before)


def _load(image: Path, number: int) -> Image.Image:
    try:
        img = Image.open(image)
        img.load()
        return img
    except (OSError, ValueError, SyntaxError) as e:
        raise InputUnreadableError(f"page {number} is not readable ({type(e).__name__})") from e


def _settle_orientation(
    image: Path, guess: Orientation, ink: InkMap, *, dpi: int | None, timeout: float
) -> _Plan:
    """Ask OSD; agreement with the ink makes the guess certain, a confident other axis overrides it.

    An override is taken as settled: OSD read the script itself, where the ink's line
    direction can be fooled (the columns of a landscape spread look like lines). Should it
    be upside down all the same, the first reading comes out garbled and is tried the
    other way up.
    """
    osd = detect_orientation(image, dpi=dpi or DEFAULT_DPI, timeout=timeout)
    if osd is None:
        return _Plan(guess.rotation, guess.skew, False)
    if osd.rotate == guess.rotation:
        return _Plan(guess.rotation, guess.skew, True)
    if (osd.rotate - guess.rotation) % 180 == 0:
        return _Plan(guess.rotation, guess.skew, False)  # same axis, other way up: OCR decides
    if osd.confidence >= OSD_OVERRIDE:
        return _Plan(osd.rotate, measure_skew(ink.rotated(osd.rotate)).angle, True)
    return _Plan(guess.rotation, guess.skew, False)


def _confident_words(ocr: TesseractPage) -> tuple[int, float]:
    return sum(1 for c in ocr.word_confidences if c >= DOUBTFUL_WORD), sum(ocr.word_confidences)


def _ocr_pass(
    source: Image.Image,
    image: Path,
    *,
    number: int,
    dpi: int | None,
    work_dir: Path,
    languages: str,
    psm: int,
    timeout: float,
    rotation: int,
    skew: float,
    clean: bool,
    faint: bool,
    tag: str,
    gray: np.ndarray,
    source_ink: InkMap,
    engine: Engine,
) -> _Pass:
    prepared = prepare_page(source, gray, rotation=rotation, skew=skew, clean=clean, faint=faint, ink=source_ink)
    if prepared is source and _is_bitonal_png(image, source):
        prepared = BitonalPage.from_gray(gray)
    target = image
    if prepared is not source:
        target = _save_prepared(prepared, work_dir / f"{number:05d}.{tag}.prepared", dpi)
    # Always told, as PBM files cannot record it: the page's own resolution, else DEFAULT_DPI.
    result = ocr_page_image(
        target, out_base=work_dir / f"{number:05d}.{tag}", languages=languages,
        dpi=dpi or DEFAULT_DPI, psm=psm, timeout=timeout, engine=engine,
    )
    if prepared is source:
        ink = source_ink
    elif not (clean or faint):  # turned and tilted only: move the ink map the same way
        ink = source_ink.rotated(rotation)
        if should_deskew(skew):
            ink = ink.tilted(skew, expand=prepared.size != _turned_size(source, rotation))
    else:
        ink = ink_map(prepared, dpi=dpi, faint=True)
    reading = check_reading(ink, result.words)
    return _Pass(result, reading, rotation, skew if should_deskew(skew) else 0.0, clean, psm)


def _is_bitonal_png(image: Path, page: Image.Image) -> bool:
    """Tesseract copies a PNG's compressed data into its PDF as it is: for a bitonal page that
    is Flate, 1.7 times the size of the G4 image it makes of the same pixels read from PBM."""
    return page.mode == "1" and image.suffix.lower() == ".png"


def _turned_size(image: Image.Image, rotation: int) -> tuple[int, int]:
    width, height = image.size
    return (height, width) if rotation % 180 == 90 else (width, height)


def prepare_page(
    source: Image.Image, gray: np.ndarray, *, rotation: int, skew: float, clean: bool, faint: bool = False,
    ink: InkMap | None = None,
) -> Image.Image | BitonalPage:
    """The page as Tesseract should see it; `source` itself when nothing needs doing.

    `gray` is the source's grey levels. A bitonal page that is only turned or straightened
    stays an array until it is written (`BitonalPage`).
    """
    if not (rotation % 360 or should_deskew(skew) or clean or faint):
        return source
    if source.mode == "L" or (source.mode == "1" and not (clean or faint)):
        straight = straighten_pixels(gray, rotation=rotation, skew=skew, ink=ink)
        if source.mode == "1":
            return BitonalPage.from_gray(straight)
        page = Image.fromarray(np.ascontiguousarray(straight))
    else:
        page = straighten(source, rotation=rotation, skew=skew, ink=ink)
    if clean or faint:
        page = page if page.mode == "L" else page.convert("L")
        if clean:
            page = clean_page(page)
        if faint:
            page = darken_faint_ink(page)
    return page


def _save_prepared(page: Image.Image | BitonalPage, base: Path, dpi: int | None) -> Path:
    """PBM for bitonal pages, PNG at the fastest compression for the rest.

    Tesseract G4-encodes a bitonal page it reads from PBM, the quickest file to write, into
    its PDF. Not PNM for grey or colour pages, though it writes ten times faster: Tesseract
    copies a PNG's compressed data straight into its PDF, so the archived PDF is about 30 %
    smaller that way.
    """
    if isinstance(page, BitonalPage):
        out = Path(f"{base}.pbm")
        page.save_pbm(out)
        return out
    info: dict[str, Any] = {"dpi": (dpi, dpi)} if dpi else {}
    out = Path(f"{base}.png")
    page.save(out, compress_level=1, **info)
    return out
