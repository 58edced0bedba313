"""The review queue: a decision moves files, counters and label together, or not at all; what a
reviewer sees of a record; sending it back for re-scan; the search's date filter."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from records.archive.local import Archive, sha256_file
from records.classify.review import review_queue, reviewed_examples, set_record_type
from records.classify.review_view import next_to_review, send_for_rescan
from records.classify.rules import Classifier
from records.config import UNCLASSIFIED, Settings
from records.errors import LedgerError, ReviewError, SearchError
from records.ledger import Counter, Ledger, TypeChange
from records.reporting.search import search_records
from tests.records.test_search import archive_one, sha_of

TYPES = ("complaint", "council_tax", "planning_application")


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive(tmp_path / "archive")


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")


@pytest.fixture
def doubtful(archive: Archive, ledger: Ledger) -> str:
    archive_one(archive, ledger, "sure", record_type="complaint", pages=1, text="Stage 1 complaint response")
    return archive_one(
        archive, ledger, "doubt", record_type=UNCLASSIFIED, pages=3, needs_review=True, score=0.48,
        candidates=(("complaint", 0.48), ("council_tax", 0.4)), text="We apologise about your council tax bill",
    )


def _counters(ledger: Ledger) -> set[tuple[str, int, int]]:
    return {(c.record_type, c.records, c.pages) for c in ledger.counters()}


def test_review_queue_lists_doubtful_records_with_guesses(archive: Archive, ledger: Ledger, doubtful: str) -> None:
    [item] = review_queue(ledger, archive)
    assert (item.record_id, item.council, item.source_path) == (doubtful, "ashbourne", "ashbourne/b1/doubt.png")
    assert (item.record_type, item.score, item.pages) == (UNCLASSIFIED, 0.48, 3)
    assert item.candidates == (("complaint", 0.48), ("council_tax", 0.4))
    assert review_queue(ledger, archive, council="kingsmere") == []


def test_set_record_type_moves_files_counters_and_keeps_label(archive: Archive, ledger: Ledger, doubtful: str) -> None:
    old = archive.paths_for("ashbourne", UNCLASSIFIED, doubtful)
    assert _counters(ledger) == {("complaint", 1, 1), (UNCLASSIFIED, 1, 3)}
    result = set_record_type(ledger, archive, doubtful[:12], "complaint", reviewed_by="j.smith", record_types=TYPES)
    assert (result.previous_type, result.record_type, result.moved) == (UNCLASSIFIED, "complaint", True)
    new = archive.paths_for("ashbourne", "complaint", doubtful)
    assert all(p.is_file() for p in (new.pdf, new.text, new.sidecar))
    assert not any(p.exists() for p in (old.pdf, old.text, old.sidecar))
    sidecar = json.loads(new.sidecar.read_text())
    assert sidecar["reviews"][-1]["record_type"] == "complaint"
    assert sidecar["reviews"][-1]["reviewed_by"] == "j.smith"
    assert sidecar["classification"]["record_type"] == UNCLASSIFIED, "the machine's verdict stays on record"
    assert _counters(ledger) == {("complaint", 2, 4)}, "old type decremented (and emptied), new incremented"
    row = ledger.find_records(doubtful)[0]
    assert (row.record_type, row.needs_review, row.sidecar_path) == (
        "complaint", False, archive.relative(new.sidecar))
    assert row.sidecar_sha256 == sha256_file(new.sidecar)
    [label] = ledger.review_labels(doubtful)
    assert (label.record_type, label.previous_type) == ("complaint", UNCLASSIFIED)
    assert label.reviewed_by == "j.smith"
    assert review_queue(ledger, archive) == []
    examples = reviewed_examples(ledger, archive)
    assert [(e.text, e.record_type) for e in examples] == [("We apologise about your council tax bill", "complaint")]


def test_set_record_type_same_type_confirms_without_moving(archive: Archive, ledger: Ledger) -> None:
    sha = archive_one(archive, ledger, "blank", record_type="council_tax", pages=2, needs_review=True)
    result = set_record_type(ledger, archive, sha, "council_tax", reviewed_by="a", record_types=TYPES)
    assert not result.moved
    assert _counters(ledger) == {("council_tax", 1, 2)}
    assert ledger.find_records(sha)[0].needs_review is False
    assert len(json.loads(archive.paths_for("ashbourne", "council_tax", sha).sidecar.read_text())["reviews"]) == 1


def test_set_record_type_ledger_failure_leaves_the_old_filing(
    archive: Archive, ledger: Ledger, doubtful: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(_change: TypeChange) -> bool:
        raise LedgerError("ledger write failed (OperationalError)")

    monkeypatch.setattr(ledger, "set_record_type", fail)
    with pytest.raises(LedgerError):
        set_record_type(ledger, archive, doubtful, "council_tax", reviewed_by="a", record_types=TYPES)
    old = archive.paths_for("ashbourne", UNCLASSIFIED, doubtful)
    assert all(p.is_file() for p in (old.pdf, old.text, old.sidecar))
    new = archive.paths_for("ashbourne", "council_tax", doubtful)
    assert not any(p.exists() for p in (new.pdf, new.text, new.sidecar))
    assert _counters(ledger) == {("complaint", 1, 1), (UNCLASSIFIED, 1, 3)}


def test_ledger_set_record_type_applies_once_under_a_race(ledger: Ledger, archive: Archive, doubtful: str) -> None:
    change = TypeChange(doubtful, UNCLASSIFIED, "council_tax", "p", "t", "s", "0" * 64, "a")
    assert ledger.set_record_type(change)
    assert not ledger.set_record_type(change), "the row no longer has the expected type"
    assert _counters(ledger) == {("complaint", 1, 1), ("council_tax", 1, 3)}
    assert [Counter("ashbourne", "complaint", 1, 1), Counter("ashbourne", "council_tax", 1, 3)] == ledger.counters()


def test_set_record_type_rerun_cleans_copies_left_by_a_crash(archive: Archive, ledger: Ledger, doubtful: str) -> None:
    leftover = archive.paths_for("ashbourne", "planning_application", doubtful)
    leftover.sidecar.parent.mkdir(parents=True)
    leftover.pdf.write_bytes(b"copy from an interrupted decision")
    set_record_type(ledger, archive, doubtful, "complaint", reviewed_by="a", record_types=TYPES)
    assert not leftover.pdf.exists()


@pytest.mark.parametrize(
    ("record_id", "record_type", "message"),
    [
        ("zz12", "complaint", "hexadecimal"),
        ("0123456789ab", "complaint", "no archived record"),
        ("", "complaint", "hexadecimal"),
        (sha_of("doubt"), "allotments", "unknown record type"),
    ],
)
def test_set_record_type_refuses_bad_input(
    archive: Archive, ledger: Ledger, doubtful: str, record_id: str, record_type: str, message: str
) -> None:
    with pytest.raises(ReviewError, match=message):
        set_record_type(ledger, archive, record_id, record_type, reviewed_by="a", record_types=TYPES)
    assert _counters(ledger) == {("complaint", 1, 1), (UNCLASSIFIED, 1, 3)}


def test_review_and_estimates_on_sqlite_and_postgresql(ledger_url: str, tmp_path: Path) -> None:
    ledger, archive = Ledger(ledger_url), Archive(tmp_path / "archive")
    try:
        sha = archive_one(archive, ledger, "doubt", record_type=UNCLASSIFIED, pages=3, needs_review=True)
        archive_one(archive, ledger, "sure", record_type="complaint", pages=1)
        set_record_type(ledger, archive, sha, "complaint", reviewed_by="a", record_types=TYPES)
        assert _counters(ledger) == {("complaint", 2, 4)}
        assert [e.record_type for e in reviewed_examples(ledger, archive)] == ["complaint"]
        assert ledger.review_counts() == {}
        assert ledger.page_confidence(95.0) == {"ashbourne": (4, 4)}
        assert [d[1:] for d in ledger.daily_pages()] == [("ashbourne", 4)]
    finally:
        ledger.dispose()


# What a reviewer sees of a record, sending it back for re-scan, and the search's date filter.

TEXT = "Council Tax Demand Notice 2025/26\nissued under the Local Government Finance Act 1992.\nStage 1 complaint"


@pytest.fixture
def kingsmere_doubt(archive: Archive, ledger: Ledger) -> str:
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
    settings: Settings, archive: Archive, ledger: Ledger, kingsmere_doubt: str,
) -> None:
    rules = Classifier(settings.classification)
    assert next_to_review(ledger, archive, rules, ["ashbourne"]) is None
    view = next_to_review(ledger, archive, rules, ["kingsmere"])
    assert view is not None and view.row.source_sha256 == kingsmere_doubt
    assert view.candidates == (("council_tax", 0.5), ("complaint", 0.3)) and view.suggested_type == "council_tax"
    segments = view.pages[0].segments
    assert "".join(s.text for s in segments) == TEXT  # nothing lost or added
    assert any(s.record_type == "council_tax" for s in segments)
    assert next_to_review(ledger, archive, rules, None, after_id=view.row.id) is None


def test_send_for_rescan_takes_the_record_out_of_the_queue_once(ledger: Ledger, kingsmere_doubt: str) -> None:
    with pytest.raises(ReviewError, match="unknown re-scan reason"):
        send_for_rescan(ledger, kingsmere_doubt, requested_by="a.clerk", reason="bored")
    send_for_rescan(ledger, kingsmere_doubt, requested_by="a.clerk", reason="pages_missing")
    assert ledger.review_queue() == []
    [request] = ledger.rescan_requests()
    assert (request.source_sha256, request.reason, request.requested_by) == (kingsmere_doubt, "pages_missing", "a.clerk")
    assert [(e.event, e.actor) for e in ledger.events(record_prefix=kingsmere_doubt)][-1] == ("rescan_requested", "a.clerk")
    with pytest.raises(ReviewError, match="not awaiting review"):
        send_for_rescan(ledger, kingsmere_doubt, requested_by="a.clerk", reason="pages_missing")
    # Still archived, but counted as needing re-scan, not as digitised (the new scan will be a record of its own).
    counters = ledger.counters()
    assert (sum(c.records for c in counters), sum(c.rescan_records for c in counters)) == (1, 1)
    assert ledger.find_records(kingsmere_doubt)[0].rescan_reasons == "pages_missing"


def test_search_filters_by_archive_date(archive: Archive, ledger: Ledger, kingsmere_doubt: str) -> None:
    today = dt.datetime.now(dt.timezone.utc).date()
    found = search_records(ledger, archive, "complaint", archived_from=today, archived_to=today)
    assert len(found) == 2 and all(h.archived_at is not None for h in found)
    assert search_records(ledger, archive, "complaint", archived_from=today + dt.timedelta(days=1)) == []
    assert search_records(ledger, archive, "complaint", archived_to=today - dt.timedelta(days=1)) == []
    with pytest.raises(SearchError, match="after"):
        search_records(ledger, archive, "complaint", archived_from=today, archived_to=today - dt.timedelta(days=1))
