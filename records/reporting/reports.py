"""The progress report: per-council digitisation against the newest inventory estimate, as CSV,
Markdown and a PNG chart, plus the survey's summary of how many councils sit in each band.

Every number comes from the ledger; the estimate each percentage rests on is named beside it,
so a reader can tell a box-count guess from an audited figure. A council without an estimate
is counted under "cannot say", never given a percentage.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from records.archive.local import write_atomic
from records.config import Council
from records.ledger import Ledger
from records.reporting.inventory import councils_with_estimates, current_estimates, not_needed_pages
from records.spreadsheet import csv_text
from records.reporting.progress import (
    ALL_TYPES,
    BANDS,
    UNKNOWN,
    ProgressRow,
    councils_per_band,
    progress_rows,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Pages whose mean Tesseract word confidence is below this count as failing OCR confidence.
DEFAULT_MIN_CONFIDENCE = 70.0
CANNOT_SAY = "Cannot say (no estimate)"
#: The Markdown lists this many most recent days; the CSV has them all.
MARKDOWN_DAYS = 31


@dataclass(frozen=True, slots=True)
class CouncilLine:
    council: str
    name: str
    records: int
    pages: int
    estimate_pages: int | None
    percent: float | None
    band: str
    estimate_basis: str
    low_confidence_pages: int
    pages_with_confidence: int
    failed_inputs: int
    awaiting_review: int
    pages_by_type: dict[str, int] = field(default_factory=dict)
    not_needed: int = 0
    outstanding: int | None = None


@dataclass(frozen=True)
class Report:
    generated_at: dt.datetime
    min_confidence: float
    councils: tuple[CouncilLine, ...]
    rows: tuple[ProgressRow, ...]
    daily: tuple[tuple[str, str, int], ...]  # (UTC day, council, pages)

    @property
    def band_summary(self) -> dict[str, int]:
        """The survey's question: how many councils in each band, and how many cannot say."""
        return councils_per_band((line.band for line in self.councils), cannot_say=CANNOT_SAY)

    @property
    def record_types(self) -> tuple[str, ...]:
        return tuple(sorted({t for line in self.councils for t in line.pages_by_type}))


@dataclass(frozen=True, slots=True)
class ReportFiles:
    csv: Path
    daily_csv: Path
    markdown: Path
    chart: Path


def build_report(
    councils: Mapping[str, Council], ledger: Ledger, *,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE, now: dt.datetime | None = None,
) -> Report:
    """Gather the report's numbers from the ledger (no files are written)."""
    effective = councils_with_estimates(councils, ledger)
    bases = current_estimates(councils, ledger.estimates())
    failures = ledger.open_failures()
    rows = progress_rows(effective, ledger.counters(), failures, not_needed=not_needed_pages(ledger.exclusions()))
    confidence = ledger.page_confidence(min_confidence)
    review = ledger.review_counts()
    by_type: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        if row.record_type != ALL_TYPES and row.pages:
            by_type[row.council][row.record_type] = row.pages
    lines = tuple(
        CouncilLine(
            council=r.council, name=councils[r.council].name if r.council in councils else r.council,
            records=r.records, pages=r.pages, estimate_pages=r.estimate_pages, percent=r.percent, band=r.band,
            estimate_basis=bases[r.council].describe() if r.council in bases else "no estimate",
            low_confidence_pages=confidence.get(r.council, (0, 0))[0],
            pages_with_confidence=confidence.get(r.council, (0, 0))[1],
            failed_inputs=failures.get(r.council, 0), awaiting_review=review.get(r.council, 0),
            pages_by_type=dict(sorted(by_type[r.council].items())),
            not_needed=r.not_needed, outstanding=r.outstanding,
        )
        for r in rows
        if r.record_type == ALL_TYPES
    )
    return Report(now or dt.datetime.now(dt.timezone.utc), min_confidence, lines, tuple(rows),
                  tuple(ledger.daily_pages()))


def write_report(report: Report, out_dir: Path) -> ReportFiles:
    """progress.csv, daily_pages.csv, progress.md and progress.png in `out_dir`."""
    files = ReportFiles(out_dir / "progress.csv", out_dir / "daily_pages.csv",
                        out_dir / "progress.md", out_dir / "progress.png")
    write_atomic(files.csv, progress_csv(report).encode("utf-8"))
    write_atomic(files.daily_csv, daily_csv(report).encode("utf-8"))
    write_atomic(files.markdown, markdown_report(report).encode("utf-8"))
    write_atomic(files.chart, render_chart(report))
    return files


# --- CSV -------------------------------------------------------------------------------------

