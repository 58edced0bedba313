"""Commands for the figures a council reports: progress, estimates, exclusions, the report, the FoI survey."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from flows.cli.common import ByOpt, ConfigOpt, DataOpt, JsonOpt, Where, command_group, err, out, print_json, say, table, who
from records.reporting.inventory import (
    NewEstimate,
    NewExclusion,
    current_estimates,
    current_progress,
    record_estimate,
    record_exclusion,
)
from records.reporting.progress import ALL_TYPES, ProgressRow
from records.reporting.reports import DEFAULT_MIN_CONFIDENCE, build_report, write_report
from records.reporting.survey import Survey, build_survey, write_survey

commands = command_group("Progress, estimates and reports.")
estimate_app = command_group("Councils' inventory estimates, with history: % digitised divides by the newest.",
                             no_args_is_help=True)

ReportsOpt = Annotated[Optional[Path], typer.Option("--out", help="Write the files here [default: <data dir>/reports].", file_okay=False)]


@commands.command()
def progress(
    council: Annotated[Optional[str], typer.Option(help="Show only this council.")] = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show digitisation progress per council and record type, from the ledger."""
    print_progress(Where(config, data_dir), council, as_json)


def print_progress(where: Where, council: str | None, as_json: bool) -> None:
    rows = current_progress(where.settings().councils, where.ledger(), only=council)  # newest estimates, else the YAML
    if as_json:
        print_json({"progress": [asdict(r) for r in rows]})
        return
    out.print(progress_table(rows))


def progress_table(rows: list[ProgressRow]) -> Table:
    def cells(r: ProgressRow) -> list[str]:
        is_total = r.record_type == ALL_TYPES
        return [
            f"[bold]{r.council}[/bold]" if is_total else "", r.record_type, str(r.records), str(r.pages),
            _or_unknown(r.estimate_pages), str(r.not_needed), _or_unknown(r.outstanding),
            "unknown" if r.percent is None else f"{r.percent:.1f}", r.band, str(r.failed) if is_total else "",
            f"{r.rescan_records}/{r.rescan_pages}",
        ]

    return table(
        "Digitisation progress (pages digitised / (council's estimate − not needing digitisation); "
        "records below the capture standard count as needing re-scan, not as digitised)",
        ["Council", "Record type", ("Records", "right"), ("Pages", "right"), ("Estimate", "right"),
         ("Not needed", "right"), ("Outstanding", "right"), ("%", "right"), "FoI band", ("Failed", "right"),
         ("Re-scan rec/pages", "right")],
        map(cells, rows),
    )


def _or_unknown(value: int | None) -> str:
    return "unknown" if value is None else str(value)


