"""Macro-F1 of record-type classification on held-out letters: the rules, the learned model, and
the alternatives it was chosen against.

Usage::

    python -m benchmarks.classifier_f1                    # generates 8 per type into a temp folder
    python -m benchmarks.classifier_f1 --data DIR         # DIR holds samples.generate output
    python -m benchmarks.classifier_f1 --data DIR --ocr 30   # also score 30 held-out files OCRed by Tesseract

Four test sets, from easiest to most honest:
1. held-out: a stratified 30% of the generated letters (same templates as training);
2. unseen wording: each record type's letters grouped by template (subject line), one group
   held out per fold, so the test letters use wording the model never saw for their type;
3. OCR: held-out files read by Tesseract, scored by a model trained on the clean text;
4. probe: 18 short texts written for this benchmark in other styles (residents' emails,
   officers' notes, committee reports), not from the generator's templates.

None of these is real council paper. Classifiers trained on template letters score near 1.0
on more template letters and far lower on real documents (0.32-0.43 macro-F1 in the field
notes); only the probe set hints at that gap. Measure on reviewed real records before
trusting any number here.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import ComplementNB
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from records.classify.learned import (
    MIN_EXAMPLES_PER_TYPE,
    LabelledText,
    LearnedClassifier,
    ModelOptions,
    train_model,
)
from records.classify.rules import Classifier
from records.config import UNCLASSIFIED, load_settings

Predict = Callable[[Sequence[str]], list[str]]

#: Written for this benchmark (not copied from any source) in styles the generator does not use.
PROBE: tuple[tuple[str, str], ...] = (
    ("council_tax", "Hi, I moved out of 14 Elm Road on 3 March and I'm still getting bills for the property. "
     "Can you close my account and send me a final statement? I have paid by direct debit every month."),
    ("council_tax", "Reminder: the second instalment due on 1 June has not been received. If £142.00 is not "
     "paid within 7 days the full balance for the year becomes payable and a summons may be issued."),
    ("housing_benefit", "We have reassessed your claim after the change in your earnings reported on 12 May. "
     "Your weekly entitlement towards your rent is now £87.40, paid to your landlord every four weeks."),
    ("housing_benefit", "Please send your last two payslips and a copy of your tenancy agreement so we can work "
     "out how much help with your rent you can get. Without them your claim may be closed."),
    ("planning_application", "Proposal: erection of two-storey side extension and detached garage. The officer "
     "recommends approval subject to conditions on materials and hours of construction. Three neighbours objected."),
    ("planning_application", "I wish to object to the proposed development at the former dairy site. The new houses "
     "would overlook my garden and the access road is too narrow. Please put my comments to the committee."),
    ("building_control", "Inspection record: foundation excavation inspected and found satisfactory, 1.2 m to firm "
     "clay. Builder to give notice before drainage is covered. Next visit: damp proof course."),
    ("building_control", "The loft conversion at your property was carried out without notice. Please let us inspect "
     "the structural timbers, fire doors and escape window so we can consider a regularisation certificate."),
    ("electoral_registration", "Your poll card: the county council election is on Thursday 1 May. Your polling place "
     "is the Methodist Church Hall, open 7am to 10pm. Remember to bring photo ID."),
    ("electoral_registration", "Application for a postal vote. Sign and return this form so your ballot paper can be "
     "sent to your home. Your signature and date of birth will be checked against our records."),
    ("social_care", "Mrs P was visited at home by the reablement team. She needs help washing and dressing each "
     "morning; her daughter helps in the evenings. A homecare package of seven hours a week was agreed."),
    ("social_care", "Referral from the school about a pupil's welfare. Strategy discussion held with police and "
     "health; a child protection enquiry is needed and a home visit will take place within 24 hours."),
    ("business_rates", "Our shop on Market Street has been empty since January while we look for a tenant. Please "
     "confirm whether we qualify for empty property relief on the bill for the unit."),
    ("business_rates", "The valuation of the warehouse was reduced on appeal. A revised bill is enclosed for the "
     "current year with a credit for the overpaid charges, which will be refunded to your account."),
    ("foi_request", "Under the Act I would like to know how much the council spent on consultants in each of the "
     "last three financial years, and which firms were used. Please send the figures as a spreadsheet."),
    ("foi_request", "We hold some of the information you asked for. Individual staff salaries are withheld because "
     "disclosure would breach data protection principles. You may ask for an internal review."),
    ("complaint", "I am writing because my bin has been missed four weeks in a row although I reported it online "
     "each time. Nobody has called me back and I am very unhappy with the service."),
    ("complaint", "Having looked into your concerns we found the officer should have replied to your emails sooner. "
     "We are sorry for the delay. If you remain dissatisfied you can contact the Ombudsman."),
)


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    group: str  # template (subject-line) group, for the unseen-wording test
    path: str


def load_examples(data: Path) -> list[Example]:
    records = json.loads((data / "ground_truth.json").read_text(encoding="utf-8"))["records"]
    return [Example("\n".join(r["pages"]), r["record_type"], _template_group(r["pages"][0]), r["path"])
            for r in records]


def _template_group(first_page: str) -> str:
    """The subject line (after the salutation), English half, digits dropped, first 3 words."""
    lines = first_page.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"(Dear|Annwyl)\b", line)), 0)
    subject = lines[start + 1] if start + 1 < len(lines) else ""
    subject = re.sub(r"\d+", "", subject.split(" / ")[-1]).lower()
    return " ".join(subject.split()[:3])


# --- the candidates ------------------------------------------------------------------------

def rules_candidate(rules: Classifier, routed: bool) -> Callable[[Sequence[str], Sequence[str]], Predict]:
    def fit(_texts: Sequence[str], _labels: Sequence[str]) -> Predict:
        def predict(texts: Sequence[str]) -> list[str]:
            results = [rules.classify_text(t) for t in texts]
            if routed:
                return [r.record_type for r in results]
            return [r.candidates[0][0] if r.candidates else UNCLASSIFIED for r in results]
        return predict
    return fit


def learned_candidate(rules: Classifier, options: ModelOptions, routed: bool
                      ) -> Callable[[Sequence[str], Sequence[str]], Predict]:
    def fit(texts: Sequence[str], labels: Sequence[str]) -> Predict:
        model = train_model([LabelledText(t, y) for t, y in zip(texts, labels, strict=True)], rules, options)
        classifier = LearnedClassifier(rules, model)

        def predict(batch: Sequence[str]) -> list[str]:
            results = [classifier.classify_text(t) for t in batch]
            if routed:
                return [r.record_type for r in results]
            return [r.candidates[0][0] if r.candidates else UNCLASSIFIED for r in results]
        return predict
    return fit


def sklearn_candidate(make: Callable[[], Any]) -> Callable[[Sequence[str], Sequence[str]], Predict]:
    def fit(texts: Sequence[str], labels: Sequence[str]) -> Predict:
        model = make()
        model.fit(list(texts), list(labels))
        return lambda batch: [str(p) for p in model.predict(list(batch))]
    return fit


_WORDS = ModelOptions(analyzer="word", ngram_range=(1, 2), max_features=20_000)


def candidates(rules: Classifier) -> dict[str, Callable[[Sequence[str], Sequence[str]], Predict]]:
    return {
        "rules (top guess)": rules_candidate(rules, routed=False),
        "rules (as filed: review -> unclassified)": rules_candidate(rules, routed=True),
        "learned: char 3-5 + LR + rules [default]": learned_candidate(rules, ModelOptions(), routed=False),
        "learned default, as filed (review -> unclassified)": learned_candidate(rules, ModelOptions(), routed=True),
        "learned default without rule features": learned_candidate(rules, ModelOptions(rule_weight=0.0), routed=False),
        "learned default, rule weight 3": learned_candidate(rules, ModelOptions(rule_weight=3.0), routed=False),
        "learned: words 1-2 + LR + rules": learned_candidate(rules, _WORDS, routed=False),
        "learned: words 1 + LR + rules": learned_candidate(
            rules, ModelOptions(analyzer="word", ngram_range=(1, 1), max_features=20_000), routed=False),
        "tfidf char 3-5 + LR": sklearn_candidate(lambda: make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2),
            LogisticRegression(C=10, max_iter=2000, class_weight="balanced"))),
        "tfidf 1-2 + LinearSVC": sklearn_candidate(lambda: make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2), LinearSVC(C=1.0))),
        "tfidf 1-2 + ComplementNB": sklearn_candidate(lambda: make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2), ComplementNB())),
        "counts 1-2 + MLP (Paperless-style)": sklearn_candidate(lambda: make_pipeline(
            CountVectorizer(ngram_range=(1, 2), min_df=2), MLPClassifier(tol=0.01, random_state=0, max_iter=300))),
    }


# --- evaluation ----------------------------------------------------------------------------

def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Over the true record types: a record left unclassified counts against its type's recall."""
    labels = sorted(set(truth))
    return float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0))


