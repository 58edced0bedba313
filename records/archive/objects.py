"""Object storage (S3 and S3-compatible servers) for scan roots and the archive, through fsspec.

A location is a local folder or an `s3://bucket/prefix` URL. A local folder keeps the exact
code paths of records/intake/scan.py and records/archive/local.py; a URL is listed, read and written with
fsspec's s3fs. The endpoint and credentials come from the environment botocore reads
(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE, AWS_DEFAULT_REGION,
...) or from `storage_options` in pipeline.yaml; nothing is hard-coded.

The archive keeps a local archive's guarantees:
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

A scan root in object storage is listed with the local layout rules and refusals; each object
is downloaded (staged) into a private work folder before it is hashed and OCRed, so everything
after discovery reads a local file, as before. Quarantine copies and work files stay local.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

import fsspec

from records.archive.local import (
    CHUNK,
    FILE_MODE,
    Archive,
    ArchivePaths,
    is_gone_writer,
    make_private_dir,
    owner_tag,
    sidecar_bytes,
)
from records.errors import ArchiveWriteError, ConfigError, StorageError, UnsafePathError
from records.intake.scan import BAD_LAYOUT, IGNORED_NAMES, UNKNOWN_COUNCIL, RefusedItem, ScanItem, discover

try:  # botocore's own errors (no connection, bad credentials) are not OSErrors
    from botocore.exceptions import BotoCoreError, ClientError

    _CLIENT_ERRORS: tuple[type[BaseException], ...] = (OSError, BotoCoreError, ClientError)
except ImportError:  # pragma: no cover - s3fs (and so botocore) is not installed
    _CLIENT_ERRORS = (OSError,)

log = logging.getLogger(__name__)

#: Object storage the archive's guarantees are built for (conditional PUTs, user metadata).
PROTOCOLS = ("s3",)
#: Listings are always fresh: a cached listing would hide objects another worker wrote.
DEFAULT_OPTIONS: dict[str, dict[str, Any]] = {"s3": {"use_listings_cache": False}}
#: An orphan younger than this, written by another machine, may belong to a live worker.
ORPHAN_GRACE_SECONDS = 15 * 60
WRITER_KEY = "writer"
#: Where a discovered object's `path` points until it is staged: no file can ever be there.
UNSTAGED = Path("/dev/null/unstaged")
BUSY = "another worker is archiving this record at the same moment; it will be retried"
_URL = re.compile(r"^(?P<protocol>[A-Za-z][A-Za-z0-9+.-]*)://(?P<path>.*)$")
_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}")
UNNAMED = ("unsafe_path", "object key has an empty, '.' or '..' part; copy the object to a plain name")


def is_object_url(location: str | os.PathLike[str]) -> bool:
    """`s3://bucket/prefix` and the like; a Path, a plain path string or `file://` is local."""
    match = _URL.match(location) if isinstance(location, str) else None
    return match is not None and match["protocol"].lower() != "file"


def _split(url: str) -> tuple[str, str]:
    match = _URL.match(url)
    if not match:
        raise ConfigError(f"not an object-storage URL: {url!r} (expected s3://bucket/prefix)")
    protocol, root = match["protocol"].lower(), match["path"].strip("/")
    if protocol not in PROTOCOLS:
        raise ConfigError(f"{protocol}:// is not supported; object storage locations are s3://bucket/prefix")
    if not root or any(part in ("", ".", "..") for part in root.split("/")):
        raise ConfigError(f"{url!r} needs a bucket and plain folder names: s3://bucket/prefix")
    return protocol, root


@contextmanager
def _storage_errors(action: str) -> Iterator[None]:
    """Library failures become StorageError (transient); missing, existing and forbidden keys stay
    OSErrors for the caller to judge. Messages carry no key: keys hold file names."""
    try:
        yield
    except (FileNotFoundError, FileExistsError, PermissionError):
        raise
    except _CLIENT_ERRORS as e:
        raise StorageError(
            f"object storage could not {action} ({type(e).__name__}); check the endpoint "
            "(AWS_ENDPOINT_URL or storage_options), the bucket and the credentials, then re-run"
        ) from e


class ObjectStore:
    """A prefix in a bucket, used like a folder: keys relative to it, bytes in and out."""

    def __init__(self, url: str, storage_options: Mapping[str, Any] | None = None) -> None:
        self.protocol, self.root = _split(url)
        self.url = f"{self.protocol}://{self.root}"
        options = {**DEFAULT_OPTIONS.get(self.protocol, {}), **(storage_options or {})}
        try:
            self.fs = fsspec.filesystem(self.protocol, **options)
        except ImportError as e:
            raise ConfigError(
                f"{self.protocol}:// locations need s3fs: .venv/bin/pip install 'council-digitise[s3]'"
            ) from e

    def key(self, relative: str) -> str:
        """The full key (bucket/prefix/relative); a part that is not a plain name is refused."""
        if not all(map(_is_plain, relative.split("/"))):
            raise UnsafePathError("a key from the input or the ledger is not a plain relative name")
        return f"{self.root}/{relative}"

    def url_for(self, relative: str) -> str:
        return f"{self.protocol}://{self.key(relative)}"

    def files(self) -> list[str]:
        """Every object under the prefix, by relative key, sorted; FileNotFoundError if no bucket."""
        with _storage_errors("list objects"):
            found = cast(list[str], self.fs.find(self.root))
        prefix = self.root + "/"
        return sorted(k[len(prefix):] for k in found if k.startswith(prefix) and not k.endswith("/"))

    def folders(self, relative: str) -> list[str]:
        """Relative keys of the 'folders' (common prefixes) directly under `relative`."""
        try:
            with _storage_errors("list objects"):
                entries = cast(list[dict[str, Any]], self.fs.ls(self.key(relative), detail=True))
        except FileNotFoundError:
            return []
        prefix = self.root + "/"
        return sorted(e["name"].rstrip("/")[len(prefix):] for e in entries if e.get("type") == "directory")

    def find(self, folder: str, name_prefix: str) -> list[str]:
        """Objects directly in `folder` whose name starts with `name_prefix` (one listing call)."""
        try:
            with _storage_errors("list objects"):
                found = cast(list[str], self.fs.find(self.key(folder), prefix=name_prefix, maxdepth=1))
        except FileNotFoundError:
            return []
        prefix = self.root + "/"
        return sorted(k[len(prefix):] for k in found if k.startswith(prefix))

    def info(self, relative: str) -> dict[str, Any]:
        with _storage_errors("read an object's details"):
            return cast(dict[str, Any], self.fs.info(self.key(relative)))

    def writer(self, relative: str) -> str | None:
        """The `<pid>@<host>` of the worker that wrote the object; None if not one of ours."""
        with _storage_errors("read an object's details"):
            metadata = cast(dict[str, str], self.fs.metadata(self.key(relative), refresh=True))
        return metadata.get(WRITER_KEY)

    @contextmanager
    def open(self, relative: str) -> Iterator[IO[bytes]]:
        with _storage_errors("read an object"), self.fs.open(self.key(relative), "rb") as fh:
            yield cast(IO[bytes], fh)

    def sha256(self, relative: str) -> str:
        """Streamed from the store: the checksum of the bytes actually stored."""
        digest = hashlib.sha256()
        with self.open(relative) as fh, _storage_errors("read an object"):
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def download(self, relative: str, target: Path) -> None:
        """Copy an object to a new private local file (0640)."""
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
        with os.fdopen(fd, "wb") as out, self.open(relative) as src, _storage_errors("read an object"):
            shutil.copyfileobj(src, out, CHUNK)

    def put(self, relative: str, data: bytes | Path) -> None:
        """Create the object, or raise FileExistsError if it exists: a PUT never overwrites here."""
        key = self.key(relative)
        extra = {"mode": "create", "Metadata": {WRITER_KEY: owner_tag()}}
        with _storage_errors("write an object"):
            if isinstance(data, Path):
                self.fs.put_file(str(data), key, **extra)
            else:
                self.fs.pipe_file(key, data, **extra)

    def remove(self, relative: str) -> None:
        with _storage_errors("delete an object"):
            self.fs.rm_file(self.key(relative))


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
            with _storage_errors("reach the archive's bucket"):
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


def discover_location(
    location: str,
    *,
    councils: Iterable[str] | None = None,
    known_councils: Iterable[str] = (),
    storage_options: Mapping[str, Any] | None = None,
) -> tuple[list[ScanItem], list[RefusedItem]]:
    """`records.intake.scan.discover` for a local scan root; the same rules over objects for a URL."""
    if not is_object_url(location):
        return discover(Path(location), councils=councils, known_councils=known_councils)
    return discover_objects(ObjectStore(location, storage_options), councils=councils, known_councils=known_councils)


def discover_objects(
    store: ObjectStore, *, councils: Iterable[str] | None = None, known_councils: Iterable[str] = ()
) -> tuple[list[ScanItem], list[RefusedItem]]:
    """Objects as <prefix>/<council>/<batch>/<file>, accepted or refused like local files."""
    wanted = set(councils) if councils else None
    known = set(known_councils)
    accepted: list[ScanItem] = []
    refused: list[RefusedItem] = []
    try:
        keys = store.files()
    except FileNotFoundError as e:
        raise StorageError(f"the scan root's bucket ({store.url}) does not exist") from e
    unnamed = 0
    for relative in keys:
        parts = relative.split("/")
        if len(parts) < 2:  # at the root, in no council folder: a local scan root ignores these too
            continue
        if any(p.startswith(".") for p in parts) or parts[-1].lower() in IGNORED_NAMES:
            continue
        if wanted is not None and parts[0] not in wanted:
            continue
        if not all(map(_is_plain, parts)):  # `a//b`, `a/./b`: no folder could hold it
            if _is_plain(parts[0]):
                batch = parts[1] if len(parts) >= 3 and _is_plain(parts[1]) else ""
                refused.append(RefusedItem(ScanItem(parts[0], batch, UNSTAGED, relative), *UNNAMED))
            else:
                unnamed += 1
            continue
        item = ScanItem(parts[0], parts[1] if len(parts) >= 3 else "", UNSTAGED / relative, relative,
                        url=store.url_for(relative))
        reason = UNKNOWN_COUNCIL if known and item.council not in known else BAD_LAYOUT if len(parts) != 3 else None
        if reason:
            refused.append(RefusedItem(item, *reason))
        else:
            accepted.append(item)
    if unnamed:
        log.warning("%d objects skipped: their keys have no plain council folder name (empty, '.' or '..')", unnamed)
    return accepted, refused


def _is_plain(part: str) -> bool:
    return bool(part) and part not in (".", "..") and "\\" not in part and "\0" not in part


@contextmanager
def stage_item(
    item: ScanItem, work_root: Path, storage_options: Mapping[str, Any] | None = None
) -> Iterator[ScanItem]:
    """The item with `path` at a private local copy of its object, deleted afterwards.

    The folder is named like a record's work folder (`<16 hex>-<pid>@<host>~…`), so the startup
    clean-up removes it if a crash leaves it. OSError if the object cannot be read (gone,
    forbidden); StorageError if the store cannot be reached.
    """
    if item.url is None:
        yield item
        return
    protocol, key = _split(item.url)
    store = ObjectStore(f"{protocol}://{key.rsplit('/', 1)[0]}", storage_options)
    name = key.rsplit("/", 1)[1]
    suffix = PurePosixPath(name).suffix.lower()
    make_private_dir(work_root)
    tag = hashlib.sha256(item.url.encode()).hexdigest()[:16]
    folder = Path(tempfile.mkdtemp(prefix=f"{tag}-{owner_tag()}~", dir=work_root))
    try:
        target = folder / ("source" + (suffix if _SUFFIX.fullmatch(suffix) else ""))
        store.download(name, target)
        yield replace(item, path=target, url=None)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def require_local_archive(archive: AnyArchive, command: str) -> Archive:
    """Commands that read archive files by local path (review, search, train) refuse an archive
    in object storage with a clear message, instead of failing half-way."""
    if isinstance(archive, ObjectArchive):
        raise ConfigError(
            f"`digitise {command}` reads a local archive only, for now; this one is in object storage "
            f"({archive.root}). Run it with a local archive_root, or use `digitise verify` and `progress`"
        )
    return archive
