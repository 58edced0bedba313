"""Which Prefect task runner spreads a batch's records: threads here, or a Dask cluster.

Threads are enough on one machine: Tesseract and pdftoppm run as child processes, so the
GIL is not the limit. Dask (via prefect-dask) spreads records over processes or machines.
"""

from __future__ import annotations

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

THREADS = "threads"
LOCAL_DASK = "dask"


def make_task_runner(kind: str, workers: int) -> TaskRunner:  # type: ignore[type-arg]
    """`threads`; `dask` for a local cluster of `workers` single-threaded processes;
    or the address of a running Dask scheduler (`tcp://host:8786`)."""
    if kind == THREADS:
        return ThreadPoolTaskRunner(max_workers=workers)
    from prefect_dask import DaskTaskRunner  # optional dependency: only when asked for

    if kind == LOCAL_DASK:
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True})
    if kind.startswith(("tcp://", "tls://")):
        return DaskTaskRunner(address=kind)
    raise ValueError(f"unknown task runner {kind!r}: use 'threads', 'dask' or a tcp:// scheduler address")
