"""The ledger: one row per archived record and exact per-council, per-type counters.

The only module that imports SQLAlchemy. A record's row and its counter increments are
written in one transaction, and the row's unique source hash decides whether the counters
move at all: re-runs, retries and concurrent runs can insert a record at most once.

`Ledger(url)` brings the schema to the newest Alembic revision (records/ledger/migrate.py,
safe when several workers start at once). A change to the tables (schema.py) ships with a migration
in records/ledger/migrations/versions/; tests/records/test_ledger_backends.py checks they agree.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    Table,
    case,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from records.archive.local import FILE_MODE, make_private_dir
from records.errors import LedgerError
from records.ledger.migrate import sqlite_pragmas, upgrade_to_head
from records.ledger.schema import (  # noqa: F401 - `metadata` and the tables are still imported from here
    PG_SEARCH_DDL,
    SQLITE_SEARCH_DDL,
    counters_table,
    exclusions_table,
    inventory_estimates_table,
    metadata,
    quarantine_table,
    record_events_table,
    record_fields_table,
    record_pages_table,
    records_table,
    review_labels_table,
    seen_batches_table,
)


@dataclass(frozen=True, slots=True)
class ArchivedRecord:
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


@dataclass(frozen=True, slots=True)
class FixityEntry:
    """One archived record's files (archive-relative paths) and the sha256 each should have.

    A None checksum means the ledger never stored one (a record archived before it did).
    """

    record_id: str
    files: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
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
class Counter:
    council: str
    record_type: str
    records: int
    pages: int


@dataclass(frozen=True, slots=True)
class SeenBatch:
    """A batch folder as a sweep saw it: how many files, and the newest change among them."""

    council: str
    batch: str
    files: int
    latest_mtime_ns: int


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Ledger:
    """Thread-safe; one instance per process and database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database:
            _make_private_file(Path(parsed.database))
        try:
            # hide_parameters: an error's text quotes the SQL, never the values (file names, text).
            self.engine: Engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
            weakref.finalize(self, self.engine.dispose)  # a dropped Ledger closes its connections
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            upgrade_to_head(self.engine)
        except SQLAlchemyError as e:
            raise LedgerError(f"cannot open the ledger ({_describe(e)})") from e

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as e:
            raise LedgerError(f"ledger write failed ({_describe(e)})") from e

    def _insert(self, table: Table) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def is_archived(self, source_sha256: str) -> bool:
        with self._transaction() as conn:
            row = conn.execute(
                select(records_table.c.id).where(records_table.c.source_sha256 == source_sha256)
            ).first()
        return row is not None

    def add_record(self, record: ArchivedRecord, *, ocr_options: dict[str, Any] | None = None) -> bool:
        """Insert the record and move its counters, once. False if it was already there.

        The audit trail's received, ocred, classified and archived events go in the same
        transaction, so a record is in the ledger exactly when its history is."""
        now = _now()
        with self._transaction() as conn:
            # RETURNING, not rowcount: PostgreSQL reports no rowcount for an INSERT that returns.
            inserted = conn.execute(
                self._insert(records_table)
                .values(**_asdict(record), archived_at=now)
                .on_conflict_do_nothing(index_elements=["source_sha256"])
                .returning(records_table.c.id)
            ).first()
            if inserted is None:
                return False
            stmt = self._insert(counters_table).values(
                council=record.council, record_type=record.record_type,
                records=1, pages=record.pages, updated_at=now,
            )
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["council", "record_type"],
                    set_={
                        "records": counters_table.c.records + 1,
                        "pages": counters_table.c.pages + stmt.excluded.pages,
                        "updated_at": now,
                    },
                )
            )
            conn.execute(
                update(quarantine_table)
                .where(quarantine_table.c.source_sha256 == record.source_sha256)
                .values(resolved=True)
            )
            _log_events(conn, now, record.council, record.batch, record.source_sha256, None,
                        _record_events(record, ocr_options or {}))
        return True

    def add_quarantine(self, entry: QuarantineEntry) -> bool:
        """Record a failed input once per (path, content); False if already recorded."""
        now = _now()
        with self._transaction() as conn:
            inserted = conn.execute(
                self._insert(quarantine_table)
                .values(**_asdict(entry), resolved=False, quarantined_at=now)
                .on_conflict_do_nothing(index_elements=["source_path", "source_sha256"])
                .returning(quarantine_table.c.id)
            ).first() is not None
            if inserted:  # the message stays in the quarantine table: the log holds codes only
                _log_events(conn, now, entry.council, entry.batch, entry.source_sha256, None, [
                    ("quarantined", {"reason": entry.reason, "stage": entry.stage,
                                     "error_class": entry.error_class, "source_path": entry.source_path}),
                ])
            return inserted

    def counters(self) -> list[Counter]:
        with self._transaction() as conn:
            rows = conn.execute(
                select(counters_table.c.council, counters_table.c.record_type,
                       counters_table.c.records, counters_table.c.pages)
                .order_by(counters_table.c.council, counters_table.c.record_type)
            ).all()
        return [Counter(*row) for row in rows]

    def open_failures(self) -> dict[str, int]:
        """Unresolved quarantined inputs per council: 'failed, needs attention'."""
        with self._transaction() as conn:
            rows = conn.execute(
                select(quarantine_table.c.council, func.count())
                .where(quarantine_table.c.resolved.is_(False))
                .group_by(quarantine_table.c.council)
            ).all()
        return {council: count for council, count in rows}

    def quarantine_entries(self, *, include_resolved: bool = False) -> list[dict[str, Any]]:
        query = select(quarantine_table).order_by(quarantine_table.c.id)
        if not include_resolved:
            query = query.where(quarantine_table.c.resolved.is_(False))
        with self._transaction() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def records(self, *, council: str | None = None) -> list[dict[str, Any]]:
        query = select(records_table).order_by(records_table.c.id)
        if council:
            query = query.where(records_table.c.council == council)
        with self._transaction() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def seen_batches(self) -> dict[tuple[str, str], SeenBatch]:
        """Every batch folder a sweep has handed on, keyed by (council, batch)."""
        with self._transaction() as conn:
            rows = conn.execute(
                select(seen_batches_table.c.council, seen_batches_table.c.batch,
                       seen_batches_table.c.files, seen_batches_table.c.latest_mtime_ns)
            ).all()
        return {(row[0], row[1]): SeenBatch(*row) for row in rows}

    def mark_batch_seen(self, batch: SeenBatch) -> None:
        """Record (or refresh) the folder state a sweep handed on; idempotent."""
        now = _now()
        stmt = self._insert(seen_batches_table).values(**_asdict(batch), seen_at=now)
        with self._transaction() as conn:
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["council", "batch"],
                    set_={"files": stmt.excluded.files,
                          "latest_mtime_ns": stmt.excluded.latest_mtime_ns, "seen_at": now},
                )
            )

    def fixity_entries(self) -> Iterator[FixityEntry]:
        """Every archived record's files and checksums, streamed in record order."""
        t = records_table
        query = select(
            t.c.source_sha256, t.c.pdf_path, t.c.pdf_sha256, t.c.text_path, t.c.text_sha256,
            t.c.sidecar_path, t.c.sidecar_sha256,
        ).order_by(t.c.id)
        with self._transaction() as conn:
            for row in conn.execute(query).yield_per(1000):
                yield FixityEntry(row[0], ((row[1], row[2]), (row[3], row[4]), (row[5], row[6])))

    def dispose(self) -> None:
        self.engine.dispose()

    # --- Issue #6: key fields, full-text search, review labels, estimates, report queries -----
    # Kept together so the reliability work above stays easy to read. Counters still move only
    # by SQL increments, in the same transaction as the change that moves them.

    def add_record_extras(
        self, source_sha256: str, *, text: str, fields: Iterable[tuple[str, str]], pages: Iterable[PageStat]
    ) -> bool:
        """Store a record's key fields and page confidences and index its text, in one
        transaction; re-running replaces them. False if the record is not in the ledger."""
        self._ensure_search()
        with self._transaction() as conn:
            record_id = conn.execute(
                select(records_table.c.id).where(records_table.c.source_sha256 == source_sha256)
            ).scalar()
            if record_id is None:
                return False
            for table, rows in (
                (record_fields_table, [{"kind": k, "value": v} for k, v in fields]),
                (record_pages_table, [_asdict(p) for p in pages]),
            ):
                conn.execute(delete(table).where(table.c.source_sha256 == source_sha256))
                if rows:
                    conn.execute(insert(table), [{"source_sha256": source_sha256, **row} for row in rows])
            _index_text(conn, record_id, text)
        return True

    def record_fields(self, source_sha256: str) -> list[tuple[str, str]]:
        with self._transaction() as conn:
            rows = conn.execute(
                select(record_fields_table.c.kind, record_fields_table.c.value)
                .where(record_fields_table.c.source_sha256 == source_sha256)
                .order_by(record_fields_table.c.id)
            ).all()
        return [(kind, value) for kind, value in rows]

    def search_text(
        self, query: str, *, council: str | None = None, record_type: str | None = None, limit: int = 20
    ) -> list[dict[str, Any]]:
        """Records whose text matches, best first, each with `rank` (higher is better) and `snippet`."""
        self._ensure_search()
        params: dict[str, Any] = {"limit": limit, "council": council, "record_type": record_type}
        filters = "".join(
            f" AND r.{name} = :{name}" for name in ("council", "record_type") if params[name] is not None
        )
        if self.engine.dialect.name == "postgresql":
            sql, params["q"] = _PG_SEARCH.format(filters=filters), query
        else:
            match = fts5_query(query)
            if match is None:
                return []
            sql, params["q"] = _SQLITE_SEARCH.format(filters=filters), match
        with self._transaction() as conn:
            return [dict(row) for row in conn.execute(sql_text(sql), params).mappings()]

    def unindexed_records(self) -> list[dict[str, Any]]:
        """Records archived before search existed, or whose indexing was interrupted."""
        self._ensure_search()
        indexed = (
            "SELECT record_id FROM record_text_search" if self.engine.dialect.name == "postgresql"
            else "SELECT rowid FROM record_text_fts"
        )
        with self._transaction() as conn:
            rows = conn.execute(sql_text(f"SELECT * FROM records WHERE id NOT IN ({indexed}) ORDER BY id"))
            return [dict(row) for row in rows.mappings()]

    def find_records(self, id_prefix: str, *, limit: int = 2) -> list[dict[str, Any]]:
        """Records whose id (source sha256) starts with `id_prefix`, as logs print 12 characters."""
        query = (
            select(records_table)
            .where(records_table.c.source_sha256.startswith(id_prefix.lower(), autoescape=True))
            .order_by(records_table.c.id)
            .limit(limit)
        )
        with self._transaction() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def review_queue(self, *, council: str | None = None) -> list[dict[str, Any]]:
        query = select(records_table).where(records_table.c.needs_review.is_(True))
        if council:
            query = query.where(records_table.c.council == council)
        with self._transaction() as conn:
            rows = conn.execute(query.order_by(records_table.c.council, records_table.c.id))
            return [dict(row._mapping) for row in rows]

    def set_record_type(self, change: TypeChange) -> bool:
        """Apply a reviewer's type: the record row, both counters and the label, in one transaction.

        The row is updated only if it still has `change.expected_type`, so two reviewers racing
        on one record move the counters once. False (nothing written) if the row had changed.
        """
        now = _now()
        rec = records_table.c
        with self._transaction() as conn:
            updated = conn.execute(
                update(records_table)
                .where(rec.source_sha256 == change.source_sha256, rec.record_type == change.expected_type)
                .values(record_type=change.new_type, needs_review=False, pdf_path=change.pdf_path,
                        text_path=change.text_path, sidecar_path=change.sidecar_path,
                        sidecar_sha256=change.sidecar_sha256)
            ).rowcount
            if updated != 1:
                return False
            council, pages = conn.execute(
                select(rec.council, rec.pages).where(rec.source_sha256 == change.source_sha256)
            ).one()
            if change.new_type != change.expected_type:
                _move_counter(conn, self._insert(counters_table), council, change, pages, now)
            conn.execute(
                insert(review_labels_table).values(
                    source_sha256=change.source_sha256, council=council, record_type=change.new_type,
                    previous_type=change.expected_type, reviewed_by=change.reviewed_by, reviewed_at=now,
                )
            )
            batch = conn.execute(select(rec.batch).where(rec.source_sha256 == change.source_sha256)).scalar()
            _log_events(conn, now, council, batch, change.source_sha256, change.reviewed_by, [
                ("reviewed", {"previous_type": change.expected_type, "record_type": change.new_type,
                              "pages": pages, "sidecar_sha256": change.sidecar_sha256}),
            ])
        return True

    def labelled_records(self) -> list[dict[str, Any]]:
        """Records a person has reviewed, with their current (reviewed) type: training labels."""
        reviewed = select(review_labels_table.c.source_sha256).distinct()
        query = (
            select(records_table.c.source_sha256, records_table.c.record_type, records_table.c.text_path)
            .where(records_table.c.source_sha256.in_(reviewed))
            .order_by(records_table.c.id)
        )
        with self._transaction() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def review_labels(self, source_sha256: str | None = None) -> list[dict[str, Any]]:
        query = select(review_labels_table).order_by(review_labels_table.c.id)
        if source_sha256:
            query = query.where(review_labels_table.c.source_sha256 == source_sha256)
        with self._transaction() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def add_estimate(self, estimate: EstimateEntry) -> None:
        """Append an inventory estimate; earlier ones stay as history (and in the audit trail)."""
        now = _now()
        with self._transaction() as conn:
            conn.execute(insert(inventory_estimates_table).values(**_asdict(estimate), recorded_at=now))
            _log_events(conn, now, estimate.council, None, None, estimate.recorded_by, [
                ("estimate_changed", {"record_type": estimate.record_type, "pages": estimate.pages,
                                      "source": estimate.source,
                                      "as_of": estimate.as_of.isoformat() if estimate.as_of else None}),
            ])

    def estimates(self, *, council: str | None = None) -> list[dict[str, Any]]:
        """Every estimate ever recorded, oldest first (the newest for each key is the last)."""
        est = inventory_estimates_table.c
        query = select(inventory_estimates_table).order_by(est.council, est.recorded_at, est.id)
        if council:
            query = query.where(est.council == council)
        with self._transaction() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def daily_pages(self) -> list[tuple[str, str, int]]:
        """(UTC day 'YYYY-MM-DD', council, pages archived that day), oldest first."""
        day = func.date(records_table.c.archived_at)
        with self._transaction() as conn:
            rows = conn.execute(
                select(day, records_table.c.council, func.sum(records_table.c.pages))
                .group_by(day, records_table.c.council)
                .order_by(day, records_table.c.council)
            ).all()
        return [(str(d), council, int(pages)) for d, council, pages in rows]

    def page_confidence(self, threshold: float) -> dict[str, tuple[int, int]]:
        """Per council: (non-blank pages below `threshold`, pages with a recorded confidence)."""
        pages, rec = record_pages_table.c, records_table.c
        low = func.sum(case(((pages.confidence < threshold) & pages.blank.is_(False), 1), else_=0))
        with self._transaction() as conn:
            rows = conn.execute(
                select(rec.council, low, func.count())
                .select_from(record_pages_table.join(records_table, pages.source_sha256 == rec.source_sha256))
                .group_by(rec.council)
            ).all()
        return {council: (int(low_pages or 0), int(measured)) for council, low_pages, measured in rows}

    def review_counts(self) -> dict[str, int]:
        """Records awaiting review, per council."""
        with self._transaction() as conn:
            rows = conn.execute(
                select(records_table.c.council, func.count())
                .where(records_table.c.needs_review.is_(True))
                .group_by(records_table.c.council)
            ).all()
        return {council: int(count) for council, count in rows}

    # --- Issue #9: audit trail, exclusions, forecasting ---------------------------------------
    # The event log is append-only: there is deliberately no method that updates or deletes it.

    def add_exclusion(self, exclusion: ExclusionEntry) -> None:
        """Append pages a council need not digitise (with the reason); earlier entries stay."""
        now = _now()
        with self._transaction() as conn:
            conn.execute(insert(exclusions_table).values(**_asdict(exclusion), recorded_at=now))
            _log_events(conn, now, exclusion.council, None, None, exclusion.recorded_by, [
                ("excluded", {"record_type": exclusion.record_type, "pages": exclusion.pages,
                              "reason": exclusion.reason, "note": exclusion.note}),
            ])

    def exclusions(self, *, council: str | None = None) -> list[dict[str, Any]]:
        """Every exclusion recorded, oldest first; they add up."""
        ex = exclusions_table.c
        query = select(exclusions_table).order_by(ex.council, ex.recorded_at, ex.id)
        if council:
            query = query.where(ex.council == council)
        with self._transaction() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def events(
        self, *, record_prefix: str | None = None, council: str | None = None, batch: str | None = None,
    ) -> list[dict[str, Any]]:
        """Audit events, oldest first: for records whose id starts with `record_prefix`,
        or for one council (and batch)."""
        ev = record_events_table.c
        query = select(record_events_table).order_by(ev.id)
        if record_prefix is not None:
            query = query.where(ev.record_id.startswith(record_prefix.lower(), autoescape=True))
        if council is not None:
            query = query.where(ev.council == council)
        if batch is not None:
            query = query.where(ev.batch == batch)
        with self._transaction() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        for row in rows:
            row["detail"] = json.loads(row["detail"])
        return rows

    def pages_archived_between(self, start: dt.datetime, end: dt.datetime) -> dict[tuple[str, str], int]:
        """Pages archived in [start, end), per (council, current record type)."""
        rec = records_table.c
        with self._transaction() as conn:
            rows = conn.execute(
                select(rec.council, rec.record_type, func.sum(rec.pages))
                .where(rec.archived_at >= start, rec.archived_at < end)
                .group_by(rec.council, rec.record_type)
            ).all()
        return {(council, record_type): int(pages) for council, record_type, pages in rows}

    def _ensure_search(self) -> None:
        """Create the full-text index on first use (FTS5 on SQLite, tsvector + GIN on PostgreSQL)."""
        if getattr(self, "_search_ready", False):
            return
        statements = PG_SEARCH_DDL if self.engine.dialect.name == "postgresql" else SQLITE_SEARCH_DDL
        with self._transaction() as conn:
            for statement in statements:
                conn.execute(sql_text(statement))
        self._search_ready = True


