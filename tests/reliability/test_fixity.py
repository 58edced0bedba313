"""`digitise verify`: archive files recomputed against the ledger's checksums, with its exit code."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from typer.testing import CliRunner

from flows.cli import app
from records.archive.fixity import verify_archive
from records.errors import ExitCode
from records.pipeline import PipelineContext

runner = CliRunner()


def _verify(context: PipelineContext, *extra: str) -> tuple[int, dict[str, Any]]:
    data_dir = context.archive.root.parent
    result = runner.invoke(app, ["verify", "--data-dir", str(data_dir), "--json", *extra])
    return result.exit_code, json.loads(result.stdout)["fixity"]


def _sql(context: PipelineContext, statement: str) -> None:
    with sqlite3.connect(context.archive.root.parent / "ledger.db") as db:
        db.execute(statement)


def test_verify_intact_archive_exits_ok(archived: PipelineContext) -> None:
    code, report = _verify(archived)
    assert code == ExitCode.ok
    assert (report["records"], report["files"], report["unchecked"], report["problems"]) == (2, 6, 0, [])


def test_verify_reports_altered_missing_and_untracked_files_and_exits_verify_failed(archived: PipelineContext) -> None:
    first, second = archived.ledger.records()
    root = archived.archive.root
    with (root / first.pdf_path).open("ab") as pdf:
        pdf.write(b"%% one byte too many")
    sidecar = root / first.sidecar_path
    sidecar.write_text(sidecar.read_text().replace('"council": "ashbourne"', '"council": "kingsmere"'))
    (root / second.text_path).unlink()
    stray = root / "ashbourne" / "council_tax" / f"{'f' * 64}.pdf"
    stray.write_bytes(b"%PDF-1.4 nobody's")
    (stray.parent / ".tmp-123@host~abc.pdf").write_bytes(b"a write in progress is not a record")

    code, report = _verify(archived)

    assert code == ExitCode.verify_failed
    assert sorted((p["kind"], p["path"], p["record_id"]) for p in report["problems"]) == sorted([
        ("altered", first.pdf_path, first.source_sha256),
        ("altered", first.sidecar_path, first.source_sha256),
        ("missing", second.text_path, second.source_sha256),
        ("untracked", stray.relative_to(root).as_posix(), None),
    ])


def test_verify_human_output_lists_problems(archived: PipelineContext) -> None:
    (archived.archive.root / archived.ledger.records()[0].text_path).unlink()
    result = runner.invoke(app, ["verify", "--data-dir", str(archived.archive.root.parent)])
    assert result.exit_code == ExitCode.verify_failed
    assert result.stdout.startswith("missing ")
    assert "2 records, 5 files checked (0 without a checksum): 1 missing" in result.stdout


def test_verify_ledger_path_outside_archive_is_reported_not_read(archived: PipelineContext) -> None:
    _sql(archived, "UPDATE records SET pdf_path = '../../../../etc/passwd' WHERE id = 1")
    report = verify_archive(archived.archive.root, archived.ledger)
    assert [(p.kind, p.path) for p in report.problems][0] == ("unsafe_path", "../../../../etc/passwd")


def test_verify_records_without_sidecar_checksum_are_counted_unchecked(archived: PipelineContext) -> None:
    _sql(archived, "UPDATE records SET sidecar_sha256 = NULL")
    report = verify_archive(archived.archive.root, archived.ledger)
    assert report.ok and report.unchecked == 2

