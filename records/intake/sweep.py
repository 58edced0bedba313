"""Which batch folders under a scan root are new since the last sweep.

A batch folder is `<scan root>/<council>/<batch>/`. A sweep hands a folder on to a batch
run when it is *settled* (nothing in it changed for `settle_seconds`: a scanner may still
be copying) and *new* (the ledger has no sighting of it, or saw it with other files). After
the batch run the folder is marked seen with the state it had before the run, so files
that arrive later make it new again. A file is never archived twice either way: the
ledger skips content it already holds, by SHA-256.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from records.intake.scan import IGNORED_NAMES
from records.ledger import Ledger, SeenBatch

log = logging.getLogger(__name__)


def batch_folders(scan_root: Path, *, councils: Iterable[str] | None = None) -> list[SeenBatch]:
    """Every non-empty batch folder, with its file count and newest change, in sorted order."""
    root = scan_root.resolve(strict=True)
    wanted = set(councils) if councils else None
    found: list[SeenBatch] = []
    for council_dir in _subdirs(root):
        if wanted is not None and council_dir.name not in wanted:
            continue
        for batch_dir in _subdirs(council_dir):
            files, latest = _folder_state(batch_dir)
            if files:
                found.append(SeenBatch(council_dir.name, batch_dir.name, files, latest))
    return found


def is_settled(folder: SeenBatch, *, now_ns: int, settle_seconds: float) -> bool:
    return now_ns - folder.latest_mtime_ns >= settle_seconds * 1_000_000_000


def select_new(
    folders: Iterable[SeenBatch], seen: Mapping[tuple[str, str], SeenBatch],
    *, now_ns: int, settle_seconds: float,
) -> list[SeenBatch]:
    """Settled folders that were never seen, or were seen with different contents."""
    return [
        f for f in folders
        if is_settled(f, now_ns=now_ns, settle_seconds=settle_seconds) and seen.get((f.council, f.batch)) != f
    ]


def new_batch_folders(
    scan_root: Path, ledger: Ledger, *, councils: Iterable[str] | None = None,
    settle_seconds: float = 120.0, now_ns: int | None = None,
) -> list[SeenBatch]:
    """The batch folders a sweep should run now."""
    folders = batch_folders(scan_root, councils=councils)
    new = select_new(folders, ledger.seen_batches(),
                     now_ns=now_ns if now_ns is not None else time.time_ns(), settle_seconds=settle_seconds)
    log.info("sweep: %d batch folders, %d new and settled", len(folders), len(new))
    return new


def mark_swept(ledger: Ledger, folder: SeenBatch) -> None:
    """Remember the folder as it was when it was handed on (call after its batch run)."""
    ledger.mark_batch_seen(folder)


def _subdirs(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))


def _folder_state(batch_dir: Path) -> tuple[int, int]:
    """(file count, newest mtime in ns of the folder and everything in it); hidden files ignored."""
    files = 0
    latest = batch_dir.stat().st_mtime_ns
    for dirpath, dirnames, filenames in os.walk(batch_dir, followlinks=False):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        latest = max(latest, Path(dirpath).stat().st_mtime_ns)
        for name in filenames:
            if name.startswith(".") or name.lower() in IGNORED_NAMES:
                continue
            try:
                latest = max(latest, (Path(dirpath) / name).lstat().st_mtime_ns)
            except OSError:  # vanished while we looked: the next sweep sees the folder again
                continue
            files += 1
    return files, latest
