"""How a page was captured: its pixels, resolution and colour depth as the scanner made them.

A capture standard (minimum resolution, colour depth, page size) is judged on these figures,
which are read from the file's own header (an image's pixels and recorded resolution, or the
scanned image a PDF page holds): never from the copy rasterised for Tesseract, which has the
resolution the pipeline asked for, not the one the page was scanned at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PIL import Image

MM_PER_INCH = 25.4
POINTS_PER_INCH = 72
#: Bits per pixel of Pillow's image modes (a palette image counts as its 8-bit index).
_MODE_BITS = {"1": 1, "L": 8, "P": 8, "LA": 16, "I;16": 16, "I": 32, "F": 32,
              "RGB": 24, "YCbCr": 24, "LAB": 24, "HSV": 24, "RGBA": 32, "CMYK": 32}
#: Components of a PDF image's colour space, by name (an ICC or indexed space: see _pdf_components).
_PDF_COMPONENTS = {"/DeviceGray": 1, "/CalGray": 1, "/DeviceRGB": 3, "/CalRGB": 3, "/Lab": 3, "/DeviceCMYK": 4}


@dataclass(frozen=True, slots=True)
class PageCapture:
    """A scanned page's size in pixels, its resolution (None when the file records none) and
    its bits per pixel (1 bitonal, 8 grey, 24 colour)."""

    width_px: int
    height_px: int
    dpi: int | None
    bits: int

    @property
    def size_mm(self) -> tuple[float, float] | None:
        """(short side, long side) in millimetres, when the resolution is known."""
        if not self.dpi:
            return None
        sides = sorted((self.width_px, self.height_px))
        return (round(sides[0] / self.dpi * MM_PER_INCH, 1), round(sides[1] / self.dpi * MM_PER_INCH, 1))

    def as_dict(self) -> dict[str, Any]:
        size = self.size_mm
        return {"width_px": self.width_px, "height_px": self.height_px, "dpi": self.dpi, "bits": self.bits,
                "size_mm": list(size) if size else None}


def image_capture(img: Image.Image, recorded_dpi: int | None) -> PageCapture:
    """An image frame as scanned; `recorded_dpi` is what the file says (None: it says nothing)."""
    return PageCapture(img.width, img.height, recorded_dpi, _MODE_BITS.get(img.mode, 8))


def pdf_page_capture(page: Any) -> PageCapture | None:
    """The largest image of a pypdf page, with the resolution it is drawn at across the page's
    width (a scan fills its page); None for a page without images (drawn, not scanned)."""
    images = [img for img in _page_images(page) if int(img.get("/Width", 0)) and int(img.get("/Height", 0))]
    if not images:
        return None
    largest = max(images, key=lambda img: int(img["/Width"]) * int(img["/Height"]))
    width, height = int(largest["/Width"]), int(largest["/Height"])
    page_w, page_h = abs(float(page.mediabox.width)), abs(float(page.mediabox.height))
    if page_w <= 0 or page_h <= 0:
        return None
    # Whichever way the image lies on the page, its longer side spans the page's longer side.
    dpi = round(max(width, height) / (max(page_w, page_h) / POINTS_PER_INCH))
    bits = int(largest.get("/BitsPerComponent", 1 if largest.get("/ImageMask") else 8))
    return PageCapture(width, height, dpi, bits * _pdf_components(largest.get("/ColorSpace")))


def _page_images(page: Any) -> list[Any]:
    try:
        xobjects = page["/Resources"]["/XObject"]
    except (KeyError, TypeError):
        return []
    found = []
    for name in xobjects:
        obj = xobjects[name].get_object()
        if obj.get("/Subtype") == "/Image":
            found.append(obj)
    return found


def _pdf_components(space: Any) -> int:
    """Colour components of a PDF colour space: by name, an ICC profile's /N, 1 for an indexed one."""
    if space is None:
        return 1
    space = space.get_object() if hasattr(space, "get_object") else space
    if isinstance(space, list) and space:
        kind = str(space[0])
        if kind == "/ICCBased":
            return int(space[1].get_object().get("/N", 3))
        if kind == "/Indexed":
            return 1
        return _PDF_COMPONENTS.get(kind, 3)
    return _PDF_COMPONENTS.get(str(space), 3)
