"""Crash injection for the crash-safety tests: test harness only, never imported by the pipeline.

A child process started with `python -c "from tests.reliability.faults import main; main()" run ...`
reads DIGITISE_TEST_CRASH_AT, wraps one library call, then runs the real `digitise` CLI.
When the wrapped call is reached the process SIGKILLs itself: the same as `kill -9` from
outside at exactly that moment, but deterministic. Points:

    ocr            after Tesseract finished the first page (work folder full, nothing archived)
    archive-write  halfway through copying the first PDF into the archive (a partial .tmp- file)
    ledger-commit  after the record's INSERT, before COMMIT (all files archived, no ledger row)
    after-commit   after the record's row is committed, before the outcome is returned

In the test's own process, `engine_killed_mid_page` SIGKILLs the kept-loaded Tesseract engine
(`ocr.engine: api`, ocr/_exec/engine.py) while it is reading a page.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import ocr.reading
from sqlalchemy import Engine, event

from ocr._exec.engine import engine_pids

from records.ledger import Ledger

CRASH_ENV = "DIGITISE_TEST_CRASH_AT"
POINTS = ("ocr", "archive-write", "ledger-commit", "after-commit")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _after_first_ocr() -> None:
    real = ocr.reading.ocr_page_image  # whichever engine runs Tesseract

    def run_then_die(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        die()
        return result

    ocr.reading.ocr_page_image = run_then_die


def _halfway_through_archive_copy() -> None:
    real: Callable[..., None] = shutil.copyfileobj

    def copy_half_then_die(fsrc: IO[bytes], fdst: IO[bytes], length: int = 0) -> None:
        if not str(getattr(fsrc, "name", "")).endswith(("document.pdf", "document.pdfa.pdf")):  # the record's PDF
            return real(fsrc, fdst, length)
        data = fsrc.read()
        fdst.write(data[: len(data) // 2])
        fdst.flush()
        os.fsync(fdst.fileno())
        die()

    shutil.copyfileobj = copy_half_then_die  # type: ignore[assignment]


def _before_record_commit() -> None:
    @event.listens_for(Engine, "before_cursor_execute")
    def note_insert(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO RECORDS"):
            conn.info["record_inserted"] = True

    @event.listens_for(Engine, "commit")
    def die_before_commit(conn: Any) -> None:
        if conn.info.get("record_inserted"):
            die()


def _after_record_commit() -> None:
    real = Ledger.add_record

    def add_then_die(self: Ledger, record: Any, *args: Any, **kwargs: Any) -> bool:
        inserted = real(self, record, *args, **kwargs)
        if inserted:
            die()
        return inserted

    Ledger.add_record = add_then_die  # type: ignore[method-assign]


INSTALLERS: dict[str, Callable[[], None]] = {
    "ocr": _after_first_ocr,
    "archive-write": _halfway_through_archive_copy,
    "ledger-commit": _before_record_commit,
    "after-commit": _after_record_commit,
}


def install() -> None:
    point = os.environ.get(CRASH_ENV)
    if point:
        INSTALLERS[point]()


@dataclass
class KilledEngine:
    """The engine process `engine_killed_mid_page` killed, and the page output it had open."""

    pid: int | None = None
    page: Path | None = None


def _page_being_written(pid: int, work: Path) -> Path | None:
    """The `<page>.pdf` under `work` that engine `pid` has open, if any. Tesseract opens a page's
    output files when it starts the page and closes them when it is done: open means mid-page."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return None
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith(f"{work}/") and target.endswith(".pdf"):
            return Path(target)
    return None


@contextmanager
def engine_killed_mid_page(work: Path, *, poll_seconds: float = 0.002) -> Iterator[KilledEngine]:
    """While the block runs, SIGKILL the first `api` engine of this process seen in the middle of
    a page under `work` (once), as an operator or the kernel's OOM killer would."""
    killed = KilledEngine()
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            for pid in engine_pids():
                page = _page_being_written(pid, work)
                if page is not None:
                    os.kill(pid, signal.SIGKILL)
                    killed.pid, killed.page = pid, page
                    return
            stop.wait(poll_seconds)

    watcher = threading.Thread(target=watch, name="engine-killer", daemon=True)
    watcher.start()
    try:
        yield killed
    finally:
        stop.set()
        watcher.join()


def main() -> None:
    install()
    from flows.cli import app

    app(prog_name="digitise")
