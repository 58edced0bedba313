"""Exactly-once counting on real SQLite and PostgreSQL ledgers, under repeats and concurrent writers."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from records.ledger import Ledger, QuarantineEntry
from tests.records.test_progress import _record


def test_add_record_concurrent_duplicates_count_once(ledger_url: str) -> None:
    shas = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(20)]
    ledgers = [Ledger(ledger_url) for _ in range(4)]  # separate engines, as separate workers have

    def add_all(ledger: Ledger) -> int:
        return sum(ledger.add_record(_record(sha, "alpha", "council_tax", 3)) for sha in shas)

    with ThreadPoolExecutor(max_workers=4) as pool:
        inserted = sum(pool.map(add_all, ledgers))
    assert inserted == 20
    [counter] = Ledger(ledger_url).counters()
    assert (counter.records, counter.pages) == (20, 60)


def test_quarantine_resolved_when_record_later_archived(ledger_url: str) -> None:
    ledger = Ledger(ledger_url)
    entry = QuarantineEntry("alpha", "b1", "alpha/b1/x.png", "d" * 64, "ocr_failed", "ocr", "OcrFailedError", "failed", None)
    assert ledger.add_quarantine(entry)
    assert not ledger.add_quarantine(entry), "the same failure is recorded once"
    assert ledger.open_failures() == {"alpha": 1}
    ledger.add_record(_record("d" * 64, "alpha", "council_tax", 1))
    assert ledger.open_failures() == {}


def test_ledger_file_is_private(tmp_path: Path) -> None:
    Ledger(f"sqlite:///{tmp_path / 'sub' / 'ledger.db'}")
    assert (tmp_path / "sub" / "ledger.db").stat().st_mode & 0o777 == 0o640
