"""One input file through the whole pipeline: hash, OCR, classify, archive, ledger.

Each step is a small function; `process_item` is the ordered list of them. A problem
with the file itself ends in quarantine with a reason code and the batch goes on; a
transient failure is raised for the orchestrator to retry (see `is_transient`).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Literal

from ocr import OcrError, OcrResult, ocr_document
from records.archive import Archive, ArchivePaths, make_private_dir, sha256_bytes, sha256_file
from records.classify import Classifier, RecordClass
from records.errors import LedgerError, QuarantineReason, RecordError
from records.ledger import ArchivedRecord, Ledger, QuarantineEntry
from records.quarantine import QuarantineNote, quarantine_file
from records.scan import ScanItem

log = logging.getLogger(__name__)

UNREADABLE_SHA = "0" * 64

try:
    PIPELINE_VERSION = version("council-digitise")
except PackageNotFoundError:  # running from a source tree that is not installed
    PIPELINE_VERSION = "0+source"

Status = Literal["archived", "already_done", "quarantined"]


@dataclass(frozen=True, slots=True)
class OcrSettings:
    dpi: int = 300
    page_timeout: float = 180.0
    psm: int = 3


@dataclass(frozen=True)
class PipelineContext:
    """Everything a worker needs, built once per process from the configuration."""

    archive: Archive
    ledger: Ledger
    classifier: Classifier
    quarantine_root: Path
    work_root: Path
    languages: Mapping[str, str] = field(default_factory=dict)
    ocr: OcrSettings = OcrSettings()


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """What happened to one input: ids, counts and codes only, never its text."""

    status: Status
    record_id: str
    council: str
    batch: str
    pages: int = 0
    record_type: str | None = None
    needs_review: bool = False
    blank_pages: int = 0
    reason: str | None = None


def is_transient(error: BaseException) -> bool:
    """Worth retrying: the same input may well succeed on a second attempt."""
    return bool(getattr(error, "transient", False)) or isinstance(error, LedgerError)


def process_item(item: ScanItem, ctx: PipelineContext) -> RecordOutcome:
    try:
        source_sha = sha256_file(item.path)
    except OSError as e:
        return quarantine_item(item, ctx, e, stage="read", source_sha=UNREADABLE_SHA)
    if ctx.ledger.is_archived(source_sha):
        log.info("record %s already archived; skipped", source_sha[:12])
        return RecordOutcome("already_done", source_sha, item.council, item.batch)
    make_private_dir(ctx.work_root)
    work = Path(tempfile.mkdtemp(prefix=f"{source_sha[:16]}-", dir=ctx.work_root))
    try:
        received = _now()
        try:
            result = ocr_item(item, ctx, work)
        except OcrError as e:
            if is_transient(e):
                raise
            return quarantine_item(item, ctx, e, stage="ocr", source_sha=source_sha)
        record_class = ctx.classifier.classify_text(result.text)
        paths = archive_record(item, ctx, source_sha, result, record_class, received)
        return ledger_record(item, ctx, source_sha, result, record_class, paths)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def ocr_item(item: ScanItem, ctx: PipelineContext, work: Path) -> OcrResult:
    return ocr_document(
        item.path,
        work_dir=work,
        languages=ctx.languages.get(item.council, "eng"),
        dpi=ctx.ocr.dpi,
        page_timeout=ctx.ocr.page_timeout,
        psm=ctx.ocr.psm,
    )


def archive_record(
    item: ScanItem,
    ctx: PipelineContext,
    source_sha: str,
    result: OcrResult,
    record_class: RecordClass,
    received: dt.datetime,
) -> ArchivePaths:
    paths = ctx.archive.paths_for(item.council, record_class.record_type, source_sha)
    text = result.text
    sidecar = build_sidecar(item, source_sha, result, record_class, received, ctx.ocr)
    sidecar["archive"] = {
        "pdf": paths.pdf.name,
        "pdf_sha256": sha256_file(result.pdf_path),
        "text": paths.text.name,
        "text_sha256": sha256_bytes(text.encode("utf-8")),
    }
    ctx.archive.store(paths, pdf=result.pdf_path, text=text, sidecar=sidecar)
    return paths


def build_sidecar(
    item: ScanItem,
    source_sha: str,
    result: OcrResult,
    record_class: RecordClass,
    received: dt.datetime,
    ocr: OcrSettings,
) -> dict[str, Any]:
    return {
        "record_id": source_sha,
        "council": item.council,
        "batch": item.batch,
        "source": {"path": item.relative, "sha256": source_sha},
        "page_count": len(result.pages),
        "pages": [
            {"number": p.number, "confidence": p.confidence, "words": p.word_count,
             "method": p.method, "blank": p.is_blank}
            for p in result.pages
        ],
        "mean_confidence": round(result.mean_confidence, 2),
        "classification": {
            "record_type": record_class.record_type,
            "score": record_class.score,
            "needs_review": record_class.needs_review or any(p.is_blank for p in result.pages),
            "candidates": [{"record_type": t, "score": s} for t, s in record_class.candidates],
        },
        "ocr": {"engine": result.engine, "languages": result.languages, "dpi": ocr.dpi, "psm": ocr.psm},
        "pipeline_version": PIPELINE_VERSION,
        "timestamps": {"received_at": received.isoformat(), "archived_at": _now().isoformat()},
    }


def ledger_record(
    item: ScanItem,
    ctx: PipelineContext,
    source_sha: str,
    result: OcrResult,
    record_class: RecordClass,
    paths: ArchivePaths,
) -> RecordOutcome:
    blank = sum(1 for p in result.pages if p.is_blank)
    needs_review = record_class.needs_review or blank > 0
    inserted = ctx.ledger.add_record(
        ArchivedRecord(
            source_sha256=source_sha,
            council=item.council,
            batch=item.batch,
            source_path=item.relative,
            record_type=record_class.record_type,
            score=record_class.score,
            needs_review=needs_review,
            pages=len(result.pages),
            words=sum(p.word_count for p in result.pages),
            blank_pages=blank,
            mean_confidence=round(result.mean_confidence, 2),
            pdf_path=ctx.archive.relative(paths.pdf),
            text_path=ctx.archive.relative(paths.text),
            sidecar_path=ctx.archive.relative(paths.sidecar),
            pdf_sha256=sha256_file(paths.pdf),
            text_sha256=sha256_file(paths.text),
            engine=result.engine,
            languages=result.languages,
            pipeline_version=PIPELINE_VERSION,
        )
    )
    if not inserted:  # another run archived the same content first
        return RecordOutcome("already_done", source_sha, item.council, item.batch)
    log.info("record %s archived: %d pages, type %s", source_sha[:12], len(result.pages), record_class.record_type)
    return RecordOutcome(
        "archived", source_sha, item.council, item.batch, len(result.pages),
        record_class.record_type, needs_review, blank,
    )


def quarantine_item(
    item: ScanItem,
    ctx: PipelineContext,
    error: BaseException | None = None,
    *,
    stage: str,
    source_sha: str | None = None,
    reason: str | None = None,
    message: str | None = None,
) -> RecordOutcome:
    """Copy the input to quarantine, record why in the ledger, and let the batch go on."""
    if source_sha is None:
        try:
            source_sha = sha256_file(item.path) if not item.path.is_symlink() else UNREADABLE_SHA
        except OSError:
            source_sha = UNREADABLE_SHA
    note = QuarantineNote(
        reason=reason or _reason_code(error),
        stage=stage,
        error_class=type(error).__name__ if error else "Refused",
        message=message or (str(error) if isinstance(error, (OcrError, RecordError)) else _safe_message(error)),
    )
    copy = quarantine_file(ctx.quarantine_root, item, source_sha, note)
    ctx.ledger.add_quarantine(
        QuarantineEntry(
            council=item.council, batch=item.batch, source_path=item.relative,
            source_sha256=source_sha, reason=note.reason, stage=stage,
            error_class=note.error_class, message=note.message,
            copy_path=copy.relative_to(ctx.quarantine_root).as_posix() if copy else None,
        )
    )
    log.warning("input %s quarantined at %s: %s", source_sha[:12], stage, note.reason)
    return RecordOutcome("quarantined", source_sha, item.council, item.batch, reason=note.reason)


def _reason_code(error: BaseException | None) -> str:
    code = getattr(error, "code", None)
    if code in QuarantineReason.__members__:
        return str(code)
    if isinstance(error, PermissionError | FileNotFoundError | IsADirectoryError):
        return QuarantineReason.input_unreadable
    return QuarantineReason.unexpected


def _safe_message(error: BaseException | None) -> str:
    """Errors from libraries may quote file names or content: keep only the class and errno."""
    if isinstance(error, OSError):
        return f"{type(error).__name__}: {error.strerror or 'OS error'}"
    return f"{type(error).__name__}: see the worker's debug log" if error else "refused"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
