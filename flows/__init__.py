"""Prefect orchestration and the `digitise` command line; no business rules live here."""

from flows.batch import digitise_scan_root, process_batch, progress_report

__all__ = ["digitise_scan_root", "process_batch", "progress_report"]
