"""Artifacts the Prefect UI shows for a run, beside the progress bar and the progress table.

The quarantine table names each input by its path under the scan root (as the sidecar and
the ledger do) with the reason code and what to do next; it never carries OCR text. Anyone
who can open the Prefect UI can read these names: give the UI the same access as the scans.
"""

from __future__ import annotations

from prefect.artifacts import create_table_artifact

from flows.settings import context_for
from records.ledger import QuarantineRow

QUARANTINE_KEY = "quarantined-files"


def quarantine_rows(
    entries: list[QuarantineRow], *, council: str | None = None, batch: str | None = None
) -> list[dict[str, str]]:
    """Open quarantine entries as table rows, optionally only one council's or one batch's."""
    return [
        {
            "file": e.source_path,
            "reason": e.reason,
            "stage": e.stage,
            "what to do": e.message,
            "record id": e.source_sha256[:12],
        }
        for e in entries
        if (council is None or e.council == council) and (batch is None or e.batch == batch)
    ]


def publish_quarantine_table(
    config_dir: str | None, data_dir: str | None, *, key: str = QUARANTINE_KEY,
    council: str | None = None, batch: str | None = None,
) -> list[dict[str, str]]:
    """Publish the inputs still in quarantine (all, one council's or one batch's) as a table."""
    rows = quarantine_rows(context_for(config_dir, data_dir).ledger.quarantine_entries(),
                           council=council, batch=batch)
    where = f"{council}/{batch}" if council and batch else council or "all councils"
    create_table_artifact(
        table=rows, key=key,
        description=f"Inputs in quarantine for {where}: {len(rows)} (path under the scan root, reason, next step)",
    )
    return rows


def artifact_key(kind: str, *parts: str) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    raw = "-".join((kind, *parts)).lower()
    return "".join(ch if ch.isalnum() else "-" for ch in raw)[:100]
