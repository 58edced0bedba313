"""The single place where the OCR layer starts a subprocess."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Sequence

from ocr.errors import OcrError, OcrTimeoutError, ToolMissingError

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


def run_tool(argv: Sequence[str], *, timeout: float, package: str, task: str, failure: type[OcrError]) -> None:
    """`run`, with the tool's absence, a timeout and a non-zero exit as the OCR layer's typed
    errors; `task` says what the tool was doing ("rendering page 3"), never with file names."""
    try:
        run(argv, timeout=timeout)
    except FileNotFoundError as e:
        raise ToolMissingError(f"{argv[0]} not found: install {package}") from e
    except subprocess.TimeoutExpired as e:
        raise OcrTimeoutError(f"{task} took longer than {timeout:g}s") from e
    except subprocess.CalledProcessError as e:
        raise failure(f"{argv[0]} failed {task} (exit {e.returncode})") from e
