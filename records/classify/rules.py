"""Record-type classification from the weighted rules in config/record_types.yaml.

Evidence for a type is the weighted count of its rules' matches (each rule counted at
most three times, so one repeated phrase cannot outvote a statute and a reference format).
The score is the winning type's share of all evidence: a letter that reads equally like
two types scores about 0.5 and goes to review instead of being filed with false confidence.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

from records.config import UNCLASSIFIED, Classification

MAX_HITS_PER_RULE = 3


@dataclass(frozen=True, slots=True)
class RecordClass:
    record_type: str
    score: float
    needs_review: bool
    candidates: tuple[tuple[str, float], ...]
    method: str = "rules"  # or "learned" (records.classify.learned): kept in the sidecar for audit
    model_version: str | None = None  # the learned model that decided, if one did

    def as_sidecar(self, *, needs_review: bool) -> dict[str, Any]:
        """The sidecar's `classification` section; `needs_review` may say more than the type's
        doubt (a page OCR could not vouch for, a doubtful split)."""
        return {"record_type": self.record_type, "score": self.score, "needs_review": needs_review,
                "candidates": [{"record_type": t, "score": s} for t, s in self.candidates], "method": self.method,
                "model_version": self.model_version}


class TextClassifier(Protocol):
    """What the pipeline needs from a classifier: rules alone, or a learned model over them."""

    def classify_text(self, text: str) -> RecordClass: ...


@dataclass(frozen=True, slots=True)
class _CompiledType:
    slug: str
    rules: tuple[tuple[re.Pattern[str], float], ...]


class Classifier:
    """Compiled once per process; classify_text is pure and thread-safe."""

    def __init__(self, config: Classification) -> None:
        self._threshold = config.review_threshold
        self._min_evidence = config.min_evidence
        self._types = tuple(
            _CompiledType(slug, tuple((re.compile(r.pattern, re.IGNORECASE), r.weight) for r in t.rules))
            for slug, t in config.record_types.items()
        )

    @property
    def record_types(self) -> tuple[str, ...]:
        return tuple(t.slug for t in self._types)

    @property
    def fingerprint(self) -> str:
        """Changes when any rule, weight or type changes: a model trained on the old rules is stale."""
        rules = [[t.slug, [[p.pattern, w] for p, w in t.rules]] for t in self._types]
        return hashlib.sha256(json.dumps(rules).encode()).hexdigest()[:16]

    def evidence(self, text: str) -> dict[str, float]:
        """Weighted rule matches per record type (the learned model uses them as features)."""
        normalised = " ".join(text.split())
        return {t.slug: _evidence(t, normalised) for t in self._types}

    def evidence_spans(self, text: str) -> list[tuple[int, int, str]]:
        """Where each type's rules match in `text`: (start, end, record type), in reading order,
        never overlapping; what a reviewer sees highlighted as the evidence for each candidate."""
        found = sorted((m.start(), -m.end(), t.slug) for t in self._types for pattern, _ in t.rules
                       for m in pattern.finditer(text) if m.end() > m.start())
        spans: list[tuple[int, int, str]] = []
        for start, neg_end, slug in found:
            if not spans or start >= spans[-1][1]:
                spans.append((start, -neg_end, slug))
        return spans

    def classify_text(self, text: str) -> RecordClass:
        evidence = self.evidence(text)
        total = sum(evidence.values())
        ranked = sorted(evidence.items(), key=lambda kv: (-kv[1], kv[0]))
        candidates = tuple((slug, round(ev / total, 3)) for slug, ev in ranked[:3] if ev > 0) if total else ()
        if not candidates:
            return RecordClass(UNCLASSIFIED, 0.0, True, ())
        best, score = candidates[0]
        if score < self._threshold or ranked[0][1] < self._min_evidence:
            return RecordClass(UNCLASSIFIED, score, True, candidates)
        return RecordClass(best, score, False, candidates)


def _evidence(record_type: _CompiledType, text: str) -> float:
    return sum(
        weight * min(len(pattern.findall(text)), MAX_HITS_PER_RULE)
        for pattern, weight in record_type.rules
    )
