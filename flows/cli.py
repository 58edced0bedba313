"""The `digitise` command line: validate config, run batches, show progress, run the demo.

Exit codes: 0 ok; 1 unexpected error; 2 usage error; 3 missing tool; 4 bad configuration;
5 ledger or storage error; 6 fixity check failed (verify); 10 finished, but some inputs were
quarantined; 130 interrupted.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

# The embedded Prefect server needs no telemetry; its heartbeat only adds noise to a CLI run.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from flows import early_server  # noqa: E402
from flows.settings import context_for, resolve_settings  # noqa: E402
from ocr import ToolMissingError  # noqa: E402
from records.archive.fixity import FixityReport, verify_archive  # noqa: E402
from records.archive.objects import is_object_url  # noqa: E402
from records.classify.learned import examples_from_ground_truth, save_model, train_model  # noqa: E402
from records.classify.review import review_queue, reviewed_examples, set_record_type  # noqa: E402
from records.classify.rules import Classifier  # noqa: E402
from records.config import Settings  # noqa: E402
from records.context import (
    ledger_for,  # noqa: E402
    model_path,  # noqa: E402
)
from records.errors import ExitCode, RecordError  # noqa: E402
from records.ledger import EventRow, Ledger  # noqa: E402
from records.pipeline import PipelineContext  # noqa: E402
from records.reporting.audit import batch_history, describe_event, record_history  # noqa: E402
from records.reporting.inventory import (  # noqa: E402
    current_estimates,
    current_progress,
    record_estimate,
    record_exclusion,
)
from records.reporting.progress import ALL_TYPES, ProgressRow  # noqa: E402
from records.reporting.reports import DEFAULT_MIN_CONFIDENCE, build_report, write_report  # noqa: E402
from records.reporting.search import index_missing, search_records  # noqa: E402
from records.reporting.survey import build_survey, write_survey  # noqa: E402

EPILOG = (
    "Exit codes: 0 ok, 1 unexpected error, 2 usage error, 3 missing tool, 4 bad configuration, "
    "5 ledger or storage error, 6 verify found missing or altered files, 10 finished with quarantined inputs, "
    "130 interrupted."
)
SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "scans"
DEMO_DATA = Path(__file__).resolve().parent.parent / "var" / "demo"

app = typer.Typer(
    help="Turn scanned council records into searchable, classified, archived documents, "
    "and report each council's digitisation progress.",
    epilog=EPILOG, no_args_is_help=True, add_completion=False,
)
# Tables are wide: when output is piped or logged, do not squeeze them to 80 columns.
out = Console(width=None if sys.stdout.isatty() else 150)
err = Console(stderr=True)

ConfigOpt = Annotated[Optional[Path], typer.Option("--config", help="Folder with councils.yaml, record_types.yaml, pipeline.yaml [default: config/ or $DIGITISE_CONFIG].")]
DataOpt = Annotated[Optional[Path], typer.Option("--data-dir", help="Keep archive, quarantine, work files and the SQLite ledger here [default: from pipeline.yaml or $DIGITISE_DATA_DIR].")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]


def _str(path: Path | None) -> str | None:
    return str(path.resolve()) if path else None


def _settings(config: Path | None, data_dir: Path | None) -> Settings:
    return resolve_settings(_str(config), _str(data_dir))


def _context(config: Path | None, data_dir: Path | None) -> PipelineContext:
    """The ledger and archive a command acts on, as the batch workers see them."""
    return context_for(_str(config), _str(data_dir))


def _settings_and_ledger(config: Path | None, data_dir: Path | None) -> tuple[Settings, Ledger]:
    """For commands that only read or write the ledger: no archive opened, no classifier loaded."""
    settings = _settings(config, data_dir)
    return settings, ledger_for(settings.pipeline.ledger)


@contextmanager
def _domain_errors() -> Iterator[None]:
    """A domain error ends the command with its message and its own exit code."""
    try:
        yield
    except RecordError as e:
        raise _fail(e.exit_code, str(e)) from e


def _fail(code: ExitCode, message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(int(code))


@app.command("validate-config")
def validate_config(config: ConfigOpt = None) -> None:
    """Check the YAML configuration and exit."""
    with _domain_errors():
        settings = resolve_settings(_str(config))
    out.print(f"configuration ok: {len(settings.councils)} councils, "
              f"{len(settings.classification.record_types)} record types")


def _scan_root(value: str) -> str:
    """A local folder that exists (made absolute), or an object-storage URL as given."""
    if is_object_url(value):
        return value
    if not Path(value).is_dir():
        raise typer.BadParameter(f"Directory '{value}' does not exist.")
    return str(Path(value).resolve())


@app.command()
def run(
    scan_root: Annotated[str, typer.Argument(
        help="Folder laid out as <scan root>/<council>/<batch>/<files>, or the same layout in object "
        "storage: s3://bucket/prefix (endpoint and credentials from AWS_* variables).",
        callback=_scan_root, metavar="SCAN_ROOT", show_default=False)],
    council: Annotated[Optional[str], typer.Option(help="Process only this council's folder.")] = None,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Documents OCRed in parallel [default: one per core].")] = None,
    task_runner: Annotated[str, typer.Option(help="threads, dask (local multi-process Dask cluster) or tcp://<dask scheduler>.")] = "threads",
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """OCR, classify, archive and count every file under SCAN_ROOT, then print progress."""
    summary = _run_flow(scan_root, council, workers, _str(config), _str(data_dir), task_runner)
    _print_summary(summary, as_json)
    _print_progress(_str(config), _str(data_dir), council, as_json)
    if summary["quarantined"]:
        raise typer.Exit(int(ExitCode.quarantined))


@app.command()
def progress(
    council: Annotated[Optional[str], typer.Option(help="Show only this council.")] = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show digitisation progress per council and record type, from the ledger."""
    _print_progress(_str(config), _str(data_dir), council, as_json)


