"""What a council holds, beside what it has digitised: page estimates and pages excluded.

Both are append-only histories, each entry logged as an audit event in its own transaction:
the newest estimate counts (records/reporting/inventory.py decides which that is), and
exclusions add up.
"""

from __future__ import annotations

from sqlalchemy import insert, select

from records.ledger import _events
from records.ledger._database import Database, columns_of, now, rows_as
from records.ledger.entries import EstimateEntry, ExclusionEntry
from records.ledger.rows import EstimateRow, ExclusionRow
from records.ledger.schema import exclusions_table, inventory_estimates_table


def add_estimate(db: Database, estimate: EstimateEntry) -> None:
    at = now()
    with db.transaction() as conn:
        conn.execute(insert(inventory_estimates_table).values(**columns_of(estimate), recorded_at=at))
        _events.append(conn, at, estimate.council, None, None, estimate.recorded_by, [
            ("estimate_changed", {"record_type": estimate.record_type, "pages": estimate.pages,
                                  "source": estimate.source,
                                  "as_of": estimate.as_of.isoformat() if estimate.as_of else None}),
        ])


def estimates(db: Database, *, council: str | None = None) -> list[EstimateRow]:
    """Oldest first by council: the newest for each key is the last."""
    est = inventory_estimates_table.c
    query = select(inventory_estimates_table).order_by(est.council, est.recorded_at, est.id)
    if council:
        query = query.where(est.council == council)
    with db.transaction() as conn:
        return rows_as(EstimateRow, conn.execute(query))


def add_exclusion(db: Database, exclusion: ExclusionEntry) -> None:
    at = now()
    with db.transaction() as conn:
        conn.execute(insert(exclusions_table).values(**columns_of(exclusion), recorded_at=at))
        _events.append(conn, at, exclusion.council, None, None, exclusion.recorded_by, [
            ("excluded", {"record_type": exclusion.record_type, "pages": exclusion.pages,
                          "reason": exclusion.reason, "note": exclusion.note}),
        ])


def exclusions(db: Database, *, council: str | None = None) -> list[ExclusionRow]:
    ex = exclusions_table.c
    query = select(exclusions_table).order_by(ex.council, ex.recorded_at, ex.id)
    if council:
        query = query.where(ex.council == council)
    with db.transaction() as conn:
        return rows_as(ExclusionRow, conn.execute(query))
