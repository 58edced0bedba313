"""A reviewer's correction of where a scanned stack was split: split a record at a page, or
merge it with the next record of the same file.

The new records are cut from the archived ones (PDF pages, page texts, sidecar entries): no
OCR again. Each is classified afresh and filed under an id derived from its file and page
range, like any record of a stack. New files are written first, then one ledger transaction
replaces the rows, moves the counters and logs the change with the reviewer's name; the old
files are removed last. A crash part-way leaves the old filing (and stray new copies, which
`digitise verify` reports) or the complete new one.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter

from ocr import PAGE_SEPARATOR, PDFA_2B, PLAIN_PDF, ArchiveFormat
from records.archive.local import Archive, ArchivePaths, archive_entry
from records.archive.objects import AnyArchive, require_local_archive
from records.archival import recheck_record
from records.classify.fields import extract_fields
from records.classify.review import resolve_record
from records.classify.rules import RecordClass, TextClassifier
from records.errors import ReviewError
from records.ledger import ArchivedRecord, Ledger, PageStat, RecordRow
from records.stack_part import record_id_for


@dataclass(frozen=True, slots=True)
class RegroupResult:
    """What a split or merge made: the old record ids and the new ones, with their pages and types."""

    action: str
    old_ids: tuple[str, ...]
    new_ids: tuple[str, ...]
    page_ranges: tuple[tuple[int, int], ...]
    record_types: tuple[str, ...]


@dataclass
class _Loaded:
    """An archived record of a stack, read back: row, sidecar, and per page its text and PDF page."""

    row: RecordRow
    sidecar: dict[str, Any]
    numbers: list[int]
    texts: list[str]
    pdf: Path


def split_record(
    ledger: Ledger, archive: AnyArchive, classifier: TextClassifier, record_id: str, at_page: int, *, reviewed_by: str,
) -> RegroupResult:
    """Split the record so that file page `at_page` starts a new one."""
    archive = require_local_archive(archive, "review split")
    row = _stack_record(ledger, record_id)
    with archive.lock(row.source_file_sha256 or row.source_sha256):
        loaded = _load(archive, _again(ledger, row))
        if at_page not in loaded.numbers[1:]:
            raise ReviewError(f"page {at_page} is not a page of this record after its first "
                              f"(its pages: {', '.join(map(str, loaded.numbers))})")
        cut = loaded.numbers.index(at_page)
        parts = [(loaded, slice(0, cut)), (loaded, slice(cut, None))]
        return _regroup(ledger, archive, classifier, [loaded], parts, "split", _who(reviewed_by), at_page=at_page)


def merge_with_next(
    ledger: Ledger, archive: AnyArchive, classifier: TextClassifier, record_id: str, *, reviewed_by: str,
) -> RegroupResult:
    """Merge the record with the next record of the same file."""
    archive = require_local_archive(archive, "review merge")
    row = _stack_record(ledger, record_id)
    with archive.lock(row.source_file_sha256 or row.source_sha256):
        row = _again(ledger, row)
        later = [r for r in ledger.records_of_file(row.source_file_sha256 or "")
                 if (r.first_page or 0) > (row.last_page or 0)]
        if not later:
            raise ReviewError("this is the last record of its file: there is no next record to merge it with")
        first, second = _load(archive, row), _load(archive, later[0])
        whole = _Loaded(first.row, first.sidecar, first.numbers + second.numbers, first.texts + second.texts,
                        first.pdf)
        return _regroup(ledger, archive, classifier, [first, second], [(whole, slice(None))], "merged",
                        _who(reviewed_by), sources=[first, second])


def _who(reviewed_by: str) -> str:
    if not reviewed_by.strip():
        raise ReviewError("say who reviewed the record (--by NAME)")
    return reviewed_by.strip()


def _stack_record(ledger: Ledger, record_id: str) -> RecordRow:
    row = resolve_record(ledger, record_id)
    if row.source_file_sha256 is None:
        raise ReviewError("this record is a whole file, not a record split from a scanned stack")
    return row


def _again(ledger: Ledger, row: RecordRow) -> RecordRow:
    """The row once more, under the lock: another reviewer may have regrouped it meanwhile."""
    found = ledger.find_records(row.source_sha256)
    if not found:
        raise ReviewError("the record changed while it was being reviewed; list the records and try again")
    return found[0]


def _load(archive: Archive, row: RecordRow) -> _Loaded:
    try:
        sidecar = json.loads((archive.root / row.sidecar_path).read_text(encoding="utf-8"))
        text = (archive.root / row.text_path).read_text(encoding="utf-8")
    except (OSError, ValueError) as e:
        raise ReviewError("the record's files are missing or damaged; `digitise verify` lists what is") from e
    numbers = [int(p["number"]) for p in sidecar.get("pages", [])]
    texts = text.split(PAGE_SEPARATOR)
    if len(texts) != len(numbers):
        raise ReviewError("the record's text and sidecar disagree on its pages; `digitise verify` checks the archive")
    return _Loaded(row, sidecar, numbers, texts, archive.root / row.pdf_path)


def _regroup(
    ledger: Ledger, archive: Archive, classifier: TextClassifier, olds: list[_Loaded],
    parts: list[tuple[_Loaded, slice]], action: str, reviewed_by: str, *, at_page: int | None = None,
    sources: list[_Loaded] | None = None,
) -> RegroupResult:
    base = olds[0].row
    file_sha = base.source_file_sha256 or ""
    pdf_pages = [(o.pdf, i) for o in (sources or olds) for i in range(len(o.numbers))]
    made: list[tuple[ArchivedRecord, ArchivePaths, str, list[PageStat]]] = []
    with tempfile.TemporaryDirectory(prefix="regroup-") as work:
        for n, (whole, span) in enumerate(parts):
            numbers, texts = whole.numbers[span], whole.texts[span]
            page_entries = [p for o in (sources or olds) for p in o.sidecar.get("pages", [])][span]
            new_id = record_id_for(file_sha, numbers[0], numbers[-1])
            text = PAGE_SEPARATOR.join(texts)
            found = classifier.classify_text(text)
            paths = archive.paths_for(base.council, found.record_type, new_id)
            checks = recheck_record(new_id, _write_pdf(pdf_pages[span], Path(work) / f"{n}.pdf"), whole.sidecar,
                                    page_entries, archive_pdf=_asked_format(whole.sidecar))
            page_entries = [{**p, "rescan_reasons": checks.page_reasons(int(p["number"]))} for p in page_entries]
            confidence = _mean_confidence(page_entries)
            sidecar = _sidecar(whole.sidecar, new_id, numbers, page_entries, confidence, found,
                               review={"action": action, "from": [o.row.source_sha256 for o in olds],
                                       "reviewed_by": reviewed_by})
            sidecar["archive"] = {**archive_entry(paths, checks.pdf.path, text), **checks.pdf_entry()}
            sidecar["capture"] = checks.capture_entry()
            archive.store(paths, pdf=checks.pdf.path, text=text, sidecar=sidecar)
            made.append((ArchivedRecord(
                source_sha256=new_id, council=base.council, batch=base.batch, source_path=base.source_path,
                record_type=found.record_type, score=found.score,
                needs_review=found.needs_review or checks.capture.needs_rescan,
                pages=len(numbers), words=sum(int(p.get("words", 0)) for p in page_entries), blank_pages=0,
                mean_confidence=confidence,
                pdf_path=archive.relative(paths.pdf), text_path=archive.relative(paths.text),
                sidecar_path=archive.relative(paths.sidecar), pdf_sha256=archive.sha256(paths.pdf),
                text_sha256=archive.sha256(paths.text), engine=base.engine, languages=base.languages,
                pipeline_version=base.pipeline_version, sidecar_sha256=archive.sha256(paths.sidecar),
                source_file_sha256=file_sha, first_page=numbers[0], last_page=numbers[-1],
                reference=whole.row.reference if span.start in (None, 0) else None,
                **checks.ledger_fields(),
            ), paths, text, [PageStat(int(p["number"]), float(p["confidence"]), int(p.get("words", 0)),
                                      bool(p.get("blank", False))) for p in page_entries]))
    old_ids = [o.row.source_sha256 for o in olds]
    detail: dict[str, Any] = {"source_file_sha256": file_sha}
    if at_page is not None:
        detail["at_page"] = at_page
    if not ledger.replace_records(old_ids, [m[0] for m in made], actor=reviewed_by, event=action, detail=detail):
        for _, paths, _, _ in made:
            _remove(paths)
        raise ReviewError("the record changed while it was being reviewed; list the records and try again")
    for record, _, text, pages in made:
        ledger.add_record_extras(record.source_sha256, text=text, fields=extract_fields(text).items(), pages=pages)
    new_paths = {p for m in made for p in (m[1].pdf, m[1].text, m[1].sidecar)}
    for old in olds:
        _remove(ArchivePaths(*(archive.root / p for p in (old.row.pdf_path, old.row.text_path, old.row.sidecar_path))),
                keep=new_paths)
    return RegroupResult(action, tuple(old_ids), tuple(m[0].source_sha256 for m in made),
                         tuple((m[0].first_page or 0, m[0].last_page or 0) for m in made),
                         tuple(m[0].record_type for m in made))


def _write_pdf(pages: list[tuple[Path, int]], out: Path) -> Path:
    """The given pages (PDF, 0-based index) in order, as one PDF (no dates: the same bytes each time)."""
    writer = PdfWriter()
    readers: dict[Path, PdfReader] = {}
    for pdf, index in pages:
        reader = readers.setdefault(pdf, PdfReader(pdf))
        writer.add_page(reader.pages[index])
    with out.open("wb") as fh:
        writer.write(fh)
    return out


def _asked_format(sidecar: dict[str, Any]) -> ArchiveFormat:
    """The format the old record was to be archived in (a PDF/A validator named: PDF/A-2b)."""
    archived = sidecar.get("archive")
    return PDFA_2B if isinstance(archived, dict) and archived.get("pdfa_validator") else PLAIN_PDF


def _mean_confidence(page_entries: list[dict[str, Any]]) -> float:
    """The record's mean word confidence from its pages' sidecar entries, weighted by words."""
    words = sum(int(p.get("words", 0)) for p in page_entries)
    total = sum(float(p["confidence"]) * int(p.get("words", 0)) for p in page_entries)
    return round(total / words, 2) if words else 0.0


def _sidecar(
    old: dict[str, Any], new_id: str, numbers: list[int], page_entries: list[dict[str, Any]], confidence: float,
    found: RecordClass, *, review: dict[str, Any],
) -> dict[str, Any]:
    """The old record's sidecar made over for the new one; `review` says who changed it, and how."""
    sidecar = json.loads(json.dumps(old))
    sidecar.update(record_id=new_id, page_count=len(numbers), pages=page_entries, mean_confidence=confidence,
                   classification=found.as_sidecar(needs_review=found.needs_review))
    separation = sidecar.setdefault("separation", {})
    separation.update(first_page=numbers[0], last_page=numbers[-1], pages=numbers,
                      boundary={"method": "review", "score": 1.0, "evidence": []}, near_splits=[], review_reasons=[])
    sidecar.setdefault("reviews", []).append(
        {**review, "reviewed_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")})
    return sidecar


def _remove(paths: ArchivePaths, keep: set[Path] = frozenset()) -> None:  # type: ignore[assignment]
    for path in (paths.sidecar, paths.pdf, paths.text):  # sidecar first: the filing is then incomplete
        if path not in keep:
            path.unlink(missing_ok=True)
