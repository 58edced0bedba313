"""Many workers, one batch, Prefect on PostgreSQL (issue #8, items 3 and 4), on the real stack.

scripts/ops-up.sh starts the Prefect server on a private PostgreSQL cluster and two process
workers (separate processes, standing in for two machines) on the one work pool, each taking
one flow run at a time. One batch is split into two shard runs by the `fan-out` deployment,
and shard 0 is submitted a second time on top: every record must still be OCRed, archived and
counted exactly once, and both workers must have done part of the batch.
"""

from __future__ import annotations

import re
import socket
import time
from collections import Counter
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterKey,
    FlowRunFilter,
    FlowRunFilterParentFlowRunId,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment

from flows.settings import context_for
from flows.shards import SHARD_DEPLOYMENT
from records.intake.selection import shard_of
from tests.conftest import render_lines
from tests.ops.conftest import LETTERS, OpsStack

pytestmark = [pytest.mark.ops, pytest.mark.timeout(180)]  # and OpsStack.remaining() bounds the module

OPS_ENV = {"DIGITISE_PREFECT_DB": "postgres", "DIGITISE_WORKERS": "2", "DIGITISE_WORKER_RUNS": "1"}
MODULE_BUDGET = 150  # seconds: PostgreSQL and server start, 16 pages of OCR, teardown
FAN_OUT = "fan-out/on-demand"
COUNCIL, BATCH, PAGES, SHARDS = "ashbourne", "2026-12-big", 16, 2
WORKER_NAMES = {f"digitise-{socket.gethostname()}", f"digitise-{socket.gethostname()}-2"}
AUDIT_STEPS = ("received", "ocred", "classified", "archived")


def _client() -> SyncPrefectClient:
    return get_client(sync_client=True)


def _wait_final(client: SyncPrefectClient, flow_run_id: UUID, timeout: float) -> FlowRun:
    deadline = time.monotonic() + timeout
    while True:
        run = client.read_flow_run(flow_run_id)
        if run.state and run.state.is_final():
            return run
        assert time.monotonic() < deadline, f"flow run {run.name} still {run.state_name} after {timeout:.0f}s"
        time.sleep(1)


def _done_counts(client: SyncPrefectClient, flow_run_id: UUID, timeout: float) -> tuple[int, int]:
    """(archived, skipped as already done) from a scan-root run's closing log line, which its
    process may send a moment after the run's final state."""
    pattern = re.compile(r"scan root done: (\d+) archived .* (\d+) skipped as already done")
    deadline = time.monotonic() + timeout
    while True:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
        found = [m for log in logs if (m := pattern.search(log.message))]
        if found:
            return int(found[0].group(1)), int(found[0].group(2))
        assert time.monotonic() < deadline, f"no closing log line from flow run {flow_run_id}"
        time.sleep(0.5)


@pytest.fixture(autouse=True)
def _within_budget(ops: OpsStack) -> None:
    ops.remaining()


@pytest.fixture(scope="module")
def big_batch(ops: OpsStack) -> list[str]:
    """One batch of PAGES distinct one-page letters; their paths under the scan root."""
    folder = ops.scan_root / COUNCIL / BATCH
    folder.mkdir(parents=True)
    for n in range(PAGES):
        lines = [*LETTERS["council_tax"][:2], f"Valuation band C. Account CTAX 4012 3456 {n:02d}"]
        render_lines(lines).save(folder / f"page-{n:02d}.png", dpi=(300, 300))
    return sorted(f"{COUNCIL}/{BATCH}/page-{n:02d}.png" for n in range(PAGES))


@pytest.fixture(scope="module")
def sharded(ops: OpsStack, big_batch: list[str]) -> dict[str, list[FlowRun]]:
    """The batch fanned out into SHARDS runs, plus shard 0 once more at the same time."""
    fan_out = run_deployment(FAN_OUT, parameters={"council": COUNCIL, "batch": BATCH, "shards": SHARDS}, timeout=0)
    again = run_deployment(SHARD_DEPLOYMENT, timeout=0, parameters={
        "scan_root": str(ops.scan_root), "council": COUNCIL, "batch": BATCH, "shard": 0, "shards": SHARDS})
    with _client() as client:
        fan_out = _wait_final(client, fan_out.id, timeout=min(60, ops.remaining()))
        shards = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[fan_out.id])))
        finished = [_wait_final(client, run.id, timeout=ops.remaining()) for run in [*shards, again]]
    return {"fan_out": [fan_out], "shards": finished[:-1], "again": finished[-1:]}


