"""The FoI survey's answer per council, the survey's table across councils, and forecasts.

The survey asks each council: can you say how much of your paper is digitised; if so, in which
band (0–25, 26–50, 51–75, 76–99, 100%); is it fully digitised. A council answers only from
ledger counts over a current estimate: with no estimate, or one older than
`max_estimate_age_days` (or undated), it "cannot say", and the reason is given.

Percent digitised = pages digitised / (estimate − pages not needing digitisation), the
NUMERIC/ENUMERATE three-way split. Forecasts divide the outstanding pages by the pages archived
per day over the last `window_days` days (from records.archived_at).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from records.archive.local import write_atomic
from records.config import Council
from records.ledger import Ledger
from records.reporting.inventory import CouncilEstimate, current_estimates, current_progress
from records.spreadsheet import csv_text
from records.reporting.progress import ALL_TYPES, BANDS, UNKNOWN, ProgressRow, councils_per_band

CANNOT_SAY = "cannot say"
DEFAULT_MAX_ESTIMATE_AGE_DAYS = 1095
DEFAULT_WINDOW_DAYS = 28


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    council: str
    name: str
    can_say: bool
    reason: str  # why it cannot say; else what the estimate rests on
    digitised: int
    estimate_pages: int | None
    not_needed: int
    outstanding: int | None
    percent: float | None
    band: str  # one of BANDS, or CANNOT_SAY
    fully_digitised: bool | None  # None: cannot say
    estimate_date: dt.date | None


@dataclass(frozen=True, slots=True)
class Forecast:
    council: str
    record_type: str  # ALL_TYPES or a record type with its own estimate
    outstanding: int | None
    pages_in_window: int
    rate_per_day: float
    completion: dt.date | None  # at the current rate; None when done, stalled or unknown
    rate_needed: float | None  # pages/day to finish by the target date
    status: str


@dataclass(frozen=True)
class Survey:
    today: dt.date
    max_estimate_age_days: int
    window_days: int
    target_date: dt.date | None
    answers: tuple[SurveyAnswer, ...]
    forecasts: tuple[Forecast, ...]

    @property
    def band_summary(self) -> dict[str, int]:
        """The survey's table: councils per band, and how many cannot say."""
        return councils_per_band((answer.band for answer in self.answers), cannot_say=CANNOT_SAY)


@dataclass(frozen=True, slots=True)
class SurveyFiles:
    markdown: Path
    csv: Path
    forecast_csv: Path
    chart: Path


def estimate_date(estimate: CouncilEstimate) -> dt.date | None:
    """The date an estimate describes: its as-of date, else the day it was recorded in the
    ledger. A sum of type estimates is as old as its oldest part; None if any part is undated."""
    bases = [estimate.total] if estimate.total is not None else list(estimate.by_type.values())
    dates = [b.as_of or (b.recorded_at.date() if b.recorded_at else None) for b in bases]
    if not dates or any(d is None for d in dates):
        return None
    return min(d for d in dates if d is not None)


def build_survey(
    councils: Mapping[str, Council], ledger: Ledger, *, now: dt.datetime | None = None,
    max_estimate_age_days: int = DEFAULT_MAX_ESTIMATE_AGE_DAYS, window_days: int = DEFAULT_WINDOW_DAYS,
    target_date: dt.date | None = None,
) -> Survey:
    now = now or dt.datetime.now(dt.timezone.utc)
    today = now.date()
    rows = current_progress(councils, ledger)
    estimates = current_estimates(councils, ledger.estimates())
    totals = {r.council: r for r in rows if r.record_type == ALL_TYPES}
    answers = tuple(
        _answer(slug, councils[slug].name if slug in councils else slug, totals[slug], estimates.get(slug),
                today, max_estimate_age_days)
        for slug in sorted(totals)
    )
    archived = ledger.pages_archived_between(now - dt.timedelta(days=window_days), now)
    forecasts = tuple(
        _forecast(r, archived, today, window_days, target_date)
        for r in rows
        if r.record_type == ALL_TYPES or r.estimate_pages is not None
    )
    return Survey(today, max_estimate_age_days, window_days, target_date, answers, forecasts)


