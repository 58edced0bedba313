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
   A page whose file records a resolution no scanner made (`ocr.resolution`) is read at
   the resolution its pixel size implies on an office sheet too, kept when clearly better.
4. `check_reading`: text-line bands of ink (faint ink included) against word boxes.
   Lines unread → a second pass with faint ink darkened, then one with sparse-text
   segmentation (`--psm 11`); the most complete pass wins. Whatever is still missing
   is reported as a review reason, never dropped silently. A page that was despeckled
   and still has lines unread, or whose print is thin (`thin_print`), is first read as
   scanned too, and that reading kept when it is clearly better (`_clearly_better`) or no
   worse and surer (`_no_worse_and_surer`): the median filter that clears grain also erases
   small print on a low-resolution scan and print on halftone shading (real scans: a
   newspaper page at 0.66 of its words' recall cleaned, 0.98 not; a shaded table 0.35, 0.55;
   a typed letter scanned at about 110 dpi 0.81-0.87, 0.98).
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image

from ocr.bitonal import BitonalPage
from ocr._exec.tesseract import Engine, TesseractPage, detect_orientation, ocr_page_image
from ocr.cleaning import measure_noise, should_clean, thin_print
from ocr.defaults import DEFAULT_DPI, DEFAULT_ENGINE, DEFAULT_LANGUAGES, DEFAULT_PAGE_TIMEOUT
from ocr.deskew import measure_skew, should_deskew
from ocr.errors import InputUnreadableError
from ocr.ink import InkMap, gray_pixels, ink_map, ink_maps
from ocr.layout import segmentation_mode
from ocr.orientation import Orientation, guess_orientation
from ocr.pages import ImagePage
from ocr.prepare import PreparedPage, Preparation, prepare_page, save_prepared
from ocr.profiling import stage
from ocr.quality import DOUBTFUL_WORD, Reading, ReviewReason, check_reading, review_reasons
from ocr.signals import PageSignals, page_signals

log = logging.getLogger(__name__)

#: OSD confidence above which its answer overrides the ink's line direction.
OSD_OVERRIDE = 10.0
#: A page turned on the ink's or OSD's word is read turned, and that reading taken without a
#: second look, when Tesseract is this sure of it: pages read the right way up score 80-97,
#: turned the wrong way 30-45 (tables and typewritten pages whose rules and monospaced
#: columns fool the ink's line direction). Otherwise the page is also read as scanned.
TRUSTED_CONFIDENCE = 80.0
TRUSTED_DOUBTFUL_SHARE = 0.15
#: Words of this many characters or more show the direction of the lines they were read on;
#: this share of them must run across the page for its reading to count as the right way up.
RUNS_ACROSS_CHARS = 3
RUNS_ACROSS_SHARE = 0.6
#: Of two readings of a page turned differently, one wins only with this many times the other's
#: plausible words and TURN_MIN_WORDS more; else it is a tie, and the page stays as scanned.
TURN_MARGIN = 1.25
TURN_MIN_WORDS = 5
#: ... or as many plausible words read with this much more mean confidence (a short page).
SURER_BY = 20.0
#: Segmentation mode of the last recovery pass: sparse text finds lines other modes skip.
RECOVERY_PSM = 11
#: A sparse-text pass must read this many more confident words, and this share more, to be kept.
MIN_RECOVERED_WORDS = 5
RECOVERED_SHARE = 0.02
#: ... and keep this share of the first reading's words in their order.
KEPT_IN_ORDER = 0.9


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How every page of a document is read: the caller's choices, the same for each page.

    `psm` None: each page's segmentation mode is chosen by its columns (`ocr.layout`).
    """

    work_dir: Path
    languages: str = DEFAULT_LANGUAGES
    timeout: float = DEFAULT_PAGE_TIMEOUT
    psm: int | None = None
    engine: Engine = DEFAULT_ENGINE
    #: Barcode formats for `PageReading.signals`; None: no signals (empty: the blank test only).
    signal_formats: tuple[str, ...] | None = None


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
    signals: PageSignals | None = None  # barcodes and blank test, when ReadOptions asked for them


@dataclass(frozen=True, slots=True, eq=False)
class _Page:
    """One page decoded and measured once: what every OCR pass of it starts from.

    `path` is the file Tesseract reads when the page needs no preparing; `dpi` the page's
    own resolution (None when it records none); `ink` its main text, `faint_ink` that with
    faint ink as well (`ink_maps`); `sheet_dpi` a second resolution to read it at
    (`ocr.resolution`).
    """

    number: int
    path: Path
    dpi: int | None
    pixels: Image.Image
    gray: np.ndarray
    ink: InkMap
    faint_ink: InkMap
    sheet_dpi: int | None = None

    @classmethod
    def decode(cls, page: ImagePage) -> _Page:
        with stage("decode"):
            pixels = page.pixels if page.pixels is not None else _load(page.image, page.number)
            gray = gray_pixels(pixels)
        with stage("ink maps"):
            ink, faint_ink = ink_maps(gray, dpi=page.dpi)
        return cls(page.number, page.image, page.dpi, pixels, gray, ink, faint_ink, page.sheet_dpi)

    @property
    def tesseract_dpi(self) -> int:
        """Always told to Tesseract, as PBM files cannot record it: the page's own, else the default."""
        return self.dpi or DEFAULT_DPI


