"""Large batches shared by many Prefect workers: the work split into shard flow runs.

Prefect workers take flow runs, not tasks, so a batch (or a whole scan root) that several
workers, on several machines, should process together is split into `shards` runs of the
`digitise-scan-root/on-demand` deployment, each with its own `shard` (0 to shards - 1); which
inputs a shard takes is decided in records/intake/selection.py. Each shard run is an ordinary
scan-root run (tools probed, leftovers of crashed runs cleared, records on a thread pool of
`workers`, progress published at the end).

No record is done twice even when shards overlap (the same shard submitted twice, a run
retried, a nightly run meeting the same batch): each record is handled under its archive lock
and counted only by the ledger insert that creates its row.
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.deployments import run_deployment
from prefect.runtime import flow_run

from records.intake.selection import check_shard

#: The deployment (prefect.yaml) whose runs process a scan root, a council, a batch, or one shard of it.
SHARD_DEPLOYMENT = "digitise-scan-root/on-demand"


def _fan_out_run_name() -> str:
    params = flow_run.parameters
    where = params.get("council") or "all-councils"
    return f"fan-out-{where}/{params['batch']}" if params.get("batch") else f"fan-out-{where}"


@flow(name="fan-out", flow_run_name=_fan_out_run_name, log_prints=False)
def fan_out(
    scan_root: str,
    council: str | None = None,
    batch: str | None = None,
    shards: int = 2,
    workers: int | None = None,
    deployment: str = SHARD_DEPLOYMENT,
) -> list[str]:
    """Create one run of `deployment` per shard of the scan root (or council, or batch) for any
    worker on the pool to take, and return their flow-run ids at once: it holds no worker slot
    while they run. `workers` is each shard run's thread pool (default: pipeline.yaml)."""
    check_shard(0, shards)
    common = {"scan_root": scan_root, "council": council, "batch": batch, "shards": shards, "workers": workers}
    runs = [run_deployment(deployment, parameters={**common, "shard": k}, timeout=0) for k in range(shards)]
    get_run_logger().info("split into %d shard runs of %s", shards, deployment)
    return [str(run.id) for run in runs]
