"""Full-text search (SQLite FTS5) and the pipeline's indexing step, on real ledgers and archives.

The PostgreSQL path (tsvector + GIN, websearch_to_tsquery) runs against the tests' own server
(tests/postgres.py): skipped locally where its binaries are missing, a failure in CI.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from records.archive.local import Archive, sha256_bytes
from records.config import Settings
from records.context import build_context
from records.errors import SearchError
from records.intake.scan import ScanItem
from records.ledger import ArchivedRecord, KeyFieldRow, Ledger, PageStat, fts5_query
from records.pipeline import process_item
from records.reporting.search import index_missing, index_record, search_records
from tests.conftest import PageMaker


def sha_of(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def archive_one(
    archive: Archive, ledger: Ledger, name: str, *, council: str = "ashbourne", record_type: str = "council_tax",
    text: str = "", pages: int = 1, needs_review: bool = False, score: float = 0.9,
    candidates: tuple[tuple[str, float], ...] = (), indexed: bool = True, confidence: float = 90.0,
) -> str:
    """A record as the pipeline leaves it: files in the archive, a ledger row, optionally indexed."""
    sha = sha_of(name)
    paths = archive.paths_for(council, record_type, sha)
    pdf = archive.root / f"{name}.pdf.src"
    pdf.write_bytes(b"%PDF-1.4 test " + name.encode())
    sidecar: dict[str, Any] = {
        "record_id": sha, "council": council,
        "pages": [{"number": n, "confidence": confidence, "words": 10, "blank": False} for n in range(1, pages + 1)],
        "classification": {"record_type": record_type, "score": score, "needs_review": needs_review,
                           "candidates": [{"record_type": t, "score": s} for t, s in candidates], "method": "rules"},
    }
    archive.store(paths, pdf=pdf, text=text, sidecar=sidecar)
    pdf.unlink()
    ledger.add_record(ArchivedRecord(
        source_sha256=sha, council=council, batch="b1", source_path=f"{council}/b1/{name}.png",
        record_type=record_type, score=score, needs_review=needs_review, pages=pages, words=10, blank_pages=0,
        mean_confidence=confidence, pdf_path=archive.relative(paths.pdf), text_path=archive.relative(paths.text),
        sidecar_path=archive.relative(paths.sidecar), pdf_sha256="0" * 64,
        text_sha256=sha256_bytes(text.encode()), engine="tesseract 5", languages="eng", pipeline_version="test",
        sidecar_sha256=sha256_bytes(paths.sidecar.read_bytes()),
    ))
    if indexed:
        index_record(ledger, sha, text, [PageStat(n, confidence, 10, False) for n in range(1, pages + 1)])
    return sha


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive(tmp_path / "archive")


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("council tax", '"council" "tax"'),
        ('"decision notice" refused', '"decision notice" "refused"'),
        ("25/01234/HOU", '"25/01234/HOU"'),
        ("plan* OR permit", '"plan"* OR "permit"'),
        ('OR tax OR "', '"tax"'),
        ("*** ---", None),
        ("", None),
    ],
)
def test_fts5_query_quotes_every_term(query: str, expected: str | None) -> None:
    assert fts5_query(query) == expected


@pytest.fixture
def three_records(archive: Archive, ledger: Ledger) -> dict[str, str]:
    return {
        "planning": archive_one(archive, ledger, "p", record_type="planning_application", council="kingsmere",
                                text="Decision Notice. Grant of Planning Permission. Application No: 25/01234/HOU."),
        "tax": archive_one(archive, ledger, "t", text="Council Tax Demand Notice. Planning your payments: "
                                                     "instalments on the 1st of each month."),
        "complaint": archive_one(archive, ledger, "c", record_type="complaint",
                                 text="Stage 1 complaint response. We apologise for the missed collection."),
    }


def test_search_ranks_the_best_match_first_with_snippet_and_path(
    archive: Archive, ledger: Ledger, three_records: dict[str, str]
) -> None:
    hits = search_records(ledger, archive, "planning permission")
    assert [h.record_id for h in hits] == [three_records["planning"]]
    [hit] = hits
    assert "[Planning] [Permission]" in hit.snippet
    assert hit.pdf_path == archive.root / "kingsmere" / "planning_application" / f"{hit.record_id}.pdf"
    assert hit.pdf_path.is_file()
    planning_first = search_records(ledger, archive, "planning")
    assert [h.record_id for h in planning_first][0] == three_records["planning"] and len(planning_first) == 2


def test_search_filters_stemming_references_and_or(
    archive: Archive, ledger: Ledger, three_records: dict[str, str]
) -> None:
    assert [h.record_id for h in search_records(ledger, archive, "planning", council="ashbourne")] == [
        three_records["tax"]]
    assert search_records(ledger, archive, "planning", record_type="complaint") == []
    assert [h.record_id for h in search_records(ledger, archive, "apologising")] == [three_records["complaint"]]
    assert [h.record_id for h in search_records(ledger, archive, "25/01234/HOU")] == [three_records["planning"]]
    either = {h.record_id for h in search_records(ledger, archive, "instalments OR apologise")}
    assert either == {three_records["tax"], three_records["complaint"]}
    assert len(search_records(ledger, archive, '"notice grant"')) == 1  # a phrase spans punctuation
    assert search_records(ledger, archive, '"grant notice"') == []
    with pytest.raises(SearchError):
        search_records(ledger, archive, "   ")


def test_index_missing_indexes_records_archived_before_search(archive: Archive, ledger: Ledger) -> None:
    sha = archive_one(archive, ledger, "old", text="Housing Benefit overpayment decision", indexed=False,
                      pages=2, confidence=40.0)
    assert search_records(ledger, archive, "overpayment") == []
    assert index_missing(ledger, archive) == 1
    assert [h.record_id for h in search_records(ledger, archive, "overpayment")] == [sha]
    assert ledger.page_confidence(70.0) == {"ashbourne": (2, 2)}
    assert index_missing(ledger, archive) == 0


def test_process_item_stores_fields_and_indexes_text_without_logging_them(
    data_settings: Settings, make_page: PageMaker, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lines = ["Council Tax reminder for Zebracanary Lodge", "Account CTAX 4012 3456 7",
             "Property postcode SW1A 2AA", "National Insurance number JG 10 30 40 A"]
    page = make_page(lines, name="zebracanary-letter.png")
    folder = tmp_path / "scans" / "ashbourne" / "b1"
    folder.mkdir(parents=True)
    source = page.rename(folder / page.name)
    ctx = build_context(data_settings)
    with caplog.at_level(logging.DEBUG):
        outcome = process_item(ScanItem("ashbourne", "b1", source, "ashbourne/b1/zebracanary-letter.png"), ctx)
    assert outcome.status == "archived"
    row = ctx.ledger.find_records(outcome.record_id)[0]
    sidecar = json.loads((ctx.archive.root / row.sidecar_path).read_text())
    assert sidecar["fields"]["postcodes"] == ["SW1A 2AA"]
    assert sidecar["fields"]["ni_numbers"] == ["******40A"]
    assert sidecar["fields"]["council_tax_refs"] == ["CTAX401234567"]
    assert KeyFieldRow("ni_numbers", "******40A") in ctx.ledger.record_fields(outcome.record_id)
    assert [h.record_id for h in search_records(ctx.ledger, ctx.archive, "zebracanary")] == [outcome.record_id]
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.split(".")[0] in ("records", "ocr", "flows"))
    assert "archived" in ours
    for secret in ("zebracanary", "Zebracanary", "SW1A", "JG 10", "JG103040A", "4012"):
        assert secret not in ours


def test_search_same_contract_on_sqlite_and_postgresql(ledger_url: str, tmp_path: Path) -> None:
    """FTS5 on SQLite; tsvector, GIN and websearch_to_tsquery on a real PostgreSQL server."""
    ledger, archive = Ledger(ledger_url), Archive(tmp_path / "archive")
    try:
        planning = archive_one(archive, ledger, "p", record_type="planning_application", council="kingsmere",
                               text="Decision Notice. Grant of Planning Permission. Application No: 25/01234/HOU.")
        complaint = archive_one(archive, ledger, "c", record_type="complaint",
                                text="Stage 1 complaint response. We apologise for the missed collection.")
        [hit] = search_records(ledger, archive, "planning permission")
        assert hit.record_id == planning and "[Planning]" in hit.snippet and hit.rank >= 0
        assert [h.record_id for h in search_records(ledger, archive, "apologising")] == [complaint]
        assert search_records(ledger, archive, "apologise", council="kingsmere") == []
        assert [h.record_id for h in search_records(ledger, archive, "collection", record_type="complaint")] == [
            complaint]
        assert ledger.unindexed_records() == []
    finally:
        ledger.dispose()
