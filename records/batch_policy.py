"""When a finished run counts as failed: it quarantined too much of a batch.

A batch run that quarantined more than pipeline.yaml's `max_quarantined_share` of its inputs
ends Failed, after publishing what it did, and so does the scan-root run that holds it: many
inputs failing together points at the scanner or the set-up rather than at the files. The
error carries the summary, so a caller still reports the counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from records.errors import QuarantineLimitExceeded
from records.summary import BatchSummary

#: Batches a scan-root run's failure message names before it says "and N more".
NAMED_BATCHES = 5


@dataclass(frozen=True, slots=True)
class BatchResult:
    """One batch run (or one shard of it), as the scan-root run sums it up."""

    where: str  # <council>/<batch>
    summary: BatchSummary
    over_limit: bool


def batch_limit_error(where: str, summary: BatchSummary, max_share: float) -> QuarantineLimitExceeded | None:
    """The error a batch run ends with, or None when its quarantined share is within the limit."""
    if summary.quarantined_share <= max_share:
        return None
    return QuarantineLimitExceeded(
        f"{where}: {summary.quarantined} of {summary.total} inputs quarantined "
        f"({summary.quarantined_share:.0%}), more than max_quarantined_share {max_share:.0%} "
        "in pipeline.yaml; the quarantine table artifact lists each input and what to do",
        asdict(summary),
    )


def run_limit_error(
    results: Sequence[BatchResult], total: BatchSummary, max_share: float,
) -> QuarantineLimitExceeded | None:
    """The error a scan-root run ends with when any of its batches went over the limit, else None;
    `total` is the run's summary."""
    over = [result.where for result in results if result.over_limit]
    if not over:
        return None
    shown = ", ".join(over[:NAMED_BATCHES])
    shown += f" and {len(over) - NAMED_BATCHES} more" if len(over) > NAMED_BATCHES else ""
    return QuarantineLimitExceeded(
        f"{len(over)} of {len(results)} batches quarantined more than {max_share:.0%} of their inputs "
        f"({shown}); {total.quarantined} inputs in quarantine, see the quarantined-files artifact",
        asdict(total),
    )
