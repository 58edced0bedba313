"""Progress numbers and FoI bands, exact for known inventories, from real SQLite and PostgreSQL ledgers."""

from __future__ import annotations

import pytest

from records.config import Council, InventoryEstimate
from records.ledger import ArchivedRecord, Ledger
from records.reporting.progress import BANDS, band_for, progress_rows


@pytest.mark.parametrize(
    ("digitised", "estimate", "band"),
    [
        (0, 100, "0–25%"),
        (25, 100, "0–25%"),
        (259, 1000, "0–25%"),   # 25.9% is not yet 26%
        (26, 100, "26–50%"),
        (50, 100, "26–50%"),
        (51, 100, "51–75%"),
        (75, 100, "51–75%"),
        (76, 100, "76–99%"),
        (999, 1000, "76–99%"),  # 99.9% is not fully digitised
        (100, 100, "100%"),
        (120, 100, "100%"),
        (10, None, "unknown"),
    ],
)
def test_band_for_boundaries_match_the_survey(digitised: int, estimate: int | None, band: str) -> None:
    assert band_for(digitised, estimate) == band
    assert band in (*BANDS, "unknown")


def _record(sha: str, council: str, record_type: str, pages: int) -> ArchivedRecord:
    return ArchivedRecord(
        source_sha256=sha, council=council, batch="b1", source_path=f"{council}/b1/{sha[:6]}.png",
        record_type=record_type, score=0.9, needs_review=False, pages=pages, words=100, blank_pages=0,
        mean_confidence=90.0, pdf_path="x.pdf", text_path="x.txt", sidecar_path="x.json",
        pdf_sha256="0" * 64, text_sha256="0" * 64, engine="tesseract 5", languages="eng",
        pipeline_version="test",
    )


def test_progress_rows_known_inventory_exact(ledger_url: str) -> None:
    ledger = Ledger(ledger_url)
    councils = {
        "alpha": Council(name="Alpha", inventory=InventoryEstimate(total_pages=200, by_type={"council_tax": 40})),
        "beta": Council(name="Beta"),
    }
    assert ledger.add_record(_record("a" * 64, "alpha", "council_tax", 30))
    assert ledger.add_record(_record("b" * 64, "alpha", "complaint", 22))
    assert ledger.add_record(_record("c" * 64, "beta", "complaint", 5))
    assert not ledger.add_record(_record("a" * 64, "alpha", "council_tax", 30)), "same source twice"
    rows = {(r.council, r.record_type): r for r in progress_rows(councils, ledger.counters())}
    total = rows[("alpha", "all")]
    assert (total.records, total.pages, total.estimate_pages, total.percent, total.band) == (2, 52, 200, 26.0, "26–50%")
    tax = rows[("alpha", "council_tax")]
    assert (tax.pages, tax.estimate_pages, tax.percent, tax.band) == (30, 40, 75.0, "51–75%")
    complaint = rows[("alpha", "complaint")]
    assert (complaint.pages, complaint.estimate_pages, complaint.percent, complaint.band) == (22, None, None, "unknown")
    beta = rows[("beta", "all")]
    assert (beta.pages, beta.percent, beta.band) == (5, None, "unknown")