def test_ops_up_runs_prefect_server_on_postgresql(ops: OpsStack) -> None:
    pg_dir = ops.env["DIGITISE_PREFECT_PG_DIR"]
    assert (ops.home / "postgres.dir").read_text().strip() == pg_dir
    with _client() as client:
        deployment = client.read_deployment_by_name(SHARD_DEPLOYMENT)
        pool = client.read_work_pool("digitise-local")

    # What the API serves is in the PostgreSQL database, and no SQLite database was made.
    with psycopg.connect(host=pg_dir, user="prefect", dbname="prefect") as conn:
        [(name,)] = conn.execute("SELECT name FROM deployment WHERE id = %s", (deployment.id,)).fetchall()
        [(pools,)] = conn.execute("SELECT count(*) FROM work_pool WHERE id = %s", (pool.id,)).fetchall()
        [(trgm,)] = conn.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'").fetchall()
    assert (name, pools, trgm) == ("on-demand", 1, 1)
    assert not (ops.home / "prefect.db").exists()


def test_two_workers_share_one_batch_and_archive_each_record_once(
    ops: OpsStack, big_batch: list[str], sharded: dict[str, list[FlowRun]]
) -> None:
    [fan_out], shards, [again] = sharded["fan_out"], sharded["shards"], sharded["again"]
    assert {shard_of(path, SHARDS) for path in big_batch} == {0, 1}, "each shard must hold part of the batch"
    assert fan_out.state and fan_out.state.is_completed(), fan_out.state
    assert fan_out.parameters["scan_root"] == str(ops.scan_root)
    assert sorted(run.name for run in shards) == [f"scan-root-{COUNCIL}/{BATCH} shard {k}/{SHARDS}"
                                                  for k in range(SHARDS)]
    for run in [*shards, again]:
        assert run.state and run.state.is_completed(), (run.name, run.state)
    batch_runs = [*shards, again]
    assert {run.labels.get("prefect.worker.name") for run in batch_runs} == WORKER_NAMES, "both workers took part"
    with _client() as client:
        done = [_done_counts(client, run.id, timeout=min(15, ops.remaining())) for run in batch_runs]
    # Shard 0 ran twice: each of its records was archived by one run and skipped by the other.
    in_shard_0 = sum(1 for path in big_batch if shard_of(path, SHARDS) == 0)
    assert (sum(a for a, _ in done), sum(s for _, s in done)) == (PAGES, in_shard_0), done

    ledger = context_for(None, str(ops.data_dir)).ledger
    rows = [r for r in ledger.records(council=COUNCIL) if r.batch == BATCH]
    assert sorted(r.source_path for r in rows) == big_batch, "every page archived, none twice"
    steps = Counter((e.record_id, e.event) for e in ledger.events(council=COUNCIL, batch=BATCH))
    assert steps == Counter({(r.source_sha256, step): 1 for r in rows for step in AUDIT_STEPS})
    counted = {(c.council, c.record_type): (c.records, c.pages) for c in ledger.counters() if c.council == COUNCIL}
    truth = Counter(r.record_type for r in rows)
    assert counted == {(COUNCIL, t): (n, n) for t, n in truth.items()} and sum(truth.values()) == PAGES
    assert ledger.quarantine_entries() == []

    archive = ops.data_dir / "archive" / COUNCIL
    for suffix in ("pdf", "txt", "json"):
        assert len(list(archive.rglob(f"*.{suffix}"))) == PAGES, suffix
    assert not list((ops.data_dir / "archive").rglob(".tmp-*")), "no half-written file left behind"

    with _client() as client:
        progress = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[
            f"progress-{COUNCIL}-{BATCH}-shard-{k}-of-{SHARDS}" for k in range(SHARDS)])))
    assert {a.key: a.data for a in progress} == {
        f"progress-{COUNCIL}-{BATCH}-shard-{k}-of-{SHARDS}": 100 for k in range(SHARDS)}


def test_prefect_database_on_postgresql_holds_the_batch_runs(
    ops: OpsStack, sharded: dict[str, list[FlowRun]]
) -> None:
    ids = [run.id for runs in sharded.values() for run in runs]
    with psycopg.connect(host=ops.env["DIGITISE_PREFECT_PG_DIR"], user="prefect", dbname="prefect") as conn:
        states = dict(conn.execute("SELECT id, state_name FROM flow_run WHERE id = ANY(%s)", (ids,)).fetchall())
    assert states == {run_id: "Completed" for run_id in ids}


def test_on_demand_deployment_with_a_shard_that_does_not_exist_fails(ops: OpsStack, big_batch: list[str]) -> None:
    run = run_deployment(SHARD_DEPLOYMENT, timeout=min(60, ops.remaining()), poll_interval=1, parameters={
        "council": COUNCIL, "batch": BATCH, "shard": SHARDS, "shards": SHARDS})
    assert run.state and run.state.is_failed(), run.state
