"""The archive: archive/<council>/<record_type>/<sha256>.{pdf,txt,json}, private to the service user.

Every file is written to a temporary name in its final folder, flushed, then renamed, so
a reader (or a crash) never sees a half-written file under a final name. The sidecar is
written last: a record whose sidecar exists is complete.

Crash and concurrency safety:
- Temporary names carry their writer's `<pid>@<host>`, so a later run can prove a
  leftover is abandoned (its writer is dead) instead of guessing (`is_stale`).
- Work on one record is serialised across threads and processes by `Archive.lock`, an
  flock the kernel releases when its holder dies, even by SIGKILL.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import socket
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from records.errors import ArchiveWriteError, UnsafePathError

FILE_MODE = 0o640
DIR_MODE = 0o750
CHUNK = 1 << 20
TEMP_PREFIX = ".tmp-"
LOCKS_DIR = ".locks"
ARCHIVE_SUFFIXES = (".pdf", ".txt", ".json")
#: Older than this, a leftover is stale whoever wrote it: no single write or page takes a day.
STALE_AFTER_SECONDS = 24 * 3600
_OWNER = re.compile(r"-(\d+)@([A-Za-z0-9.-]+)~")


@dataclass(frozen=True, slots=True)
class ArchivePaths:
    pdf: Path
    text: Path
    sidecar: Path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_private_dir(path: Path) -> None:
    """Create `path` and its missing parents as 0750; an existing `path` is only ever tightened.

    `mkdir(parents=True)` would give the parents the umask's mode, not ours.
    """
    missing: list[Path] = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:  # a concurrent worker made it first
            continue
        os.chmod(folder, DIR_MODE)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & ~DIR_MODE:
        os.chmod(path, mode & DIR_MODE)


def is_regular_file(path: Path) -> bool:
    """A plain file: not a link, pipe, socket or device (opening a pipe would block forever)."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def owner_tag() -> str:
    """`<pid>@<host>`: who wrote a temporary file or work folder."""
    return f"{os.getpid()}@{_host()}"


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname())[:64] or "localhost"


def is_stale(path: Path, *, now: float | None = None) -> bool:
    """Provably abandoned: its writer on this host is dead, or it is older than a day.

    Assumes machines (and containers) sharing a data folder have distinct host names: a
    pid is only looked up when the host part of the owner tag is this host's.
    """
    owner = _OWNER.search(path.name)
    if owner and owner[2] == _host() and not _pid_alive(int(owner[1])):
        return True
    try:
        age = (now or time.time()) - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    return age > STALE_AFTER_SECONDS


def is_gone_writer(owner: str) -> bool:
    """`owner` (`<pid>@<host>`, from `owner_tag`) names a process of this host that has ended."""
    pid, _, host = owner.partition("@")
    return host == _host() and pid.isdigit() and not _pid_alive(int(pid))


def archive_entry(paths: ArchivePaths, pdf: Path, text: str) -> dict[str, str]:
    """The sidecar's `archive` section: the names of a record's PDF and text and their checksums."""
    return {"pdf": paths.pdf.name, "pdf_sha256": sha256_file(pdf),
            "text": paths.text.name, "text_sha256": sha256_bytes(text.encode("utf-8"))}


