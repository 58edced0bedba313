"""A second resolution to read a scan at, when its file records one no scanner made.

Image files often carry the exporting program's screen default (96 or 72 dpi) instead of the
scanner's resolution: a 2,000 x 2,589 pixel page "at 96 dpi" would be a 21 x 27 inch sheet.
Tesseract tunes its noise and layout thresholds to the resolution it is told, so such a claim
can cost words (a table scanned at about 300 dpi and recorded at 96 loses half of them; a
resolution page recorded at 72 dpi for a 500-dpi scan, a third). It can also be what reads a
page best (a landscape ledger read row by row at 96 dpi comes apart into column blocks at 230),
so the estimate is a second reading, kept only when clearly better (`ocr.reading`).

A recorded resolution is beyond doubt unless the sheet it implies is larger than any a records
scanner takes (A3 and tabloid, long side up to 17 inches); then the page is taken for an A4 or
letter sheet and its resolution estimated from its size in pixels. A small page that really is
low-resolution (a 1,168 px newspaper cutting at 96 dpi, 12 inches) raises no doubt.
"""

from __future__ import annotations

#: The long side, in inches, beyond which a recorded resolution describes no scanned sheet
#: (A3 is 16.5 inches, tabloid 17).
MAX_SHEET_INCHES = 17.5
#: An office sheet's sides, in inches: the long side of A4 and the short side of letter (the
#: larger of each pair, so an estimate errs towards the lower resolution).
_SHEET_LONG_INCHES = 11.69
_SHEET_SHORT_INCHES = 8.5
#: Estimates are rounded to this step: the figure is a judgement, not a measurement.
_ROUND_TO = 10


def sheet_resolution(width_px: int, height_px: int, recorded: int | None) -> int | None:
    """The resolution a `width_px` x `height_px` scan has on an office sheet, if the one its
    file records (None: none) implies a sheet no scanner takes; else None."""
    long_side, short_side = max(width_px, height_px), min(width_px, height_px)
    if not recorded or long_side / recorded <= MAX_SHEET_INCHES:
        return None
    estimate = max(long_side / _SHEET_LONG_INCHES, short_side / _SHEET_SHORT_INCHES)
    return int(round(estimate / _ROUND_TO) * _ROUND_TO)
