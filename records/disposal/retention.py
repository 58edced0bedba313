"""When a record's retention period ends: its type's rule, counted from a date on the record.

The date counted from is the latest date read from the record's text (records/classify/fields.py)
that is not after the record was captured: the last event a letter or form mentions (a last
payment, a closing letter) ends its retention latest, so the latest such date errs on keeping.
A record with no such date counts from its capture date, and says so (`basis`). A rule whose
trigger starts "end of financial year" counts from the next 31 March (the UK local government
year); "end of calendar year" or "end of year" from the next 31 December; any other trigger
from the date itself. The dates are for a person's disposal review: nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from records.config import RecordType, Retention
from records.ledger import Ledger, RecordRow

DOCUMENT_DATE = "document_date"
CAPTURE_DATE = "capture_date"
INDEFINITE = "indefinite"
NO_RULE = "no_rule"


@dataclass(frozen=True, slots=True)
class Disposal:
    """A record's retention rule and the date its retention ends (None: kept indefinitely, or
    its type has no rule, as for unclassified records: `basis` says which)."""

    record_id: str
    council: str
    batch: str
    record_type: str
    lgcs: str | None
    retention: str
    date: dt.date | None
    basis: str


def counted_from(rule: Retention, start: dt.date) -> dt.date:
    """The day a rule's period starts, for an event on `start`."""
    trigger = (rule.trigger or "").strip().lower()
    if trigger.startswith("end of financial year"):
        return dt.date(start.year if start <= dt.date(start.year, 3, 31) else start.year + 1, 3, 31)
    if trigger.startswith(("end of calendar year", "end of year")):
        return dt.date(start.year, 12, 31)
    return start


def disposal_date(rule: Retention, start: dt.date) -> dt.date | None:
    """The day retention under `rule` ends for an event on `start`; None when kept indefinitely."""
    if rule.period_years is None:
        return None
    begin = counted_from(rule, start)
    year = begin.year + rule.period_years
    return begin.replace(year=year, day=28) if (begin.month, begin.day) == (2, 29) else begin.replace(year=year)


def trigger_date(dates: Iterable[str], captured: dt.date) -> tuple[dt.date, str]:
    """The latest date read from the record that is not after its capture, else the capture date."""
    found = [d for d in (dt.date.fromisoformat(value) for value in dates) if d <= captured]
    return (max(found), DOCUMENT_DATE) if found else (captured, CAPTURE_DATE)


def disposal_of(record: RecordRow, record_types: Mapping[str, RecordType], dates: Iterable[str]) -> Disposal:
    """One record's retention rule and disposal date."""
    kind = record_types.get(record.record_type)
    rule = kind.retention if kind else None
    if rule is None:
        return Disposal(record.source_sha256, record.council, record.batch, record.record_type,
                        kind.lgcs if kind else None, "no retention rule for this record type", None, NO_RULE)
    start, basis = trigger_date(dates, record.archived_at.date())
    date = disposal_date(rule, start)
    return Disposal(record.source_sha256, record.council, record.batch, record.record_type, kind.lgcs if kind else None,
                    rule.describe(), date, basis if date else INDEFINITE)


def disposals(
    ledger: Ledger, record_types: Mapping[str, RecordType], *, council: str | None = None, batch: str | None = None,
) -> list[Disposal]:
    """Every archived record's disposal date (one council's, or one batch's), in archive order."""
    dates = ledger.document_dates(council=council)
    return [disposal_of(r, record_types, dates.get(r.source_sha256, ()))
            for r in ledger.records(council=council, batch=batch)]


@dataclass(frozen=True, slots=True)
class DueForReview:
    """Records whose retention ends before `before`, soonest first, and how many records have no
    rule at all (unclassified, or a type without one): those need a person before any date does."""

    before: dt.date
    due: list[Disposal]
    without_rule: int


def due_for_review(
    ledger: Ledger, record_types: Mapping[str, RecordType], *, before: dt.date, council: str | None = None,
) -> DueForReview:
    """Records due for a person's disposal review before `before`; nothing is deleted."""
    every = disposals(ledger, record_types, council=council)
    due = sorted((d for d in every if d.date is not None and d.date < before),
                 key=lambda d: (d.date, d.council, d.record_id))
    return DueForReview(before, due, sum(d.basis == NO_RULE for d in every))
