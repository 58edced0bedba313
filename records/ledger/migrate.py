"""The ledger's schema migrations: Alembic, applied by `Ledger(url)` before first use.

The scripts ship with the package in records/ledger/migrations/: env.py hands over to `run_migrations`
here, and versions/ holds one file per schema change, named ledger_<rev>_<slug>.py (the layer
test allows SQLAlchemy only in records/ledger*). `upgrade_to_head` brings any ledger to the
newest revision: a new one, one made by a release before migrations (revision 0001 adopts it),
or an older one. Several worker processes may start on one ledger at once: the upgrade runs in
a single transaction under a lock, so one of them migrates and the others then find the schema
at head. On PostgreSQL the lock is a transaction-level advisory lock; on SQLite it is BEGIN
EXCLUSIVE on a connection of its own (SQLite's DDL is transactional too).

Changing the schema: edit the tables in records/ledger/schema.py, then, from the repository root,

    export DIGITISE_LEDGER_URL=sqlite:////tmp/scratch-ledger.db
    alembic upgrade head
    alembic revision --autogenerate --rev-id 0002 -m "what changed"

review the new file in records/ledger/migrations/versions/, and run the tests:
tests/records/test_ledger_backends.py fails while the tables and the migrations disagree.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from records.config import load_settings
from records.errors import LedgerError
from records.ledger.schema import RUNTIME_TABLE_PREFIX

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
#: New revision files are named ledger_<rev>_<slug>.py (ConfigParser syntax: %% is one %).
FILE_TEMPLATE = "ledger_%%(rev)s_%%(slug)s"
#: One PostgreSQL advisory lock key for "migrating the ledger", the same in every process.
_PG_LOCK_KEY = int.from_bytes(hashlib.sha256(b"council-digitise ledger migrations").digest()[:8], "big", signed=True)
_LOCK_WAIT_MS = 60_000


def alembic_config() -> Config:
    """Alembic's configuration for the ledger, without an ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", FILE_TEMPLATE)
    config.set_main_option("path_separator", "os")
    return config


@cache
def head_revisions() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(conn: Connection) -> frozenset[str]:
    """The revisions a ledger is at; empty for a new ledger or one made before migrations."""
    return frozenset(MigrationContext.configure(conn).get_current_heads())


def upgrade_to_head(engine: Engine) -> None:
    """Bring the ledger's schema to the newest revision; a no-op (one query) when it is there.

    Raises LedgerError when the ledger is at a revision this release does not know (a newer
    release migrated it) or the lock could not be had in time.
    """
    with engine.connect() as conn:
        if current_revisions(conn) == head_revisions():
            return
    try:
        with locked_connection(engine) as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
    except CommandError as e:
        raise LedgerError(
            "the ledger's schema is at a revision this release does not know; "
            "run a release at least as new as the one that last migrated it"
        ) from e


@contextmanager
def locked_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that no other migrator can be in at the same time.

    Everything done on it commits together when the block ends, or not at all.
    """
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text(f"SET LOCAL lock_timeout = {_LOCK_WAIT_MS}"))
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
            yield conn
    elif engine.dialect.name == "sqlite" and _is_file_database(engine):
        exclusive = _sqlite_exclusive_engine(engine)
        try:
            with exclusive.begin() as conn:
                yield conn
        finally:
            exclusive.dispose()
    else:  # an in-memory SQLite ledger has one user; other databases get no lock
        with engine.begin() as conn:
            yield conn


def _is_file_database(engine: Engine) -> bool:
    database = engine.url.database or ""
    return database not in ("", ":memory:") and "mode=memory" not in str(engine.url.query)


def _sqlite_exclusive_engine(engine: Engine) -> Engine:
    """SQLAlchemy's recipe for real SQLite transactions: the driver's own transaction handling
    is off and every transaction is BEGIN EXCLUSIVE, so DDL is inside it and peers wait."""
    exclusive = create_engine(engine.url, poolclass=NullPool)

    @event.listens_for(exclusive, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        sqlite_pragmas(dbapi_conn, busy_ms=_LOCK_WAIT_MS)

    @event.listens_for(exclusive, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN EXCLUSIVE")

    return exclusive


def sqlite_pragmas(dbapi_conn: Any, *, busy_ms: int, synchronous: str | None = None) -> None:
    """A new SQLite connection's settings: wait up to `busy_ms` for a busy peer, WAL journal.

    Switching a new database to WAL needs it to itself, and SQLite answers "database is
    locked" at once, without waiting, when a peer opening it at the same moment holds a
    lock (its deadlock rule): so the switch is retried until the wait is up.
    """
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        deadline = time.monotonic() + busy_ms / 1000
        while True:
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        if synchronous:
            cursor.execute(f"PRAGMA synchronous={synchronous}")
    finally:
        cursor.close()


def run_migrations(context: EnvironmentContext | ModuleType, metadata: MetaData) -> None:
    """The body of records/ledger/migrations/env.py, for `Ledger(url)` and the alembic command line.

    `Ledger(url)` passes its locked connection in `config.attributes["connection"]`. The command
    line connects to `-x url=...`, $DIGITISE_LEDGER_URL or config/pipeline.yaml's ledger, in
    that order, and takes the same lock.
    """
    options: dict[str, Any] = {
        "target_metadata": metadata,
        "include_name": _include_name(metadata),
        "compare_type": True,
        "render_as_batch": True,  # SQLite alters a table by copying it; batch ops do that
    }
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(context, connection, options)
    elif context.is_offline_mode():
        context.configure(url=_cli_url(context), literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
    else:
        engine = create_engine(_cli_url(context), poolclass=NullPool)
        try:
            with locked_connection(engine) as conn:
                _run(context, conn, options)
        finally:
            engine.dispose()


def _run(context: EnvironmentContext | ModuleType, connection: Connection, options: dict[str, Any]) -> None:
    context.configure(connection=connection, **options)
    with context.begin_transaction():
        context.run_migrations()


def _cli_url(context: EnvironmentContext | ModuleType) -> str:
    return (
        context.get_x_argument(as_dictionary=True).get("url")
        or context.config.get_main_option("sqlalchemy.url")
        or load_settings().pipeline.ledger  # $DIGITISE_LEDGER_URL first, see Pipeline.ledger
    )


def _include_name(metadata: MetaData) -> Any:
    def include_name(name: str | None, type_: str, _parents: Any) -> bool:
        if type_ != "table" or name is None or name in metadata.tables:
            return True
        return not name.startswith(RUNTIME_TABLE_PREFIX)

    return include_name


def schema_differences(engine: Engine, metadata: MetaData) -> list[Any]:
    """What autogenerate would put in a new migration: empty when the tables in `metadata`
    and the ledger's schema (as the migrations made it) agree."""
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": _include_name(metadata), "compare_type": True}
        )
        return list(compare_metadata(context, metadata))
