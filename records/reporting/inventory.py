"""Inventory estimates: how many pages each council holds, as estimated, and on what basis.

Councils revise their estimates (a box count becomes a shelf audit), so % digitised must follow
without losing the history. Estimates recorded with `digitise estimate set` go to the ledger,
append-only; for each council total and each record type the newest one counts — newest by
its as-of date, then by when it was recorded — else the figure in councils.yaml.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from records.config import Council, InventoryEstimate, Units
from records.errors import EstimateError
from records.ledger import EstimateEntry, EstimateRow, ExclusionEntry, ExclusionRow, Ledger
from records.reporting.progress import ProgressRow, progress_rows

CONFIG = "councils.yaml"
LEDGER = "ledger"


@dataclass(frozen=True, slots=True)
class EstimateBasis:
    """One figure and where it came from."""

    pages: int
    source: str
    as_of: dt.date | None
    origin: str  # CONFIG or LEDGER
    recorded_by: str | None = None
    recorded_at: dt.datetime | None = None
    measured: str | None = None  # the figure in the council's own unit, e.g. "16 boxes x 2,500 pages/box"

    def describe(self) -> str:
        parts = [f"{self.pages} pages" + (f" ({self.measured})" if self.measured else ""), self.source]
        if self.as_of:
            parts.append(f"as of {self.as_of.isoformat()}")
        if self.origin == LEDGER:
            parts.append(f"recorded by {self.recorded_by}" + (
                f" on {self.recorded_at:%Y-%m-%d}" if self.recorded_at else ""))
        else:
            parts.append(f"from {CONFIG}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class CouncilEstimate:
    """The estimate progress rests on: an explicit total, or the sum of per-type figures."""

    council: str
    total: EstimateBasis | None = None
    by_type: dict[str, EstimateBasis] = field(default_factory=dict)

    @property
    def pages(self) -> int | None:
        if self.total is not None:
            return self.total.pages
        return sum(b.pages for b in self.by_type.values()) or None

    def describe(self) -> str:
        if self.total is not None:
            return self.total.describe()
        if self.by_type:
            return f"sum of {len(self.by_type)} record-type estimates ({self.pages} pages)"
        return "no estimate"

    @property
    def types_exceed_total(self) -> bool:
        return self.total is not None and sum(b.pages for b in self.by_type.values()) > self.total.pages


def estimate_in_pages(
    units: Units, *, pages: int | None = None, boxes: float | None = None, linear_metres: float | None = None,
) -> tuple[int, str | None]:
    """Exactly one of pages, boxes or linear metres, in pages, with the conversion applied
    ("16 boxes x 2,500 pages/box"), or None for a figure given in pages."""
    given = {u: v for u, v in (("pages", pages), ("boxes", boxes), ("linear_metres", linear_metres)) if v is not None}
    if len(given) != 1:
        raise EstimateError("give exactly one of --pages, --boxes or --linear-metres")
    (unit, amount), = given.items()
    if not amount > 0 or not math.isfinite(amount):
        raise EstimateError("an estimate is at least 1 page" if unit == "pages" else f"{unit} must be more than 0")
    if unit == "pages":
        if amount < 1 or amount != int(amount):
            raise EstimateError("an estimate is at least 1 page")
        return int(amount), None
    try:
        return units.to_pages(amount, unit)
    except ValueError as e:
        raise EstimateError(str(e)) from e


@dataclass(frozen=True, slots=True)
class NewEstimate:
    """An estimate as someone gives it (`digitise estimate set`): one figure, in pages, boxes
    or linear metres, for a council's total or one `record_type`, on the basis of `source`."""

    council: str
    source: str
    recorded_by: str
    pages: int | None = None
    boxes: float | None = None
    linear_metres: float | None = None
    record_type: str | None = None
    as_of: dt.date | None = None


def record_estimate(
    ledger: Ledger, councils: Mapping[str, Council], record_types: Iterable[str], estimate: NewEstimate, *,
    units: Units | None = None,
) -> int:
    """Append an estimate to the ledger's history, after checking it names known things. A figure
    in boxes or linear metres is converted with `units` (default: the standard table) and the
    source records the original unit, e.g. "16 boxes x 2,500 pages/box; shelf audit".
    Returns the pages recorded."""
    _check_names(councils, record_types, estimate.council, estimate.record_type)
    pages, measured = estimate_in_pages(units or Units(), pages=estimate.pages, boxes=estimate.boxes,
                                        linear_metres=estimate.linear_metres)
    source = estimate.source
    if not source.strip():
        raise EstimateError("say what the estimate is based on (--source)")
    if measured:
        source = f"{measured}; {source.strip()}"
    if len(source.strip()) > 500:
        raise EstimateError("--source is too long (500 characters at most, with the unit conversion)")
    if estimate.as_of is not None and estimate.as_of > dt.date.today():
        raise EstimateError("--as-of is in the future")
    entry = EstimateEntry(estimate.council, estimate.record_type, pages, source.strip(), estimate.as_of,
                          estimate.recorded_by.strip() or "unknown")
    ledger.add_estimate(entry)
    return pages


