"""A learned record-type classifier: TF-IDF word 1-2-grams and character 3-5-grams of the OCR
text (optionally with the configured rules' evidence), scored by a multinomial logistic
regression, calibrated per type by isotonic maps fitted on out-of-fold predictions.

Why this shape: it trains in seconds on a few hundred texts, its calibrated probabilities route
doubtful records to review (0.9 should be right nine times in ten on texts it never saw), and the
rules keep a veto (a confident rule verdict the model contradicts goes to review) and a second
say (a confident rule verdict the model agrees with is filed from 0.5: two independent readings
naming one type filed more right and none more wrong in cross-validation). With no model
trained the pipeline runs on the rules alone, exactly as before.

The model is saved as plain arrays (`numpy.savez`, loaded with `allow_pickle=False`), not a
pickle: loading a model file can never run code, and it does not break across scikit-learn
versions because scoring is done here with numpy. Scikit-learn is needed only to train, and is
imported only then: it costs seconds at start-up that a worker scoring letters never needs.

Be honest about what a score means: the default (options and review threshold) was chosen by
cross-validation on the corpus's train split, and its held-out scores are in
benchmarks/CLASSIFIER.md. Those texts are mostly national public texts; reviewed records are the
labels that tell how it does on a council's own paper.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import re
import unicodedata
from collections import Counter as Tally
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
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
FORMAT_VERSION = 3
#: Below this calibrated probability a learned verdict goes to review (the rules' own threshold is in YAML).
#: Chosen with the model options by cross-validation on the corpus's train split (benchmarks/classifier_f1.py):
#: a calibrated 0.9 means about one wrong filing in ten at worst, which the 3 % goal needs.
DEFAULT_REVIEW_THRESHOLD = 0.9
#: A learned verdict the rules confidently agree with is filed from this calibrated probability up
#: (two independent readings naming the same type): chosen with the review threshold by cross-validation.
DEFAULT_AGREE_THRESHOLD = 0.5
#: Fewer labelled examples per type than this and training refuses: the model would be noise.
MIN_EXAMPLES_PER_TYPE = 3
#: Folds of the cross-validation whose out-of-fold predictions fit the calibration (fewer if a type is rarer).
CALIBRATION_FOLDS = 5


@dataclass(frozen=True, slots=True)
class LabelledText:
    text: str
    record_type: str
    generated: bool = False  # a template letter from samples.generate, not a real record
    group: str = ""  # the source document: its parts share cross-validation folds ("" = on its own)


#: Calibrate on real texts only once there are this many: generated letters are too easy to say
#: how sure the model should be on real ones.
MIN_REAL_FOR_CALIBRATION = 20


Block = tuple[str, int, int]  # analyzer ("word" or "char_wb"), lowest and highest n


@dataclass(frozen=True, slots=True)
class ModelOptions:
    """Feature and model settings; benchmarks/classifier_f1.py compares alternatives.

    Word 1-2-grams and character 3-5-grams (within words: kinder to OCR errors) side by side,
    each block l2-normalised, optionally with the rules' evidence as features (off by default: it
    did worse in cross-validation; the rules keep their veto); one multinomial logistic regression;
    probabilities calibrated on out-of-fold predictions of the training texts: per class by
    isotonic regression (the default), or by one softening temperature. The benchmark chooses the
    default by cross-validation on the corpus's train split, never on the held-out texts.
    """

    blocks: tuple[Block, ...] = (("word", 1, 2), ("char_wb", 3, 5))
    min_df: int = 2
    max_features: int = 50_000  # per block
    c: float = 100.0  # weak regularisation: chosen by cross-validation (10 filed fewer right, none fewer wrong)
    rule_weight: float = 0.0  # 0 turns the rule features off: chosen by cross-validation (the rules still veto)
    calibration: str = "isotonic"  # "isotonic", "temperature" or "none"

    def __post_init__(self) -> None:
        if self.calibration not in CALIBRATIONS:
            raise ValueError(f"calibration must be one of {CALIBRATIONS}, not {self.calibration!r}")


CALIBRATIONS = ("isotonic", "temperature", "none")
Calibrator = tuple[np.ndarray, np.ndarray]  # an isotonic map: thresholds and values, applied by np.interp


@dataclass(frozen=True)
class TermBlock:
    """One n-gram block's vocabulary and idf, as scikit-learn's fitted TfidfVectorizer holds them."""

    analyzer: str
    low: int
    high: int
    terms: tuple[str, ...]
    idf: np.ndarray
    _vocabulary: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_vocabulary", {t: i for i, t in enumerate(self.terms)})

    def tfidf(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, weights): the row scikit-learn's TfidfVectorizer gives (sublinear tf, l2)."""
        grams = analyse(text, self.analyzer, (self.low, self.high))
        counts = Tally(self._vocabulary[t] for t in grams if t in self._vocabulary)
        columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        weights = (1 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[columns]
        norm = float(np.sqrt(weights @ weights)) or 1.0
        return columns, weights / norm

    def has_evidence(self, text: str) -> bool:
        return any(t in self._vocabulary for t in analyse(text, self.analyzer, (self.low, self.high)))


@dataclass(frozen=True)
class LinearModel:
    """Everything needed to score a text, as plain arrays and strings."""

    classes: tuple[str, ...]
    blocks: tuple[TermBlock, ...]
    coef: np.ndarray  # (classes, terms of every block + rule types)
    intercept: np.ndarray
    rule_types: tuple[str, ...]
    rules_fingerprint: str
    options: ModelOptions
    temperature: float = 1.0
    calibrators: tuple[Calibrator, ...] = ()  # per class, in `classes` order; none: the temperature alone
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def terms(self) -> int:
        return sum(len(b.terms) for b in self.blocks)

    def scores(self, text: str, rules: Classifier) -> np.ndarray:
        """Uncalibrated class scores (logits), in `classes` order."""
        total = self.intercept.astype(np.float64).copy()
        offset = 0
        for block in self.blocks:
            columns, weights = block.tfidf(text)
            total += self.coef[:, offset + columns] @ weights
            offset += len(block.terms)
        evidence = rule_features(text, rules, self.rule_types, self.options.rule_weight)
        return np.asarray(total + self.coef[:, offset:] @ evidence)

    def probabilities(self, text: str, rules: Classifier) -> np.ndarray:
        """Calibrated class probabilities, in `classes` order."""
        return calibrate(softmax(self.scores(text, rules) / self.temperature), self.calibrators)

    def has_evidence(self, text: str) -> bool:
        return any(b.has_evidence(text) for b in self.blocks)

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unversioned"))


def softmax(scores: np.ndarray) -> np.ndarray:
    exp = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return np.asarray(exp / exp.sum(axis=-1, keepdims=True))


def calibrate(probabilities: np.ndarray, calibrators: Sequence[Calibrator]) -> np.ndarray:
    """Each class's probability through its isotonic map, renormalised (as scikit-learn's
    CalibratedClassifierCV does). Isotonic maps are steps, so a trace of the raw probability
    breaks ties between classes that land on one step and keeps the sum above zero."""
    if not calibrators:
        return probabilities
    mapped = np.array([np.interp(p, x, y) for p, (x, y) in zip(probabilities, calibrators, strict=True)])
    mapped += 1e-6 * probabilities
    return np.asarray(mapped / mapped.sum())


_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern


def analyse(text: str, analyzer: str, ngram_range: tuple[int, int]) -> list[str]:
    """Scikit-learn's analysers, re-implemented so scoring needs no scikit-learn: lowercase,
    accents stripped, then word n-grams of 2+ character words, or character n-grams per word."""
    text = text.lower()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    low, high = ngram_range
    if analyzer == "char_wb":
        return [g for word in text.split() for g in _char_ngrams(f" {word} ", low, high)]
    if analyzer != "word":
        raise ValueError(f"unsupported analyzer {analyzer!r}")
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


def _vectorizer(block: Block, options: ModelOptions, *, min_df: int = 1) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer  # training only: see the module docstring

    analyzer, low, high = block
    return TfidfVectorizer(
        analyzer=analyzer, ngram_range=(low, high), min_df=min_df, max_features=options.max_features,
        sublinear_tf=True, strip_accents="unicode", lowercase=True,
    )


def _check_labels(examples: Sequence[LabelledText], rules: Classifier) -> Tally[str]:
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
    return per_type


def train_model(
    examples: Sequence[LabelledText], rules: Classifier, options: ModelOptions = ModelOptions()
) -> LinearModel:
    """Fit on labelled texts; raise TrainingError if there are too few to mean anything."""
    per_type = _check_labels(examples, rules)
    from scipy import sparse  # training only: see the module docstring

    texts = [e.text for e in examples]
    labels = np.array([e.record_type for e in examples])
    vectorizers = [_vectorizer(b, options, min_df=options.min_df if len(texts) >= 50 else 1) for b in options.blocks]
    try:
        tfidf = [v.fit_transform(texts) for v in vectorizers]
    except ValueError as e:  # empty vocabulary: the texts hold no words
        raise TrainingError("the labelled texts contain no usable words") from e
    rule_types = rules.record_types
    evidence = np.array([rule_features(t, rules, rule_types, options.rule_weight) for t in texts])
    features = sparse.hstack([*tfidf, sparse.csr_matrix(evidence)]).tocsr()
    model = _fit(features, labels, options)
    real = np.array([not e.generated for e in examples])
    judged = real if real.sum() >= MIN_REAL_FOR_CALIBRATION else np.ones_like(real)
    temperature, calibrators = 1.0, ()
    if options.calibration != "none":
        groups = [e.group or f"#{n}" for n, e in enumerate(examples)]
        oof = _out_of_fold_logits(features, labels, groups, options)
        if oof is not None and options.calibration == "temperature":
            temperature = _temperature(oof, labels, judged)
        elif oof is not None:
            calibrators = _isotonic(softmax(oof), labels, judged)
    coef, intercept = _softmax_parameters(model)
    blocks = tuple(TermBlock(a, lo, hi, tuple(v.get_feature_names_out()), np.asarray(v.idf_))
                   for (a, lo, hi), v in zip(options.blocks, vectorizers, strict=True))
    trained_at = dt.datetime.now(dt.timezone.utc)
    version = f"{trained_at:%Y%m%dT%H%M%SZ}-{hashlib.sha256(coef.tobytes()).hexdigest()[:8]}"
    return LinearModel(
        classes=tuple(str(c) for c in model.classes_), blocks=blocks, coef=coef, intercept=intercept,
        rule_types=rule_types, rules_fingerprint=rules.fingerprint, options=options, temperature=temperature,
        calibrators=calibrators, meta={"version": version, "trained_at": trained_at.isoformat(timespec="seconds"),
              "examples": len(examples), "examples_per_type": dict(sorted(per_type.items()))},
    )


def _fit(features: Any, labels: np.ndarray, options: ModelOptions) -> LogisticRegression:
    from sklearn.linear_model import LogisticRegression

    # SAG, not the default L-BFGS: the same optimum, measured 4-6x faster on these wide sparse rows.
    return LogisticRegression(C=options.c, max_iter=3000, class_weight="balanced", solver="sag",
                              random_state=0).fit(features, labels)


def _out_of_fold_logits(features: Any, labels: np.ndarray, groups: Sequence[str],
                        options: ModelOptions) -> np.ndarray | None:
    """Each example's class scores from a model fitted without it (and without the rest of its
    source document), in sorted class order; None if a type is too rare to hold any out."""
    from sklearn.model_selection import StratifiedGroupKFold

    folds = min(CALIBRATION_FOLDS, int(min(Tally(labels.tolist()).values())))
    if folds < 2:
        return None
    classes = np.unique(labels)
    logits = np.full((len(labels), len(classes)), -50.0)  # a type absent from a fold's training: never its pick
    for train, test in StratifiedGroupKFold(folds, shuffle=True, random_state=0).split(features, labels, groups):
        fold = _fit(features[train], labels[train], options)
        scores = fold.decision_function(features[test])
        if scores.ndim == 1:
            scores = np.column_stack([np.zeros_like(scores), scores])
        logits[np.ix_(test, np.searchsorted(classes, fold.classes_))] = scores
    return logits


def _temperature(logits: np.ndarray, labels: np.ndarray, judged: np.ndarray) -> float:
    """The temperature that makes out-of-fold probabilities honest (least log loss over the
    `judged` examples: the real ones): a score of 0.9 should be right about nine times in ten on
    texts the model did not train on.

    Only softening (T >= 1) is allowed: with a few dozen real texts the out-of-fold predictions
    are often all right, and the log loss then keeps falling as T goes to 0, which would make
    every verdict look certain (measured: it did, and two held-out texts with no rule evidence
    were filed wrongly at probability 1.0 instead of going to review)."""
    from scipy.optimize import minimize_scalar

    truth = np.searchsorted(np.unique(labels), labels[judged])
    logits = logits[judged]

    def loss(log_t: float) -> float:
        p = softmax(logits / np.exp(log_t))[np.arange(len(truth)), truth]
        return float(-np.log(np.clip(p, 1e-12, 1.0)).mean())

    return float(np.exp(minimize_scalar(loss, bounds=(0.0, 3.0), method="bounded").x))


def _isotonic(probabilities: np.ndarray, labels: np.ndarray, judged: np.ndarray) -> tuple[Calibrator, ...]:
    """Per class, the monotone map from out-of-fold probability to the share of the `judged`
    (real) examples that were that class: it can make a model surer as well as less sure, which
    a temperature that may only soften cannot. A class with no judged example is mapped on all
    examples."""
    from sklearn.isotonic import IsotonicRegression

    maps = []
    for k, record_type in enumerate(np.unique(labels)):
        rows = judged if (labels[judged] == record_type).any() else np.ones_like(judged)
        fitted = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(
            probabilities[rows, k], (labels[rows] == record_type).astype(float))
        maps.append((np.asarray(fitted.X_thresholds_, dtype=np.float64),
                     np.asarray(fitted.y_thresholds_, dtype=np.float64)))
    return tuple(maps)


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
        "rules_fingerprint": model.rules_fingerprint, "options": asdict(model.options),
        "temperature": model.temperature, **model.meta,
    }
    arrays: dict[str, np.ndarray] = {"coef": model.coef.astype(np.float32), "intercept": model.intercept,
                                     "meta": np.array(json.dumps(meta))}
    for k, (x, y) in enumerate(model.calibrators):
        arrays[f"calibration_x_{k}"], arrays[f"calibration_y_{k}"] = x, y
    for n, block in enumerate(model.blocks):
        arrays[f"terms_{n}"] = np.array(block.terms, dtype=str)
        arrays[f"idf_{n}"] = block.idf.astype(np.float32)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
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
            options["blocks"] = tuple(tuple(b) for b in options["blocks"])
            blocks = tuple(TermBlock(a, lo, hi, tuple(str(t) for t in data[f"terms_{n}"]),
                                     data[f"idf_{n}"].astype(np.float64))
                           for n, (a, lo, hi) in enumerate(options["blocks"]))
            classes = tuple(meta.pop("classes"))
            calibrators = tuple((data[f"calibration_x_{k}"], data[f"calibration_y_{k}"])
                                for k in range(len(classes)) if f"calibration_x_{k}" in data)
            return LinearModel(
                classes=classes, blocks=blocks, coef=data["coef"].astype(np.float64),
                intercept=data["intercept"], rule_types=tuple(meta.pop("rule_types")),
                rules_fingerprint=meta.pop("rules_fingerprint"), options=ModelOptions(**options),
                temperature=float(meta.pop("temperature")), calibrators=calibrators, meta=meta,
            )
    except (OSError, ValueError, KeyError, TypeError) as e:
        log.warning("classifier model unreadable (%s); using rules only", type(e).__name__)
        return None


