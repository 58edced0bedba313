"""The single place where the OCR layer starts a subprocess."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Sequence

log = logging.getLogger(__name__)


def tool_env() -> dict[str, str]:
    """One OpenMP thread per tool process: we parallelise across pages, not inside them."""
    env = dict(os.environ)
    env.setdefault("OMP_THREAD_LIMIT", "1")
    return env


def run(argv: Sequence[str], *, timeout: float) -> subprocess.CompletedProcess[bytes]:
    """Run argv (never through a shell) with a hard timeout, capturing output."""
    logging.getLogger(f"{__name__}.{os.path.basename(argv[0])}").debug("argv %s", argv[0])
    return subprocess.run(
        list(argv), capture_output=True, timeout=timeout, check=True, env=tool_env()
    )
