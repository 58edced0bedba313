"""Stage timers: nothing collected unless a profile is started; then every stage of a page,
the engine's CPU on its Tesseract pass, and nested stages not counted twice."""

from __future__ import annotations

import time
from pathlib import Path

from ocr import ocr_document, start_profile, stop_engines, stop_profile
from ocr.profiling import is_profiling, stage, subject
from tests.conftest import PageMaker


def _spin(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_stages_are_not_collected_once_the_profile_stops() -> None:
    profile = start_profile()
    with subject("a.png"), stage("decode"):
        _spin(0.01)
    stop_profile()
    assert not is_profiling()
    with subject("b.png"), stage("decode"):
        _spin(0.01)
    assert [(row["subject"], row["calls"]) for row in profile.rows()] == [("a.png", 1)]


def test_nested_stage_time_is_charged_once() -> None:
    profile = start_profile()
    try:
        with subject("a.png"), stage("outer"):
            _spin(0.05)
            with stage("inner"):
                _spin(0.1)
    finally:
        stop_profile()
    cpu = {row["stage"]: row["own"] for row in profile.rows()}
    assert 0.09 <= cpu["inner"] < 0.2
    assert 0.04 <= cpu["outer"] < 0.09  # its own 0.05 s, not the inner stage's too
    assert {row["subject"] for row in profile.rows()} == {"a.png"}


def test_ocr_document_charges_the_engine_cpu_to_its_tesseract_pass(make_page: PageMaker, tmp_path: Path) -> None:
    source = make_page(["Housing Benefit decision notice", "Your claim reference is HB 20931"])
    profile = start_profile()
    try:
        ocr_document(source, work_dir=tmp_path / "w", engine="api")
    finally:
        stop_profile()
        stop_engines()
    rows = {row["stage"]: row for row in profile.rows()}
    assert {"decode", "ink maps", "orientation check", "tesseract ocr", "completeness check"} <= set(rows)
    assert rows["tesseract ocr"]["calls"] == 1
    # The engine's start and reading happen in its own process and are reported by it: they are
    # charged to the pass, and outweigh what this process spends waiting for the answer. How much
    # CPU a two-line page costs depends on the machine, so the floor is well below it.
    tesseract = rows["tesseract ocr"]
    assert tesseract["other"] > 0.02
    assert tesseract["other"] > tesseract["own"]
    assert all(row["subject"] == source.name for row in profile.rows())
