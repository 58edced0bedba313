"""Commands for scan-and-destroy and transfer: batch sign-off, destruction register, evidence
packs, disposal dates and BagIt export. Wiring only: the rules are in records/disposal/."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.cli.common import ByOpt, ConfigOpt, DataOpt, JsonOpt, Where, command_group, err, out, print_json, say, table, who
from records.disposal.destruction import destruction_register, mark_destroyable, sign_off
from records.disposal.evidence import write_evidence_pack
from records.disposal.retention import due_for_review
from records.disposal.transfer import export_bag
from records.config import RecordType
from records.archive.objects import AnyArchive
from records.ledger import Ledger, RegisterRow

batch_app = command_group("A batch's quality sign-off, whether its paper may be destroyed, its evidence pack.",
                          no_args_is_help=True)
destruction_app = command_group("Records whose paper may be destroyed.", no_args_is_help=True)
disposal_app = command_group("Retention: when each record's retention period ends.", no_args_is_help=True)
export_app = command_group("Transfer packages for a record office or Archivematica.", no_args_is_help=True)

CouncilArg = Annotated[str, typer.Argument(help="Council slug.")]
BatchArg = Annotated[str, typer.Argument(help="Batch folder name.")]
CouncilOpt = Annotated[Optional[str], typer.Option("--council", help="Only this council's records.")]


def _archive_and_rules(
    config: Path | None, data_dir: Path | None,
) -> tuple[Ledger, AnyArchive, dict[str, RecordType]]:
    """The ledger and archive a command reads, and the record types' retention rules."""
    where = Where(config, data_dir)
    return where.ledger(), where.archive(), where.settings().classification.record_types


