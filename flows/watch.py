"""New scans: a sweep flow that runs only batch folders not seen before, and the poll behind
`digitise watch`, which starts the sweep deployment as soon as a new folder has settled.

Which folders are new is decided in `records.intake.sweep` and remembered in the ledger, so a
sweep that crashes leaves its unfinished folders new for the next one; the ledger's
SHA-256 check means no file is archived twice, whoever runs it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.deployments import run_deployment
from prefect.runtime import flow_run
from prefect.states import State

from flows.batch import finish_run, prepare_run, run_batch
from flows.settings import context_for
from records.batch_policy import BatchResult
from records.intake.sweep import mark_swept, new_batch_folders
from records.ledger import SeenBatch
from records.summary import BatchSummary

#: The deployment `digitise watch` starts (flow name / deployment name in prefect.yaml).
SWEEP_DEPLOYMENT = "sweep-new-batches/every-15-minutes"


def _sweep_run_name() -> str:
    council = flow_run.parameters.get("council")
    return f"sweep-{council or 'all-councils'}"


@flow(name="sweep-new-batches", flow_run_name=_sweep_run_name, log_prints=False)
def sweep_new_batches(
    scan_root: str,
    council: str | None = None,
    settle_seconds: float = 120.0,
    config_dir: str | None = None,
    data_dir: str | None = None,
    workers: int | None = None,
) -> dict[str, Any] | State:
    """Run each settled batch folder that is new (or changed) since the last sweep."""
    logger = get_run_logger()
    ledger = context_for(config_dir, data_dir).ledger
    folders = new_batch_folders(Path(scan_root), ledger, councils=[council] if council else None,
                                settle_seconds=settle_seconds)
    logger.info("sweep: %d new batch folders", len(folders))
    if not folders:
        return asdict(BatchSummary())
    runner = prepare_run(config_dir, data_dir, workers)
    results: list[BatchResult] = []
    for folder in folders:
        results.append(run_batch(scan_root, folder.council, folder.batch, config_dir, data_dir, runner))
        mark_swept(ledger, folder)
    return finish_run(results, config_dir, data_dir, council)


@dataclass(frozen=True, slots=True)
class Trigger:
    """A sweep run `watch` started, and the folders that made it start one."""

    flow_run_id: str
    flow_run_name: str
    folders: tuple[str, ...]


def poll_once(
    scan_root: Path, *, already: set[SeenBatch], deployment: str = SWEEP_DEPLOYMENT,
    council: str | None = None, settle_seconds: float = 120.0,
    config_dir: str | None = None, data_dir: str | None = None,
) -> Trigger | None:
    """Start one sweep run if a settled folder is new and this watcher has not started one for it."""
    folders = new_batch_folders(scan_root, context_for(config_dir, data_dir).ledger,
                                councils=[council] if council else None, settle_seconds=settle_seconds)
    fresh = [f for f in folders if f not in already]
    if not fresh:
        return None
    parameters: dict[str, Any] = {"scan_root": str(scan_root), "council": council, "settle_seconds": settle_seconds}
    parameters.update({k: v for k, v in (("config_dir", config_dir), ("data_dir", data_dir)) if v})
    run = run_deployment(deployment, parameters=parameters, timeout=0)
    already.update(fresh)
    return Trigger(str(run.id), run.name, tuple(f"{f.council}/{f.batch}" for f in fresh))
