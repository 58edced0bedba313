"""The ledger on SQLite and on a real PostgreSQL server: migrations, and exact counters under
several writer processes at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import sqlite3
import threading
from collections import Counter as Tally
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from records.config import Settings
from records.errors import LedgerError
from records.ledger import ArchivedRecord, Ledger
from records.ledger.migrate import (
    current_revisions,
    head_revisions,
    locked_connection,
    schema_differences,
    sqlite_pragmas,
)
from records.ledger.schema import counters_table, metadata, quarantine_table, records_table
from tests.records.test_progress import _record

WORKERS = 4
PER_WORKER = 50
STRIDE = 17  # worker i inserts records i*STRIDE .. i*STRIDE+49: neighbours overlap by 33


def _numbered(n: int) -> ArchivedRecord:
    sha = hashlib.sha256(f"record {n}".encode()).hexdigest()
    return _record(sha, ("alpha", "beta")[n % 2], ("council_tax", "complaint", "planning")[n % 3], n % 7 + 1)


def _insert_range(url: str, first: int, barrier: Barrier, results: Queue[int | str]) -> None:
    """One worker process: open the ledger together with the others, then add its records.
    Puts how many it inserted, or what went wrong."""
    try:
        barrier.wait(timeout=60)
        ledger = Ledger(url)  # all at once, on a ledger with no tables yet: the migration race
        results.put(sum(ledger.add_record(_numbered(n)) for n in range(first, first + PER_WORKER)))
        ledger.dispose()
    except Exception as error:  # noqa: BLE001 - reported to the test in the parent
        results.put(f"{type(error).__name__}: {error}")
        raise


def test_ledger_schema_matches_models_at_migration_head(ledger_url: str) -> None:
    """Tables added to schema.py must come with a migration (see records/ledger/migrate.py)."""
    ledger = Ledger(ledger_url)
    ledger.search_text("anything")  # makes the full-text tables, which live outside `metadata`
    with ledger.engine.connect() as conn:
        assert current_revisions(conn) == head_revisions()
    assert schema_differences(ledger.engine, metadata) == [], (
        "schema.py's tables and the migrations differ: add a revision with "
        "`alembic revision --autogenerate` (records/ledger/migrate.py says how)"
    )
    ledger.dispose()


def _open_at_once(path: str, barrier: Barrier, results: Queue[str]) -> None:
    """One process opening a new SQLite ledger file at the same moment as its peers."""
    conn = sqlite3.connect(path)
    barrier.wait(timeout=60)
    try:
        sqlite_pragmas(conn, busy_ms=60_000)
        conn.execute("CREATE TABLE IF NOT EXISTS t (x)")
        results.put("ok")
    except sqlite3.OperationalError as error:
        results.put(str(error))
    finally:
        conn.close()


def test_new_sqlite_ledger_opened_by_many_processes_at_once_never_reports_locked(tmp_path: Path) -> None:
    """Switching a new file to WAL is refused at once, without waiting, while a peer holds a
    lock; without a retry about 3 % of such opens failed with "database is locked"."""
    context = multiprocessing.get_context("fork")
    outcomes = []
    for trial in range(20):
        path = str(tmp_path / f"ledger-{trial}.db")
        barrier, results = context.Barrier(6), context.Queue()
        openers = [context.Process(target=_open_at_once, args=(path, barrier, results)) for _ in range(6)]
        for opener in openers:
            opener.start()
        outcomes += [results.get(timeout=60) for _ in openers]
        for opener in openers:
            opener.join(timeout=30)
    assert outcomes == ["ok"] * len(outcomes)


def test_add_record_parallel_processes_count_exactly(ledger_url: str) -> None:
    # Fresh processes, as separate workers are; forked from a server that has imported us once.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    barrier, results = context.Barrier(WORKERS), context.Queue()
    workers = [
        context.Process(target=_insert_range, args=(ledger_url, i * STRIDE, barrier, results))
        for i in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    inserted = [n for n in outcomes if isinstance(n, int)]
    assert len(inserted) == WORKERS, outcomes
    assert [worker.exitcode for worker in workers] == [0] * WORKERS

    distinct = [_numbered(n) for n in range((WORKERS - 1) * STRIDE + PER_WORKER)]
    assert sum(inserted) == len(distinct), "each record inserted by exactly one worker"
    expected_records = Tally((r.council, r.record_type) for r in distinct)
    expected_pages: Tally[tuple[str, str]] = Tally()
    for r in distinct:
        expected_pages[(r.council, r.record_type)] += r.pages
    ledger = Ledger(ledger_url)
    counters = {(c.council, c.record_type): (c.records, c.pages) for c in ledger.counters()}
    assert counters == {key: (expected_records[key], expected_pages[key]) for key in expected_records}
    assert len(ledger.records()) == len(distinct)
    with ledger.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1, "migrated once"
    ledger.dispose()


def test_ledger_migration_waits_while_another_migrator_holds_the_lock(ledger_url: str) -> None:
    engine = create_engine(ledger_url)
    opened: list[Ledger] = []
    opener = threading.Thread(target=lambda: opened.append(Ledger(ledger_url)))
    with locked_connection(engine) as conn:
        conn.execute(text("CREATE TABLE other_migrator (x INTEGER)"))
        opener.start()
        opener.join(timeout=1.0)
        assert opener.is_alive(), "Ledger(url) must wait for the lock, not migrate alongside"
    opener.join(timeout=60)
    [ledger] = opened
    with ledger.engine.connect() as conn:
        assert current_revisions(conn) == head_revisions()
    ledger.dispose()
    engine.dispose()


def test_ledger_failed_migration_leaves_no_trace(ledger_url: str) -> None:
    """A migration is one transaction on both backends: a failure part-way undoes all of it."""
    engine = create_engine(ledger_url)
    with pytest.raises(RuntimeError), locked_connection(engine) as conn:
        conn.execute(text("CREATE TABLE half_done (x INTEGER)"))
        conn.execute(text("CREATE INDEX ix_half_done_x ON half_done (x)"))
        raise RuntimeError("the migration fails here")
    with engine.connect() as conn:
        assert not engine.dialect.has_table(conn, "half_done")
    engine.dispose()


def test_ledger_made_before_migrations_is_adopted(ledger_url: str) -> None:
    """A first-release ledger (create_all, no sidecar_sha256, no alembic_version) keeps its rows."""
    engine = create_engine(ledger_url)
    metadata.create_all(engine, tables=[records_table, counters_table, quarantine_table])
    later = ("sidecar_sha256", "source_file_sha256", "first_page", "last_page", "reference",
             "archive_format", "rescan_pages", "rescan_reasons")  # added by migrations
    with engine.begin() as conn:
        for index in ("ix_records_source_file_sha256", "ix_records_review_queue", "ix_records_archived_at"):
            conn.execute(text(f"DROP INDEX {index}"))  # added by migrations too
        for column in later:
            conn.execute(text(f"ALTER TABLE records DROP COLUMN {column}"))
        for column in ("rescan_records", "rescan_pages"):
            conn.execute(text(f"ALTER TABLE counters DROP COLUMN {column}"))
        old = _record("e" * 64, "alpha", "council_tax", 3)
        columns = {name: getattr(old, name) for name in ArchivedRecord.__slots__ if name not in later}
        conn.execute(records_table.insert().values(**columns, archived_at=dt.datetime.now(dt.timezone.utc)))
    engine.dispose()

    ledger = Ledger(ledger_url)
    [row] = ledger.records()
    assert (row.source_sha256, row.sidecar_sha256) == ("e" * 64, None)
    assert ledger.add_record(_record("f" * 64, "alpha", "council_tax", 2))
    assert schema_differences(ledger.engine, metadata) == []
    ledger.dispose()


def test_ledger_newer_schema_than_release_raises_ledger_error(ledger_url: str) -> None:
    Ledger(ledger_url).dispose()
    engine = create_engine(ledger_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    engine.dispose()
    with pytest.raises(LedgerError, match="revision this release does not know"):
        Ledger(ledger_url)


def test_ledger_url_from_environment_wins_over_config_and_data_dir(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "postgresql+psycopg://digitise@db.example/digitise"
    moved = settings.with_data_dir(tmp_path)
    assert moved.pipeline.ledger == f"sqlite:///{tmp_path / 'ledger.db'}"
    monkeypatch.setenv("DIGITISE_LEDGER_URL", url)
    assert moved.pipeline.ledger == url
    assert settings.pipeline.model_copy(update={"ledger_url": "sqlite:////elsewhere.db"}).ledger == url