def progress_csv(report: Report) -> str:
    """One row per council total and per council and record type."""
    lines = {line.council: line for line in report.councils}
    header = ["council", "council_name", "record_type", "records", "pages_digitised", "estimated_pages",
                     "percent_digitised", "foi_band", "estimate_basis",
                     f"pages_below_{report.min_confidence:g}_confidence",
                     "pages_with_confidence", "failed_inputs", "awaiting_review",
                     "pages_not_needing_digitisation", "pages_outstanding"]

    def cells(row: ProgressRow) -> list[object]:
        line = lines[row.council]
        total = row.record_type == ALL_TYPES
        return [
            row.council, line.name, row.record_type, row.records, row.pages, _or_blank(row.estimate_pages),
            _or_blank(row.percent), row.band, line.estimate_basis if total else "",
            *((line.low_confidence_pages, line.pages_with_confidence, line.failed_inputs, line.awaiting_review)
              if total else ("", "", "", "")),
            row.not_needed, _or_blank(row.outstanding),
        ]
    return csv_text(header, map(cells, report.rows))


def daily_csv(report: Report) -> str:
    return csv_text(["day_utc", "council", "pages_digitised"], report.daily)


def _or_blank(value: object) -> object:
    return "" if value is None else value


# --- Markdown --------------------------------------------------------------------------------

def markdown_report(report: Report) -> str:
    parts = [
        "# Digitisation progress report",
        f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC from the ledger. Percentages are pages digitised "
        "over each council's newest inventory estimate (named in the table). Pages failing OCR confidence: "
        f"non-blank pages whose mean word confidence is below {report.min_confidence:g}.",
        "## Summary across all councils",
        _table(["FoI band (% digitised)", "Councils"], [[band, n] for band, n in report.band_summary.items()]),
        "## By council",
        _table(
            ["Council", "Records", "Pages digitised", "Estimated pages", "% digitised", "FoI band",
             "Estimate rests on", "Pages failing OCR confidence", "Failed inputs", "Awaiting review",
             "Not needing digitisation", "Outstanding"],
            [[f"{c.name} ({c.council})", c.records, c.pages, _or(c.estimate_pages), _pct(c.percent), c.band,
              c.estimate_basis, f"{c.low_confidence_pages} of {c.pages_with_confidence}", c.failed_inputs,
              c.awaiting_review, c.not_needed, _or(c.outstanding)] for c in report.councils],
        ),
        "## Pages by record type",
        _table(
            ["Council", "Record type", "Records", "Pages digitised", "Estimated pages", "% digitised", "FoI band",
             "Not needing digitisation", "Outstanding"],
            [[r.council, r.record_type, r.records, r.pages, _or(r.estimate_pages), _pct(r.percent), r.band,
              r.not_needed, _or(r.outstanding)]
             for r in report.rows if r.record_type != ALL_TYPES],
        ),
        f"## Pages digitised per day (UTC, last {MARKDOWN_DAYS} days with work)",
        _daily_table(report),
    ]
    return "\n\n".join(parts) + "\n"


def _daily_table(report: Report) -> str:
    if not report.daily:
        return "Nothing digitised yet."
    councils = sorted({c for _, c, _ in report.daily})
    per_day: dict[str, dict[str, int]] = defaultdict(dict)
    for day, council, pages in report.daily:
        per_day[day][council] = pages
    days = sorted(per_day)[-MARKDOWN_DAYS:]
    rows = [[day, *(per_day[day].get(c, 0) for c in councils), sum(per_day[day].values())] for day in days]
    return _table(["Day", *councils, "Total"], rows)


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _or(value: int | None) -> str:
    return UNKNOWN if value is None else str(value)


def _pct(value: float | None) -> str:
    return UNKNOWN if value is None else f"{value:.1f}%"


# --- chart -----------------------------------------------------------------------------------

