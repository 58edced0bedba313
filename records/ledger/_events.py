"""The audit trail: events appended in the transaction of the change they describe, and read back.

The log is append-only: this module inserts and selects, and nothing anywhere updates or
deletes it (tests/records/test_audit.py checks the ledger's source). An event's detail is JSON
of codes, versions, checksums and paths: never OCR text or key-field values.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from records.ledger._database import Database
from records.ledger.entries import ArchivedRecord
from records.ledger.rows import EventRow
from records.ledger.schema import record_events_table

#: (event name, detail) pairs, in the order they happened.
Events = list[tuple[str, dict[str, Any]]]


def append(
    conn: Connection, now: dt.datetime, council: str, batch: str | None, record_id: str | None,
    actor: str | None, events: Events,
) -> None:
    """Add `events` to the log, on `conn`: they commit or roll back with the change itself."""
    conn.execute(insert(record_events_table), [
        {"record_id": record_id, "council": council, "batch": batch, "event": name, "actor": actor,
         "detail": json.dumps(detail, sort_keys=True, default=str), "at": now}
        for name, detail in events
    ])


def archiving(record: ArchivedRecord, ocr_options: dict[str, Any]) -> Events:
    """What happened to a record on its way into the archive, as its row goes in."""
    received: dict[str, Any] = {"source_path": record.source_path}
    if record.source_file_sha256 is not None:  # one record of a scanned stack
        # Not its cover-sheet reference: that may be a council's own file number for a person,
        # so it stays in the record's row and sidecar, out of the trail operators read.
        received.update(source_file_sha256=record.source_file_sha256, first_page=record.first_page,
                        last_page=record.last_page)
    return [
        ("received", received),
        ("ocred", {"engine": record.engine, "languages": record.languages,
                   "pipeline_version": record.pipeline_version, "options": ocr_options,
                   "pages": record.pages, "blank_pages": record.blank_pages,
                   "mean_confidence": record.mean_confidence}),
        ("classified", {"record_type": record.record_type, "score": record.score,
                        "needs_review": record.needs_review}),
        ("archived", {"pdf_path": record.pdf_path, "pdf_sha256": record.pdf_sha256,
                      "text_sha256": record.text_sha256, "sidecar_sha256": record.sidecar_sha256,
                      "archive_format": record.archive_format}),
        *([("below_capture_standard", {"rescan_pages": record.rescan_pages, "reasons": record.rescan_reasons})]
          if record.rescan_pages else []),
    ]


def read(
    db: Database, *, record_prefix: str | None = None, council: str | None = None, batch: str | None = None,
) -> list[EventRow]:
    """Events oldest first: for records whose id starts with `record_prefix`, or for one
    council (and batch)."""
    ev = record_events_table.c
    query = select(record_events_table).order_by(ev.id)
    if record_prefix is not None:
        query = query.where(ev.record_id.startswith(record_prefix.lower(), autoescape=True))
    if council is not None:
        query = query.where(ev.council == council)
    if batch is not None:
        query = query.where(ev.batch == batch)
    with db.transaction() as conn:
        rows = conn.execute(query).all()
    return [EventRow(**{**row._mapping, "detail": json.loads(row.detail)}) for row in rows]


def last_id(db: Database) -> int:
    """The newest event's id (0 if none): it moves with every change the ledger records."""
    ev = record_events_table.c
    with db.transaction() as conn:
        return int(conn.execute(select(func.max(ev.id))).scalar() or 0)
