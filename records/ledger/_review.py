"""A person's decisions on records the classifier was unsure of: the queue, type changes, labels.

A decision changes the record's row, moves a record and its pages from the old type's counter
to the new one's, keeps the label and logs the event, all in one transaction; it applies only
if the row still has the type the reviewer saw, so two reviewers racing on one record move
the counters once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from records.ledger import _events
from records.ledger._database import Database, now, rows_as
from records.ledger.entries import TypeChange
from records.ledger.rows import LabelledRecordRow, RecordRow, RescanRow, ReviewLabelRow
from records.ledger.schema import counters_table, records_table, rescan_requests_table, review_labels_table


def review_queue(db: Database, *, council: str | None = None) -> list[RecordRow]:
    query = select(records_table).where(records_table.c.needs_review.is_(True))
    if council:
        query = query.where(records_table.c.council == council)
    with db.transaction() as conn:
        return rows_as(RecordRow, conn.execute(query.order_by(records_table.c.council, records_table.c.id)))


def next_for_review(db: Database, councils: Collection[str] | None, *, after_id: int = 0) -> RecordRow | None:
    """The first record awaiting review after `after_id`, among `councils` (None: all); one
    indexed lookup (ix_records_review_queue), however long the queue."""
    rec = records_table.c
    query = select(records_table).where(rec.needs_review.is_(True), rec.id > after_id)
    if councils is not None:
        query = query.where(rec.council.in_(sorted(councils)))
    with db.transaction() as conn:
        rows = rows_as(RecordRow, conn.execute(query.order_by(rec.id).limit(1)))
    return rows[0] if rows else None


def request_rescan(db: Database, source_sha256: str, *, reason: str, requested_by: str) -> bool:
    """Take the record out of the review queue as sent back for re-scan, with the request and its
    audit event, in one transaction; False if the record is not awaiting review."""
    at = now()
    rec = records_table.c
    with db.transaction() as conn:
        updated = conn.execute(
            update(records_table).where(rec.source_sha256 == source_sha256, rec.needs_review.is_(True))
            .values(needs_review=False)
        ).rowcount
        if updated != 1:
            return False
        council, batch, pages = conn.execute(
            select(rec.council, rec.batch, rec.pages).where(rec.source_sha256 == source_sha256)).one()
        conn.execute(insert(rescan_requests_table).values(
            source_sha256=source_sha256, council=council, reason=reason, requested_by=requested_by, requested_at=at))
        _events.append(conn, at, council, batch, source_sha256, requested_by, [
            ("rescan_requested", {"reason": reason, "pages": pages}),
        ])
    return True


def rescan_requests(db: Database, *, council: str | None = None) -> list[RescanRow]:
    query = select(rescan_requests_table).order_by(rescan_requests_table.c.id)
    if council:
        query = query.where(rescan_requests_table.c.council == council)
    with db.transaction() as conn:
        return rows_as(RescanRow, conn.execute(query))


def review_counts(db: Database) -> dict[str, int]:
    rec = records_table.c
    with db.transaction() as conn:
        rows = conn.execute(
            select(rec.council, func.count()).where(rec.needs_review.is_(True)).group_by(rec.council)
        ).all()
    return {council: int(count) for council, count in rows}


def set_record_type(db: Database, change: TypeChange) -> bool:
    """Apply the decision; False (nothing written) if the row no longer has `expected_type`."""
    at = now()
    rec = records_table.c
    with db.transaction() as conn:
        updated = conn.execute(
            update(records_table)
            .where(rec.source_sha256 == change.source_sha256, rec.record_type == change.expected_type)
            .values(record_type=change.new_type, needs_review=False, pdf_path=change.pdf_path,
                    text_path=change.text_path, sidecar_path=change.sidecar_path,
                    sidecar_sha256=change.sidecar_sha256)
        ).rowcount
        if updated != 1:
            return False
        council, batch, pages = conn.execute(
            select(rec.council, rec.batch, rec.pages).where(rec.source_sha256 == change.source_sha256)
        ).one()
        if change.new_type != change.expected_type:
            _move_counter(conn, db.upsert(counters_table), council, change, pages, at)
        conn.execute(
            insert(review_labels_table).values(
                source_sha256=change.source_sha256, council=council, record_type=change.new_type,
                previous_type=change.expected_type, reviewed_by=change.reviewed_by, reviewed_at=at,
            )
        )
        _events.append(conn, at, council, batch, change.source_sha256, change.reviewed_by, [
            ("reviewed", {"previous_type": change.expected_type, "record_type": change.new_type,
                          "pages": pages, "sidecar_sha256": change.sidecar_sha256}),
        ])
    return True


def _move_counter(conn: Connection, upsert: Any, council: str, change: TypeChange, pages: int, at: dt.datetime) -> None:
    """Decrement the old type's counter and increment the new one's, in SQL; drop empty rows."""
    c = counters_table.c
    conn.execute(
        update(counters_table)
        .where(c.council == council, c.record_type == change.expected_type)
        .values(records=c.records - 1, pages=c.pages - pages, updated_at=at)
    )
    stmt = upsert.values(council=council, record_type=change.new_type, records=1, pages=pages, updated_at=at)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["council", "record_type"],
            set_={"records": c.records + 1, "pages": c.pages + stmt.excluded.pages, "updated_at": at},
        )
    )
    conn.execute(delete(counters_table).where(c.council == council, c.record_type == change.expected_type,
                                              c.records <= 0))


def labelled_records(db: Database) -> list[LabelledRecordRow]:
    reviewed = select(review_labels_table.c.source_sha256).distinct()
    rec = records_table.c
    query = select(rec.source_sha256, rec.record_type, rec.text_path).where(rec.source_sha256.in_(reviewed))
    with db.transaction() as conn:
        return rows_as(LabelledRecordRow, conn.execute(query.order_by(rec.id)))


def review_labels(db: Database, source_sha256: str | None = None) -> list[ReviewLabelRow]:
    query = select(review_labels_table).order_by(review_labels_table.c.id)
    if source_sha256:
        query = query.where(review_labels_table.c.source_sha256 == source_sha256)
    with db.transaction() as conn:
        return rows_as(ReviewLabelRow, conn.execute(query))
