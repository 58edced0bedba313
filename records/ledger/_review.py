"""A person's decisions on records the classifier was unsure of: the queue, type changes, labels.

The queue holds records a person must look at: a doubtful type, a doubtful page, or pages below
the capture standard. A decision changes the record's row, moves a record and its pages from
the old type's counter to the new one's (digitised, or needing re-scan, as the record counts),
keeps the label and logs the event, all in one transaction; it applies only if the row still
has the type the reviewer saw, so two reviewers racing on one record move the counters once.
A record sent back for re-scan (or archived below the capture standard) counts as needing
re-scan, not as digitised, until a person accepts its scan as it is.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from records.ledger import _events
from records.ledger._database import Database, now, rows_as
from records.ledger._records import EMPTY_COUNTER, counter_moves, move_counter
from records.ledger.entries import TypeChange
from records.ledger.rows import LabelledRecordRow, RecordRow, RescanRow, ReviewLabelRow
from records.ledger.schema import (
    NEEDS_RESCAN,
    counters_table,
    records_table,
    rescan_requests_table,
    review_labels_table,
)


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
    audit event, in one transaction; False if the record is not awaiting review. A record counted
    as digitised moves to "needs re-scan" in its counter (all its pages, with `reason`); one
    already below the capture standard stays counted as it is."""
    at = now()
    rec = records_table.c
    with db.transaction() as conn:
        updated = conn.execute(
            update(records_table).where(rec.source_sha256 == source_sha256, rec.needs_review.is_(True))
            .values(needs_review=False)
        ).rowcount
        if updated != 1:
            return False
        council, batch, record_type, pages, rescan = conn.execute(
            select(rec.council, rec.batch, rec.record_type, rec.pages, rec.rescan_pages)
            .where(rec.source_sha256 == source_sha256)).one()
        if not rescan:
            conn.execute(update(records_table).where(rec.source_sha256 == source_sha256)
                         .values(rescan_pages=pages, rescan_reasons=reason))
            move_counter(conn, db, council, record_type,
                         {**counter_moves(pages, 0, -1), **counter_moves(pages, pages, 1)}, at)
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
        council, batch, pages, rescan = conn.execute(
            select(rec.council, rec.batch, rec.pages, rec.rescan_pages).where(rec.source_sha256 == change.source_sha256)
        ).one()
        if change.new_type != change.expected_type:
            move_counter(conn, db, council, change.expected_type, counter_moves(pages, rescan, -1), at)
            move_counter(conn, db, council, change.new_type, counter_moves(pages, rescan, 1), at)
            conn.execute(delete(counters_table).where(counters_table.c.council == council,
                                                      counters_table.c.record_type == change.expected_type,
                                                      EMPTY_COUNTER))
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


def accept_capture(db: Database, source_sha256: str, accepted_by: str) -> bool:
    """A person accepts a record's scan as it is, below the capture standard: it counts as
    digitised from now on. False (nothing written) if it was not waiting for re-scan."""
    at = now()
    rec = records_table.c
    with db.transaction() as conn:
        found = conn.execute(
            select(rec.council, rec.batch, rec.record_type, rec.pages, rec.rescan_pages, rec.rescan_reasons)
            .where(rec.source_sha256 == source_sha256, NEEDS_RESCAN)
        ).first()
        if found is None:
            return False
        council, batch, record_type, pages, rescan, reasons = found
        updated = conn.execute(update(records_table).where(
            rec.source_sha256 == source_sha256, rec.rescan_pages == rescan).values(rescan_pages=0)).rowcount
        if updated != 1:
            return False
        move_counter(conn, db, council, record_type, {**counter_moves(pages, rescan, -1), **counter_moves(pages, 0, 1)}, at)
        _events.append(conn, at, council, batch, source_sha256, accepted_by, [
            ("capture_accepted", {"rescan_pages": rescan, "reasons": reasons, "pages": pages}),
        ])
    return True


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
