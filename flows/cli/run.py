"""Commands that run the pipeline: check the configuration, run or watch a scan root, verify the archive."""

from __future__ import annotations

import shutil
import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from flows import early_server
from flows.cli.common import ConfigOpt, DataOpt, JsonOpt, Where, command_group, err, out, print_json, say
from flows.cli.figures import print_progress
from records.archive.fixity import FixityReport, verify_archive
from records.errors import ConfigError, ExitCode, QuarantineLimitExceeded
from records.object_store import is_object_url

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "scans"
DEMO_DATA = Path(__file__).resolve().parents[2] / "var" / "demo"

commands = command_group("Run the pipeline.")


@commands.command("validate-config")
def validate_config(config: ConfigOpt = None) -> None:
    """Check the YAML configuration and exit."""
    settings = Where(config).settings()
    out.print(f"configuration ok: {len(settings.councils)} councils, "
              f"{len(settings.classification.record_types)} record types")


def _scan_root(value: str) -> str:
    """A local folder that exists (made absolute), or an object-storage URL as given."""
    if is_object_url(value):
        return value
    if not Path(value).is_dir():
        raise typer.BadParameter(f"Directory '{value}' does not exist.")
    return str(Path(value).resolve())


@commands.command()
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
    where = Where(config, data_dir)
    summary = _run_flow(where, scan_root, council, workers, task_runner)
    _print_summary(summary, as_json)
    print_progress(where, council, as_json)
    if summary["quarantined"]:
        raise typer.Exit(int(ExitCode.quarantined))


@commands.command()
def demo(
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Where the demo keeps its archive and ledger.")] = DEMO_DATA,
    keep: Annotated[bool, typer.Option(help="Keep earlier demo results (a re-run then adds nothing).")] = False,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Documents OCRed in parallel.")] = None,
) -> None:
    """Run the whole pipeline on the committed samples and print the progress table."""
    if not keep and data_dir.exists():
        shutil.rmtree(data_dir)
    started = time.monotonic()
    where = Where(None, data_dir)
    summary = _run_flow(where, str(SAMPLES.resolve()), None, workers)
    _print_summary(summary, False)
    print_progress(where, None, False)
    out.print(f"demo finished in {time.monotonic() - started:.1f}s; archive in {data_dir / 'archive'}")


def _run_flow(where: Where, location: str, council: str | None, workers: int | None,
              task_runner: str = "threads") -> dict[str, Any]:
    from flows.batch import run_scan_root  # imports Prefect

    where.settings()  # a bad configuration fails here, before Prefect starts
    try:
        with _progress_bar() as bar:
            task_id = bar.add_task("records", total=None)
            with early_server.serving():
                return run_scan_root(location, council, where.config_dir, where.data_path, workers, task_runner,
                                     on_progress=lambda done, total: bar.update(task_id, completed=done, total=total))
    except QuarantineLimitExceeded as e:  # the run finished; its summary and exit code say the rest
        err.print(f"[yellow]warning:[/yellow] {e}")
        return e.summary


def _progress_bar() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=True)


def _print_summary(summary: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json({"summary": summary})
        return
    reasons = ", ".join(f"{k}: {v}" for k, v in summary["reasons"].items())
    out.print(
        f"[bold]Batch summary:[/bold] {summary['archived']} archived ({summary['pages']} pages, "
        f"{summary['needs_review']} for review), {summary['already_done']} skipped as already done, "
        f"{summary['quarantined']} quarantined" + (f" ({reasons})" if reasons else "")
    )


@commands.command()
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
        raise ConfigError("PREFECT_API_URL is not set: start scripts/ops-up.sh and export the URL it prints")
    where, already, deployment = Where(config, data_dir), set(), deployment or SWEEP_DEPLOYMENT
    where.settings()
    while True:
        try:
            trigger = poll_once(scan_root.resolve(), already=already, deployment=deployment, council=council,
                                settle_seconds=settle_seconds, config_dir=where.config_dir, data_dir=where.data_path)
        except ObjectNotFound as e:
            raise ConfigError(f"deployment {deployment} not found on {PREFECT_API_URL.value()}: "
                              "run scripts/ops-up.sh to apply prefect.yaml") from e
        if trigger:
            out.print(f"started {trigger.flow_run_name} ({trigger.flow_run_id}) for "
                      f"{len(trigger.folders)} new batch folders: {', '.join(trigger.folders)}")
        if once:
            return
        time.sleep(interval)


@commands.command()
def verify(config: ConfigOpt = None, data_dir: DataOpt = None, as_json: JsonOpt = False) -> None:
    """Recompute the archive's checksums against the ledger: list missing, altered and untracked files."""
    where = Where(config, data_dir)
    ledger, archive = where.ledger(), where.archive()
    report = verify_archive(archive, ledger)
    _print_fixity(report, as_json)
    if not report.ok:
        raise typer.Exit(int(ExitCode.verify_failed))


def _print_fixity(report: FixityReport, as_json: bool) -> None:
    if as_json:
        print_json({"fixity": {**asdict(report), "ok": report.ok}})
        return
    for problem in report.problems:
        say(f"{problem.kind:<11} {problem.path}")
    out.print(f"[bold]Fixity:[/bold] {report.line()}")
