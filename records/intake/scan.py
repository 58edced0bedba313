"""Find the input files under a scan root laid out as <root>/<council>/<batch>/<files>.

Anything that cannot be taken as a record is returned as refused, with a reason code,
so it is quarantined and reported instead of silently skipped: files outside the layout,
links that leave the scan root, links to folders, pipes and devices.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: Files scanners and desktops leave behind that are never records.
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
LINK_TO_FOLDER = "links to folders are not followed; copy the folder in instead"
UNKNOWN_COUNCIL = ("unknown_council", "council folder is not listed in config/councils.yaml")
BAD_LAYOUT = ("bad_layout", "files must sit at <scan root>/<council>/<batch>/<file>")


@dataclass(frozen=True, slots=True)
class ScanItem:
    """One input file. `relative` is its path under the scan root, kept for the sidecar.

    `url` is set for an object in object storage (records/intake/objects.py): `path` is then where it
    is staged on local disk, and points nowhere readable until `stage_item` downloads it.
    """

    council: str
    batch: str
    path: Path
    relative: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class RefusedItem:
    """A file that cannot be taken as a record, with the reason code for quarantine."""

    item: ScanItem
    reason: str
    message: str


def discover(
    scan_root: Path, *, councils: Iterable[str] | None = None, known_councils: Iterable[str] = (),
    batch: str | None = None,
) -> tuple[list[ScanItem], list[RefusedItem]]:
    """List accepted and refused files, in a stable order (sorted paths); with `batch`, only the
    files of that batch folder of each council (no other folder is walked)."""
    root = scan_root.resolve(strict=True)
    wanted = set(councils) if councils else None
    known = set(known_councils)
    accepted: list[ScanItem] = []
    refused: list[RefusedItem] = []
    for council_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if wanted is not None and council_dir.name not in wanted:
            continue
        if council_dir.is_symlink():
            refused.append(RefusedItem(_item(root, council_dir), "unsafe_path", LINK_TO_FOLDER))
            continue
        folder = council_dir if batch is None else council_dir / batch
        if folder.is_symlink():
            refused.append(RefusedItem(_item(root, folder), "unsafe_path", LINK_TO_FOLDER))
            continue
        if not folder.is_dir():
            continue
        for item in _walk(root, folder):
            reason = _refusal(root, item, known)
            if reason:
                refused.append(RefusedItem(item, *reason))
            else:
                accepted.append(item)
    return accepted, refused


def _walk(root: Path, council_dir: Path) -> Iterator[ScanItem]:
    """Files in path order; a link to a folder is yielded itself (to be refused), never followed."""
    for dirpath, dirnames, filenames in os.walk(council_dir, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        links = [d for d in dirnames if (Path(dirpath) / d).is_symlink()]
        dirnames[:] = [d for d in dirnames if d not in links]
        for name in sorted([*filenames, *links]):
            if name.startswith(".") or name.lower() in IGNORED_NAMES:
                continue
            yield _item(root, Path(dirpath) / name)


def _item(root: Path, path: Path) -> ScanItem:
    parts = path.relative_to(root).parts
    batch = parts[1] if len(parts) >= 3 else ""
    return ScanItem(parts[0], batch, path, _printable("/".join(parts)))


def _printable(relative: str) -> str:
    """File names that are not UTF-8 (from old Windows shares) are kept with \\x escapes."""
    return relative.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _refusal(root: Path, item: ScanItem, known: set[str]) -> tuple[str, str] | None:
    if not _is_inside(root, item.path):
        return "unsafe_path", "symbolic link points outside the scan root (or loops); copy the file in instead"
    if item.path.is_symlink() and item.path.is_dir():
        return "unsafe_path", LINK_TO_FOLDER
    if known and item.council not in known:
        return UNKNOWN_COUNCIL
    if len(Path(item.relative).parts) != 3:
        return BAD_LAYOUT
    return _kind_refusal(item.path)


def _is_inside(root: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a link loop (RuntimeError before Python 3.13)
        return False


def _kind_refusal(path: Path) -> tuple[str, str] | None:
    """Only regular files are read: opening a pipe would block the batch for ever."""
    try:
        mode = path.stat().st_mode  # follows a link that stays inside the root
    except FileNotFoundError:
        return "input_unreadable", "symbolic link points to nothing; copy the file in instead"
    except OSError:
        return None  # unreadable files are quarantined when read, with the OS error
    if not stat.S_ISREG(mode):
        return "input_unreadable", "not a regular file (a pipe, socket or device); copy the file in instead"
    return None
