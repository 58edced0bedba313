"""Fixity: do the archive's files still match the checksums the ledger took when it archived them?

Every archived record's PDF, text and sidecar are read and hashed again. A file is
`missing`, `altered` (different bytes, or no longer a plain file), `unreadable`, or, when
it sits in the archive without a ledger row, `untracked`. Paths in the report are
archive-relative (`<council>/<type>/<sha256>.<ext>`): no input file names, no text.

Run it when no batch is writing: a record being archived has its files before its row.
Files whose row appears while the check runs are not reported. An archive in object storage
(records/archive/objects.py) is checked the same way, object by object, streamed and hashed.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from records.archive.local import ARCHIVE_SUFFIXES, Archive, is_regular_file, safe_child, sha256_file
from records.archive.objects import ObjectArchive
from records.errors import UnsafePathError
from records.ledger import Ledger

ProblemKind = Literal["missing", "altered", "unreadable", "untracked", "unsafe_path"]
FileState = Literal["ok", "unchecked", "missing", "altered", "unreadable", "unsafe_path"]


@dataclass(frozen=True, slots=True)
class FixityProblem:
    """One file that does not match the ledger; `record_id` is None for an untracked file."""

    kind: ProblemKind
    path: str
    record_id: str | None


@dataclass(frozen=True, slots=True)
class FixityReport:
    records: int = 0
    files: int = 0
    #: Files the ledger has no checksum for (sidecars of records archived before it kept one).
    unchecked: int = 0
    problems: tuple[FixityProblem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self) -> str:
        kinds = Counter(p.kind for p in self.problems)
        found = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or "no problems"
        return f"{self.records} records, {self.files} files checked ({self.unchecked} without a checksum): {found}"


def verify_archive(archive_root: Path | Archive | ObjectArchive, ledger: Ledger) -> FixityReport:
    """Check every ledger record's files, then look for archive files no record claims.

    `archive_root` is a local archive's folder, or the archive itself (local or in object
    storage, where each object is streamed and hashed the same way)."""
    if isinstance(archive_root, ObjectArchive):
        return _verify(file_checker(archive_root), archive_root.files, ledger)
    root = archive_root.root if isinstance(archive_root, Archive) else archive_root
    return _verify(lambda rel, sha: check_file(root, rel, sha), lambda: _archive_files(root), ledger)


def file_checker(archive: Archive | ObjectArchive) -> Callable[[str, str | None], FileState]:
    """How one archive file (archive-relative path, expected sha256) is checked, wherever the archive is."""
    if isinstance(archive, ObjectArchive):
        return lambda relative, sha256: check_object(archive, relative, sha256)
    return lambda relative, sha256: check_file(archive.root, relative, sha256)


def _verify(
    check: Callable[[str, str | None], FileState], listing: Callable[[], Iterator[str]], ledger: Ledger
) -> FixityReport:
    records = files = unchecked = 0
    known: set[str] = set()
    problems: list[FixityProblem] = []
    for entry in ledger.fixity_entries():
        records += 1
        for relative, expected in entry.files:
            known.add(relative)
            state = check(relative, expected)
            if state == "unchecked":
                unchecked += 1
            elif state != "ok":
                problems.append(FixityProblem(state, relative, entry.record_id))
            if state != "missing":
                files += 1
    problems.extend(
        FixityProblem("untracked", relative, None)
        for relative in listing()
        if relative not in known and not ledger.is_archived(_record_id(relative))
    )
    return FixityReport(records, files, unchecked, tuple(problems))


def check_file(archive_root: Path, relative: str, expected_sha256: str | None) -> FileState:
    """One archive file against its stored checksum; a ledger path may not leave the archive."""
    try:
        path = safe_child(archive_root, *PurePosixPath(relative).parts)
    except UnsafePathError:
        return "unsafe_path"
    if not path.exists() and not path.is_symlink():
        return "missing"
    if not is_regular_file(path):
        return "altered"
    if expected_sha256 is None:
        return "unchecked"
    try:
        return "ok" if sha256_file(path) == expected_sha256 else "altered"
    except OSError:
        return "unreadable"


def check_object(archive: ObjectArchive, relative: str, expected_sha256: str | None) -> FileState:
    """One object against its stored checksum, streamed; StorageError (store unreachable) propagates."""
    try:
        archive.objects.key(relative)
    except UnsafePathError:
        return "unsafe_path"
    try:
        archive.objects.info(relative)
        if expected_sha256 is None:
            return "unchecked"
        return "ok" if archive.objects.sha256(relative) == expected_sha256 else "altered"
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"


def _archive_files(root: Path) -> Iterator[str]:
    """Archive files by relative path; dot-names (temporary files, locks) are not records."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield (Path(dirpath) / name).relative_to(root).as_posix()


def _record_id(relative: str) -> str:
    """Archive files are named `<source sha256><suffix>`; anything else has no record."""
    name = PurePosixPath(relative).name
    for suffix in ARCHIVE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return ""