def run_split(fit: Callable[[Sequence[str], Sequence[str]], Predict], train: Sequence[Example],
              tests: dict[str, tuple[list[str], list[str]]]) -> tuple[float, dict[str, float]]:
    """Train once; per test set: macro-F1, the share filed without review, and their accuracy."""
    started = time.perf_counter()
    predict = fit([e.text for e in train], [e.label for e in train])
    seconds = time.perf_counter() - started
    scores: dict[str, float] = {}
    for name, (texts, labels) in tests.items():
        predicted = predict(texts)
        filed = [(p, y) for p, y in zip(predicted, labels, strict=True) if p != UNCLASSIFIED]
        scores[name] = macro_f1(labels, predicted)
        scores[f"{name}: filed share"] = len(filed) / len(labels)
        scores[f"{name}: filed accuracy"] = sum(p == y for p, y in filed) / len(filed) if filed else float("nan")
    return seconds, scores


def wording_folds(examples: Sequence[Example], folds: int = 3) -> list[tuple[list[Example], list[Example]]]:
    groups: dict[str, list[str]] = defaultdict(list)
    sizes: dict[tuple[str, str], int] = defaultdict(int)
    for e in examples:
        if e.group not in groups[e.label]:
            groups[e.label].append(e.group)
        sizes[(e.label, e.group)] += 1
    per_label = {label: sum(n for (y, _), n in sizes.items() if y == label) for label in groups}
    out = []
    for k in range(folds):
        held = {}
        for label, names in groups.items():  # hold a group out only if training keeps 3 of its type
            name = sorted(names)[k % len(names)]
            if len(names) > 1 and per_label[label] - sizes[(label, name)] >= MIN_EXAMPLES_PER_TYPE:
                held[label] = name
        test = [e for e in examples if held.get(e.label) == e.group]
        train = [e for e in examples if held.get(e.label) != e.group]
        out.append((train, test))
    return out


