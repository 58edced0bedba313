"""A real Prefect server, worker and deployments, started by scripts/ops-up.sh for this module.

Nothing is mocked and prefect_test_harness is not used: the operator's own command starts a
server (SQLite under tmp_path) on a free loopback port, creates the work pool and limits,
applies prefect.yaml and starts a process worker. Teardown runs scripts/ops-down.sh and then
kills, by the ids the script recorded, anything of ours still alive.

A test module may set `OPS_ENV` (more settings for ops-up.sh, e.g. two workers and Prefect on
PostgreSQL) and its own `MODULE_BUDGET`; each module gets a stack of its own.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings

from tests.conftest import ROOT, render_lines, unavailable
from tests.postgres import _base_dir, unavailable_reason

MODULE_BUDGET = 175  # seconds for the whole ops module, server start and teardown included
UP_TIMEOUT = 120  # seconds for ops-up.sh as a whole; it gives the server 90 of them
LETTERS = {
    "council_tax": ["Council Tax Demand Notice 2026/27", "Local Government Finance Act 1992",
                    "Valuation band C. Account CTAX 4012 3456 7"],
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ops: starts a real Prefect server, worker and deployments")


@dataclass(frozen=True)
class OpsStack:
    api_url: str
    ui_url: str
    home: Path
    data_dir: Path
    scan_root: Path
    env: dict[str, str]
    deadline: float  # time.monotonic() by which the module must be done
    budget: float = MODULE_BUDGET

    def remaining(self) -> float:
        """Seconds left in the module's budget, for every wait a test makes; fails when none."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"the ops tests went over their {self.budget:.0f}s budget")
        return left


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ops_env(home: Path, port: int, data_dir: Path, scan_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DIGITISE_"))}
    env.update({
        "PYTHON": sys.executable,
        "PREFECT_HOME": str(home),
        "DIGITISE_PREFECT_PORT": str(port),
        "DIGITISE_DATA_DIR": str(data_dir),
        "DIGITISE_SCAN_ROOT": str(scan_root),
        "DIGITISE_OCR_SLOTS": "2",
        "DIGITISE_OPS_TIMEOUT": "90",
        # Runs start only when a test asks: no schedule may fire in the middle of a test.
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
    })
    return env


def _started_pids(home: Path) -> dict[str, int]:
    """The server's and every worker's session id, as ops-up.sh recorded them."""
    return {f.stem: int(f.read_text()) for f in [home / "server.pid", *sorted(home.glob("worker*.pid"))]
            if f.exists()}


def _kill_leftovers(home: Path, pids: dict[str, int], pg_dir: Path | None) -> None:
    """Safety net after ops-down.sh: end the sessions we started, and only those; then the
    PostgreSQL cluster ops-up.sh started for Prefect (its postmaster, by the id in its pid file)."""
    for pid in pids.values():
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for name in pids:
        (home / f"{name}.pid").unlink(missing_ok=True)
    postmaster = pg_dir / "data" / "postmaster.pid" if pg_dir else None
    if postmaster and postmaster.exists():
        try:
            os.kill(int(postmaster.read_text().split()[0]), signal.SIGQUIT)  # PostgreSQL's immediate shutdown
        except (ProcessLookupError, PermissionError, ValueError, IndexError):
            pass


def _prefect_pg_dir() -> Path:
    """A folder for Prefect's PostgreSQL cluster that its server user can reach (ops-up.sh chowns it)."""
    reason = unavailable_reason()
    if reason:
        unavailable(f"cannot start PostgreSQL for Prefect: {reason}")
    return Path(tempfile.mkdtemp(prefix="digitise-prefect-pg-", dir=_base_dir()))


def make_scan_root(root: Path) -> Path:
    """One good letter (ashbourne) and one file that is not an image (kingsmere): one page of OCR."""
    (root / "ashbourne" / "2026-11-batch-01").mkdir(parents=True)
    render_lines(LETTERS["council_tax"]).save(root / "ashbourne" / "2026-11-batch-01" / "tax.png", dpi=(300, 300))
    (root / "kingsmere" / "2026-11-batch-02").mkdir(parents=True)
    (root / "kingsmere" / "2026-11-batch-02" / "fax.png").write_bytes(b"not really a png")
    return root


@pytest.fixture(scope="module")
def ops(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpsStack]:
    budget = getattr(request.module, "MODULE_BUDGET", MODULE_BUDGET)
    deadline = time.monotonic() + budget - 15  # keep 15 s for teardown
    base = tmp_path_factory.mktemp("ops")
    home, data_dir = base / "prefect-home", base / "data"
    scan_root = make_scan_root(base / "scans")
    port = _free_port()
    env = {**_ops_env(home, port, data_dir, scan_root), **getattr(request.module, "OPS_ENV", {})}
    pg_dir = _prefect_pg_dir() if env.get("DIGITISE_PREFECT_DB") == "postgres" else None
    if pg_dir:
        env["DIGITISE_PREFECT_PG_DIR"] = str(pg_dir)
    stack = OpsStack(f"http://127.0.0.1:{port}/api", f"http://127.0.0.1:{port}", home, data_dir, scan_root, env,
                     deadline, budget)
    try:
        up = subprocess.run(["bash", str(ROOT / "scripts" / "ops-up.sh")], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=UP_TIMEOUT, check=False)
        assert up.returncode == 0, f"ops-up.sh failed:\n{up.stdout}\n{up.stderr}"
        assert f"Prefect UI:   {stack.ui_url}" in up.stdout, up.stdout
        assert stack.api_url.startswith("http://127.0.0.1:"), "ops tests must never reach a real Prefect API"
        with temporary_settings(updates={PREFECT_API_URL: stack.api_url}):
            yield stack
    finally:
        pids = _started_pids(home)
        try:
            subprocess.run(["bash", str(ROOT / "scripts" / "ops-down.sh")], env=env, cwd=ROOT,
                           capture_output=True, timeout=30, check=False)
        except subprocess.TimeoutExpired:
            pass  # the safety net below ends what is left
        _kill_leftovers(home, pids, pg_dir)
        if pg_dir:
            shutil.rmtree(pg_dir, ignore_errors=True)
