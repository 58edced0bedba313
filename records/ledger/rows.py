"""What the ledger hands back: typed, frozen rows instead of database mappings.

Callers read attributes (`row.pdf_path`), so a renamed or missing column fails where it is
used, and no SQLAlchemy row leaves the ledger. The fields of a table's row are its columns, in
the table's order: `dataclasses.asdict(row)` is the mapping the ledger used to return, which
the CLI's --json output and the Prefect artifacts print. Timestamps are as the database hands
them back: aware on PostgreSQL, naive on SQLite (written in UTC).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RecordRow:
    """One archived record (the `records` table); `source_sha256` is its id."""

    id: int
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
    archived_at: dt.datetime
    sidecar_sha256: str | None  # None for records archived before the ledger kept it
    # A record split from a scanned stack; None when one file is one record.
    source_file_sha256: str | None = None
    first_page: int | None = None
    last_page: int | None = None
    reference: str | None = None
    archive_format: str | None = None  # None: archived before the ledger kept it (plain PDF)
    rescan_pages: int | None = None  # pages below the capture standard; None: judged before it existed
    rescan_reasons: str | None = None

    @property
    def needs_rescan(self) -> bool:
        return bool(self.rescan_pages)


@dataclass(frozen=True, slots=True)
class SourceFileRow:
    """A scanned stack split into records, all in the ledger (the `source_files` table)."""

    sha256: str
    council: str
    batch: str
    source_path: str
    pages: int
    records: int
    separator_pages: int
    blank_pages: int
    settings_fingerprint: str
    done_at: dt.datetime


@dataclass(frozen=True, slots=True)
class QuarantineRow:
    """One quarantined input (the `quarantine` table)."""

    id: int
    council: str
    batch: str
    source_path: str
    source_sha256: str
    reason: str
    stage: str
    error_class: str
    message: str
    copy_path: str | None
    resolved: bool
    quarantined_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Counter:
    """Records and pages digitised for one council and record type, and those archived but
    below the capture standard (needing re-scan)."""

    council: str
    record_type: str
    records: int
    pages: int
    rescan_records: int = 0
    rescan_pages: int = 0


@dataclass(frozen=True, slots=True)
class FixityEntry:
    """One archived record's files (archive-relative paths) and the sha256 each should have.

    A None checksum means the ledger never stored one (a record archived before it did).
    """

    record_id: str
    files: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True, slots=True)
class KeyFieldRow:
    """One key field found in a record's text (NI numbers masked)."""

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class SearchRow:
    """A record whose text matches a search: `rank` is higher for a better match, `snippet`
    is OCR text around the match (for the person searching, never for a log)."""

    source_sha256: str
    council: str
    record_type: str
    source_path: str
    pdf_path: str
    text_path: str
    sidecar_path: str
    needs_review: bool
    rank: float
    snippet: str | None
    archived_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class LabelledRecordRow:
    """A record a person has reviewed, with its current (reviewed) type: a training label."""

    source_sha256: str
    record_type: str
    text_path: str


@dataclass(frozen=True, slots=True)
class ReviewLabelRow:
    """One review decision (the `review_labels` table)."""

    id: int
    source_sha256: str
    council: str
    record_type: str
    previous_type: str
    reviewed_by: str
    reviewed_at: dt.datetime


@dataclass(frozen=True, slots=True)
class EstimateRow:
    """One inventory estimate as recorded (the `inventory_estimates` table)."""

    id: int
    council: str
    record_type: str | None  # None: the council's total
    pages: int
    source: str
    as_of: dt.date | None
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ExclusionRow:
    """Pages recorded as needing no digitisation (the `exclusions` table)."""

    id: int
    council: str
    record_type: str | None  # None: not tied to one record type
    pages: int
    reason: str
    note: str
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class EventRow:
    """One audit event (the `record_events` table), its JSON detail decoded."""

    id: int
    record_id: str | None  # the record's source sha256; None for a council-level event
    council: str
    batch: str | None
    event: str
    actor: str | None
    detail: dict[str, Any]
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class UserRow:
    """A person who may use the web review station (the `users` table)."""

    id: int
    name: str
    role: str
    council: str | None  # None: every council
    password_hash: str | None  # None: identity only from a trusted proxy header
    disabled: bool
    created_by: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A signed-in web session (the `web_sessions` table), by the sha256 of its token."""

    token_sha256: str
    user_name: str
    csrf_token: str
    created_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class RescanRow:
    """A record a reviewer sent back to be scanned again (the `rescan_requests` table)."""

    id: int
    source_sha256: str
    council: str
    reason: str
    requested_by: str
    requested_at: dt.datetime


@dataclass(frozen=True, slots=True)
class SignoffRow:
    """One quality sign-off of a batch (the `batch_signoffs` table)."""

    id: int
    council: str
    batch: str
    signed_by: str
    sample_size: int
    findings: str
    records: int
    record_set_sha256: str
    signed_at: dt.datetime


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """A record whose paper may be destroyed (the `destruction_register` table)."""

    id: int
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
    approved_at: dt.datetime
