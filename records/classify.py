"""Record-type classification from the weighted rules in config/record_types.yaml.

Evidence for a type is the weighted count of its rules' matches (each rule counted at
most three times, so one repeated phrase cannot outvote a statute and a reference format).
The score is the winning type's share of all evidence: a letter that reads equally like
two types scores about 0.5 and goes to review instead of being filed with false confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from records.config import UNCLASSIFIED, Classification

MAX_HITS_PER_RULE = 3


@dataclass(frozen=True, slots=True)
class RecordClass:
    record_type: str
    score: float
    needs_review: bool
    candidates: tuple[tuple[str, float], ...]


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

    def classify_text(self, text: str) -> RecordClass:
        normalised = " ".join(text.split())
        evidence = {t.slug: _evidence(t, normalised) for t in self._types}
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
