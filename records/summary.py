"""What a batch run did, in counts an operator can act on."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable
from dataclasses import dataclass, field

from records.pipeline import RecordOutcome


@dataclass(frozen=True, slots=True)
class BatchSummary:
    archived: int = 0
    already_done: int = 0
    quarantined: int = 0
    pages: int = 0
    needs_review: int = 0
    blank_pages: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.archived + self.already_done + self.quarantined

    @property
    def quarantined_share(self) -> float:
        return self.quarantined / self.total if self.total else 0.0

    def line(self) -> str:
        return (
            f"{self.archived} archived ({self.pages} pages, {self.needs_review} for review), "
            f"{self.already_done} skipped as already done, {self.quarantined} quarantined"
        )


def summarise(outcomes: Iterable[RecordOutcome]) -> BatchSummary:
    outcomes = list(outcomes)
    archived = [o for o in outcomes if o.status == "archived"]
    reasons = Tally(o.reason for o in outcomes if o.status == "quarantined" and o.reason)
    for o in outcomes:  # records of a stack set aside while the rest of it was archived
        if o.quarantined_records and o.reason:
            reasons[o.reason] += o.quarantined_records
    return BatchSummary(
        archived=sum(o.records for o in archived),
        already_done=sum(1 for o in outcomes if o.status == "already_done"),
        quarantined=sum(1 if o.status == "quarantined" else o.quarantined_records for o in outcomes),
        pages=sum(o.pages for o in archived),
        needs_review=sum(o.review_count for o in archived),
        blank_pages=sum(o.blank_pages for o in archived),
        reasons=dict(sorted(reasons.items())),
    )


def merge(summaries: Iterable[BatchSummary]) -> BatchSummary:
    summaries = list(summaries)
    reasons: Tally[str] = Tally()
    for s in summaries:
        reasons.update(s.reasons)
    return BatchSummary(
        archived=sum(s.archived for s in summaries),
        already_done=sum(s.already_done for s in summaries),
        quarantined=sum(s.quarantined for s in summaries),
        pages=sum(s.pages for s in summaries),
        needs_review=sum(s.needs_review for s in summaries),
        blank_pages=sum(s.blank_pages for s in summaries),
        reasons=dict(sorted(reasons.items())),
    )
