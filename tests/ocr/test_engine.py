"""The kept-loaded Tesseract engine (ocr.engine: api) against the CLI, on real Tesseract."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocr import OcrFailedError, OcrTimeoutError, ocr_document, stop_engines
from ocr._exec import engine as engine_module
from ocr._exec.tesseract import ocr_page_image
from tests.conftest import PageMaker, word_recall

LINES = [
    "Housing Benefit Review 2026",
    "Tenancy reference HB 7781 2290",
    "Rent due every four weeks from 6 April",
]
TRUTH = "\n".join(LINES)


@pytest.fixture(autouse=True)
def _fresh_engines() -> Iterator[None]:
    stop_engines()
    yield
    stop_engines()


def _engine_pid() -> int:
    engine = engine_module._local.engine
    assert engine is not None and engine.alive
    return int(engine.process.pid)


def test_api_engine_reads_like_the_cli_and_writes_a_valid_searchable_pdf(make_page: PageMaker, tmp_path: Path) -> None:
    page = make_page(LINES)
    api = ocr_document(page, work_dir=tmp_path / "api", engine="api")
    cli = ocr_document(page, work_dir=tmp_path / "cli", engine="cli")
    assert api.engine.endswith("(api)") and not cli.engine.endswith("(api)")
    assert word_recall(TRUTH, api.text) >= 0.95 and word_recall(TRUTH, cli.text) >= 0.95
    assert api.pages[0].word_count == cli.pages[0].word_count
    assert subprocess.run(["qpdf", "--check", str(api.pdf_path)], capture_output=True).returncode == 0
    layer = subprocess.run(["pdftotext", str(api.pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    assert word_recall(TRUTH, layer) >= 0.95


def test_one_engine_per_thread_is_kept_between_pages(make_page: PageMaker, tmp_path: Path) -> None:
    page = make_page(LINES)
    ocr_page_image(page, out_base=tmp_path / "one", languages="eng", dpi=300, psm=4, timeout=60, engine="api")
    first = _engine_pid()
    ocr_page_image(page, out_base=tmp_path / "two", languages="eng", dpi=300, psm=4, timeout=60, engine="api")
    assert _engine_pid() == first

    others: list[int] = []

    def read_in_another_thread() -> None:
        ocr_page_image(page, out_base=tmp_path / "three", languages="eng", dpi=300, psm=4, timeout=60, engine="api")
        others.append(_engine_pid())

    worker = threading.Thread(target=read_in_another_thread)
    worker.start()
    worker.join()
    assert others and others[0] != first
    del worker
    gc.collect()
    assert not Path(f"/proc/{others[0]}").exists(), "a finished thread's engine is stopped and reaped"
    assert _engine_pid() == first


def test_engine_killed_mid_page_fails_that_page_and_the_next_page_gets_a_new_engine(
    make_page: PageMaker, tmp_path: Path
) -> None:
    page = make_page(LINES * 8)  # long enough to be mid-page when the kill lands
    ocr_page_image(page, out_base=tmp_path / "warm", languages="eng", dpi=300, psm=4, timeout=60, engine="api")
    crashed = _engine_pid()
    killer = threading.Timer(0.05, os.kill, (crashed, signal.SIGKILL))
    killer.start()
    with pytest.raises(OcrFailedError, match="engine ended") as failed:
        ocr_page_image(page, out_base=tmp_path / "dies", languages="eng", dpi=300, psm=4, timeout=60, engine="api")
    killer.join()
    assert failed.value.transient, "a crash is worth a retry"
    result = ocr_page_image(page, out_base=tmp_path / "after", languages="eng", dpi=300, psm=4, timeout=60,
                            engine="api")
    assert _engine_pid() != crashed
    assert word_recall(TRUTH, result.text) >= 0.95


def test_page_over_its_timeout_is_a_timeout_error(make_page: PageMaker, tmp_path: Path) -> None:
    page = make_page(LINES * 6)
    with pytest.raises(OcrTimeoutError, match="longer than 0.01s"):
        ocr_page_image(page, out_base=tmp_path / "slow", languages="eng", dpi=300, psm=4, timeout=0.01, engine="api")


def test_engine_that_stops_answering_is_killed_at_its_deadline(make_page: PageMaker, tmp_path: Path) -> None:
    page = make_page(LINES)
    ocr_page_image(page, out_base=tmp_path / "warm", languages="eng", dpi=300, psm=4, timeout=60, engine="api")
    stuck = engine_module._local.engine
    os.kill(stuck.process.pid, signal.SIGSTOP)
    with pytest.raises(OcrTimeoutError):
        ocr_page_image(page, out_base=tmp_path / "stuck", languages="eng", dpi=300, psm=4, timeout=0.5, engine="api")
    assert stuck.process.poll() is not None, "the stuck engine was killed, not left behind"