def render_chart(report: Report) -> bytes:
    """A 2x2 PNG: % digitised with bands, pages by type, problems, and daily pages.

    Matplotlib is imported here, not at the top: it takes a second to load, and only the
    report needs it. The Agg backend renders without a display and is safe in threads.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(16, 11), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    summary = ", ".join(f"{band}: {n}" for band, n in report.band_summary.items())
    figure.suptitle(f"Digitisation progress, {report.generated_at:%d %B %Y}\nCouncils per FoI band: {summary}",
                    fontsize=14)
    (percent_ax, types_ax), (problems_ax, daily_ax) = figure.subplots(2, 2)
    names = [line.council for line in report.councils]
    _plot_percent(percent_ax, report.councils)
    _plot_types(types_ax, report, names)
    _plot_problems(problems_ax, report.councils, report.min_confidence)
    _plot_daily(daily_ax, report.daily)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


_BAND_COLOURS = dict(zip(BANDS, ("#d7301f", "#fc8d59", "#fdcc8a", "#78c679", "#238443"), strict=True))


def _plot_percent(ax: Axes, lines: Sequence[CouncilLine]) -> None:
    from matplotlib.patches import Patch  # see render_chart
    y = list(range(len(lines)))[::-1]
    for pos, line in zip(y, lines, strict=True):
        if line.percent is None:
            ax.barh(pos, 100, color="none", edgecolor="grey", hatch="//")
            ax.text(50, pos, "no estimate: cannot say", ha="center", va="center", fontsize=10)
            continue
        ax.barh(pos, min(line.percent, 100), color=_BAND_COLOURS.get(line.band, "grey"))
        ax.text(min(line.percent, 100) + 1, pos, f"{line.percent:.1f}% ({line.pages}/{line.estimate_pages} pages)",
                va="center", fontsize=10)
    for edge in (25, 50, 75, 100):
        ax.axvline(edge, color="lightgrey", linewidth=0.8, zorder=0)
    ax.set_yticks(y, [line.council for line in lines])
    ax.set_xlim(0, 135)
    ax.set_xlabel("% of estimated pages digitised")
    ax.legend(handles=[Patch(color=c, label=b) for b, c in _BAND_COLOURS.items()], title="FoI band",
              fontsize=9, loc="lower right")
    ax.set_title("% digitised against the newest estimate")


def _plot_types(ax: Axes, report: Report, names: Sequence[str]) -> None:
    y = list(range(len(names)))[::-1]
    left = [0] * len(names)
    colours = _palette(len(report.record_types))
    by_council = {line.council: line.pages_by_type for line in report.councils}
    for colour, record_type in zip(colours, report.record_types, strict=True):
        widths = [by_council[c].get(record_type, 0) for c in names]
        ax.barh(y, widths, left=left, color=colour, label=record_type)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_yticks(y, list(names))
    ax.set_xlabel("pages digitised")
    ax.set_title("Pages digitised by record type")
    if report.record_types:
        ax.legend(fontsize=9, loc="lower right")


def _plot_problems(ax: Axes, lines: Sequence[CouncilLine], threshold: float) -> None:
    from matplotlib.ticker import MaxNLocator  # see render_chart
    x = list(range(len(lines)))
    series = [
        (f"pages below {threshold:g} OCR confidence", [c.low_confidence_pages for c in lines], "#e34a33"),
        ("records awaiting review", [c.awaiting_review for c in lines], "#fdbb84"),
        ("failed inputs (quarantined)", [c.failed_inputs for c in lines], "#636363"),
    ]
    width = 0.26
    for n, (label, values, colour) in enumerate(series):
        bars = ax.bar([i + (n - 1) * width for i in x], values, width, label=label, color=colour)
        ax.bar_label(bars, fontsize=9)
    ax.set_xticks(x, [c.council for c in lines])
    ax.set_ylabel("count")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    highest = max((v for _, values, _ in series for v in values), default=0)
    ax.set_ylim(0, max(1, highest) * 1.15)
    if not highest:
        ax.text(0.5, 0.6, "nothing needs attention", ha="center", transform=ax.transAxes)
    ax.set_title("Needs attention")
    ax.legend(fontsize=9)


def _plot_daily(ax: Axes, daily: Sequence[tuple[str, str, int]]) -> None:
    """Every day from the first to the last with work, so idle days show as gaps, not vanish."""
    ax.set_title("Pages digitised per day (UTC), and cumulative")
    if not daily:
        ax.text(0.5, 0.5, "nothing digitised yet", ha="center", va="center", transform=ax.transAxes)
        return
    first, last = (dt.date.fromisoformat(d) for d in (min(d for d, _, _ in daily), max(d for d, _, _ in daily)))
    days = [(first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    councils = sorted({c for _, c, _ in daily})
    pages = {(d, c): p for d, c, p in daily}
    x = list(range(len(days)))
    bottom = [0] * len(days)
    for colour, council in zip(_palette(len(councils), _COUNCIL_COLOURS), councils, strict=True):
        heights = [pages.get((d, council), 0) for d in days]
        ax.bar(x, heights, bottom=bottom, color=colour, label=council, width=0.8)
        bottom = [a + b for a, b in zip(bottom, heights, strict=True)]
    total = ax.twinx()
    running = [sum(bottom[: i + 1]) for i in range(len(bottom))]
    total.plot(x, running, color="black", marker="o" if len(days) <= 60 else "", label="cumulative pages")
    total.set_ylabel("cumulative pages")
    total.set_ylim(bottom=0)
    ax.set_ylabel("pages per day")
    ax.legend(fontsize=9, loc="upper left")
    step = max(1, len(days) // 12)
    ax.set_xticks(x[::step], [d for d in days[::step]], rotation=30, ha="right")
    ax.set_xlim(-1, len(days))


_TYPE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf")
_COUNCIL_COLOURS = ("#66c2a5", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3", "#fc8d62")


def _palette(n: int, base: Sequence[str] = _TYPE_COLOURS) -> list[str]:
    return [base[i % len(base)] for i in range(n)]
