"""What makes a record archival grade, decided before it is archived: the PDF's format (PDF/A-2b
when asked for and when it validates, else plain PDF, said so) and the capture standard its
pages meet or fall below.

Both outcomes go into the record's sidecar and its ledger row; neither stops a record from
being archived: a PDF that fails validation is archived as `pdf`, with the rules it broke, and
a page below the standard sends the record to the review queue for re-scan.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ocr import PDFA_2B, PLAIN_PDF, ArchiveFormat, OcrResult, PdfaResult, make_pdfa
from records.capture import CaptureCheck, CaptureStandard, PageFigures, check_capture

log = logging.getLogger(__name__)

#: Which validator judged a PDF/A, as the sidecar records it.
VALIDATOR = f"pikepdf {version('pikepdf')} pikepdf.pdfa (veraPDF rules)"


@dataclass(frozen=True, slots=True)
class RecordChecks:
    """The archive PDF (and the format asked for) and the capture check of one record, with the
    standard applied."""

    pdf: PdfaResult
    asked: ArchiveFormat
    capture: CaptureCheck
    standard: CaptureStandard

    @property
    def archive_format(self) -> ArchiveFormat:
        return self.pdf.archive_format

    def pdf_entry(self) -> dict[str, Any]:
        """The sidecar's `archive` additions: the format, and why not PDF/A when it was asked for."""
        entry: dict[str, Any] = {"format": self.archive_format}
        if self.asked == PDFA_2B:
            entry["pdfa_validator"] = VALIDATOR
            if self.pdf.findings:
                entry["pdfa_findings"] = list(self.pdf.findings)
        return entry

    def capture_entry(self) -> dict[str, Any]:
        """The sidecar's `capture` section: the standard, and what fell below it."""
        return {"standard": self.standard.as_dict(), "needs_rescan": self.capture.needs_rescan,
                "reasons": list(self.capture.reasons), "pages_below": sorted(self.capture.pages)}

    def page_reasons(self, number: int) -> list[str]:
        return list(self.capture.pages.get(number, ()))

    def ledger_fields(self) -> dict[str, Any]:
        """The record row's columns these checks fill."""
        return {"archive_format": self.archive_format, "rescan_pages": self.capture.rescan_pages,
                "rescan_reasons": ",".join(self.capture.reasons) or None}


def check_record(
    record_id: str, result: OcrResult, *, archive_pdf: ArchiveFormat, standard: CaptureStandard,
) -> RecordChecks:
    """Make the archive PDF (beside the OCR's, in the work folder) and judge the capture."""
    pdf = archival_pdf(record_id, result.pdf_path, archive_pdf)
    capture = check_capture(standard, (PageFigures.of(p) for p in result.pages))
    if capture.needs_rescan:
        log.info("record %s below the capture standard (%s): queued for re-scan",
                 record_id[:12], ", ".join(capture.reasons))
    return RecordChecks(pdf, archive_pdf, capture, standard)


def recheck_record(
    record_id: str, pdf: Path, sidecar: Mapping[str, Any], pages: Iterable[Mapping[str, Any]], *,
    archive_pdf: ArchiveFormat,
) -> RecordChecks:
    """The checks again for a record cut from archived ones (a reviewer's split or merge): its
    pages' figures and the standard come from the sidecar (a record archived before the standard
    existed is not judged), the format is the one the old record was asked to have."""
    found = sidecar.get("capture")
    standard = CaptureStandard.from_dict(found.get("standard", {})) if isinstance(found, Mapping) else None
    capture = check_capture(standard, (PageFigures.from_sidecar(p) for p in pages)) if standard else CaptureCheck()
    return RecordChecks(archival_pdf(record_id, pdf, archive_pdf), archive_pdf, capture,
                        standard or CaptureStandard())


def archival_pdf(record_id: str, pdf: Path, archive_pdf: ArchiveFormat) -> PdfaResult:
    """The PDF to archive: PDF/A-2b at `<pdf>.pdfa.pdf` when asked for and valid, else `pdf` as it is."""
    if archive_pdf == PLAIN_PDF:
        return PdfaResult(pdf, PLAIN_PDF)
    made = make_pdfa(pdf, pdf.with_suffix(".pdfa.pdf"))
    if made.archive_format != PDFA_2B:
        log.warning("record %s: PDF/A-2b validation failed (%s); archived as plain PDF",
                    record_id[:12], ", ".join(made.findings[:5]))
    return made