def ocr_texts(data: Path, examples: Sequence[Example], limit: int) -> list[tuple[str, str]]:
    """Tesseract's reading of up to `limit` test files (slow: about 3 s a page)."""
    from concurrent.futures import ThreadPoolExecutor

    from ocr import ocr_document

    def read(example: Example) -> tuple[str, str]:
        with tempfile.TemporaryDirectory() as work:
            return ocr_document(data / example.path, work_dir=Path(work), languages="eng").text, example.label

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(read, list(examples)[:limit]))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="samples.generate output (ground_truth.json); default: generate")
    parser.add_argument("--per-type", type=int, default=8, help="when generating: repetitions of the mix")
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--ocr", type=int, default=0, metavar="N", help="also OCR N held-out files")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    args = parser.parse_args(argv)
    data = args.data or _generate(args.per_type, args.seed)
    examples = load_examples(data)
    rules = Classifier(load_settings().classification)
    train, test = train_test_split(examples, test_size=0.3, random_state=args.seed,
                                   stratify=[e.label for e in examples])
    tests = {"held-out": ([e.text for e in test], [e.label for e in test]),
             "probe": ([t for _, t in PROBE], [y for y, _ in PROBE])}
    if args.ocr:
        read = ocr_texts(data, test, args.ocr)
        tests["ocr"] = ([t for t, _ in read], [y for _, y in read])
    results: dict[str, dict[str, float]] = {}
    for name, fit in candidates(rules).items():
        seconds, scores = run_split(fit, train, tests)
        wording = [run_split(fit, tr, {"w": ([e.text for e in te], [e.label for e in te])})[1]["w"]
                   for tr, te in wording_folds(examples)]
        results[name] = {**scores, "unseen wording": float(np.mean(wording)), "train seconds": seconds}
    _print(results, len(examples), len(train), len(test), {k: len(v[1]) for k, v in tests.items()})
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def _generate(per_type: int, seed: int) -> Path:
    from samples.generate import generate

    out = Path(tempfile.mkdtemp(prefix="classifier-f1-"))
    generate(out, seed=seed, per_type=per_type)
    return out


def _print(results: dict[str, dict[str, float]], n: int, n_train: int, n_test: int, sizes: dict[str, int]) -> None:
    columns = [c for c in ("held-out", "unseen wording", "ocr", "probe") if c in next(iter(results.values()))]
    print(f"{n} labelled letters: {n_train} train / {n_test} held out; test sizes {sizes}")
    print(f"{'candidate':<52}" + "".join(f"{c:>16}" for c in columns) + f"{'train s':>10}")
    for name, scores in results.items():
        print(f"{name:<52}" + "".join(f"{scores[c]:>16.3f}" for c in columns) + f"{scores['train seconds']:>10.2f}")
    print("macro-F1 over the nine record types; unclassified counts as a miss. Generated letters are not "
          "real records: see this module's docstring before quoting these numbers.")
    print("\nRouting (as filed): share of records filed without review, and how many of those were right")
    for name, scores in results.items():
        if "as filed" in name:
            print(f"{name:<52}" + "".join(
                f"{c}: {scores[c + ': filed share']:.0%} filed, {_share(scores[c + ': filed accuracy'])} right   "
                for c in columns if c != "unseen wording"))


def _share(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{value:.0%}"


if __name__ == "__main__":
    sys.exit(main())
