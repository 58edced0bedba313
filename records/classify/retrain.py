"""Retraining from review: every reviewed record is a label; a new model replaces the one in use
only if it is not worse on the held-out real texts.

The models folder (`<data dir>/models/`) holds the model in use (`record_type_model.npz`, what the
pipeline loads), every trained version (`versions/<version>.npz`) and `history.jsonl`, one line per
attempt: version, labels it learned from, held-out scores of it and of the model it was compared
with, and whether it was promoted. Held-out scores are taken on the corpus's held-out texts as
text (the benchmark adds OCR); "not worse" means no fewer filed right, no more filed wrong.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from records.archive.local import write_atomic
from records.classify.corpus import (
    DEFAULT_ROOT,
    CorpusText,
    check_disjoint,
    heldout_texts,
    training_texts,
    without_heldout,
)
from records.classify.learned import (
    MODEL_FILE,
    LabelledText,
    LearnedClassifier,
    LinearModel,
    ModelOptions,
    load_model,
    save_model,
    train_model,
)
from records.classify.rules import Classifier, TextClassifier
from records.config import UNCLASSIFIED

log = logging.getLogger(__name__)

HISTORY = "history.jsonl"


@dataclass(frozen=True, slots=True)
class HeldoutScore:
    """Shares of the held-out texts filed right, filed wrong, and sent to review."""

    right: float
    wrong: float
    review: float

    def is_not_worse_than(self, other: HeldoutScore) -> bool:
        return self.right >= other.right and self.wrong <= other.wrong


@dataclass(frozen=True, slots=True)
class RetrainResult:
    status: str  # "promoted", "kept" (new model worse), or "skipped" (too few new labels)
    version: str | None
    reviewed_labels: int
    new: HeldoutScore | None
    current: HeldoutScore | None

    def line(self) -> str:
        if self.status == "skipped":
            return f"skipped: {self.reviewed_labels} reviewed labels, too few new since the last training"
        assert self.new is not None and self.current is not None
        return (f"{self.status} model {self.version} ({self.reviewed_labels} reviewed labels): held-out right "
                f"{self.new.right:.1%} vs {self.current.right:.1%}, wrong {self.new.wrong:.1%} vs {self.current.wrong:.1%}")


def score_heldout(classifier: TextClassifier, heldout: Sequence[CorpusText]) -> HeldoutScore:
    verdicts = [(classifier.classify_text(t.text).record_type, t.record_type) for t in heldout]
    n = len(verdicts) or 1
    return HeldoutScore(
        right=sum(f == y for f, y in verdicts) / n,
        wrong=sum(f not in (y, UNCLASSIFIED) for f, y in verdicts) / n,
        review=sum(f == UNCLASSIFIED for f, _ in verdicts) / n,
    )


def training_set(generated: Sequence[LabelledText], reviewed: Sequence[LabelledText],
                 corpus_root: Path = DEFAULT_ROOT) -> list[LabelledText]:
    """Generated letters, the corpus's train split and reviewed records; never a held-out text
    (a reviewed record that is one is left out, and said so in the log)."""
    heldout = heldout_texts(corpus_root)
    kept = without_heldout(reviewed, heldout)
    if len(kept) < len(reviewed):
        log.warning("%d reviewed records are held-out evaluation texts; not trained on", len(reviewed) - len(kept))
    examples = [*generated, *training_texts(corpus_root), *kept]
    check_disjoint(examples, heldout)
    return examples


def history(models_dir: Path) -> list[dict[str, Any]]:
    path = models_dir / HISTORY
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _append_history(models_dir: Path, entry: dict[str, Any]) -> None:
    lines = [json.dumps(e, sort_keys=True) for e in [*history(models_dir), entry]]
    write_atomic(models_dir / HISTORY, ("\n".join(lines) + "\n").encode())


def retrain(
    rules: Classifier, models_dir: Path, *, generated: Sequence[LabelledText], reviewed: Sequence[LabelledText],
    min_new_labels: int = 0, corpus_root: Path = DEFAULT_ROOT, options: ModelOptions = ModelOptions(),
) -> RetrainResult:
    """Train on everything labelled; put the new model in use only if it is not worse on held-out texts."""
    past = history(models_dir)
    last_labels = int(past[-1]["reviewed_labels"]) if past else 0
    if past and len(reviewed) - last_labels < min_new_labels:
        return RetrainResult("skipped", None, len(reviewed), None, None)
    model = train_model(training_set(generated, reviewed, corpus_root), rules, options)
    heldout = heldout_texts(corpus_root)
    current_model = load_model(models_dir / MODEL_FILE)
    current = score_heldout(LearnedClassifier(rules, current_model), heldout)
    new = score_heldout(LearnedClassifier(rules, model), heldout)
    promoted = new.is_not_worse_than(current)
    save_model(model, models_dir / "versions" / f"{model.version}.npz")
    if promoted:
        save_model(model, models_dir / MODEL_FILE)
    _append_history(models_dir, {
        "version": model.version, "promoted": promoted, "reviewed_labels": len(reviewed),
        "examples": model.meta["examples"],
        "heldout_new": asdict(new), "heldout_current": asdict(current),
        "compared_with": _version(current_model), "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    })
    log.info("retrain: model %s %s", model.version, "promoted" if promoted else "kept out (worse on held-out)")
    return RetrainResult("promoted" if promoted else "kept", model.version, len(reviewed), new, current)


def _version(model: LinearModel | None) -> str:
    return model.version if model is not None else "rules"
