"""A scanned PDF page's own JPEG, taken out as it is instead of rendering the page.

A scanner's PDF page is usually one JPEG drawn over the whole page and nothing else.
Rendering it with `pdftoppm` at 300 dpi decodes that JPEG, scales it and writes a PNG
(about 2 CPU s for an A4 page, twice what Tesseract then takes to read it), and Tesseract's
PDF then carries the page as a far larger PNG. Written out byte for byte, the JPEG costs
milliseconds, reads as the scanner made it, at its own resolution, and goes into the
searchable PDF unchanged. Anything else on the page (a second image, text, a clip, a
turned page, another colour space or filter) and the page is rendered as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pypdf import PageObject
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, ContentStream, NameObject

from ocr.capture import POINTS_PER_INCH

#: Operators a page that only draws its scan may use: save, set the matrix, draw, restore.
_DRAW_ONLY = frozenset({b"q", b"Q", b"cm", b"Do"})
#: The image must fill the page to within this share of its size, at the same scale both ways.
FIT = 0.01
_COLOUR_SPACES = frozenset({"/DeviceGray", "/DeviceRGB"})


@dataclass(frozen=True, slots=True)
class EmbeddedScan:
    """A page's JPEG: its bytes, pixel size and resolution."""

    data: bytes
    width: int
    height: int
    dpi: int


def embedded_scan(page: PageObject) -> EmbeddedScan | None:
    """The page's one JPEG if the page is nothing but that JPEG over the whole page; else None."""
    try:
        return _embedded_scan(page)
    except (PdfReadError, KeyError, TypeError, ValueError, AttributeError):
        return None


def _embedded_scan(page: PageObject) -> EmbeddedScan | None:
    if page.rotation % 360:
        return None
    resources = page.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    if xobjects is None:
        return None
    xobjects = xobjects.get_object()
    if len(xobjects) != 1:
        return None
    image = next(iter(xobjects.values())).get_object()
    if not _is_plain_jpeg(image):
        return None
    if not _draws_full_page(page):
        return None
    width, height = int(image["/Width"]), int(image["/Height"])
    box = page.mediabox
    inches_wide, inches_high = float(box.width) / POINTS_PER_INCH, float(box.height) / POINTS_PER_INCH
    dpi_x, dpi_y = width / inches_wide, height / inches_high
    if abs(dpi_x - dpi_y) > FIT * dpi_x:
        return None
    return EmbeddedScan(image.get_data(), width, height, round(dpi_x))


def _is_plain_jpeg(image: object) -> bool:
    """A JPEG in grey or RGB, 8 bits, no mask, no decode array: what the file itself says it is."""
    get = getattr(image, "get", None)
    if get is None or get("/Subtype") != "/Image":
        return False
    filters = get("/Filter")
    if isinstance(filters, ArrayObject):
        filters = filters[0] if len(filters) == 1 else None
    colour = get("/ColorSpace")
    return (filters == NameObject("/DCTDecode") and isinstance(colour, NameObject) and colour in _COLOUR_SPACES
            and int(get("/BitsPerComponent", 8)) == 8 and get("/SMask") is None and get("/Mask") is None
            and get("/Decode") is None and get("/ImageMask") in (None, False))


def _draws_full_page(page: PageObject) -> bool:
    """True if the content stream only draws one XObject, scaled to the page's media box."""
    contents = page.get_contents()
    if contents is None:
        return False
    operations = ContentStream(contents, page.pdf).operations
    if any(op not in _DRAW_ONLY for _, op in operations):
        return False
    draws = [op for _, op in operations if op == b"Do"]
    matrices = [operands for operands, op in operations if op == b"cm"]
    if len(draws) != 1 or len(matrices) != 1:
        return False
    a, b, c, d, e, f = (float(x) for x in matrices[0])
    box = page.mediabox
    width, height = float(box.width), float(box.height)
    return (b == 0 and c == 0 and abs(a - width) <= FIT * width and abs(d - height) <= FIT * height
            and abs(e - float(box.left)) <= FIT * width and abs(f - float(box.bottom)) <= FIT * height)


def write_embedded_scan(scan: EmbeddedScan, out_base: Path) -> Path:
    """The JPEG as `<out_base>.jpg`."""
    out = Path(f"{out_base}.jpg")
    out.write_bytes(scan.data)
    return out
