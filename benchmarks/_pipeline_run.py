"""Run the pipeline flow once in this process and print wall time and peak memory as JSON.

Kept separate so the benchmark measures the pipeline's own process, not the benchmark's.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time


def _vm_hwm_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main() -> None:
    scan_root, data_dir, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    task_runner = sys.argv[4] if len(sys.argv) > 4 else "threads"
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    started = time.perf_counter()
    from flows import digitise_scan_root

    summary = digitise_scan_root(scan_root, data_dir=data_dir, workers=workers, task_runner=task_runner)
    wall = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # finished tools: tesseract, pdftoppm
    print(json.dumps({
        "wall": wall,
        "summary": summary,
        "peak_rss_mib": _vm_hwm_kib() / 1024,
        "largest_child_rss_mib": children.ru_maxrss / 1024,
        "own_cpu": own.ru_utime + own.ru_stime,
        "tools_cpu": children.ru_utime + children.ru_stime,
    }))


if __name__ == "__main__":
    main()