@app.command()
def verify(config: ConfigOpt = None, data_dir: DataOpt = None, as_json: JsonOpt = False) -> None:
    """Recompute the archive's checksums against the ledger: list missing, altered and untracked files."""
    with _domain_errors():
        context = _context(config, data_dir)
        report = verify_archive(context.archive, context.ledger)
    _print_fixity(report, as_json)
    if not report.ok:
        raise typer.Exit(int(ExitCode.verify_failed))


def _print_fixity(report: FixityReport, as_json: bool) -> None:
    if as_json:
        out.print_json(json.dumps({"fixity": {**asdict(report), "ok": report.ok}}))
        return
    for problem in report.problems:
        out.print(f"{problem.kind:<11} {problem.path}", markup=False, highlight=False)
    out.print(f"[bold]Fixity:[/bold] {report.line()}")


@app.command()
def demo(
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Where the demo keeps its archive and ledger.")] = DEMO_DATA,
    keep: Annotated[bool, typer.Option(help="Keep earlier demo results (a re-run then adds nothing).")] = False,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Documents OCRed in parallel.")] = None,
) -> None:
    """Run the whole pipeline on the committed samples and print the progress table."""
    if not keep and data_dir.exists():
        shutil.rmtree(data_dir)
    started = time.monotonic()
    summary = _run_flow(SAMPLES, None, workers, None, _str(data_dir))
    _print_summary(summary, False)
    _print_progress(None, _str(data_dir), None, False)
    out.print(f"demo finished in {time.monotonic() - started:.1f}s; archive in {data_dir / 'archive'}")


def _run_flow(scan_root: Path | str, council: str | None, workers: int | None,
              config_dir: str | None, data_dir: str | None, task_runner: str = "threads") -> dict[str, Any]:
    from flows.batch import QuarantineLimitExceeded, digitise_scan_root, progress_listeners  # imports Prefect

    try:
        resolve_settings(config_dir, data_dir)
        with _progress_bar() as bar:
            task_id = bar.add_task("records", total=None)
            progress_listeners.append(lambda done, total: bar.update(task_id, completed=done, total=total))
            try:
                location = scan_root if isinstance(scan_root, str) else str(scan_root.resolve())
                with early_server.serving():
                    return digitise_scan_root(location, council, config_dir, data_dir, workers, task_runner)
            finally:
                progress_listeners.clear()
    except QuarantineLimitExceeded as e:  # the run finished; its summary and exit code say the rest
        err.print(f"[yellow]warning:[/yellow] {e}")
        return e.summary
    except ToolMissingError as e:
        raise _fail(ExitCode.missing_tool, str(e)) from e
    except RecordError as e:
        raise _fail(e.exit_code, str(e)) from e
    except KeyboardInterrupt as e:
        raise _fail(ExitCode.interrupted, "interrupted; re-run the same command to resume") from e


