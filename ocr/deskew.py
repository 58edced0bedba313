"""Measure small skew (a few degrees) from the ink's row projection, and straighten the page.

The angle is the one at which the row histogram of the ink is sharpest (text lines
crossed square-on): a coarse search over ±MAX_SKEW degrees, then a fine one around
the best angle. Skew of 1° already makes Tesseract's PDF text layer run words
together, and -3° can make it drop whole paragraphs, so pages tilted by more than
MIN_CORRECTION are rotated back before OCR.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from ocr.bitonal import BitonalPage
from ocr.ink import InkMap, gray_pixels, projection, sharpness
from ocr.rotate import rotate_about_centre

#: Largest tilt searched for, degrees. Beyond this a page is treated as mis-rotated, not skewed.
MAX_SKEW = 6.0
#: Tilts smaller than this are left alone: the text layer reads correctly below about 0.6°.
MIN_CORRECTION = 0.3
#: A tilt counts only if it sharpens the row profile by this factor over 0° (0.3° on a
#: two-line page gives 1.5; a spurious 1° on a two-word page gives 1.01).
MIN_GAIN = 1.2
COARSE_STEP = 0.5
FINE_STEP = 0.05


@dataclass(frozen=True, slots=True)
class Skew:
    """Counter-clockwise tilt of the text in degrees, and how sharp the lines were at that angle."""

    angle: float
    sharpness: float
    gain: float = 1.0  # sharpness at `angle` over sharpness at 0°: how clearly the tilt shows


def measure_skew(ink: InkMap, *, max_angle: float = MAX_SKEW, near: float | None = None) -> Skew:
    """The tilt of the text lines of `ink` (positive: the lines rise to the right).

    `near`, a coarse answer the caller already has (within COARSE_STEP), skips the coarse search.
    """
    ys, xs = ink.points
    if len(ys) < 50:
        return Skew(0.0, 0.0)
    coarse = near if near is not None else _search(ys, xs, np.arange(-max_angle, max_angle + 1e-9, COARSE_STEP)).angle
    fine = np.arange(coarse - COARSE_STEP, coarse + COARSE_STEP + 1e-9, FINE_STEP)
    best = _search(ys, xs, fine)
    level = sharpness(projection(ys, xs, 0.0))
    gain = round(best.sharpness / level, 3) if level else 1.0
    if gain < MIN_GAIN:  # a word or two: no line long enough to show a tilt
        return Skew(0.0, level, 1.0)
    return Skew(round(best.angle, 2), best.sharpness, gain)


def _search(ys: np.ndarray, xs: np.ndarray, angles: np.ndarray) -> Skew:
    scores = [sharpness(projection(ys, xs, float(a))) for a in angles]
    i = int(np.argmax(scores))
    return Skew(float(angles[i]), scores[i])


def should_deskew(angle: float) -> bool:
    return abs(angle) >= MIN_CORRECTION


def straighten(image: Image.Image, *, rotation: int, skew: float, ink: InkMap | None = None) -> Image.Image:
    """Turn `image` clockwise by `rotation` (a multiple of 90, lossless), then undo `skew`.

    The page keeps its size unless straightening would push ink past an edge; then the
    canvas grows instead, so no text is cut off. `ink`, the unturned page's ink map if the
    caller has one, saves measuring the ink again for that check.
    """
    if not should_deskew(skew):
        return _turn(image, rotation)
    if image.mode in ("1", "L"):
        # A bitonal page goes through greyscale, bilinear, then is thresholded back at 128: it
        # stays a G4 image in the PDF. Nearest neighbour on the bitonal page drops and doubles
        # pixels inside letters: on five real bitonal scans every page lost words that this
        # way reads (benchmarks/QUALITY.md).
        out = straighten_pixels(gray_pixels(image), rotation=rotation, skew=skew, ink=ink)
        return BitonalPage.from_gray(out).to_image() if image.mode == "1" else Image.fromarray(out)
    out = straighten_colour(image, rotation=rotation, skew=skew, ink=ink)
    return Image.fromarray(out, "RGB" if out.ndim == 3 else "L")


def straighten_colour(image: Image.Image, *, rotation: int, skew: float, ink: InkMap | None = None) -> np.ndarray:
    """`straighten` for a page of any other mode, as the array made (RGB, or grey for a
    palette page), so a caller that only writes it spares Pillow's copy (`ocr.colour`)."""
    turned = _turn(image, rotation)
    expand = _would_clip(ink.rotated(rotation) if ink is not None else _coarse_ink(turned), skew)
    work = turned if turned.mode == "RGB" else turned.convert("RGB" if turned.mode in ("RGBA", "CMYK") else "L")
    # Bilinear: a third of bicubic's time on an A4 page, and the same words read.
    return rotate_about_centre(np.asarray(work), -skew, expand=expand)


def straighten_pixels(gray: np.ndarray, *, rotation: int, skew: float, ink: InkMap | None = None) -> np.ndarray:
    """`straighten` for a greyscale page the caller already holds as an array (a new array;
    turned only, it may be a view of `gray`)."""
    turned = np.rot90(gray, -(rotation // 90) % 4) if rotation % 360 else gray
    if not should_deskew(skew):
        return turned
    turned = np.ascontiguousarray(turned)
    expand = _would_clip(ink.rotated(rotation) if ink is not None else _coarse_ink(Image.fromarray(turned)), skew)
    return rotate_about_centre(turned, -skew, expand=expand)


def _turn(image: Image.Image, rotation: int) -> Image.Image:
    transpose = {
        90: Image.Transpose.ROTATE_270,  # PIL names counter-clockwise turns
        180: Image.Transpose.ROTATE_180,
        270: Image.Transpose.ROTATE_90,
    }.get(rotation % 360)
    return image.transpose(transpose) if transpose is not None else image


def _coarse_ink(image: Image.Image) -> InkMap:
    gray = image if image.mode == "L" else image.convert("L")
    return InkMap(np.asarray(gray.reduce(8)) < 128, 8)


def _would_clip(ink: InkMap, skew: float) -> bool:
    """True if undoing `skew` about the centre moves some ink outside the page."""
    ys, xs = ink.points
    if len(ys) == 0:
        return False
    h, w = ink.shape
    t = np.radians(-skew)
    cx, cy = (w - 1) / 2, (h - 1) / 2
    # PIL rotates counter-clockwise for positive angles on a y-down raster.
    nx = (xs - cx) * np.cos(t) + (ys - cy) * np.sin(t) + cx
    ny = -(xs - cx) * np.sin(t) + (ys - cy) * np.cos(t) + cy
    return bool((nx < 0).any() or (ny < 0).any() or (nx > w - 1).any() or (ny > h - 1).any())
