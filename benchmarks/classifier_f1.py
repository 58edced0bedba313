"""Record-type classification on held-out real texts read from rendered scans: the rules, the old
model, and the learned model with the alternatives it was chosen against.

Usage::

    python -m benchmarks.classifier_f1                  # all tables (first run OCRs 55 scans: ~1-2 min)
    python -m benchmarks.classifier_f1 --json out.json
    python -m benchmarks.classifier_f1 --selection-only # only choose the default by CV on the train split

Test set: the held-out split of samples/real_text/ (published council, ombudsman and public-body
texts, never trained on), each drawn as a scanned page and read by the pipeline's OCR
(benchmarks/_text_scans.py). Training sets: generated letters (samples.generate.generate_texts)
and the corpus's train split. "As filed" means what the pipeline does: a record is filed under
its type when the classifier is sure, else it goes to review as unclassified.

Columns: right = filed under the right type without review (share of all test records); wrong =
filed under a wrong type without review; review = sent to review; top-2 = of those in review, the
share whose true type is among the first two candidates; F1 filed = macro-F1 over the nine types
with a record in review counted as a miss; F1 top = macro-F1 of the first candidate.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from benchmarks._text_scans import ocr_texts
from records.classify.corpus import heldout_texts, training_texts
from records.classify.learned import (
    DEFAULT_AGREE_THRESHOLD,
    DEFAULT_REVIEW_THRESHOLD,
    LabelledText,
    LearnedClassifier,
    ModelOptions,
    train_model,
)
from records.classify.rules import Classifier, RecordClass, TextClassifier
from records.config import UNCLASSIFIED, load_settings
from samples.generate import generate_texts

GOAL = {"right": 0.85, "wrong": 0.03, "f1": 0.85}
#: The model before this benchmark's real texts: character 3-5-grams and rule features, no calibration, threshold 0.6.
OLD = ModelOptions(blocks=(("char_wb", 3, 5),), calibration="none", rule_weight=1.0, c=10.0)
OLD_THRESHOLD = 0.6


@dataclass(frozen=True)
class Candidate:
    name: str
    build: Callable[[Classifier, list[LabelledText]], TextClassifier]
    data: str  # "generated" or "generated+real"


def _learned(options: ModelOptions, threshold: float = DEFAULT_REVIEW_THRESHOLD, veto: bool = True,
             agree: float | None = DEFAULT_AGREE_THRESHOLD) -> Callable[[Classifier, list[LabelledText]], TextClassifier]:
    return lambda rules, examples: LearnedClassifier(rules, train_model(examples, rules, options), threshold,
                                                     rules_veto=veto, agree_threshold=agree)


class SklearnCalibrated:
    """Word + char TF-IDF and logistic regression in scikit-learn's CalibratedClassifierCV (Platt
    scaling per class, 5 folds): the library's calibration, for comparison with the temperature."""

    def __init__(self, examples: list[LabelledText], method: str, threshold: float = DEFAULT_REVIEW_THRESHOLD) -> None:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        features = make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
                              TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2))
        model = CalibratedClassifierCV(LogisticRegression(C=10, max_iter=3000, class_weight="balanced"),
                                       method=method, cv=5)
        self.pipeline = make_pipeline(features, model).fit([e.text for e in examples],
                                                           [e.record_type for e in examples])
        self.threshold = threshold

    def classify_text(self, text: str) -> RecordClass:
        probabilities = self.pipeline.predict_proba([text])[0]
        ranked = sorted(zip(self.pipeline.classes_, probabilities, strict=True), key=lambda kv: -kv[1])
        candidates = tuple((str(t), round(float(p), 3)) for t, p in ranked[:3])
        best, score = candidates[0]
        sure = score >= self.threshold
        return RecordClass(best if sure else UNCLASSIFIED, score, not sure, candidates, "sklearn")


