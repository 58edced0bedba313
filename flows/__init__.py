"""Prefect orchestration and the `digitise` command line; no business rules live here."""

from flows.batch import digitise_scan_root, process_batch, progress_report
from flows.shards import fan_out

__all__ = ["digitise_scan_root", "fan_out", "process_batch", "progress_report"]