class LearnedClassifier:
    """The model's verdict where it is sure (or fairly sure and the rules name the same type) and the
    rules do not object; review otherwise."""

    method: ClassVar[str] = "learned"

    def __init__(self, rules: Classifier, model: LinearModel | None,
                 review_threshold: float = DEFAULT_REVIEW_THRESHOLD, *, rules_veto: bool = True,
                 agree_threshold: float | None = DEFAULT_AGREE_THRESHOLD) -> None:
        self.rules = rules
        self.model = model if model is not None and is_usable(model, rules) else None
        self.review_threshold = review_threshold
        self.agree_threshold = review_threshold if agree_threshold is None else min(agree_threshold, review_threshold)
        self.rules_veto = rules_veto

    def classify_text(self, text: str) -> RecordClass:
        by_rules = self.rules.classify_text(text)
        if self.model is None:
            return by_rules
        version = self.model.version
        if not self.model.has_evidence(text) and not by_rules.candidates:
            return RecordClass(UNCLASSIFIED, 0.0, True, (), self.method, version)
        probabilities = self.model.probabilities(text, self.rules)
        ranked = sorted(zip(self.model.classes, probabilities, strict=True), key=lambda kv: (-kv[1], kv[0]))
        candidates = tuple((t, round(float(p), 3)) for t, p in ranked[:3])
        best, score = candidates[0]
        rules_sure = not by_rules.needs_review
        rules_object = self.rules_veto and rules_sure and by_rules.record_type != best
        needed = self.agree_threshold if rules_sure and by_rules.record_type == best else self.review_threshold
        if score < needed or rules_object:
            return RecordClass(UNCLASSIFIED, score, True, candidates, self.method, version)
        return RecordClass(best, score, False, candidates, self.method, version)


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
        return [replace(e, generated=True)
                for e in labelled_texts(("\n".join(r["pages"]), r["record_type"]) for r in records)]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise TrainingError(f"{path} is not a samples.generate ground truth file ({type(e).__name__})") from e
