"""Quarantine: a private copy of each input that could not be processed, with its reason.

The source is never moved, changed or deleted; the copy lets an operator inspect the
file even after the scan folder has been cleared.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from records.archive.local import is_regular_file, make_private_dir, safe_child, sha256_bytes, write_atomic
from records.errors import ArchiveWriteError, UnsafePathError
from records.intake.scan import ScanItem

log = logging.getLogger(__name__)

NO_BATCH = "_no_batch"
_PLAIN_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}")


@dataclass(frozen=True, slots=True)
class QuarantineNote:
    reason: str
    stage: str
    error_class: str
    message: str


def quarantine_file(root: Path, item: ScanItem, source_sha256: str, note: QuarantineNote) -> Path | None:
    """Copy the input and its reason under root/<council>/<batch>/; return the copy's path.

    Returns None when the input cannot be copied (unreadable, or not a regular file: a link
    is never followed, a pipe never opened); the reason file is written all the same.
    """
    make_private_dir(root)
    folder = safe_child(root, item.council, item.batch or NO_BATCH)
    stem = source_sha256[:16] + "-" + sha256_bytes(item.relative.encode())[:8]
    copy: Path | None = folder / f"{stem}{_copy_suffix(item.path)}"
    try:
        if note.reason == "unsafe_path" or not is_regular_file(item.path):
            raise UnsafePathError("not copied: not a regular file")
        write_atomic(copy, item.path)  # type: ignore[arg-type]
    except (OSError, UnsafePathError, ArchiveWriteError) as e:  # a failed copy must not hide the reason
        log.debug("quarantine copy skipped for %s: %s", source_sha256[:12], type(e).__name__)
        copy = None
    reason = {
        "source_path": item.relative,
        "source_sha256": source_sha256,
        "reason": note.reason,
        "stage": note.stage,
        "error_class": note.error_class,
        "message": note.message,
        "copy": copy.name if copy else None,
        "quarantined_at": dt.datetime.now(dt.timezone.utc).isoformat(),
    }
    write_atomic(folder / f"{stem}.reason.json", json.dumps(reason, indent=2).encode())
    return copy


def _copy_suffix(path: Path) -> str:
    """Keep a plain extension so the copy opens in the right viewer; anything else is .bin."""
    suffix = path.suffix.lower()
    return suffix if _PLAIN_SUFFIX.fullmatch(suffix) else ".bin"