DEFAULT = ModelOptions()
#: Configurations the default is chosen from, by cross-validation on the train split only.
SELECTION = (
    ("isotonic, no rule features", ModelOptions(calibration="isotonic", rule_weight=0.0)),
    ("isotonic, no rule features, C=30", ModelOptions(calibration="isotonic", rule_weight=0.0, c=30.0)),
    ("isotonic, no rule features, C=10", ModelOptions(calibration="isotonic", rule_weight=0.0, c=10.0)),
    ("isotonic, rule features", ModelOptions(calibration="isotonic", rule_weight=1.0)),
    ("isotonic, rule weight 2", ModelOptions(calibration="isotonic", rule_weight=2.0)),
    ("temperature, rule features", ModelOptions(calibration="temperature", rule_weight=1.0)),
    ("uncalibrated, rule features", ModelOptions(calibration="none", rule_weight=1.0)),
)
CV_FOLDS = 3
THRESHOLDS = (0.7, 0.8, 0.9)
#: Whether a verdict the rules confidently agree with is filed from this probability (None: no).
AGREEMENT = (None, DEFAULT_AGREE_THRESHOLD)
WRONG_COST = 5
DEFAULT_NAME = "new: word 1-2 + char 3-5, isotonic, C=100, t=0.9, agree 0.5 [default]"
PREVIOUS = "older default: + rule features, temperature, t=0.7"
LAST = "previous default: C=10, t=0.9, no rules agreement"
CANDIDATES = (
    Candidate("rules alone", lambda rules, _: rules, "none"),
    Candidate("old model (char 3-5, uncalibrated, t=0.6)", _learned(OLD, OLD_THRESHOLD, agree=None), "generated"),
    Candidate("old model config + real train texts", _learned(OLD, OLD_THRESHOLD, agree=None), "generated+real"),
    Candidate(DEFAULT_NAME, _learned(DEFAULT), "generated+real"),
    Candidate(LAST, _learned(replace(DEFAULT, c=10.0), agree=None), "generated+real"),
    Candidate("new without rules agreement", _learned(DEFAULT, agree=None), "generated+real"),
    Candidate("new, trained on generated only", _learned(DEFAULT), "generated"),
    Candidate("new without rules veto", _learned(DEFAULT, veto=False), "generated+real"),
    Candidate("new with rule features", _learned(replace(DEFAULT, rule_weight=1.0)), "generated+real"),
    Candidate("new, review threshold 0.7", _learned(DEFAULT, 0.7), "generated+real"),
    Candidate(PREVIOUS, _learned(replace(DEFAULT, calibration="temperature", rule_weight=1.0, c=10.0), 0.7, agree=None),
              "generated+real"),
    Candidate("new uncalibrated", _learned(replace(DEFAULT, calibration="none")), "generated+real"),
    Candidate("new, word 1-2 only", _learned(replace(DEFAULT, blocks=(("word", 1, 2),))), "generated+real"),
    Candidate("new, char 3-5 only", _learned(replace(DEFAULT, blocks=(("char_wb", 3, 5),))), "generated+real"),
    Candidate("sklearn CalibratedClassifierCV sigmoid, no rules", lambda _, ex: SklearnCalibrated(ex, "sigmoid"),
              "generated+real"),
    Candidate("sklearn CalibratedClassifierCV isotonic, no rules", lambda _, ex: SklearnCalibrated(ex, "isotonic"),
              "generated+real"),
)


def cross_validated(options: ModelOptions, rules: Classifier, generated: list[LabelledText],
                    real: list[LabelledText], thresholds: Sequence[float]
                    ) -> dict[tuple[float, float | None], dict[str, float]]:
    """Scores of one configuration on the train split alone, at each review threshold: folds grouped
    by source document and stratified by type, each fold's real texts scored by a model trained on
    the generated letters and the other folds (its own calibration cross-validated inside that training)."""
    from sklearn.model_selection import StratifiedGroupKFold

    truth = [e.record_type for e in real]
    split = StratifiedGroupKFold(CV_FOLDS, shuffle=True, random_state=0).split(real, truth, [e.group for e in real])
    folds = [(train_model(generated + [real[i] for i in train], rules, options), test) for train, test in split]
    by_threshold = {}
    for threshold in thresholds:
        for agree in AGREEMENT:
            verdicts: dict[int, RecordClass] = {}
            for model, test in folds:
                classifier = LearnedClassifier(rules, model, threshold, agree_threshold=agree)
                verdicts.update((i, classifier.classify_text(real[i].text)) for i in test)
            by_threshold[(threshold, agree)] = scores([verdicts[i] for i in range(len(real))], truth)
    return by_threshold


def cost(s: dict[str, float]) -> float:
    """Records a person must handle, a wrong filing counted five times: the goal allows five times
    as many records in review (15 %) as filed wrongly (3 %)."""
    return s["review"] + WRONG_COST * s["wrong"]