def _check_names(councils: Mapping[str, Council], record_types: Iterable[str], council: str,
                 record_type: str | None) -> None:
    """Refuse a figure for a council or record type the configuration does not know."""
    if council not in councils:
        raise EstimateError(f"unknown council {council!r}; known: {', '.join(sorted(councils))}")
    if record_type is not None and record_type not in set(record_types):
        raise EstimateError(f"unknown record type {record_type!r}")


def current_estimates(
    councils: Mapping[str, Council], history: Iterable[EstimateRow]
) -> dict[str, CouncilEstimate]:
    """Per council: the newest ledger figure for the total and each type, else the YAML one."""
    newest: dict[tuple[str, str | None], EstimateRow] = {}
    for row in history:
        key = (row.council, row.record_type)
        if key not in newest or _order(row) >= _order(newest[key]):
            newest[key] = row
    out: dict[str, CouncilEstimate] = {}
    for slug in sorted(set(councils) | {c for c, _ in newest}):
        inventory = councils[slug].inventory if slug in councils else None
        total, by_type = None, {}
        if inventory is not None:
            total = _from_config(inventory, inventory.total, None if inventory.total_pages else inventory.total_basis
                                 ) if inventory.total else None
            bases = inventory.type_bases
            by_type = {t: _from_config(inventory, n, bases[t] if t in inventory.by_type_units else None)
                       for t, n in inventory.type_pages.items()}
        for (council, record_type), row in newest.items():
            if council != slug:
                continue
            if record_type is None:
                total = _from_ledger(row)
            else:
                by_type[record_type] = _from_ledger(row)
        out[slug] = CouncilEstimate(slug, total, dict(sorted(by_type.items())))
    return out


def councils_with_estimates(councils: Mapping[str, Council], ledger: Ledger) -> dict[str, Council]:
    """The configured councils, each with the inventory progress should divide by."""
    current = current_estimates(councils, ledger.estimates())
    out = {}
    for slug, council in councils.items():
        estimate = current[slug]
        inventory = None
        if estimate.pages is not None:
            basis = estimate.total or next(iter(estimate.by_type.values()))
            inventory = InventoryEstimate.model_construct(  # no re-validation: history may be uneven
                total_pages=estimate.total.pages if estimate.total else None,
                by_type={t: b.pages for t, b in estimate.by_type.items()},
                source=basis.source, as_of=basis.as_of,
            )
        out[slug] = council.model_copy(update={"inventory": inventory})
    return out


def _order(row: EstimateRow) -> tuple[dt.date, dt.datetime, int]:
    recorded = _aware(row.recorded_at)
    return (row.as_of or recorded.date(), recorded, row.id)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _from_config(inventory: InventoryEstimate, pages: int, measured: str | None = None) -> EstimateBasis:
    return EstimateBasis(pages, inventory.source, inventory.as_of, CONFIG, measured=measured)


def _from_ledger(row: EstimateRow) -> EstimateBasis:  # a ledger source already names its unit
    return EstimateBasis(row.pages, row.source, row.as_of, LEDGER, row.recorded_by, _aware(row.recorded_at))


def current_progress(councils: Mapping[str, Council], ledger: Ledger, *, only: str | None = None) -> list[ProgressRow]:
    """Progress as of now: ledger counts over the newest estimates, with open failures."""
    return progress_rows(
        councils_with_estimates(councils, ledger), ledger.counters(), ledger.open_failures(), only=only,
        not_needed=not_needed_pages(ledger.exclusions()),
    )


# --- Pages not needing digitisation ------------------------------------------------------------

class ExclusionReason(StrEnum):
    """Why pages need not be digitised (NUMERIC/ENUMERATE's 'not needing digitisation').
    Stored in the ledger: add new ones, never rename."""

    past_retention = "past_retention"  # past its retention period and due for destruction
    duplicate = "duplicate"
    out_of_scope = "out_of_scope"


@dataclass(frozen=True, slots=True)
class NewExclusion:
    """Pages a council holds but need not digitise (`digitise exclude`), why (an
    `ExclusionReason`), and on whose authority (`note`)."""

    council: str
    pages: int
    reason: str
    note: str
    recorded_by: str
    record_type: str | None = None


def record_exclusion(
    ledger: Ledger, councils: Mapping[str, Council], record_types: Iterable[str], exclusion: NewExclusion,
) -> None:
    """Append pages a council need not digitise; entries add up and stay as history."""
    _check_names(councils, record_types, exclusion.council, exclusion.record_type)
    if exclusion.reason not in ExclusionReason.__members__:
        raise EstimateError(f"unknown reason {exclusion.reason!r}; one of {', '.join(ExclusionReason)}")
    if exclusion.pages < 1:
        raise EstimateError("an exclusion is at least 1 page")
    if not exclusion.note.strip():
        raise EstimateError("say what was excluded and on whose authority (--note)")
    ledger.add_exclusion(ExclusionEntry(exclusion.council, exclusion.record_type, exclusion.pages, exclusion.reason,
                                        exclusion.note.strip()[:500], exclusion.recorded_by.strip() or "unknown"))


def not_needed_pages(history: Iterable[ExclusionRow]) -> dict[tuple[str, str | None], int]:
    """Pages excluded per (council, record type or None), summed over every entry."""
    out: dict[tuple[str, str | None], int] = {}
    for row in history:
        key = (row.council, row.record_type)
        out[key] = out.get(key, 0) + row.pages
    return out
