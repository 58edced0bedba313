"""The review queue: records the classifier was unsure of, or scanned below the capture standard
(records/capture.py: they stay queued, and count as needing re-scan, whatever their type), and
an operator's decision on each.

A decision moves the record's files to its new type's folder (new copies written and the
ledger committed before the old copies are removed, all under the record's archive lock),
moves the counters in the same ledger transaction as the record row, and keeps the label
for retraining. A crash part-way leaves either the old filing or a complete new one; running
the same decision again finishes the job.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from records.archive.local import Archive, ArchivePaths, sha256_bytes, write_atomic
from records.archive.objects import AnyArchive, require_local_archive
from records.classify.learned import LabelledText
from records.errors import LedgerError, ReviewError
from records.ledger import Ledger, RecordRow, TypeChange

log = logging.getLogger(__name__)

_RECORD_ID = re.compile(r"[0-9a-f]{8,64}")


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One record awaiting review, with the classifier's best guesses."""

    record_id: str
    council: str
    source_path: str
    record_type: str
    score: float
    candidates: tuple[tuple[str, float], ...]
    method: str
    pages: int
    blank_pages: int
    #: Why the record must be scanned again (comma-joined codes), if it fell below the capture standard.
    rescan_reasons: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewResult:
    record_id: str
    council: str
    previous_type: str
    record_type: str
    moved: bool
    pdf_path: str


def review_queue(ledger: Ledger, archive: AnyArchive, *, council: str | None = None) -> list[ReviewItem]:
    """Records awaiting review, by council; guesses come from each record's sidecar."""
    archive = require_local_archive(archive, "review")
    items = []
    for row in ledger.review_queue(council=council):
        classification = read_sidecar(archive.root / row.sidecar_path).get("classification", {})
        items.append(
            ReviewItem(
                record_id=row.source_sha256, council=row.council, source_path=row.source_path,
                record_type=row.record_type, score=float(row.score),
                candidates=tuple((c["record_type"], float(c["score"])) for c in classification.get("candidates", [])),
                method=str(classification.get("method", "rules")), pages=row.pages,
                blank_pages=row.blank_pages, rescan_reasons=row.rescan_reasons if row.needs_rescan else None,
            )
        )
    return items


def resolve_record(ledger: Ledger, record_id: str) -> RecordRow:
    """The one ledger row whose id is, or starts with, `record_id` (logs print 12 characters)."""
    record_id = record_id.strip().lower()
    if not _RECORD_ID.fullmatch(record_id):
        raise ReviewError("a record id is the hexadecimal id `digitise review` lists (at least 8 characters)")
    rows = ledger.find_records(record_id)
    if not rows:
        raise ReviewError("no archived record has that id; `digitise review` lists the queue")
    if len(rows) > 1:
        raise ReviewError("that id matches more than one record; give more of its characters")
    return rows[0]


def set_record_type(
    ledger: Ledger, archive: AnyArchive, record_id: str, new_type: str, *,
    reviewed_by: str, record_types: Iterable[str],
) -> ReviewResult:
    """File the record as `new_type`, as decided by `reviewed_by`; see the module docstring."""
    archive = require_local_archive(archive, "review set")
    known = sorted(record_types)
    if new_type not in known:
        raise ReviewError(f"unknown record type {new_type!r}; choose one of: {', '.join(known)}")
    if not reviewed_by.strip():
        raise ReviewError("say who reviewed the record (--by NAME)")
    sha = resolve_record(ledger, record_id).source_sha256
    with archive.lock(sha):
        row = ledger.find_records(sha)[0]  # again, under the lock: the filing may have moved
        return _apply(ledger, archive, row, new_type, reviewed_by.strip())


