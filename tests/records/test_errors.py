"""One error tree: every RecordError in records/errors.py, its docstring in step with the
classes, and every code that can quarantine a record a stored QuarantineReason."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import records.errors
from ocr.errors import OcrError, OcrErrorCode, OcrFailedError, ToolMissingError
from records.errors import (
    OCR_RUN_CODES,
    ExitCode,
    LedgerError,
    QuarantineReason,
    RecordError,
    StorageError,
    UnsafePathError,
    is_transient,
    quarantine_reason,
)

ROOT = Path(__file__).resolve().parents[2]
_TREE_ROW = re.compile(r"^    (?:[├└]── )?([A-Z]\w+)\s+(\w+)\s+(\d+) (\w+)\s+(\w+|-)$", re.MULTILINE)


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _record_errors() -> list[type[RecordError]]:
    return [RecordError, *(c for c in _subclasses(RecordError) if c.__module__.startswith("records."))]


def test_the_docstring_tree_names_every_class_with_its_codes() -> None:
    rows = {name: rest for name, *rest in _TREE_ROW.findall(records.errors.__doc__ or "")}
    expected = {
        cls.__name__: [cls.code, str(int(cls.exit_code)), cls.exit_code.name,
                       cls.quarantine_reason.value if cls.quarantine_reason else "-"]
        for cls in _record_errors()
    }
    assert rows == expected


def test_every_record_error_is_defined_in_records_errors() -> None:
    names = {cls.__name__ for cls in _record_errors()}
    elsewhere = [
        f"{path.relative_to(ROOT)}: {node.name}"
        for package in ("records", "flows", "ocr")
        for path in (ROOT / package).rglob("*.py") if path != ROOT / "records" / "errors.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef) and (node.name in names or any(
            isinstance(base, ast.Name | ast.Attribute) and ast.unparse(base).split(".")[-1] in names
            for base in node.bases))
    ]
    assert elsewhere == []


def test_each_class_states_its_exit_code_and_reason_as_members() -> None:
    for cls in _record_errors():
        assert isinstance(cls.exit_code, ExitCode), cls
        assert cls.quarantine_reason is None or isinstance(cls.quarantine_reason, QuarantineReason), cls
        assert cls.quarantine_reason in (None, cls.code), f"{cls.__name__}: a reason is the error's own code"


def test_every_ocr_code_that_can_quarantine_a_record_is_a_reason_of_the_same_value() -> None:
    """Ledger values are stored: an OCR code and its reason never differ."""
    for code in OcrErrorCode:
        if code not in OCR_RUN_CODES:
            assert QuarantineReason(code.value).name == code.name
    for cls in [OcrError, *_subclasses(OcrError)]:
        assert isinstance(cls.code, OcrErrorCode), cls
        expected = QuarantineReason.unexpected if cls.code in OCR_RUN_CODES else QuarantineReason(cls.code)
        assert quarantine_reason(cls("page 1")) == expected
    assert OcrErrorCode.tool_missing in OCR_RUN_CODES and ToolMissingError.code == "tool_missing"


@pytest.mark.parametrize(("error", "reason"), [
    (UnsafePathError("out"), QuarantineReason.unsafe_path),
    (StorageError("busy"), QuarantineReason.storage_unavailable),
    (LedgerError("down"), QuarantineReason.unexpected),
    (PermissionError(13, "Permission denied"), QuarantineReason.input_unreadable),
    (IsADirectoryError(21, "Is a directory"), QuarantineReason.input_unreadable),
    (OSError(5, "Input/output error"), QuarantineReason.unexpected),
    (ValueError("a bug"), QuarantineReason.unexpected),
    (None, QuarantineReason.unexpected),
])
def test_quarantine_reason_of_an_error(error: BaseException | None, reason: QuarantineReason) -> None:
    assert quarantine_reason(error) is reason


def test_transient_errors_are_the_ones_worth_a_retry() -> None:
    for error in (OcrFailedError("crash"), LedgerError("busy"), StorageError("busy")):
        assert is_transient(error), error
    for error in (OcrError("x"), UnsafePathError("x"), ConnectionError("x")):
        assert not is_transient(error), error
