"""A straightened colour page kept as the array OpenCV made until it is written for Tesseract.

Pillow holds a colour image at four bytes a pixel: an A4 page at 300 dpi is 35 MB, made from
the 26 MB array only to be written to PNG. Written by OpenCV from the array itself, the same
pixels skip that copy, the largest block a colour page holds while it is prepared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

#: zlib's fastest level and run-length strategy, as `ocr.prepare` writes grey pages with Pillow.
_PNG_PARAMS = [cv2.IMWRITE_PNG_COMPRESSION, 1, cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE]


@dataclass(frozen=True, slots=True, eq=False)
class ColourPage:
    """Pixels of a colour page, rows by columns by (red, green, blue)."""

    rgb: np.ndarray

    @property
    def size(self) -> tuple[int, int]:
        """(width, height), as Pillow gives it."""
        return (int(self.rgb.shape[1]), int(self.rgb.shape[0]))

    def save_png(self, path: Path) -> None:
        """PNG of the same pixels. OpenCV writes blue first: the channels are swapped in place,
        so the page's array is spent once written."""
        bgr = cv2.cvtColor(self.rgb, cv2.COLOR_RGB2BGR, dst=self.rgb)
        if not cv2.imwrite(str(path), bgr, _PNG_PARAMS):
            raise OSError(f"could not write {path.name}")
