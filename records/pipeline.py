"""One input file through the whole pipeline: hash, OCR, classify, archive, ledger.

Each step is a small function; `process_item` is the ordered list of them. A problem
with the file itself ends in quarantine with a reason code and the batch goes on; a
transient failure is raised for the orchestrator to retry (`records.errors.is_transient`).

Errors: each step catches only what it expects (OSError reading the input, OcrError,
ArchiveWriteError). `process_item` is the record boundary, the one place where any other
error becomes an `unexpected` quarantine: it runs in the record's task, so the batch goes on
and a library's message never reaches the orchestrator's logs. The orchestrator quarantines a
record whose transient failure outlasted its retries (flows/batch.py).

Crash safety: a record is handled under its archive lock; its files are written before
its ledger row, so a crash leaves at worst files without a row (orphans), which the next
attempt removes under the same lock before starting again. Scratch files carry their
writer's pid, so `remove_stale_files` can clear a dead run's leftovers at startup.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import tempfile
import traceback
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Literal

from ocr import PDFA_2B, ArchiveFormat, Engine, OcrError, OcrResult, ocr_document, profile_stage, profile_subject
from ocr.defaults import DEFAULT_DPI, DEFAULT_ENGINE, DEFAULT_LANGUAGES, DEFAULT_PAGE_TIMEOUT
from records.archive.local import (
    ArchivePaths,
    archive_entry,
    is_regular_file,
    is_stale,
    make_private_dir,
    owner_tag,
    remove_stale_temp_files,
    sha256_file,
)
from records.archive.objects import AnyArchive
from records.archival import RecordChecks, check_record
from records.capture import CaptureStandard
from records.classify.fields import KeyFields, extract_fields
from records.classify.rules import RecordClass, TextClassifier
from records.config_separation import CouncilSeparation, SeparationSettings
from records.errors import (
    ArchiveWriteError,
    LedgerError,
    RecordError,
    StorageError,
    is_transient,
    quarantine_reason,
)
from records.intake.objects import stage_item
from records.intake.scan import ScanItem
from records.ledger import ArchivedRecord, Ledger, PageStat, QuarantineEntry
from records.quarantine import QuarantineNote, quarantine_file
from records.stack_part import StackPart

log = logging.getLogger(__name__)

UNREADABLE_SHA = "0" * 64
_WORK_FOLDER = re.compile(r"[0-9a-f]{16}-")

try:
    PIPELINE_VERSION = version("council-digitise")
except PackageNotFoundError:  # running from a source tree that is not installed
    PIPELINE_VERSION = "0+source"

Status = Literal["archived", "already_done", "quarantined"]


@dataclass(frozen=True, slots=True)
class OcrSettings:
    dpi: int = DEFAULT_DPI
    page_timeout: float = DEFAULT_PAGE_TIMEOUT
    psm: int | None = None  # None: by each page's columns (ocr.layout)
    engine: Engine = DEFAULT_ENGINE

    @property
    def options(self) -> dict[str, Any]:
        """As recorded with each record, in its sidecar and its ledger event."""
        return {"dpi": self.dpi, "psm": "auto" if self.psm is None else self.psm}


@dataclass(frozen=True)
class PipelineContext:
    """Everything a worker needs, built once per process from the configuration."""

    archive: AnyArchive
    ledger: Ledger
    classifier: TextClassifier
    quarantine_root: Path
    work_root: Path
    languages: Mapping[str, str] = field(default_factory=dict)
    ocr: OcrSettings = OcrSettings()
    #: fsspec options for object-storage scan roots (records/intake/objects.py); empty: the AWS_* environment.
    storage_options: Mapping[str, Any] = field(default_factory=dict)
    #: Per council, how its scanned stacks split into records (none: one file is one record).
    separation: Mapping[str, CouncilSeparation] = field(default_factory=dict)
    #: Per council, the archive PDF's format and the capture standard (absent: the defaults).
    archive_pdf: Mapping[str, ArchiveFormat] = field(default_factory=dict)
    capture: Mapping[str, CaptureStandard] = field(default_factory=dict)

    def checks_for(self, council: str, record_id: str, result: OcrResult) -> RecordChecks:
        """The record's archive PDF made and its capture judged, by its council's settings."""
        return check_record(record_id, result, archive_pdf=self.archive_pdf.get(council, PDFA_2B),
                            standard=self.capture.get(council, CaptureStandard()))

    def separation_for(self, item: ScanItem) -> SeparationSettings | None:
        """The item's batch's separation settings, or None when its files are one record each."""
        council = self.separation.get(item.council)
        settings = council.for_batch(item.batch) if council is not None else None
        return settings if settings is not None and settings.enabled else None


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
    #: Records of a scanned stack quarantined while the rest of it was archived.
    quarantined_records: int = 0
    #: Records archived from this input (a scanned stack may make many), and how many of them await review.
    records: int = 1
    records_for_review: int | None = None

    @property
    def review_count(self) -> int:
        return self.records_for_review if self.records_for_review is not None else int(self.needs_review)


def needs_review(record_class: RecordClass, result: OcrResult) -> bool:
    """A person should look: doubtful type, a blank page, or a page OCR could not vouch for."""
    return record_class.needs_review or any(p.is_blank for p in result.pages) or bool(result.pages_needing_review)


def process_item(item: ScanItem, ctx: PipelineContext) -> RecordOutcome:
    """One input from start to end; the record boundary (module docstring).

    Input problems end in quarantine and the batch goes on. A transient failure is raised
    for the orchestrator to retry, without its library cause: Prefect logs the whole chain,
    and a library's message may quote a file name or SQL parameters. Anything unexpected is
    quarantined as `unexpected`, with its traceback frames (no messages) at DEBUG. Raises
    nothing else but an error that stopped the quarantine itself (a full disk, a ledger down).
    """
    try:
        with profile_subject(item.path.name):
            return _process(item, ctx)
    except Exception as error:  # noqa: BLE001 - the record boundary
        if is_transient(error):
            log.debug("transient %s (cause %s)", type(error).__name__, type(error.__cause__).__name__)
            raise error from None
        log.debug("unexpected %s in:\n%s", type(error).__name__, "".join(traceback.format_tb(error.__traceback__)))
        return quarantine_item(item, ctx, error, stage="process")


def _process(item: ScanItem, ctx: PipelineContext) -> RecordOutcome:
    if item.url is not None:
        return _process_object(item, ctx)
    try:
        with profile_stage("hash"):
            source_sha = sha256_file(item.path)
    except OSError as e:
        return quarantine_item(item, ctx, e, stage="read", source_sha=UNREADABLE_SHA)
    settings = ctx.separation_for(item)
    if settings is not None:
        from records.stacks import process_stack  # the stack path builds on this module's steps

        return process_stack(item, ctx, source_sha, settings)
    if ctx.ledger.is_archived(source_sha):
        return _already_done(item, source_sha)
    with ctx.archive.lock(source_sha):
        if ctx.ledger.is_archived(source_sha):  # another worker finished it while we waited
            return _already_done(item, source_sha)
        clear_earlier_attempt(ctx, item.council, source_sha)
        with work_folder(ctx.work_root, source_sha) as work:
            return _make_record(item, ctx, source_sha, work)


def _process_object(item: ScanItem, ctx: PipelineContext) -> RecordOutcome:
    """An object from an object-storage scan root is staged on local disk, then processed as a
    local file; StorageError (store unreachable) goes up for a retry."""
    with ExitStack() as stack:
        try:
            local = stack.enter_context(stage_item(item, ctx.work_root, ctx.storage_options))
        except OSError as e:  # gone or forbidden: unreadable, like a local file
            return quarantine_item(replace(item, url=None), ctx, e, stage="read", source_sha=UNREADABLE_SHA)
        return _process(local, ctx)


def _make_record(item: ScanItem, ctx: PipelineContext, source_sha: str, work: Path) -> RecordOutcome:
    received = utc_now()
    try:
        result = ocr_item(item, ctx, work)
    except OcrError as e:
        if is_transient(e):
            raise
        return quarantine_item(item, ctx, e, stage="ocr", source_sha=source_sha)
    try:
        return file_record(item, ctx, source_sha, result, received)
    except ArchiveWriteError as e:
        return quarantine_item(item, ctx, e, stage="archive", source_sha=source_sha)


def file_record(
    item: ScanItem, ctx: PipelineContext, source_sha: str, result: OcrResult, received: dt.datetime,
    *, part: StackPart | None = None,
) -> RecordOutcome:
    """Classify one record's reading, archive its files and count it: the steps after OCR, the
    same for a file that is one record and for each record of a scanned stack (`part`). An
    archive write that fails leaves no half-written record behind and is raised."""
    with profile_stage("classification"):
        record_class = ctx.classifier.classify_text(result.text)
        fields = extract_fields(result.text)
    with profile_stage("archive and ledger"):
        checks = ctx.checks_for(item.council, part.record_id if part else source_sha, result)
        try:
            paths = archive_record(item, ctx, source_sha, result, record_class, received, checks,
                                   fields=fields, part=part)
        except ArchiveWriteError:
            ctx.archive.remove_orphans(item.council, part.record_id if part else source_sha)
            raise
        return ledger_record(item, ctx, source_sha, result, record_class, paths, checks, fields=fields,
                             part=part)


def clear_earlier_attempt(ctx: PipelineContext, council: str, record_id: str) -> None:
    """Files an attempt wrote before it died, without their ledger row: removed before the record
    is made again. Call while holding the record's lock, after checking the ledger has no row."""
    if ctx.archive.remove_orphans(council, record_id):
        log.info("record %s: removed files of an earlier attempt that did not finish", record_id[:12])


