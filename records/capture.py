"""A council's capture standard, and the pages of a record that fall below it.

A page below the standard (too low a resolution or colour depth, an implausible page size, a
page scanned too crooked) sends its record to re-scan: it is archived and queued for review
with the reasons, and progress counts it as "needs re-scan", not as digitised. The figures
judged are the page as scanned (`ocr.PageCapture`) and the skew OCR measured; a page without
them (born digital, or a file that records no resolution) is judged on what it has.

The check is a pure function of the standard and the pages' figures, both kept in the
sidecar, so a record regrouped by a reviewer is judged again without the configuration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from ocr import PageCapture, PageResult


class RescanReason(StrEnum):
    """Why a page (or a record) is below the capture standard: stable codes, stored in the ledger."""

    LOW_RESOLUTION = "low_resolution"
    LOW_COLOUR_DEPTH = "low_colour_depth"
    PAGE_TOO_SMALL = "page_too_small"
    PAGE_TOO_LARGE = "page_too_large"
    TOO_SKEWED = "too_skewed"
    TOO_MANY_BLANK_PAGES = "too_many_blank_pages"


@dataclass(frozen=True, slots=True)
class CaptureStandard:
    """The limits a scanned page must meet (plain values; records.config validates them)."""

    min_dpi: int = 300
    min_colour_depth: int = 1
    min_page_mm: float = 25.0
    max_page_mm: float = 1200.0
    max_skew_degrees: float = 5.0
    max_blank_share: float = 1.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CaptureStandard:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class PageFigures:
    """What the standard judges of one page: as scanned (None: unknown), its skew, blank or not."""

    number: int
    capture: PageCapture | None
    skew: float
    blank: bool

    @classmethod
    def of(cls, page: PageResult) -> PageFigures:
        return cls(page.number, page.capture, page.skew, page.is_blank)

    @classmethod
    def from_sidecar(cls, entry: Mapping[str, Any]) -> PageFigures:
        """A page entry as the sidecar keeps it (`capture` absent for records archived before)."""
        found = entry.get("capture") or {}
        capture = (PageCapture(int(found["width_px"]), int(found["height_px"]), found.get("dpi"), int(found["bits"]))
                   if "width_px" in found else None)
        return cls(int(entry["number"]), capture, float(entry.get("skew", 0.0)), bool(entry.get("blank", False)))


@dataclass(frozen=True, slots=True)
class CaptureCheck:
    """The pages below the standard (page number -> reasons) and the record-wide reasons."""

    pages: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    record: tuple[str, ...] = ()

    @property
    def needs_rescan(self) -> bool:
        return bool(self.pages or self.record)

    @property
    def reasons(self) -> tuple[str, ...]:
        """Every reason, once, in RescanReason's order: what the ledger and the review queue show."""
        found = set(self.record).union(*self.pages.values()) if self.pages else set(self.record)
        return tuple(r.value for r in RescanReason if r.value in found)

    @property
    def rescan_pages(self) -> int:
        """Pages below the standard (at least 1 when only a record-wide limit was broken)."""
        return len(self.pages) or int(bool(self.record))


def check_capture(standard: CaptureStandard, pages: Iterable[PageFigures]) -> CaptureCheck:
    """Judge each page, then the record as a whole (its share of blank pages)."""
    pages = list(pages)
    below = {p.number: reasons for p in pages if (reasons := page_reasons(standard, p))}
    blank = sum(p.blank for p in pages)
    record = ((RescanReason.TOO_MANY_BLANK_PAGES.value,)
              if pages and blank / len(pages) > standard.max_blank_share else ())
    return CaptureCheck(below, record)


def page_reasons(standard: CaptureStandard, page: PageFigures) -> tuple[str, ...]:
    """Why one page is below the standard; empty when it meets it."""
    reasons = []
    capture = page.capture
    if capture is not None:
        if capture.dpi is not None and capture.dpi < standard.min_dpi:
            reasons.append(RescanReason.LOW_RESOLUTION)
        if capture.bits < standard.min_colour_depth:
            reasons.append(RescanReason.LOW_COLOUR_DEPTH)
        size = capture.size_mm
        if size is not None and size[0] < standard.min_page_mm:
            reasons.append(RescanReason.PAGE_TOO_SMALL)
        if size is not None and size[1] > standard.max_page_mm:
            reasons.append(RescanReason.PAGE_TOO_LARGE)
    if abs(page.skew) > standard.max_skew_degrees:
        reasons.append(RescanReason.TOO_SKEWED)
    return tuple(r.value for r in reasons)
