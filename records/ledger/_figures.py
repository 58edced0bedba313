"""Sums over archived records and their pages that reports and forecasts need.

Counted in SQL from the records themselves (not from the counters), so they can be cut by
day, by time window or by page confidence. Pages per day count digitised records only, as the
counters do: not those archived below the capture standard (needing re-scan).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, select

from records.ledger._database import Database
from records.ledger.schema import NEEDS_RESCAN, record_pages_table, records_table

#: A record that counts as digitised: none of its pages below the capture standard.
_DIGITISED = ~NEEDS_RESCAN


def daily_pages(db: Database, since: dt.datetime | None = None) -> list[tuple[str, str, int]]:
    day = func.date(records_table.c.archived_at)
    rec = records_table.c
    query = (select(day, rec.council, func.sum(rec.pages)).where(_DIGITISED)
             .group_by(day, rec.council).order_by(day, rec.council))
    if since is not None:
        query = query.where(rec.archived_at >= since)  # a range of ix_records_archived_at, which covers the sum
    with db.transaction() as conn:
        rows = conn.execute(query).all()
    return [(str(d), council, int(pages)) for d, council, pages in rows]


def pages_archived_between(db: Database, start: dt.datetime, end: dt.datetime) -> dict[tuple[str, str], int]:
    rec = records_table.c
    with db.transaction() as conn:
        rows = conn.execute(
            select(rec.council, rec.record_type, func.sum(rec.pages))
            .where(rec.archived_at >= start, rec.archived_at < end, _DIGITISED)
            .group_by(rec.council, rec.record_type)
        ).all()
    return {(council, record_type): int(pages) for council, record_type, pages in rows}


def page_confidence(db: Database, threshold: float) -> dict[str, tuple[int, int]]:
    pages, rec = record_pages_table.c, records_table.c
    low = func.sum(case(((pages.confidence < threshold) & pages.blank.is_(False), 1), else_=0))
    with db.transaction() as conn:
        rows = conn.execute(
            select(rec.council, low, func.count())
            .select_from(record_pages_table.join(records_table, pages.source_sha256 == rec.source_sha256))
            .group_by(rec.council)
        ).all()
    return {council: (int(low_pages or 0), int(measured)) for council, low_pages, measured in rows}
