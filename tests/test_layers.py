"""The import direction flows -> records -> ocr holds, and public APIs are what they say."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "ocr": {"prefect", "records", "flows", "sqlalchemy", "typer", "yaml"},
    "records": {"prefect", "flows", "typer"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_lower_layers(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
        if _imports(path) & FORBIDDEN[package]
    }
    assert offenders == {}


def test_sqlalchemy_only_in_ledger_modules() -> None:
    users = sorted(
        path.name for path in (ROOT / "records").rglob("*.py") if "sqlalchemy" in _imports(path)
    )
    assert all(name.startswith("ledger") for name in users), users


@pytest.mark.parametrize("package", ["ocr", "records", "flows"])
def test_public_api_all_is_sorted_and_importable(package: str) -> None:
    module = importlib.import_module(package)
    exported = list(module.__all__)
    assert exported == sorted(exported)
    for name in exported:
        assert hasattr(module, name), name
