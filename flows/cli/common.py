"""What every `digitise` command shares: its options, where it acts, how it prints, how it fails.

Errors are turned into exit codes in one place, `DomainErrorGroup`: a command raises the
domain's own error and never picks an exit code for it.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Optional

import click
import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from flows.settings import context_for, resolve_settings
from ocr import ToolMissingError
from records.config import Settings
from records.archive.objects import AnyArchive
from records.context import archive_for, ledger_for
from records.errors import ExitCode, RecordError
from records.ledger import Ledger
from records.pipeline import PipelineContext

EPILOG = (
    "Exit codes: 0 ok, 1 unexpected error, 2 usage error, 3 missing tool, 4 bad configuration, "
    "5 ledger or storage error, 6 verify (or a bag) found missing or altered files, 7 batch not ready for its "
    "paper to be destroyed, 10 finished with quarantined inputs, "
    "130 interrupted."
)

# Tables are wide: when output is piped or logged, do not squeeze them to 80 columns.
out = Console(width=None if sys.stdout.isatty() else 150)
err = Console(stderr=True)

ConfigOpt = Annotated[Optional[Path], typer.Option("--config", help="Folder with councils.yaml, record_types.yaml, pipeline.yaml [default: config/ or $DIGITISE_CONFIG].")]
DataOpt = Annotated[Optional[Path], typer.Option("--data-dir", help="Keep archive, quarantine, work files and the SQLite ledger here [default: from pipeline.yaml or $DIGITISE_DATA_DIR].")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
ByOpt = Annotated[Optional[str], typer.Option("--by", help="Who decided [default: your login name].")]


class DomainErrorGroup(TyperGroup):
    """The one place where an error becomes a message and an exit code, for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RecordError as e:
            raise fail(e.exit_code, str(e)) from e
        except ToolMissingError as e:
            raise fail(ExitCode.missing_tool, str(e)) from e
        except KeyboardInterrupt as e:
            raise fail(ExitCode.interrupted, "interrupted; re-run the same command to resume") from e


def command_group(help: str, **options: Any) -> typer.Typer:
    """A Typer app whose commands fail through `DomainErrorGroup` and list the exit codes."""
    return typer.Typer(cls=DomainErrorGroup, help=help, epilog=EPILOG, **options)


def fail(code: ExitCode, message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}")
    return typer.Exit(int(code))


@dataclass(frozen=True)
class Where:
    """The configuration and data folder a command acts on: its --config and --data-dir."""

    config: Path | None = None
    data_dir: Path | None = None

    @property
    def config_dir(self) -> str | None:
        return str(self.config.resolve()) if self.config else None

    @property
    def data_path(self) -> str | None:
        return str(self.data_dir.resolve()) if self.data_dir else None

    def settings(self) -> Settings:
        return resolve_settings(self.config_dir, self.data_path)

    def ledger(self) -> Ledger:
        """For commands that only read or write the ledger: no archive opened, no classifier loaded."""
        return ledger_for(self.settings().pipeline.ledger)

    def archive(self) -> AnyArchive:
        """For commands that read the archive and the ledger only: no classifier loaded."""
        return archive_for(self.settings())

    def context(self) -> PipelineContext:
        """The ledger and archive a command acts on, as the batch workers see them."""
        return context_for(self.config_dir, self.data_path)


def who(name: str | None) -> str:
    """Who an operator is, for the audit trail: --by, else the login name."""
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in a bare container
        return "unknown"


def say(text: str) -> None:
    """A line of plain output: file names and record types are printed as they are, never as markup."""
    out.print(text, markup=False, highlight=False)


def print_json(payload: dict[str, Any]) -> None:
    out.print_json(json.dumps(payload, default=str))


Column = str | tuple[str, str]  # a heading, or (heading, "right") for figures


def table(title: str, columns: Sequence[Column], rows: Iterable[Sequence[str]]) -> Table:
    """A Rich table with these headings and rows of cell text."""
    result = Table(title=title)
    for column in columns:
        name, justify = (column, "left") if isinstance(column, str) else column
        result.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        result.add_row(*row)
    return result
