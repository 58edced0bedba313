"""The learned classifier: trains in seconds, scores like scikit-learn, falls back to the rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from records.classify.learned import (
    LabelledText,
    LearnedClassifier,
    LinearModel,
    ModelOptions,
    TermBlock,
    _vectorizer,
    load_classifier,
    load_model,
    save_model,
    train_model,
)
from records.classify.corpus import heldout_texts, training_texts
from records.classify.retrain import score_heldout
from records.classify.rules import Classifier
from records.config import UNCLASSIFIED, Classification, Settings
from records.errors import TrainingError
from samples.generate import generate_texts

TOPICS = {
    "council_tax": ["council tax bill for your home", "band D annual charge and instalments",
                    "single person discount on the bill", "reminder: instalment overdue, pay now"],
    "planning_application": ["planning permission granted for the extension", "application for a new dwelling",
                             "objection to the proposed development", "decision notice with conditions attached"],
    "complaint": ["I want to complain about the missed bins", "we apologise for the delay in replying",
                  "stage two complaint response from the manager", "you may contact the ombudsman"],
}


def _examples(copies: int = 2) -> list[LabelledText]:
    return [
        LabelledText(f"{text}. Letter {n} about {record_type.replace('_', ' ')}.", record_type)
        for record_type, texts in TOPICS.items() for text in texts for n in range(copies)
    ]


@pytest.fixture(scope="module")
def rules(settings: Settings) -> Classifier:
    return Classifier(settings.classification)


def test_tfidf_matches_scikit_learn(rules: Classifier) -> None:
    examples = _examples()
    options = ModelOptions()
    model = train_model(examples, rules, options)
    assert [(b.analyzer, b.low, b.high) for b in model.blocks] == [("word", 1, 2), ("char_wb", 3, 5)]
    for block, spec in zip(model.blocks, options.blocks, strict=True):
        fitted = _vectorizer(spec, options, min_df=1).fit([e.text for e in examples])
        assert tuple(fitted.get_feature_names_out()) == block.terms
        for example in examples:
            text = example.text + " Café naïve"  # accents are stripped as scikit-learn strips them
            columns, weights = block.tfidf(text)
            ours = np.zeros(len(block.terms))
            ours[columns] = weights
            assert np.allclose(ours, fitted.transform([text]).toarray()[0])


def test_learned_classifier_files_clear_text_and_reviews_unfamiliar(rules: Classifier) -> None:
    classifier = LearnedClassifier(rules, train_model(_examples(), rules))
    clear = classifier.classify_text("Council tax bill: band D annual charge, pay by instalments.")
    assert (clear.record_type, clear.needs_review, clear.method) == ("council_tax", False, "learned")
    assert clear.score >= 0.6 and clear.candidates[0][0] == "council_tax"
    vague = classifier.classify_text("Thank you for your letter of last week.")
    assert vague.record_type == UNCLASSIFIED and vague.needs_review
    assert classifier.classify_text("").score == 0.0


def test_learned_classifier_rules_veto_a_contradicted_verdict(rules: Classifier) -> None:
    """A model sure of council tax, a text the rules confidently call planning: a person decides."""
    classes = ("complaint", "council_tax", "planning_application")
    sure_of_council_tax = LinearModel(
        classes=classes, blocks=(TermBlock("word", 1, 1, ("letter",), np.ones(1)),),
        coef=np.zeros((3, 1 + len(rules.record_types))), intercept=np.array([0.0, 6.0, 0.0]),
        rule_types=rules.record_types, rules_fingerprint=rules.fingerprint,
        options=ModelOptions(blocks=(("word", 1, 1),)),
    )
    text = "Town and Country Planning Act 1990. Decision Notice. Application No: 25/01234/HOU."
    assert rules.classify_text(text).record_type == "planning_application"
    result = LearnedClassifier(rules, sure_of_council_tax).classify_text(text)
    assert (result.record_type, result.needs_review) == (UNCLASSIFIED, True)
    assert result.candidates[0][0] == "council_tax" and result.score > 0.9


TAX_NOTICE = "Council Tax Demand Notice under the Local Government Finance Act 1992, valuation band C."


def _fairly_sure_of_council_tax(rules: Classifier) -> LinearModel:
    """A model that gives council tax about 0.71 (below the review threshold) whatever the text."""
    return LinearModel(
        classes=("complaint", "council_tax", "planning_application"),
        blocks=(TermBlock("word", 1, 1, ("letter",), np.ones(1)),),
        coef=np.zeros((3, 1 + len(rules.record_types))), intercept=np.array([0.0, 1.6, 0.0]),
        rule_types=rules.record_types, rules_fingerprint=rules.fingerprint,
        options=ModelOptions(blocks=(("word", 1, 1),)),
    )


def test_learned_classifier_files_a_fairly_sure_verdict_the_rules_agree_with(rules: Classifier) -> None:
    """0.71 is below the review threshold: filed when the rules confidently name the same type,
    reviewed when they name none, or when agreement is turned off."""
    model = _fairly_sure_of_council_tax(rules)
    assert rules.classify_text(TAX_NOTICE).record_type == "council_tax"
    agreed = LearnedClassifier(rules, model).classify_text(TAX_NOTICE)
    assert (agreed.record_type, agreed.needs_review) == ("council_tax", False) and 0.5 < agreed.score < 0.9
    alone = LearnedClassifier(rules, model).classify_text("Thank you for your letter of last week.")
    assert (alone.record_type, alone.needs_review) == (UNCLASSIFIED, True)
    off = LearnedClassifier(rules, model, agree_threshold=None).classify_text(TAX_NOTICE)
    assert (off.record_type, off.needs_review) == (UNCLASSIFIED, True)


def _rules_verdict(classifier: LearnedClassifier) -> tuple[str, bool, str]:
    """(record type, needs review, method) for a text the rules file as council tax."""
    verdict = classifier.classify_text(TAX_NOTICE)
    return verdict.record_type, verdict.needs_review, verdict.method


def test_no_model_means_rules_only(rules: Classifier, tmp_path: Path) -> None:
    classifier = load_classifier(rules, tmp_path / "missing.npz")
    assert classifier.model is None
    assert _rules_verdict(classifier) == ("council_tax", False, "rules")
    assert classifier.classify_text(TAX_NOTICE) == rules.classify_text(TAX_NOTICE)


def test_saved_model_loads_without_pickle_and_scores_the_same(rules: Classifier, tmp_path: Path) -> None:
    model = train_model(_examples(), rules)
    path = tmp_path / "models" / "model.npz"
    save_model(model, path)
    loaded = load_model(path)
    assert loaded is not None and loaded.classes == model.classes and loaded.meta["examples"] == 24
    assert loaded.version == model.version and loaded.temperature == pytest.approx(model.temperature)
    assert len(loaded.calibrators) == len(model.classes) == 3
    text = "objection to the planning application for a new dwelling"
    assert np.allclose(loaded.probabilities(text, rules), model.probabilities(text, rules), atol=1e-4)
    assert path.stat().st_mode & 0o777 == 0o640


def test_model_trained_on_other_rules_is_not_used(settings: Settings, rules: Classifier, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    save_model(train_model(_examples(), rules), path)
    changed = settings.classification.model_dump()
    changed["record_types"]["complaint"]["rules"][0]["weight"] = 1.5
    other_rules = Classifier(Classification.model_validate(changed))
    ignored = load_classifier(other_rules, path)
    assert ignored.model is None and _rules_verdict(ignored) == ("council_tax", False, "rules")
    used = load_classifier(rules, path).model
    assert used is not None and used.classes == ("complaint", "council_tax", "planning_application")


def test_unreadable_model_falls_back_to_rules(rules: Classifier, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(b"not a model")
    assert load_model(path) is None
    assert _rules_verdict(load_classifier(rules, path)) == ("council_tax", False, "rules")


def test_train_model_refuses_too_few_or_unknown_labels(rules: Classifier) -> None:
    with pytest.raises(TrainingError, match="at least 3"):
        train_model(_examples()[:5], rules)
    with pytest.raises(TrainingError, match="not in record_types.yaml"):
        train_model([*_examples(), LabelledText("allotment tenancy", "allotments")], rules)


ALLOTMENT_LETTERS = [  # written for this test: a council's own record type, four examples
    "Allotment tenancy agreement for plot 14B at Mill Lane allotments. The annual rent is due on 1 October.",
    "Notice to quit your allotment plot: the plot has not been cultivated this season despite two warnings.",
    "Allotment waiting list: you are now fifth on the list for a half plot at Church Road allotments.",
    "Allotment plot inspection: please clear the rubbish and cut back the brambles by the end of the month.",
]


def test_council_own_record_type_learned_from_a_few_examples(settings: Settings) -> None:
    """A council adds a record type with one rule and four examples; the model files it, and the
    held-out real texts are filed as well as without it (one text's difference allowed), none wrong."""
    config = settings.classification.model_dump()
    config["record_types"]["allotments"] = {
        "label": "Allotments", "lgcs": "Property / Allotments", "retention": {"period_years": 6, "trigger": "tenancy end"},
        "rules": [{"pattern": r"allotment", "weight": 2}]}
    rules = Classifier(Classification.model_validate(config))
    generated = [LabelledText(t, y, generated=True) for t, y in generate_texts(3)]
    own = [LabelledText(t, "allotments") for t in ALLOTMENT_LETTERS]
    classifier = LearnedClassifier(rules, train_model([*generated, *training_texts(), *own], rules))
    verdict = classifier.classify_text("Your allotment rent for plot 3 at Station Road is overdue; "
                                       "please pay or the tenancy will end.")
    assert (verdict.record_type, verdict.needs_review) == ("allotments", False)
    assert verdict.model_version == classifier.model.version  # type: ignore[union-attr]
    assert verdict.as_sidecar(needs_review=False)["model_version"] == verdict.model_version
    held_texts = heldout_texts()
    base_rules = Classifier(settings.classification)
    without = score_heldout(LearnedClassifier(base_rules, train_model([*generated, *training_texts()], base_rules)),
                            held_texts)
    held = score_heldout(classifier, held_texts)
    assert held.right >= without.right - 1 / len(held_texts) and held.wrong <= max(without.wrong, 0.03)


def test_calibration_softens_a_model_whose_real_texts_disagree(rules: Classifier) -> None:
    """Out-of-fold mistakes on real texts raise the temperature (less sure); agreement never lowers it below 1."""
    by_temperature = ModelOptions(calibration="temperature")
    clean = train_model(_examples(3), rules, by_temperature)
    assert clean.temperature >= 1.0 and clean.calibrators == ()
    noisy = [LabelledText(e.text, "complaint" if n % 3 == 0 else e.record_type)
             for n, e in enumerate(_examples(3))]
    softened = train_model(noisy, rules, by_temperature)
    assert softened.temperature > 1.5
    text = "council tax bill for your home"
    assert softened.probabilities(text, rules).max() < train_model(noisy, rules, ModelOptions(calibration="none")
                                                                   ).probabilities(text, rules).max()


def test_isotonic_calibration_follows_out_of_fold_accuracy_both_ways(rules: Classifier) -> None:
    """Where the out-of-fold picks were right the isotonic maps make the model surer (a temperature
    may only soften); where a third of the labels disagree, less sure than the raw model."""
    text = "council tax bill for your home"
    raw = ModelOptions(calibration="none")
    clean = train_model(_examples(3), rules)
    assert clean.temperature == 1.0 and len(clean.calibrators) == len(clean.classes)
    assert clean.probabilities(text, rules).max() > train_model(_examples(3), rules, raw).probabilities(text, rules).max()
    assert clean.classes[int(np.argmax(clean.probabilities(text, rules)))] == "council_tax"
    noisy = [LabelledText(e.text, "complaint" if n % 3 == 0 else e.record_type)
             for n, e in enumerate(_examples(3))]
    assert (train_model(noisy, rules).probabilities(text, rules).max()
            < train_model(noisy, rules, raw).probabilities(text, rules).max())


def test_unknown_calibration_is_refused() -> None:
    with pytest.raises(ValueError, match="calibration"):
        ModelOptions(calibration="platt")