@batch_app.command("signoff")
def batch_signoff(
    council: CouncilArg,
    batch: BatchArg,
    by: Annotated[str, typer.Option("--by", help="Who checked the batch.")],
    sample: Annotated[int, typer.Option("--sample", min=1, help="How many records were checked against the paper.")],
    findings: Annotated[str, typer.Option("--findings", help="What the check found (no personal data).")],
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record that a person quality-checked the batch: sample size and findings, with an audit event."""
    row = sign_off(Where(config, data_dir).ledger(), council, batch, by=by, sample_size=sample, findings=findings)
    if as_json:
        print_json({"signoff": asdict(row)})
        return
    say(f"batch {council}/{batch} signed off by {row.signed_by}: {row.sample_size} of {row.records} records checked")


@batch_app.command("destroyable")
def batch_destroyable(
    council: CouncilArg,
    batch: BatchArg,
    by: ByOpt = None,
    scans: Annotated[Optional[Path], typer.Option(
        "--scans", metavar="ROOT", file_okay=False,
        help="The scan root the batch was run from: every file in ROOT/COUNCIL/BATCH must be archived or "
             "quarantined (matched by sha256).")] = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark the batch's paper as one that may be destroyed: only a signed-off batch whose records are all
    archived, verified against their checksums and out of review, with no input left in quarantine and,
    with --scans, no file of its scan folder left unrun (exit 7 naming what blocks it otherwise).
    Nothing is deleted."""
    ledger, archive, record_types = _archive_and_rules(config, data_dir)
    rows = mark_destroyable(ledger, archive, record_types, council, batch, by=who(by), scan_root=scans)
    if scans is None:
        err.print("note: the batch's scan folder was not compared with the ledger (give --scans ROOT), "
                  "so a file never run is not seen")
    if as_json:
        print_json({"destroyable": [asdict(r) for r in rows]})
        return
    say(f"the paper of batch {council}/{batch} may be destroyed: {len(rows)} records, "
        f"{sum(r.pages for r in rows)} pages, entered in the destruction register by {rows[0].approved_by} "
        f"on {rows[0].approved_at:%Y-%m-%d %H:%M} UTC")


@batch_app.command("evidence")
def batch_evidence(
    council: CouncilArg,
    batch: BatchArg,
    target: Annotated[Path, typer.Argument(metavar="OUT", help="A new folder for evidence.md, records.csv, audit.csv.")],
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the batch's evidence pack: inputs, outputs, checksums, QA sign-off, audit trail (no OCR text)."""
    ledger, archive, record_types = _archive_and_rules(config, data_dir)
    pack = write_evidence_pack(ledger, archive, record_types, council, batch, target)
    if as_json:
        print_json({"evidence": {**asdict(pack), "files": [str(f) for f in pack.files]}})
        return
    say(f"evidence pack of {council}/{batch} ({pack.records} records) written to {pack.folder}")


@destruction_app.command("register")
def register(council: CouncilOpt = None, config: ConfigOpt = None, data_dir: DataOpt = None,
             as_json: JsonOpt = False) -> None:
    """Records whose paper may be destroyed: when, by whom, checksums of scan and archive files, retention."""
    rows = destruction_register(Where(config, data_dir).ledger(), council=council)
    if as_json:
        print_json({"register": [asdict(r) for r in rows]})
        return
    out.print(table(f"Destruction register: {len(rows)} records (checksums shortened; --json for all)", [
        "Marked (UTC)", "By", "Council", "Batch", "Record", "Type", ("Pages", "right"), "Scan sha256",
        "PDF sha256", "Text sha256", "Sidecar sha256", "Retention", "Disposal date"], map(_register_cells, rows)))


def _register_cells(r: RegisterRow) -> list[str]:
    return [f"{r.approved_at:%Y-%m-%d %H:%M}", r.approved_by, r.council, r.batch, r.record_id[:12], r.record_type,
            str(r.pages), *(sha[:12] for sha in (r.source_sha256, r.pdf_sha256, r.text_sha256, r.sidecar_sha256)),
            r.retention, f"{r.disposal_date or '-'} ({r.disposal_basis.replace('_', ' ')})"]


@disposal_app.command("due")
def disposal_due(
    council: CouncilOpt = None,
    before: Annotated[Optional[dt.datetime], typer.Option(
        "--before", formats=["%Y-%m-%d"], help="Retention ending before this day [default: today].")] = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Records due for disposal review: retention ends before --before. Lists only; never deletes."""
    where = Where(config, data_dir)
    day = before.date() if before else dt.date.today()
    report = due_for_review(where.ledger(), where.settings().classification.record_types, before=day,
                            council=council)
    if as_json:
        print_json(asdict(report))
        return
    out.print(table(f"Due for disposal review before {day}: {len(report.due)} records (nothing is deleted)", [
        "Disposal date", "Counted from", "Council", "Batch", "Record", "Type", "LGCS", "Retention"],
        ([str(d.date), d.basis.replace("_", " "), d.council, d.batch, d.record_id[:12], d.record_type,
          d.lgcs or "", d.retention] for d in report.due)))
    if report.without_rule:
        say(f"{report.without_rule} records have no retention rule (unclassified, or a type without one): "
            "review them (digitise review) before any disposal date can be given")


@export_app.command("bagit")
def export_bagit(
    council: CouncilArg,
    target: Annotated[Path, typer.Argument(metavar="OUT", help="A new folder for the bag.")],
    record_type: Annotated[Optional[str], typer.Option("--type", help="Only records of this type.")] = None,
    batch: Annotated[Optional[str], typer.Option("--batch", help="Only this batch's records.")] = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a BagIt (RFC 8493) bag of the council's PDFs, texts and sidecars with a metadata CSV and
    sha256 + sha512 manifests, validated after writing (exit 6 if it does not validate)."""
    ledger, archive, record_types = _archive_and_rules(config, data_dir)
    known = Where(config, data_dir).settings().councils.get(council)
    summary = export_bag(ledger, archive, record_types, council, target,
                         council_name=known.name if known else None, record_type=record_type, batch=batch)
    if as_json:
        print_json({"bag": {**asdict(summary), "path": str(summary.path)}})
        return
    say(f"bag of {summary.records} records ({summary.files} files, {summary.bytes:,} bytes) written and "
        f"validated at {summary.path}")
