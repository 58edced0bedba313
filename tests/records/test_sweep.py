"""Which batch folders a sweep runs: settled, and new or changed since the ledger last saw them."""

from __future__ import annotations

import os
import time
from pathlib import Path

from records.intake.sweep import batch_folders, mark_swept, new_batch_folders, select_new
from records.ledger import Ledger, SeenBatch


def _scan_root(tmp_path: Path) -> Path:
    root = tmp_path / "scans"
    for council, batch, name in [("ashbourne", "b1", "a.png"), ("ashbourne", "b1", "b.png"),
                                 ("kingsmere", "b2", "c.pdf")]:
        (root / council / batch).mkdir(parents=True, exist_ok=True)
        (root / council / batch / name).write_bytes(b"x")
    (root / "kingsmere" / "empty").mkdir()
    (root / "kingsmere" / "b2" / ".partial").write_bytes(b"x")  # hidden: not counted
    (root / "kingsmere" / "b2" / "Thumbs.db").write_bytes(b"x")  # scanner litter: not counted
    return root


def _age(root: Path, seconds: float) -> None:
    then = time.time() - seconds
    for path in [root, *root.rglob("*")]:
        os.utime(path, (then, then))


def test_batch_folders_non_empty_sorted_with_file_counts(tmp_path: Path) -> None:
    folders = batch_folders(_scan_root(tmp_path))
    assert [(f.council, f.batch, f.files) for f in folders] == [("ashbourne", "b1", 2), ("kingsmere", "b2", 1)]
    assert [f.batch for f in batch_folders(tmp_path / "scans", councils=["kingsmere"])] == ["b2"]


def test_select_new_unsettled_folder_waits() -> None:
    folder = SeenBatch("ashbourne", "b1", 2, latest_mtime_ns=100 * 10**9)
    assert select_new([folder], {}, now_ns=150 * 10**9, settle_seconds=120) == []
    assert select_new([folder], {}, now_ns=220 * 10**9, settle_seconds=120) == [folder]


def test_select_new_seen_folder_skipped_until_it_changes() -> None:
    seen = SeenBatch("ashbourne", "b1", 2, latest_mtime_ns=10**9)
    grown = SeenBatch("ashbourne", "b1", 3, latest_mtime_ns=2 * 10**9)
    now = 10**12
    assert select_new([seen], {("ashbourne", "b1"): seen}, now_ns=now, settle_seconds=0) == []
    assert select_new([grown], {("ashbourne", "b1"): seen}, now_ns=now, settle_seconds=0) == [grown]


def test_new_batch_folders_marked_swept_not_returned_again(ledger_url: str, tmp_path: Path) -> None:
    root = _scan_root(tmp_path)
    _age(root, 600)
    ledger = Ledger(ledger_url)
    first = new_batch_folders(root, ledger, settle_seconds=120)
    assert [(f.council, f.batch) for f in first] == [("ashbourne", "b1"), ("kingsmere", "b2")]
    for folder in first:
        mark_swept(ledger, folder)
        mark_swept(ledger, folder)  # idempotent
    assert new_batch_folders(root, ledger, settle_seconds=120) == []

    (root / "ashbourne" / "b1" / "late.png").write_bytes(b"x")  # arrives after the sweep
    _age(root / "ashbourne", 300)
    assert [(f.batch, f.files) for f in new_batch_folders(root, ledger, settle_seconds=120)] == [("b1", 3)]
    assert Ledger(ledger_url).seen_batches()[("kingsmere", "b2")] == first[1]
