"""The review, train, search, report and estimate commands, on a ledger and archive built directly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from prefect.client.orchestration import get_client
from typer.testing import CliRunner

from flows import progress_report
from flows.cli import app
from records.archive.local import Archive
from records.classify.corpus import training_texts
from records.classify.learned import MODEL_FILE, load_model
from records.config import UNCLASSIFIED
from records.errors import ExitCode
from records.ledger import Ledger
from tests.records.test_search import archive_one

runner = CliRunner()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data dir with one confident record and one awaiting review."""
    data = tmp_path / "data"
    archive, ledger = Archive(data / "archive"), Ledger(f"sqlite:///{data / 'ledger.db'}")
    archive_one(archive, ledger, "sure", record_type="council_tax", text="Council Tax Demand Notice, band C", pages=2)
    archive_one(archive, ledger, "doubt", record_type=UNCLASSIFIED, needs_review=True, score=0.5,
                candidates=(("complaint", 0.5), ("council_tax", 0.3)), text="We apologise for the delay")
    ledger.dispose()
    return data


def _json(args: list[str]) -> dict[str, Any]:
    result = runner.invoke(app, args)
    assert result.exit_code == ExitCode.ok, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_review_list_then_set(data: Path) -> None:
    [item] = _json(["review", "--data-dir", str(data), "--json"])["review"]
    assert item["candidates"] == [["complaint", 0.5], ["council_tax", 0.3]]
    record_id = item["record_id"][:12]
    bad = runner.invoke(app, ["review", "set", record_id, "allotments", "--data-dir", str(data)])
    assert bad.exit_code == ExitCode.usage
    done = runner.invoke(app, ["review", "set", record_id, "complaint", "--by", "j.smith", "--data-dir", str(data)])
    assert done.exit_code == ExitCode.ok, done.output
    assert "unclassified -> complaint" in done.stdout
    assert _json(["review", "--data-dir", str(data), "--json"])["review"] == []


def test_search_prints_snippet_and_archive_path(data: Path) -> None:
    result = runner.invoke(app, ["search", "apologise", "--data-dir", str(data)])
    assert result.exit_code == ExitCode.ok, result.output
    assert "[apologise]" in result.stdout and "/unclassified/" in result.stdout
    hits = _json(["search", "band", "--type", "council_tax", "--data-dir", str(data), "--json"])["search"]
    assert [h["record_type"] for h in hits] == ["council_tax"]
    assert _json(["search", "band", "--council", "kingsmere", "--data-dir", str(data), "--json"])["search"] == []


def test_estimate_set_changes_progress_and_report(data: Path, tmp_path: Path) -> None:
    before = _json(["progress", "--data-dir", str(data), "--json"])["progress"]
    assert {(r["council"], r["band"]) for r in before if r["record_type"] == "all"} >= {("ashbourne", "0–25%")}
    result = runner.invoke(app, ["estimate", "set", "ashbourne", "--pages", "4", "--source", "shelf audit",
                                 "--as-of", "2026-11-01", "--by", "a.clerk", "--data-dir", str(data)])
    assert result.exit_code == ExitCode.ok, result.output
    assert "4 pages, shelf audit, as of 2026-11-01, recorded by a.clerk" in result.stdout
    after = _json(["progress", "--data-dir", str(data), "--json"])["progress"]
    ashbourne = next(r for r in after if (r["council"], r["record_type"]) == ("ashbourne", "all"))
    assert (ashbourne["percent"], ashbourne["band"]) == (75.0, "51–75%")
    assert len(_json(["estimate", "list", "ashbourne", "--data-dir", str(data), "--json"])["history"]) == 1
    unknown = runner.invoke(app, ["estimate", "set", "atlantis", "--pages", "4", "--source", "x",
                                  "--data-dir", str(data)])
    assert unknown.exit_code == ExitCode.usage
    report = _json(["report", "--data-dir", str(data), "--out", str(tmp_path / "report"), "--json"])
    assert Path(report["report"]["chart"]).is_file()
    assert report["bands"]["51–75%"] == 1


def test_train_saves_a_model_the_pipeline_loads(data: Path, tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    texts = {"council_tax": "council tax bill band instalments", "complaint": "complaint about the service apologise"}
    records = [{"path": f"x/{t}{n}.png", "record_type": t, "pages": [f"{text} letter number {n}"]}
               for t, text in texts.items() for n in range(4)]
    (samples / "ground_truth.json").write_text(json.dumps({"records": records}))
    summary = _json(["train", "--samples", str(samples), "--no-real", "--data-dir", str(data), "--json"])["train"]
    assert summary["examples"] == 8
    model = load_model(data / "models" / MODEL_FILE)
    assert model is not None and model.classes == ("complaint", "council_tax")
    assert model.meta["examples_per_type"] == {"complaint": 4, "council_tax": 4}
    too_few = runner.invoke(app, ["train", "--no-reviewed", "--no-real", "--data-dir", str(data)])
    assert too_few.exit_code == ExitCode.usage
    with_real = _json(["train", "--samples", str(samples), "--data-dir", str(data), "--json"])["train"]
    assert with_real["examples"] == 8 + len(training_texts())
    model = load_model(data / "models" / MODEL_FILE)
    assert model is not None and len(model.classes) == 9 and model.version == with_real["version"]


def test_progress_report_flow_publishes_the_report_artifact(data: Path) -> None:
    progress_report(data_dir=str(data))
    with get_client(sync_client=True) as client:
        found = [a for a in client.read_latest_artifacts() if a.key == "digitisation-report"]
    assert found, "no digitisation-report artifact"
    text = str(found[0].data)
    assert "## Summary across all councils" in text and "| Cannot say (no estimate) | 1 |" in text
