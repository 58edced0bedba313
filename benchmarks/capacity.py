"""Capacity plan: cores, days and storage for a council backlog, from what this machine measures.

Runs the pipeline flow on generated pages with one worker per core, then scales up:
    pages/s per core  = measured pages / wall seconds / workers
    cores for a deadline, days on N cores, archive bytes (PDF + text + sidecar) and ledger
    bytes per page and per record, as measured here.
Assumptions (printed with the table): a page like the generated A4 300 dpi letters (mostly
bitonal); throughput scales linearly with cores (records are independent; the ledger is
PostgreSQL beyond one machine); no time for rescans or reviews.

Usage: python -m benchmarks.capacity [--pages 20] [--backlogs 1e6 1e7 1e8] [--deadline-days 365]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import tempfile
from pathlib import Path

from benchmarks.throughput import make_sample, run_pipeline

#: ABBYY FlexiCapture 12 Performance Guide, "Medium" sizing: 1M b/w pages per 24 h on 80 cores.
ABBYY_PAGES_PER_DAY = 1_000_000
ABBYY_CORES = 80


def folder_bytes(path: Path, pattern: str = "*") -> int:
    return sum(p.stat().st_size for p in path.rglob(pattern) if p.is_file())


def empty_ledger_bytes(folder: Path) -> int:
    """A new ledger's size (schema, indexes): subtracted so the per-page figure is growth only."""
    from records.ledger import Ledger

    Ledger(f"sqlite:///{folder / 'ledger.db'}").dispose()
    return folder_bytes(folder, "ledger.db*")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=20, help="pages to measure on")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--backlogs", type=float, nargs="+", default=[1e6, 1e7, 1e8])
    parser.add_argument("--deadline-days", type=float, default=365.0)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="digitise-capacity-"))
    try:
        pages = make_sample(work / "pages", "bitonal", args.pages, args.seed).files
        run = run_pipeline(pages, work / "pipeline", args.workers)
        data = work / "pipeline" / "data"
        archive_per_page = folder_bytes(data / "archive") / len(pages)
        ledger_per_page = (folder_bytes(data, "ledger.db*") - empty_ledger_bytes(work / "empty")) / len(pages)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    per_core = len(pages) / run["wall"] / args.workers
    abbyy_per_core = ABBYY_PAGES_PER_DAY / 86_400 / ABBYY_CORES
    print("(the wall time includes the embedded Prefect server's start: measure on 200+ pages for steady state)")
    print(f"\nmeasured on {len(pages)} pages, {args.workers} workers: {per_core:.3f} pages/s per core "
          f"({per_core * 86_400:,.0f} pages per core-day)")
    print(f"ABBYY FlexiCapture sizing (1M b/w pages / 24 h / {ABBYY_CORES} cores): {abbyy_per_core:.3f} pages/s per core"
          f" -> this pipeline is {per_core / abbyy_per_core:.2f}x per core")
    print(f"archive {archive_per_page / 1024:.0f} KiB/page, ledger {ledger_per_page / 1024:.1f} KiB/page "
          "(SQLite incl. search index; PostgreSQL similar order)\n")
    print(f"| backlog pages | core-days | cores to finish in {args.deadline_days:.0f} days | days on 80 cores "
          "| archive | ledger |")
    print("|---:|---:|---:|---:|---:|---:|")
    for backlog in args.backlogs:
        core_days = backlog / (per_core * 86_400)
        print(f"| {backlog:,.0f} | {core_days:,.0f} | {math.ceil(core_days / args.deadline_days):,} | "
              f"{core_days / 80:,.1f} | {backlog * archive_per_page / 1e12:.2f} TB | "
              f"{backlog * ledger_per_page / 1e9:.1f} GB |")
    print("\nAssumptions: pages like the generated letters (A4, 300 dpi, mostly bitonal); linear scaling "
          "with cores (records are independent, ledger on PostgreSQL beyond one machine); one Tesseract "
          "thread per core; no allowance for rescans, review or downtime.")


if __name__ == "__main__":
    main()
