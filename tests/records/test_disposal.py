"""Scan and destroy with evidence: retention dates, batch sign-off, the destruction register and
evidence packs, on batches archived by the real pipeline into a real SQLite ledger."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from records.config import Retention
from records.context import build_context
from records.disposal.destruction import mark_destroyable
from records.disposal.retention import disposal_date, trigger_date
from records.errors import DestructionRefused, ExitCode
from records.intake.scan import ScanItem
from records.pipeline import process_item
from records.ledger import Ledger, QuarantineEntry
from tests.records.archived_batches import (  # noqa: F401 - fixtures
    CANARY,
    COUNCIL,
    Archived,
    archived,
    archived_template,
)
from tests.conftest import render_lines

runner = CliRunner()


def _cli(archived: Archived, *args: str) -> object:
    return runner.invoke(app, [*args, *archived.cli_options()])


def _ledger(archived: Archived) -> Ledger:
    return Ledger(archived.settings.pipeline.ledger)


@pytest.mark.parametrize(("rule", "event", "expected"), [
    (Retention(period_years=6, trigger="end of financial year"), dt.date(2025, 5, 14), dt.date(2032, 3, 31)),
    (Retention(period_years=6, trigger="end of financial year"), dt.date(2025, 3, 31), dt.date(2031, 3, 31)),
    (Retention(period_years=1, trigger="end of calendar year"), dt.date(2025, 1, 2), dt.date(2026, 12, 31)),
    (Retention(period_years=3, trigger="request closed"), dt.date(2024, 2, 29), dt.date(2027, 2, 28)),
    (Retention(period="indefinite", trigger="permanent"), dt.date(2024, 2, 29), None),
])
def test_disposal_date_for_known_rules(rule: Retention, event: dt.date, expected: dt.date | None) -> None:
    assert disposal_date(rule, event) == expected


def test_trigger_date_is_latest_date_not_after_capture_else_capture() -> None:
    captured = dt.date(2026, 12, 5)
    assert trigger_date(["1961-07-01", "2025-05-14", "2031-01-01"], captured) == (dt.date(2025, 5, 14), "document_date")
    assert trigger_date(["2031-01-01"], captured) == (captured, "capture_date")
    assert trigger_date([], captured) == (captured, "capture_date")


def test_disposal_due_lists_records_by_document_or_capture_date_and_deletes_nothing(archived: Archived) -> None:
    files_before = sorted(p for p in archived.data_dir.rglob("*") if p.is_file() and ".db" not in p.name)

    def due(before: str) -> list[dict[str, str]]:
        shown = _cli(archived, "disposal", "due", "--council", COUNCIL, "--before", before, "--json")
        assert shown.exit_code == 0, shown.output
        report = json.loads(shown.output)
        assert (report["before"], report["without_rule"]) == (before, 1), "the unclassified record has no rule"
        return list(report["due"])

    [dated] = due("2032-04-01")
    assert (dated["date"], dated["basis"], dated["batch"], dated["record_type"]) == (
        "2032-03-31", "document_date", "complete", "council_tax")
    assert dated["retention"] == "6 years after end of financial year"
    assert due("2032-03-31") == []
    everything = due("2100-01-01")
    assert [d["record_type"] for d in everything] == ["council_tax", "council_tax"], "unclassified: no rule, not due"
    undated = everything[1]
    captured = next(r.archived_at.date() for r in _ledger(archived).records() if r.source_sha256 == undated["record_id"])
    end_of_year = dt.date(captured.year + (captured.month > 3), 3, 31)
    assert (undated["basis"], undated["date"]) == ("capture_date", str(end_of_year.replace(year=end_of_year.year + 6)))
    files_after = sorted(p for p in archived.data_dir.rglob("*") if p.is_file() and ".db" not in p.name)
    assert files_after == files_before


def test_signoff_is_recorded_with_its_audit_event(archived: Archived) -> None:
    done = _cli(archived, "batch", "signoff", COUNCIL, "complete", "--by", "q.checker", "--sample", "2",
                "--findings", "2 of 2 match the paper; page 1 of one letter slightly skewed")
    assert done.exit_code == 0, done.output
    ledger = _ledger(archived)
    [signoff] = ledger.signoffs(COUNCIL, "complete")
    assert (signoff.signed_by, signoff.sample_size, signoff.records) == ("q.checker", 2, 2)
    [event] = [e for e in ledger.events(council=COUNCIL, batch="complete") if e.event == "signed_off"]
    assert (event.actor, event.record_id, event.detail["signoff_id"]) == ("q.checker", None, signoff.id)
    assert event.detail["record_set_sha256"] == signoff.record_set_sha256
    too_many = _cli(archived, "batch", "signoff", COUNCIL, "complete", "--by", "q", "--sample", "3", "--findings", "x")
    assert too_many.exit_code == ExitCode.usage
    unknown = _cli(archived, "batch", "signoff", COUNCIL, "no-such-batch", "--by", "q", "--sample", "1", "--findings", "x")
    assert unknown.exit_code == ExitCode.usage


def test_unsigned_batch_is_refused_destroyable(archived: Archived) -> None:
    refused = _cli(archived, "batch", "destroyable", COUNCIL, "complete", "--by", "r.manager")
    assert refused.exit_code == ExitCode.not_destroyable
    assert "not_signed_off" in refused.output
    assert _ledger(archived).destruction_register() == []


def test_signed_batch_with_a_record_in_review_is_refused_destroyable(archived: Archived) -> None:
    assert _cli(archived, "batch", "signoff", COUNCIL, "doubtful", "--by", "q.checker", "--sample", "1",
                "--findings", "matches the paper").exit_code == 0
    refused = _cli(archived, "batch", "destroyable", COUNCIL, "doubtful", "--by", "r.manager")
    assert refused.exit_code == ExitCode.not_destroyable
    assert "in_review" in refused.output and "not_signed_off" not in refused.output
    assert _ledger(archived).destruction_register() == []


def test_complete_signed_batch_is_accepted_and_appears_in_the_register(archived: Archived) -> None:
    assert _cli(archived, "batch", "signoff", COUNCIL, "complete", "--by", "q.checker", "--sample", "1",
                "--findings", "sampled one letter: matches").exit_code == 0
    marked = _cli(archived, "batch", "destroyable", COUNCIL, "complete", "--by", "r.manager")
    assert marked.exit_code == 0, marked.output
    shown = _cli(archived, "destruction", "register", "--council", COUNCIL, "--json")
    register = json.loads(shown.output)["register"]
    ledger = _ledger(archived)
    rows = {r.source_sha256: r for r in ledger.records(batch="complete")}
    assert sorted(e["record_id"] for e in register) == sorted(rows)
    scans = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (archived.scans / COUNCIL / "complete").iterdir()}
    assert {e["source_sha256"] for e in register} == scans
    for entry in register:
        row = rows[entry["record_id"]]
        assert (entry["pdf_sha256"], entry["text_sha256"], entry["sidecar_sha256"]) == (
            row.pdf_sha256, row.text_sha256, row.sidecar_sha256)
        assert entry["retention"] == "6 years after end of financial year" and entry["approved_by"] == "r.manager"
    assert "2032-03-31" in {e["disposal_date"] for e in register}
    events = [e.event for e in ledger.events(council=COUNCIL, batch="complete")]
    assert events.count("paper_destroyable") == 2 and events.count("batch_destroyable") == 1
    again = _cli(archived, "batch", "destroyable", COUNCIL, "complete")
    assert again.exit_code == 0 and ledger.destruction_register() == _ledger(archived).destruction_register()
    assert len(ledger.destruction_register()) == 2, "marking twice changes nothing"

    late = archived.scans / COUNCIL / "complete" / "late.png"
    render_lines(["Council Tax Demand Notice", "Local Government Finance Act 1992", "Valuation band E"]).save(
        late, dpi=(300, 300))
    context = build_context(archived.settings)
    assert process_item(ScanItem(COUNCIL, "complete", late, f"{COUNCIL}/complete/late.png"), context).status == (
        "archived")
    outdated = _cli(archived, "batch", "destroyable", COUNCIL, "complete")
    assert outdated.exit_code == ExitCode.not_destroyable and "signoff_outdated" in outdated.output
    assert _cli(archived, "batch", "signoff", COUNCIL, "complete", "--by", "q.checker", "--sample", "1",
                "--findings", "the late letter matches").exit_code == 0
    assert _cli(archived, "batch", "destroyable", COUNCIL, "complete").exit_code == 0
    entered = ledger.destruction_register()
    assert len(entered) == 3 and entered[:2] == [r for r in entered if r.signoff_id == entered[0].signoff_id]


def test_a_scanned_file_never_run_blocks_destruction_when_the_scan_folder_is_compared(archived: Archived) -> None:
    assert _cli(archived, "batch", "signoff", COUNCIL, "complete", "--by", "q.checker", "--sample", "1",
                "--findings", "sampled one letter: matches").exit_code == 0
    folder = archived.scans / COUNCIL / "complete"
    replaced = folder / "tax-2.png"  # re-scanned under the same name: its content was never run
    render_lines(["Council Tax Demand Notice", "Valuation band F"]).save(replaced, dpi=(300, 300))
    refused = _cli(archived, "batch", "destroyable", COUNCIL, "complete", "--by", "r.manager",
                   "--scans", str(archived.scans))
    assert refused.exit_code == ExitCode.not_destroyable, refused.output
    assert "not_run" in refused.output and "tax-2.png" in refused.output
    assert _ledger(archived).destruction_register() == []
    replaced.unlink()  # the unrun file is taken away: what is left was all archived
    marked = _cli(archived, "batch", "destroyable", COUNCIL, "complete", "--by", "r.manager",
                  "--scans", str(archived.scans))
    assert marked.exit_code == 0, marked.output
    assert len(_ledger(archived).destruction_register()) == 2


def test_altered_archive_file_quarantine_or_new_record_block_destruction(archived: Archived) -> None:
    context = build_context(archived.settings)
    ledger, record_types = context.ledger, archived.settings.classification.record_types
    from records.disposal.destruction import sign_off

    sign_off(ledger, COUNCIL, "complete", by="q.checker", sample_size=1, findings="ok")
    first = ledger.records(batch="complete")[0]
    text = archived.data_dir / "archive" / first.text_path
    original = text.read_bytes()
    text.write_bytes(original + b" ")
    with pytest.raises(DestructionRefused) as altered:
        mark_destroyable(ledger, context.archive, record_types, COUNCIL, "complete", by="r.manager")
    assert [(b.code, b.record_id) for b in altered.value.blockers] == [("altered", first.source_sha256)]
    text.write_bytes(original)
    ledger.add_quarantine(QuarantineEntry(COUNCIL, "complete", f"{COUNCIL}/complete/torn.png", "c" * 64,
                                          "input_unreadable", "read", "OSError", "unreadable", None))
    with pytest.raises(DestructionRefused) as quarantined:
        mark_destroyable(ledger, context.archive, record_types, COUNCIL, "complete", by="r.manager")
    assert [b.code for b in quarantined.value.blockers] == ["quarantined"]
    assert ledger.destruction_register() == []


def test_evidence_pack_has_checksums_and_signoff_and_no_ocr_text_or_field_values(
    archived: Archived, tmp_path: Path
) -> None:
    assert _cli(archived, "batch", "signoff", COUNCIL, "complete", "--by", "=q.checker", "--sample", "2",
                "--findings", "both letters match the paper").exit_code == 0
    assert _cli(archived, "batch", "destroyable", COUNCIL, "complete", "--by", "r.manager").exit_code == 0
    made = _cli(archived, "batch", "evidence", COUNCIL, "complete", str(tmp_path / "pack"))
    assert made.exit_code == 0, made.output
    files = sorted((tmp_path / "pack").iterdir())
    assert [f.name for f in files] == ["audit.csv", "evidence.md", "records.csv"]
    assert all(f.stat().st_mode & 0o777 == 0o640 for f in files)
    pack = "\n".join(f.read_text(encoding="utf-8") for f in files)
    ledger = _ledger(archived)
    records = ledger.records(batch="complete")
    for record in records:
        assert record.pdf_sha256 in pack and record.sidecar_sha256 in pack and record.source_path in pack
    assert "q.checker" in pack and "both letters match the paper" in pack and "paper_destroyable" in pack
    with (tmp_path / "pack" / "audit.csv").open(encoding="utf-8", newline="") as audit:
        [signed] = [row for row in csv.DictReader(audit) if row["event"] == "signed_off"]
    assert signed["actor"] == "'=q.checker", "a spreadsheet must not run a name as a formula"
    texts = [(archived.data_dir / "archive" / r.text_path).read_text(encoding="utf-8") for r in records]
    assert CANARY in texts[0], "the canary was read by OCR, so its absence below means something"
    values = {f.value for r in records for f in ledger.record_fields(r.source_sha256)}
    assert {"SW1A 2AA", "2025-05-14"} <= values
    lines = {line.strip() for t in texts for line in t.splitlines() if len(line.strip()) >= 8}
    assert len(lines) >= 6
    assert {text for text in lines | values | {CANARY, "Valuation", "Liability"} if text in pack} == set()