@dataclass(frozen=True, slots=True)
class _Plan:
    rotation: int
    skew: float
    certain: bool


@dataclass(frozen=True, slots=True)
class _Attempt:
    """One OCR pass to make: how the page is prepared, Tesseract's segmentation mode, the
    `tag` naming the pass's files (`00001.ocr-faint.pdf`), and the resolution Tesseract is
    told (None: the page's own)."""

    tag: str
    prep: Preparation
    psm: int
    dpi: int | None = None


@dataclass(frozen=True, slots=True)
class _Pass:
    """An attempt made: what Tesseract read, and how complete that looks."""

    ocr: TesseractPage
    reading: Reading
    attempt: _Attempt


def read_page(page: ImagePage, options: ReadOptions) -> PageReading:
    """OCR `page` with orientation, skew, cleaning and completeness handled."""
    source = _Page.decode(page)
    signals = None
    if options.signal_formats is not None:  # from the grey levels decoded anyway: no second decode
        with stage("signals"):
            signals = page_signals(source.gray, number=source.number, dpi=source.dpi, formats=options.signal_formats)
    with stage("orientation check"):
        guess = guess_orientation(source.ink)
    plan = _Plan(guess.rotation, guess.skew, guess.certain)
    if not guess.certain:
        plan = _settle_orientation(source, guess, timeout=options.timeout)
    with stage("noise check"):
        noise = measure_noise(source.gray)
        noisy = should_clean(noise)
    with stage("layout"):
        mode = segmentation_mode(source.ink.rotated(plan.rotation), options.psm)
    first = _Attempt("ocr", Preparation(plan.rotation, plan.skew, clean=noisy), mode)

    best = _ocr_pass(source, options, first)
    passes = 1
    if source.sheet_dpi:  # its file's resolution is doubtful: read at the sheet's, keep it if clearly better
        best = _at_sheet_dpi(source, options, best)
        passes += 1
    dpi = best.attempt.dpi
    settled = plan.certain
    compared = False
    if plan.rotation and not _trusted(best):  # turned on the ink's word: is it better than as scanned?
        as_scanned = _Attempt("ocr-as-scanned", Preparation(0, measure_skew(source.ink).angle, clean=noisy),
                              segmentation_mode(source.ink, options.psm), dpi)
        best, settled = _pick(best, _ocr_pass(source, options, as_scanned))
        passes += 1
        compared = True
    if not _runs_across(best.ocr):  # Tesseract read the lines standing up: the page is on its side
        for quarter in (90, 270):
            turned = (best.attempt.prep.rotation + quarter) % 360
            upright = Preparation(turned, measure_skew(source.ink.rotated(turned)).angle, clean=noisy)
            mode_turned = segmentation_mode(source.ink.rotated(turned), options.psm)
            best, settled = _pick(best, _ocr_pass(source, options, _Attempt(f"ocr-turned{quarter}", upright, mode_turned, dpi)))
            passes += 1
        compared = True
    if (not plan.certain and not compared) or best.reading.is_garbled:  # garbled text may be upside down
        turned = best.attempt.prep.rotation
        upside_down = replace(best.attempt.prep, rotation=(turned + 180) % 360)
        flipped = _ocr_pass(source, options, _Attempt("ocr-flipped", upside_down, best.attempt.psm, dpi))
        passes += 1
        best, settled = _pick(best, flipped)
    if source.sheet_dpi and dpi is None and best.attempt.prep.rotation != first.prep.rotation:
        best = _at_sheet_dpi(source, options, best)  # the sheet's resolution was tried the wrong way up
        passes += 1
    if best.attempt.prep.clean and (not best.reading.is_complete or thin_print(noise)):  # cleaning may have erased print
        raw = _ocr_pass(source, options, replace(best.attempt, tag="ocr-uncleaned",
                                                 prep=replace(best.attempt.prep, clean=False)))
        passes += 1
        best = raw if _clearly_better(raw, best) or _no_worse_and_surer(raw, best) else best
    if not best.reading.is_complete:  # any line missed: worth a pass, if not always a reviewer's time
        for retry in _recoveries(best.attempt, bitonal=source.pixels.mode == "1"):
            passes += 1
            candidate = _ocr_pass(source, options, retry)
            best = candidate if _should_keep(candidate, best) else best
            if best.reading.is_complete:
                break
    reasons = review_reasons(best.reading, orientation_certain=settled)
    prep = best.attempt.prep
    log.debug(
        "page %d: rotation %d, skew %.2f, %d passes, score %.3f, reasons %s",
        source.number, prep.rotation, prep.skew_undone, passes, best.reading.score, [r.value for r in reasons],
    )
    return PageReading(
        best.ocr, prep.rotation, prep.skew_undone, prep.clean, best.reading, reasons, passes, best.attempt.psm,
        signals,
    )


