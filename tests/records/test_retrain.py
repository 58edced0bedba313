"""Retraining from review: a better model is put in use and versioned, a worse one is kept out,
too few new labels train nothing, and held-out texts never become training data."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path

import pytest

from records.classify.corpus import check_disjoint, heldout_texts, training_texts
from records.classify.learned import MODEL_FILE, LabelledText, ModelOptions, load_model
from records.classify.retrain import history, retrain, training_set
from records.classify.rules import Classifier
from records.config import Settings
from records.context import build_context
from records.intake.scan import discover
from records.pipeline import process_item
from records.errors import TrainingError
from samples.generate import generate_texts
from tests.conftest import render_lines
from tests.flows.conftest import LETTERS


@pytest.fixture(scope="module")
def rules(settings: Settings) -> Classifier:
    return Classifier(settings.classification)


QUICK = ModelOptions()  # calibrated: uncalibrated probabilities seldom reach the review threshold


@pytest.fixture(scope="module")
def generated() -> list[LabelledText]:
    return [LabelledText(t, y, generated=True) for t, y in generate_texts(3)]


def test_retrain_promotes_then_keeps_out_a_worse_model(rules: Classifier, generated: list[LabelledText],
                                                       tmp_path: Path) -> None:
    first = retrain(rules, tmp_path, generated=generated, reviewed=[], options=QUICK)
    assert first.status == "promoted" and first.new is not None and first.current is not None
    assert first.new.right > first.current.right  # better than the rules alone on held-out texts
    in_use = load_model(tmp_path / MODEL_FILE)
    assert in_use is not None and in_use.version == first.version

    wrong_labels = [LabelledText(e.text, "complaint") for e in training_texts()]  # a careless reviewer
    second = retrain(rules, tmp_path, generated=generated, reviewed=wrong_labels, options=QUICK)
    assert second.status == "kept" and second.version != first.version
    assert load_model(tmp_path / MODEL_FILE).version == first.version  # type: ignore[union-attr]
    assert (tmp_path / "versions" / f"{second.version}.npz").is_file()
    assert [(h["version"], h["promoted"], h["reviewed_labels"]) for h in history(tmp_path)] == [
        (first.version, True, 0), (second.version, False, len(wrong_labels))]

    skipped = retrain(rules, tmp_path, generated=generated, reviewed=wrong_labels, min_new_labels=5)
    assert (skipped.status, skipped.version) == ("skipped", None)
    assert len(history(tmp_path)) == 2


def test_retrain_logs_and_history_carry_no_reviewed_text(rules: Classifier, generated: list[LabelledText],
                                                         tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Reviewed records are citizens' documents: what retraining logs, records in its history and
    returns (the flow's log line, artifact and result) holds counts, scores and versions only."""
    canary = "Quokkavale"
    held = heldout_texts()[0]
    reviewed = [LabelledText(f"Council Tax bill for Ms {canary}, {n} {canary} Lane", "council_tax") for n in range(3)]
    reviewed.append(LabelledText(held.text + "\n", held.record_type))  # left out, with a warning
    with caplog.at_level(logging.DEBUG):
        result = retrain(rules, tmp_path, generated=generated, reviewed=reviewed, options=QUICK)
    assert "held-out evaluation texts" in caplog.text
    told = caplog.text + (tmp_path / "history.jsonl").read_text() + result.line() + json.dumps(asdict(result))
    assert canary.lower() not in told.lower()
    assert held.text.strip().splitlines()[0] not in told


def test_training_set_leaves_out_a_reviewed_copy_of_a_heldout_text(generated: list[LabelledText]) -> None:
    held = heldout_texts()[0]
    reviewed = [LabelledText(held.text + "\n", held.record_type), LabelledText("a reviewed letter", "complaint")]
    examples = training_set(generated, reviewed)
    assert len(examples) == len(generated) + len(training_texts()) + 1
    assert held.text not in {e.text.strip() + "\n" for e in examples}
    with pytest.raises(TrainingError, match="held-out"):
        check_disjoint([*examples, reviewed[0]], heldout_texts())


def test_pipeline_sidecar_names_the_model_version_in_use(rules: Classifier, generated: list[LabelledText],
                                                         data_settings: Settings, tmp_path: Path) -> None:
    promoted = retrain(rules, data_settings.pipeline.data_dir / "models", generated=generated, reviewed=[],
                       options=QUICK)
    batch = tmp_path / "scans" / "ashbourne" / "b1"
    batch.mkdir(parents=True)
    render_lines(LETTERS["council_tax"], size=(1240, 420)).save(batch / "tax.png", dpi=(300, 300))
    context = build_context(data_settings)
    items, _ = discover(tmp_path / "scans", known_councils=data_settings.councils)
    assert [process_item(item, context).status for item in items] == ["archived"]
    [record] = context.ledger.records()
    sidecar = json.loads((data_settings.pipeline.data_dir / "archive" / record.sidecar_path).read_text())
    assert sidecar["classification"]["method"] == "learned"
    assert sidecar["classification"]["model_version"] == promoted.version