@app.command()
def watch(
    scan_root: Annotated[Path, typer.Argument(help="The scan root the sweep deployment runs on.", exists=True, file_okay=False)],
    council: Annotated[Optional[str], typer.Option(help="Watch only this council's folder.")] = None,
    interval: Annotated[float, typer.Option(min=1, help="Seconds between looks at the scan root.")] = 30.0,
    settle_seconds: Annotated[float, typer.Option(min=0, help="A folder counts once nothing in it changed for this long.")] = 120.0,
    deployment: Annotated[Optional[str], typer.Option(help="Deployment to start [default: sweep-new-batches/every-15-minutes].")] = None,
    once: Annotated[bool, typer.Option("--once", help="Look once, start a sweep if needed, and exit.")] = False,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
) -> None:
    """Start the sweep deployment on the Prefect server when a new batch folder appears.

    Needs PREFECT_API_URL (scripts/ops-up.sh prints it) and the worker's ledger: give the same
    --data-dir / DIGITISE_DATA_DIR as the worker has.
    """
    from prefect.exceptions import ObjectNotFound
    from prefect.settings import PREFECT_API_URL

    from flows.watch import SWEEP_DEPLOYMENT, poll_once

    if not PREFECT_API_URL.value():
        raise _fail(ExitCode.bad_config, "PREFECT_API_URL is not set: start scripts/ops-up.sh and export the URL it prints")
    already: set[Any] = set()
    try:
        _settings(config, data_dir)
        while True:
            trigger = poll_once(scan_root.resolve(), already=already, deployment=deployment or SWEEP_DEPLOYMENT,
                                council=council, settle_seconds=settle_seconds,
                                config_dir=_str(config), data_dir=_str(data_dir))
            if trigger:
                out.print(f"started {trigger.flow_run_name} ({trigger.flow_run_id}) for "
                          f"{len(trigger.folders)} new batch folders: {', '.join(trigger.folders)}")
            if once:
                return
            time.sleep(interval)
    except ObjectNotFound as e:
        raise _fail(ExitCode.bad_config, f"deployment {deployment or SWEEP_DEPLOYMENT} not found on "
                    f"{PREFECT_API_URL.value()}: run scripts/ops-up.sh to apply prefect.yaml") from e
    except RecordError as e:
        raise _fail(e.exit_code, str(e)) from e
    except KeyboardInterrupt as e:
        raise _fail(ExitCode.interrupted, "stopped watching") from e


def _progress_bar() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=True)


def _print_summary(summary: dict[str, Any], as_json: bool) -> None:
    if as_json:
        out.print_json(json.dumps({"summary": summary}))
        return
    out.print(
        f"[bold]Batch summary:[/bold] {summary['archived']} archived ({summary['pages']} pages, "
        f"{summary['needs_review']} for review), {summary['already_done']} skipped as already done, "
        f"{summary['quarantined']} quarantined"
        + (f" ({', '.join(f'{k}: {v}' for k, v in summary['reasons'].items())})" if summary["reasons"] else "")
    )


def _print_progress(config_dir: str | None, data_dir: str | None, council: str | None, as_json: bool) -> None:
    with _domain_errors():
        settings = resolve_settings(config_dir, data_dir)
        ledger = context_for(config_dir, data_dir).ledger
        rows = current_progress(settings.councils, ledger, only=council)  # newest estimates, else the YAML
    if as_json:
        out.print_json(json.dumps({"progress": [asdict(r) for r in rows]}))
        return
    out.print(_progress_table(rows))


def _progress_table(rows: list[ProgressRow]) -> Table:
    table = Table(title="Digitisation progress (pages digitised / (council's estimate − not needing digitisation))")
    for name, justify in [("Council", "left"), ("Record type", "left"), ("Records", "right"),
                          ("Pages", "right"), ("Estimate", "right"), ("Not needed", "right"),
                          ("Outstanding", "right"), ("%", "right"), ("FoI band", "left"), ("Failed", "right")]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in rows:
        is_total = r.record_type == ALL_TYPES
        table.add_row(
            f"[bold]{r.council}[/bold]" if is_total else "", r.record_type, str(r.records), str(r.pages),
            str(r.estimate_pages) if r.estimate_pages is not None else "unknown", str(r.not_needed),
            str(r.outstanding) if r.outstanding is not None else "unknown",
            f"{r.percent:.1f}" if r.percent is not None else "unknown", r.band,
            str(r.failed) if is_total else "",
            end_section=False,
        )
    return table


