"""What a crashed run leaves behind is cleared, and only that: never a live run's files."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

from records.archive.local import STALE_AFTER_SECONDS, owner_tag
from records.intake.scan import ScanItem
from records.pipeline import PipelineContext, process_item, remove_stale_files

SHA = "ab" * 32


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def _touch(path: Path, *, age: float = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"left over")
    if age:
        then = time.time() - age
        os.utime(path, (then, then))
    return path


def test_remove_stale_files_clears_dead_runs_leftovers_only(context: PipelineContext) -> None:
    dead, alive, host = _dead_pid(), os.getpid(), owner_tag().split("@", 1)[1]
    folder = context.archive.root / "ashbourne" / "council_tax"
    stale = [
        _touch(folder / f".tmp-{dead}@{host}~k3j.pdf"),
        _touch(context.quarantine_root / "ashbourne" / "b1" / f".tmp-{dead}@{host}~x1.png"),
        _touch(folder / ".tmp-legacy9.txt", age=STALE_AFTER_SECONDS + 60),  # no owner, a day old
        _touch(context.work_root / f"{SHA[:16]}-{dead}@{host}~w1" / "00001.ocr.pdf").parent,
        _touch(context.archive.root / ".locks" / f"{SHA}.lock"),  # its holder is gone
    ]
    kept = [
        _touch(folder / f".tmp-{alive}@{host}~live.pdf"),          # a write in progress here
        _touch(folder / f".tmp-{dead}@other-host~remote.pdf"),      # another machine's, recent
        _touch(context.work_root / f"{SHA[:16]}-{alive}@{host}~w2" / "00001.source.png").parent,
        _touch(context.work_root / "not-ours" / "notes.txt", age=STALE_AFTER_SECONDS + 60).parent,
        _touch(folder / f"{SHA}.pdf", age=STALE_AFTER_SECONDS + 60),  # a record, however old
    ]
    with context.archive.lock("cd" * 32):
        held = context.archive.root / ".locks" / f"{'cd' * 32}.lock"
        assert remove_stale_files(context) == len(stale)
        assert held.exists(), "a lock someone holds is not stale"
    assert [p for p in stale if p.exists()] == []
    assert [p for p in kept if not p.exists()] == []


def test_process_item_removes_an_unfinished_attempts_files_first(
    items: list[ScanItem], context: PipelineContext
) -> None:
    """Files of a record with no ledger row come from an attempt that died: replaced, wherever they are."""
    item = next(i for i in items if i.path.name == "tax.png")
    outcome = process_item(item, context)
    record = context.ledger.records()[0]
    council_tax = context.archive.root / record.pdf_path
    _touch(context.archive.root / "ashbourne" / "complaint" / f"{outcome.record_id}.txt")  # filed elsewhere
    with sqlite3.connect(context.archive.root.parent / "ledger.db") as db:  # as if it died before COMMIT
        db.execute("DELETE FROM records")
        db.execute("DELETE FROM counters")

    again = process_item(item, context)

    assert again.status == "archived"
    assert not (context.archive.root / "ashbourne" / "complaint" / f"{outcome.record_id}.txt").exists()
    assert council_tax.exists()
    [counter] = context.ledger.counters()
    assert (counter.records, counter.pages) == (1, 1)


def test_record_lock_lets_one_worker_at_a_time_and_leaves_no_lock_file(context: PipelineContext) -> None:
    events: list[str] = []
    first_in = threading.Event()

    def worker(name: str) -> None:
        with context.archive.lock(SHA):
            events.append(f"{name} in")
            first_in.set()
            time.sleep(0.2)
            events.append(f"{name} out")

    first = threading.Thread(target=worker, args=("a",))
    first.start()
    first_in.wait(5)
    second = threading.Thread(target=worker, args=("b",))
    second.start()
    first.join(5)
    second.join(5)
    assert events == ["a in", "a out", "b in", "b out"]
    assert list((context.archive.root / ".locks").iterdir()) == []
