"""Barcodes on a page image (zxing-cpp): what separator sheets and cover sheets carry.

Patch codes (the four thick bars of a PATCH-T sheet) are no symbology zxing-cpp reads:
scanner hardware reads them, software sees only bars. A separator sheet is therefore a
sheet whose Code 128 or QR code reads an agreed text (`PATCH-T` on the printable sheet,
samples/separator-sheet.pdf); the domain decides what a text means.

Pages are decoded at analysis resolution (about 150 dpi, the same area-averaged copy the
ink maps use), for the two symbologies the sheets carry, without zxing's inverted and
turned passes: 2-4 ms for an A4 page, against 50-230 ms for every symbology on the full
page. Its downscaled pass stays: without it, QR codes of large modules (2-3 mm) were missed
on 1 in 10 skewed scans. A sheet fed sideways still reads by its QR code (QR needs no
turned pass; Code 128 does). Bars must be printed at least 0.35 mm wide (two analysis
pixels).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import zxingcpp
from PIL import Image

from ocr.ink import analysis_scale, gray_pixels, reduce_gray

#: What separator and cover sheets carry; others cost decode time on every page.
DEFAULT_FORMATS: tuple[str, ...] = ("Code128", "QRCode")


@dataclass(frozen=True, slots=True)
class Barcode:
    """One decoded barcode: its symbology (zxing-cpp's name, e.g. `Code128`), its text and
    where it is, as (left, top, right, bottom) in page pixels."""

    format: str
    text: str
    box: tuple[int, int, int, int]


def read_barcodes(
    image: Image.Image | np.ndarray, *, dpi: int | None, formats: Sequence[str] = DEFAULT_FORMATS
) -> tuple[Barcode, ...]:
    """The barcodes on a page (an image, or its grey levels), top to bottom."""
    gray = image if isinstance(image, np.ndarray) else gray_pixels(image)
    scale = analysis_scale(dpi, gray.shape)
    return read_reduced(reduce_gray(gray, scale), scale, formats=formats)


def read_reduced(small: np.ndarray, scale: int, *, formats: Sequence[str] = DEFAULT_FORMATS) -> tuple[Barcode, ...]:
    """The barcodes on grey levels already reduced `scale` times (`ocr.ink.reduce_gray`)."""
    if not formats:
        return ()
    found = zxingcpp.read_barcodes(
        np.ascontiguousarray(small), formats=barcode_formats(formats), try_invert=False, try_rotate=False,
    )
    out = [Barcode(b.format.name, b.text, _box(b.position, scale)) for b in found if b.valid]
    return tuple(sorted(out, key=lambda b: (b.box[1], b.box[0])))


def barcode_formats(names: Sequence[str]) -> list[zxingcpp.BarcodeFormat]:
    """zxing-cpp's formats for names such as `Code128` (ValueError for an unknown name)."""
    known = {f.name: f for f in zxingcpp.barcode_formats_list(zxingcpp.BarcodeFormat.AllReadable)}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown barcode format(s) {unknown}; known: {', '.join(sorted(known))}")
    return [known[n] for n in names]


def _box(position: zxingcpp.Position, scale: int) -> tuple[int, int, int, int]:
    corners = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    xs = [p.x * scale for p in corners]
    ys = [p.y * scale for p in corners]
    return min(xs), min(ys), max(xs) + scale, max(ys) + scale
