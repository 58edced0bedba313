"""Split an input file into pages that Tesseract can read, one page at a time.

Images go to Tesseract as they are when possible (no decode and re-encode); only
EXIF-rotated images and frames of multi-page TIFFs are written out as page files.
PDF pages that already carry a text layer are not rasterised at all.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError
from pypdf import PageObject, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from ocr._exec.pdftoppm import rasterize_page
from ocr.profiling import stage
from ocr.bitonal import BitonalPage
from ocr.capture import POINTS_PER_INCH, PageCapture, image_capture, pdf_page_capture
from ocr.embedded import embedded_scan, write_embedded_scan
from ocr.errors import (
    EmptyDocumentError,
    EncryptedPdfError,
    ImageTooLargeError,
    InputUnreadableError,
    OcrError,
    UnsupportedFormatError,
)
from ocr.ink import gray_pixels
from ocr.resolution import sheet_resolution

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES = IMAGE_SUFFIXES | PDF_SUFFIXES
#: A page needs at least this many extracted characters to count as having a text layer.
MIN_TEXT_LAYER_CHARS = 20
#: An image narrower or shorter than this is a broken export, not a scanned page.
MIN_PAGE_SIDE = 16
_PLAIN_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}")


@dataclass(frozen=True, slots=True)
class ImagePage:
    """A page to OCR: an image file on disk and its resolution (None when unknown).

    `pixels` is the same page already decoded, when splitting the input had to decode it
    anyway, so the reader does not decode it a second time. `capture` is the page as it was
    scanned (for a PDF page: the image it holds), for the capture standard. `sheet_dpi` is
    a second resolution to read it at, when the recorded one implies a sheet no scanner takes
    (`ocr.resolution`).
    """

    number: int
    image: Path
    dpi: int | None
    pixels: Image.Image | None = None
    capture: PageCapture | None = None
    sheet_dpi: int | None = None


@dataclass(frozen=True, slots=True)
class TextLayerPage:
    """A born-digital PDF page: its text is taken from the PDF, no OCR needed."""

    number: int
    pdf: Path
    index: int
    text: str


@dataclass(frozen=True, slots=True)
class UnreadablePage:
    """A page of a many-page file that could not be read, when the caller asked to go on
    past it (`iter_pages(isolate=True)`): its number and why."""

    number: int
    error: OcrError


SourcePage = ImagePage | TextLayerPage


def set_pixel_limit(max_pixels: int) -> None:
    """Refuse images (and PDF pages, once rasterised) above `max_pixels` (decompression-bomb guard).

    Pillow itself only raises above twice its limit and merely warns in between; we
    refuse everything above 1x with a typed error, so that warning is noise and is silenced.
    """
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def pixel_limit() -> int | None:
    return Image.MAX_IMAGE_PIXELS


def iter_pages(
    source: Path, *, work_dir: Path, dpi: int, timeout: float, isolate: bool = False,
) -> Iterator[SourcePage | UnreadablePage]:
    """Yield the pages of `source` in order, writing any page files into `work_dir`.

    `dpi` is the resolution PDFs are rasterised at, and the one assumed for an image that
    does not record its own (a scanner's PNG or TIFF usually does).

    `isolate`: a page of a TIFF or PDF that cannot be read (a cut-short frame, a page too
    large to rasterise) is yielded as an UnreadablePage and the next pages follow; otherwise
    its error is raised. A file that cannot be opened at all always raises."""
    suffix = source.suffix.lower()
    if suffix in PDF_SUFFIXES:
        yield from _iter_pdf_pages(source, work_dir=work_dir, dpi=dpi, timeout=timeout, isolate=isolate)
    elif suffix in IMAGE_SUFFIXES:
        yield from _iter_image_pages(source, work_dir=work_dir, assumed_dpi=dpi, isolate=isolate)
    else:
        raise UnsupportedFormatError(
            f"unsupported file type {_display_suffix(suffix)}: accepted are "
            + ", ".join(sorted(SUPPORTED_SUFFIXES))
        )


def _display_suffix(suffix: str) -> str:
    """A suffix is part of the file name: show it only when it is a plain extension."""
    if not suffix:
        return "(none)"
    return suffix if _PLAIN_SUFFIX.fullmatch(suffix) else "(not a plain extension)"


def _image_dpi(img: Image.Image) -> int | None:
    dpi = img.info.get("dpi")
    if not dpi:
        return None
    value = int(round(float(dpi[0])))
    return value if value >= 70 else None


def _sheet_dpi(img: Image.Image, recorded: int | None, *, number: int) -> int | None:
    estimate = sheet_resolution(img.width, img.height, recorded)
    if estimate:
        log.info("page %d: its file records %d dpi, a %.0f-inch sheet; also read at %d dpi",
                 number, recorded, max(img.size) / (recorded or 1), estimate)
    return estimate


def _too_large(pixels: int | None = None) -> ImageTooLargeError:
    size = f"has {pixels} pixels, over" if pixels else "exceeds"
    return ImageTooLargeError(
        f"image {size} the pixel limit of {pixel_limit()} pixels (pipeline.ocr.max_image_pixels); "
        "split or downsample it before scanning it in"
    )


def _check_frame_size(img: Image.Image, number: int) -> None:
    """Refuse a frame by its header size, before any pixel is decoded."""
    width, height = img.size
    limit = pixel_limit()
    if limit and width * height > limit:
        raise _too_large(width * height)
    if min(width, height) < MIN_PAGE_SIDE:
        raise InputUnreadableError(
            f"page {number} is only {width}x{height} pixels: too small to be a scanned page; "
            "rescan or re-export it"
        )


@contextmanager
def _image_errors() -> Iterator[None]:
    """Pillow's complaints about a bad file, as our typed errors."""
    try:
        yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise _too_large() from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as e:
        raise InputUnreadableError(
            f"not a readable image ({type(e).__name__}); rescan or re-export the file"
        ) from e


def _open_image(source: Path) -> Image.Image:
    """Open an image, check every frame's size, and decode the first frame to prove it reads."""
    with _image_errors():
        img = Image.open(source)
    with ExitStack() as on_error:
        on_error.callback(img.close)
        with _image_errors():
            for index in range(getattr(img, "n_frames", 1)):
                img.seek(index)
                _check_frame_size(img, index + 1)
            img.seek(0)
            img.load()
        on_error.pop_all()
    return img


def _iter_image_pages(
    source: Path, *, work_dir: Path, assumed_dpi: int, isolate: bool = False,
) -> Iterator[ImagePage | UnreadablePage]:
    with stage("decode"):
        img = _open_image(source)
    with img:
        if getattr(img, "n_frames", 1) == 1 and _exif_orientation(img) in (0, 1):
            # Tesseract reads the file as it is; the reader reuses the frame decoded above.
            recorded = _image_dpi(img)
            yield ImagePage(1, source, recorded or assumed_dpi, img, image_capture(img, recorded),
                            _sheet_dpi(img, recorded, number=1))
        else:
            yield from _write_frames(img, work_dir, assumed_dpi, isolate=isolate)


def _write_frames(
    img: Image.Image, work_dir: Path, assumed_dpi: int, *, isolate: bool = False,
) -> Iterator[ImagePage | UnreadablePage]:
    """Multi-page or EXIF-rotated images: each frame upright, as its own page file.

    One frame is decoded at a time, so a 500-page TIFF takes one page's memory. Bitonal
    frames are written as PBM (by numpy, `BitonalPage`), the fastest to write; Tesseract
    G4-encodes them in its PDF.
    """
    for number, frame in enumerate(ImageSequence.Iterator(img), start=1):
        try:
            with stage("decode"):
                page = ImageOps.exif_transpose(frame.copy())
        except (OSError, ValueError, EOFError) as e:
            error = InputUnreadableError(f"page {number} is not readable ({type(e).__name__})")
            if not isolate:
                raise error from e
            yield UnreadablePage(number, error)
            continue
        recorded = _image_dpi(frame)
        dpi = recorded or assumed_dpi
        with stage("decode"):
            out = _write_frame(page, work_dir, number, dpi)
        yield ImagePage(number, out, dpi, page, image_capture(page, recorded), _sheet_dpi(page, recorded, number=number))


def _write_frame(page: Image.Image, work_dir: Path, number: int, dpi: int) -> Path:
    if page.mode == "1":
        out = work_dir / f"{number:05d}.source.pbm"
        BitonalPage.from_gray(gray_pixels(page)).save_pbm(out)
    else:
        out = work_dir / f"{number:05d}.source.png"
        page.save(out, dpi=(dpi, dpi), compress_level=1)
    return out


def _exif_orientation(img: Image.Image) -> int:
    try:
        return int(img.getexif().get(0x0112, 1))
    except (ValueError, TypeError, OSError):
        return 1


def _open_pdf(source: Path) -> PdfReader:
    try:
        reader = PdfReader(source)
        if reader.is_encrypted:
            # An empty user password is common; anything else needs the owner's password.
            try:
                if not reader.decrypt(""):
                    raise EncryptedPdfError(
                        "PDF is password protected: decrypt it (e.g. qpdf --decrypt) and resubmit"
                    )
            except (NotImplementedError, DependencyError) as e:
                raise EncryptedPdfError("PDF uses an unsupported encryption method") from e
        pages = len(reader.pages)
    except FileNotDecryptedError as e:
        raise EncryptedPdfError(
            "PDF is password protected: decrypt it (e.g. qpdf --decrypt) and resubmit"
        ) from e
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as e:
        raise InputUnreadableError(f"not a readable PDF ({type(e).__name__}); re-export it") from e
    if pages == 0:
        raise EmptyDocumentError("PDF has no pages")
    return reader


def _iter_pdf_pages(
    source: Path, *, work_dir: Path, dpi: int, timeout: float, isolate: bool = False,
) -> Iterator[SourcePage | UnreadablePage]:
    with stage("decode"):
        reader = _open_pdf(source)
    for index, page in enumerate(reader.pages):
        number = index + 1
        with stage("text layer check"):
            text = _page_text(page)
        if len(text.strip()) >= MIN_TEXT_LAYER_CHARS:
            yield TextLayerPage(number, source, index, text)
        else:
            try:
                yield _scanned_pdf_page(source, page, number, work_dir=work_dir, dpi=dpi, timeout=timeout)
            except OcrError as e:
                if not isolate or e.transient:
                    raise
                yield UnreadablePage(number, e)


def _scanned_pdf_page(
    source: Path, page: PageObject, number: int, *, work_dir: Path, dpi: int, timeout: float
) -> ImagePage:
    """A PDF page without text as an image: its own JPEG when it is nothing else (`ocr.embedded`),
    else rendered at `dpi`."""
    base = work_dir / f"{number:05d}.raster"
    with stage("extract page image"):
        scan = embedded_scan(page)
        if scan is not None:
            _check_pixels(scan.width * scan.height, f"page {number}'s image has {scan.width * scan.height} pixels")
            return ImagePage(number, write_embedded_scan(scan, base), scan.dpi, capture=_pdf_capture(page))
    _check_raster_size(page.mediabox.width, page.mediabox.height, dpi=dpi, number=number)
    with stage("rasterise", children=True):
        out = rasterize_page(source, page=number, out_base=base, dpi=dpi, timeout=timeout)
    return ImagePage(number, out, dpi, capture=_pdf_capture(page))


def _page_text(page: PageObject) -> str:
    try:
        return page.extract_text() or ""
    except (PdfReadError, ValueError, KeyError, TypeError):
        return ""


def _pdf_capture(page: object) -> PageCapture | None:
    """The scanned image a PDF page holds, as captured; None when the PDF will not say."""
    try:
        return pdf_page_capture(page)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _check_raster_size(width_pt: float, height_pt: float, *, dpi: int, number: int) -> None:
    """A PDF page is a bomb too if it would rasterise to more pixels than the limit."""
    scale = dpi / POINTS_PER_INCH
    pixels = int(abs(float(width_pt)) * scale) * int(abs(float(height_pt)) * scale)
    _check_pixels(pixels, f"page {number} would rasterise to {pixels} pixels at {dpi} dpi")


def _check_pixels(pixels: int, what: str) -> None:
    limit = pixel_limit()
    if limit and pixels > limit:
        raise ImageTooLargeError(
            f"{what}, over the pixel limit of {limit} (pipeline.ocr.max_image_pixels); "
            "split or downsample the PDF first"
        )
