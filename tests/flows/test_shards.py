"""Shards through the real flow: runs that share a batch archive each record once
(the split itself: tests/records/test_selection.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from flows import digitise_scan_root
from flows.settings import context_for
from records.intake.selection import shard_of
from tests.conftest import render_lines
from tests.flows.conftest import LETTERS


def test_digitise_scan_root_shards_of_one_batch_archive_each_record_once(tmp_path: Path) -> None:
    root = tmp_path / "scans"
    batch = root / "ashbourne" / "2026-11-batch-03"
    batch.mkdir(parents=True)
    for n in range(4):
        render_lines([*LETTERS["council_tax"], f"Reference {n:04d}"]).save(batch / f"tax-{n}.png", dpi=(300, 300))
    (root / "ashbourne" / "2026-11-batch-04").mkdir()  # another batch: left alone
    render_lines(LETTERS["council_tax"]).save(root / "ashbourne" / "2026-11-batch-04" / "other.png", dpi=(300, 300))
    data_dir = str(tmp_path / "data")
    expected = Counter(shard_of(f"ashbourne/2026-11-batch-03/tax-{n}.png", 2) for n in range(4))
    assert set(expected) == {0, 1}, "both shards hold part of the batch"

    runs = [digitise_scan_root(str(root), council="ashbourne", batch="2026-11-batch-03", data_dir=data_dir,
                               shard=k, shards=2) for k in (0, 1, 0)]

    assert [(r["archived"], r["already_done"]) for r in runs] == [
        (expected[0], 0), (expected[1], 0), (0, expected[0])]
    ledger = context_for(None, data_dir).ledger
    assert sorted(r.source_path for r in ledger.records()) == [
        f"ashbourne/2026-11-batch-03/tax-{n}.png" for n in range(4)]
    assert sum(c.pages for c in ledger.counters()) == 4
