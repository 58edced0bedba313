"""Which inputs a run takes: batch folders, one batch, and shards split by a stable hash of
each input's path, every input in exactly one shard."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from records.intake.scan import RefusedItem, ScanItem
from records.intake.selection import batch_share, batches, check_shard, in_shard, shard_of

PATHS = [f"kingsmere/2026-11-batch-{b:02d}/scan-{n:04d}.tif" for b in range(3) for n in range(200)]


def _item(relative: str) -> ScanItem:
    council, batch, _name = relative.split("/")
    return ScanItem(council, batch, Path("/scans") / relative, relative)


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
    with pytest.raises(ValueError, match="does not exist"):
        batch_share([], [], "b1", shard=shard, shards=shards)


def test_batches_lists_every_folder_with_an_input_once_accepted_or_refused() -> None:
    items = [_item("kingsmere/b2/a.png"), _item("ashbourne/b1/a.png"), _item("kingsmere/b2/b.png")]
    refused = [RefusedItem(_item("thornbury/b1/fifo"), "unsafe_path", "not a regular file")]
    assert batches(items, refused) == [("ashbourne", "b1"), ("kingsmere", "b2"), ("thornbury", "b1")]
    assert batches(items, refused, only="b1") == [("ashbourne", "b1"), ("thornbury", "b1")]
    assert batches([], []) == []


def test_batch_share_takes_one_batch_and_shares_it_out_among_shards_exactly_once() -> None:
    items = [_item(p) for p in PATHS]
    refused = [RefusedItem(_item(f"kingsmere/2026-11-batch-01/link-{n}.png"), "unsafe_path", "link")
               for n in range(20)]
    whole, whole_refused = batch_share(items, refused, "2026-11-batch-01")
    assert [i.relative for i in whole] == [p for p in PATHS if "batch-01" in p]
    assert whole_refused == refused
    shares = [batch_share(items, refused, "2026-11-batch-01", shard=k, shards=3) for k in range(3)]
    assert Counter(i for taken, _ in shares for i in taken) == Counter(whole), "each input in exactly one shard"
    assert Counter(r for _, gone in shares for r in gone) == Counter(refused), "each refusal quarantined once"
    assert all(shard_of(i.relative, 3) == k for k, (taken, _) in enumerate(shares) for i in taken)
    assert batch_share(items, refused, "2026-11-batch-09") == ([], [])