def _answer(
    slug: str, name: str, row: ProgressRow, estimate: CouncilEstimate | None, today: dt.date, max_age: int,
) -> SurveyAnswer:
    dated = estimate_date(estimate) if estimate is not None else None
    if estimate is None or estimate.pages is None:
        reason = "no inventory estimate"
    elif dated is None:
        reason = "the estimate is undated"
    elif (today - dated).days > max_age:
        reason = f"the estimate is {(today - dated).days} days old (dated {dated}; limit {max_age} days)"
    elif row.percent is None:
        reason = f"{row.not_needed} pages not needing digitisation are not fewer than the {row.estimate_pages}-page estimate"
    else:
        reason = ""
    can_say = not reason
    return SurveyAnswer(
        council=slug, name=name, can_say=can_say,
        reason=reason or (estimate.describe() if estimate else ""),
        digitised=row.pages, estimate_pages=row.estimate_pages, not_needed=row.not_needed,
        outstanding=row.outstanding, percent=row.percent if can_say else None,
        band=row.band if can_say and row.band != UNKNOWN else CANNOT_SAY,
        fully_digitised=(row.band == BANDS[4]) if can_say else None, estimate_date=dated,
    )


def _forecast(
    row: ProgressRow, archived: Mapping[tuple[str, str], int], today: dt.date, window_days: int,
    target: dt.date | None,
) -> Forecast:
    in_window = sum(p for (c, t), p in archived.items()
                    if c == row.council and (row.record_type == ALL_TYPES or t == row.record_type))
    rate = in_window / window_days
    left = row.outstanding
    completion: dt.date | None = None
    rate_needed: float | None = None
    days_left = (target - today).days if target else None
    if left is None:
        status = "no estimate"
    elif left == 0:
        status = "done"
    elif rate == 0:
        status = f"no pages archived in the last {window_days} days"
    else:
        completion = today + dt.timedelta(days=math.ceil(left / rate))
        status = "at current rate"
    if left and target is not None:
        if days_left is not None and days_left > 0:
            rate_needed = round(left / days_left, 2)
            status += ", on track" if completion is not None and completion <= target else ", behind target"
        else:
            status += ", target date passed"
    return Forecast(row.council, row.record_type, left, in_window, round(rate, 2), completion, rate_needed, status)


def write_survey(survey: Survey, out_dir: Path) -> SurveyFiles:
    files = SurveyFiles(out_dir / "survey.md", out_dir / "survey.csv", out_dir / "forecast.csv",
                        out_dir / "survey.png")
    write_atomic(files.markdown, markdown_survey(survey).encode("utf-8"))
    write_atomic(files.csv, survey_csv(survey).encode("utf-8"))
    write_atomic(files.forecast_csv, forecast_csv(survey).encode("utf-8"))
    write_atomic(files.chart, render_survey_chart(survey))
    return files


# --- text ------------------------------------------------------------------------------------

def _yes_no(value: bool | None) -> str:
    return CANNOT_SAY if value is None else ("yes" if value else "no")


def _blank(value: object) -> object:
    return "" if value is None else value


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def forecast_markdown(survey: Survey) -> str:
    target = f"; target date {survey.target_date}" if survey.target_date else ""
    return (
        f"Rate: pages archived per day over the last {survey.window_days} days{target}.\n\n"
        + _table(
            ["Council", "Record type", "Outstanding pages", f"Pages in last {survey.window_days} days",
             "Pages/day", "Projected completion", "Pages/day needed", "Status"],
            [[f.council, f.record_type, UNKNOWN if f.outstanding is None else f.outstanding, f.pages_in_window,
              f"{f.rate_per_day:g}", f.completion or "—", "—" if f.rate_needed is None else f"{f.rate_needed:g}",
              f.status] for f in survey.forecasts],
        )
    )


