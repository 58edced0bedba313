"""The audit trail: every state change of every record, read back per record or per batch.

Events are written by the ledger in the same transaction as the change they describe
(records/ledger/ `record_events`), and never updated or deleted. They hold codes, tool
versions, options, scores, checksums, archive paths and who decided: never OCR text or
key-field values.
"""

from __future__ import annotations

import re
from typing import Any

from records.errors import AuditError
from records.ledger import EventRow, Ledger

MIN_PREFIX = 6
_HEX = re.compile(r"^[0-9a-f]+$")


def record_history(ledger: Ledger, record_id: str) -> list[EventRow]:
    """Every event of the records whose id (source sha256) starts with `record_id`, oldest first."""
    prefix = record_id.strip().lower()
    if len(prefix) < MIN_PREFIX or not _HEX.match(prefix):
        raise AuditError(f"give at least {MIN_PREFIX} hex characters of the record id (logs print 12)")
    events = ledger.events(record_prefix=prefix)
    if not events:
        raise AuditError(f"no events for a record id starting {prefix}")
    return events


def batch_history(ledger: Ledger, council: str, batch: str) -> list[EventRow]:
    """Every event of one council's batch, oldest first."""
    events = ledger.events(council=council, batch=batch)
    if not events:
        raise AuditError(f"no events for batch {batch!r} of council {council!r}")
    return events


def describe_event(event: EventRow) -> str:
    """One line of detail, for tables: key=value pairs in a stable order."""
    detail = event.detail
    return ", ".join(f"{k}={_short(v)}" for k, v in sorted(detail.items()) if v not in (None, "", {}))


def _short(value: Any) -> str:
    if isinstance(value, str) and len(value) == 64 and _HEX.match(value):
        return value[:12] + "…"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in sorted(value.items())) + "}"
    return str(value)
