"""Large batches shared by many Prefect workers: the work split into shard flow runs.

Prefect workers take flow runs, not tasks, so a batch (or a whole scan root) that several
workers, on several machines, should process together is split into `shards` runs of the
`digitise-scan-root/on-demand` deployment, each with its own `shard` (0 to shards - 1). An
input belongs to the shard picked by a stable hash of its path under the scan root: the same on
every machine, whatever the scan root's absolute path, and whatever the order of a folder
listing. Each shard run is an ordinary scan-root run (tools probed, leftovers of crashed runs
cleared, records on a thread pool of `workers`, progress published at the end).

No record is done twice even when shards overlap (the same shard submitted twice, a run
retried, a nightly run meeting the same batch): each record is handled under its archive lock
and counted only by the ledger insert that creates its row.
"""

from __future__ import annotations

import hashlib

from prefect import flow, get_run_logger
from prefect.deployments import run_deployment
from prefect.runtime import flow_run

#: The deployment (prefect.yaml) whose runs process a scan root, a council, a batch, or one shard of it.
SHARD_DEPLOYMENT = "digitise-scan-root/on-demand"


def check_shard(shard: int, shards: int) -> None:
    """Refuse a shard that does not exist: shards >= 1 and 0 <= shard < shards."""
    if shards < 1 or not 0 <= shard < shards:
        raise ValueError(f"shard {shard} of {shards} does not exist: shards >= 1 and 0 <= shard < shards")


def shard_of(relative_path: str, shards: int) -> int:
    """The shard (0 to shards - 1) of an input, from a hash of its path under the scan root."""
    digest = hashlib.sha256(relative_path.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards


def in_shard(relative_path: str, shard: int, shards: int) -> bool:
    return shards == 1 or shard_of(relative_path, shards) == shard


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
