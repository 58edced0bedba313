"""The digitise command line: exit codes and output, with the real flow behind it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from flows.cli import app
from records.errors import ExitCode
from tests.conftest import ROOT

runner = CliRunner()


def test_validate_config_ok() -> None:
    result = runner.invoke(app, ["validate-config"])
    assert result.exit_code == ExitCode.ok, result.output
    assert "configuration ok: 4 councils, 9 record types" in result.output


def test_validate_config_bad_yaml_exits_bad_config(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    (config / "pipeline.yaml").write_text("workers: [not, a, number]\n")
    result = runner.invoke(app, ["validate-config", "--config", str(config)])
    assert result.exit_code == ExitCode.bad_config


def test_run_with_bad_file_exits_quarantined_and_reports_progress(scan_root: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = runner.invoke(app, ["run", str(scan_root), "--data-dir", str(data), "--json"])
    assert result.exit_code == ExitCode.quarantined, result.output
    progress = runner.invoke(app, ["progress", "--data-dir", str(data), "--json"])
    assert progress.exit_code == ExitCode.ok
    rows = {(r["council"], r["record_type"]): r for r in json.loads(progress.stdout)["progress"]}
    assert rows[("kingsmere", "all")]["failed"] == 1
    assert rows[("kingsmere", "planning_application")]["pages"] == 1
    assert rows[("thornbury", "all")]["band"] == "unknown"


def test_help_lists_commands_and_exit_codes() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.replace("│", " ").split())  # undo rich's line wrapping
    for word in ("run", "progress", "demo", "validate-config", "10 finished with quarantined"):
        assert word in text
