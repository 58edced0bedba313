"""The fixity flow on the session's Prefect server: an empty and an intact archive pass; a
tampered file fails the check, named in the report it raises and in the run's problem table.

The deployment's Failed run, seen through the API, is tested in tests/ops/test_operations.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client

from flows.fixity import FIXITY_KEY, FixityCheckFailed, verify_archive
from records.config import Settings
from records.context import build_context
from records.intake.scan import discover
from records.ledger import RecordRow
from records.pipeline import process_item
from tests.conftest import render_lines
from tests.flows.conftest import LETTERS


def test_verify_archive_flow_empty_archive_completes(tmp_path: Path) -> None:
    report = verify_archive(data_dir=str(tmp_path / "data"))
    assert (report["records"], report["problems"]) == (0, ())


@pytest.fixture
def archived_letter(data_settings: Settings, tmp_path: Path) -> RecordRow:
    """One letter archived by the pipeline itself (real OCR, the ledger's real checksums): its ledger row."""
    batch = tmp_path / "scans" / "ashbourne" / "b1"
    batch.mkdir(parents=True)
    render_lines(LETTERS["council_tax"], size=(1240, 420)).save(batch / "tax.png", dpi=(300, 300))
    context = build_context(data_settings)
    items, refused = discover(tmp_path / "scans", known_councils=data_settings.councils)
    assert not refused and [process_item(item, context).status for item in items] == ["archived"]
    [record] = context.ledger.records()
    return record


def _fixity_table() -> list[dict[str, str]]:
    with get_client(sync_client=True) as client:
        [artifact] = [a for a in client.read_latest_artifacts() if a.key == FIXITY_KEY]
    rows: list[dict[str, str]] = json.loads(str(artifact.data))
    return rows


def test_verify_archive_flow_reports_a_tampered_file(archived_letter: RecordRow, tmp_path: Path) -> None:
    data = tmp_path / "data"
    intact = verify_archive(data_dir=str(data))
    assert (intact["records"], intact["files"], intact["problems"]) == (1, 3, ())
    assert _fixity_table() == []

    with (data / "archive" / archived_letter.pdf_path).open("ab") as pdf:
        pdf.write(b"%% one line added after archiving")
    with pytest.raises(FixityCheckFailed) as failed:
        verify_archive(data_dir=str(data))
    record_id = archived_letter.source_sha256
    assert [(p.kind, p.path, p.record_id) for p in failed.value.report.problems] == [
        ("altered", archived_letter.pdf_path, record_id)]
    assert _fixity_table() == [{"problem": "altered", "archive file": archived_letter.pdf_path, "record id": record_id}]
