"""Prefect tasks: thin wrappers over the domain's plain functions."""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.settings import context_for
from records import RecordOutcome, ScanItem, is_transient, process_item, quarantine_item


def _retry_only_transient(_task: Any, _task_run: Any, state: Any) -> bool:
    """Retry a page that failed for a reason that may pass (tool crash, ledger busy), nothing else."""
    try:
        state.result()
    except Exception as error:  # noqa: BLE001 - we only inspect it
        return is_transient(error)
    return False


def process_record(item: ScanItem, config_dir: str | None, data_dir: str | None) -> RecordOutcome:
    return process_item(item, context_for(config_dir, data_dir))


def process_records(
    items: list[ScanItem], config_dir: str | None, data_dir: str | None
) -> tuple[list[RecordOutcome], list[ScanItem]]:
    """Several records in one task: outcomes, and the items that failed for a reason that may
    pass, handed back to be retried one by one (`process_record_task`) rather than retrying
    the records of the chunk that are already done."""
    ctx = context_for(config_dir, data_dir)
    outcomes: list[RecordOutcome] = []
    deferred: list[ScanItem] = []
    for item in items:
        try:
            outcomes.append(process_item(item, ctx))
        except Exception as error:  # noqa: BLE001 - process_item raises only transient errors
            if not is_transient(error):
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
    tags=["tesseract"],
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
    tags=["tesseract"],
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
