"""`Ledger`: the one entry point to the ledger; each method hands over to the module for its concern.

Callers see typed entries going in (entries.py) and typed rows coming out (rows.py); the SQL
lives in the private modules: _records (records, counters, quarantine, swept batches, fixity),
_search (the full-text index), _review, _inventory (estimates, exclusions), _disposal (sign-offs,
the destruction register, retention dates), _events (the audit trail) and _figures (sums for reports).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from typing import Any

from records.ledger import _access, _disposal, _events, _figures, _inventory, _records, _review
from records.ledger._database import Database
from records.ledger._search import SearchIndex
from records.ledger.entries import (
    ArchivedRecord, EstimateEntry, ExclusionEntry,
    PageStat, QuarantineEntry, RegisterEntry, SeenBatch, SignoffEntry, SourceFileEntry, TypeChange, UserEntry,
)
from records.ledger.rows import (
    Counter, EstimateRow, EventRow, ExclusionRow, FixityEntry,
    KeyFieldRow, LabelledRecordRow, QuarantineRow, RecordRow, RegisterRow, RescanRow, ReviewLabelRow, SearchRow,
    SessionRow, SignoffRow, SourceFileRow, UserRow,
)


class Ledger:
    """Thread-safe; one instance per process and database URL.

    Opening it brings the schema to the newest migration (safe when several workers start at
    once); a database error surfaces as LedgerError, without the SQL's parameters.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._db = Database(url)
        self.engine = self._db.engine
        self._search = SearchIndex(self._db)

    def dispose(self) -> None:
        self._db.dispose()

    # Records and counters

    def add_record(self, record: ArchivedRecord, *, ocr_options: dict[str, Any] | None = None) -> bool:
        """Insert the record and move its counters, once. False if it was already there.

        The audit trail's received, ocred, classified and archived events go in the same
        transaction, so a record is in the ledger exactly when its history is."""
        return _records.add_record(self._db, record, ocr_options or {})

    def add_record_extras(
        self, source_sha256: str, *, text: str, fields: Iterable[tuple[str, str]], pages: Iterable[PageStat]
    ) -> bool:
        """Store a record's key fields and page confidences and index its text, in one
        transaction; re-running replaces them. False if the record is not in the ledger."""
        return _records.add_record_extras(self._db, self._search, source_sha256, text=text, fields=fields, pages=pages)

    def replace_records(
        self, old_ids: list[str], new: list[ArchivedRecord], *, actor: str, event: str, detail: dict[str, Any],
    ) -> bool:
        """A reviewer's split or merge: `new` rows replace `old_ids`, counters and audit events in
        one transaction. False if an old record is gone or a new id exists already."""
        return _records.replace_records(self._db, self._search, old_ids, new, actor=actor, event=event, detail=detail)

    def records_of_file(self, source_file_sha256: str) -> list[RecordRow]:
        """The records split from one scanned file, in page order."""
        return _records.records_of_file(self._db, source_file_sha256)

    def finish_source_file(self, entry: SourceFileEntry) -> bool:
        """Mark a scanned stack done once all its records are in; False if it already was."""
        return _records.finish_source_file(self._db, entry)

    def source_file(self, sha256: str) -> SourceFileRow | None:
        """The finished scanned stack with this sha256, or None (not split, or not finished)."""
        return _records.source_file(self._db, sha256)

    def note_settings_changed(self, *, council: str, batch: str, sha256: str, before: str | None, now: str) -> None:
        """Audit a finished file met again under other separation settings (it is not split again)."""
        _records.note_settings_changed(self._db, council=council, batch=batch, sha256=sha256,
                                       before=before, now_used=now)

    def is_archived(self, source_sha256: str) -> bool:
        return _records.is_archived(self._db, source_sha256)

    def records(self, *, council: str | None = None, batch: str | None = None) -> list[RecordRow]:
        """Every archived record (or one council's, or one batch's), in the order they were archived."""
        return _records.records(self._db, council=council, batch=batch)

    def find_records(self, id_prefix: str, *, limit: int = 2) -> list[RecordRow]:
        """Records whose id (source sha256) starts with `id_prefix`, as logs print 12 characters."""
        return _records.find_records(self._db, id_prefix, limit=limit)

    def record_fields(self, source_sha256: str) -> list[KeyFieldRow]:
        """The key fields found in one record's text, in the order they were found."""
        return _records.record_fields(self._db, source_sha256)

    def counters(self) -> list[Counter]:
        """Records and pages per council and record type, by council then type."""
        return _records.counters(self._db)

    def fixity_entries(self) -> Iterator[FixityEntry]:
        """Every archived record's files and checksums, streamed in record order."""
        return _records.fixity_entries(self._db)

    # Quarantine and swept batch folders

    def add_quarantine(self, entry: QuarantineEntry) -> bool:
        """Record a failed input once per (path, content); False if already recorded."""
        return _records.add_quarantine(self._db, entry)

    def open_failures(self) -> dict[str, int]:
        """Unresolved quarantined inputs per council: 'failed, needs attention'."""
        return _records.open_failures(self._db)

    def quarantine_entries(
        self, *, include_resolved: bool = False, council: str | None = None, batch: str | None = None,
    ) -> list[QuarantineRow]:
        """Quarantined inputs in the order they failed; by default only those still unresolved."""
        return _records.quarantine_entries(self._db, include_resolved=include_resolved, council=council, batch=batch)

    def seen_batches(self) -> dict[tuple[str, str], SeenBatch]:
        """Every batch folder a sweep has handed on, keyed by (council, batch)."""
        return _records.seen_batches(self._db)

    def mark_batch_seen(self, batch: SeenBatch) -> None:
        """Record (or refresh) the folder state a sweep handed on; idempotent."""
        _records.mark_batch_seen(self._db, batch)

    # Full-text search

    def search_text(
        self, query: str, *, council: str | None = None, record_type: str | None = None, limit: int = 20,
        since: dt.datetime | None = None, until: dt.datetime | None = None,
    ) -> list[SearchRow]:
        """Records whose text matches, best first, each with `rank` (higher is better) and `snippet`;
        archived in [since, until) when given."""
        return self._search.search(query, council=council, record_type=record_type, limit=limit,
                                   since=since, until=until)

    def unindexed_records(self) -> list[RecordRow]:
        """Records archived before search existed, or whose indexing was interrupted."""
        return self._search.unindexed()

    # Review

    def review_queue(self, *, council: str | None = None) -> list[RecordRow]:
        """Records awaiting a person's decision on their type, by council."""
        return _review.review_queue(self._db, council=council)

    def next_for_review(self, councils: Collection[str] | None = None, *, after_id: int = 0) -> RecordRow | None:
        """The first record awaiting review after row id `after_id`, among `councils` (None: all)."""
        return _review.next_for_review(self._db, councils, after_id=after_id)

    def request_rescan(self, source_sha256: str, *, reason: str, requested_by: str) -> bool:
        """Send a record awaiting review back for re-scan: it leaves the queue, the request and
        its audit event are kept, in one transaction. False if it was not awaiting review."""
        return _review.request_rescan(self._db, source_sha256, reason=reason, requested_by=requested_by)

    def rescan_requests(self, *, council: str | None = None) -> list[RescanRow]:
        """Records sent back for re-scan, oldest first."""
        return _review.rescan_requests(self._db, council=council)

    def review_counts(self) -> dict[str, int]:
        """Records awaiting review, per council."""
        return _review.review_counts(self._db)

    def set_record_type(self, change: TypeChange) -> bool:
        """Apply a reviewer's type: the record row, both counters and the label, in one transaction.

        The row is updated only if it still has `change.expected_type`, so two reviewers racing
        on one record move the counters once. False (nothing written) if the row had changed.
        """
        return _review.set_record_type(self._db, change)

    def accept_capture(self, source_sha256: str, *, accepted_by: str) -> bool:
        """A person accepts a scan below the capture standard as it is: the record moves from
        "needs re-scan" to digitised in its counter, with an audit event, in one transaction.
        False (nothing written) if the record was not waiting for re-scan."""
        return _review.accept_capture(self._db, source_sha256, accepted_by)

    def labelled_records(self) -> list[LabelledRecordRow]:
        """Records a person has reviewed, with their current (reviewed) type: training labels."""
        return _review.labelled_records(self._db)

    def review_labels(self, source_sha256: str | None = None) -> list[ReviewLabelRow]:
        """Review decisions, oldest first (one record's, if given)."""
        return _review.review_labels(self._db, source_sha256)

    # Inventory: estimates and exclusions

    def add_estimate(self, estimate: EstimateEntry) -> None:
        """Append an inventory estimate; earlier ones stay as history (and in the audit trail)."""
        _inventory.add_estimate(self._db, estimate)

    def estimates(self, *, council: str | None = None) -> list[EstimateRow]:
        """Every estimate ever recorded, oldest first (the newest for each key is the last)."""
        return _inventory.estimates(self._db, council=council)

    def add_exclusion(self, exclusion: ExclusionEntry) -> None:
        """Append pages a council need not digitise (with the reason); earlier entries stay."""
        _inventory.add_exclusion(self._db, exclusion)

    def exclusions(self, *, council: str | None = None) -> list[ExclusionRow]:
        """Every exclusion recorded, oldest first; they add up."""
        return _inventory.exclusions(self._db, council=council)

    # Batch sign-offs, the destruction register, retention dates

    def add_signoff(self, entry: SignoffEntry) -> SignoffRow:
        """Record a person's quality check of a batch and its audit entry, in one transaction."""
        return _disposal.add_signoff(self._db, entry)

    def signoffs(self, council: str, batch: str) -> list[SignoffRow]:
        """A batch's sign-offs, oldest first (the newest counts)."""
        return _disposal.signoffs(self._db, council, batch)

    def add_to_register(self, entries: list[RegisterEntry], *, record_set: str) -> bool:
        """Enter one batch's records in the destruction register, with their audit entries, in one
        transaction, only if the batch is still as checked (newest sign-off, same records, none in
        review or quarantine, none of these entered yet); False (nothing written) otherwise."""
        return _disposal.add_to_register(self._db, entries, record_set=record_set)

    def destruction_register(self, *, council: str | None = None, batch: str | None = None) -> list[RegisterRow]:
        """Records whose paper may be destroyed, in the order they were entered."""
        return _disposal.register(self._db, council=council, batch=batch)

    def document_dates(self, *, council: str | None = None) -> dict[str, list[str]]:
        """The dates read from each record's text (ISO), by record id: what retention counts from."""
        return _disposal.document_dates(self._db, council)

    # The audit trail: append-only, so there is deliberately no method that changes it

    def events(
        self, *, record_prefix: str | None = None, council: str | None = None, batch: str | None = None,
    ) -> list[EventRow]:
        """Audit events, oldest first: for records whose id starts with `record_prefix`,
        or for one council (and batch)."""
        return _events.read(self._db, record_prefix=record_prefix, council=council, batch=batch)

    def last_event_id(self) -> int:
        """The newest audit event's id: every change to records, counters, quarantine, estimates
        or exclusions appends one, so figures computed at one value hold until it moves."""
        return _events.last_id(self._db)

    # Web users, sessions and sign-in attempts

    def put_user(self, user: UserEntry) -> bool:
        """Add a user, or replace their role, scope and password (ending their sessions); True if new."""
        return _access.put_user(self._db, user)

    def user(self, name: str) -> UserRow | None:
        return _access.user(self._db, name)

    def users(self) -> list[UserRow]:
        return _access.users(self._db)

    def add_session(self, session: SessionRow) -> None:
        """Store a new session (and drop expired ones)."""
        _access.add_session(self._db, session)

    def session(self, token_sha256: str) -> SessionRow | None:
        """The unexpired session whose token has this sha256, or None."""
        return _access.session(self._db, token_sha256)

    def end_session(self, token_sha256: str) -> None:
        _access.end_session(self._db, token_sha256)

    def note_login(self, user_name: str, client: str, *, succeeded: bool) -> None:
        _access.note_login(self._db, user_name, client, succeeded)

    def failed_logins(self, user_name: str, client: str, since: dt.datetime) -> int:
        """Failed sign-ins for this name from this client since `since` (or its last success)."""
        return _access.failed_logins(self._db, user_name, client, since)

    # Sums for reports and forecasts

    def daily_pages(self, since: dt.datetime | None = None) -> list[tuple[str, str, int]]:
        """(UTC day 'YYYY-MM-DD', council, pages archived that day), oldest first; from `since` if given."""
        return _figures.daily_pages(self._db, since)

    def pages_archived_between(self, start: dt.datetime, end: dt.datetime) -> dict[tuple[str, str], int]:
        """Pages archived in [start, end), per (council, current record type)."""
        return _figures.pages_archived_between(self._db, start, end)

    def page_confidence(self, threshold: float) -> dict[str, tuple[int, int]]:
        """Per council: (non-blank pages below `threshold`, pages with a recorded confidence)."""
        return _figures.page_confidence(self._db, threshold)