def _apply(ledger: Ledger, archive: Archive, row: RecordRow, new_type: str, reviewed_by: str) -> ReviewResult:
    sha, council, old_type = row.source_sha256, row.council, row.record_type
    old = ArchivePaths(*(archive.root / path for path in (row.pdf_path, row.text_path, row.sidecar_path)))
    new = archive.paths_for(council, new_type, sha)
    moving = new != old
    try:
        previous_sidecar = old.sidecar.read_bytes()
    except OSError as e:
        raise ReviewError("the record's sidecar is missing from the archive; `digitise verify` lists what is") from e
    body = _reviewed_sidecar(previous_sidecar, old_type, new_type, reviewed_by)
    if moving:
        write_atomic(new.pdf, old.pdf)
        write_atomic(new.text, old.text)
    write_atomic(new.sidecar, body)  # last: it marks the new filing complete
    change = TypeChange(
        source_sha256=sha, expected_type=old_type, new_type=new_type,
        pdf_path=archive.relative(new.pdf), text_path=archive.relative(new.text),
        sidecar_path=archive.relative(new.sidecar), sidecar_sha256=sha256_bytes(body), reviewed_by=reviewed_by,
    )
    try:
        applied = ledger.set_record_type(change)
    except LedgerError:
        _undo(new, moving, previous_sidecar)
        raise
    if not applied:
        _undo(new, moving, previous_sidecar)
        raise ReviewError("the record changed while it was being reviewed; list the queue and try again")
    if moving:
        _remove_files(old)
    _remove_stale_copies(archive, council, new_type, sha)
    log.info("record %s reviewed: type %s -> %s", sha[:12], old_type, new_type)
    return ReviewResult(sha, council, old_type, new_type, moving, change.pdf_path)


def _reviewed_sidecar(previous: bytes, old_type: str, new_type: str, reviewed_by: str) -> bytes:
    """The sidecar plus this review; the machine's own classification block is left as it was."""
    try:
        sidecar = json.loads(previous)
    except ValueError:
        sidecar = None
    if not isinstance(sidecar, dict):
        raise ReviewError("the record's sidecar is not a JSON object; `digitise verify` checks the archive")
    sidecar.setdefault("reviews", []).append({
        "record_type": new_type, "previous_type": old_type, "reviewed_by": reviewed_by,
        "reviewed_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    })
    return json.dumps(sidecar, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")


def _undo(new: ArchivePaths, moving: bool, previous_sidecar: bytes) -> None:
    """The ledger refused: the old filing stays the record's, so drop the new copies."""
    if moving:
        _remove_files(new)
    else:
        write_atomic(new.sidecar, previous_sidecar)


def _remove_files(paths: ArchivePaths) -> None:
    for path in (paths.sidecar, paths.pdf, paths.text):  # sidecar first: the filing is then incomplete
        path.unlink(missing_ok=True)


def _remove_stale_copies(archive: Archive, council: str, keep_type: str, sha: str) -> None:
    """Copies in other type folders left by an earlier decision that crashed before cleaning up."""
    keep = archive.paths_for(council, keep_type, sha).pdf.parent
    council_dir = keep.parent
    for folder in sorted(p for p in council_dir.iterdir() if p.is_dir() and p != keep and not p.name.startswith(".")):
        for suffix in (".json", ".pdf", ".txt"):
            (folder / f"{sha}{suffix}").unlink(missing_ok=True)


def read_sidecar(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("sidecar unreadable: %s", path.name[:12])
        return {}
    return data if isinstance(data, dict) else {}


def accept_capture(ledger: Ledger, record_id: str, *, accepted_by: str) -> RecordRow:
    """Count a record scanned below the capture standard as digitised, as `accepted_by` decides
    (the paper is the best there is: a faint carbon, a small slip). The sidecar keeps what the
    check found; the decision is in the audit trail (`capture_accepted`)."""
    if not accepted_by.strip():
        raise ReviewError("say who accepted the scan (--by NAME)")
    row = resolve_record(ledger, record_id)
    if not ledger.accept_capture(row.source_sha256, accepted_by=accepted_by.strip()):
        raise ReviewError("that record is not waiting for re-scan; `digitise review` lists those that are")
    log.info("record %s: scan accepted below the capture standard", row.source_sha256[:12])
    return row


def reviewed_examples(ledger: Ledger, archive: AnyArchive) -> list[LabelledText]:
    """Reviewed records' OCR text with the type a person gave them: labels for retraining."""
    archive = require_local_archive(archive, "train")
    examples = []
    for row in ledger.labelled_records():
        try:
            text = (archive.root / row.text_path).read_text(encoding="utf-8")
        except OSError:
            log.warning("text of reviewed record %s missing; not used for training", row.source_sha256[:12])
            continue
        examples.append(LabelledText(text, row.record_type))
    return examples
