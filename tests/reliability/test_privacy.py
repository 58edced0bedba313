"""No file name or page text in errors; nothing leaves the archive root; everything stays private."""

from __future__ import annotations

import os
import sqlite3
import stat
import traceback
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytesseract
import pytest

from ocr import UnsupportedFormatError
from ocr.pages import iter_pages
from records.archive.local import Archive, make_private_dir, safe_child
from records.errors import LedgerError, UnsafePathError
from records.intake.scan import ScanItem
from records.ledger import QuarantineEntry
from records.pipeline import PipelineContext, process_item
from records.quarantine import QuarantineNote, quarantine_file
from tests.conftest import render_lines
from tests.reliability.conftest import TAX

CANARY = "Quorvendish"


def _formatted(error: BaseException) -> str:
    """The error as Prefect logs it: class, message and the whole chain of causes."""
    return "".join(traceback.format_exception(error))


def test_transient_error_reaches_the_orchestrator_without_its_library_cause(
    tmp_path: Path, context: PipelineContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "scans" / "ashbourne" / "b1" / f"{CANARY}.png"
    page.parent.mkdir(parents=True)
    render_lines(TAX, size=(1240, 420)).save(page, dpi=(300, 300))

    def crash(input_filename: str, *_args: Any, **_kwargs: Any) -> None:
        raise pytesseract.TesseractError(1, f"Error in pixReadStream: cannot read {input_filename}")

    monkeypatch.setattr(pytesseract.pytesseract, "run_tesseract", crash)
    item = ScanItem("ashbourne", "b1", page, f"ashbourne/b1/{page.name}")
    with pytest.raises(Exception) as raised:
        process_item(item, replace(context, ocr=replace(context.ocr, engine="cli")))
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert getattr(raised.value, "transient", False), "still marked for a retry"
    assert CANARY not in _formatted(raised.value)


def test_ledger_error_names_the_driver_code_but_not_the_values(context: PipelineContext) -> None:
    """The error's cause quotes the SQL (it reaches Prefect's log), never the row's values."""
    with sqlite3.connect(context.archive.root.parent / "ledger.db") as db:
        db.execute("DROP TABLE quarantine")
    entry = QuarantineEntry("ashbourne", "b1", f"ashbourne/b1/{CANARY}.png", "0" * 64, "input_unreadable",
                            "read", "PermissionError", "refused", None)
    with pytest.raises(LedgerError) as raised:
        context.ledger.add_quarantine(entry)
    assert str(raised.value) == "ledger write failed (OperationalError SQLITE_ERROR)"
    assert "INSERT INTO quarantine" in _formatted(raised.value)
    assert CANARY not in _formatted(raised.value)


def test_unsupported_suffix_from_a_file_name_is_not_quoted(tmp_path: Path) -> None:
    path = tmp_path / f"letter.Mr {CANARY} private"
    path.write_bytes(b"x")
    with pytest.raises(UnsupportedFormatError) as raised:
        list(iter_pages(path, work_dir=tmp_path, dpi=300, timeout=10))
    assert CANARY not in str(raised.value) and "not a plain extension" in str(raised.value)


@pytest.mark.parametrize("parts", [("..", "x"), ("a/b",), ("",), (".",), ("ok", "..\\..\\x"), ("nul\0",)])
def test_safe_child_refuses_names_that_could_leave_the_root(tmp_path: Path, parts: tuple[str, ...]) -> None:
    with pytest.raises(UnsafePathError):
        safe_child(tmp_path, *parts)


def test_safe_child_refuses_a_link_out_of_the_root(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "council").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(UnsafePathError):
        safe_child(tmp_path / "root", "council", "type")


def test_archive_and_quarantine_paths_stay_inside_their_roots(tmp_path: Path) -> None:
    with pytest.raises(UnsafePathError):
        Archive(tmp_path / "archive").paths_for("..", "council_tax", "a" * 64)
    item = ScanItem("ashbourne", "..", tmp_path / "x.png", "ashbourne/../x.png")
    with pytest.raises(UnsafePathError):
        quarantine_file(tmp_path / "quarantine", item, "a" * 64, QuarantineNote("bad_layout", "scan", "Refused", "x"))


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_make_private_dir_makes_every_missing_parent_0750_whatever_the_umask(tmp_path: Path, open_umask: None) -> None:
    make_private_dir(tmp_path / "a" / "b" / "c")
    for folder in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "c"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o750, folder


def test_make_private_dir_only_tightens_an_existing_folder(tmp_path: Path) -> None:
    (tmp_path / "loose").mkdir(mode=0o777)
    os.chmod(tmp_path / "loose", 0o777)
    (tmp_path / "tight").mkdir(mode=0o700)
    make_private_dir(tmp_path / "loose")
    make_private_dir(tmp_path / "tight")
    assert stat.S_IMODE((tmp_path / "loose").stat().st_mode) == 0o750
    assert stat.S_IMODE((tmp_path / "tight").stat().st_mode) == 0o700
