"""Archived records and their counters, exactly once per source file; quarantine and swept batches.

A record's row, its counter increments, the resolution of any quarantine entry for the same
content and its audit events are one transaction, and the row's unique source sha256 decides
whether any of it happens: re-runs, retries and concurrent workers insert a record at most
once. Counters move only by SQL increments, never by a value read back first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from records.ledger import _events
from records.ledger._database import Database, columns_of, now, rows_as
from records.ledger._search import SearchIndex
from records.ledger.entries import ArchivedRecord, PageStat, QuarantineEntry, SeenBatch, SourceFileEntry
from records.ledger.rows import Counter, FixityEntry, KeyFieldRow, QuarantineRow, RecordRow, SourceFileRow
from records.ledger.schema import (
    counters_table,
    quarantine_table,
    record_fields_table,
    record_pages_table,
    records_table,
    seen_batches_table,
    source_files_table,
)


def add_record(db: Database, record: ArchivedRecord, ocr_options: dict[str, Any]) -> bool:
    """Insert the record, move its counters and log its events, once; False if it was there."""
    at = now()
    with db.transaction() as conn:
        # RETURNING, not rowcount: PostgreSQL reports no rowcount for an INSERT that returns.
        inserted = conn.execute(
            db.upsert(records_table)
            .values(**columns_of(record), archived_at=at)
            .on_conflict_do_nothing(index_elements=["source_sha256"])
            .returning(records_table.c.id)
        ).first()
        if inserted is None:
            return False
        move_counter(conn, db, record.council, record.record_type, counter_moves(record.pages, record.rescan_pages, 1), at)
        resolved = [record.source_sha256] + ([record.source_file_sha256] if record.source_file_sha256 else [])
        conn.execute(
            update(quarantine_table)
            .where(quarantine_table.c.source_sha256.in_(resolved))
            .values(resolved=True)
        )
        _events.append(conn, at, record.council, record.batch, record.source_sha256, None,
                       _events.archiving(record, ocr_options))
    return True


def replace_records(
    db: Database, search: SearchIndex, old_ids: list[str], new: list[ArchivedRecord], *,
    actor: str, event: str, detail: dict[str, Any],
) -> bool:
    """Put `new` records in the place of `old_ids` (a reviewer's split or merge), counters
    moved by SQL increments, with one `event` per record naming `actor`: one transaction.
    False (nothing written) if an old record is gone or a new id exists already."""
    at = now()
    search.ensure()
    rec = records_table.c
    with db.transaction() as conn:
        olds = rows_as(RecordRow, conn.execute(select(records_table).where(rec.source_sha256.in_(old_ids))))
        taken = conn.execute(select(rec.id).where(rec.source_sha256.in_([r.source_sha256 for r in new]))).first()
        if len(olds) != len(set(old_ids)) or taken is not None:
            return False
        for row in olds:
            move_counter(conn, db, row.council, row.record_type, counter_moves(row.pages, row.rescan_pages, -1), at)
            for table in (record_fields_table, record_pages_table):
                conn.execute(delete(table).where(table.c.source_sha256 == row.source_sha256))
            search.forget(conn, row.id)
            conn.execute(delete(records_table).where(rec.id == row.id))
            _events.append(conn, at, row.council, row.batch, row.source_sha256, actor, [
                (event, {**detail, "into": [r.source_sha256 for r in new]}),
            ])
        for record in new:
            conn.execute(insert(records_table).values(**columns_of(record), archived_at=at))
            move_counter(conn, db, record.council, record.record_type,
                         counter_moves(record.pages, record.rescan_pages, 1), at)
            _events.append(conn, at, record.council, record.batch, record.source_sha256, actor, [
                (event, {**detail, "from": old_ids, "first_page": record.first_page, "last_page": record.last_page,
                         "record_type": record.record_type, "pages": record.pages}),
                ("archived", {"pdf_path": record.pdf_path, "pdf_sha256": record.pdf_sha256,
                              "text_sha256": record.text_sha256, "sidecar_sha256": record.sidecar_sha256}),
            ])
        conn.execute(delete(counters_table).where(EMPTY_COUNTER))
    return True


#: A counter row with nothing left in it, digitised or needing re-scan: deleted after a move.
EMPTY_COUNTER = (counters_table.c.records <= 0) & (counters_table.c.rescan_records <= 0)


def counter_moves(pages: int, rescan_pages: int | None, sign: int) -> dict[str, int]:
    """What one record adds to (`sign` 1) or takes from (-1) its counter row: to the digitised
    columns, or to the re-scan ones when it has pages below the capture standard."""
    if rescan_pages:
        return {"rescan_records": sign, "rescan_pages": sign * pages}
    return {"records": sign, "pages": sign * pages}


def move_counter(conn: Any, db: Database, council: str, record_type: str, moves: dict[str, int], at: Any) -> None:
    """Add `moves` (column -> amount) to a counter row, in SQL, creating the row if need be."""
    values = {"records": 0, "pages": 0, "rescan_records": 0, "rescan_pages": 0, **moves}
    stmt = db.upsert(counters_table).values(council=council, record_type=record_type, updated_at=at, **values)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["council", "record_type"],
        set_={**{name: counters_table.c[name] + stmt.excluded[name] for name in values}, "updated_at": at},
    ))


def records_of_file(db: Database, source_file_sha256: str) -> list[RecordRow]:
    """The records split from one scanned file, in page order."""
    rec = records_table.c
    query = select(records_table).where(rec.source_file_sha256 == source_file_sha256).order_by(rec.first_page)
    with db.transaction() as conn:
        return rows_as(RecordRow, conn.execute(query))


def finish_source_file(db: Database, entry: SourceFileEntry) -> bool:
    """Mark a scanned stack done, once (its records are in already); False if it was marked."""
    at = now()
    with db.transaction() as conn:
        inserted = conn.execute(
            db.upsert(source_files_table)
            .values(**columns_of(entry), done_at=at)
            .on_conflict_do_nothing(index_elements=["sha256"])
            .returning(source_files_table.c.sha256)
        ).first() is not None
        if inserted:
            _events.append(conn, at, entry.council, entry.batch, entry.sha256, None, [
                ("separated", {"pages": entry.pages, "records": entry.records,
                               "separator_pages": entry.separator_pages, "blank_pages": entry.blank_pages,
                               "settings_fingerprint": entry.settings_fingerprint}),
            ])
        return inserted


def source_file(db: Database, sha256: str) -> SourceFileRow | None:
    with db.transaction() as conn:
        rows = rows_as(SourceFileRow, conn.execute(
            select(source_files_table).where(source_files_table.c.sha256 == sha256)))
    return rows[0] if rows else None


def note_settings_changed(
    db: Database, *, council: str, batch: str, sha256: str, before: str | None, now_used: str,
) -> None:
    """A finished file met again under other separation settings: it is not split again."""
    with db.transaction() as conn:
        _events.append(conn, now(), council, batch, sha256, None, [
            ("separation_settings_changed", {"before": before, "now": now_used, "action": "kept_as_split"}),
        ])


def add_record_extras(
    db: Database, search: SearchIndex, source_sha256: str, *,
    text: str, fields: Iterable[tuple[str, str]], pages: Iterable[PageStat],
) -> bool:
    """Replace a record's key fields and page confidences and index its text, in one
    transaction. False if the record is not in the ledger."""
    search.ensure()
    with db.transaction() as conn:
        record_id = conn.execute(
            select(records_table.c.id).where(records_table.c.source_sha256 == source_sha256)
        ).scalar()
        if record_id is None:
            return False
        for table, rows in (
            (record_fields_table, [{"kind": k, "value": v} for k, v in fields]),
            (record_pages_table, [columns_of(p) for p in pages]),
        ):
            conn.execute(delete(table).where(table.c.source_sha256 == source_sha256))
            if rows:
                conn.execute(insert(table), [{"source_sha256": source_sha256, **row} for row in rows])
        search.index(conn, record_id, text)
    return True


def is_archived(db: Database, source_sha256: str) -> bool:
    with db.transaction() as conn:
        row = conn.execute(
            select(records_table.c.id).where(records_table.c.source_sha256 == source_sha256)
        ).first()
    return row is not None


def records(db: Database, *, council: str | None = None, batch: str | None = None) -> list[RecordRow]:
    query = select(records_table).order_by(records_table.c.id)
    if council:
        query = query.where(records_table.c.council == council)
    if batch is not None:
        query = query.where(records_table.c.batch == batch)
    with db.transaction() as conn:
        return rows_as(RecordRow, conn.execute(query))


def find_records(db: Database, id_prefix: str, *, limit: int) -> list[RecordRow]:
    query = (
        select(records_table)
        .where(records_table.c.source_sha256.startswith(id_prefix.lower(), autoescape=True))
        .order_by(records_table.c.id)
        .limit(limit)
    )
    with db.transaction() as conn:
        return rows_as(RecordRow, conn.execute(query))


def record_fields(db: Database, source_sha256: str) -> list[KeyFieldRow]:
    fields = record_fields_table.c
    query = select(fields.kind, fields.value).where(fields.source_sha256 == source_sha256).order_by(fields.id)
    with db.transaction() as conn:
        return rows_as(KeyFieldRow, conn.execute(query))


def fixity_entries(db: Database) -> Iterator[FixityEntry]:
    t = records_table
    query = select(
        t.c.source_sha256, t.c.pdf_path, t.c.pdf_sha256, t.c.text_path, t.c.text_sha256,
        t.c.sidecar_path, t.c.sidecar_sha256,
    ).order_by(t.c.id)
    with db.transaction() as conn:
        for row in conn.execute(query).yield_per(1000):
            yield FixityEntry(row[0], ((row[1], row[2]), (row[3], row[4]), (row[5], row[6])))


def counters(db: Database) -> list[Counter]:
    c = counters_table.c
    with db.transaction() as conn:
        rows = conn.execute(
            select(c.council, c.record_type, c.records, c.pages, c.rescan_records, c.rescan_pages)
            .order_by(c.council, c.record_type)
        ).all()
    return [Counter(*row) for row in rows]


def add_quarantine(db: Database, entry: QuarantineEntry) -> bool:
    """Record a failed input once per (path, content); False if already recorded."""
    at = now()
    with db.transaction() as conn:
        inserted = conn.execute(
            db.upsert(quarantine_table)
            .values(**columns_of(entry), resolved=False, quarantined_at=at)
            .on_conflict_do_nothing(index_elements=["source_path", "source_sha256"])
            .returning(quarantine_table.c.id)
        ).first() is not None
        if inserted:  # the message stays in the quarantine table: the log holds codes only
            _events.append(conn, at, entry.council, entry.batch, entry.source_sha256, None, [
                ("quarantined", {"reason": entry.reason, "stage": entry.stage,
                                 "error_class": entry.error_class, "source_path": entry.source_path}),
            ])
        return inserted


def open_failures(db: Database) -> dict[str, int]:
    q = quarantine_table.c
    with db.transaction() as conn:
        rows = conn.execute(select(q.council, func.count()).where(q.resolved.is_(False)).group_by(q.council)).all()
    return {council: count for council, count in rows}


def quarantine_entries(
    db: Database, *, include_resolved: bool, council: str | None, batch: str | None,
) -> list[QuarantineRow]:
    q = quarantine_table.c
    query = select(quarantine_table).order_by(q.id)
    if not include_resolved:
        query = query.where(q.resolved.is_(False))
    if council is not None:
        query = query.where(q.council == council)
    if batch is not None:
        query = query.where(q.batch == batch)
    with db.transaction() as conn:
        return rows_as(QuarantineRow, conn.execute(query))


def seen_batches(db: Database) -> dict[tuple[str, str], SeenBatch]:
    s = seen_batches_table.c
    with db.transaction() as conn:
        rows = conn.execute(select(s.council, s.batch, s.files, s.latest_mtime_ns)).all()
    return {(row[0], row[1]): SeenBatch(*row) for row in rows}


def mark_batch_seen(db: Database, batch: SeenBatch) -> None:
    at = now()
    stmt = db.upsert(seen_batches_table).values(**columns_of(batch), seen_at=at)
    with db.transaction() as conn:
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["council", "batch"],
                set_={"files": stmt.excluded.files, "latest_mtime_ns": stmt.excluded.latest_mtime_ns, "seen_at": at},
            )
        )
