"""Prefect orchestration and the `digitise` command line; no business rules live here.

The flows are imported on first use, so `python -m flows` can start Prefect's server
(flows.early_server) before the heavy imports begin.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flows.batch import digitise_scan_root, process_batch, progress_report
    from flows.shards import fan_out

__all__ = ["digitise_scan_root", "fan_out", "process_batch", "progress_report"]
_HOMES = {"digitise_scan_root": "flows.batch", "process_batch": "flows.batch",
          "progress_report": "flows.batch", "fan_out": "flows.shards"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'flows' has no attribute {name!r}")
