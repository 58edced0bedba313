"""Scan roots in object storage: listed with the local layout rules and refusals, each object
staged (downloaded) into a private work folder before it is hashed and OCRed, so everything
after discovery reads a local file. Quarantine copies and work files stay local.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

from records.archive.local import make_private_dir, owner_tag
from records.errors import StorageError
from records.intake.scan import BAD_LAYOUT, IGNORED_NAMES, UNKNOWN_COUNCIL, RefusedItem, ScanItem, discover
from records.object_store import ObjectStore, is_object_url, is_plain, split_url

log = logging.getLogger(__name__)

#: Where a discovered object's `path` points until it is staged: no file can ever be there.
UNSTAGED = Path("/dev/null/unstaged")
UNNAMED = ("unsafe_path", "object key has an empty, '.' or '..' part; copy the object to a plain name")
_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}")


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
        if not all(map(is_plain, parts)):  # `a//b`, `a/./b`: no folder could hold it
            if is_plain(parts[0]):
                batch = parts[1] if len(parts) >= 3 and is_plain(parts[1]) else ""
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
    protocol, key = split_url(item.url)
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
