"""A prefix in an object store (S3 and S3-compatible servers), used like a folder, through fsspec.

Shared by scan roots (records.intake.objects) and the archive (records.archive.objects). A
location is a local folder or an `s3://bucket/prefix` URL. The endpoint and credentials come
from the environment botocore reads (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_PROFILE, AWS_DEFAULT_REGION, ...) or from `storage_options` in pipeline.yaml; nothing is
hard-coded. Library failures become the transient StorageError; messages never carry a key
(keys hold file names).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

import fsspec

from records.archive.local import CHUNK, FILE_MODE, owner_tag
from records.errors import ConfigError, StorageError, UnsafePathError

try:  # botocore's own errors (no connection, bad credentials) are not OSErrors
    from botocore.exceptions import BotoCoreError, ClientError

    _CLIENT_ERRORS: tuple[type[BaseException], ...] = (OSError, BotoCoreError, ClientError)
except ImportError:  # pragma: no cover - s3fs (and so botocore) is not installed
    _CLIENT_ERRORS = (OSError,)

#: Object storage the archive's guarantees are built for (conditional PUTs, user metadata).
PROTOCOLS = ("s3",)
#: Listings are always fresh: a cached listing would hide objects another worker wrote.
DEFAULT_OPTIONS: dict[str, dict[str, Any]] = {"s3": {"use_listings_cache": False}}
WRITER_KEY = "writer"
_URL = re.compile(r"^(?P<protocol>[A-Za-z][A-Za-z0-9+.-]*)://(?P<path>.*)$")


def is_object_url(location: str | os.PathLike[str]) -> bool:
    """`s3://bucket/prefix` and the like; a Path, a plain path string or `file://` is local."""
    match = _URL.match(location) if isinstance(location, str) else None
    return match is not None and match["protocol"].lower() != "file"


def split_url(url: str) -> tuple[str, str]:
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
def storage_errors(action: str) -> Iterator[None]:
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
        self.protocol, self.root = split_url(url)
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
        if not all(map(is_plain, relative.split("/"))):
            raise UnsafePathError("a key from the input or the ledger is not a plain relative name")
        return f"{self.root}/{relative}"

    def url_for(self, relative: str) -> str:
        return f"{self.protocol}://{self.key(relative)}"

    def files(self) -> list[str]:
        """Every object under the prefix, by relative key, sorted; FileNotFoundError if no bucket."""
        with storage_errors("list objects"):
            found = cast(list[str], self.fs.find(self.root))
        prefix = self.root + "/"
        return sorted(k[len(prefix):] for k in found if k.startswith(prefix) and not k.endswith("/"))

    def folders(self, relative: str) -> list[str]:
        """Relative keys of the 'folders' (common prefixes) directly under `relative`."""
        try:
            with storage_errors("list objects"):
                entries = cast(list[dict[str, Any]], self.fs.ls(self.key(relative), detail=True))
        except FileNotFoundError:
            return []
        prefix = self.root + "/"
        return sorted(e["name"].rstrip("/")[len(prefix):] for e in entries if e.get("type") == "directory")

    def find(self, folder: str, name_prefix: str) -> list[str]:
        """Objects directly in `folder` whose name starts with `name_prefix` (one listing call)."""
        try:
            with storage_errors("list objects"):
                found = cast(list[str], self.fs.find(self.key(folder), prefix=name_prefix, maxdepth=1))
        except FileNotFoundError:
            return []
        prefix = self.root + "/"
        return sorted(k[len(prefix):] for k in found if k.startswith(prefix))

    def info(self, relative: str) -> dict[str, Any]:
        with storage_errors("read an object's details"):
            return cast(dict[str, Any], self.fs.info(self.key(relative)))

    def writer(self, relative: str) -> str | None:
        """The `<pid>@<host>` of the worker that wrote the object; None if not one of ours."""
        with storage_errors("read an object's details"):
            metadata = cast(dict[str, str], self.fs.metadata(self.key(relative), refresh=True))
        return metadata.get(WRITER_KEY)

    @contextmanager
    def open(self, relative: str) -> Iterator[IO[bytes]]:
        with storage_errors("read an object"), self.fs.open(self.key(relative), "rb") as fh:
            yield cast(IO[bytes], fh)

    def sha256(self, relative: str) -> str:
        """Streamed from the store: the checksum of the bytes actually stored."""
        digest = hashlib.sha256()
        with self.open(relative) as fh, storage_errors("read an object"):
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def download(self, relative: str, target: Path) -> None:
        """Copy an object to a new private local file (0640)."""
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
        with os.fdopen(fd, "wb") as out, self.open(relative) as src, storage_errors("read an object"):
            shutil.copyfileobj(src, out, CHUNK)

    def put(self, relative: str, data: bytes | Path) -> None:
        """Create the object, or raise FileExistsError if it exists: a PUT never overwrites here."""
        key = self.key(relative)
        extra = {"mode": "create", "Metadata": {WRITER_KEY: owner_tag()}}
        with storage_errors("write an object"):
            if isinstance(data, Path):
                self.fs.put_file(str(data), key, **extra)
            else:
                self.fs.pipe_file(key, data, **extra)

    def remove(self, relative: str) -> None:
        with storage_errors("delete an object"):
            self.fs.rm_file(self.key(relative))


def is_plain(part: str) -> bool:
    return bool(part) and part not in (".", "..") and "\\" not in part and "\0" not in part
