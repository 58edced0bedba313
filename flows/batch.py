"""The batch flows: a scan root fans out into one sub-flow per council batch.

Flow-run names carry the council and batch so operators can find a run in the UI; no
parameter, task name or result carries a file name or any OCR text. Which inputs a run takes
(records/intake/selection.py) and when it counts as failed (records/batch_policy.py) are
decided in the domain; this module only runs them.

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
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import asdict
from itertools import accumulate
from typing import Any

from prefect import Task, flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, update_progress_artifact
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run
from prefect.states import Failed, State
from prefect.task_runners import TaskRunner

from flows.artifacts import artifact_key, publish_quarantine_table
from flows.runners import THREADS, make_task_runner
from flows.settings import context_for, resolve_settings
from flows.tasks import ocr_tasks, quarantine_record_task
from ocr import check_tools
from records.batch_policy import BatchResult, batch_limit_error, run_limit_error
from records.errors import QuarantineLimitExceeded
from records.intake.objects import discover_location
from records.intake.scan import RefusedItem, ScanItem
from records.intake.selection import batch_share, batches, check_shard
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

#: Task runs submitted ahead per worker: enough that no worker waits for the next, few
#: enough that a batch's futures stay few however many records it has.
IN_FLIGHT_PER_WORKER = 4

#: Told (records done, records in the batch) as records finish.
ProgressCallback = Callable[[int, int], None]

#: The in-process observer of a run (the CLI's progress bar), set by `run_scan_root`: a
#: callable cannot be a flow parameter, and the flows run in the caller's thread and context.
_on_progress: ContextVar[ProgressCallback | None] = ContextVar("on_progress", default=None)


def run_scan_root(
    scan_root: str, council: str | None = None, config_dir: str | None = None, data_dir: str | None = None,
    workers: int | None = None, task_runner: str = THREADS, *, on_progress: ProgressCallback | None = None,
) -> dict[str, Any] | State:
    """`digitise_scan_root` in this process, telling `on_progress` as each batch's records finish."""
    token = _on_progress.set(on_progress)
    try:
        return digitise_scan_root(scan_root, council, config_dir, data_dir, workers, task_runner)
    finally:
        _on_progress.reset(token)


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
    `shards` > 1 only the files of shard `shard` (records/intake/selection.py), so several
    runs share it.

    Large batches go to tasks of up to MAX_RECORDS_PER_TASK records (`workers`, default
    pipeline.yaml's, sets how many): per record, a task run cost the embedded Prefect
    server more CPU than the pipeline's own bookkeeping."""
    check_shard(shard, shards)
    settings = resolve_settings(config_dir, data_dir)
    found = discover_location(scan_root, councils=[council], known_councils=settings.councils,
                              storage_options=settings.pipeline.storage_options)
    items, refused = batch_share(*found, batch, shard=shard, shards=shards)
    outcomes = _quarantine_refused(refused, config_dir, data_dir)
    progress = _BatchProgress(outcomes, len(items) + len(refused), council, batch, shard, shards)
    _run_records(items, config_dir, data_dir, workers or settings.pipeline.worker_count, progress.add)
    summary = progress.summary
    get_run_logger().info("batch %s/%s: %s", council, batch, summary.line())
    if summary.quarantined:
        publish_quarantine_table(config_dir, data_dir, key=artifact_key("quarantine", council, batch),
                                 council=council, batch=batch)
    return _result(summary, batch_limit_error(f"{council}/{batch}", summary, settings.pipeline.max_quarantined_share))


def _quarantine_refused(
    refused: list[RefusedItem], config_dir: str | None, data_dir: str | None,
) -> list[RecordOutcome]:
    """Inputs discovery refused (links out, wrong layout, unknown council), quarantined with its reason."""
    return [quarantine_record_task(r.item, config_dir, data_dir, stage="scan", reason=r.reason, message=r.message)
            for r in refused]


class _BatchProgress:
    """A batch run's outcomes so far, as counts only (a batch may have 50,000 records): on its
    progress artifact, and told to `_on_progress`."""

    def __init__(
        self, outcomes: list[RecordOutcome], total: int, council: str, batch: str, shard: int, shards: int,
    ) -> None:
        self.summary, self.done, self.total = summarise(outcomes), len(outcomes), total
        key = artifact_key("progress", council, batch, *([f"shard-{shard}-of-{shards}"] if shards > 1 else []))
        self._artifact = create_progress_artifact(progress=self._percent(), key=key,
                                                  description=f"Records done in {council}/{batch}")
        self._shown = time.monotonic()

    def add(self, new: list[RecordOutcome]) -> None:
        self.summary, self.done = merge([self.summary, summarise(new)]), self.done + len(new)
        if (tell := _on_progress.get()) is not None:
            tell(self.done, self.total)
        if self.done == self.total or time.monotonic() - self._shown >= PROGRESS_EVERY_SECONDS:
            update_progress_artifact(self._artifact, progress=self._percent())
            self._shown = time.monotonic()

    def _percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 100.0


def _run_records(
    items: list[ScanItem], config_dir: str | None, data_dir: str | None, workers: int,
    finished: Callable[[list[RecordOutcome]], None],
) -> None:
    """Process `items` in task runs (chunks of records for a large batch), handing outcomes to
    `finished` as they come: a failed chunk's records are retried one by one, and a record whose
    task run failed is quarantined.

    At most IN_FLIGHT_PER_WORKER task runs per worker are submitted at a time, and each future
    is dropped once its outcomes are handed on: a future keeps its task run's final state, so
    submitting a whole batch at once held one per task run until the batch ended."""
    chunk_task, record_task = ocr_tasks()
    chunks = _chunks(items, workers)
    todo: deque[tuple[Task[..., Any], Any]] = deque(
        [(chunk_task, chunk) for chunk in chunks] if chunks else [(record_task, item) for item in items])
    running: dict[PrefectFuture[Any], tuple[Task[..., Any], Any]] = {}
    while todo or running:
        while todo and len(running) < IN_FLIGHT_PER_WORKER * max(1, workers):
            task, work = todo.popleft()
            running[task.submit(work, config_dir, data_dir)] = (task, work)
        future = next(as_completed(list(running)))
        task, work = running.pop(future)
        result, error = _task_result(future)
        if task is chunk_task:
            done, retry = result if error is None else ([], work)  # failed: each record again, alone
            todo.extend((record_task, item) for item in retry)
            finished(done)
        elif error is not None:
            finished([quarantine_record_task(work, config_dir, data_dir, stage="process", error=error)])
        else:
            finished([result])


def _chunks(items: list[ScanItem], workers: int) -> list[list[ScanItem]]:
    """The items in chunks of `task_sizes`; none when every task would hold one record."""
    sizes = task_sizes(len(items), workers)
    if max(sizes, default=1) == 1:
        return []
    return [items[end - size : end] for size, end in zip(sizes, accumulate(sizes), strict=True)]


def _task_result(future: PrefectFuture[Any]) -> tuple[Any, Exception | None]:
    """A task run's result, or the error it ended with. The task-run boundary: a run can still
    fail after its retries, crash, or lose its Dask worker (which raises Dask's own errors), and
    its records must then be retried or quarantined, never lost."""
    try:
        return future.result(), None
    except Exception as error:  # noqa: BLE001 - the task-run boundary (above)
        return None, error


def _result(summary: BatchSummary, error: QuarantineLimitExceeded | None) -> dict[str, Any] | State:
    """The summary, or a Failed state carrying `error` (and the summary with it)."""
    return asdict(summary) if error is None else Failed(message=error.message, data=error)


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
    `shard` are processed (records/intake/selection.py), so that several runs, on several
    workers, share the same batches."""
    check_shard(shard, shards)
    runner = prepare_run(config_dir, data_dir, workers, task_runner)
    settings = resolve_settings(config_dir)
    found = discover_location(scan_root, councils=[council] if council else None, known_councils=settings.councils,
                              storage_options=settings.pipeline.storage_options)
    results = [run_batch(scan_root, council_slug, batch_name, config_dir, data_dir, runner, shard=shard, shards=shards,
                         workers=workers)
               for council_slug, batch_name in batches(*found, only=batch)]
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


def run_batch(
    scan_root: str, council: str, batch: str, config_dir: str | None, data_dir: str | None,
    runner: TaskRunner,  # type: ignore[type-arg]
    *, shard: int = 0, shards: int = 1, workers: int | None = None,
) -> BatchResult:
    """One batch (or one shard of it) as a sub-flow."""
    run = process_batch.with_options(task_runner=runner)
    try:
        summary = run(scan_root, council, batch, config_dir, data_dir, shard=shard, shards=shards, workers=workers)
        return BatchResult(f"{council}/{batch}", BatchSummary(**summary), over_limit=False)
    except QuarantineLimitExceeded as e:
        return BatchResult(f"{council}/{batch}", BatchSummary(**e.summary), over_limit=True)


def finish_run(
    results: list[BatchResult], config_dir: str | None, data_dir: str | None, council: str | None,
) -> dict[str, Any] | State:
    """Publish progress and the quarantine table; fail the run if any batch went over the limit."""
    total = merge(result.summary for result in results)
    get_run_logger().info("scan root done: %s", total.line())
    publish_progress(config_dir, data_dir, council)
    publish_quarantine_table(config_dir, data_dir, council=council)
    max_share = resolve_settings(config_dir, data_dir).pipeline.max_quarantined_share
    return _result(total, run_limit_error(results, total, max_share))


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
