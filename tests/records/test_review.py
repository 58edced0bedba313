"""The review queue: a decision moves files, counters and label together, or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from records.archive.local import Archive, sha256_file
from records.classify.review import review_queue, reviewed_examples, set_record_type
from records.config import UNCLASSIFIED
from records.errors import LedgerError, ReviewError
from records.ledger import Counter, Ledger, TypeChange
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
