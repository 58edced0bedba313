"""The batch flows: a scan root fans out into one sub-flow per council batch.

Flow-run names carry the council and batch so operators can find a run in the UI; no
parameter, task name or result carries a file name or any OCR text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, update_progress_artifact
from prefect.futures import as_completed
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

from flows.settings import context_for, resolve_settings
from flows.tasks import process_record_task, quarantine_record_task
from ocr import check_tools
from records import BatchSummary, RecordOutcome, ScanItem, discover, markdown_table, merge, progress_rows, summarise

#: In-process observers (the CLI's progress bar): called with (done, total) as records finish.
progress_listeners: list[Callable[[int, int], None]] = []


def _notify(done: int, total: int) -> None:
    for listener in progress_listeners:
        listener(done, total)


def _batches(scan_root: str, council: str | None, config_dir: str | None) -> dict[tuple[str, str], int]:
    settings = resolve_settings(config_dir)
    items, refused = discover(Path(scan_root), councils=[council] if council else None,
                              known_councils=settings.councils)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for item in [*items, *(r.item for r in refused)]:
        counts[(item.council, item.batch)] += 1
    return dict(sorted(counts.items()))


@flow(name="process-batch", flow_run_name="{council}/{batch}", log_prints=False)
def process_batch(
    scan_root: str, council: str, batch: str,
    config_dir: str | None = None, data_dir: str | None = None,
) -> dict[str, Any]:
    """OCR, classify, archive and count every file of one batch folder, in parallel."""
    logger = get_run_logger()
    settings = resolve_settings(config_dir, data_dir)
    items, refused = discover(Path(scan_root), councils=[council], known_councils=settings.councils)
    items = [i for i in items if i.batch == batch]
    refused = [r for r in refused if r.item.batch == batch]
    outcomes: list[RecordOutcome] = [
        quarantine_record_task(r.item, config_dir, data_dir, stage="scan", reason=r.reason, message=r.message)
        for r in refused
    ]
    total = len(items) + len(refused)
    progress = create_progress_artifact(progress=0.0, key=_artifact_key("progress", council, batch),
                                        description=f"Records done in {council}/{batch}")
    futures = {process_record_task.submit(item, config_dir, data_dir): item for item in items}
    for future in as_completed(list(futures)):
        outcomes.append(_outcome(future, futures[future], config_dir, data_dir))
        _notify(len(outcomes), total)
        update_progress_artifact(progress, progress=100.0 * len(outcomes) / max(total, 1))
    summary = summarise(outcomes)
    logger.info("batch %s/%s: %s", council, batch, summary.line())
    return asdict(summary)


def _outcome(future: Any, item: ScanItem, config_dir: str | None, data_dir: str | None) -> RecordOutcome:
    """The record's outcome; a task that still fails after its retries is quarantined, not lost."""
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001 - the per-record boundary
        return quarantine_record_task(item, config_dir, data_dir, stage="process", error=error)


def _scan_root_run_name() -> str:
    council = flow_run.parameters.get("council")
    return f"scan-root-{council or 'all-councils'}"


@flow(name="digitise-scan-root", flow_run_name=_scan_root_run_name, log_prints=False)
def digitise_scan_root(
    scan_root: str,
    council: str | None = None,
    config_dir: str | None = None,
    data_dir: str | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Process every batch under `scan_root` (or one council's), then publish progress."""
    logger = get_run_logger()
    settings = resolve_settings(config_dir, data_dir)
    check_tools(sorted({c.languages for c in settings.councils.values()}))
    context_for(config_dir, data_dir)  # create archive folders and ledger tables up front
    runner = ThreadPoolTaskRunner(max_workers=workers or settings.pipeline.worker_count)
    summaries = []
    for (council_slug, batch) in _batches(scan_root, council, config_dir):
        run = process_batch.with_options(task_runner=runner)
        summaries.append(BatchSummary(**run(scan_root, council_slug, batch, config_dir, data_dir)))
    total = merge(summaries)
    logger.info("scan root done: %s", total.line())
    publish_progress(config_dir, data_dir, council)
    return asdict(total)


def publish_progress(config_dir: str | None, data_dir: str | None, council: str | None = None) -> str:
    settings = resolve_settings(config_dir, data_dir)
    ledger = context_for(config_dir, data_dir).ledger
    rows = progress_rows(settings.councils, ledger.counters(), ledger.open_failures(), only=council)
    table = markdown_table(rows)
    create_markdown_artifact(
        markdown="# Digitisation progress\n\n" + table, key="digitisation-progress",
        description="Per-council and per-record-type progress against inventory estimates",
    )
    return table


@flow(name="progress-report", log_prints=False)
def progress_report(config_dir: str | None = None, data_dir: str | None = None, council: str | None = None) -> str:
    """Publish the progress table from the ledger as a markdown artifact."""
    return publish_progress(config_dir, data_dir, council)


def _artifact_key(kind: str, council: str, batch: str) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    raw = f"{kind}-{council}-{batch}".lower()
    return "".join(ch if ch.isalnum() else "-" for ch in raw)[:100]
