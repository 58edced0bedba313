"""Operations end to end: deployments on a real Prefect server, run by a real worker, seen in the UI.

The whole module (server start included) stays well under three minutes: one page of OCR,
one file that is not an image, one browser visit.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from uuid import UUID

import pytest
from PIL import Image
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    FlowRunFilterName,
)
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from typer.testing import CliRunner

from flows.cli import app
from records.errors import ExitCode
from tests.conftest import ROOT, unavailable
from tests.ops.conftest import OpsStack

pytestmark = [pytest.mark.ops, pytest.mark.timeout(180)]  # and OpsStack.remaining() bounds the module

NIGHTLY = "digitise-scan-root/nightly"
SWEEP = "sweep-new-batches/every-15-minutes"
REPORT = "progress-report/morning"
FIXITY = "verify-archive/weekly"
SCREENSHOT = ROOT / "var" / "ci-artifacts" / "prefect-ui-run.png"
BROWSER_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1400,1000", "--virtual-time-budget=15000",
]


def _client() -> SyncPrefectClient:
    return get_client(sync_client=True)


def _run_named(client: SyncPrefectClient, name: str) -> FlowRun:
    [run] = client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[name])))
    return run


def _artifacts(client: SyncPrefectClient, flow_run_id: UUID) -> dict[str, object]:
    found = client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
    return {a.key: a.data for a in found if a.key}


def _wait_final(client: SyncPrefectClient, flow_run_id: UUID, timeout: float) -> FlowRun:
    deadline = time.monotonic() + timeout
    while True:
        run = client.read_flow_run(flow_run_id)
        if run.state and run.state.is_final():
            return run
        assert time.monotonic() < deadline, f"flow run {run.name} still {run.state_name} after {timeout}s"
        time.sleep(1)


@pytest.fixture(autouse=True)
def _within_budget(ops: OpsStack) -> None:
    ops.remaining()


@pytest.fixture(scope="module")
def nightly(ops: OpsStack) -> FlowRun:
    """The nightly deployment, run now through the API with its own parameters."""
    return run_deployment(NIGHTLY, timeout=min(120, ops.remaining()), poll_interval=1)


def test_ops_up_applies_deployments_pool_and_limits(ops: OpsStack) -> None:
    with _client() as client:
        nightly = client.read_deployment_by_name(NIGHTLY)
        sweep = client.read_deployment_by_name(SWEEP)
        report = client.read_deployment_by_name(REPORT)
        fixity = client.read_deployment_by_name(FIXITY)
        pool = client.read_work_pool("digitise-local")
        tesseract = client.read_concurrency_limit_by_tag("tesseract")

    assert pool.type == "process" and pool.concurrency_limit == 3
    assert tesseract.concurrency_limit == 2
    assert {d.work_pool_name for d in (nightly, sweep, report, fixity)} == {"digitise-local"}
    assert nightly.parameters["scan_root"] == str(ops.scan_root)
    [schedule] = nightly.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 2 * * *", "Europe/London")
    assert {d.schedules[0].schedule.timezone for d in (sweep, report, fixity)} == {"Europe/London"}
    assert nightly.global_concurrency_limit and nightly.global_concurrency_limit.limit == 1
    assert sweep.global_concurrency_limit and sweep.global_concurrency_limit.limit == 1


def test_nightly_run_over_quarantine_limit_fails_and_publishes_artifacts(ops: OpsStack, nightly: FlowRun) -> None:
    assert nightly.name == "scan-root-all-councils"
    assert nightly.state and nightly.state.is_failed(), nightly.state
    assert "kingsmere/2026-11-batch-02" in (nightly.state.message or "")
    assert "more than 20%" in (nightly.state.message or "")

    with _client() as client:
        good = _run_named(client, "ashbourne/2026-11-batch-01")
        bad = _run_named(client, "kingsmere/2026-11-batch-02")
        scan = _artifacts(client, nightly.id)
        good_artifacts, bad_artifacts = _artifacts(client, good.id), _artifacts(client, bad.id)

    assert good.state and good.state.is_completed()
    assert bad.state and bad.state.is_failed() and "1 of 1 inputs quarantined (100%)" in (bad.state.message or "")
    assert good_artifacts["progress-ashbourne-2026-11-batch-01"] == 100
    assert bad_artifacts["progress-kingsmere-2026-11-batch-02"] == 100

    progress = str(scan["digitisation-progress"])
    assert "| ashbourne | all | 1 | 1 | 40 | 2.5% | 0–25% | 0 |" in progress
    assert "| ashbourne | council_tax | 1 | 1 | 8 | 12.5% | 0–25% |  |" in progress
    assert "| kingsmere | all | 0 | 0 | 12 | 0.0% | 0–25% | 1 |" in progress

    quarantined = str(scan["quarantined-files"])
    assert '"file": "kingsmere/2026-11-batch-02/fax.png"' in quarantined
    assert '"reason": "input_unreadable"' in quarantined
    assert quarantined == str(bad_artifacts["quarantine-kingsmere-2026-11-batch-02"])
    everything = " ".join(str(v) for v in [*scan.values(), *good_artifacts.values(), *bad_artifacts.values()])
    assert "Valuation" not in everything and "CTAX" not in everything, "artifacts must carry no OCR text"


def _chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        unavailable("chromium is not installed (Debian package chromium): no UI screenshot")
    return path


def test_prefect_ui_shows_failed_batch_run_with_progress_artifact(
    ops: OpsStack, nightly: FlowRun, tmp_path: Path
) -> None:
    chromium = _chromium()
    with _client() as client:
        bad = _run_named(client, "kingsmere/2026-11-batch-02")
    url = f"{ops.ui_url}/v2/runs/flow-run/{bad.id}?tab=Artifacts"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)

    # The page's text and its picture, from two browsers at once.
    with subprocess.Popen([chromium, *BROWSER_FLAGS, f"--user-data-dir={tmp_path / 'shot'}",
                           f"--screenshot={SCREENSHOT}", url],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as shot:
        dom = subprocess.run([chromium, *BROWSER_FLAGS, f"--user-data-dir={tmp_path / 'dom'}", "--dump-dom", url],
                             capture_output=True, text=True, timeout=min(60, ops.remaining()), check=True).stdout
        assert shot.wait(timeout=min(60, ops.remaining())) == 0

    for shown in ("kingsmere/2026-11-batch-02", "Failed", "progress-kingsmere-2026-11-batch-02",
                  "quarantine-kingsmere-2026-11-batch-02"):
        assert shown in dom, f"the run page does not show {shown!r}"
    image = Image.open(SCREENSHOT).convert("RGB")
    assert image.size == (1400, 1000)
    colours = image.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 300, "screenshot looks blank"
    assert max(colours)[0] / (image.width * image.height) < 0.9, "screenshot is mostly one colour"


def test_watch_starts_sweep_once_for_a_new_batch_folder(ops: OpsStack, nightly: FlowRun, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "ashbourne" / "2026-11-batch-07").mkdir(parents=True)
    # Same content as tonight's archived letter: the sweep runs the batch, the ledger skips the OCR.
    shutil.copy(ops.scan_root / "ashbourne" / "2026-11-batch-01" / "tax.png", inbox / "ashbourne" / "2026-11-batch-07")
    watch = ["watch", str(inbox), "--once", "--settle-seconds", "0", "--data-dir", str(ops.data_dir)]
    runner = CliRunner()

    first = runner.invoke(app, watch)
    assert first.exit_code == ExitCode.ok, first.output
    assert "for 1 new batch folders: ashbourne/2026-11-batch-07" in first.stdout
    run_id = UUID(first.stdout.split("(", 1)[1].split(")", 1)[0])
    with _client() as client:
        sweep = _wait_final(client, run_id, timeout=min(90, ops.remaining()))
        batch = _run_named(client, "ashbourne/2026-11-batch-07")
    assert sweep.state and sweep.state.is_completed(), sweep.state
    assert batch.state and batch.state.is_completed()

    again = runner.invoke(app, watch)
    assert again.exit_code == ExitCode.ok, again.output
    assert again.stdout == "", "a folder already swept must not start another sweep"


def test_fixity_deployment_fails_on_an_altered_file(ops: OpsStack, nightly: FlowRun) -> None:
    [text] = (ops.data_dir / "archive" / "ashbourne" / "council_tax").glob("*.txt")
    text.chmod(0o640)
    text.write_text(text.read_text(encoding="utf-8") + "\nchanged by hand\n", encoding="utf-8")
    tampered = run_deployment(FIXITY, timeout=min(90, ops.remaining()), poll_interval=1)

    assert tampered.state and tampered.state.is_failed()
    assert "1 altered" in (tampered.state.message or "")
    with _client() as client:
        problems = str(_artifacts(client, tampered.id)["fixity-problems"])
    assert f'"archive file": "ashbourne/council_tax/{text.name}"' in problems
    assert '"problem": "altered"' in problems
