"""Prefect's temporary API server, started before the pipeline's imports instead of after them.

With no PREFECT_API_URL, Prefect starts a temporary server when the first flow runs: it
imports its server module (about 1.8 s), then waits while a subprocess imports it again
and comes up (about 5 s), and the run does nothing else meanwhile. `launch()`, called
first thing by the command line, starts the same server (Prefect's own app, by the same
uvicorn command and environment as `prefect.server.api.server.SubprocessASGIServer`) on another core while this process imports the
pipeline; `serving()` then points Prefect at it for the flow run. When Prefect is
configured some other way (an API URL in a profile or prefect.toml, ephemeral mode off)
or the server did not come up, the early server is stopped and Prefect does what it
would have done. Standard library only, so importing this module costs nothing.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path

#: Commands that run a flow: only they start a server.
FLOW_COMMANDS = frozenset({"run", "demo"})

_SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


class EarlyServer:
    """One uvicorn process serving Prefect's API on a free local port."""

    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process = process
        self.port = port

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def wait_ready(self, timeout: float) -> bool:
        """Whether the API answers its health check within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return True
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


_launched: EarlyServer | None = None


def launch(argv: list[str]) -> None:
    """Start the server now if `argv` is a command that runs a flow and no API URL is set."""
    global _launched
    if _launched is not None or not argv or argv[0] not in FLOW_COMMANDS or os.environ.get("PREFECT_API_URL"):
        return
    spec = find_spec("prefect")
    if spec is None or not spec.submodule_search_locations:
        return
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(spec.submodule_search_locations[0]).parent),
         "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "error", "--lifespan", "on"],
        env={"PREFECT_SERVER_ANALYTICS_ENABLED": "false", **os.environ, **_SERVER_ENV},
    )
    _launched = EarlyServer(process, port)
    # Registered before Prefect is imported, so it runs after Prefect's own exit handlers
    # have sent their last logs and events to this server.
    atexit.register(_launched.stop)


@contextmanager
def serving() -> Iterator[None]:
    """Run the block against the early server, if one was launched and Prefect has no other."""
    global _launched
    server, _launched = _launched, None
    if server is None:
        yield
        return
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_SERVER_ALLOW_EPHEMERAL_MODE,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        temporary_settings,
    )

    if PREFECT_API_URL.value() or not PREFECT_SERVER_ALLOW_EPHEMERAL_MODE.value() or not server.wait_ready(
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()
    ):
        server.stop()
        yield
        return
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
        yield


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
