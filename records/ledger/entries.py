"""What callers hand the ledger to write: one frozen dataclass per kind of change.

Their fields are the columns they fill, so a write is `insert(table).values(**columns_of(entry))`
plus the ledger's own timestamp.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ArchivedRecord:
    """A record whose files are in the archive, ready for its ledger row and counters."""

    source_sha256: str
    council: str
    batch: str
    source_path: str
    record_type: str
    score: float
    needs_review: bool
    pages: int
    words: int
    blank_pages: int
    mean_confidence: float
    pdf_path: str
    text_path: str
    sidecar_path: str
    pdf_sha256: str
    text_sha256: str
    engine: str
    languages: str
    pipeline_version: str
    sidecar_sha256: str | None = None
    #: A record split from a scanned stack (else None): its file, page range and cover-sheet reference.
    source_file_sha256: str | None = None
    first_page: int | None = None
    last_page: int | None = None
    reference: str | None = None
    #: The archive PDF's format ("pdfa-2b" or "pdf"); pages below the capture standard and why
    #: (comma-joined codes): with any, the record counts as needing re-scan, not as digitised.
    archive_format: str | None = None
    rescan_pages: int = 0
    rescan_reasons: str | None = None


@dataclass(frozen=True, slots=True)
class SourceFileEntry:
    """A scanned stack whose every record is in the ledger, and how its pages were accounted.

    `settings_fingerprint` names the separation settings that split it."""

    sha256: str
    council: str
    batch: str
    source_path: str
    pages: int
    records: int
    separator_pages: int
    blank_pages: int
    settings_fingerprint: str


@dataclass(frozen=True, slots=True)
class PageStat:
    """One page's OCR confidence and word count, stored with the record's key fields."""

    number: int
    confidence: float
    words: int
    blank: bool


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    """An input that could not be archived, and why (the message stays out of the event log)."""

    council: str
    batch: str
    source_path: str
    source_sha256: str
    reason: str
    stage: str
    error_class: str
    message: str
    copy_path: str | None


@dataclass(frozen=True, slots=True)
class SeenBatch:
    """A batch folder as a sweep saw it: how many files, and the newest change among them."""

    council: str
    batch: str
    files: int
    latest_mtime_ns: int


@dataclass(frozen=True, slots=True)
class TypeChange:
    """A reviewer's decision and where the record's files now are (archive-relative)."""

    source_sha256: str
    expected_type: str
    new_type: str
    pdf_path: str
    text_path: str
    sidecar_path: str
    sidecar_sha256: str
    reviewed_by: str


@dataclass(frozen=True, slots=True)
class EstimateEntry:
    """How many pages a council (or one of its record types) holds, as someone estimated."""

    council: str
    record_type: str | None  # None: the council's total
    pages: int
    source: str
    as_of: dt.date | None
    recorded_by: str


@dataclass(frozen=True, slots=True)
class ExclusionEntry:
    """Pages a council holds but need not digitise, with the reason."""

    council: str
    record_type: str | None
    pages: int
    reason: str
    note: str
    recorded_by: str


@dataclass(frozen=True, slots=True)
class UserEntry:
    """A new (or replaced) web user: role, council scope (None: all) and password hash."""

    name: str
    role: str
    council: str | None
    password_hash: str | None
    created_by: str
    disabled: bool = False


def record_set_sha256(record_ids: Iterable[str]) -> str:
    """One checksum for a set of record ids, whatever their order: what a sign-off covered."""
    return hashlib.sha256("\n".join(sorted(record_ids)).encode("ascii")).hexdigest()


@dataclass(frozen=True, slots=True)
class SignoffEntry:
    """A person's quality check of a batch: how many records they sampled, what they found,
    and which records the batch held (`record_set_sha256` of their sorted ids)."""

    council: str
    batch: str
    signed_by: str
    sample_size: int
    findings: str
    records: int
    record_set_sha256: str


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    """One record whose paper may be destroyed, as checked: checksums, retention, disposal date."""

    record_id: str
    council: str
    batch: str
    signoff_id: int
    record_type: str
    pages: int
    source_sha256: str
    first_page: int | None
    last_page: int | None
    pdf_sha256: str
    text_sha256: str
    sidecar_sha256: str
    retention: str
    disposal_date: dt.date | None
    disposal_basis: str
    approved_by: str
