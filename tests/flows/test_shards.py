"""Shards: a batch split by a stable hash of each input's path, every input in exactly one shard."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from flows import digitise_scan_root
from flows.settings import context_for
from flows.shards import check_shard, in_shard, shard_of
from tests.conftest import render_lines
from tests.flows.conftest import LETTERS

PATHS = [f"kingsmere/2026-11-batch-{b:02d}/scan-{n:04d}.tif" for b in range(3) for n in range(200)]


def test_shard_of_every_path_in_exactly_one_shard_and_stable() -> None:
    for shards in (1, 2, 3, 7):
        owners = [[k for k in range(shards) if in_shard(p, k, shards)] for p in PATHS]
        assert all(len(o) == 1 for o in owners)
        assert [o[0] for o in owners] == [shard_of(p, shards) for p in PATHS]
    assert shard_of("ashbourne/2026-11-batch-01/tax.png", 4) == shard_of("ashbourne/2026-11-batch-01/tax.png", 4)


def test_shard_of_spreads_paths_evenly() -> None:
    sizes = Counter(shard_of(p, 4) for p in PATHS)
    assert set(sizes) == {0, 1, 2, 3}
    assert max(sizes.values()) - min(sizes.values()) < len(PATHS) / 4 * 0.3


@pytest.mark.parametrize(("shard", "shards"), [(0, 0), (2, 2), (-1, 2)])
def test_check_shard_refuses_a_shard_that_does_not_exist(shard: int, shards: int) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        check_shard(shard, shards)


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