# --- Issue #6: review queue, training, search, reports, inventory estimates -------------------

review_app = typer.Typer(help="Records the classifier was unsure of: list them, and set their type.",
                         epilog=EPILOG, invoke_without_command=True)
estimate_app = typer.Typer(help="Councils' inventory estimates, with history: % digitised divides by the newest.",
                           epilog=EPILOG, no_args_is_help=True)
app.add_typer(review_app, name="review")
app.add_typer(estimate_app, name="estimate")
ByOpt = Annotated[Optional[str], typer.Option("--by", help="Who decided [default: your login name].")]


def _who(name: str | None) -> str:
    """Who an operator is, for the audit trail: --by, else the login name."""
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in a bare container
        return "unknown"


@review_app.callback()
def review(
    ctx: typer.Context,
    council: Annotated[Optional[str], typer.Option(help="List only this council's records.")] = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List records awaiting review: council, file, best guesses with scores, confidence."""
    if ctx.invoked_subcommand is not None:
        return
    with _domain_errors():
        context = _context(config, data_dir)
        items = review_queue(context.ledger, context.archive, council=council)
    if as_json:
        out.print_json(json.dumps({"review": [asdict(i) for i in items]}))
        return
    if not items:
        out.print("no records awaiting review")
        return
    table = Table(title=f"Awaiting review: {len(items)} records (set a type: digitise review set <id> <type>)")
    for name in ("Record id", "Council", "File", "Filed as", "Best guesses (score)", "Confidence", "Pages"):
        table.add_column(name)
    for i in items:
        guesses = ", ".join(f"{t} ({s:.2f})" for t, s in i.candidates) or "none"
        table.add_row(i.record_id[:12], i.council, i.source_path, i.record_type, guesses,
                      f"{i.score:.2f} ({i.method})", f"{i.pages}" + (f", {i.blank_pages} blank" if i.blank_pages else ""))
    out.print(table)


@review_app.command("set")
def review_set(
    record_id: Annotated[str, typer.Argument(help="The record's id as `digitise review` lists it (12+ characters).")],
    record_type: Annotated[str, typer.Argument(help="The record type to file it under (a slug from record_types.yaml).")],
    by: ByOpt = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """File a record under RECORD_TYPE: moves its files, its counters and keeps the label for retraining."""
    with _domain_errors():
        settings = _settings(config, data_dir)
        context = _context(config, data_dir)
        result = set_record_type(context.ledger, context.archive, record_id, record_type, reviewed_by=_who(by),
                                 record_types=settings.classification.record_types)
    if as_json:
        out.print_json(json.dumps({"review": asdict(result)}))
        return
    out.print(f"record {result.record_id[:12]} ({result.council}): {result.previous_type} -> {result.record_type}; "
              f"archived at {result.pdf_path}", markup=False, highlight=False)


@app.command()
def train(
    samples: Annotated[Optional[list[Path]], typer.Option("--samples", help="A samples.generate folder (ground_truth.json); repeatable.", exists=True, file_okay=False)] = None,
    reviewed: Annotated[bool, typer.Option(help="Also learn from records people have reviewed.")] = True,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Train the learned record-type classifier; the next run uses it (without one, the rules alone decide)."""
    started = time.monotonic()
    with _domain_errors():
        settings = _settings(config, data_dir)
        context = _context(config, data_dir)
        examples = [e for folder in samples or [] for e in examples_from_ground_truth(folder)]
        if reviewed:
            examples += reviewed_examples(context.ledger, context.archive)
        model = train_model(examples, Classifier(settings.classification))
        path = model_path(settings)
        save_model(model, path)
    summary = {"model": str(path), "examples": len(examples), "terms": len(model.terms),
               "examples_per_type": model.meta["examples_per_type"], "seconds": round(time.monotonic() - started, 1)}
    if as_json:
        out.print_json(json.dumps({"train": summary}))
        return
    out.print(f"trained on {summary['examples']} labelled records ({summary['terms']} terms) in "
              f"{summary['seconds']}s; saved to {path}", markup=False, highlight=False)
    err.print("note: a model trained on generated letters is near-perfect on more of them and much weaker on "
              "real records; review its low-confidence records and retrain with the labels.")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Words that must all appear; "a phrase"; prefix*; OR.')],
    council: Annotated[Optional[str], typer.Option(help="Only this council's records.")] = None,
    record_type: Annotated[Optional[str], typer.Option("--type", help="Only records of this type.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many results.")] = 20,
    reindex: Annotated[bool, typer.Option("--reindex", help="First index archived records the search index lacks.")] = False,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Full-text search of the archived records' OCR text, best matches first."""
    with _domain_errors():
        context = _context(config, data_dir)
        if reindex:
            err.print(f"indexed {index_missing(context.ledger, context.archive)} records")
        hits = search_records(context.ledger, context.archive, query, council=council, record_type=record_type,
                              limit=limit)
    if as_json:
        out.print_json(json.dumps({"search": [{**asdict(h), "pdf_path": str(h.pdf_path),
                                               "text_path": str(h.text_path)} for h in hits]}))
        return
    if not hits:
        out.print("no matching records")
    for n, h in enumerate(hits, 1):
        out.print(f"{n}. {h.record_id[:12]}  {h.council} / {h.record_type}  rank {h.rank:.2f}"
                  + ("  (awaiting review)" if h.needs_review else ""), markup=False, highlight=False)
        out.print(f"   {h.snippet}", markup=False, highlight=False, soft_wrap=True)
        out.print(f"   {h.pdf_path}", markup=False, highlight=False, soft_wrap=True)


@app.command()
def report(
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Write the report here [default: <data dir>/reports].", file_okay=False)] = None,
    min_confidence: Annotated[float, typer.Option(min=0, max=100, help="Pages below this OCR confidence count as failing.")] = DEFAULT_MIN_CONFIDENCE,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the progress report (CSV, Markdown and a PNG chart) and print the survey summary."""
    with _domain_errors():
        settings, ledger = _settings_and_ledger(config, data_dir)
        result = build_report(settings.councils, ledger, min_confidence=min_confidence)
        files = write_report(result, (out_dir or settings.pipeline.data_dir / "reports").resolve())
    if as_json:
        out.print_json(json.dumps({"report": {k: str(v) for k, v in asdict(files).items()},
                                   "bands": result.band_summary}))
        return
    out.print("Councils per FoI band: " + ", ".join(f"{b}: {n}" for b, n in result.band_summary.items()),
              markup=False, highlight=False)
    for kind, path in asdict(files).items():
        out.print(f"{kind:<10} {path}", markup=False, highlight=False)


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
    with _domain_errors():
        settings, ledger = _settings_and_ledger(config, data_dir)
        record_estimate(ledger, settings.councils, settings.classification.record_types, council=council,
                        pages=pages, source=source, recorded_by=_who(by), record_type=record_type,
                        as_of=as_of.date() if as_of else None, boxes=boxes, linear_metres=linear_metres,
                        units=settings.units_for(council))
        current = current_estimates(settings.councils, ledger.estimates(council=council))[council]
    if record_type:
        out.print(f"{council} {record_type}: {current.by_type[record_type].describe()}", markup=False, highlight=False)
    out.print(f"{council}: progress now rests on {current.describe()}", markup=False, highlight=False)
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
    with _domain_errors():
        settings, ledger = _settings_and_ledger(config, data_dir)
        history = ledger.estimates(council=council)
        current = current_estimates(settings.councils, history)
    if council:
        current = {k: v for k, v in current.items() if k == council}
    if as_json:
        out.print_json(json.dumps({"current": {k: v.describe() for k, v in current.items()},
                                   "history": [asdict(row) for row in history]}, default=str))
        return
    for slug, estimate in current.items():
        out.print(f"{slug}: {estimate.describe()}", markup=False, highlight=False)
    table = Table(title="Estimates recorded with `digitise estimate set` (newest per council and type counts)")
    for name in ("Council", "Record type", "Pages", "Source", "As of", "Recorded by", "Recorded at"):
        table.add_column(name)
    for row in history:
        table.add_row(row.council, row.record_type or "all", str(row.pages), row.source,
                      str(row.as_of or ""), row.recorded_by, f"{row.recorded_at:%Y-%m-%d %H:%M}")
    out.print(table)


# --- Issue #9: exclusions, the survey's answer and forecasts, the audit trail ------------------

audit_app = typer.Typer(help="The audit trail: every state change of a record, or of a batch.",
                        epilog=EPILOG, no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@app.command()
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
    with _domain_errors():
        settings, ledger = _settings_and_ledger(config, data_dir)
        record_exclusion(ledger, settings.councils, settings.classification.record_types, council=council,
                         pages=pages, reason=reason, note=note, recorded_by=_who(by), record_type=record_type)
        total = sum(r.pages for r in ledger.exclusions(council=council))
    out.print(f"{council}: {pages} pages recorded as {reason}; {total} pages in all need no digitisation",
              markup=False, highlight=False)


@app.command()
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
    with _domain_errors():
        settings, ledger = _settings_and_ledger(config, data_dir)
        options = settings.pipeline.survey
        result = build_survey(
            settings.councils, ledger,
            max_estimate_age_days=max_estimate_age_days or options.max_estimate_age_days,
            window_days=window_days or options.forecast_window_days,
            target_date=target_date.date() if target_date else None,
        )
        files = write_survey(result, (out_dir or settings.pipeline.data_dir / "reports").resolve())
    if as_json:
        out.print_json(json.dumps({"bands": result.band_summary, "answers": [asdict(a) for a in result.answers],
                                   "forecasts": [asdict(f) for f in result.forecasts],
                                   "files": {k: str(v) for k, v in asdict(files).items()}}, default=str))
        return
    table = Table(title=f"FoI survey answers (estimates older than {result.max_estimate_age_days} days cannot say)")
    for name in ("Council", "Can say?", "Band", "%", "Fully digitised?", "Digitised", "Estimate", "Not needed",
                 "Outstanding", "Basis, or why not"):
        table.add_column(name)
    for a in result.answers:
        table.add_row(a.council, "yes" if a.can_say else "no", a.band, "" if a.percent is None else f"{a.percent:.1f}",
                      "cannot say" if a.fully_digitised is None else ("yes" if a.fully_digitised else "no"),
                      str(a.digitised), str(a.estimate_pages or "unknown"), str(a.not_needed),
                      "unknown" if a.outstanding is None else str(a.outstanding), a.reason)
    out.print(table)
    out.print("Councils per band: " + ", ".join(f"{b}: {n}" for b, n in result.band_summary.items()),
              markup=False, highlight=False)
    forecast = Table(title=f"Forecast (pages/day over the last {result.window_days} days"
                           + (f"; target {result.target_date})" if result.target_date else ")"))
    for name in ("Council", "Record type", "Outstanding", "Pages/day", "Completion", "Needed/day", "Status"):
        forecast.add_column(name)
    for f in result.forecasts:
        forecast.add_row(f.council, f.record_type, "unknown" if f.outstanding is None else str(f.outstanding),
                         f"{f.rate_per_day:g}", str(f.completion or "—"),
                         "—" if f.rate_needed is None else f"{f.rate_needed:g}", f.status)
    out.print(forecast)
    for kind, path in asdict(files).items():
        out.print(f"{kind:<13} {path}", markup=False, highlight=False)


def _print_events(events: list[EventRow], title: str, as_json: bool) -> None:
    if as_json:
        out.print_json(json.dumps({"events": [asdict(e) for e in events]}, default=str))
        return
    table = Table(title=title)
    for name in ("When (UTC)", "Record", "Council", "Batch", "Event", "By", "Detail"):
        table.add_column(name)
    for e in events:
        table.add_row(f"{e.at:%Y-%m-%d %H:%M:%S}", (e.record_id or "")[:12], e.council, e.batch or "",
                      e.event, e.actor or "", describe_event(e))
    out.print(table)


@audit_app.command("record")
def audit_record(
    record_id: Annotated[str, typer.Argument(help="Record id (source sha256) or its first 6+ characters.")],
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every state change of one record, oldest first."""
    with _domain_errors():
        events = record_history(_settings_and_ledger(config, data_dir)[1], record_id)
    _print_events(events, f"Audit trail of record {record_id}", as_json)


@audit_app.command("batch")
def audit_batch(
    council: Annotated[str, typer.Argument(help="Council slug.")],
    batch: Annotated[str, typer.Argument(help="Batch folder name.")],
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every state change of every record in one batch, oldest first."""
    with _domain_errors():
        events = batch_history(_settings_and_ledger(config, data_dir)[1], council, batch)
    _print_events(events, f"Audit trail of batch {council}/{batch}", as_json)


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
