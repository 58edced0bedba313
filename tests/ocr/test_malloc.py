"""glibc's malloc tuned to hand page buffers back (ocr/_exec/malloc.py), in real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocr import stop_engines
from ocr._exec import engine as engine_module
from ocr._exec.malloc import SWITCH, malloc_environment
from ocr._exec.tesseract import ocr_page_image
from tests.conftest import PageMaker

ROOT = Path(__file__).resolve().parents[2]

# A page-sized buffer freed while small blocks allocated after it live on: the pattern of a
# page decoded, read and dropped while the record's text and results stay.
HOLD_AFTER_PAGES = """
from ocr._exec.malloc import tune_malloc
tuned = tune_malloc()
def rss_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
kept = []
before = rss_kib()
for page in range(4):
    buffer = b"x" * (24 << 20)
    kept.extend(bytes([page]) * 1500 for _ in range(64))
    del buffer
print(tuned, (rss_kib() - before) // 1024)
"""


def _held_mib(switch: str | None) -> tuple[bool, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != SWITCH}
    if switch is not None:
        env[SWITCH] = switch
    out = subprocess.run([sys.executable, "-c", HOLD_AFTER_PAGES], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.split()
    return out[0] == "True", int(out[1])


def test_a_tuned_process_hands_freed_page_buffers_back_and_an_untuned_one_keeps_them() -> None:
    tuned, held_tuned = _held_mib(None)
    untouched, held_default = _held_mib("default")
    assert tuned and not untouched
    assert held_default >= 20, "glibc's default keeps the freed 24 MiB page in the heap"
    assert held_tuned <= 4


def test_child_settings_yield_to_the_operators_own_and_to_the_switch() -> None:
    assert malloc_environment({"PATH": "/bin"}) == {
        "PATH": "/bin", "MALLOC_MMAP_THRESHOLD_": "1048576", "MALLOC_ARENA_MAX": "2"}
    assert malloc_environment({"MALLOC_ARENA_MAX": "4"})["MALLOC_ARENA_MAX"] == "4"
    assert malloc_environment({SWITCH: "default"}) == {SWITCH: "default"}


@pytest.fixture
def _fresh_engines() -> Iterator[None]:
    stop_engines()
    yield
    stop_engines()


@pytest.mark.usefixtures("_fresh_engines")
def test_the_engine_process_starts_with_the_settings(make_page: PageMaker, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_ARENA_MAX", SWITCH):
        monkeypatch.delenv(name, raising=False)
    ocr_page_image(make_page(["Council Tax Reduction 2026"]), out_base=tmp_path / "page", languages="eng",
                   dpi=300, psm=4, timeout=60, engine="api")
    engine = engine_module._local.engine
    assert engine is not None and engine.alive
    environ = Path(f"/proc/{engine.process.pid}/environ").read_bytes().split(b"\0")
    assert b"MALLOC_MMAP_THRESHOLD_=1048576" in environ
    assert b"MALLOC_ARENA_MAX=2" in environ
