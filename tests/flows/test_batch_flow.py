"""The batch flow end to end on a real Prefect server, real Tesseract and a real SQLite ledger."""

from __future__ import annotations

import json
from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

from flows import digitise_scan_root, progress_report
from flows.settings import context_for


def _artifact(key: str) -> str:
    with get_client(sync_client=True) as client:
        artifact = client.read_latest_artifacts()
        found = [a for a in artifact if a.key == key]
    assert found, f"no artifact {key}"
    return str(found[0].data)


def test_digitise_scan_root_archives_counts_and_quarantines(scan_root: Path, tmp_path: Path) -> None:
    data_dir = str(tmp_path / "data")
    summary = digitise_scan_root(str(scan_root), data_dir=data_dir)
    assert (summary["archived"], summary["already_done"], summary["quarantined"]) == (2, 0, 1)
    assert summary["reasons"] == {"input_unreadable": 1}

    ledger = context_for(None, data_dir).ledger
    counts = {(c.council, c.record_type): (c.records, c.pages) for c in ledger.counters()}
    assert counts == {("ashbourne", "council_tax"): (1, 1), ("kingsmere", "planning_application"): (1, 1)}
    assert ledger.open_failures() == {"kingsmere": 1}

    archive = tmp_path / "data" / "archive"
    [sidecar] = (archive / "ashbourne" / "council_tax").glob("*.json")
    meta = json.loads(sidecar.read_text())
    assert meta["classification"]["record_type"] == "council_tax"
    assert meta["source"]["path"] == "ashbourne/2026-11-batch-01/tax.png"

    table = _artifact("digitisation-progress")
    assert "| ashbourne | all | 1 | 1 | 40 | 2.5% | 0–25% | 0 |" in table
    assert "| thornbury | all | 0 | 0 | unknown | unknown | unknown | 0 |" in table

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=["ashbourne/2026-11-batch-01"])))
    assert runs and runs[0].state and runs[0].state.is_completed()


def test_digitise_scan_root_second_run_adds_nothing(scan_root: Path, tmp_path: Path) -> None:
    data_dir = str(tmp_path / "data")
    digitise_scan_root(str(scan_root), data_dir=data_dir)
    ledger = context_for(None, data_dir).ledger
    before = ledger.counters()
    files_before = sorted(p.relative_to(tmp_path) for p in (tmp_path / "data" / "archive").rglob("*"))

    again = digitise_scan_root(str(scan_root), data_dir=data_dir)

    assert (again["archived"], again["already_done"]) == (0, 2)
    assert ledger.counters() == before
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "data" / "archive").rglob("*")) == files_before
    assert len(ledger.quarantine_entries()) == 1, "the bad file is recorded once"


def test_progress_report_flow_publishes_table(tmp_path: Path) -> None:
    table = progress_report(data_dir=str(tmp_path / "data"))
    assert table.startswith("| Council |")
    assert table == _artifact("digitisation-progress").split("\n\n", 1)[1]