def select_default(rules: Classifier, generated: list[LabelledText], real: list[LabelledText]
                   ) -> tuple[str, float, float | None]:
    """Print each configuration's cross-validated scores on the train split at each review
    threshold; the pick is the least `cost` (the held-out texts play no part)."""
    print(f"Default chosen by {CV_FOLDS}-fold cross-validation on the {len(real)} real train texts (grouped by "
          f"source document; held-out texts unused); cost = review + {WRONG_COST} x wrong:")
    print(f"{'configuration':<36}{'threshold':>10}{'agree':>7}{'right':>7}{'wrong':>7}{'review':>8}{'F1 filed':>9}"
          f"{'cost':>7}")
    cv = {}
    for name, options in SELECTION:
        for (threshold, agree), s in cross_validated(options, rules, generated, real, THRESHOLDS).items():
            cv[(name, threshold, agree)] = s
            print(f"{name:<36}{threshold:>10}{agree or '-':>7}{s['right']:>7.1%}{s['wrong']:>7.1%}{s['review']:>8.1%}"
                  f"{s['f1_filed']:>9.3f}{cost(s):>7.3f}")
    name, threshold, agree = min(cv, key=lambda k: (cost(cv[k]), -cv[k]["f1_filed"]))
    matches = (dict(SELECTION)[name] == DEFAULT and threshold == DEFAULT_REVIEW_THRESHOLD
               and agree == DEFAULT_AGREE_THRESHOLD)
    print(f"selected: {name}, review threshold {threshold}, rules agreement {agree}; the code's default "
          f"(ModelOptions(), DEFAULT_REVIEW_THRESHOLD, DEFAULT_AGREE_THRESHOLD) is "
          f"{'this' if matches else 'NOT this: change it'}\n")
    return name, threshold, agree


def scores(results: Sequence[RecordClass], truth: Sequence[str]) -> dict[str, float]:
    n = len(truth)
    filed = [r.record_type for r in results]
    top = [r.candidates[0][0] if r.candidates else UNCLASSIFIED for r in results]
    review = [(r, y) for r, y in zip(results, truth, strict=True) if r.record_type == UNCLASSIFIED]
    labels = sorted(set(truth))
    return {
        "right": sum(f == y for f, y in zip(filed, truth, strict=True)) / n,
        "wrong": sum(f not in (y, UNCLASSIFIED) for f, y in zip(filed, truth, strict=True)) / n,
        "review": len(review) / n,
        "top2": (sum(y in [t for t, _ in r.candidates[:2]] for r, y in review) / len(review)) if review else 1.0,
        "f1_filed": float(f1_score(truth, filed, labels=labels, average="macro", zero_division=0)),
        "f1_top": float(f1_score(truth, top, labels=labels, average="macro", zero_division=0)),
    }


def confusion(results: Sequence[RecordClass], truth: Sequence[str], types: Sequence[str]) -> str:
    """Rows: true type; columns: filed type, then review."""
    cols = [*types, UNCLASSIFIED]
    short = {t: t[:5] for t in types} | {UNCLASSIFIED: "review"}
    counts = Counter((y, r.record_type) for r, y in zip(results, truth, strict=True))
    lines = [f"{'true type / filed as':<24}" + "".join(f"{short[c]:>7}" for c in cols)]
    for t in types:
        lines.append(f"{t:<24}" + "".join(f"{counts[(t, c)] or '.':>7}" for c in cols))
    return "\n".join(lines)


def reliability(results: Sequence[RecordClass], truth: Sequence[str], edges: Sequence[float] = (0, .5, .7, .8, .9, .95, 1.0001)
                ) -> tuple[str, float]:
    """Per confidence band: records, mean confidence, share whose first candidate is right; and the ECE."""
    conf = np.array([r.candidates[0][1] if r.candidates else 0.0 for r in results])
    right = np.array([bool(r.candidates) and r.candidates[0][0] == y for r, y in zip(results, truth, strict=True)])
    lines, ece = [f"{'confidence':<14}{'records':>8}{'mean conf':>11}{'right':>8}"], 0.0
    for low, high in zip(edges, edges[1:]):
        band = (conf >= low) & (conf < high)
        if band.any():
            ece += band.mean() * abs(conf[band].mean() - right[band].mean())
            lines.append(f"{low:.2f}-{min(high, 1):.2f}   {band.sum():>8}{conf[band].mean():>11.2f}{right[band].mean():>8.2f}")
    return "\n".join(lines), float(ece)


def threshold_sweep(classifier: LearnedClassifier, texts: Sequence[str], truth: Sequence[str]) -> str:
    lines = [f"{'threshold':<12}{'right':>7}{'wrong':>7}{'review':>8}"]
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        s = scores([replace_threshold(classifier, threshold).classify_text(t) for t in texts], truth)
        lines.append(f"{threshold:<12}{s['right']:>7.1%}{s['wrong']:>7.1%}{s['review']:>8.1%}")
    return "\n".join(lines)


def replace_threshold(classifier: LearnedClassifier, threshold: float) -> LearnedClassifier:
    return LearnedClassifier(classifier.rules, classifier.model, threshold, rules_veto=classifier.rules_veto,
                             agree_threshold=classifier.agree_threshold)


