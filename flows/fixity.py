"""The fixity check as a flow: `records.archive.fixity.verify_archive`, with its findings in the UI.

The run publishes a table of the files that do not match the ledger (archive-relative
paths, record ids, what is wrong; no input names, no text) and ends Failed when there is
any. Called directly, a failed check raises `records.errors.FixityCheckFailed`, which carries
the report.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.states import Failed, State

from flows.settings import context_for
from records.archive.fixity import verify_archive as check_archive
from records.errors import FixityCheckFailed

FIXITY_KEY = "fixity-problems"


@flow(name="verify-archive", flow_run_name="fixity-check", log_prints=False)
def verify_archive(config_dir: str | None = None, data_dir: str | None = None) -> dict[str, Any] | State:
    """Recompute the archive's checksums against the ledger; fail the run on any mismatch."""
    context = context_for(config_dir, data_dir)
    report = check_archive(context.archive, context.ledger)
    get_run_logger().info("fixity: %s", report.line())
    create_table_artifact(
        table=[{"problem": p.kind, "archive file": p.path, "record id": p.record_id or ""} for p in report.problems],
        key=FIXITY_KEY, description=f"Fixity check: {report.line()}",
    )
    if report.ok:
        return asdict(report)
    message = f"fixity check failed: {report.line()}; the fixity-problems artifact lists each file"
    return Failed(message=message, data=FixityCheckFailed(message, report))
