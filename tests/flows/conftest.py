"""Every flow test talks to a real, temporary Prefect server started once for the session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import render_lines


@pytest.fixture(scope="session", autouse=True)
def _every_flow_test_on_the_test_server(prefect_server: None) -> None:
    """The session's temporary Prefect server (tests/conftest.py `prefect_server`)."""


LETTERS = {
    "council_tax": ["Council Tax Demand Notice 2026/27", "Local Government Finance Act 1992",
                    "Valuation band C. Account CTAX 4012 3456 7"],
    "planning_application": ["Town and Country Planning Act 1990", "Decision Notice: Grant of Planning Permission",
                             "Application No: 25/01234/HOU"],
}


@pytest.fixture
def scan_root(tmp_path: Path) -> Path:
    """Two councils, three batches, two good letters and one file that is not an image."""
    root = tmp_path / "scans"
    for council, batch, name, kind in [
        ("ashbourne", "2026-11-batch-01", "tax.png", "council_tax"),
        ("kingsmere", "2026-11-batch-01", "planning.png", "planning_application"),
    ]:
        (root / council / batch).mkdir(parents=True)
        render_lines(LETTERS[kind]).save(root / council / batch / name, dpi=(300, 300))
    (root / "kingsmere" / "2026-11-batch-02").mkdir(parents=True)
    (root / "kingsmere" / "2026-11-batch-02" / "fax.png").write_bytes(b"not really a png")
    return root
