"""Issue #9: the audit trail records every state change, in the change's own transaction, and
is append-only and free of OCR text and field values."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from records import ledger as ledger_module
from records.classify.review import set_record_type
from records.config import Settings
from records.context import build_context
from records.errors import AuditError, ExitCode
from records.intake.scan import ScanItem
from records.ledger import Ledger, QuarantineEntry
from records.pipeline import process_item
from records.reporting.audit import record_history
from tests.conftest import PageMaker
from tests.records.test_search import archive_one

CONFIG = Path(__file__).resolve().parents[2] / "config"


def test_process_item_logs_received_ocred_classified_archived_without_text(
    data_settings: Settings, make_page: PageMaker, tmp_path: Path
) -> None:
    page = make_page(["Council Tax reminder for Quokkavale Lodge", "Account CTAX 4012 3456 7",
                      "Property postcode SW1A 2AA"], name="quokka.png")
    folder = tmp_path / "scans" / "ashbourne" / "b7"
    folder.mkdir(parents=True)
    source = page.rename(folder / page.name)
    ctx = build_context(data_settings)
    item = ScanItem("ashbourne", "b7", source, "ashbourne/b7/quokka.png")
    outcome = process_item(item, ctx)
    assert outcome.status == "archived"
    assert process_item(item, ctx).status == "already_done"  # a re-run adds no events

    events = record_history(ctx.ledger, outcome.record_id[:12])
    assert [e.event for e in events] == ["received", "ocred", "classified", "archived"]
    row = ctx.ledger.find_records(outcome.record_id)[0]
    by_kind = {e.event: e.detail for e in events}
    assert by_kind["ocred"]["engine"] == row.engine and by_kind["ocred"]["options"] == {"dpi": 300, "psm": "auto"}
    assert by_kind["classified"] == {"record_type": row.record_type, "score": row.score,
                                     "needs_review": row.needs_review}
    assert (by_kind["archived"]["pdf_sha256"], by_kind["archived"]["sidecar_sha256"]) == (
        row.pdf_sha256, row.sidecar_sha256)
    assert all(e.batch == "b7" and e.record_id == outcome.record_id for e in events)

    result = set_record_type(ctx.ledger, ctx.archive, outcome.record_id[:12], "complaint", reviewed_by="r.officer",
                             record_types=data_settings.classification.record_types)
    assert result is not None
    reviewed = record_history(ctx.ledger, outcome.record_id)[-1]
    assert (reviewed.event, reviewed.actor) == ("reviewed", "r.officer")
    assert reviewed.detail["previous_type"] == row.record_type
    assert reviewed.detail["record_type"] == "complaint"

    dumped = json.dumps([asdict(e) for e in ctx.ledger.events()], default=str)
    for secret in ("Quokkavale", "quokkavale", "SW1A", "4012"):
        assert secret not in dumped


def test_quarantine_estimate_and_exclusion_are_logged_once(tmp_path: Path) -> None:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    entry = QuarantineEntry("ashbourne", "b2", "ashbourne/b2/x.pdf", "ab" * 32, "encrypted_pdf", "ocr",
                            "EncryptedPdfError", "decrypt with qpdf --decrypt in.pdf out.pdf", None)
    assert ledger.add_quarantine(entry) and not ledger.add_quarantine(entry)
    events = ledger.events(council="ashbourne", batch="b2")
    assert [(e.event, e.detail["reason"]) for e in events] == [("quarantined", "encrypted_pdf")]
    assert "qpdf" not in json.dumps([asdict(e) for e in events], default=str), "the message stays in the quarantine table"


def test_event_log_has_no_update_or_delete_path() -> None:
    assert [name for name in dir(ledger_module.Ledger) if "event" in name] == ["events", "last_event_id"]  # both read
    package = Path(ledger_module.__file__).parent  # every module of the ledger, not only its facade
    source = "\n".join(path.read_text(encoding="utf-8") for path in sorted(package.glob("*.py")))
    for verb in ("update", "delete"):
        assert f"{verb}(record_events_table" not in source
        assert f"{verb}(exclusions_table" not in source
    uses = re.findall(r"(\w*\(?)record_events_table(\.c)?", source)
    assert {call for call, _ in uses} <= {"", "insert(", "select("}, "the log is only ever inserted and read"
    assert {"insert(", "select("} <= {call for call, _ in uses}, "the modules that write and read the log are in view"


def test_record_history_refuses_short_or_unknown_prefix(tmp_path: Path) -> None:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    with pytest.raises(AuditError):
        record_history(ledger, "ab")
    with pytest.raises(AuditError):
        record_history(ledger, "abcdef12")


def test_cli_audit_record_batch_estimate_and_exclude(tmp_path: Path) -> None:
    from records.archive.local import Archive

    data = tmp_path / "data"
    ledger = Ledger(f"sqlite:///{data / 'ledger.db'}")
    sha = archive_one(Archive(data / "archive"), ledger, "r1", council="kingsmere", pages=2)
    ledger.dispose()
    runner = CliRunner()
    common = ["--config", str(CONFIG), "--data-dir", str(data)]
    assert runner.invoke(app, ["estimate", "set", "kingsmere", "--pages", "30", "--source", "shelf audit",
                               "--by", "a.clerk", *common]).exit_code == 0
    done = runner.invoke(app, ["exclude", "kingsmere", "--pages", "5", "--reason", "duplicate",
                               "--note", "second copies of 2003 minutes", "--by", "a.clerk", *common])
    assert done.exit_code == 0, done.output
    bad = runner.invoke(app, ["exclude", "kingsmere", "--pages", "5", "--reason", "boring", "--note", "x", *common])
    assert bad.exit_code == ExitCode.usage

    shown = runner.invoke(app, ["audit", "record", sha[:12], "--json", *common])
    assert shown.exit_code == 0, shown.output
    assert [e["event"] for e in json.loads(shown.output)["events"]] == ["received", "ocred", "classified", "archived"]
    table = runner.invoke(app, ["audit", "batch", "kingsmere", "b1", *common])
    assert table.exit_code == 0 and "archived" in table.output and sha[:12] in table.output
    council_events = Ledger(f"sqlite:///{data / 'ledger.db'}").events(council="kingsmere")
    changes = [(e.event, e.actor, e.detail["pages"]) for e in council_events if e.record_id is None]
    assert changes == [("estimate_changed", "a.clerk", 30), ("excluded", "a.clerk", 5)]
    missing = runner.invoke(app, ["audit", "record", "ffffff", *common])
    assert missing.exit_code == ExitCode.usage


def test_a_stack_records_trail_names_its_file_and_pages_not_its_cover_sheet_reference(tmp_path: Path) -> None:
    from records.ledger import ArchivedRecord

    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    record = ArchivedRecord(
        source_sha256="b" * 64, council="ashbourne", batch="box-1", source_path="ashbourne/box-1/box.pdf",
        record_type="complaint", score=0.9, needs_review=False, pages=2, words=40, blank_pages=0,
        mean_confidence=91.0, pdf_path="p.pdf", text_path="p.txt", sidecar_path="p.json", pdf_sha256="1" * 64,
        text_sha256="2" * 64, engine="tesseract", languages="eng", pipeline_version="test",
        source_file_sha256="a" * 64, first_page=3, last_page=4, reference="REC-004711",
    )
    assert ledger.add_record(record)
    [received] = [e for e in ledger.events(record_prefix="b" * 12) if e.event == "received"]
    assert (received.detail["source_file_sha256"], received.detail["first_page"], received.detail["last_page"]) == (
        "a" * 64, 3, 4)
    assert "REC-004711" not in json.dumps([asdict(e) for e in ledger.events(record_prefix="b" * 12)], default=str)
    assert [r.reference for r in ledger.records()] == ["REC-004711"], "the row keeps it"
