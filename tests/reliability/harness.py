"""Helpers shared by the reliability tests: a tweaked config folder, and a run's durable state."""

from __future__ import annotations

import os
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml

from records.archive.fixity import verify_archive
from records.ledger import Ledger
from tests.conftest import ROOT


def write_config(dest: Path, *, ocr: dict[str, Any] | None = None, **pipeline: Any) -> Path:
    """A copy of config/ with some pipeline.yaml values replaced (paths stay absolute)."""
    shutil.copytree(ROOT / "config", dest)
    data = yaml.safe_load((dest / "pipeline.yaml").read_text(encoding="utf-8"))
    data["data_dir"] = str((ROOT / "var").resolve())
    data.update(pipeline)
    data["ocr"] = {**data.get("ocr", {}), **(ocr or {})}
    (dest / "pipeline.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return dest


def files_under(root: Path) -> list[str]:
    """Every file and folder under root, relative, dot-names included (leftovers must show)."""
    if not root.exists():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            found.append((Path(dirpath) / name).relative_to(root).as_posix())
    return sorted(found)


def snapshot(data_dir: Path) -> dict[str, Any]:
    """What a run leaves behind, without timestamps: archive, quarantine, work folder, ledger."""
    ledger = Ledger(f"sqlite:///{data_dir / 'ledger.db'}")
    try:
        drop = {"id", "archived_at", "sidecar_sha256"}  # the sidecar holds timestamps
        records = sorted(
            tuple(sorted((k, v) for k, v in asdict(row).items() if k not in drop)) for row in ledger.records()
        )
        quarantine = sorted(
            (q.council, q.batch, q.source_path, q.reason, q.stage, q.resolved, q.copy_path)
            for q in ledger.quarantine_entries(include_resolved=True)
        )
        counters = [(c.council, c.record_type, c.records, c.pages) for c in ledger.counters()]
        fixity = verify_archive(data_dir / "archive", ledger)
    finally:
        ledger.dispose()
    return {
        "records": records,
        "counters": counters,
        "quarantine": quarantine,
        "archive_files": files_under(data_dir / "archive"),
        "quarantine_files": files_under(data_dir / "quarantine"),
        "work": files_under(data_dir / "work"),
        "fixity_problems": fixity.problems,
    }