def _at_sheet_dpi(page: _Page, options: ReadOptions, best: _Pass) -> _Pass:
    """`best`, or its reading with Tesseract told the sheet's resolution if that is clearly better."""
    at_sheet = _ocr_pass(page, options, replace(best.attempt, tag="ocr-sheet-dpi", dpi=page.sheet_dpi))
    return at_sheet if _clearly_better(at_sheet, best) else best


def _recoveries(kept: _Attempt, *, bitonal: bool) -> list[_Attempt]:
    """Second and third tries for a page with unread lines, cheapest likely fix first: the
    kept pass's turn, straightening and cleaning, with faint ink darkened, then as sparse text.

    A bitonal page has no grey ink to darken: the faint pass would be the first pass again.
    """
    tries = [] if bitonal else [replace(kept, tag="ocr-faint", prep=replace(kept.prep, faint=True))]
    tries.append(replace(kept, tag="ocr-sparse", prep=replace(kept.prep, faint=not bitonal), psm=RECOVERY_PSM))
    return tries


def _should_keep(candidate: _Pass, best: _Pass) -> bool:
    """A recovery pass replaces the reading only if it reads more of the page's lines, and no
    fewer sure words: its lines are counted on the ink of its own prepared page, and darkening
    faint ink also blackens shading over print (real scans: a table page read at 0.94 of its
    words, 0.84 darkened, with one line fewer unread).

    Sparse segmentation (`--psm 11`) has no reading order across blocks: a two-column page
    comes out with its columns interleaved line by line. It is kept only for clearly more
    confident words (a dropped paragraph), never for junk read off a photograph or a stamp; the
    lines it would have added are still reported for review.
    """
    if not candidate.reading.is_better_than(best.reading) or _sure_words(candidate.ocr) < _sure_words(best.ocr):
        return False
    if candidate.attempt.psm == best.attempt.psm:
        return True
    confident, before = _confident_words(candidate.ocr)[0], _confident_words(best.ocr)[0]
    if confident - before < max(MIN_RECOVERED_WORDS, RECOVERED_SHARE * before):
        return False
    return keeps_order(best.ocr.text, candidate.ocr.text)


