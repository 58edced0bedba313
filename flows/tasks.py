"""Prefect tasks: thin wrappers over the domain's plain functions."""

from __future__ import annotations

from typing import Any

from prefect import Task, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.exceptions import ObjectNotFound
from prefect.states import State

from flows.settings import context_for
from ocr import OcrError, tune_malloc
from records.errors import RecordError, is_transient
from records.intake.scan import ScanItem
from records.pipeline import RecordOutcome, process_item, quarantine_item

#: The tag whose concurrency limit caps OCR tasks across all runs (scripts/ops-up.sh).
OCR_TAG = "tesseract"


def _retry_only_transient(_task: Any, _task_run: Any, state: State[Any]) -> bool:
    """Retry a page that failed for a reason that may pass (tool crash, ledger busy), nothing else."""
    error = state.result(raise_on_failure=False)  # a failed state's result is its exception
    return isinstance(error, BaseException) and is_transient(error)


def process_record(item: ScanItem, config_dir: str | None, data_dir: str | None) -> RecordOutcome:
    tune_malloc()  # wherever the task runs: a thread of this process, or a Dask worker's
    return process_item(item, context_for(config_dir, data_dir))


def process_records(
    items: list[ScanItem], config_dir: str | None, data_dir: str | None
) -> tuple[list[RecordOutcome], list[ScanItem]]:
    """Several records in one task: outcomes, and the items that failed for a reason that may
    pass, handed back to be retried one by one (`process_record_task`) rather than retrying
    the records of the chunk that are already done."""
    tune_malloc()
    ctx = context_for(config_dir, data_dir)
    outcomes: list[RecordOutcome] = []
    deferred: list[ScanItem] = []
    for item in items:
        try:
            outcomes.append(process_item(item, ctx))
        except (OcrError, RecordError) as error:  # the transient errors process_item raises
            if not is_transient(error):  # quarantine failed: the chunk fails, its records are retried alone
                raise
            deferred.append(item)
    return outcomes, deferred


def quarantine_record(
    item: ScanItem, config_dir: str | None, data_dir: str | None,
    *, stage: str, reason: str | None = None, message: str | None = None,
    error: BaseException | None = None,
) -> RecordOutcome:
    return quarantine_item(
        item, context_for(config_dir, data_dir), error, stage=stage, reason=reason, message=message
    )


process_record_task = task(
    process_record,
    name="process-record",
    tags=[OCR_TAG],
    retries=2,
    retry_delay_seconds=[5, 30],
    retry_condition_fn=_retry_only_transient,
    cache_policy=NO_CACHE,
    persist_result=False,
)

# A chunk of records: one task run instead of several, because the Prefect server spends tens
# of milliseconds of CPU on every task run's events. Transient failures come back as
# deferred items (see process_records), so the chunk itself is not retried.
process_records_task = task(
    process_records,
    name="process-records",
    tags=[OCR_TAG],
    cache_policy=NO_CACHE,
    persist_result=False,
)

# Writes a copy and a ledger row, no OCR: no `tesseract` tag, but a busy ledger is worth a retry.
quarantine_record_task = task(
    quarantine_record,
    name="quarantine-record",
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=_retry_only_transient,
    cache_policy=NO_CACHE,
    persist_result=False,
)


def ocr_limit_in_force() -> bool:
    """Whether the server holds an active concurrency limit on OCR_TAG.

    Without one, Prefect still asks the server for a slot before every tagged task run (it
    remembers "no limit" for 5 s only); on the embedded server, busy beside two Tesseracts,
    each ask took about 2 s: a fifth of a worker's time at 8 records a task."""
    with get_client(sync_client=True) as client:
        try:
            limit = client.read_global_concurrency_limit_by_name(f"tag:{OCR_TAG}")
        except ObjectNotFound:
            return False
    return bool(limit.active)


def ocr_tasks() -> tuple[Task[..., Any], Task[..., Any]]:
    """(per-chunk, per-record) OCR tasks for a batch run: tagged for the limit when one is in
    force, untagged otherwise. Read once per batch run: a limit created later applies from the
    next run."""
    if ocr_limit_in_force():
        return process_records_task, process_record_task
    return process_records_task.with_options(tags=set()), process_record_task.with_options(tags=set())
