"""The `digitise` command line: run the pipeline, and read and correct what it recorded.

    run.py       validate-config, run, demo, watch, verify
    figures.py   progress, estimate set/list, exclude, report, survey
    archived.py  review (list, set, split, merge, rescan, accept-capture), train, search, audit record/batch
    archival.py  batch signoff/destroyable/evidence, destruction register, disposal due, export bagit
    web.py       serve (the web review station), users add/list
    common.py    options, where a command acts, output helpers, and the one error handler

Exit codes: 0 ok; 1 unexpected error; 2 usage error; 3 missing tool; 4 bad configuration;
5 ledger or storage error; 6 fixity check failed (verify, export bagit); 7 batch not ready for its
paper to be destroyed; 10 finished, but some inputs were
quarantined; 130 interrupted.
"""

from __future__ import annotations

import os
import sys

# The embedded Prefect server needs no telemetry; its heartbeat only adds noise to a CLI run.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from flows.cli import archival, archived, figures, run, web  # noqa: E402
from flows.cli.common import command_group  # noqa: E402

app = command_group(
    "Turn scanned council records into searchable, classified, archived documents, "
    "and report each council's digitisation progress.",
    no_args_is_help=True, add_completion=False,
)
app.add_typer(run.commands)
app.add_typer(figures.commands)
app.add_typer(figures.estimate_app, name="estimate")
app.add_typer(archived.commands)
app.add_typer(archived.review_app, name="review")
app.add_typer(archived.audit_app, name="audit")
app.add_typer(archival.batch_app, name="batch")
app.add_typer(archival.destruction_app, name="destruction")
app.add_typer(archival.disposal_app, name="disposal")
app.add_typer(archival.export_app, name="export")
app.add_typer(web.commands)
app.add_typer(web.users_app, name="users")


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
