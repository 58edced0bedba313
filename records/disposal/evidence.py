"""A batch's evidence pack: what went in, what came out, the checksums, who checked it, the audit trail.

Three files in a new private folder: evidence.md for people, records.csv (one row per record:
input, outputs, checksums, retention) and audit.csv (the batch's audit trail). They name
files as the ledger does and carry codes, checksums, dates and people's sign-offs: never OCR
text or key-field values, which stay in the archive. The archive's files are hashed again
while the pack is made, so it says whether they still match.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from records.archive.local import make_private_dir, write_atomic
from records.archive.objects import AnyArchive
from records.config import RecordType
from records.disposal.destruction import FIXITY_CODES, BatchState, batch_state, refusal, scanned_file_sha256
from records.disposal.retention import Disposal, disposals
from records.errors import ArchivalError
from records.ledger import EventRow, Ledger, RecordRow, RegisterRow
from records.spreadsheet import dict_csv
from records.reporting.audit import describe_event

RECORD_COLUMNS = (
    "record_id", "scanned_file", "scanned_file_sha256", "first_page", "last_page", "pages", "record_type", "lgcs",
    "pdf_path", "pdf_sha256", "text_sha256", "sidecar_sha256", "archived_at", "retention", "disposal_date",
    "disposal_basis", "paper_destroyable_since",
)
AUDIT_COLUMNS = ("at", "record_id", "event", "actor", "detail")


@dataclass(frozen=True, slots=True)
class EvidencePack:
    folder: Path
    files: tuple[Path, ...]
    records: int
    destroyable: bool


def write_evidence_pack(
    ledger: Ledger, archive: AnyArchive, record_types: Mapping[str, RecordType], council: str, batch: str, out: Path,
) -> EvidencePack:
    """Write the batch's pack into `out` (a new or empty folder, made 0750; files 0640)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ArchivalError(f"{out} exists and is not an empty folder; give a new one")
    state = batch_state(ledger, archive, council, batch)
    if not state.records:
        raise ArchivalError(f"no archived records in batch {batch!r} of council {council!r}")
    register = {r.record_id: r for r in ledger.destruction_register(council=council, batch=batch)}
    retention = {d.record_id: d for d in disposals(ledger, record_types, council=council, batch=batch)}
    events = ledger.events(council=council, batch=batch)
    rows = [_record_row(r, retention[r.source_sha256], register.get(r.source_sha256)) for r in state.records]
    make_private_dir(out)
    files = (out / "evidence.md", out / "records.csv", out / "audit.csv")
    write_atomic(files[0], _markdown(council, batch, state, register, rows, events).encode("utf-8"))
    write_atomic(files[1], dict_csv(RECORD_COLUMNS, rows))
    write_atomic(files[2], dict_csv(AUDIT_COLUMNS, (_audit_row(e) for e in events)))
    return EvidencePack(out, files, len(state.records), bool(register))


def _record_row(record: RecordRow, disposal: Disposal, entered: RegisterRow | None) -> dict[str, str]:
    values = {
        "record_id": record.source_sha256, "scanned_file": record.source_path,
        "scanned_file_sha256": scanned_file_sha256(record), "first_page": record.first_page,
        "last_page": record.last_page, "pages": record.pages, "record_type": record.record_type,
        "lgcs": disposal.lgcs, "pdf_path": record.pdf_path, "pdf_sha256": record.pdf_sha256,
        "text_sha256": record.text_sha256, "sidecar_sha256": record.sidecar_sha256,
        "archived_at": f"{record.archived_at:%Y-%m-%d %H:%M:%S}", "retention": disposal.retention,
        "disposal_date": disposal.date, "disposal_basis": disposal.basis,
        "paper_destroyable_since": f"{entered.approved_at:%Y-%m-%d %H:%M:%S}" if entered else None,
    }
    return {k: "" if v is None else str(v) for k, v in values.items()}


def _audit_row(event: EventRow) -> dict[str, str]:
    return {"at": f"{event.at:%Y-%m-%d %H:%M:%S}", "record_id": event.record_id or "", "event": event.event,
            "actor": event.actor or "", "detail": describe_event(event)}


def _markdown(
    council: str, batch: str, state: BatchState, register: Mapping[str, RegisterRow],
    rows: list[dict[str, str]], events: list[EventRow],
) -> str:
    files = {r.source_file_sha256 or r.source_sha256: r.source_path for r in state.records}
    entered = next(iter(register.values()), None)
    status = (f"yes: marked by {entered.approved_by} on {entered.approved_at:%Y-%m-%d %H:%M} UTC" if entered
              else f"no. {refusal(council, batch, state.blockers)}" if state.blockers
              else f"not yet marked; nothing blocks it (digitise batch destroyable {council} {batch})")
    fixity = [b for b in state.blockers if b.code in FIXITY_CODES]
    lines = [
        f"# Evidence pack: {council} / {batch}", "",
        f"Made {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC from the digitisation ledger and archive. "
        "It holds no OCR text and no values read from the records.", "",
        *_table(["", ""], [["Records", str(len(state.records))],
                           ["Pages", str(sum(r.pages for r in state.records))],
                           ["Scanned files", str(len(files))],
                           ["Paper may be destroyed", status],
                           ["Fixity (files hashed again now)",
                            f"{3 * len(state.records) - len(fixity)} of {3 * len(state.records)} archive files match "
                            "the ledger's sha256"]]),
        "", "## Quality assurance sign-off", "",
        *_signoff(state),
        "", "## Inputs: scanned files", "",
        *_table(["Scanned file", "sha256"], [[path, sha] for sha, path in files.items()]),
        "", "## Outputs: archived records", "",
        *_table(["Record id", "Type", "Pages", "PDF sha256", "Text sha256", "Sidecar sha256", "Retention",
                 "Disposal date (counted from)"],
                [[r["record_id"], r["record_type"], r["pages"], r["pdf_sha256"], r["text_sha256"], r["sidecar_sha256"],
                  r["retention"], f"{r['disposal_date'] or '-'} ({r['disposal_basis']})"] for r in rows]),
        "", "## Audit trail", "",
        *_table(["When (UTC)", "Record", "Event", "By", "Detail"],
                [[a["at"], a["record_id"][:12], a["event"], a["actor"], a["detail"]] for a in map(_audit_row, events)]),
        "",
    ]
    return "\n".join(lines)


def _signoff(state: BatchState) -> list[str]:
    s = state.signoff
    if s is None:
        return ["Not signed off."]
    return _table(["Signed by", "When (UTC)", "Sample checked", "Records covered", "Findings"],
                  [[s.signed_by, f"{s.signed_at:%Y-%m-%d %H:%M}", str(s.sample_size), str(s.records), s.findings]])


def _table(headings: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    return [line(headings), line(["---"] * len(headings)), *map(line, rows)]
