"""The batch flow end to end on a real Prefect server, real Tesseract and a real SQLite ledger."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

from flows import digitise_scan_root, progress_report
from flows.batch import _on_progress, run_scan_root
from flows.settings import context_for
from records.errors import QuarantineLimitExceeded
from tests.conftest import ROOT


def _artifact(key: str) -> str:
    with get_client(sync_client=True) as client:
        artifact = client.read_latest_artifacts()
        found = [a for a in artifact if a.key == key]
    assert found, f"no artifact {key}"
    return str(found[0].data)


def _run_over_limit(scan_root: Path, data_dir: str) -> dict[str, Any]:
    """The fixture's kingsmere/2026-11-batch-02 is all quarantined: the run ends Failed, with its summary."""
    with pytest.raises(QuarantineLimitExceeded, match="kingsmere/2026-11-batch-02") as failed:
        digitise_scan_root(str(scan_root), data_dir=data_dir)
    return failed.value.summary


def test_digitise_scan_root_archives_counts_and_quarantines(scan_root: Path, tmp_path: Path) -> None:
    data_dir = str(tmp_path / "data")
    summary = _run_over_limit(scan_root, data_dir)
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
    assert '"file": "kingsmere/2026-11-batch-02/fax.png"' in _artifact("quarantined-files")


def test_digitise_scan_root_second_run_adds_nothing(scan_root: Path, tmp_path: Path) -> None:
    data_dir = str(tmp_path / "data")
    _run_over_limit(scan_root, data_dir)
    ledger = context_for(None, data_dir).ledger
    before = ledger.counters()
    files_before = sorted(p.relative_to(tmp_path) for p in (tmp_path / "data" / "archive").rglob("*"))

    again = _run_over_limit(scan_root, data_dir)

    assert (again["archived"], again["already_done"]) == (0, 2)
    assert ledger.counters() == before
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "data" / "archive").rglob("*")) == files_before
    assert len(ledger.quarantine_entries()) == 1, "the bad file is recorded once"


def test_run_scan_root_tells_on_progress_as_each_batch_s_records_finish(scan_root: Path, tmp_path: Path) -> None:
    """The CLI's progress bar: a callback passed to the in-process run, not a flow parameter."""
    told: list[tuple[int, int]] = []
    with pytest.raises(QuarantineLimitExceeded):
        run_scan_root(str(scan_root), data_dir=str(tmp_path / "data"), on_progress=lambda *done: told.append(done))
    assert told == [(1, 1)] * 3, "three batches of one input each"
    assert _on_progress.get() is None, "the callback is gone once the run is over"


def test_progress_report_flow_publishes_table(tmp_path: Path) -> None:
    table = progress_report(data_dir=str(tmp_path / "data"))
    assert table.startswith("| Council |")
    assert table == _artifact("digitisation-progress").split("\n\n", 1)[1]
    assert _artifact("digitisation-forecast").startswith("# Digitisation forecast")


def _only_bad_file(tmp_path: Path) -> Path:
    """A scan root whose one batch holds one file that is not an image: no OCR at all."""
    root = tmp_path / "scans"
    (root / "kingsmere" / "2026-11-batch-09").mkdir(parents=True)
    (root / "kingsmere" / "2026-11-batch-09" / "fax.png").write_bytes(b"not really a png")
    return root


def test_digitise_scan_root_over_quarantine_limit_fails_and_still_publishes(tmp_path: Path) -> None:
    with pytest.raises(QuarantineLimitExceeded) as failed:
        digitise_scan_root(str(_only_bad_file(tmp_path)), data_dir=str(tmp_path / "data"))
    assert failed.value.summary["quarantined"] == 1
    assert "1 of 1 batches quarantined more than 20%" in str(failed.value)
    assert '"reason": "input_unreadable"' in _artifact("quarantine-kingsmere-2026-11-batch-09")
    with get_client(sync_client=True) as client:
        [run] = client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=["kingsmere/2026-11-batch-09"])))
    assert run.state and run.state.is_failed()
    assert "1 of 1 inputs quarantined (100%)" in (run.state.message or "")


