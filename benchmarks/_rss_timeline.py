"""A sampled memory timeline of the pipeline process and of its children, apart.

The peak alone cannot tell a page-sized plateau from slow growth; RSS against pages done
can. Every `interval` seconds one line goes to a tab-separated file, flushed at once so a
long run can be read while it goes: seconds, records done (archive sidecars plus quarantine
reasons), the pipeline process's RSS and peak, the Tesseract engines' RSS, and the RSS of
its other descendants (the temporary Prefect server). Standard library only.

Diagnostic, off by default (`--tracemalloc A,B` of benchmarks.throughput): `HeapDiff` traces
Python's allocations and writes which lines hold more memory after B records than after A,
to find what grows. Tracing slows the pipeline process; never use it for the figures.
"""

from __future__ import annotations

import gc
import os
import threading
import tracemalloc
import time
from pathlib import Path

HEADER = "seconds\trecords\tpipeline_rss_kib\tpipeline_hwm_kib\tengines_rss_kib\tother_children_rss_kib\n"


def status_kib(pid: int | str, field: str) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def descendants(pid: int | str = "self") -> list[int]:
    """Every process below `pid`, from /proc's children lists of each of its threads."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                kids = [int(p) for p in fh.read().split()]
        except OSError:
            continue
        for kid in kids:
            found += [kid, *descendants(kid)]
    return found


def records_done(data_dir: Path) -> int:
    """Records finished so far: one sidecar each in the archive, one reason file each in quarantine."""
    done = 0
    for folder, suffix in ((data_dir / "archive", ".json"), (data_dir / "quarantine", ".reason.json")):
        for _root, _dirs, names in os.walk(folder):
            done += sum(1 for n in names if n.endswith(suffix))
    return done


def _rss_sum(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += status_kib(pid, "VmRSS:")
        except OSError:  # ended between listing and reading
            continue
    return total


class HeapDiff:
    """Snapshots of the traced heap at `first` and `second` records done, and their difference."""

    def __init__(self, out: Path, first: int, second: int, frames: int = 8, top: int = 30) -> None:
        self.out, self.first, self.second, self.top = out, first, second, top
        self._before: tracemalloc.Snapshot | None = None
        self._written = False
        tracemalloc.start(frames)

    def check(self, records: int) -> None:
        if self._written or records < (self.first if self._before is None else self.second):
            return
        gc.collect()
        snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
        if self._before is None:
            self._before = snapshot
            return
        span = max(1, records - self.first)
        with self.out.open("w", encoding="utf-8") as fh:
            fh.write(f"# traced heap growth from {self.first} to {records} records, by line, then by traceback\n")
            for stat in snapshot.compare_to(self._before, "lineno")[: self.top]:
                fh.write(f"{stat.size_diff / span:+9.0f} B/record {stat.count_diff:+7d} blocks  {stat.traceback[0]}\n")
            for stat in snapshot.compare_to(self._before, "traceback")[:10]:
                fh.write(f"\n{stat.size_diff / span:+9.0f} B/record {stat.count_diff:+7d} blocks\n")
                fh.write("\n".join(stat.traceback.format()) + "\n")
        self._before, self._written = None, True
        tracemalloc.stop()


class Timeline:
    """A daemon thread writing one sample every `interval` seconds to `out` until `stop()`."""

    def __init__(self, out: Path, data_dir: Path, engine_pids, interval: float = 10.0,
                 heap: HeapDiff | None = None) -> None:
        self.out, self.data_dir, self.engine_pids, self.interval = out, data_dir, engine_pids, interval
        self.heap = heap
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = time.perf_counter()

    def start(self) -> Timeline:
        self.out.write_text(HEADER, encoding="ascii")
        self._thread.start()
        return self

    def sample(self) -> str:
        engines = set(self.engine_pids())
        others = [p for p in descendants() if p not in engines]
        row = (f"{time.perf_counter() - self._started:.1f}", records_done(self.data_dir),
               status_kib("self", "VmRSS:"), status_kib("self", "VmHWM:"), _rss_sum(sorted(engines)),
               _rss_sum(others))
        return "\t".join(str(v) for v in row) + "\n"

    def _run(self) -> None:
        with self.out.open("a", encoding="ascii") as fh:
            while not self._done.wait(self.interval):
                line = self.sample()
                fh.write(line)
                fh.flush()
                if self.heap is not None:
                    self.heap.check(int(line.split("\t")[1]))

    def stop(self) -> None:
        """One last sample, after the run."""
        self._done.set()
        self._thread.join()
        with self.out.open("a", encoding="ascii") as fh:
            fh.write(self.sample())


def read(path: Path) -> list[dict[str, float]]:
    lines = path.read_text(encoding="ascii").splitlines()
    keys = lines[0].split("\t")
    return [dict(zip(keys, map(float, line.split("\t")))) for line in lines[1:]]


def slope_kib_per_record(rows: list[dict[str, float]], key: str = "pipeline_rss_kib") -> float | None:
    """Least-squares slope of `key` against records done, over the second half of the run
    (by records): growth that a warm-up plateau does not explain."""
    last = max((r["records"] for r in rows), default=0)
    half = [r for r in rows if r["records"] >= last / 2 and r["records"] > 0]
    xs = [r["records"] for r in half]
    if len(set(xs)) < 2:
        return None
    mx, my = sum(xs) / len(xs), sum(r[key] for r in half) / len(half)
    return sum((x - mx) * (r[key] - my) for x, r in zip(xs, half)) / sum((x - mx) ** 2 for x in xs)
