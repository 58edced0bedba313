"""The full-text index of archived records' OCR text: SQLite FTS5, or PostgreSQL tsvector + GIN.

Its tables depend on the database, so they are made on first use (schema.py holds their DDL)
rather than by a migration. A record's text is indexed under its `records.id`, in the
transaction that stores its key fields; records archived before search existed, or whose
indexing was interrupted, are listed by `unindexed` for a re-index.
"""

from __future__ import annotations

import re
from typing import Any

import datetime as dt

from sqlalchemy import Boolean, DateTime, Float, Integer, bindparam, column, select, table
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection

from records.ledger._database import Database, rows_as
from records.ledger.rows import RecordRow, SearchRow
from records.ledger.schema import PG_SEARCH_DDL, SQLITE_SEARCH_DDL, records_table

_SQLITE_SEARCH = """
SELECT r.source_sha256, r.council, r.record_type, r.source_path, r.pdf_path, r.text_path,
       r.sidecar_path, r.needs_review, r.archived_at, -bm25(record_text_fts) AS rank,
       snippet(record_text_fts, 0, '[', ']', '…', 14) AS snippet
FROM record_text_fts JOIN records AS r ON r.id = record_text_fts.rowid
WHERE record_text_fts MATCH :q{filters}
ORDER BY bm25(record_text_fts), r.id
LIMIT :limit
"""
_PG_SEARCH = """
SELECT r.source_sha256, r.council, r.record_type, r.source_path, r.pdf_path, r.text_path,
       r.sidecar_path, r.needs_review, r.archived_at, ts_rank_cd(s.document, q) AS rank,
       ts_headline('english', s.body, q,
                   'StartSel=[, StopSel=], MaxWords=20, MinWords=8, MaxFragments=1') AS snippet
FROM record_text_search AS s JOIN records AS r ON r.id = s.record_id,
     websearch_to_tsquery('english', :q) AS q
WHERE s.document @@ q{filters}
ORDER BY rank DESC, r.id
LIMIT :limit
"""
#: The index's record ids, per database: what `unindexed` leaves out.
_SQLITE_INDEXED = select(column("rowid", Integer)).select_from(table("record_text_fts"))
_PG_INDEXED = select(column("record_id", Integer)).select_from(table("record_text_search"))


class SearchIndex:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._ready = False

    def ensure(self) -> None:
        """Create the index's tables if this ledger has none yet (once per process)."""
        if self._ready:
            return
        with self._db.transaction() as conn:
            for statement in PG_SEARCH_DDL if self._db.is_postgresql else SQLITE_SEARCH_DDL:
                conn.execute(sql_text(statement))
        self._ready = True

    @staticmethod
    def index(conn: Connection, record_id: int, body: str) -> None:
        """(Re-)index one record's text, in the caller's transaction; `ensure` first."""
        params = {"id": record_id, "body": body}
        if conn.dialect.name == "postgresql":
            conn.execute(sql_text(
                "INSERT INTO record_text_search (record_id, body, document) "
                "VALUES (:id, :body, to_tsvector('english', :body)) "
                "ON CONFLICT (record_id) DO UPDATE SET body = excluded.body, document = excluded.document"
            ), params)
            return
        conn.execute(sql_text("DELETE FROM record_text_fts WHERE rowid = :id"), params)
        conn.execute(sql_text("INSERT INTO record_text_fts (rowid, body) VALUES (:id, :body)"), params)

    @staticmethod
    def forget(conn: Connection, record_id: int) -> None:
        """Drop one record's text from the index, in the caller's transaction; `ensure` first."""
        params = {"id": record_id}
        if conn.dialect.name == "postgresql":
            conn.execute(sql_text("DELETE FROM record_text_search WHERE record_id = :id"), params)
        else:
            conn.execute(sql_text("DELETE FROM record_text_fts WHERE rowid = :id"), params)

    def search(
        self, query: str, *, council: str | None = None, record_type: str | None = None, limit: int = 20,
        since: dt.datetime | None = None, until: dt.datetime | None = None,
    ) -> list[SearchRow]:
        """Records whose text matches, best first; archived in [since, until) when given."""
        self.ensure()
        params: dict[str, Any] = {"limit": limit, "council": council, "record_type": record_type,
                                  "since": since, "until": until}
        filters = "".join(
            f" AND r.{name} = :{name}" for name in ("council", "record_type") if params[name] is not None
        ) + (" AND r.archived_at >= :since" if since else "") + (" AND r.archived_at < :until" if until else "")
        if self._db.is_postgresql:
            sql, params["q"] = _PG_SEARCH.format(filters=filters), query
        else:
            match = fts5_query(query)
            if match is None:
                return []
            sql, params["q"] = _SQLITE_SEARCH.format(filters=filters), match
        stamps = [bindparam(n, type_=DateTime(timezone=True)) for n in ("since", "until") if params[n]]
        typed = (sql_text(sql).bindparams(*stamps)  # stored as the column stores them
                 .columns(needs_review=Boolean, rank=Float, archived_at=DateTime(timezone=True)))
        with self._db.transaction() as conn:
            return rows_as(SearchRow, conn.execute(typed, params))

    def unindexed(self) -> list[RecordRow]:
        """Records the index lacks, in record order."""
        self.ensure()
        indexed = _PG_INDEXED if self._db.is_postgresql else _SQLITE_INDEXED
        query = select(records_table).where(records_table.c.id.not_in(indexed)).order_by(records_table.c.id)
        with self._db.transaction() as conn:
            return rows_as(RecordRow, conn.execute(query))


_QUERY_TERM = re.compile(r'"([^"]*)"|(\S+)')


def fts5_query(query: str) -> str | None:
    """A person's search words as a safe FTS5 expression: every word must match, "quoted
    phrases" match in order, a trailing * matches a prefix, OR between words widens the search.
    Each term is quoted, so punctuation such as 25/01234/HOU cannot break the query syntax."""
    parts: list[str] = []
    for phrase, word in _QUERY_TERM.findall(query):
        if word == "OR":
            if parts and parts[-1] != "OR":
                parts.append("OR")
            continue
        raw = phrase if phrase else word
        prefix = not phrase and raw.endswith("*")
        cleaned = raw.rstrip("*").replace('"', " ").strip()
        if any(ch.isalnum() for ch in cleaned):
            parts.append(f'"{cleaned}"' + ("*" if prefix else ""))
    while parts and parts[-1] == "OR":
        parts.pop()
    if parts and parts[0] == "OR":
        parts.pop(0)
    return " ".join(parts) or None
