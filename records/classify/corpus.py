"""Labelled real texts for training and for the held-out evaluation, kept apart.

The corpus (samples/real_text/, see samples/real_corpus.py) holds published council, ombudsman
and public-body texts with a fixed split. Training code asks for `training_texts`, which never
contains a held-out text; the benchmark and the model gate ask for `heldout_texts`.
Reviewed records that happen to be held-out texts are dropped (`without_heldout`), and
`check_disjoint` is the last guard before fitting: a training set that still holds any held-out
text is refused, so the held-out score stays honest.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from records.classify.learned import LabelledText
from records.errors import TrainingError

#: The corpus committed with the project.
DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "samples" / "real_text"
HELDOUT = "heldout"
TRAIN = "train"


@dataclass(frozen=True, slots=True)
class CorpusText:
    id: str
    record_type: str
    split: str
    text: str

    def labelled(self) -> LabelledText:
        """As a training example, grouped by source document (the id before its last `-`)."""
        return LabelledText(self.text, self.record_type, group=self.id.rsplit("-", 1)[0])


def load_corpus(root: Path = DEFAULT_ROOT) -> list[CorpusText]:
    """Every text of the manifest, in manifest order; a missing or unreadable corpus is a TrainingError."""
    try:
        with (root / "manifest.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        return [CorpusText(r["id"], r["record_type"], r["split"],
                           (root / r["record_type"] / f"{r['id']}.txt").read_text(encoding="utf-8"))
                for r in rows]
    except (OSError, KeyError) as e:
        raise TrainingError(f"real-text corpus at {root} is incomplete ({type(e).__name__})") from e


def training_texts(root: Path = DEFAULT_ROOT) -> list[LabelledText]:
    """The train split only."""
    return [t.labelled() for t in load_corpus(root) if t.split == TRAIN]


def heldout_texts(root: Path = DEFAULT_ROOT) -> list[CorpusText]:
    """The held-out split: for evaluation, never for fitting."""
    return [t for t in load_corpus(root) if t.split == HELDOUT]


def _fingerprint(text: str) -> str:
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()


def without_heldout(examples: Sequence[LabelledText], heldout: Iterable[CorpusText]) -> list[LabelledText]:
    """The examples minus any that is a held-out text (a reviewed record can be one)."""
    held = {_fingerprint(t.text) for t in heldout}
    return [e for e in examples if _fingerprint(e.text) not in held]


def check_disjoint(examples: Sequence[LabelledText], heldout: Iterable[CorpusText]) -> None:
    """Refuse a training set that contains a held-out text (compared with whitespace and case folded)."""
    held = {_fingerprint(t.text): t.id for t in heldout}
    leaked = sorted({held[f] for f in (_fingerprint(e.text) for e in examples) if f in held})
    if leaked:
        raise TrainingError(f"training examples include {len(leaked)} held-out evaluation texts; "
                            "they are for evaluation only")
