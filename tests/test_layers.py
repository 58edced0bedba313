"""The import direction flows -> records -> ocr holds, and public APIs are what they say."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "ocr": {"prefect", "records", "flows", "sqlalchemy", "typer", "yaml", "web"},
    "records": {"prefect", "flows", "typer", "web", "fastapi", "starlette"},
    # The web review station is an interface like the CLI: it calls records/, never SQL or flows.
    "web": {"prefect", "flows", "typer", "sqlalchemy"},
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
        path.relative_to(ROOT / "records").parts[0]
        for path in (ROOT / "records").rglob("*.py") if "sqlalchemy" in _imports(path)
    )
    assert users and set(users) == {"ledger"}, users


def _records_imports(path: Path) -> set[str]:
    """The `records.*` modules a file names, whole (`records.reporting.progress`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name.startswith("records.")}


def _module_file(name: str) -> Path | None:
    path = ROOT / Path(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def test_record_path_never_imports_reporting() -> None:
    """Reports read the ledger; processing a record must not depend on them (nor load their
    plotting libraries in every worker)."""
    seen: set[str] = set()
    todo = ["records.pipeline", "records.context"]
    while todo:
        name = todo.pop()
        if name in seen or (path := _module_file(name)) is None:
            continue
        seen.add(name)
        todo.extend(_records_imports(path))
    assert "records.pipeline" in seen and "records.ledger" in seen
    assert sorted(name for name in seen if name.startswith("records.reporting")) == []


@pytest.mark.parametrize("package", ["ocr", "records", "flows", "web"])
def test_public_api_all_is_sorted_and_importable(package: str) -> None:
    module = importlib.import_module(package)
    exported = list(module.__all__)
    assert exported == sorted(exported)
    for name in exported:
        assert hasattr(module, name), name
