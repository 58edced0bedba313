"""Which discovered inputs a run takes: a scan root's batch folders, one batch, one shard of it.

Several runs, on several machines, can share a large batch by each taking one shard (flows/
shards.py fans them out). An input belongs to the shard picked by a stable hash of its path
under the scan root: the same on every machine, whatever the scan root's absolute path, and
whatever the order of a folder listing. Refused inputs are shared out the same way, so each
is quarantined by exactly one run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from records.intake.scan import RefusedItem, ScanItem


def check_shard(shard: int, shards: int) -> None:
    """Refuse a shard that does not exist: shards >= 1 and 0 <= shard < shards."""
    if shards < 1 or not 0 <= shard < shards:
        raise ValueError(f"shard {shard} of {shards} does not exist: shards >= 1 and 0 <= shard < shards")


def shard_of(relative_path: str, shards: int) -> int:
    """The shard (0 to shards - 1) of an input, from a hash of its path under the scan root."""
    digest = hashlib.sha256(relative_path.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards


def in_shard(relative_path: str, shard: int, shards: int) -> bool:
    return shards == 1 or shard_of(relative_path, shards) == shard


def batches(
    items: Iterable[ScanItem], refused: Iterable[RefusedItem], *, only: str | None = None,
) -> list[tuple[str, str]]:
    """The (council, batch) folders holding any input, accepted or refused, sorted; with `only`,
    just the folders of that batch name."""
    found = {(item.council, item.batch) for item in [*items, *(r.item for r in refused)]}
    return sorted(key for key in found if only in (None, key[1]))


def batch_share(
    items: Iterable[ScanItem], refused: Iterable[RefusedItem], batch: str, *, shard: int = 0, shards: int = 1,
) -> tuple[list[ScanItem], list[RefusedItem]]:
    """The inputs of one batch folder (of one council's discovery) that shard `shard` of
    `shards` takes: those to process and those to quarantine as refused."""
    check_shard(shard, shards)

    def taken(item: ScanItem) -> bool:
        return item.batch == batch and in_shard(item.relative, shard, shards)

    return [i for i in items if taken(i)], [r for r in refused if taken(r.item)]