def keeps_order(kept: str, candidate: str) -> bool:
    """True if `candidate` has KEPT_IN_ORDER of `kept`'s words in the same order: more words read
    across two columns, line by line, would scramble the text a user searches and the
    classifier reads."""
    before, after = kept.split(), candidate.split()
    if not before:
        return True
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    in_order = sum(block.size for block in matcher.get_matching_blocks())
    return in_order >= KEPT_IN_ORDER * len(before)


def _load(image: Path, number: int) -> Image.Image:
    try:
        img = Image.open(image)
        img.load()
        return img
    except (OSError, ValueError, SyntaxError) as e:
        raise InputUnreadableError(f"page {number} is not readable ({type(e).__name__})") from e


def _settle_orientation(page: _Page, guess: Orientation, *, timeout: float) -> _Plan:
    """Ask OSD; agreement with the ink makes the guess certain, a confident other axis overrides it.

    An override is taken as settled: OSD read the script itself, where the ink's line
    direction can be fooled (the columns of a landscape spread look like lines). Should it
    be upside down all the same, the first reading comes out garbled and is tried the
    other way up.
    """
    with stage("OSD", children=True):
        osd = detect_orientation(page.path, dpi=page.tesseract_dpi, timeout=timeout)
    if osd is None:
        return _Plan(guess.rotation, guess.skew, False)
    if osd.rotate == guess.rotation:
        return _Plan(guess.rotation, guess.skew, True)
    if (osd.rotate - guess.rotation) % 180 == 0:
        return _Plan(guess.rotation, guess.skew, False)  # same axis, other way up: OCR decides
    if osd.confidence >= OSD_OVERRIDE:
        return _Plan(osd.rotate, measure_skew(page.ink.rotated(osd.rotate)).angle, True)
    return _Plan(guess.rotation, guess.skew, False)


def _confident_words(ocr: TesseractPage) -> tuple[int, float]:
    return sum(1 for c in ocr.word_confidences if c >= DOUBTFUL_WORD), sum(ocr.word_confidences)


def _trusted(read: _Pass) -> bool:
    """A reading Tesseract is sure of, its words running across the page: what a page the
    right way up gives. (Tesseract reads a page on its side surely too, line by standing line.)"""
    reading = read.reading
    return (reading.words > 0 and reading.mean_confidence >= TRUSTED_CONFIDENCE
            and reading.doubtful_share <= TRUSTED_DOUBTFUL_SHARE and _runs_across(read.ocr))


def _runs_across(ocr: TesseractPage) -> bool:
    """Whether most words of RUNS_ACROSS_CHARS letters or more are wider than tall (or there are none)."""
    long_words = [w for w in ocr.words if w.chars >= RUNS_ACROSS_CHARS]
    across = sum(1 for w in long_words if w.width >= w.height)
    return across >= RUNS_ACROSS_SHARE * len(long_words)


def _pick(first: _Pass, second: _Pass) -> tuple[_Pass, bool]:
    """The better of two readings of the page turned two ways, and whether it won clearly.

    Judged on what Tesseract read (confident words, and words that look like words), not on
    the ink. On a tie the page as scanned wins if it is one of the two (an upright page is
    never turned on a hunch), else the one with more confident words.
    """
    if _clearly_better(second, first):
        return second, True
    if _clearly_better(first, second):
        return first, True
    if second.attempt.prep.rotation == 0:
        return second, False
    if first.attempt.prep.rotation == 0:
        return first, False
    return max((first, second), key=lambda p: _confident_words(p.ocr)), False


