"""Every table of the ledger, in one place: the one `metadata` the code and the migrations share.

Alembic's migrations (records/ledger/migrations/versions/) create these tables, and
tests/records/test_ledger_backends.py checks that they agree with `metadata`; a change here
ships with a migration (records/ledger/migrate.py says how). The full-text index is the one
exception: its tables depend on the database (SQLite FTS5, PostgreSQL tsvector), are made on
first use from the DDL at the end of this module, and are named RUNTIME_TABLE_PREFIX* so
autogenerate leaves them alone.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
)

metadata = MetaData()

#: One row per archived record, unique by the source file's sha256 (the record id).
records_table = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_sha256", String(64), nullable=False, unique=True),
    Column("council", String(64), nullable=False, index=True),
    Column("batch", String(255), nullable=False),
    Column("source_path", String(1024), nullable=False),
    Column("record_type", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("needs_review", Boolean, nullable=False),
    Column("pages", Integer, nullable=False),
    Column("words", Integer, nullable=False),
    Column("blank_pages", Integer, nullable=False),
    Column("mean_confidence", Float, nullable=False),
    Column("pdf_path", String(1024), nullable=False),
    Column("text_path", String(1024), nullable=False),
    Column("sidecar_path", String(1024), nullable=False),
    Column("pdf_sha256", String(64), nullable=False),
    Column("text_sha256", String(64), nullable=False),
    Column("engine", String(128), nullable=False),
    Column("languages", String(64), nullable=False),
    Column("pipeline_version", String(32), nullable=False),
    Column("archived_at", DateTime(timezone=True), nullable=False),
    # Added after the first release; NULL for records archived before it (see migration 0001).
    Column("sidecar_sha256", String(64), nullable=True),
    # A record split from a scanned stack: its file's sha256, its page range in that file and its
    # cover-sheet reference. NULL when one file is one record (the record id is then the file's sha256).
    Column("source_file_sha256", String(64), nullable=True, index=True),
    Column("first_page", Integer, nullable=True),
    Column("last_page", Integer, nullable=True),
    Column("reference", String(255), nullable=True),
    # The archive PDF's format, "pdfa-2b" or "pdf" (NULL: archived before the ledger kept it, plain PDF).
    Column("archive_format", String(16), nullable=True),
    # Pages below the capture standard and the reasons (comma-joined codes): a record with any is
    # counted as needing re-scan, not as digitised. NULL: judged before the standard existed (none).
    Column("rescan_pages", Integer, nullable=True),
    Column("rescan_reasons", String(255), nullable=True),
    # The review queue: the next record awaiting review, per council, in archive order.
    Index("ix_records_review_queue", "needs_review", "council", "id"),
    # Forecasts and the dashboard sum the pages archived in a recent window: the index covers the sums.
    Index("ix_records_archived_at", "archived_at", "council", "record_type", "pages"),
)

#: A record waiting for re-scan: some of its pages are below its council's capture standard
#: (NULL in rows archived before the standard existed). The one spelling every query uses.
NEEDS_RESCAN = func.coalesce(records_table.c.rescan_pages, 0) > 0

#: Scanned stacks split into records, one row once every record of the file is in the ledger:
#: a re-run skips the file; its separator and blank pages are accounted here.
source_files_table = Table(
    "source_files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("council", String(64), nullable=False, index=True),
    Column("batch", String(255), nullable=False),
    Column("source_path", String(1024), nullable=False),
    Column("pages", Integer, nullable=False),
    Column("records", Integer, nullable=False),
    Column("separator_pages", Integer, nullable=False),
    Column("blank_pages", Integer, nullable=False),
    Column("settings_fingerprint", String(64), nullable=False),
    Column("done_at", DateTime(timezone=True), nullable=False),
)

#: Records and pages per (council, record type), moved only by SQL increments: digitised ones in
#: `records` and `pages`, those below the capture standard in `rescan_records` and `rescan_pages`.
counters_table = Table(
    "counters",
    metadata,
    Column("council", String(64), primary_key=True),
    Column("record_type", String(64), primary_key=True),
    Column("records", Integer, nullable=False),
    Column("pages", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("rescan_records", Integer, nullable=False, server_default="0"),
    Column("rescan_pages", Integer, nullable=False, server_default="0"),
)

#: Inputs that could not be archived, once per (path, content); resolved when archived later.
quarantine_table = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("council", String(64), nullable=False, index=True),
    Column("batch", String(255), nullable=False),
    Column("source_path", String(1024), nullable=False),
    Column("source_sha256", String(64), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("error_class", String(128), nullable=False),
    Column("message", String(2000), nullable=False),
    Column("copy_path", String(1024), nullable=True),
    Column("resolved", Boolean, nullable=False, default=False),
    Column("quarantined_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("source_path", "source_sha256", name="uq_quarantine_source"),
)

#: Batch folders a sweep has already handed to a batch run, with the folder's state at the time.
seen_batches_table = Table(
    "seen_batches",
    metadata,
    Column("council", String(64), primary_key=True),
    Column("batch", String(255), primary_key=True),
    Column("files", Integer, nullable=False),
    Column("latest_mtime_ns", BigInteger, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

#: Key fields found in a record's text (reference numbers, masked NI numbers...).
record_fields_table = Table(
    "record_fields",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_sha256", String(64), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("value", String(64), nullable=False),  # NI numbers arrive masked
    Index("ix_record_fields_kind_value", "kind", "value"),
)

#: Each page's OCR confidence and word count, for the reports' low-confidence figures.
record_pages_table = Table(
    "record_pages",
    metadata,
    Column("source_sha256", String(64), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("confidence", Float, nullable=False),
    Column("words", Integer, nullable=False),
    Column("blank", Boolean, nullable=False),
)

#: A person's decision on a record's type: kept as training labels.
review_labels_table = Table(
    "review_labels",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_sha256", String(64), nullable=False, index=True),
    Column("council", String(64), nullable=False),
    Column("record_type", String(64), nullable=False),
    Column("previous_type", String(64), nullable=False),
    Column("reviewed_by", String(128), nullable=False),
    Column("reviewed_at", DateTime(timezone=True), nullable=False),
)

#: How many pages a council holds, as estimated: append-only history, the newest counts.
inventory_estimates_table = Table(
    "inventory_estimates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("council", String(64), nullable=False, index=True),
    Column("record_type", String(64), nullable=True),  # NULL: the council's total
    Column("pages", Integer, nullable=False),
    Column("source", String(500), nullable=False),
    Column("as_of", Date, nullable=True),
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

#: Every state change of every record, and every estimate or exclusion: append-only.
#: `detail` is JSON of codes, versions, checksums and paths: never OCR text or field values.
record_events_table = Table(
    "record_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(64), nullable=True, index=True),  # source sha256; NULL: council-level
    Column("council", String(64), nullable=False),
    Column("batch", String(255), nullable=True),
    Column("event", String(32), nullable=False),
    Column("actor", String(128), nullable=True),  # a person, for reviews, estimates, exclusions
    Column("detail", String(4000), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_record_events_council_batch", "council", "batch"),
)

#: Pages a council holds but need not digitise (past retention, duplicates, out of scope).
exclusions_table = Table(
    "exclusions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("council", String(64), nullable=False, index=True),
    Column("record_type", String(64), nullable=True),  # NULL: not tied to one record type
    Column("pages", Integer, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("note", String(500), nullable=False),
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

#: People who may use the web review station: a role (viewer, reviewer, admin) and the one
#: council they may see (NULL: every council). No password hash: identity comes only from a
#: trusted reverse proxy's header.
users_table = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("council", String(64), nullable=True),
    Column("password_hash", String(255), nullable=True),
    Column("disabled", Boolean, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: Signed-in web sessions; the cookie carries the token, the ledger only its sha256.
web_sessions_table = Table(
    "web_sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_name", String(128), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

#: Every sign-in attempt, kept so that rate limiting per name and client address survives restarts.
login_attempts_table = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_name", String(128), nullable=False),
    Column("client", String(64), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_login_attempts_user_client_at", "user_name", "client", "at"),
)

#: Records a reviewer sent back to be scanned again (they leave the review queue).
rescan_requests_table = Table(
    "rescan_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_sha256", String(64), nullable=False, index=True),
    Column("council", String(64), nullable=False, index=True),
    Column("reason", String(64), nullable=False),
    Column("requested_by", String(128), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
)

#: A person's quality check of a batch: append-only, the newest counts. `records` and
#: `record_set_sha256` (of the sorted record ids) say which records it covered, so a batch that
#: gained or lost records since must be checked again before its paper may be destroyed.
batch_signoffs_table = Table(
    "batch_signoffs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("council", String(64), nullable=False),
    Column("batch", String(255), nullable=False),
    Column("signed_by", String(128), nullable=False),
    Column("sample_size", Integer, nullable=False),
    Column("findings", String(2000), nullable=False),
    Column("records", Integer, nullable=False),
    Column("record_set_sha256", String(64), nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False),
    Index("ix_batch_signoffs_council_batch", "council", "batch"),
)

#: Records whose paper may be destroyed: one row per record, written once, with the checksums
#: verified and the retention rule and disposal date as they stood when it was decided.
destruction_register_table = Table(
    "destruction_register",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(64), nullable=False, unique=True),
    Column("council", String(64), nullable=False),
    Column("batch", String(255), nullable=False),
    Column("signoff_id", Integer, nullable=False),
    Column("record_type", String(64), nullable=False),
    Column("pages", Integer, nullable=False),
    Column("source_sha256", String(64), nullable=False),  # the scanned file's (a stack's, for its records)
    Column("first_page", Integer, nullable=True),
    Column("last_page", Integer, nullable=True),
    Column("pdf_sha256", String(64), nullable=False),
    Column("text_sha256", String(64), nullable=False),
    Column("sidecar_sha256", String(64), nullable=False),
    Column("retention", String(255), nullable=False),
    Column("disposal_date", Date, nullable=True),  # NULL: kept indefinitely, or no rule
    Column("disposal_basis", String(32), nullable=False),
    Column("approved_by", String(128), nullable=False),
    Column("approved_at", DateTime(timezone=True), nullable=False),
    Index("ix_destruction_register_council_batch", "council", "batch"),
)

#: The full-text index's tables start with this; Alembic's autogenerate ignores them.
RUNTIME_TABLE_PREFIX = "record_text_"

#: SQLite: an FTS5 table whose rowid is the record's `records.id`.
SQLITE_SEARCH_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS record_text_fts "
    "USING fts5(body, tokenize = 'porter unicode61 remove_diacritics 2')",
)
#: PostgreSQL: the text and its tsvector per record, with a GIN index.
PG_SEARCH_DDL = (
    "CREATE TABLE IF NOT EXISTS record_text_search ("
    " record_id INTEGER PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,"
    " body TEXT NOT NULL, document TSVECTOR NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_record_text_search_document ON record_text_search USING GIN (document)",
)
