"""What a reviewer sees of a record (evidence, fields, warnings), sending it back for re-scan,
and the search's date filter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from records.archive.local import Archive
from records.classify.review_view import next_to_review, send_for_rescan
from records.classify.rules import Classifier
from records.config import UNCLASSIFIED, Settings
from records.errors import ReviewError, SearchError
from records.ledger import Ledger
from records.reporting.search import search_records
from tests.records.test_search import archive_one

TEXT = "Council Tax Demand Notice 2025/26\nissued under the Local Government Finance Act 1992.\nStage 1 complaint"


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive(tmp_path / "archive")


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")


@pytest.fixture
def doubtful(archive: Archive, ledger: Ledger) -> str:
    archive_one(archive, ledger, "sure", council="kingsmere", text="Stage 1 complaint response")
    return archive_one(archive, ledger, "doubt", council="kingsmere", record_type=UNCLASSIFIED, needs_review=True,
                       score=0.5, candidates=(("council_tax", 0.5), ("complaint", 0.3)), text=TEXT)


def test_evidence_spans_mark_what_each_rule_matched(settings: Settings) -> None:
    rules = Classifier(settings.classification)
    spans = rules.evidence_spans(TEXT)
    marked = {(TEXT[a:b].lower(), t) for a, b, t in spans}
    assert ("council tax demand notice", "council_tax") in marked
    assert ("local government finance act 1992", "council_tax") in marked
    assert all(a < b <= c for (a, b, _), (c, _d, _t) in zip(spans, spans[1:]))  # in order, never overlapping


def test_next_to_review_shows_candidates_and_highlighted_text_of_allowed_councils(
    settings: Settings, archive: Archive, ledger: Ledger, doubtful: str,
) -> None:
    rules = Classifier(settings.classification)
    assert next_to_review(ledger, archive, rules, ["ashbourne"]) is None
    view = next_to_review(ledger, archive, rules, ["kingsmere"])
    assert view is not None and view.row.source_sha256 == doubtful
    assert view.candidates == (("council_tax", 0.5), ("complaint", 0.3)) and view.suggested_type == "council_tax"
    segments = view.pages[0].segments
    assert "".join(s.text for s in segments) == TEXT  # nothing lost or added
    assert any(s.record_type == "council_tax" for s in segments)
    assert next_to_review(ledger, archive, rules, None, after_id=view.row.id) is None


def test_send_for_rescan_takes_the_record_out_of_the_queue_once(ledger: Ledger, doubtful: str) -> None:
    with pytest.raises(ReviewError, match="unknown re-scan reason"):
        send_for_rescan(ledger, doubtful, requested_by="a.clerk", reason="bored")
    send_for_rescan(ledger, doubtful, requested_by="a.clerk", reason="pages_missing")
    assert ledger.review_queue() == []
    [request] = ledger.rescan_requests()
    assert (request.source_sha256, request.reason, request.requested_by) == (doubtful, "pages_missing", "a.clerk")
    assert [(e.event, e.actor) for e in ledger.events(record_prefix=doubtful)][-1] == ("rescan_requested", "a.clerk")
    with pytest.raises(ReviewError, match="not awaiting review"):
        send_for_rescan(ledger, doubtful, requested_by="a.clerk", reason="pages_missing")
    assert sum(c.records for c in ledger.counters()) == 2  # still archived and counted


def test_search_filters_by_archive_date(archive: Archive, ledger: Ledger, doubtful: str) -> None:
    today = dt.datetime.now(dt.timezone.utc).date()
    found = search_records(ledger, archive, "complaint", archived_from=today, archived_to=today)
    assert len(found) == 2 and all(h.archived_at is not None for h in found)
    assert search_records(ledger, archive, "complaint", archived_from=today + dt.timedelta(days=1)) == []
    assert search_records(ledger, archive, "complaint", archived_to=today - dt.timedelta(days=1)) == []
    with pytest.raises(SearchError, match="after"):
        search_records(ledger, archive, "complaint", archived_from=today, archived_to=today - dt.timedelta(days=1))
