"""What a reviewer sees of one record awaiting review, and sending it back for re-scan.

The record's OCR text is cut into segments, each marked with the record type whose rule
matched it (the evidence behind each candidate); its pages carry the quality warnings OCR
raised; its key fields are shown as the ledger keeps them (NI numbers masked). None of it is
logged: it goes to the reviewer's screen only. Page images are rendered from the archived
PDF on request, in a private temporary folder removed at once.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from ocr import PAGE_SEPARATOR, rasterize_page
from records.archive.objects import AnyArchive, require_local_archive
from records.classify.review import read_sidecar, resolve_record
from records.classify.rules import Classifier
from records.errors import ReviewError
from records.ledger import Ledger, RecordRow

log = logging.getLogger(__name__)

#: Why a reviewer would send a record back to the scanner.
RESCAN_REASONS = ("poor_image", "pages_missing", "wrong_order", "not_a_record")
PAGE_DPI = 100
RENDER_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of a page's OCR text; `record_type` names the type whose rule matched it, if any."""

    text: str
    record_type: str | None = None


@dataclass(frozen=True, slots=True)
class PageView:
    number: int  # the page's number in its scanned file
    confidence: float
    words: int
    blank: bool
    warnings: tuple[str, ...]  # lines_unread, low_confidence, ...
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class ReviewView:
    row: RecordRow
    candidates: tuple[tuple[str, float], ...]
    method: str
    pages: tuple[PageView, ...]
    fields: tuple[tuple[str, str], ...]  # (kind, value as stored: NI numbers masked)
    split_doubtful: bool

    @property
    def suggested_type(self) -> str | None:
        """What "confirm" files it as: its own type, or if unclassified its best candidate."""
        if self.row.record_type != "unclassified":
            return self.row.record_type
        return self.candidates[0][0] if self.candidates else None

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(sorted({w for p in self.pages for w in p.warnings}))

    @property
    def capture_reasons(self) -> tuple[str, ...]:
        """Why its scan is below the capture standard (low_resolution, ...); empty if it is not."""
        if not self.row.needs_rescan:
            return ()
        return tuple(r for r in (self.row.rescan_reasons or "").split(",") if r) or ("below_standard",)

    @property
    def is_stack_record(self) -> bool:
        return self.row.source_file_sha256 is not None


def next_to_review(
    ledger: Ledger, archive: AnyArchive, rules: Classifier, councils: Collection[str] | None, *, after_id: int = 0,
) -> ReviewView | None:
    """The next record awaiting review among `councils` (None: all), after row id `after_id`."""
    row = ledger.next_for_review(councils, after_id=after_id)
    return None if row is None else review_view(ledger, archive, rules, row)


def review_view(ledger: Ledger, archive: AnyArchive, rules: Classifier, row: RecordRow) -> ReviewView:
    root = require_local_archive(archive, "review").root
    sidecar = read_sidecar(root / row.sidecar_path)
    classification = sidecar.get("classification", {})
    try:
        texts = (root / row.text_path).read_text(encoding="utf-8").split(PAGE_SEPARATOR)
    except OSError:
        texts = []
    pages = sidecar.get("pages", [])
    return ReviewView(
        row=row,
        candidates=tuple((c["record_type"], float(c["score"])) for c in classification.get("candidates", [])),
        method=str(classification.get("method", "rules")),
        pages=tuple(
            PageView(number=int(p.get("number", i + 1)), confidence=float(p.get("confidence", 0.0)),
                     words=int(p.get("words", 0)), blank=bool(p.get("blank", False)),
                     warnings=tuple(p.get("review_reasons", [])),
                     segments=_segments(texts[i] if i < len(texts) else "", rules))
            for i, p in enumerate(pages)
        ),
        fields=tuple((f.kind, f.value) for f in ledger.record_fields(row.source_sha256)),
        split_doubtful=bool(sidecar.get("separation", {}).get("review_reasons")),
    )


def _segments(text: str, rules: Classifier) -> tuple[Segment, ...]:
    out: list[Segment] = []
    at = 0
    for start, end, record_type in rules.evidence_spans(text):
        if start > at:
            out.append(Segment(text[at:start]))
        out.append(Segment(text[start:end], record_type))
        at = end
    if at < len(text):
        out.append(Segment(text[at:]))
    return tuple(out)


def page_image(archive: AnyArchive, row: RecordRow, page: int, *, dpi: int = PAGE_DPI) -> bytes:
    """PNG of the record's `page` (1-based within the record's own PDF), from the archived PDF."""
    if not 1 <= page <= row.pages:
        raise ReviewError(f"the record has pages 1 to {row.pages}")
    root = require_local_archive(archive, "review").root
    with tempfile.TemporaryDirectory(prefix="digitise-page-") as work:
        png = rasterize_page(root / row.pdf_path, page=page, out_base=Path(work) / "page", dpi=dpi,
                             timeout=RENDER_TIMEOUT)
        return png.read_bytes()


def send_for_rescan(ledger: Ledger, record_id: str, *, requested_by: str, reason: str) -> RecordRow:
    """Take a record awaiting review out of the queue as needing a new scan; audited with the name."""
    if reason not in RESCAN_REASONS:
        raise ReviewError(f"unknown re-scan reason {reason!r}; choose one of: {', '.join(RESCAN_REASONS)}")
    if not requested_by.strip():
        raise ReviewError("say who sent the record back (--by NAME)")
    row = resolve_record(ledger, record_id)
    if not ledger.request_rescan(row.source_sha256, reason=reason, requested_by=requested_by.strip()):
        raise ReviewError("the record is not awaiting review (decided already, or sent back before)")
    log.info("record %s sent back for re-scan (%s)", row.source_sha256[:12], reason)
    return row
