"""One record of a scanned stack: its id, its pages in the file and how it was split off.

Kept apart from the pipeline so the sidecar, the ledger row and the review commands agree on
what a part is. The record id is derived from the file's sha256 and the page range, so a
re-run, a retry or a concurrent run of the same file makes the same ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from records.intake.separation import RecordSpan, Separation

#: Review reason of a record whose start, or whether it is two records, the separation doubts.
SPLIT_DOUBTFUL = "split_doubtful"


def record_id_for(source_sha256: str, first: int, last: int) -> str:
    """The id of the record on pages `first`..`last` of the file with this sha256."""
    return hashlib.sha256(f"{source_sha256}:{first}-{last}".encode("ascii")).hexdigest()


@dataclass(frozen=True, slots=True)
class StackPart:
    """A record of a scanned stack as archived: pages are the file's page numbers."""

    record_id: str
    source_sha256: str
    pages: tuple[int, ...]
    method: str
    score: float
    evidence: tuple[str, ...]
    reference: str | None
    near_splits: tuple[int, ...]
    doubtful: bool
    file_pages: int
    separators: tuple[int, ...]
    blanks: tuple[int, ...]

    @classmethod
    def of(cls, source_sha256: str, span: RecordSpan, split: Separation) -> StackPart:
        return cls(
            record_id_for(source_sha256, span.first, span.last), source_sha256, span.pages,
            span.boundary.method, span.boundary.score, span.boundary.evidence, span.reference,
            span.near_splits, span.doubtful, split.page_count, split.separators, split.blanks,
        )

    @property
    def first(self) -> int:
        return self.pages[0]

    @property
    def last(self) -> int:
        return self.pages[-1]

    @property
    def review_reasons(self) -> tuple[str, ...]:
        return (SPLIT_DOUBTFUL,) if self.doubtful else ()

    def as_sidecar(self) -> dict[str, Any]:
        """The sidecar's `separation` section: where the record sits in its file, and the file's
        separator and blank pages (in no record)."""
        return {
            "source_sha256": self.source_sha256,
            "first_page": self.first,
            "last_page": self.last,
            "pages": list(self.pages),
            "reference": self.reference,
            "boundary": {"method": self.method, "score": self.score, "evidence": list(self.evidence)},
            "near_splits": list(self.near_splits),
            "review_reasons": list(self.review_reasons),
            "file": {"pages": self.file_pages, "separator_pages": list(self.separators),
                     "blank_pages": list(self.blanks)},
        }
