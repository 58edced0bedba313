"""Defaults shared by the OCR layer and the configuration that sets it (records.config).

Kept in one place, in the lowest layer, so that what OCR assumes and what the
configuration falls back to cannot drift apart.
"""

from __future__ import annotations

from typing import Final

#: Resolution PDFs are rasterised at, and assumed for an image that records none.
DEFAULT_DPI: Final = 300
#: Seconds a page may take before it is given up (and its document quarantined).
DEFAULT_PAGE_TIMEOUT: Final = 180.0
#: Tesseract language models, `+`-joined.
DEFAULT_LANGUAGES: Final = "eng"
#: How Tesseract is run (`Engine`): kept loaded in one engine process per worker.
DEFAULT_ENGINE: Final = "api"
#: Largest image, in pixels, a caller lets `set_pixel_limit` accept (decompression-bomb guard).
DEFAULT_MAX_IMAGE_PIXELS: Final = 300_000_000
