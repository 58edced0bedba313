"""Full-text search over archived records' OCR text, and keeping the index complete.

The SQL (SQLite FTS5, or PostgreSQL tsvector) lives in the ledger; this module decides what a
search returns and how records archived before search existed get indexed. Results carry a
short snippet of OCR text for the person searching: it goes to stdout, never to a log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from records.archive.objects import AnyArchive, require_local_archive
from records.classify.fields import extract_fields
from records.errors import SearchError
from records.ledger import Ledger, PageStat

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500


@dataclass(frozen=True, slots=True)
class SearchHit:
    record_id: str
    council: str
    record_type: str
    rank: float
    snippet: str
    pdf_path: Path
    text_path: Path
    source_path: str
    needs_review: bool
    archived_at: dt.datetime | None = None


def search_records(
    ledger: Ledger, archive: AnyArchive, query: str, *,
    council: str | None = None, record_type: str | None = None, limit: int = 20,
    archived_from: dt.date | None = None, archived_to: dt.date | None = None,
) -> list[SearchHit]:
    """Records matching every word of `query` ("quoted phrases", prefix*, OR), best first;
    archived between `archived_from` and `archived_to` (UTC days, both included) when given."""
    archive = require_local_archive(archive, "search")
    query = query.strip()
    if not query:
        raise SearchError("give some words to search for")
    if len(query) > MAX_QUERY_CHARS:
        raise SearchError(f"a search is at most {MAX_QUERY_CHARS} characters")
    if archived_from and archived_to and archived_from > archived_to:
        raise SearchError("the 'from' date is after the 'to' date")
    rows = ledger.search_text(query, council=council, record_type=record_type, limit=limit,
                              since=_midnight(archived_from), until=_midnight(archived_to, days=1))
    return [
        SearchHit(
            record_id=row.source_sha256, council=row.council, record_type=row.record_type,
            rank=round(float(row.rank), 3), snippet=" ".join(str(row.snippet or "").split()),
            pdf_path=archive.root / row.pdf_path, text_path=archive.root / row.text_path,
            source_path=row.source_path, needs_review=bool(row.needs_review), archived_at=row.archived_at,
        )
        for row in rows
    ]


def _midnight(day: dt.date | None, *, days: int = 0) -> dt.datetime | None:
    """The UTC start of `day` (plus `days`), or None."""
    if day is None:
        return None
    return dt.datetime.combine(day + dt.timedelta(days=days), dt.time(), tzinfo=dt.timezone.utc)


def index_record(ledger: Ledger, record_id: str, text: str, pages: list[PageStat]) -> bool:
    """Extract key fields and index the text of one archived record (idempotent)."""
    fields = extract_fields(text)
    done = ledger.add_record_extras(record_id, text=text, fields=fields.items(), pages=pages)
    if done:
        log.debug("record %s indexed with %d key fields", record_id[:12], fields.count)
    return done


def index_missing(ledger: Ledger, archive: AnyArchive) -> int:
    """Index records the search index lacks (archived before it existed, or interrupted); count them."""
    archive = require_local_archive(archive, "search --reindex")
    done = 0
    for row in ledger.unindexed_records():
        try:
            text = (archive.root / row.text_path).read_text(encoding="utf-8")
        except OSError:
            log.warning("record %s has no readable text in the archive; not indexed", row.source_sha256[:12])
            continue
        done += index_record(ledger, row.source_sha256, text, _sidecar_pages(archive.root / row.sidecar_path))
    return done


def _sidecar_pages(path: Path) -> list[PageStat]:
    try:
        pages = json.loads(path.read_text(encoding="utf-8")).get("pages", [])
        return [PageStat(int(p["number"]), float(p["confidence"]), int(p["words"]), bool(p["blank"])) for p in pages]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []
