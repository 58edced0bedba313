"""The archive in object storage (S3 and S3-compatible servers), with a local archive's guarantees.

- No partial object under a final key: a PUT (and the completion of a multipart upload) is
  atomic, so a key is either absent or holds all its bytes. PDF and text go first, the sidecar
  last (a record with its sidecar is complete), then the ledger row (which counts it).
- Nothing is overwritten: every archive write is conditional (`If-None-Match: *`). A record
  that a worker on another machine is archiving at the same moment is never clobbered; the
  write fails with the transient StorageError and the record is retried, by which time the
  other worker's ledger row says it is done.
- A crash leaves at worst objects without a ledger row (orphans). The next attempt deletes them
  under the record's lock once they are provably abandoned: written by no worker of ours, by
  this process, by a process of this host that has ended, or longer ago than
  ORPHAN_GRACE_SECONDS. Each object names its writer (`x-amz-meta-writer: <pid>@<host>`).
- On one machine, work on a record is serialised by the same per-record flock as a local
  archive's, kept on local disk in the work folder; across machines the conditional writes
  above and the ledger's unique record row keep files and counts exact.
- No ACL is sent: objects get the bucket's own (private) default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

from records.archive.local import Archive, ArchivePaths, is_gone_writer, owner_tag, sidecar_bytes
from records.errors import ArchiveWriteError, ConfigError, StorageError
from records.object_store import ObjectStore, is_object_url, storage_errors

#: An orphan younger than this, written by another machine, may belong to a live worker.
ORPHAN_GRACE_SECONDS = 15 * 60
BUSY = "another worker is archiving this record at the same moment; it will be retried"


class ObjectArchive:
    """The archive in object storage: <prefix>/<council>/<record_type>/<sha256>.{pdf,txt,json}.

    Paths it hands out (`paths_for`) are keys relative to the prefix, never local files.
    """

    def __init__(self, objects: ObjectStore, lock_root: Path) -> None:
        self.objects = objects
        self.root = objects.url
        # Per-record flocks on local disk: a local Archive at the work folder, used for nothing else.
        self._locks = Archive(lock_root)

    def paths_for(self, council: str, record_type: str, source_sha256: str) -> ArchivePaths:
        folder = PurePosixPath(council, record_type)
        self.objects.key(folder.as_posix())  # refuses names that would leave the prefix
        pdf, text, sidecar = (folder / f"{source_sha256}{s}" for s in (".pdf", ".txt", ".json"))
        return ArchivePaths(cast(Path, pdf), cast(Path, text), cast(Path, sidecar))

    def relative(self, path: PurePosixPath | Path) -> str:
        return PurePosixPath(path).as_posix()

    def sha256(self, path: PurePosixPath | Path) -> str:
        return self.objects.sha256(self.relative(path))

    @contextmanager
    def open(self, relative: str) -> Iterator[IO[bytes]]:
        """An archived object by its archive-relative key (as the ledger holds it), streamed."""
        with self.objects.open(relative) as fh:
            yield fh

    def store(self, paths: ArchivePaths, *, pdf: Path, text: str, sidecar: dict[str, Any]) -> None:
        """PDF and text first, the sidecar last (it marks the record complete)."""
        self._put(paths.pdf, pdf)
        self._put(paths.text, text.encode("utf-8"))
        self._put(paths.sidecar, sidecar_bytes(sidecar))

    def _put(self, path: PurePosixPath | Path, data: bytes | Path) -> None:
        try:
            self.objects.put(self.relative(path), data)
        except FileExistsError as e:
            raise StorageError(BUSY) from e
        except OSError as e:  # no such bucket, access denied
            raise ArchiveWriteError(f"could not write to the archive ({type(e).__name__})") from e

    @contextmanager
    def lock(self, source_sha256: str) -> Iterator[None]:
        """Only one worker on this machine handles a record at a time; a dead holder frees it."""
        with self._locks.lock(source_sha256):
            yield

    def remove_stale_locks(self) -> int:
        return self._locks.remove_stale_locks()

    def remove_stale_temp_files(self) -> int:
        """Nothing to clear (a PUT leaves no temporary object); checks the bucket is reachable."""
        try:
            with storage_errors("reach the archive's bucket"):
                self.objects.fs.info(self.objects.root.split("/", 1)[0])
        except (FileNotFoundError, PermissionError) as e:
            raise StorageError(
                f"the archive's bucket ({self.root}) does not exist or may not be read; create it, "
                "or check the credentials"
            ) from e
        return 0

    def remove_orphans(self, council: str, source_sha256: str) -> int:
        """Delete a record's objects left by an attempt that died before its ledger row was written.

        Call only while holding `lock(source_sha256)` and after checking the ledger has no row.
        Raises StorageError (transient) if a worker elsewhere may still be writing them.
        """
        found = [key for folder in self.objects.folders(council) for key in self.objects.find(folder, source_sha256)]
        found = [key for key in found if PurePosixPath(key).stem == source_sha256]
        if any(not self._is_abandoned(key) for key in found):
            raise StorageError(BUSY)
        for key in found:
            try:
                self.objects.remove(key)
            except FileNotFoundError:
                continue
        return len(found)

    def _is_abandoned(self, relative: str) -> bool:
        try:
            writer = self.objects.writer(relative)
            modified = self.objects.info(relative).get("LastModified")
        except FileNotFoundError:
            return True
        if writer is None or writer == owner_tag() or is_gone_writer(writer):
            return True
        if not isinstance(modified, dt.datetime):
            return False
        age = dt.datetime.now(dt.timezone.utc) - modified
        return age.total_seconds() > ORPHAN_GRACE_SECONDS

    def files(self) -> Iterator[str]:
        """Archive objects by relative key; dot-names (like a local archive's) are not records."""
        for relative in self.objects.files():
            if not any(part.startswith(".") for part in relative.split("/")):
                yield relative


AnyArchive = Archive | ObjectArchive


def open_archive(
    location: str | Path, *, work_root: Path, storage_options: Mapping[str, Any] | None = None
) -> AnyArchive:
    """A local Archive for a folder; an ObjectArchive (locks under `work_root`) for a URL."""
    if isinstance(location, Path) or not is_object_url(location):
        return Archive(Path(location))
    return ObjectArchive(ObjectStore(location, storage_options), lock_root=work_root)


def require_local_archive(archive: AnyArchive, command: str) -> Archive:
    """Commands that read archive files by local path (review, search, train) refuse an archive
    in object storage with a clear message, instead of failing half-way."""
    if isinstance(archive, ObjectArchive):
        raise ConfigError(
            f"`digitise {command}` reads a local archive only, for now; this one is in object storage "
            f"({archive.root}). Run it with a local archive_root, or use `digitise verify` and `progress`"
        )
    return archive
