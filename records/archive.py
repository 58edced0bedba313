"""The archive: archive/<council>/<record_type>/<sha256>.{pdf,txt,json}, private to the service user.

Every file is written to a temporary name in its final folder, flushed, then renamed, so
a reader (or a crash) never sees a half-written file under a final name. The sidecar is
written last: a record whose sidecar exists is complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from records.errors import ArchiveWriteError, UnsafePathError

FILE_MODE = 0o640
DIR_MODE = 0o750
CHUNK = 1 << 20


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
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(path, DIR_MODE)


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
    """Write bytes (or copy a file) to target via temp file + fsync + rename."""
    make_private_dir(target.parent)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
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
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise ArchiveWriteError(f"could not write to the archive ({e.strerror or type(e).__name__})") from e


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
        body = json.dumps(sidecar, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")
        write_atomic(paths.sidecar, body)

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()
