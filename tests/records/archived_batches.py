"""Batches archived by the real pipeline (Tesseract, classifier, archive, SQLite ledger), made
once per test module and copied for each test, for the tests of sign-off, destruction,
evidence packs, disposal dates and transfer bags."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from records.config import Settings
from records.context import build_context
from records.intake.scan import ScanItem
from records.pipeline import process_item
from tests.conftest import render_lines

#: A word that must never leave the archive: it is in a record's text, not its file name.
CANARY = "Quokkavale"
COUNCIL = "kingsmere"
#: Two confident council tax records dated 14 May 2025 ("end of financial year" + 6 years:
#: 31 March 2032) in `complete`; a record the classifier doubts (review queue) in `doubtful`.
LETTERS = {
    ("complete", "tax-1.png"): ["Council Tax Demand Notice 2026/27", "Local Government Finance Act 1992",
                                f"Valuation band C. Account CTAX 4012 3456 7, {CANARY} Lodge",
                                "Date: 14 May 2025. Property postcode SW1A 2AA"],
    ("complete", "tax-2.png"): ["Council Tax Demand Notice", "Local Government Finance Act 1992",
                                "Valuation band D. Account CTAX 4012 9876 5", "Liability order hearing"],
    ("doubtful", "note.png"): ["Dear resident", "Thank you for your note about the bins", "Yours faithfully"],
}


@dataclass(frozen=True)
class Archived:
    settings: Settings
    scans: Path

    @property
    def data_dir(self) -> Path:
        return self.settings.pipeline.data_dir

    def cli_options(self) -> list[str]:
        return ["--config", str(Path(__file__).resolve().parents[2] / "config"), "--data-dir", str(self.data_dir)]


def archive_batches(settings: Settings, root: Path) -> Archived:
    """Scan, OCR, classify, archive and count every letter of LETTERS under `root`."""
    settings = settings.with_data_dir(root / "data")
    context = build_context(settings)
    for (batch, name), lines in LETTERS.items():
        folder = root / "scans" / COUNCIL / batch
        folder.mkdir(parents=True, exist_ok=True)
        render_lines(lines).save(folder / name, dpi=(300, 300))
        outcome = process_item(ScanItem(COUNCIL, batch, folder / name, f"{COUNCIL}/{batch}/{name}"), context)
        assert outcome.status == "archived"
    review = {r.batch: r.needs_review for r in context.ledger.records()}
    assert review == {"complete": False, "doubtful": True}, "the fixture's letters must classify as intended"
    context.ledger.dispose()  # the SQLite file and its WAL are complete before they are copied
    return Archived(settings, root / "scans")


@pytest.fixture(scope="module")
def archived_template(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Archived:
    return archive_batches(settings, tmp_path_factory.mktemp("archived"))


@pytest.fixture
def archived(archived_template: Archived, tmp_path: Path) -> Archived:
    """A private copy of the archived batches (data folder and scans) for one test."""
    for name in ("data", "scans"):
        shutil.copytree(archived_template.data_dir.parent / name, tmp_path / name)
    return Archived(archived_template.settings.with_data_dir(tmp_path / "data"), tmp_path / "scans")