def test_digitise_scan_root_quarantine_limit_one_never_fails(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    pipeline = config / "pipeline.yaml"
    pipeline.write_text(pipeline.read_text().replace("max_quarantined_share: 0.2", "max_quarantined_share: 1.0"))
    summary = digitise_scan_root(str(_only_bad_file(tmp_path)), config_dir=str(config), data_dir=str(tmp_path / "data"))
    assert (summary["archived"], summary["quarantined"]) == (0, 1)


@contextmanager
def _ocr_processes(work_root: Path) -> Iterator[set[int]]:
    """The ids of the processes that OCR records while inside: each attempt's work folder is
    named `<sha16>-<pid>@<host>~...` (records/pipeline.py `work_folder`), and a page takes far
    longer to OCR than the 10 ms between looks."""
    seen: set[int] = set()
    done = threading.Event()

    def look() -> None:
        while not done.wait(0.01):
            names = [p.name for p in work_root.iterdir()] if work_root.is_dir() else []
            seen.update(int(m.group(1)) for m in map(re.compile(r"^[0-9a-f]{16}-(\d+)@").match, names) if m)

    watcher = threading.Thread(target=look, daemon=True)
    watcher.start()
    try:
        yield seen
    finally:
        done.set()
        watcher.join()


def test_digitise_scan_root_on_local_dask_cluster_matches_threads(tmp_path: Path) -> None:
    """The scale-out path: one batch processed together by a multi-process Dask cluster
    (prefect-dask) archives and counts every record exactly once, with OCR in more than one
    worker process, and ends with the same archive and counters as the default thread runner."""
    root = tmp_path / "scans"
    batch = root / "ashbourne" / "2026-11-batch-01"
    batch.mkdir(parents=True)
    from tests.conftest import render_lines
    from tests.flows.conftest import LETTERS

    pages = 6
    for n in range(pages):
        kind = sorted(LETTERS)[n % len(LETTERS)]
        render_lines([*LETTERS[kind], f"Page reference {n:04d}"]).save(batch / f"{kind}-{n}.png", dpi=(300, 300))

    def archived(data: Path) -> list[str]:
        return sorted(p.relative_to(data).as_posix() for p in (data / "archive").rglob("*") if p.is_file())

    threads = digitise_scan_root(str(root), data_dir=str(tmp_path / "threads"))
    with _ocr_processes(tmp_path / "dask" / "work") as ocr_pids:
        dask = digitise_scan_root(str(root), data_dir=str(tmp_path / "dask"), workers=2, task_runner="dask")
    assert dask == threads
    assert dask["archived"] == pages
    assert len(ocr_pids) >= 2 and os.getpid() not in ocr_pids, f"OCR ran in processes {ocr_pids}"
    assert archived(tmp_path / "dask") == archived(tmp_path / "threads")
    ledgers = [context_for(None, str(tmp_path / d)).ledger for d in ("threads", "dask")]
    assert ledgers[0].counters() == ledgers[1].counters()
    assert sum(c.pages for c in ledgers[1].counters()) == pages
    rows = ledgers[1].records()
    assert sorted(r.source_path for r in rows) == sorted(f"ashbourne/2026-11-batch-01/{p.name}" for p in batch.iterdir())
    events = Counter((e.record_id, e.event) for e in ledgers[1].events(council="ashbourne"))
    assert events == Counter({(r.source_sha256, step): 1 for r in rows
                              for step in ("received", "ocred", "classified", "archived")})


def test_large_batches_go_in_chunks_that_shrink_towards_the_end() -> None:
    from flows.batch import MAX_RECORDS_PER_TASK, task_sizes

    assert task_sizes(15, 2) == [1] * 15, "a small batch: one task run per record"
    for records, workers in [(16, 2), (500, 2), (5000, 8), (97, 3)]:
        sizes = task_sizes(records, workers)
        assert sum(sizes) == records
        assert sizes == sorted(sizes, reverse=True) and max(sizes) <= MAX_RECORDS_PER_TASK
        assert sizes[-workers:] == [1] * workers, "each worker's last task is one record"
    assert task_sizes(500, 2).count(MAX_RECORDS_PER_TASK) >= 55
