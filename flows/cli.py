"""The `digitise` command line: validate config, run batches, show progress, run the demo.

Exit codes: 0 ok; 1 unexpected error; 2 usage error; 3 missing tool; 4 bad configuration;
5 ledger or storage error; 10 finished, but some inputs were quarantined; 130 interrupted.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

# The embedded Prefect server needs no telemetry; its heartbeat only adds noise to a CLI run.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from flows.settings import context_for, resolve_settings  # noqa: E402
from ocr import ToolMissingError  # noqa: E402
from records import ALL_TYPES, ExitCode, ProgressRow, RecordError, progress_rows  # noqa: E402

EPILOG = (
    "Exit codes: 0 ok, 1 unexpected error, 2 usage error, 3 missing tool, 4 bad configuration, "
    "5 ledger or storage error, 10 finished with quarantined inputs, 130 interrupted."
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


def _fail(code: ExitCode, message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(int(code))


@app.command("validate-config")
def validate_config(config: ConfigOpt = None) -> None:
    """Check the YAML configuration and exit."""
    try:
        settings = resolve_settings(_str(config))
    except RecordError as e:
        raise _fail(e.exit_code, str(e)) from e
    out.print(f"configuration ok: {len(settings.councils)} councils, "
              f"{len(settings.classification.record_types)} record types")


@app.command()
def run(
    scan_root: Annotated[Path, typer.Argument(help="Folder laid out as <scan root>/<council>/<batch>/<files>.", exists=True, file_okay=False)],
    council: Annotated[Optional[str], typer.Option(help="Process only this council's folder.")] = None,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Documents OCRed in parallel [default: one per core].")] = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """OCR, classify, archive and count every file under SCAN_ROOT, then print progress."""
    summary = _run_flow(scan_root, council, workers, _str(config), _str(data_dir))
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


def _run_flow(scan_root: Path, council: str | None, workers: int | None,
              config_dir: str | None, data_dir: str | None) -> dict[str, Any]:
    from flows.batch import digitise_scan_root, progress_listeners  # imports Prefect: only when needed

    try:
        resolve_settings(config_dir, data_dir)
        with _progress_bar() as bar:
            task_id = bar.add_task("records", total=None)
            progress_listeners.append(lambda done, total: bar.update(task_id, completed=done, total=total))
            try:
                return digitise_scan_root(str(scan_root.resolve()), council, config_dir, data_dir, workers)
            finally:
                progress_listeners.clear()
    except ToolMissingError as e:
        raise _fail(ExitCode.missing_tool, str(e)) from e
    except RecordError as e:
        raise _fail(e.exit_code, str(e)) from e
    except KeyboardInterrupt as e:
        raise _fail(ExitCode.interrupted, "interrupted; re-run the same command to resume") from e


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
    try:
        settings = resolve_settings(config_dir, data_dir)
        ledger = context_for(config_dir, data_dir).ledger
        rows = progress_rows(settings.councils, ledger.counters(), ledger.open_failures(), only=council)
    except RecordError as e:
        raise _fail(e.exit_code, str(e)) from e
    if as_json:
        out.print_json(json.dumps({"progress": [asdict(r) for r in rows]}))
        return
    out.print(_progress_table(rows))


def _progress_table(rows: list[ProgressRow]) -> Table:
    table = Table(title="Digitisation progress (pages digitised / council's estimate)")
    for name, justify in [("Council", "left"), ("Record type", "left"), ("Records", "right"),
                          ("Pages", "right"), ("Estimate", "right"), ("%", "right"),
                          ("FoI band", "left"), ("Failed", "right")]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in rows:
        is_total = r.record_type == ALL_TYPES
        table.add_row(
            f"[bold]{r.council}[/bold]" if is_total else "", r.record_type, str(r.records), str(r.pages),
            str(r.estimate_pages) if r.estimate_pages is not None else "unknown",
            f"{r.percent:.1f}" if r.percent is not None else "unknown", r.band,
            str(r.failed) if is_total else "",
            end_section=False,
        )
    return table


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
