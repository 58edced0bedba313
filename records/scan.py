"""Find the input files under a scan root laid out as <root>/<council>/<batch>/<files>."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: Files scanners and desktops leave behind that are never records.
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})


@dataclass(frozen=True, slots=True)
class ScanItem:
    """One input file. `relative` is its path under the scan root, kept for the sidecar."""

    council: str
    batch: str
    path: Path
    relative: str


@dataclass(frozen=True, slots=True)
class RefusedItem:
    """A file that cannot be taken as a record, with the reason code for quarantine."""

    item: ScanItem
    reason: str
    message: str


def discover(
    scan_root: Path, *, councils: Iterable[str] | None = None, known_councils: Iterable[str] = ()
) -> tuple[list[ScanItem], list[RefusedItem]]:
    """List accepted and refused files, in a stable order (sorted paths)."""
    root = scan_root.resolve(strict=True)
    wanted = set(councils) if councils else None
    known = set(known_councils)
    accepted: list[ScanItem] = []
    refused: list[RefusedItem] = []
    for council_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if wanted is not None and council_dir.name not in wanted:
            continue
        for item in _walk(root, council_dir):
            reason = _refusal(root, item, known)
            if reason:
                refused.append(RefusedItem(item, *reason))
            else:
                accepted.append(item)
    return accepted, refused


def _walk(root: Path, council_dir: Path) -> Iterator[ScanItem]:
    for dirpath, dirnames, filenames in os.walk(council_dir, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name.lower() in IGNORED_NAMES:
                continue
            path = Path(dirpath) / name
            parts = path.relative_to(root).parts
            batch = parts[1] if len(parts) >= 3 else ""
            yield ScanItem(parts[0], batch, path, "/".join(parts))


def _refusal(root: Path, item: ScanItem, known: set[str]) -> tuple[str, str] | None:
    if item.path.is_symlink():
        target = item.path.resolve()
        if not target.is_relative_to(root):
            return "unsafe_path", "symbolic link points outside the scan root; copy the file in instead"
    if known and item.council not in known:
        return "unknown_council", "council folder is not listed in config/councils.yaml"
    if len(Path(item.relative).parts) != 3:
        return "bad_layout", "files must sit at <scan root>/<council>/<batch>/<file>"
    return None