def _clearly_better(one: _Pass, other: _Pass) -> bool:
    """Clearly more words read surely that look like words, or (a line or two of text) as many
    read far more surely. A reading along the lines beats one of the lines standing up."""
    across, other_across = _runs_across(one.ocr), _runs_across(other.ocr)
    mine, theirs = _sure_words(one.ocr), _sure_words(other.ocr)
    if across != other_across:
        return across and mine >= 0.5 * theirs
    if mine < theirs:
        return False
    surer = one.reading.mean_confidence >= other.reading.mean_confidence + SURER_BY
    return mine >= max(TURN_MARGIN * theirs, theirs + TURN_MIN_WORDS) or surer


def _no_worse_and_surer(one: _Pass, other: _Pass) -> bool:
    """Two readings of the same page turned and segmented alike: `one` misses no more lines, reads
    no fewer words surely and reads them more surely. How a page read as scanned beats its
    despeckled copy when the filter wore thin print down (a typed letter scanned at about 110 dpi:
    11-17 % more sure words, confidence 4-5 higher, 0.98 of its words against 0.81-0.87)."""
    return (one.reading.missed_lines <= other.reading.missed_lines
            and _sure_words(one.ocr) >= _sure_words(other.ocr)
            and one.reading.mean_confidence > other.reading.mean_confidence)


def _sure_words(ocr: TesseractPage) -> int:
    """Words Tesseract is sure of that also look like words: what a reading the right way up has."""
    return sum(1 for w in ocr.words if w.plausible and w.confidence >= DOUBTFUL_WORD)


def _ocr_pass(page: _Page, options: ReadOptions, attempt: _Attempt) -> _Pass:
    """Prepare the page as `attempt` says, OCR it, and check the reading against the page's ink."""
    prepared = prepare_page(page.pixels, page.gray, attempt.prep, ink=page.faint_ink)
    if prepared is page.pixels and _is_bitonal_png(page.path, page.pixels):
        prepared = BitonalPage.from_gray(page.gray)
    out_base = options.work_dir / f"{page.number:05d}.{attempt.tag}"
    target = page.path
    if prepared is not page.pixels:
        target = save_prepared(prepared, Path(f"{out_base}.prepared"), page.dpi)
    with stage(f"tesseract {attempt.tag}", children=options.engine == "cli"):  # the engine reports its own
        result = ocr_page_image(
            target, out_base=out_base, languages=options.languages,
            dpi=attempt.dpi or page.tesseract_dpi, psm=attempt.psm, timeout=options.timeout, engine=options.engine,
        )
    with stage("completeness check"):
        reading = check_reading(_ink_of(prepared, page, attempt.prep), result.words)
    return _Pass(result, reading, attempt)


def _ink_of(prepared: PreparedPage, page: _Page, prep: Preparation) -> InkMap:
    """The faint-ink map of the page as prepared, moved rather than measured again when it was
    only turned and tilted."""
    if prepared is page.pixels:
        return page.faint_ink
    if prep.clean or prep.faint:
        return ink_map(prepared, dpi=page.dpi, faint=True)
    ink = page.faint_ink.rotated(prep.rotation)
    if should_deskew(prep.skew):
        ink = ink.tilted(prep.skew, expand=prepared.size != _turned_size(page.pixels, prep.rotation))
    return ink


def _is_bitonal_png(image: Path, page: Image.Image) -> bool:
    """Tesseract copies a PNG's compressed data into its PDF as it is: for a bitonal page that
    is Flate, 1.7 times the size of the G4 image it makes of the same pixels read from PBM."""
    return page.mode == "1" and image.suffix.lower() == ".png"


def _turned_size(image: Image.Image, rotation: int) -> tuple[int, int]:
    width, height = image.size
    return (height, width) if rotation % 180 == 90 else (width, height)