def _asdict(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


def _describe(error: SQLAlchemyError) -> str:
    """Class and driver error code (SQLITE_BUSY, a PostgreSQL SQLSTATE): never the SQL or its parameters."""
    driver_error = getattr(error, "orig", None)
    code = getattr(driver_error, "sqlite_errorname", None) or getattr(driver_error, "sqlstate", None)
    return f"{type(error).__name__} {code}" if code else type(error).__name__


def _make_private_file(path: Path) -> None:
    """The SQLite file (and so its -wal and -shm companions, which copy its mode) is 0640."""
    make_private_dir(path.parent)
    if not path.exists():
        path.touch(mode=FILE_MODE)
        os.chmod(path, FILE_MODE)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    sqlite_pragmas(dbapi_conn, busy_ms=60_000, synchronous="NORMAL")


# --- Issue #6: key fields, page confidences, review labels, inventory estimates, search ---------


@dataclass(frozen=True, slots=True)
class PageStat:
    number: int
    confidence: float
    words: int
    blank: bool


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
    council: str
    record_type: str | None  # None: the council's total
    pages: int
    source: str
    as_of: dt.date | None
    recorded_by: str


@dataclass(frozen=True, slots=True)
class ExclusionEntry:
    council: str
    record_type: str | None
    pages: int
    reason: str
    note: str
    recorded_by: str


def _record_events(record: ArchivedRecord, ocr_options: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("received", {"source_path": record.source_path}),
        ("ocred", {"engine": record.engine, "languages": record.languages,
                   "pipeline_version": record.pipeline_version, "options": ocr_options,
                   "pages": record.pages, "blank_pages": record.blank_pages,
                   "mean_confidence": record.mean_confidence}),
        ("classified", {"record_type": record.record_type, "score": record.score,
                        "needs_review": record.needs_review}),
        ("archived", {"pdf_path": record.pdf_path, "pdf_sha256": record.pdf_sha256,
                      "text_sha256": record.text_sha256, "sidecar_sha256": record.sidecar_sha256}),
    ]


def _log_events(
    conn: Connection, now: dt.datetime, council: str, batch: str | None, record_id: str | None,
    actor: str | None, events: list[tuple[str, dict[str, Any]]],
) -> None:
    conn.execute(insert(record_events_table), [
        {"record_id": record_id, "council": council, "batch": batch, "event": event, "actor": actor,
         "detail": json.dumps(detail, sort_keys=True, default=str), "at": now}
        for event, detail in events
    ])


def _move_counter(
    conn: Connection, upsert: Any, council: str, change: TypeChange, pages: int, now: dt.datetime
) -> None:
    """Decrement the old type's counter and increment the new one's, in SQL; drop empty rows."""
    c = counters_table.c
    conn.execute(
        update(counters_table)
        .where(c.council == council, c.record_type == change.expected_type)
        .values(records=c.records - 1, pages=c.pages - pages, updated_at=now)
    )
    stmt = upsert.values(council=council, record_type=change.new_type, records=1, pages=pages, updated_at=now)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["council", "record_type"],
            set_={"records": c.records + 1, "pages": c.pages + stmt.excluded.pages, "updated_at": now},
        )
    )
    conn.execute(delete(counters_table).where(c.council == council, c.record_type == change.expected_type,
                                              c.records <= 0))


