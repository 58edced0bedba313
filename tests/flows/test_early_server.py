"""The command line starts Prefect's server before its imports, and still yields to any
Prefect configuration of the operator's."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from prefect.settings import PREFECT_API_URL, temporary_settings

from flows import early_server

ROOT = Path(__file__).resolve().parents[2]


def test_run_command_serves_the_flow_run_from_the_early_server(scan_root: Path, tmp_path: Path) -> None:
    prefect_home = tmp_path / "prefect-home"  # its own database, not the developer's
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env |= {"PREFECT_HOME": str(prefect_home), "PREFECT_LOGGING_LEVEL": "INFO"}
    done = subprocess.run(
        [sys.executable, "-m", "flows", "run", str(scan_root), "--council", "ashbourne", "--data-dir",
         str(tmp_path / "data")],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    output = done.stdout + done.stderr
    assert "1 archived" in output
    assert "Starting temporary server" not in output  # Prefect did not start a second one
    with sqlite3.connect(prefect_home / "prefect.db") as db:
        runs = db.execute("SELECT state_type, COUNT(*) FROM flow_run GROUP BY state_type").fetchall()
        logs = db.execute("SELECT COUNT(*) FROM log").fetchone()[0]
    assert runs == [("COMPLETED", 2)]  # the scan-root flow and its batch subflow
    assert logs > 0  # the last logs reached the server before it stopped


def test_only_commands_that_run_a_flow_start_a_server(monkeypatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    early_server.launch(["progress"])
    early_server.launch([])
    assert early_server._launched is None


def _launched(command: str, monkeypatch) -> early_server.EarlyServer:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    early_server.launch([command])
    server = early_server._launched
    assert server is not None
    return server


def test_a_configured_api_url_wins_and_the_early_server_stops(monkeypatch) -> None:
    server = _launched("run", monkeypatch)
    configured = PREFECT_API_URL.value()  # the test session's server, as if from a profile
    assert configured
    with early_server.serving():
        assert PREFECT_API_URL.value() == configured
    assert server.process.poll() is not None
    assert early_server._launched is None


def test_the_early_server_is_used_when_prefect_has_none(monkeypatch) -> None:
    server = _launched("demo", monkeypatch)
    try:
        with temporary_settings(restore_defaults={PREFECT_API_URL}), early_server.serving():
            assert PREFECT_API_URL.value() == server.api_url
            from prefect.client.orchestration import get_client

            with get_client(sync_client=True) as client:
                assert client.api_healthcheck() is None  # None: healthy
    finally:
        server.stop()
