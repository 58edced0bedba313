"""A searchable PDF made PDF/A-2b, and checked, without Ghostscript.

pikepdf adds what the archival format asks of a file that is already sound (an sRGB output
intent from the ICC profile pikepdf ships, XMP metadata declaring pdfaid part 2 conformance B
and agreeing with the document info) and leaves the page content alone: G4, JPEG and Flate
images keep their bytes. It then validates the bytes it wrote with pikepdf's PDF/A validator,
an allowlist checker built on veraPDF's rules for PDF/A-1b, 2b and 3b: it passes a file only if
every construct it meets is known to conform. Tesseract's text layer (an embedded glyphless
TrueType font, drawn invisibly) passes; a born-digital page with a font it does not embed does not.

The file carries no dates (Tesseract's placeholder is dropped, and so is the time pikepdf
would stamp in the XMP): the same pages always make the same bytes, so a re-run, a crashed run
taken up again and two workers racing on one record write identical files. When a record was
received and archived is in its sidecar and the ledger.

A file that does not pass is not made PDF/A: the caller keeps the plain PDF and records why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import pikepdf
from pikepdf.pdfa import PdfaError, Report, prepare, save, validate_written

log = logging.getLogger(__name__)

ArchiveFormat = Literal["pdfa-2b", "pdf"]
PDFA_2B: Final = "pdfa-2b"
PLAIN_PDF: Final = "pdf"
ARCHIVE_FORMATS: Final = (PDFA_2B, PLAIN_PDF)
_FLAVOUR = "2b"
#: Rule ids kept from a failed validation: enough to say why, short enough for a sidecar.
MAX_FINDINGS = 20
_INFO_DATES = ("/CreationDate", "/ModDate")
_XMP_DATES = ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate")


@dataclass(frozen=True, slots=True)
class PdfaResult:
    """The PDF to archive and its format: the PDF/A when it validated, else the input as it was,
    with the rules it broke (`findings`, veraPDF-style rule ids such as ISO_19005_2:6.2.11.4.1-1)."""

    path: Path
    archive_format: ArchiveFormat
    findings: tuple[str, ...] = ()


def make_pdfa(source: Path, out: Path) -> PdfaResult:
    """`source` as PDF/A-2b at `out`, validated as written; else `source` itself, format `pdf`.
    Deterministic: no dates, and the file /ID is derived from the content."""
    try:
        with pikepdf.open(source) as pdf:
            _drop_info(pdf)
            prepare(pdf, _FLAVOUR)
            with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
                for key in _XMP_DATES:
                    if key in meta:
                        del meta[key]
            save(pdf, out, _FLAVOUR, repair=False, deterministic_id=True)
    except PdfaError as e:
        return _refused(source, _rule_ids(e.report))
    except (pikepdf.PdfError, ValueError) as e:  # a PDF pikepdf cannot read or prepare
        return _refused(source, (f"pikepdf:{type(e).__name__}",))
    return PdfaResult(out, PDFA_2B)


def pdfa_findings(path: Path) -> tuple[str, ...]:
    """Validate a written file as PDF/A-2b: the rules it breaks, none when it conforms."""
    report = validate_written(path, _FLAVOUR)
    return () if report.passed else (_rule_ids(report) or (f"pikepdf:{report.verdict}",))


def _drop_info(pdf: pikepdf.Pdf) -> None:
    """No dates in the document info (Tesseract's is a placeholder) and no empty title: prepare
    carries the info dictionary into the XMP, which must agree with it."""
    for key in _INFO_DATES:
        if key in pdf.docinfo:
            del pdf.docinfo[key]
    if "/Title" in pdf.docinfo and not str(pdf.docinfo["/Title"]).strip():
        del pdf.docinfo["/Title"]


def _refused(source: Path, findings: tuple[str, ...]) -> PdfaResult:
    log.debug("PDF/A-2b validation failed: %s", ", ".join(findings))
    return PdfaResult(source, PLAIN_PDF, findings or ("pikepdf:fail",))


def _rule_ids(report: Report) -> tuple[str, ...]:
    """The distinct rules a report names, in order (no messages: they may quote document content)."""
    return tuple(dict.fromkeys(f.rule for f in report.findings))[:MAX_FINDINGS]
