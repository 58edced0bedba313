"""Run the pipeline flow once in this process and print wall time and peak memory as JSON.

Kept separate so the benchmark measures the pipeline's own process, not the benchmark's.
With a fifth argument `profile`, also the CPU of each stage per input file (`ocr.profiling`);
with a sixth, `A,B`, the traced heap's growth from A to B records done (`_rss_timeline.HeapDiff`).
A memory timeline (`_rss_timeline`) goes to rss-timeline.tsv beside the data folder as it runs.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks._rss_timeline import status_kib

if TYPE_CHECKING:
    from prefect.states import State


def _watch_engines(peaks: dict[int, int], done: threading.Event) -> None:
    """Peak memory of each Tesseract engine process, sampled while it runs: engines stop when
    the flow run's threads end, before the run returns."""
    from ocr import engine_pids

    while not done.wait(0.5):
        for pid in engine_pids():
            try:
                peaks[pid] = max(peaks.get(pid, 0), status_kib(pid, "VmHWM:"))
            except OSError:  # ended between listing and reading
                continue


def _flow_run_seconds(state: State) -> float:
    """The flow run's own duration by the Prefect server's clock: the wall time less the
    process start-up (imports, and starting the embedded server) and its shutdown."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    return (run.end_time - run.start_time).total_seconds()


def main() -> None:
    scan_root, data_dir, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    task_runner = sys.argv[4] if len(sys.argv) > 4 else "threads"
    profiling = sys.argv[5:6] == ["profile"]
    heap_span = [int(n) for n in sys.argv[6].split(",")] if len(sys.argv) > 6 else None
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    started = time.perf_counter()
    from flows import early_server

    early_server.launch(["run"])  # as `digitise run` does, before the imports
    from flows import digitise_scan_root
    from ocr import start_profile, stop_profile

    if profiling:
        start_profile()

    engines_kib: dict[int, int] = {}
    watching = threading.Event()
    threading.Thread(target=_watch_engines, args=(engines_kib, watching), daemon=True).start()

    from benchmarks._rss_timeline import HeapDiff, Timeline
    from ocr import engine_pids

    timeline_path = Path(data_dir).parent / "rss-timeline.tsv"
    heap = HeapDiff(timeline_path.with_name("heap-growth.txt"), *heap_span) if heap_span else None
    timeline = Timeline(timeline_path, Path(data_dir), engine_pids, heap=heap).start()
    with early_server.serving():
        state = digitise_scan_root(
            scan_root, data_dir=data_dir, workers=workers, task_runner=task_runner, return_state=True
        )
        wall = time.perf_counter() - started
        timeline.stop()
        flow_run_wall = _flow_run_seconds(state)
    from ocr import stop_engines

    stop_engines()  # any still running: their CPU time is then counted with the finished children's
    watching.set()
    summary = state.result()
    profile = stop_profile()
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # finished tools: tesseract, pdftoppm
    print(json.dumps({
        "wall": wall,
        "flow_run_wall": flow_run_wall,
        "summary": summary,
        "peak_rss_mib": status_kib("self", "VmHWM:") / 1024,
        "largest_child_rss_mib": children.ru_maxrss / 1024,
        "engine_rss_mib": [kib / 1024 for kib in engines_kib.values()],
        "own_cpu": own.ru_utime + own.ru_stime,
        "tools_cpu": children.ru_utime + children.ru_stime,
        "profile": profile.rows() if profile else [],
        "timeline": str(timeline_path),
    }))


if __name__ == "__main__":
    main()
