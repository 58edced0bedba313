"""The connection to the ledger's database, shared by the modules that read and write it.

Opening a ledger makes a SQLite file private and tunes its connections, then brings the
schema to the newest migration. Every read and write runs in `Database.transaction()`, which
turns a database error into a LedgerError naming its class and driver code: never the SQL's
parameters, which hold file names and text.
"""

from __future__ import annotations

import datetime as dt
import os
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from records.archive.local import FILE_MODE, make_private_dir
from records.errors import LedgerError
from records.ledger.migrate import sqlite_pragmas, upgrade_to_head

Row = TypeVar("Row")


class Database:
    """One engine per ledger URL; thread-safe, as SQLAlchemy's engine is."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database:
            _make_private_file(Path(parsed.database))
        try:
            # hide_parameters: an error's text quotes the SQL, never the values (file names, text).
            self.engine: Engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
            weakref.finalize(self, self.engine.dispose)  # a dropped ledger closes its connections
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            upgrade_to_head(self.engine)
        except SQLAlchemyError as e:
            raise LedgerError(f"cannot open the ledger ({_describe(e)})") from e

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as e:
            raise LedgerError(f"ledger write failed ({_describe(e)})") from e

    def upsert(self, table: Table) -> Any:
        """An INSERT with the dialect's ON CONFLICT clauses (both dialects have them)."""
        return (postgresql if self.is_postgresql else sqlite).insert(table)

    def dispose(self) -> None:
        self.engine.dispose()


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def columns_of(entry: Any) -> dict[str, Any]:
    """A dataclass entry's fields as column values (shallow, unlike dataclasses.asdict)."""
    return {f.name: getattr(entry, f.name) for f in fields(entry)}


def rows_as(row_type: type[Row], rows: Iterable[Any]) -> list[Row]:
    """Result rows as `row_type`, whose fields are named as the selected columns."""
    return [row_type(**row._mapping) for row in rows]


def _describe(error: SQLAlchemyError) -> str:
    """Class and driver error code (SQLITE_BUSY, a PostgreSQL SQLSTATE): never the SQL or its parameters."""
    driver_error = getattr(error, "orig", None)
    code = getattr(driver_error, "sqlite_errorname", None) or getattr(driver_error, "sqlstate", None)
    return f"{type(error).__name__} {code}" if code else type(error).__name__


def _make_private_file(path: Path) -> None:
    """The SQLite file (and so its -wal and -shm companions, which copy its mode) is 0640."""
    make_private_dir(path.parent)
    if not path.exists():
        path.touch(mode=FILE_MODE)
        os.chmod(path, FILE_MODE)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    sqlite_pragmas(dbapi_conn, busy_ms=60_000, synchronous="NORMAL")
