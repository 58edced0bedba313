"""The fixity flow on the session's Prefect server: a consistent archive passes.

A tampered archive failing the run (and its problem table) is tested through the deployment,
in tests/ops/test_operations.py.
"""

from __future__ import annotations

from pathlib import Path

from flows.fixity import verify_archive


def test_verify_archive_flow_empty_archive_completes(tmp_path: Path) -> None:
    report = verify_archive(data_dir=str(tmp_path / "data"))
    assert (report["records"], report["problems"]) == (0, ())
