"""The real-text corpus: every text has its manifest line, the split is fixed and stratified,
and training never sees a held-out text."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from records.classify.corpus import (
    DEFAULT_ROOT,
    check_disjoint,
    heldout_texts,
    load_corpus,
    training_texts,
)
from records.classify.learned import LabelledText
from records.errors import TrainingError
from samples.real_corpus import FIELDS, Staged, assign_splits, import_staged, licence_of, redact

RECORD_TYPES = {"council_tax", "housing_benefit", "planning_application", "building_control",
                "electoral_registration", "social_care", "business_rates", "foi_request", "complaint"}


def _manifest() -> list[dict[str, str]]:
    with (DEFAULT_ROOT / "manifest.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_corpus_every_text_has_a_complete_manifest_line() -> None:
    rows = _manifest()
    assert tuple(rows[0]) == FIELDS
    on_disk = {(p.parent.name, p.stem) for p in DEFAULT_ROOT.glob("*/*.txt")}
    assert on_disk == {(r["record_type"], r["id"]) for r in rows}
    for row in rows:
        assert row["source"].startswith(("https://", "http://", "github:")) and row["licence"] and row["redaction"]
        assert row["split"] in {"train", "heldout"}


def test_corpus_texts_all_come_from_sources_that_permit_copying() -> None:
    for row in _manifest():
        assert row["licence"] == licence_of(row["source"]), row["id"]


def test_import_refuses_a_source_without_a_licence_before_writing(tmp_path: Path) -> None:
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "complaint.txt").write_text(
        "@@@ govuk_complain-1 github:craigw/govuk-data@abc:data/complain/data.json\nComplain about your council\n"
        "@@@ somecouncil-complaints https://www.example.gov.uk/complaints\nHow to complain\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="no licence"):
        import_staged(staged, tmp_path / "corpus")
    assert not (tmp_path / "corpus").exists()


def test_corpus_covers_every_type_with_a_stratified_heldout_part() -> None:
    corpus = load_corpus()
    per_type = Counter(t.record_type for t in corpus)
    held = Counter(t.record_type for t in corpus if t.split == "heldout")
    assert set(per_type) == RECORD_TYPES and min(per_type.values()) >= 9
    for record_type, n in per_type.items():
        assert 3 <= held[record_type] <= n * 0.45, record_type
    assert sum(len(t.text) for t in corpus) < 500_000


def test_corpus_split_is_reproduced_by_the_split_rule() -> None:
    """Each batch of added texts was split among itself; earlier texts kept theirs."""
    corpus = {t.id: t for t in load_corpus()}
    batches: dict[str, list[Staged]] = {}
    for row in _manifest():
        t = corpus[row["id"]]
        batches.setdefault(row["batch"], []).append(Staged(t.id, t.record_type, "", t.text))
    assert len(batches) >= 2
    for staged in batches.values():
        assert assign_splits(staged) == {e.id: corpus[e.id].split for e in staged}


def test_import_keeps_the_lines_and_splits_of_texts_already_in_the_corpus(tmp_path: Path) -> None:
    staged, root = tmp_path / "staged", tmp_path / "corpus"
    staged.mkdir()
    source = "github:craigw/govuk-data@abc:data/{}/data.json"
    (staged / "council_tax.txt").write_text("".join(
        f"@@@ govuk_guide{n}-1 {source.format(n)}\nCouncil tax guide {n}, call 01246 242436\n" for n in range(6)),
        encoding="utf-8")
    import_staged(staged, root)
    first = (root / "manifest.csv").read_text(encoding="utf-8").splitlines()
    (staged / "council_tax.txt").write_text("".join(
        f"@@@ govuk_more{n}-1 {source.format(n)}\nMore council tax {n}\n" for n in range(3)), encoding="utf-8")
    counts = import_staged(staged, root)
    second = (root / "manifest.csv").read_text(encoding="utf-8").splitlines()
    assert set(first) <= set(second) and len(second) == len(first) + 3 and sum(counts.values()) == 9
    added = [line for line in second if line not in first]
    assert all(line.endswith(",2") for line in added) and all(line.endswith(",1") for line in first[1:])
    assert "[PHONE]" in (root / "council_tax" / "govuk_guide0-1.txt").read_text(encoding="utf-8")


def test_corpus_texts_are_redacted() -> None:
    for text in load_corpus():
        assert redact(text.text)[1] == [], text.id  # nothing left that the redaction would replace


def test_redact_replaces_contact_details_and_case_numbers() -> None:
    text, used = redact("Call 01246 242436 or write to PO Box 227, Erith DA8 9GX, j.doe@example.org; case 22 010 680.")
    assert text == "Call [PHONE] or write to [ADDRESS], Erith [POSTCODE], [EMAIL]; case [CASE-REF]."
    assert set(used) == {"[PHONE]", "[ADDRESS]", "[POSTCODE]", "[EMAIL]", "[CASE-REF]"}


def test_redact_replaces_the_demo_council_numbers_but_not_prices_or_dates() -> None:
    text, used = redact("For urgent help, call 555 111 222 333. The cost is £5.30 per day from 1 April 2014.")
    assert text == "For urgent help, call [PHONE]. The cost is £5.30 per day from 1 April 2014."
    assert used == ["[PHONE]"]


def test_training_texts_never_include_heldout_texts() -> None:
    held = heldout_texts()
    train = training_texts()
    assert held and train
    assert not {t.text for t in held} & {e.text for e in train}
    check_disjoint(train, held)  # the guard training uses passes on the train split


def test_check_disjoint_refuses_a_leaked_heldout_text() -> None:
    held = heldout_texts()
    leaked = LabelledText("  " + held[0].text.upper() + "\n", held[0].record_type)  # reviewed copy, reflowed
    with pytest.raises(TrainingError, match="held-out"):
        check_disjoint([*training_texts(), leaked], held)


def test_load_corpus_reports_a_missing_corpus(tmp_path: Path) -> None:
    with pytest.raises(TrainingError, match="incomplete"):
        load_corpus(tmp_path)