_SQLITE_SEARCH = """
SELECT r.source_sha256, r.council, r.record_type, r.source_path, r.pdf_path, r.text_path,
       r.sidecar_path, r.needs_review, -bm25(record_text_fts) AS rank,
       snippet(record_text_fts, 0, '[', ']', '…', 14) AS snippet
FROM record_text_fts JOIN records AS r ON r.id = record_text_fts.rowid
WHERE record_text_fts MATCH :q{filters}
ORDER BY bm25(record_text_fts), r.id
LIMIT :limit
"""
# Not testable without a PostgreSQL server; written to the same contract as the SQLite path.
_PG_SEARCH = """
SELECT r.source_sha256, r.council, r.record_type, r.source_path, r.pdf_path, r.text_path,
       r.sidecar_path, r.needs_review, ts_rank_cd(s.document, q) AS rank,
       ts_headline('english', s.body, q,
                   'StartSel=[, StopSel=], MaxWords=20, MinWords=8, MaxFragments=1') AS snippet
FROM record_text_search AS s JOIN records AS r ON r.id = s.record_id,
     websearch_to_tsquery('english', :q) AS q
WHERE s.document @@ q{filters}
ORDER BY rank DESC, r.id
LIMIT :limit
"""


def _index_text(conn: Connection, record_id: int, body: str) -> None:
    params = {"id": record_id, "body": body}
    if conn.dialect.name == "postgresql":
        conn.execute(sql_text(
            "INSERT INTO record_text_search (record_id, body, document) "
            "VALUES (:id, :body, to_tsvector('english', :body)) "
            "ON CONFLICT (record_id) DO UPDATE SET body = excluded.body, document = excluded.document"
        ), params)
        return
    conn.execute(sql_text("DELETE FROM record_text_fts WHERE rowid = :id"), params)
    conn.execute(sql_text("INSERT INTO record_text_fts (rowid, body) VALUES (:id, :body)"), params)


_QUERY_TERM = re.compile(r'"([^"]*)"|(\S+)')


def fts5_query(query: str) -> str | None:
    """A person's search words as a safe FTS5 expression: every word must match, "quoted
    phrases" match in order, a trailing * matches a prefix, OR between words widens the search.
    Each term is quoted, so punctuation such as 25/01234/HOU cannot break the query syntax."""
    parts: list[str] = []
    for phrase, word in _QUERY_TERM.findall(query):
        if word == "OR":
            if parts and parts[-1] != "OR":
                parts.append("OR")
            continue
        raw = phrase if phrase else word
        prefix = not phrase and raw.endswith("*")
        cleaned = raw.rstrip("*").replace('"', " ").strip()
        if any(ch.isalnum() for ch in cleaned):
            parts.append(f'"{cleaned}"' + ("*" if prefix else ""))
    while parts and parts[-1] == "OR":
        parts.pop()
    if parts and parts[0] == "OR":
        parts.pop(0)
    return " ".join(parts) or None
