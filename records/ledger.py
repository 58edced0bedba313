"""The ledger: one row per archived record and exact per-council, per-type counters.

The only module that imports SQLAlchemy. A record's row and its counter increments are
written in one transaction, and the row's unique source hash decides whether the counters
move at all: re-runs, retries and concurrent runs can insert a record at most once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from records.errors import LedgerError

metadata = MetaData()

records_table = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_sha256", String(64), nullable=False, unique=True),
    Column("council", String(64), nullable=False, index=True),
    Column("batch", String(255), nullable=False),
    Column("source_path", String(1024), nullable=False),
    Column("record_type", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("needs_review", Boolean, nullable=False),
    Column("pages", Integer, nullable=False),
    Column("words", Integer, nullable=False),
    Column("blank_pages", Integer, nullable=False),
    Column("mean_confidence", Float, nullable=False),
    Column("pdf_path", String(1024), nullable=False),
    Column("text_path", String(1024), nullable=False),
    Column("sidecar_path", String(1024), nullable=False),
    Column("pdf_sha256", String(64), nullable=False),
    Column("text_sha256", String(64), nullable=False),
    Column("engine", String(128), nullable=False),
    Column("languages", String(64), nullable=False),
    Column("pipeline_version", String(32), nullable=False),
    Column("archived_at", DateTime(timezone=True), nullable=False),
)

counters_table = Table(
    "counters",
    metadata,
    Column("council", String(64), primary_key=True),
    Column("record_type", String(64), primary_key=True),
    Column("records", Integer, nullable=False),
    Column("pages", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

quarantine_table = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("council", String(64), nullable=False, index=True),
    Column("batch", String(255), nullable=False),
    Column("source_path", String(1024), nullable=False),
    Column("source_sha256", String(64), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("stage", String(32), nullable=False),
    Column("error_class", String(128), nullable=False),
    Column("message", String(2000), nullable=False),
    Column("copy_path", String(1024), nullable=True),
    Column("resolved", Boolean, nullable=False, default=False),
    Column("quarantined_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("source_path", "source_sha256", name="uq_quarantine_source"),
)


@dataclass(frozen=True, slots=True)
class ArchivedRecord:
    source_sha256: str
    council: str
    batch: str
    source_path: str
    record_type: str
    score: float
    needs_review: bool
    pages: int
    words: int
    blank_pages: int
    mean_confidence: float
    pdf_path: str
    text_path: str
    sidecar_path: str
    pdf_sha256: str
    text_sha256: str
    engine: str
    languages: str
    pipeline_version: str


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    council: str
    batch: str
    source_path: str
    source_sha256: str
    reason: str
    stage: str
    error_class: str
    message: str
    copy_path: str | None


@dataclass(frozen=True, slots=True)
class Counter:
    council: str
    record_type: str
    records: int
    pages: int


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Ledger:
    """Thread-safe; one instance per process and database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database:
            path = Path(parsed.database)
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
            if not path.exists():
                path.touch(mode=0o640)
        try:
            self.engine: Engine = create_engine(url, pool_pre_ping=True)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            metadata.create_all(self.engine)
        except SQLAlchemyError as e:
            raise LedgerError(f"cannot open the ledger ({type(e).__name__})") from e

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as e:
            raise LedgerError(f"ledger write failed ({type(e).__name__})") from e

    def _insert(self, table: Table) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def is_archived(self, source_sha256: str) -> bool:
        with self._transaction() as conn:
            row = conn.execute(
                select(records_table.c.id).where(records_table.c.source_sha256 == source_sha256)
            ).first()
        return row is not None

    def add_record(self, record: ArchivedRecord) -> bool:
        """Insert the record and move its counters, once. False if it was already there."""
        now = _now()
        with self._transaction() as conn:
            inserted = conn.execute(
                self._insert(records_table)
                .values(**_asdict(record), archived_at=now)
                .on_conflict_do_nothing(index_elements=["source_sha256"])
            ).rowcount
            if inserted != 1:
                return False
            stmt = self._insert(counters_table).values(
                council=record.council, record_type=record.record_type,
                records=1, pages=record.pages, updated_at=now,
            )
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["council", "record_type"],
                    set_={
                        "records": counters_table.c.records + 1,
                        "pages": counters_table.c.pages + stmt.excluded.pages,
                        "updated_at": now,
                    },
                )
            )
            conn.execute(
                update(quarantine_table)
                .where(quarantine_table.c.source_sha256 == record.source_sha256)
                .values(resolved=True)
            )
        return True

    def add_quarantine(self, entry: QuarantineEntry) -> bool:
        """Record a failed input once per (path, content); False if already recorded."""
        with self._transaction() as conn:
            return conn.execute(
                self._insert(quarantine_table)
                .values(**_asdict(entry), resolved=False, quarantined_at=_now())
                .on_conflict_do_nothing(index_elements=["source_path", "source_sha256"])
            ).rowcount == 1

    def counters(self) -> list[Counter]:
        with self._transaction() as conn:
            rows = conn.execute(
                select(counters_table.c.council, counters_table.c.record_type,
                       counters_table.c.records, counters_table.c.pages)
                .order_by(counters_table.c.council, counters_table.c.record_type)
            ).all()
        return [Counter(*row) for row in rows]

    def open_failures(self) -> dict[str, int]:
        """Unresolved quarantined inputs per council: 'failed, needs attention'."""
        with self._transaction() as conn:
            rows = conn.execute(
                select(quarantine_table.c.council, func.count())
                .where(quarantine_table.c.resolved.is_(False))
                .group_by(quarantine_table.c.council)
            ).all()
        return {council: count for council, count in rows}

    def quarantine_entries(self, *, include_resolved: bool = False) -> list[dict[str, Any]]:
        query = select(quarantine_table).order_by(quarantine_table.c.id)
        if not include_resolved:
            query = query.where(quarantine_table.c.resolved.is_(False))
        with self._transaction() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def records(self, *, council: str | None = None) -> list[dict[str, Any]]:
        query = select(records_table).order_by(records_table.c.id)
        if council:
            query = query.where(records_table.c.council == council)
        with self._transaction() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def dispose(self) -> None:
        self.engine.dispose()


def _asdict(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
