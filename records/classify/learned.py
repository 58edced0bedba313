"""A learned record-type classifier: TF-IDF over the OCR text plus the configured rules' evidence,
scored by a multinomial logistic regression.

Why this shape: it trains in seconds on a few hundred letters, it gives calibrated-enough
probabilities to route doubtful records to review, and the rules keep their say twice — as
features, and as a veto (a confident rule verdict the model contradicts goes to review).
With no model trained the pipeline runs on the rules alone, exactly as before.

The model is saved as plain arrays (`numpy.savez`, loaded with `allow_pickle=False`), not a
pickle: loading a model file can never run code, and it does not break across scikit-learn
versions because scoring is done here with numpy. Scikit-learn is needed only to train, and is
imported only then: it costs seconds at start-up that a worker scoring letters never needs.

Be honest about what a score means: trained on generated template letters, this model scores
near-perfectly on more of the same templates and much worse on real council documents (see
benchmarks/classifier_f1.py and the field notes). Reviewed records are the labels that help.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import unicodedata
from collections import Counter as Tally
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from records.archive.local import write_atomic
from records.classify.rules import Classifier, RecordClass
from records.config import UNCLASSIFIED
from records.errors import TrainingError

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

log = logging.getLogger(__name__)

MODEL_FILE = "record_type_model.npz"
FORMAT_VERSION = 1
#: Below this probability a learned verdict goes to review (the rules' own threshold is in YAML).
DEFAULT_REVIEW_THRESHOLD = 0.6
#: Fewer labelled examples per type than this and training refuses: the model would be noise.
MIN_EXAMPLES_PER_TYPE = 3


@dataclass(frozen=True, slots=True)
class LabelledText:
    text: str
    record_type: str


@dataclass(frozen=True, slots=True)
class ModelOptions:
    """Feature and model settings; benchmarks/classifier_f1.py compares alternatives.

    Character 3-5-grams beat word 1-2-grams on the benchmark's probe texts (0.79-0.94 against
    0.69-0.77 macro-F1; only 18 texts) and tie on everything generated, so they are the default.
    """

    analyzer: str = "char_wb"  # character n-grams within words (kinder to OCR errors), or "word"
    ngram_range: tuple[int, int] = (3, 5)
    min_df: int = 2
    max_features: int = 50_000
    c: float = 10.0
    rule_weight: float = 1.0  # 0 turns the rule features off


@dataclass(frozen=True)
class LinearModel:
    """Everything needed to score a text, as plain arrays and strings."""

    classes: tuple[str, ...]
    terms: tuple[str, ...]
    idf: np.ndarray
    coef: np.ndarray  # (classes, terms + rule types)
    intercept: np.ndarray
    rule_types: tuple[str, ...]
    rules_fingerprint: str
    options: ModelOptions
    meta: dict[str, Any] = field(default_factory=dict)
    _vocabulary: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_vocabulary", {t: i for i, t in enumerate(self.terms)})

    def tfidf(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, weights): the row scikit-learn's fitted TfidfVectorizer gives (sublinear tf, l2)."""
        counts = Tally(self._vocabulary[t] for t in analyse(text, self.options) if t in self._vocabulary)
        columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        weights = (1 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[columns]
        norm = float(np.sqrt(weights @ weights)) or 1.0
        return columns, weights / norm

    def probabilities(self, text: str, rules: Classifier) -> np.ndarray:
        """Class probabilities, in `classes` order."""
        columns, weights = self.tfidf(text)
        evidence = rule_features(text, rules, self.rule_types, self.options.rule_weight)
        scores = self.coef[:, columns] @ weights + self.coef[:, len(self.terms):] @ evidence + self.intercept
        exp = np.exp(scores - scores.max())
        return np.asarray(exp / exp.sum())

    def has_evidence(self, text: str) -> bool:
        return any(t in self._vocabulary for t in analyse(text, self.options))


_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern


def analyse(text: str, options: ModelOptions) -> list[str]:
    """Scikit-learn's analysers, re-implemented so scoring needs no scikit-learn: lowercase,
    accents stripped, then word n-grams of 2+ character words, or character n-grams per word."""
    text = text.lower()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    low, high = options.ngram_range
    if options.analyzer == "char_wb":
        return [g for word in text.split() for g in _char_ngrams(f" {word} ", low, high)]
    if options.analyzer != "word":
        raise ValueError(f"unsupported analyzer {options.analyzer!r}")
    tokens = _TOKEN.findall(text)
    return [" ".join(tokens[i:i + n]) for n in range(low, high + 1) for i in range(len(tokens) - n + 1)]


def _char_ngrams(word: str, low: int, high: int) -> list[str]:
    """As scikit-learn's char_wb: a word shorter than n yields itself once (padded)."""
    grams = []
    for n in range(low, high + 1):
        if len(word) <= n:
            grams.append(word)
            break
        grams.extend(word[i:i + n] for i in range(len(word) - n + 1))
    return grams


def rule_features(text: str, rules: Classifier, rule_types: Sequence[str], weight: float) -> np.ndarray:
    """Each type's share of the rules' evidence, scaled by `weight` (TF-IDF rows have norm 1)."""
    evidence = rules.evidence(text) if weight else {}
    total = sum(evidence.values())
    return np.array([weight * evidence.get(t, 0.0) / total if total else 0.0 for t in rule_types])


def _vectorizer(options: ModelOptions, *, min_df: int = 1) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer  # training only: see the module docstring

    return TfidfVectorizer(
        analyzer=options.analyzer, ngram_range=options.ngram_range, min_df=min_df, max_features=options.max_features,
        sublinear_tf=True, strip_accents="unicode", lowercase=True,
    )


def train_model(
    examples: Sequence[LabelledText], rules: Classifier, options: ModelOptions = ModelOptions()
) -> LinearModel:
    """Fit on labelled texts; raise TrainingError if there are too few to mean anything."""
    per_type = Tally(e.record_type for e in examples)
    unknown = sorted(set(per_type) - set(rules.record_types))
    if unknown:
        raise TrainingError(f"labels name record types not in record_types.yaml: {unknown}")
    thin = sorted(t for t, n in per_type.items() if n < MIN_EXAMPLES_PER_TYPE)
    if len(per_type) < 2 or thin:
        raise TrainingError(
            f"need at least {MIN_EXAMPLES_PER_TYPE} labelled examples of each of two or more record types "
            f"(too few for: {thin or 'all but one type'}); generate a training set with "
            "`python -m samples.generate --out DIR --per-type 5` or review more records"
        )
    from scipy import sparse  # training only: see the module docstring
    from sklearn.linear_model import LogisticRegression

    texts = [e.text for e in examples]
    labels = [e.record_type for e in examples]
    vectorizer = _vectorizer(options, min_df=options.min_df if len(texts) >= 50 else 1)
    try:
        tfidf = vectorizer.fit_transform(texts)
    except ValueError as e:  # empty vocabulary: the texts hold no words
        raise TrainingError("the labelled texts contain no usable words") from e
    rule_types = rules.record_types
    evidence = np.array([rule_features(t, rules, rule_types, options.rule_weight) for t in texts])
    features = sparse.hstack([tfidf, sparse.csr_matrix(evidence)]).tocsr()
    model = LogisticRegression(C=options.c, max_iter=2000, class_weight="balanced")
    model.fit(features, labels)
    coef, intercept = _softmax_parameters(model)
    terms = tuple(vectorizer.get_feature_names_out())
    return LinearModel(
        classes=tuple(str(c) for c in model.classes_), terms=terms, idf=np.asarray(vectorizer.idf_),
        coef=coef, intercept=intercept, rule_types=rule_types, rules_fingerprint=rules.fingerprint,
        options=options,
        meta={"trained_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "examples": len(examples), "examples_per_type": dict(sorted(per_type.items()))},
    )


def _softmax_parameters(model: LogisticRegression) -> tuple[np.ndarray, np.ndarray]:
    """Scikit-learn keeps one row for two classes (a sigmoid); the softmax form needs two."""
    coef, intercept = np.asarray(model.coef_), np.asarray(model.intercept_)
    if len(model.classes_) == 2:
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        intercept = np.array([0.0, intercept[0]])
    return coef, intercept


def save_model(model: LinearModel, path: Path) -> None:
    """Write atomically, as arrays only; the data dir keeps it (not git)."""
    meta = {
        "format": FORMAT_VERSION, "classes": model.classes, "rule_types": model.rule_types,
        "rules_fingerprint": model.rules_fingerprint, "options": asdict(model.options), **model.meta,
    }
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer, coef=model.coef.astype(np.float32), intercept=model.intercept, idf=model.idf.astype(np.float32),
        terms=np.array(model.terms, dtype=str), meta=np.array(json.dumps(meta)),
    )
    write_atomic(path, buffer.getvalue())


def load_model(path: Path) -> LinearModel | None:
    """The saved model, or None if there is none or it cannot be used (logged, never raised)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != FORMAT_VERSION:
                log.warning("classifier model has format %s, expected %s; using rules only",
                            meta.get("format"), FORMAT_VERSION)
                return None
            options = meta.pop("options")
            options["ngram_range"] = tuple(options["ngram_range"])
            return LinearModel(
                classes=tuple(meta.pop("classes")), terms=tuple(str(t) for t in data["terms"]),
                idf=data["idf"].astype(np.float64), coef=data["coef"].astype(np.float64),
                intercept=data["intercept"],
                rule_types=tuple(meta.pop("rule_types")), rules_fingerprint=meta.pop("rules_fingerprint"),
                options=ModelOptions(**options), meta=meta,
            )
    except (OSError, ValueError, KeyError, TypeError) as e:
        log.warning("classifier model unreadable (%s); using rules only", type(e).__name__)
        return None


class LearnedClassifier:
    """The model's verdict where it is sure and the rules do not object; review otherwise."""

    method: ClassVar[str] = "learned"

    def __init__(self, rules: Classifier, model: LinearModel | None,
                 review_threshold: float = DEFAULT_REVIEW_THRESHOLD) -> None:
        self.rules = rules
        self.model = model if model is not None and is_usable(model, rules) else None
        self.review_threshold = review_threshold

    def classify_text(self, text: str) -> RecordClass:
        by_rules = self.rules.classify_text(text)
        if self.model is None:
            return by_rules
        if not self.model.has_evidence(text) and not by_rules.candidates:
            return RecordClass(UNCLASSIFIED, 0.0, True, (), self.method)
        probabilities = self.model.probabilities(text, self.rules)
        ranked = sorted(zip(self.model.classes, probabilities, strict=True), key=lambda kv: (-kv[1], kv[0]))
        candidates = tuple((t, round(float(p), 3)) for t, p in ranked[:3])
        best, score = candidates[0]
        rules_object = not by_rules.needs_review and by_rules.record_type != best
        if score < self.review_threshold or rules_object:
            return RecordClass(UNCLASSIFIED, score, True, candidates, self.method)
        return RecordClass(best, score, False, candidates, self.method)


def is_usable(model: LinearModel, rules: Classifier) -> bool:
    """A model trained against other rules or record types would score the wrong features."""
    if model.rules_fingerprint != rules.fingerprint or model.rule_types != rules.record_types:
        log.warning("classifier model was trained with different rules; using rules only until retrained")
        return False
    return True


def load_classifier(rules: Classifier, model_path: Path,
                    review_threshold: float = DEFAULT_REVIEW_THRESHOLD) -> LearnedClassifier:
    """The pipeline's classifier: the learned model if one is saved and usable, else the rules."""
    return LearnedClassifier(rules, load_model(model_path), review_threshold)


def labelled_texts(pairs: Iterable[tuple[str, str]]) -> list[LabelledText]:
    """(text, record_type) pairs, dropping unclassified and empty texts."""
    return [LabelledText(text, t) for text, t in pairs if t != UNCLASSIFIED and text.strip()]


def examples_from_ground_truth(folder: Path) -> list[LabelledText]:
    """Labelled texts from a samples.generate folder (its ground_truth.json: exact page texts)."""
    path = folder / "ground_truth.json"
    try:
        records = json.loads(path.read_text(encoding="utf-8"))["records"]
        return labelled_texts(("\n".join(r["pages"]), r["record_type"]) for r in records)
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise TrainingError(f"{path} is not a samples.generate ground truth file ({type(e).__name__})") from e
