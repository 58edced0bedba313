"""A scanned stack through the pipeline: one file, many records.

OCR reads the whole file once, with each page's barcodes and blank test; `separate` splits
its pages into records, separator pages and blank pages; each record is then classified,
archived and counted like a file of its own, under an id derived from the file's sha256 and
its page range (records.stack_part). The file's `source_files` row goes in last, once every
record is in: a re-run skips a finished file; one interrupted half-way is read again and its
records already in the ledger are skipped, so nothing is counted twice.

A finished file met again under other separation settings is not split again (its records
stand, the run counts it as done) and the ledger gets a `separation_settings_changed` event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import replace
from pathlib import Path

from ocr import OcrError, OcrResult, extract_pages
from records.classify.rules import TextClassifier
from records.config_separation import SeparationSettings
from records.errors import ArchiveWriteError, is_transient
from records.intake.scan import ScanItem
from records.intake.separation import PageFacts, TypeOf, separate
from records.ledger import SourceFileEntry
from records.pipeline import (
    PipelineContext,
    RecordOutcome,
    clear_earlier_attempt,
    file_record,
    ocr_item,
    quarantine_item,
    utc_now,
    work_folder,
)
from records.stack_part import StackPart

log = logging.getLogger(__name__)


def settings_fingerprint(settings: SeparationSettings) -> str:
    """The settings that split a file, as a checksum: a re-run under others is noticed."""
    canonical = json.dumps(settings.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def process_stack(item: ScanItem, ctx: PipelineContext, source_sha: str, settings: SeparationSettings) -> RecordOutcome:
    """Split the file into records and archive each once (module docstring)."""
    fingerprint = settings_fingerprint(settings)
    done = _finished(item, ctx, source_sha, fingerprint)
    if done is not None:
        return done
    with ctx.archive.lock(source_sha):
        done = _finished(item, ctx, source_sha, fingerprint)  # another worker finished it while we waited
        if done is not None:
            return done
        with work_folder(ctx.work_root, source_sha) as work:
            return _split_and_archive(item, ctx, source_sha, settings, fingerprint, work)


def _finished(item: ScanItem, ctx: PipelineContext, source_sha: str, fingerprint: str) -> RecordOutcome | None:
    """Already done: the file was split (under these settings or others), or archived whole
    before its batch had separation. Other settings are audited, never applied to it."""
    row = ctx.ledger.source_file(source_sha)
    before: str | None
    if row is not None:
        before = row.settings_fingerprint
    elif ctx.ledger.is_archived(source_sha):
        before = None  # one file, one record: archived before separation was set
    else:
        return None
    if before != fingerprint:
        ctx.ledger.note_settings_changed(council=item.council, batch=item.batch, sha256=source_sha,
                                         before=before, now=fingerprint)
        log.warning("file %s was split under other separation settings; kept as it was", source_sha[:12])
    log.info("file %s already done; skipped", source_sha[:12])
    return RecordOutcome("already_done", source_sha, item.council, item.batch, records=0)


def _split_and_archive(
    item: ScanItem, ctx: PipelineContext, source_sha: str, settings: SeparationSettings, fingerprint: str, work: Path,
) -> RecordOutcome:
    received = utc_now()
    formats = tuple(settings.barcode_formats) if settings.reads_barcodes else ()
    try:
        result = ocr_item(item, ctx, work, signals=formats, isolate_pages=True)
    except OcrError as e:
        if is_transient(e):
            raise
        return quarantine_item(item, ctx, e, stage="ocr", source_sha=source_sha)
    facts = [PageFacts.of(signals, page.text) for signals, page in zip(result.signals, result.pages, strict=True)]
    classify = type_of(ctx.classifier) if "content" in settings.methods else None
    split = separate(facts, settings, classify=classify)
    archived: list[RecordOutcome] = []
    set_aside: list[RecordOutcome] = []
    unreadable = {page.number: page.error for page in result.unreadable}
    covered = [(r.first_page or 0, r.last_page or 0) for r in ctx.ledger.records_of_file(source_sha)]
    for span in split.records:
        part = StackPart.of(source_sha, span, split)
        if any(first <= part.last and part.first <= last for first, last in covered) \
                and not ctx.ledger.is_archived(part.record_id):
            log.info("record %s: its pages are in records already (regrouped by a reviewer); skipped",
                     part.record_id[:12])
            continue
        bad = [n for n in part.pages if n in unreadable]
        if bad:
            set_aside.append(_quarantine_part(item, ctx, part, bad[0], unreadable[bad[0]]))
            continue
        try:
            outcome = _archive_part(item, ctx, result, part, received, work)
        except ArchiveWriteError as e:  # file_record removed its half-written files
            return quarantine_item(item, ctx, e, stage="archive", source_sha=source_sha)
        if outcome.status == "archived":
            archived.append(outcome)
    if not set_aside:  # else a re-run reads the file again: its archived records are skipped
        ctx.ledger.finish_source_file(SourceFileEntry(
            sha256=source_sha, council=item.council, batch=item.batch, source_path=item.relative,
            pages=split.page_count, records=len(split.records), separator_pages=len(split.separators),
            blank_pages=len(split.blanks), settings_fingerprint=fingerprint,
        ))
    log.info("file %s split: %d pages, %d records (%d new), %d separator and %d blank pages",
             source_sha[:12], split.page_count, len(split.records), len(archived),
             len(split.separators), len(split.blanks))
    if set_aside and not archived:
        return replace(set_aside[0], record_id=source_sha, quarantined_records=len(set_aside) - 1)
    return RecordOutcome(
        "archived" if archived else "already_done", source_sha, item.council, item.batch,
        pages=sum(o.pages for o in archived), needs_review=any(o.needs_review for o in archived),
        blank_pages=len(split.blanks), records=len(archived),
        records_for_review=sum(o.needs_review for o in archived),
        reason=set_aside[0].reason if set_aside else None, quarantined_records=len(set_aside),
    )


def _quarantine_part(
    item: ScanItem, ctx: PipelineContext, part: StackPart, page: int, error: OcrError,
) -> RecordOutcome:
    """Set aside one record of the stack whose page `page` could not be read: the file is
    copied to quarantine, the entry names the record and its pages; the rest of the stack goes on."""
    message = (f"page {page} is not readable ({error}); it belongs to the record on pages "
               f"{part.first}-{part.last}, set aside: rescan those pages")
    return quarantine_item(item, ctx, error, stage="ocr", source_sha=part.record_id, message=message)


def _archive_part(
    item: ScanItem, ctx: PipelineContext, result: OcrResult, part: StackPart, received: dt.datetime, work: Path,
) -> RecordOutcome:
    """One record of the stack, unless a run before this one got it into the ledger."""
    if ctx.ledger.is_archived(part.record_id):
        return RecordOutcome("already_done", part.record_id, item.council, item.batch)
    clear_earlier_attempt(ctx, item.council, part.record_id)
    record = part_result(result, part, work)
    try:
        return file_record(item, ctx, part.source_sha256, record, received, part=part)
    finally:
        record.pdf_path.unlink(missing_ok=True)


def part_result(result: OcrResult, part: StackPart, work: Path) -> OcrResult:
    """The file's OCR result cut down to one record: its pages and a PDF of them alone."""
    pdf = extract_pages(result.pdf_path, part.pages, work / f"record-{part.first:05d}-{part.last:05d}.pdf")
    pages = tuple(result.pages[n - 1] for n in part.pages)
    signals = tuple(result.signals[n - 1] for n in part.pages) if result.signals else ()
    return OcrResult(pages, pdf, result.engine, result.languages, signals)


def type_of(classifier: TextClassifier) -> TypeOf:
    """The classifier's record type for the content method, None when it is unsure."""
    def classify(text: str) -> str | None:
        found = classifier.classify_text(text)
        return None if found.needs_review else found.record_type
    return classify
