"""Digitisation progress per council and record type, against each council's own estimate.

Counts come from the ledger; the estimate only ever divides them. A council with no
estimate is reported as unknown, never given a made-up percentage. Records archived below
their council's capture standard are counted as "needs re-scan", apart: their pages are not
digitised and stay outstanding.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from records.config import Council
from records.ledger import Counter

ALL_TYPES = "all"
UNKNOWN = "unknown"
#: The Freedom of Information survey's answer bands, lowest first.
BANDS = ("0–25%", "26–50%", "51–75%", "76–99%", "100%")


@dataclass(frozen=True, slots=True)
class ProgressRow:
    council: str
    record_type: str
    records: int
    pages: int
    estimate_pages: int | None
    percent: float | None
    band: str
    failed: int = 0
    #: Pages the council holds but need not digitise (exclusions), and what is left to do.
    not_needed: int = 0
    outstanding: int | None = None
    #: Records (and their pages) archived below the capture standard: to scan again, not digitised.
    rescan_records: int = 0
    rescan_pages: int = 0


def band_for(digitised: int, estimate: int | None) -> str:
    """Band by whole percent digitised; 100% only when nothing is left to do."""
    if not estimate:
        return UNKNOWN
    if digitised >= estimate:
        return BANDS[4]
    whole = math.floor(100 * digitised / estimate)
    if whole <= 25:
        return BANDS[0]
    if whole <= 50:
        return BANDS[1]
    if whole <= 75:
        return BANDS[2]
    return BANDS[3]


def percent_for(digitised: int, estimate: int | None) -> float | None:
    if not estimate:
        return None
    return round(100 * digitised / estimate, 1)


def in_scope(estimate: int | None, not_needed: int) -> int | None:
    """The pages that need digitising: the estimate less those that do not (None: cannot say)."""
    if not estimate or estimate - not_needed <= 0:
        return None
    return estimate - not_needed


def outstanding_for(digitised: int, estimate: int | None, not_needed: int) -> int | None:
    scope = in_scope(estimate, not_needed)
    return None if scope is None else max(0, scope - digitised)


def progress_rows(
    councils: Mapping[str, Council],
    counters: Iterable[Counter],
    failures: Mapping[str, int] | None = None,
    *,
    only: str | None = None,
    not_needed: Mapping[tuple[str, str | None], int] | None = None,
) -> list[ProgressRow]:
    """One 'all' row per council, then one row per record type it has counts or estimates for.

    `not_needed` maps (council, record type or None) to pages excluded; a council's total
    counts all its exclusions, a type's row those recorded against that type. Percent
    digitised = digitised / (estimate - not needed)."""
    failures = failures or {}
    excluded = not_needed or {}
    by_council: dict[str, dict[str, Counter]] = defaultdict(dict)
    for counter in counters:
        by_council[counter.council][counter.record_type] = counter
    rows: list[ProgressRow] = []
    for slug in sorted(set(councils) | set(by_council)):
        if only and slug != only:
            continue
        council = councils.get(slug)
        inventory = council.inventory if council else None
        counts = by_council.get(slug, {})
        pages = sum(c.pages for c in counts.values())
        estimate = inventory.pages if inventory else None
        skip = sum(n for (c, _), n in excluded.items() if c == slug)
        scope = in_scope(estimate, skip)
        rows.append(
            ProgressRow(slug, ALL_TYPES, sum(c.records for c in counts.values()), pages, estimate,
                        percent_for(pages, scope), band_for(pages, scope), failures.get(slug, 0),
                        skip, outstanding_for(pages, estimate, skip),
                        sum(c.rescan_records for c in counts.values()), sum(c.rescan_pages for c in counts.values()))
        )
        type_estimates = inventory.type_pages if inventory else {}
        for record_type in sorted(set(counts) | set(type_estimates)):
            counter = counts.get(record_type)
            done = counter.pages if counter else 0
            est = type_estimates.get(record_type)
            skip = excluded.get((slug, record_type), 0)
            scope = in_scope(est, skip)
            rows.append(
                ProgressRow(slug, record_type, counter.records if counter else 0, done, est,
                            percent_for(done, scope), band_for(done, scope), 0, skip,
                            outstanding_for(done, est, skip),
                            counter.rescan_records if counter else 0, counter.rescan_pages if counter else 0)
            )
    return rows


def markdown_table(rows: Iterable[ProgressRow]) -> str:
    lines = [
        "| Council | Record type | Records | Pages digitised | Estimated pages | % digitised | FoI band "
        "| Failed, needs attention | Needs re-scan (records/pages) | Not needing digitisation | Outstanding |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.council} | {r.record_type} | {r.records} | {r.pages} | "
            f"{r.estimate_pages if r.estimate_pages is not None else UNKNOWN} | "
            f"{f'{r.percent:.1f}%' if r.percent is not None else UNKNOWN} | {r.band} | "
            f"{r.failed if r.record_type == ALL_TYPES else ''} | {r.rescan_records}/{r.rescan_pages} | {r.not_needed} | "
            f"{r.outstanding if r.outstanding is not None else UNKNOWN} |"
        )
    return "\n".join(lines)


def councils_per_band(bands: Iterable[str], *, cannot_say: str) -> dict[str, int]:
    """The survey's table: councils per band (every band listed, even at 0), and how many
    cannot say (any answer that is not a band: no estimate, or one too old to trust)."""
    summary = dict.fromkeys((*BANDS, cannot_say), 0)
    for band in bands:
        summary[band if band in BANDS else cannot_say] += 1
    return summary
