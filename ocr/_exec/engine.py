"""Tesseract kept loaded between pages: one engine process per worker thread.

The `tesseract` CLI loads its model and PDF font for every page, about 0.1 CPU s before
it reads a pixel. Here each thread that OCRs gets its own long-lived engine process
(`engine_server.py`, Tesseract's C API through tesserocr) and sends it pages one at a
time. It stays a separate process, as the CLI was, so that a stuck page can be killed on
its deadline and a crash costs one page, not the worker: the next page starts a fresh
engine. Without tesserocr the CLI reads the pages.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
import threading
import weakref
from functools import cache
from pathlib import Path
from typing import Any

from ocr import profiling
from ocr._exec.malloc import malloc_environment
from ocr.errors import OcrFailedError, OcrTimeoutError, ToolMissingError

SERVER = Path(__file__).with_name("engine_server.py")
#: Seconds allowed beyond the page timeout for the engine's own deadline to answer first.
GRACE_SECONDS = 5.0
#: Seconds an engine may take to load before its first page counts against the page's timeout.
START_SECONDS = 30.0


def engine_available() -> bool:
    """tesserocr importable (else the CLI reads the pages). Daemonic processes, as Dask's
    workers are, may start engines too: they are subprocesses, not multiprocessing children,
    and an engine whose parent dies sees its input close and exits."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return True


@cache
def tessdata_dir() -> str:
    """Where the installed Tesseract keeps its models (and the PDF font), from `--list-langs`."""
    try:
        listing = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
    except FileNotFoundError as e:
        raise ToolMissingError("tesseract not found: install tesseract-ocr") from e
    first = (listing.stdout or listing.stderr).splitlines()[:1]
    if not first or '"' not in first[0]:
        raise ToolMissingError("tesseract did not say where its language data is")
    return first[0].split('"')[1]


@cache
def engine_version() -> str:
    import tesserocr

    return str(tesserocr.tesseract_version()).split()[1]


def _close(process: subprocess.Popen[str]) -> None:
    """Close an engine's pipes (it exits when its input ends) and reap it."""
    for pipe in (process.stdin, process.stdout):
        if pipe is not None and not pipe.closed:
            pipe.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class _Engine:
    """One engine process and its pipes, used by one thread. Stopped when that thread's
    storage goes (a task runner's threads end with each flow run) or at exit."""

    def __init__(self) -> None:
        env = {**malloc_environment(), "OMP_THREAD_LIMIT": "1"}
        self.process = subprocess.Popen(
            [sys.executable, str(SERVER), tessdata_dir()],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
            text=True, encoding="utf-8",
        )
        self.fresh = True
        self.cpu = 0.0  # the engine's CPU seconds at its last answer
        self._stop = weakref.finalize(self, _close, self.process)

    def ask(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        send, receive = self.process.stdin, self.process.stdout
        assert send is not None and receive is not None
        send.write(json.dumps(request) + "\n")
        send.flush()
        deadline = timeout + GRACE_SECONDS + (START_SECONDS if self.fresh else 0.0)
        ready, _, _ = select.select([receive], [], [], deadline)
        if not ready:
            self.stop(kill=True)
            raise OcrTimeoutError.for_page(timeout)
        line = receive.readline()
        if not line:
            code = self.process.wait()
            raise OcrFailedError(f"tesseract engine ended (exit {code})")
        self.fresh = False
        return dict(json.loads(line))

    def stop(self, *, kill: bool = False) -> None:
        if kill and self.alive:
            self.process.kill()
        self._stop()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


_local = threading.local()
_engines: weakref.WeakSet[_Engine] = weakref.WeakSet()
_engines_lock = threading.Lock()


def _thread_engine() -> _Engine:
    engine: _Engine | None = getattr(_local, "engine", None)
    if engine is None or not engine.alive:
        engine = _Engine()
        _local.engine = engine
        with _engines_lock:
            _engines.add(engine)
    return engine


def _forget(engine: _Engine) -> None:
    if getattr(_local, "engine", None) is engine:
        _local.engine = None
    with _engines_lock:
        _engines.discard(engine)


def read_with_engine(
    image: Path, *, out_base: Path, languages: str, dpi: int, psm: int, timeout: float
) -> str:
    """OCR one page image into `<out_base>.pdf|.txt`; the page's TSV. Typed errors as the CLI's."""
    engine = _thread_engine()
    request: dict[str, Any] = {"image": str(image), "out_base": str(out_base), "languages": languages,
                               "dpi": dpi, "psm": psm, "timeout": timeout}
    try:
        answer = engine.ask(request, timeout)
    except (OcrTimeoutError, OcrFailedError, OSError) as error:
        _forget(engine)
        engine.stop(kill=True)  # a no-op if ask() already killed it
        if isinstance(error, OSError):
            raise OcrFailedError(f"tesseract engine pipe failed ({type(error).__name__})") from error
        raise
    if answer.get("ok"):
        cpu = float(answer.get("cpu", engine.cpu))
        profiling.charge(cpu - engine.cpu)  # this page's share, its engine's start-up on the first
        engine.cpu = cpu
        return str(answer["tsv"])
    if answer.get("error") == "timeout":
        raise OcrTimeoutError.for_page(timeout)
    raise OcrFailedError(f"tesseract failed ({answer.get('message', 'unknown')})")


def engine_pids() -> list[int]:
    """Process ids of the running engines (for measuring them)."""
    with _engines_lock:
        return [e.process.pid for e in _engines if e.alive]


def stop_engines() -> None:
    """Stop every engine process now (each finishes its page first), for a caller that wants
    their CPU time counted. Engines stop by themselves when their thread ends, and at exit."""
    with _engines_lock:
        engines = list(_engines)
        _engines.clear()
    for engine in engines:
        engine.stop()
    _local.engine = None
