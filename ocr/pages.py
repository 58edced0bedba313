"""Split an input file into pages that Tesseract can read, one page at a time.

Images go to Tesseract as they are when possible (no decode and re-encode); only
EXIF-rotated images and frames of multi-page TIFFs are written out as page files.
PDF pages that already carry a text layer are not rasterised at all.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from ocr._exec.pdftoppm import rasterize_page
from ocr.errors import (
    EmptyDocumentError,
    EncryptedPdfError,
    ImageTooLargeError,
    InputUnreadableError,
    UnsupportedFormatError,
)

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES = IMAGE_SUFFIXES | PDF_SUFFIXES
#: A page needs at least this many extracted characters to count as having a text layer.
MIN_TEXT_LAYER_CHARS = 20


@dataclass(frozen=True, slots=True)
class ImagePage:
    """A page to OCR: an image file on disk and its resolution (None when unknown)."""

    number: int
    image: Path
    dpi: int | None


@dataclass(frozen=True, slots=True)
class TextLayerPage:
    """A born-digital PDF page: its text is taken from the PDF, no OCR needed."""

    number: int
    pdf: Path
    index: int
    text: str


SourcePage = ImagePage | TextLayerPage


def set_pixel_limit(max_pixels: int) -> None:
    """Pillow refuses images larger than twice this limit (decompression-bomb guard)."""
    Image.MAX_IMAGE_PIXELS = max_pixels


def iter_pages(source: Path, *, work_dir: Path, dpi: int, timeout: float) -> Iterator[SourcePage]:
    """Yield the pages of `source` in order, writing any page files into `work_dir`."""
    suffix = source.suffix.lower()
    if suffix in PDF_SUFFIXES:
        yield from _iter_pdf_pages(source, work_dir=work_dir, dpi=dpi, timeout=timeout)
    elif suffix in IMAGE_SUFFIXES:
        yield from _iter_image_pages(source, work_dir=work_dir)
    else:
        raise UnsupportedFormatError(
            f"unsupported file type {suffix or '(none)'}: accepted are "
            + ", ".join(sorted(SUPPORTED_SUFFIXES))
        )


def _image_dpi(img: Image.Image) -> int | None:
    dpi = img.info.get("dpi")
    if not dpi:
        return None
    value = int(round(float(dpi[0])))
    return value if value >= 70 else None


def _open_image(source: Path) -> Image.Image:
    try:
        img = Image.open(source)
        img.load()
    except Image.DecompressionBombError as e:
        raise ImageTooLargeError(
            f"image exceeds the pixel limit of {Image.MAX_IMAGE_PIXELS} pixels; "
            "split or downsample it before scanning it in"
        ) from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise InputUnreadableError(
            f"not a readable image ({type(e).__name__}); rescan or re-export the file"
        ) from e
    return img


def _iter_image_pages(source: Path, *, work_dir: Path) -> Iterator[ImagePage]:
    img = _open_image(source)
    if getattr(img, "n_frames", 1) == 1 and _exif_orientation(img) in (0, 1):
        yield ImagePage(1, source, _image_dpi(img))  # Tesseract reads the file as it is
        return
    for number, frame in enumerate(ImageSequence.Iterator(img), start=1):
        try:
            page = ImageOps.exif_transpose(frame.copy())
        except (OSError, ValueError) as e:
            raise InputUnreadableError(f"page {number} is not readable ({type(e).__name__})") from e
        dpi = _image_dpi(frame)
        out = work_dir / f"{number:05d}.source.png"
        page.save(out, dpi=(dpi, dpi) if dpi else None)
        yield ImagePage(number, out, dpi)


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
    source: Path, *, work_dir: Path, dpi: int, timeout: float
) -> Iterator[SourcePage]:
    reader = _open_pdf(source)
    for index, page in enumerate(reader.pages):
        number = index + 1
        try:
            text = page.extract_text() or ""
        except (PdfReadError, ValueError, KeyError, TypeError):
            text = ""
        if len(text.strip()) >= MIN_TEXT_LAYER_CHARS:
            yield TextLayerPage(number, source, index, text)
        else:
            out = rasterize_page(
                source, page=number, out_base=work_dir / f"{number:05d}.raster",
                dpi=dpi, timeout=timeout,
            )
            yield ImagePage(number, out, dpi)
