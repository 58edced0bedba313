"""Batch sign-offs, the destruction register and the dates retention counts from.

A sign-off and its audit event are one transaction; so are a batch's register rows and their
events, written only if, inside that transaction, the batch is still as it was checked: the
newest sign-off is the one given, it covers exactly the batch's records, none is awaiting
review, no input of the batch is still quarantined and none of the records is entered already.
Nothing here deletes anything.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, insert, select

from records.ledger import _events
from records.ledger._database import Database, columns_of, now, rows_as
from records.ledger.entries import RegisterEntry, SignoffEntry, record_set_sha256
from records.ledger.rows import RegisterRow, SignoffRow
from records.ledger.schema import (
    NEEDS_RESCAN,
    batch_signoffs_table,
    destruction_register_table,
    quarantine_table,
    record_fields_table,
    records_table,
)


def add_signoff(db: Database, entry: SignoffEntry) -> SignoffRow:
    """Record a person's check of a batch, with its `signed_off` event (never the findings' text)."""
    at = now()
    with db.transaction() as conn:
        new_id = conn.execute(
            insert(batch_signoffs_table).values(**columns_of(entry), signed_at=at).returning(batch_signoffs_table.c.id)
        ).scalar_one()
        _events.append(conn, at, entry.council, entry.batch, None, entry.signed_by, [
            ("signed_off", {"signoff_id": new_id, "sample_size": entry.sample_size, "records": entry.records,
                            "record_set_sha256": entry.record_set_sha256}),
        ])
    return SignoffRow(id=new_id, signed_at=at, **columns_of(entry))


def signoffs(db: Database, council: str, batch: str) -> list[SignoffRow]:
    s = batch_signoffs_table.c
    query = select(batch_signoffs_table).where(s.council == council, s.batch == batch).order_by(s.id)
    with db.transaction() as conn:
        return rows_as(SignoffRow, conn.execute(query))


def register(db: Database, *, council: str | None, batch: str | None) -> list[RegisterRow]:
    r = destruction_register_table.c
    query = select(destruction_register_table).order_by(r.id)
    if council is not None:
        query = query.where(r.council == council)
    if batch is not None:
        query = query.where(r.batch == batch)
    with db.transaction() as conn:
        return rows_as(RegisterRow, conn.execute(query))


def add_to_register(db: Database, entries: list[RegisterEntry], *, record_set: str) -> bool:
    """Write a batch's register rows and events if the batch is still as checked; else False."""
    first = entries[0]
    at = now()
    with db.transaction() as conn:
        if not _still_as_checked(conn, entries, record_set):
            return False
        conn.execute(insert(destruction_register_table), [{**columns_of(e), "approved_at": at} for e in entries])
        for entry in entries:
            _events.append(conn, at, entry.council, entry.batch, entry.record_id, entry.approved_by, [
                ("paper_destroyable", {"signoff_id": entry.signoff_id}),
            ])
        _events.append(conn, at, first.council, first.batch, None, first.approved_by, [
            ("batch_destroyable", {"signoff_id": first.signoff_id, "records": len(entries),
                                   "pages": sum(e.pages for e in entries), "record_set_sha256": record_set}),
        ])
    return True


def _still_as_checked(conn: Any, entries: list[RegisterEntry], record_set: str) -> bool:
    """The newest sign-off is the entries', it covers the batch's records exactly, none is in
    review or below the capture standard, no input of the batch is quarantined, and no entry's record is in the register yet."""
    council, batch = entries[0].council, entries[0].batch
    s, rec, q, reg = batch_signoffs_table.c, records_table.c, quarantine_table.c, destruction_register_table.c
    newest = conn.execute(select(func.max(s.id)).where(s.council == council, s.batch == batch)).scalar()
    rows = conn.execute(select(rec.source_sha256, rec.needs_review | NEEDS_RESCAN).where(
        rec.council == council, rec.batch == batch)).all()
    quarantined = conn.execute(select(func.count()).where(
        q.council == council, q.batch == batch, q.resolved.is_(False))).scalar()
    registered = conn.execute(select(func.count()).where(reg.record_id.in_([e.record_id for e in entries]))).scalar()
    return (newest == entries[0].signoff_id and record_set_sha256(r[0] for r in rows) == record_set
            and not any(r[1] for r in rows) and not quarantined and not registered)


def document_dates(db: Database, council: str | None) -> dict[str, list[str]]:
    """The dates found in each record's text (ISO strings), by record id."""
    f, rec = record_fields_table.c, records_table.c
    query = select(f.source_sha256, f.value).join(records_table, rec.source_sha256 == f.source_sha256).where(
        f.kind == "dates")
    if council is not None:
        query = query.where(rec.council == council)
    found: dict[str, list[str]] = defaultdict(list)
    with db.transaction() as conn:
        for record_id, value in conn.execute(query.order_by(f.id)):
            found[record_id].append(value)
    return dict(found)
