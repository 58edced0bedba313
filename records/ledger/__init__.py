"""The ledger: the pipeline's one database, on SQLite or PostgreSQL, behind `Ledger(url)`.

What it holds (records/ledger/schema.py):
    records, counters       one row per archived record; records and pages per council and type
    quarantine              inputs that could not be archived, with the reason and the next step
    seen_batches            batch folders a sweep has already handed to a batch run
    record_fields, record_pages, record_text_*
                            key fields, page confidences and the full-text index of each record
    review_labels           people's decisions on record types, kept for retraining
    inventory_estimates, exclusions
                            pages each council holds, and pages it need not digitise (history)
    users, web_sessions, login_attempts
                            who may use the web review station, their sessions, sign-in attempts
    rescan_requests         records a reviewer sent back to be scanned again
    batch_signoffs, destruction_register
                            people's quality checks of batches; records whose paper may be destroyed
    record_events           the audit trail of every change above

What it guarantees:
- A record's row and its counter increments are one transaction keyed on the source file's
  sha256 (unique): re-runs, retries and concurrent workers insert a record, and move its
  counters, at most once. Counters move only by SQL increments; a review decision moves a
  record between types' counters in the transaction that changes its row, and only if the
  row still has the type the reviewer saw.
- Every change is logged in record_events in the transaction that makes it; the log is
  append-only and holds codes, versions, checksums and paths, never OCR text or key-field values.
- `Ledger(url)` brings the schema to the newest Alembic migration (records/ledger/migrate.py),
  safely when several workers start at once. A table change ships with a migration in
  records/ledger/migrations/versions/; tests/records/test_ledger_backends.py checks they agree.
- Errors surface as LedgerError naming the driver's code, never the SQL's parameters.
- SQLAlchemy stays inside this package: callers pass entries (entries.py) and get frozen,
  typed rows back (rows.py).
"""

from records.ledger._search import fts5_query
from records.ledger.entries import (
    ArchivedRecord,
    EstimateEntry,
    ExclusionEntry,
    PageStat,
    QuarantineEntry,
    RegisterEntry,
    SeenBatch,
    SignoffEntry,
    SourceFileEntry,
    TypeChange,
    UserEntry,
    record_set_sha256,
)
from records.ledger.facade import Ledger
from records.ledger.rows import (
    Counter,
    EstimateRow,
    EventRow,
    ExclusionRow,
    FixityEntry,
    KeyFieldRow,
    LabelledRecordRow,
    QuarantineRow,
    RecordRow,
    RegisterRow,
    RescanRow,
    ReviewLabelRow,
    SearchRow,
    SessionRow,
    SignoffRow,
    SourceFileRow,
    UserRow,
)

__all__ = [
    "ArchivedRecord",
    "Counter",
    "EstimateEntry",
    "EstimateRow",
    "EventRow",
    "ExclusionEntry",
    "ExclusionRow",
    "FixityEntry",
    "KeyFieldRow",
    "LabelledRecordRow",
    "Ledger",
    "PageStat",
    "QuarantineEntry",
    "QuarantineRow",
    "RecordRow",
    "RegisterEntry",
    "RegisterRow",
    "RescanRow",
    "ReviewLabelRow",
    "SearchRow",
    "SeenBatch",
    "SessionRow",
    "SignoffEntry",
    "SignoffRow",
    "SourceFileEntry",
    "SourceFileRow",
    "TypeChange",
    "UserEntry",
    "UserRow",
    "fts5_query",
    "record_set_sha256",
]