def learning_curve(rules: Classifier, generated: list[LabelledText], real: list[LabelledText],
                   texts: Sequence[str], truth: Sequence[str]) -> str:
    """Reviewed labels arriving: the default model trained on generated letters plus the first k
    real train texts (round-robin over types, as a review queue would deliver them)."""
    by_type: dict[str, list[LabelledText]] = {}
    for e in real:
        by_type.setdefault(e.record_type, []).append(e)
    order = [e for group in zip(*[iter(v) for v in by_type.values()], strict=False) for e in group]
    order += [e for e in real if e not in order]
    lines = [f"{'reviewed labels':<18}{'right':>7}{'wrong':>7}{'review':>8}{'F1 filed':>10}{'F1 top':>8}"]
    for k in (0, 9, 27, 54, len(order)):
        classifier = _learned(DEFAULT)(rules, generated + order[:k])
        s = scores([classifier.classify_text(t) for t in texts], truth)
        lines.append(f"{k:<18}{s['right']:>7.1%}{s['wrong']:>7.1%}{s['review']:>8.1%}{s['f1_filed']:>10.3f}{s['f1_top']:>8.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-type", type=int, default=8, help="generated letters per record type")
    parser.add_argument("--json", type=Path, help="write the scores here as JSON")
    parser.add_argument("--selection-only", action="store_true",
                        help="only the cross-validated choice of the default (no held-out text is read)")
    args = parser.parse_args(argv)
    rules = Classifier(load_settings().classification)
    if args.selection_only:
        generated = [LabelledText(t, y, generated=True) for t, y in generate_texts(args.per_type)]
        select_default(rules, generated, training_texts())
        return 0
    held = heldout_texts()
    truth = [h.record_type for h in held]
    started = time.perf_counter()
    read = ocr_texts([h.text for h in held])
    ocr_seconds = time.perf_counter() - started
    generated = [LabelledText(t, y, generated=True) for t, y in generate_texts(args.per_type)]
    real = training_texts()
    data = {"none": [], "generated": generated, "generated+real": generated + real}
    print(f"held-out real texts: {len(held)} ({dict(sorted(Counter(truth).items()))}), read by OCR from rendered "
          f"scans ({ocr_seconds:.0f} s incl. cache); training: {len(generated)} generated letters + "
          f"{len(real)} real train texts")
    print(f"goal: right >= {GOAL['right']:.0%}, wrong <= {GOAL['wrong']:.0%}, macro-F1 >= {GOAL['f1']}\n")
    select_default(rules, generated, real)
    header = f"{'candidate':<56}{'train':>16}{'right':>7}{'wrong':>7}{'review':>8}{'top-2':>7}{'F1 filed':>9}{'F1 top':>8}{'clean F1':>9}{'fit s':>7}"
    print(header)
    results: dict[str, dict[str, Any]] = {}
    fitted: dict[str, TextClassifier] = {}
    read_verdicts: dict[str, list[RecordClass]] = {}
    for c in CANDIDATES:
        t0 = time.perf_counter()
        classifier = c.build(rules, data[c.data])
        fit = time.perf_counter() - t0
        verdicts = [classifier.classify_text(t) for t in read]
        s = scores(verdicts, truth)
        clean = scores([classifier.classify_text(h.text) for h in held], truth)
        results[c.name] = {**s, "clean_f1_filed": clean["f1_filed"], "train": c.data, "fit_seconds": fit}
        fitted[c.name] = classifier
        read_verdicts[c.name] = verdicts
        print(f"{c.name:<56}{c.data:>16}{s['right']:>7.1%}{s['wrong']:>7.1%}{s['review']:>8.1%}{s['top2']:>7.0%}"
              f"{s['f1_filed']:>9.3f}{s['f1_top']:>8.3f}{clean['f1_filed']:>9.3f}{fit:>7.1f}")
    default_name = DEFAULT_NAME
    default = fitted[default_name]
    assert isinstance(default, LearnedClassifier)
    print(f"\nConfusion matrix, {default_name} (OCR text):\n"
          f"{confusion(read_verdicts[default_name], truth, rules.record_types)}")
    for name in (default_name, LAST, PREVIOUS, CANDIDATES[1].name,
                 "sklearn CalibratedClassifierCV isotonic, no rules"):
        table, ece = reliability(read_verdicts[name], truth)
        results[name]["ece"] = ece
        print(f"\nReliability, {name} (first candidate's probability; ECE {ece:.3f}):\n{table}")
    print(f"\nThreshold sweep, {default_name}:\n{threshold_sweep(default, read, truth)}")
    print(f"\nLearning curve: reviewed labels added to the generated letters\n"
          f"{learning_curve(rules, generated, real, read, truth)}")
    s = results[default_name]
    met = s["right"] >= GOAL["right"] and s["wrong"] <= GOAL["wrong"] and s["f1_filed"] >= GOAL["f1"]
    print(f"\ngoal {'met' if met else 'NOT met'} by the default: right {s['right']:.1%}, wrong {s['wrong']:.1%}, "
          f"macro-F1 as filed {s['f1_filed']:.3f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
