"""The batch flows: a scan root fans out into one sub-flow per council batch.

Flow-run names carry the council and batch so operators can find a run in the UI; no
parameter, task name or result carries a file name or any OCR text.

A batch run that quarantined more than `max_quarantined_share` of its inputs still publishes
its artifacts, then ends Failed (red in the UI) with a message saying so; the scan-root run
that contains it ends Failed too. Called directly, either raises
`records.errors.QuarantineLimitExceeded`, which carries the summary.

Errors: a record's own errors end in quarantine inside its task (`records.pipeline.process_item`,
the record boundary). Here, a task run that still failed after its retries, crashed or lost
its Dask worker (`_task_result`) has its records retried alone (a chunk) or quarantined (one
record): the batch goes on, and no record is lost or counted twice.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, update_progress_artifact
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run
from prefect.states import Failed, State
from prefect.task_runners import TaskRunner

from flows.artifacts import artifact_key, publish_quarantine_table
from flows.runners import THREADS, make_task_runner
from flows.settings import context_for, resolve_settings
from flows.shards import check_shard, in_shard
from flows.tasks import ocr_tasks, quarantine_record_task
from ocr import check_tools
from records.archive.objects import discover_location
from records.errors import QuarantineLimitExceeded
from records.intake.scan import ScanItem
from records.pipeline import RecordOutcome, remove_stale_files
from records.reporting.inventory import current_progress
from records.reporting.progress import markdown_table
from records.reporting.reports import build_report, markdown_report
from records.reporting.survey import build_survey, forecast_markdown
from records.summary import BatchSummary, merge, summarise

#: Seconds between updates of a batch's progress artifact. Each update is a write on the
#: Prefect server (measured: 30 ms of its CPU), too dear to make for every record.
PROGRESS_EVERY_SECONDS = 5.0

#: A batch goes to tasks of one record each unless every worker would get more than this
#: many; no task holds more than MAX_RECORDS_PER_TASK records.
TASKS_PER_WORKER = 4
MAX_RECORDS_PER_TASK = 8

#: In-process observers (the CLI's progress bar): called with (done, total) as records finish.
progress_listeners: list[Callable[[int, int], None]] = []


def _notify(done: int, total: int) -> None:
    for listener in progress_listeners:
        listener(done, total)


def _batches(scan_root: str, council: str | None, config_dir: str | None) -> dict[tuple[str, str], int]:
    settings = resolve_settings(config_dir)
    items, refused = discover_location(scan_root, councils=[council] if council else None,
                                       known_councils=settings.councils,
                                       storage_options=settings.pipeline.storage_options)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for item in [*items, *(r.item for r in refused)]:
        counts[(item.council, item.batch)] += 1
    return dict(sorted(counts.items()))


def _batch_run_name() -> str:
    """`<council>/<batch>`, and `shard k/n` when the batch is split over several runs."""
    params = flow_run.parameters
    name = f"{params['council']}/{params['batch']}"
    shards = params.get("shards") or 1
    return f"{name} shard {params.get('shard') or 0}/{shards}" if shards > 1 else name


@flow(name="process-batch", flow_run_name=_batch_run_name, log_prints=False)
def process_batch(
    scan_root: str, council: str, batch: str,
    config_dir: str | None = None, data_dir: str | None = None,
    shard: int = 0, shards: int = 1, workers: int | None = None,
) -> dict[str, Any] | State:
    """OCR, classify, archive and count every file of one batch folder, in parallel; with
    `shards` > 1 only the files of shard `shard` (flows/shards.py), so several runs share it.

    Large batches go to tasks of up to MAX_RECORDS_PER_TASK records (`workers`, default
    pipeline.yaml's, sets how many): per record, a task run cost the embedded Prefect
    server more CPU than the pipeline's own bookkeeping."""
    check_shard(shard, shards)
    logger = get_run_logger()
    settings = resolve_settings(config_dir, data_dir)
    items, refused = discover_location(scan_root, councils=[council], known_councils=settings.councils,
                                       storage_options=settings.pipeline.storage_options)
    items = [i for i in items if i.batch == batch and in_shard(i.relative, shard, shards)]
    refused = [r for r in refused if r.item.batch == batch and in_shard(r.item.relative, shard, shards)]
    outcomes: list[RecordOutcome] = [
        quarantine_record_task(r.item, config_dir, data_dir, stage="scan", reason=r.reason, message=r.message)
        for r in refused
    ]
    total = len(items) + len(refused)
    progress = create_progress_artifact(progress=_percent(len(outcomes), total),
                                        key=artifact_key("progress", council, batch,
                                                         *([f"shard-{shard}-of-{shards}"] if shards > 1 else [])),
                                        description=f"Records done in {council}/{batch}")
    sizes = task_sizes(len(items), workers or settings.pipeline.worker_count)
    chunk_task, record_task = ocr_tasks()
    starts = [sum(sizes[:n]) for n in range(len(sizes))]
    chunks = {chunk_task.submit(items[i : i + size], config_dir, data_dir): items[i : i + size]
              for i, size in zip(starts, sizes, strict=True)} if max(sizes, default=1) > 1 else {}
    singles = {} if chunks else {record_task.submit(item, config_dir, data_dir): item for item in items}
    shown = time.monotonic()

    def finished(new: list[RecordOutcome]) -> None:
        nonlocal shown
        outcomes.extend(new)
        _notify(len(outcomes), total)
        if len(outcomes) == total or time.monotonic() - shown >= PROGRESS_EVERY_SECONDS:
            update_progress_artifact(progress, progress=_percent(len(outcomes), total))
            shown = time.monotonic()

    for future in as_completed(list(chunks)):
        done, retry = _chunk_outcome(future, chunks[future])
        singles.update({record_task.submit(item, config_dir, data_dir): item for item in retry})
        finished(done)
    for future in as_completed(list(singles)):
        finished([_outcome(future, singles[future], config_dir, data_dir)])
    summary = summarise(outcomes)
    logger.info("batch %s/%s: %s", council, batch, summary.line())
    if summary.quarantined:
        publish_quarantine_table(config_dir, data_dir, key=artifact_key("quarantine", council, batch),
                                 council=council, batch=batch)
    return _batch_result(f"{council}/{batch}", summary, settings.pipeline.max_quarantined_share)


def _percent(done: int, total: int) -> float:
    return 100.0 * done / total if total else 100.0


def _batch_result(where: str, summary: BatchSummary, max_share: float) -> dict[str, Any] | State:
    """The summary, or a Failed state carrying it when too much of the batch was quarantined."""
    if summary.quarantined_share <= max_share:
        return asdict(summary)
    return _failed(
        f"{where}: {summary.quarantined} of {summary.total} inputs quarantined "
        f"({summary.quarantined_share:.0%}), more than max_quarantined_share {max_share:.0%} "
        "in pipeline.yaml; the quarantine table artifact lists each input and what to do",
        summary,
    )


def _failed(message: str, summary: BatchSummary) -> State:
    error = QuarantineLimitExceeded(message, asdict(summary))
    return Failed(message=message, data=error)


def task_sizes(records: int, workers: int) -> list[int]:
    """Records per task, in submission order: one each for small batches (a task run per
    record, as the UI shows best); for large ones up to MAX_RECORDS_PER_TASK, shrinking
    towards the end (guided scheduling) so that no worker is left alone with a long last task."""
    workers = max(1, workers)
    if records // (workers * TASKS_PER_WORKER) <= 1:
        return [1] * records
    sizes: list[int] = []
    left = records
    while left:
        sizes.append(max(1, min(MAX_RECORDS_PER_TASK, left // (2 * workers))))
        left -= sizes[-1]
    return sizes


def _chunk_outcome(future: Any, chunk: list[ScanItem]) -> tuple[list[RecordOutcome], list[ScanItem]]:
    """A chunk's outcomes and the items to retry alone; if the task itself failed, all of them
    (records it finished are then found done and skipped, never counted twice)."""
    result, error = _task_result(future)
    return result if error is None else ([], list(chunk))


def _outcome(future: Any, item: ScanItem, config_dir: str | None, data_dir: str | None) -> RecordOutcome:
    """The record's outcome; a task that still fails after its retries is quarantined, not lost."""
    outcome, error = _task_result(future)
    if error is None:
        return outcome  # type: ignore[no-any-return]
    return quarantine_record_task(item, config_dir, data_dir, stage="process", error=error)


def _task_result(future: PrefectFuture[Any]) -> tuple[Any, Exception | None]:
    """A task run's result, or the error it ended with. The task-run boundary: a run can still
    fail after its retries, crash, or lose its Dask worker (which raises Dask's own errors), and
    its records must then be retried or quarantined, never lost."""
    try:
        return future.result(), None
    except Exception as error:  # noqa: BLE001 - the task-run boundary (above)
        return None, error


def _scan_root_run_name() -> str:
    params = flow_run.parameters
    name = f"scan-root-{params.get('council') or 'all-councils'}"
    name += f"/{params['batch']}" if params.get("batch") else ""
    shards = params.get("shards") or 1
    return f"{name} shard {params.get('shard') or 0}/{shards}" if shards > 1 else name


@flow(name="digitise-scan-root", flow_run_name=_scan_root_run_name, log_prints=False)
def digitise_scan_root(
    scan_root: str,
    council: str | None = None,
    config_dir: str | None = None,
    data_dir: str | None = None,
    workers: int | None = None,
    task_runner: str = THREADS,
    batch: str | None = None,
    shard: int = 0,
    shards: int = 1,
) -> dict[str, Any] | State:
    """Process every batch under `scan_root` (a folder, or s3://bucket/prefix laid out the same
    way; or one council's, or one `batch` folder), then publish progress.

    `task_runner` is `threads`, `dask` (a local multi-process Dask cluster) or the
    `tcp://` address of a running Dask scheduler. With `shards` > 1 only the files of shard
    `shard` are processed (flows/shards.py), so that several runs, on several workers, share
    the same batches."""
    check_shard(shard, shards)
    runner = prepare_run(config_dir, data_dir, workers, task_runner)
    results = [run_batch(scan_root, council_slug, batch_name, config_dir, data_dir, runner, shard=shard, shards=shards,
                         workers=workers)
               for (council_slug, batch_name) in _batches(scan_root, council, config_dir)
               if batch in (None, batch_name)]
    return finish_run(results, config_dir, data_dir, council)


def prepare_run(
    config_dir: str | None, data_dir: str | None, workers: int | None, task_runner: str = THREADS
) -> TaskRunner:  # type: ignore[type-arg]
    """Probe the tools, create archive folders and ledger tables up front, clear what crashed
    runs left behind (never a live run's files); the batches' runner."""
    settings = resolve_settings(config_dir, data_dir)
    check_tools(sorted({c.languages for c in settings.councils.values()}))
    remove_stale_files(context_for(config_dir, data_dir))
    return make_task_runner(task_runner, workers or settings.pipeline.worker_count)


BatchResult = tuple[str, BatchSummary, bool]


def run_batch(
    scan_root: str, council: str, batch: str, config_dir: str | None, data_dir: str | None,
    runner: TaskRunner,  # type: ignore[type-arg]
    *, shard: int = 0, shards: int = 1, workers: int | None = None,
) -> BatchResult:
    """One batch (or one shard of it) as a sub-flow: ("council/batch", its summary, whether it
    went over the limit)."""
    run = process_batch.with_options(task_runner=runner)
    try:
        summary = run(scan_root, council, batch, config_dir, data_dir, shard=shard, shards=shards, workers=workers)
        return f"{council}/{batch}", BatchSummary(**summary), False
    except QuarantineLimitExceeded as e:
        return f"{council}/{batch}", BatchSummary(**e.summary), True


def finish_run(
    results: list[BatchResult], config_dir: str | None, data_dir: str | None, council: str | None,
) -> dict[str, Any] | State:
    """Publish progress and the quarantine table; fail the run if any batch went over the limit."""
    total = merge(summary for _, summary, _ in results)
    get_run_logger().info("scan root done: %s", total.line())
    publish_progress(config_dir, data_dir, council)
    publish_quarantine_table(config_dir, data_dir, council=council)
    over = [where for where, _, is_over in results if is_over]
    if not over:
        return asdict(total)
    max_share = resolve_settings(config_dir, data_dir).pipeline.max_quarantined_share
    shown = ", ".join(over[:5]) + (f" and {len(over) - 5} more" if len(over) > 5 else "")
    return _failed(
        f"{len(over)} of {len(results)} batches quarantined more than {max_share:.0%} of their inputs "
        f"({shown}); {total.quarantined} inputs in quarantine, see the quarantined-files artifact",
        total,
    )


def publish_progress(config_dir: str | None, data_dir: str | None, council: str | None = None) -> str:
    settings = resolve_settings(config_dir, data_dir)
    ledger = context_for(config_dir, data_dir).ledger
    table = markdown_table(current_progress(settings.councils, ledger, only=council))
    create_markdown_artifact(
        markdown="# Digitisation progress\n\n" + table, key="digitisation-progress",
        description="Per-council and per-record-type progress against inventory estimates",
    )
    return table


def publish_report(config_dir: str | None, data_dir: str | None) -> str:
    """The full progress report (survey bands, estimates, OCR confidence, daily pages) as markdown."""
    settings = resolve_settings(config_dir, data_dir)
    markdown = markdown_report(build_report(settings.councils, context_for(config_dir, data_dir).ledger))
    create_markdown_artifact(
        markdown=markdown, key="digitisation-report",
        description="Progress report: councils per FoI band, estimates used, OCR confidence, pages per day",
    )
    return markdown


def publish_forecast(config_dir: str | None, data_dir: str | None) -> str:
    """Issue #9: projected completion per council (and estimated record type) as markdown."""
    settings = resolve_settings(config_dir, data_dir)
    options = settings.pipeline.survey
    survey = build_survey(settings.councils, context_for(config_dir, data_dir).ledger,
                          max_estimate_age_days=options.max_estimate_age_days,
                          window_days=options.forecast_window_days)
    markdown = "# Digitisation forecast\n\n" + forecast_markdown(survey)
    create_markdown_artifact(markdown=markdown, key="digitisation-forecast",
                             description="Projected completion at the recent rate of pages archived per day")
    return markdown


@flow(name="progress-report", log_prints=False)
def progress_report(config_dir: str | None = None, data_dir: str | None = None, council: str | None = None) -> str:
    """Publish the progress table, the full progress report and the quarantine table as artifacts."""
    publish_quarantine_table(config_dir, data_dir, council=council)
    publish_report(config_dir, data_dir)
    publish_forecast(config_dir, data_dir)
    return publish_progress(config_dir, data_dir, council)