def sidecar_bytes(sidecar: dict[str, Any]) -> bytes:
    """A sidecar as stored: sorted keys, indented, UTF-8 (the same bytes in any archive)."""
    return json.dumps(sidecar, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return True  # not a process id we wrote: assume alive
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def remove_stale_temp_files(root: Path) -> int:
    """Delete abandoned `.tmp-*` files under root (left by a crash mid-write); return how many.

    A file we may not delete is left for an operator: clean-up never stops a run.
    """
    removed = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            if name.startswith(TEMP_PREFIX) and is_stale(path):
                removed += _remove(path)
    return removed


def _remove(path: Path) -> int:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        return 0
    return 1


def safe_child(root: Path, *parts: str) -> Path:
    """root/parts..., refusing any part that would climb out of root."""
    for part in parts:
        if not part or part in (".", "..") or "/" in part or "\\" in part or "\0" in part:
            raise UnsafePathError("a path component from the input is not a plain name")
    child = root.joinpath(*parts)
    if not child.resolve().is_relative_to(root.resolve()):
        raise UnsafePathError("a path from the input would leave the archive root")
    return child


def write_atomic(target: Path, data: bytes | Path) -> None:
    """Write bytes (or copy a file) to target via temp file + fsync + rename + fsync of the folder."""
    make_private_dir(target.parent)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f"{TEMP_PREFIX}{owner_tag()}~", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            if isinstance(data, Path):
                with data.open("rb") as src:
                    shutil.copyfileobj(src, out, CHUNK)
            else:
                out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise ArchiveWriteError(f"could not write to the archive ({e.strerror or type(e).__name__})") from e


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable: without this a power cut can lose it after we recorded it."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _acquire(path: Path, *, blocking: bool) -> int | None:
    """An exclusive flock on `path`; None if not blocking and someone else holds it."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(fd)
            return None
        if _is_same_file(fd, path):
            return fd
        os.close(fd)  # its holder removed it while we waited: lock the current file instead


def _is_same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False


def _release(path: Path, fd: int) -> None:
    path.unlink(missing_ok=True)  # while still locked, so no waiter keeps a removed file
    os.close(fd)


class Archive:
    """A local folder archive; content-addressed by the source file's sha256."""

    def __init__(self, root: Path) -> None:
        self.root = root
        make_private_dir(root)

    def paths_for(self, council: str, record_type: str, source_sha256: str) -> ArchivePaths:
        folder = safe_child(self.root, council, record_type)
        return ArchivePaths(
            folder / f"{source_sha256}.pdf",
            folder / f"{source_sha256}.txt",
            folder / f"{source_sha256}.json",
        )

    def store(
        self, paths: ArchivePaths, *, pdf: Path, text: str, sidecar: dict[str, Any]
    ) -> None:
        """Write PDF and text first, the sidecar last (it marks the record complete)."""
        write_atomic(paths.pdf, pdf)
        write_atomic(paths.text, text.encode("utf-8"))
        write_atomic(paths.sidecar, sidecar_bytes(sidecar))

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def sha256(self, path: Path) -> str:
        """The checksum of an archived file, read back from where it is stored."""
        return sha256_file(path)

    @contextmanager
    def open(self, relative: str) -> Iterator[IO[bytes]]:
        """An archived file by its archive-relative path (as the ledger holds it), for reading."""
        path = safe_child(self.root, *PurePosixPath(relative).parts)
        if not is_regular_file(path):
            raise FileNotFoundError(relative)
        with path.open("rb") as fh:
            yield fh

    def remove_stale_temp_files(self) -> int:
        """Startup clean-up: temporary files of writes that a crash interrupted."""
        return remove_stale_temp_files(self.root)

    @contextmanager
    def lock(self, source_sha256: str) -> Iterator[None]:
        """Only one worker, in any process, handles a record at a time; a dead holder frees it."""
        folder = self.root / LOCKS_DIR
        path = safe_child(folder, f"{source_sha256}.lock")
        try:
            make_private_dir(folder)
            fd = _acquire(path, blocking=True)
        except OSError as e:
            raise ArchiveWriteError(f"cannot lock a record in the archive ({e.strerror or type(e).__name__})") from e
        if fd is None:  # pragma: no cover - a blocking flock returns only once held
            raise ArchiveWriteError("cannot lock a record in the archive")
        try:
            yield
        finally:
            _release(path, fd)

    def remove_stale_locks(self) -> int:
        """Delete lock files nobody holds (their holder died); return how many."""
        removed = 0
        folder = self.root / LOCKS_DIR
        for path in sorted(folder.glob("*.lock")) if folder.is_dir() else []:
            try:
                fd = _acquire(path, blocking=False)
            except OSError:  # not ours to remove: left for an operator
                continue
            if fd is not None:
                _release(path, fd)
                removed += 1
        return removed

    def remove_orphans(self, council: str, source_sha256: str) -> int:
        """Delete a record's files left by an attempt that died before its ledger row was written.

        Call only while holding `lock(source_sha256)` and after checking the ledger has no row.
        """
        council_dir = safe_child(self.root, council)
        removed = 0
        for type_dir in sorted(council_dir.iterdir()) if council_dir.is_dir() else []:
            for suffix in ARCHIVE_SUFFIXES:
                path = type_dir / f"{source_sha256}{suffix}"
                if is_regular_file(path):
                    path.unlink()
                    removed += 1
        return removed
