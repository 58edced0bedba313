"""A throwaway S3-compatible server for the tests: moto's server mode (`python -m moto.server`).

Why moto: CI and fresh machines reach only PyPI and Debian. MinIO's server is on neither;
Debian's `radosgw` (Ceph 16) needs a whole Ceph cluster (monitor, OSDs) before it serves a
request; the npm `s3rver` implements far less of the API. moto's S3 is a separate HTTP server
speaking the real wire protocol that botocore, aiobotocore and s3fs use, and it implements
what the archive's guarantees rest on: conditional PUTs (`If-None-Match: *`, answered 412),
user metadata, ListObjectsV2 with prefixes and delimiters, multipart uploads, and errors
(NoSuchKey, NoSuchBucket) with S3's codes. It keeps objects in memory, so a server per test
module starts in about half a second and leaves nothing behind.

The server runs as a child process on a free loopback port; `running_s3()` waits until it
answers and always stops it.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 30
#: What the pipeline's S3 code and the server need, from the `test` extra in pyproject.toml.
NEEDS = ("moto", "flask", "flask_cors", "s3fs")


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    log: Path


def unavailable_reason() -> str | None:
    """Why a server cannot be started here, or None if it can."""
    missing = [name for name in NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        return f"missing Python packages {missing}: .venv/bin/pip install -e '.[test]'"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@contextmanager
def running_s3() -> Iterator[S3Server]:
    """Start moto's S3 server on 127.0.0.1 and a free port; stop it on the way out."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="digitise-s3-") as folder:
        log = Path(folder) / "moto.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while not _answers(port):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto's S3 server did not start:\n{log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.05)
            yield S3Server(f"http://127.0.0.1:{port}", log)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