def markdown_survey(survey: Survey) -> str:
    parts = [
        "# FoI survey: how much of each council's paper is digitised",
        f"As of {survey.today}. Counts are from the ledger; % digitised = pages digitised / (estimate − pages "
        f"not needing digitisation). An estimate older than {survey.max_estimate_age_days} days, or undated, "
        "cannot support an answer.",
        "## Across all councils",
        _table(["Band (% digitised)", "Councils"], [[b, n] for b, n in survey.band_summary.items()]),
        "## Each council's answer",
        _table(
            ["Council", "Can say?", "Band", "% digitised", "Fully digitised?", "Pages digitised", "Estimate",
             "Not needing digitisation", "Outstanding", "Basis, or why it cannot say"],
            [[f"{a.name} ({a.council})", "yes" if a.can_say else "no", a.band,
              "—" if a.percent is None else f"{a.percent:.1f}%", _yes_no(a.fully_digitised), a.digitised,
              UNKNOWN if a.estimate_pages is None else a.estimate_pages, a.not_needed,
              UNKNOWN if a.outstanding is None else a.outstanding, a.reason] for a in survey.answers],
        ),
        "## Forecast",
        forecast_markdown(survey),
    ]
    return "\n\n".join(parts) + "\n"


def survey_csv(survey: Survey) -> str:
    header = ["council", "council_name", "can_say", "band", "percent_digitised", "fully_digitised",
              "pages_digitised", "estimated_pages", "pages_not_needing_digitisation", "pages_outstanding",
              "estimate_date", "basis_or_reason"]
    return csv_text(header, ([a.council, a.name, "yes" if a.can_say else "no", a.band, _blank(a.percent),
                              _yes_no(a.fully_digitised), a.digitised, _blank(a.estimate_pages), a.not_needed,
                              _blank(a.outstanding), _blank(a.estimate_date), a.reason] for a in survey.answers))


def forecast_csv(survey: Survey) -> str:
    header = ["council", "record_type", "pages_outstanding", "window_days", "pages_in_window",
              "pages_per_day", "projected_completion", "target_date", "pages_per_day_needed", "status"]
    return csv_text(header, ([f.council, f.record_type, _blank(f.outstanding), survey.window_days,
                              f.pages_in_window, f.rate_per_day, _blank(f.completion),
                              _blank(survey.target_date), _blank(f.rate_needed), f.status] for f in survey.forecasts))


# --- chart -----------------------------------------------------------------------------------

_COLOURS = ("#d7301f", "#fc8d59", "#fdcc8a", "#78c679", "#238443", "#bdbdbd")


def render_survey_chart(survey: Survey) -> bytes:
    """Councils per band (the survey's table), and each council's three-way split."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # slow import: only when drawing
    from matplotlib.figure import Figure

    figure = Figure(figsize=(14, 6), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(f"FoI survey answer, {survey.today:%d %B %Y}", fontsize=14)
    bands_ax, split_ax = figure.subplots(1, 2)
    summary = survey.band_summary
    bars = bands_ax.bar(list(summary), list(summary.values()), color=_COLOURS)
    bands_ax.bar_label(bars)
    bands_ax.set_ylabel("councils")
    bands_ax.set_ylim(0, max(1, *summary.values()) * 1.2)
    bands_ax.yaxis.get_major_locator().set_params(integer=True)
    bands_ax.set_title("Councils per band of % digitised")
    answers = list(survey.answers)
    y = list(range(len(answers)))[::-1]
    labelled: set[str] = set()
    for pos, a in zip(y, answers, strict=True):
        if not a.can_say or not a.estimate_pages:
            split_ax.barh(pos, 100, color="none", edgecolor="grey", hatch="//")
            split_ax.text(50, pos, f"cannot say: {a.reason}"[:70], ha="center", va="center", fontsize=8)
            continue
        total = a.estimate_pages
        parts = [(a.digitised, "#238443", "digitised"), (a.not_needed, "#bdbdbd", "not needing digitisation"),
                 (a.outstanding or 0, "#fc8d59", "outstanding")]
        left = 0.0
        for pages, colour, label in parts:
            width = 100 * min(pages, total) / total
            split_ax.barh(pos, width, left=left, color=colour, label=None if label in labelled else label)
            labelled.add(label)
            left += width
        split_ax.text(min(left, 100) + 1, pos, f"{a.percent:.1f}% ({a.band})", va="center", fontsize=9)
    split_ax.set_yticks(y, [a.council for a in answers])
    split_ax.set_xlim(0, 130)
    split_ax.set_xlabel("% of the council's estimate")
    split_ax.set_title("Digitised / not needing digitisation / outstanding")
    if any(a.can_say for a in answers):
        split_ax.legend(fontsize=9, loc="lower right")
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