@commands.command()
def report(
    out_dir: ReportsOpt = None,
    min_confidence: Annotated[float, typer.Option(min=0, max=100, help="Pages below this OCR confidence count as failing.")] = DEFAULT_MIN_CONFIDENCE,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the progress report (CSV, Markdown and a PNG chart) and print the survey summary."""
    where = Where(config, data_dir)
    settings = where.settings()
    result = build_report(settings.councils, where.ledger(), min_confidence=min_confidence)
    files = write_report(result, (out_dir or settings.pipeline.data_dir / "reports").resolve())
    if as_json:
        print_json({"report": {k: str(v) for k, v in asdict(files).items()}, "bands": result.band_summary})
        return
    say("Councils per FoI band: " + ", ".join(f"{b}: {n}" for b, n in result.band_summary.items()))
    for kind, path in asdict(files).items():
        say(f"{kind:<10} {path}")


@estimate_app.command("set")
def estimate_set(
    council: Annotated[str, typer.Argument(help="Council slug from councils.yaml.")],
    source: Annotated[str, typer.Option("--source", help='What the estimate rests on, e.g. "shelf audit, records team".')],
    pages: Annotated[Optional[int], typer.Option("--pages", min=1, help="Estimated pages held.")] = None,
    boxes: Annotated[Optional[float], typer.Option("--boxes", min=0, help="Instead of --pages: boxes held, converted with units.pages_per_box in councils.yaml.")] = None,
    linear_metres: Annotated[Optional[float], typer.Option("--linear-metres", min=0, help="Instead of --pages: linear metres of shelving, converted with units.pages_per_linear_metre.")] = None,
    record_type: Annotated[Optional[str], typer.Option("--type", help="Estimate for one record type [default: the council's total].")] = None,
    as_of: Annotated[Optional[datetime], typer.Option("--as-of", formats=["%Y-%m-%d"], help="Date the estimate describes [default: today].")] = None,
    by: ByOpt = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
) -> None:
    """Record a council's new inventory estimate; earlier ones are kept as history."""
    where = Where(config, data_dir)
    settings, ledger = where.settings(), where.ledger()
    estimate = NewEstimate(council=council, pages=pages, source=source, recorded_by=who(by), record_type=record_type,
                           as_of=as_of.date() if as_of else None, boxes=boxes, linear_metres=linear_metres)
    record_estimate(ledger, settings.councils, settings.classification.record_types, estimate,
                    units=settings.units_for(council))
    current = current_estimates(settings.councils, ledger.estimates(council=council))[council]
    if record_type:
        say(f"{council} {record_type}: {current.by_type[record_type].describe()}")
    say(f"{council}: progress now rests on {current.describe()}")
    if current.types_exceed_total:
        err.print("[yellow]warning:[/yellow] the record-type estimates add up to more than the total estimate")


@estimate_app.command("list")
def estimate_list(
    council: Annotated[Optional[str], typer.Argument(help="Only this council.")] = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the estimate each council's progress rests on, and every estimate recorded."""
    where = Where(config, data_dir)
    ledger = where.ledger()
    history = ledger.estimates(council=council)
    current = current_estimates(where.settings().councils, history)
    if council:
        current = {k: v for k, v in current.items() if k == council}
    if as_json:
        print_json({"current": {k: v.describe() for k, v in current.items()},
                    "history": [asdict(row) for row in history]})
        return
    for slug, estimate in current.items():
        say(f"{slug}: {estimate.describe()}")
    out.print(table(
        "Estimates recorded with `digitise estimate set` (newest per council and type counts)",
        ["Council", "Record type", "Pages", "Source", "As of", "Recorded by", "Recorded at"],
        ([row.council, row.record_type or "all", str(row.pages), row.source, str(row.as_of or ""),
          row.recorded_by, f"{row.recorded_at:%Y-%m-%d %H:%M}"] for row in history),
    ))


@commands.command()
def exclude(
    council: Annotated[str, typer.Argument(help="Council slug from councils.yaml.")],
    pages: Annotated[int, typer.Option("--pages", min=1, help="Pages that need not be digitised.")],
    reason: Annotated[str, typer.Option("--reason", help="past_retention, duplicate or out_of_scope.")],
    note: Annotated[str, typer.Option("--note", help='What, and on whose authority, e.g. "1990s CT files, schedule 4.2".')],
    record_type: Annotated[Optional[str], typer.Option("--type", help="Record type [default: not tied to one].")] = None,
    by: ByOpt = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
) -> None:
    """Record pages a council holds but need not digitise; entries add up and are kept as history."""
    where = Where(config, data_dir)
    settings, ledger = where.settings(), where.ledger()
    exclusion = NewExclusion(council=council, pages=pages, reason=reason, note=note, recorded_by=who(by),
                             record_type=record_type)
    record_exclusion(ledger, settings.councils, settings.classification.record_types, exclusion)
    total = sum(r.pages for r in ledger.exclusions(council=council))
    say(f"{council}: {pages} pages recorded as {reason}; {total} pages in all need no digitisation")


@commands.command()
def survey(
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Write survey.md, survey.csv, forecast.csv and survey.png here [default: <data dir>/reports].", file_okay=False)] = None,
    max_estimate_age_days: Annotated[Optional[int], typer.Option("--max-estimate-age-days", min=1, help="An older estimate 'cannot say' [default: survey.max_estimate_age_days in pipeline.yaml].")] = None,
    window_days: Annotated[Optional[int], typer.Option("--window-days", min=1, help="Forecast rate over this many recent days [default: survey.forecast_window_days].")] = None,
    target_date: Annotated[Optional[datetime], typer.Option("--target-date", formats=["%Y-%m-%d"], help="Show the pages/day needed to finish by this date.")] = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print each council's answer to the FoI survey, the survey's table and forecasts; write them as files."""
    where = Where(config, data_dir)
    settings = where.settings()
    options = settings.pipeline.survey
    result = build_survey(
        settings.councils, where.ledger(),
        max_estimate_age_days=max_estimate_age_days or options.max_estimate_age_days,
        window_days=window_days or options.forecast_window_days,
        target_date=target_date.date() if target_date else None,
    )
    files = asdict(write_survey(result, (out_dir or settings.pipeline.data_dir / "reports").resolve()))
    if as_json:
        print_json({"bands": result.band_summary, "answers": [asdict(a) for a in result.answers],
                    "forecasts": [asdict(f) for f in result.forecasts],
                    "files": {k: str(v) for k, v in files.items()}})
        return
    _print_survey(result)
    for kind, path in files.items():
        say(f"{kind:<13} {path}")


def _print_survey(result: Survey) -> None:
    out.print(table(
        f"FoI survey answers (estimates older than {result.max_estimate_age_days} days cannot say)",
        ["Council", "Can say?", "Band", "%", "Fully digitised?", "Digitised", "Estimate", "Not needed",
         "Outstanding", "Basis, or why not"],
        ([a.council, "yes" if a.can_say else "no", a.band, "" if a.percent is None else f"{a.percent:.1f}",
          "cannot say" if a.fully_digitised is None else ("yes" if a.fully_digitised else "no"),
          str(a.digitised), str(a.estimate_pages or "unknown"), str(a.not_needed), _or_unknown(a.outstanding),
          a.reason] for a in result.answers),
    ))
    say("Councils per band: " + ", ".join(f"{b}: {n}" for b, n in result.band_summary.items()))
    out.print(table(
        f"Forecast (pages/day over the last {result.window_days} days"
        + (f"; target {result.target_date})" if result.target_date else ")"),
        ["Council", "Record type", "Outstanding", "Pages/day", "Completion", "Needed/day", "Status"],
        ([f.council, f.record_type, _or_unknown(f.outstanding), f"{f.rate_per_day:g}", str(f.completion or "—"),
          "—" if f.rate_needed is None else f"{f.rate_needed:g}", f.status] for f in result.forecasts),
    ))