def _already_done(item: ScanItem, source_sha: str) -> RecordOutcome:
    log.info("record %s already archived; skipped", source_sha[:12])
    return RecordOutcome("already_done", source_sha, item.council, item.batch)


@contextmanager
def work_folder(work_root: Path, source_sha: str) -> Iterator[Path]:
    """A private scratch folder per attempt, named `<sha16>-<pid>@<host>~…` so a crash's is provably stale."""
    make_private_dir(work_root)
    work = Path(tempfile.mkdtemp(prefix=f"{source_sha[:16]}-{owner_tag()}~", dir=work_root))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def remove_stale_files(ctx: PipelineContext) -> int:
    """Startup clean-up after a crash: temp files, work folders and locks of dead runs.

    Safe while other runs are active: only what `is_stale` proves abandoned is removed.
    """
    removed = ctx.archive.remove_stale_temp_files() + remove_stale_temp_files(ctx.quarantine_root)
    removed += ctx.archive.remove_stale_locks()
    folders = sorted(ctx.work_root.iterdir()) if ctx.work_root.is_dir() else []
    for folder in folders:
        if _WORK_FOLDER.match(folder.name) and folder.is_dir() and not folder.is_symlink() and is_stale(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    if removed:
        log.info("removed %d leftovers of interrupted runs", removed)
    return removed


def ocr_item(
    item: ScanItem, ctx: PipelineContext, work: Path, *, signals: tuple[str, ...] | None = None,
    isolate_pages: bool = False,
) -> OcrResult:
    """OCR the item's file; `signals`: also each page's barcodes (these formats) and blank
    test; `isolate_pages`: go on past an unreadable page (ocr_document)."""
    return ocr_document(
        item.path,
        work_dir=work,
        languages=ctx.languages.get(item.council, DEFAULT_LANGUAGES),
        dpi=ctx.ocr.dpi,
        page_timeout=ctx.ocr.page_timeout,
        psm=ctx.ocr.psm,
        engine=ctx.ocr.engine,
        signals=signals,
        isolate_pages=isolate_pages,
    )


def archive_record(
    item: ScanItem,
    ctx: PipelineContext,
    source_sha: str,
    result: OcrResult,
    record_class: RecordClass,
    received: dt.datetime,
    checks: RecordChecks,
    *,
    fields: KeyFields | None = None,
    part: StackPart | None = None,
) -> ArchivePaths:
    """Write the record's PDF (PDF/A when `checks` made one), text and sidecar. `part`: the
    record is one of a scanned stack's."""
    record_id = part.record_id if part else source_sha
    paths = ctx.archive.paths_for(item.council, record_class.record_type, record_id)
    text = result.text
    sidecar = build_sidecar(item, source_sha, result, record_class, received, ctx.ocr, checks, part=part)
    if fields is not None:
        sidecar["fields"] = fields.as_dict()  # NI numbers already masked
    sidecar["archive"] = {**archive_entry(paths, checks.pdf.path, text), **checks.pdf_entry()}
    ctx.archive.store(paths, pdf=checks.pdf.path, text=text, sidecar=sidecar)
    return paths


def build_sidecar(
    item: ScanItem,
    source_sha: str,
    result: OcrResult,
    record_class: RecordClass,
    received: dt.datetime,
    ocr: OcrSettings,
    checks: RecordChecks,
    *,
    part: StackPart | None = None,
) -> dict[str, Any]:
    sidecar = {
        "record_id": part.record_id if part else source_sha,
        "council": item.council,
        "batch": item.batch,
        "source": {"path": item.relative, "sha256": source_sha},
        "page_count": len(result.pages),
        "pages": [
            {"number": p.number, "confidence": p.confidence, "words": p.word_count,
             "method": p.method, "blank": p.is_blank,
             "rotation": p.rotation, "skew": p.skew, "cleaned": p.cleaned,
             "quality": p.quality, "needs_review": p.needs_review,
             "review_reasons": list(p.review_reasons), "psm": p.psm,
             "capture": p.capture.as_dict() if p.capture else None,
             "rescan_reasons": checks.page_reasons(p.number)}
            for p in result.pages
        ],
        "capture": checks.capture_entry(),
        "mean_confidence": round(result.mean_confidence, 2),
        "classification": record_class.as_sidecar(
            needs_review=needs_review(record_class, result) or bool(part and part.review_reasons)),
        "ocr": {"engine": result.engine, "languages": result.languages, **ocr.options},
        "pipeline_version": PIPELINE_VERSION,
        "timestamps": {"received_at": received.isoformat(), "archived_at": utc_now().isoformat()},
    }
    if part is not None:
        sidecar["separation"] = part.as_sidecar()
    return sidecar


def ledger_record(
    item: ScanItem,
    ctx: PipelineContext,
    source_sha: str,
    result: OcrResult,
    record_class: RecordClass,
    paths: ArchivePaths,
    checks: RecordChecks,
    *,
    fields: KeyFields | None = None,
    part: StackPart | None = None,
) -> RecordOutcome:
    """Count the archived record in the ledger, once: as digitised, or as needing re-scan when
    `checks` found pages below the capture standard. `part`: one record of a scanned stack."""
    record_id = part.record_id if part else source_sha
    blank = sum(1 for p in result.pages if p.is_blank)
    review = needs_review(record_class, result) or bool(part and part.review_reasons) or checks.capture.needs_rescan
    inserted = ctx.ledger.add_record(
        ArchivedRecord(
            source_sha256=record_id,
            council=item.council,
            batch=item.batch,
            source_path=item.relative,
            record_type=record_class.record_type,
            score=record_class.score,
            needs_review=review,
            pages=len(result.pages),
            words=sum(p.word_count for p in result.pages),
            blank_pages=blank,
            mean_confidence=round(result.mean_confidence, 2),
            pdf_path=ctx.archive.relative(paths.pdf),
            text_path=ctx.archive.relative(paths.text),
            sidecar_path=ctx.archive.relative(paths.sidecar),
            pdf_sha256=ctx.archive.sha256(paths.pdf),
            text_sha256=ctx.archive.sha256(paths.text),
            engine=result.engine,
            languages=result.languages,
            pipeline_version=PIPELINE_VERSION,
            sidecar_sha256=ctx.archive.sha256(paths.sidecar),
            source_file_sha256=source_sha if part else None,
            first_page=part.first if part else None,
            last_page=part.last if part else None,
            reference=part.reference if part else None,
            **checks.ledger_fields(),
        ),
        ocr_options=ctx.ocr.options,
    )
    if not inserted:  # another run archived the same content first
        return RecordOutcome("already_done", record_id, item.council, item.batch)
    index_record(ctx, record_id, result, fields or extract_fields(result.text))
    log.info("record %s archived: %d pages, type %s", record_id[:12], len(result.pages), record_class.record_type)
    return RecordOutcome(
        "archived", record_id, item.council, item.batch, len(result.pages),
        record_class.record_type, review, blank,
    )


def index_record(ctx: PipelineContext, source_sha: str, result: OcrResult, fields: KeyFields) -> None:
    """Key fields, page confidences and search index for an archived record.

    A failure here does not undo or retry the archived record: `digitise search --reindex`
    indexes whatever is missing.
    """
    pages = [PageStat(p.number, p.confidence, p.word_count, p.is_blank) for p in result.pages]
    try:
        ctx.ledger.add_record_extras(source_sha, text=result.text, fields=fields.items(), pages=pages)
    except LedgerError as e:
        log.warning("record %s archived but not yet searchable (%s); `digitise search --reindex` will index it",
                    source_sha[:12], type(e.__cause__).__name__)


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
    if item.url is not None:  # an object: staged first, so quarantine keeps a copy as for a file
        with ExitStack() as stack:
            try:
                local = stack.enter_context(stage_item(item, ctx.work_root, ctx.storage_options))
            except (OSError, StorageError):
                local = replace(item, url=None)  # no copy, but the reason is still recorded
            return quarantine_item(local, ctx, error, stage=stage, source_sha=source_sha, reason=reason,
                                   message=message)
    if source_sha is None:
        try:
            source_sha = sha256_file(item.path) if is_regular_file(item.path) else UNREADABLE_SHA
        except OSError:
            source_sha = UNREADABLE_SHA
    note = QuarantineNote(
        reason=reason or quarantine_reason(error),
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


def _safe_message(error: BaseException | None) -> str:
    """Errors from libraries may quote file names or content: keep only the class and errno."""
    if isinstance(error, OSError):
        return f"{type(error).__name__}: {error.strerror or 'OS error'}"
    return f"{type(error).__name__}: see the worker's debug log" if error else "refused"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
