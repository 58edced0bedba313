"""Retraining the record-type classifier from review, as a flow: `records.classify.retrain.retrain`
on the generated letters, the real-text corpus's train split and every reviewed record.

Scheduled nightly by the `nightly-retrain` deployment (prefect.yaml); it trains only once
`min_new_labels` reviews have arrived since the last training, and the new model is used only if
it is not worse on the held-out real texts. The run publishes the comparison as a table artifact
(scores and versions only: no text).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from flows.settings import context_for, resolve_settings
from records.classify.learned import LabelledText
from records.classify.retrain import retrain
from records.classify.review import reviewed_examples
from records.classify.rules import Classifier
from records.context import model_path
from samples.generate import generate_texts

RETRAIN_KEY = "classifier-retraining"


@flow(name="retrain-classifier", flow_run_name="retrain-classifier", log_prints=False)
def retrain_classifier(min_new_labels: int = 20, generated_per_type: int = 8,
                       config_dir: str | None = None, data_dir: str | None = None) -> dict[str, Any]:
    """Train on everything labelled; promote the new model only if it is not worse on held-out texts."""
    settings = resolve_settings(config_dir, data_dir)
    context = context_for(config_dir, data_dir)
    result = retrain(
        Classifier(settings.classification), model_path(settings).parent,
        generated=[LabelledText(t, y, generated=True) for t, y in generate_texts(generated_per_type)],
        reviewed=reviewed_examples(context.ledger, context.archive), min_new_labels=min_new_labels,
    )
    get_run_logger().info("retrain: %s", result.line())
    create_table_artifact(
        table=[{"model": name, **asdict(score)} for name, score in (("new", result.new), ("in use", result.current))
               if score is not None],
        key=RETRAIN_KEY, description=f"Classifier retraining: {result.line()}",
    )
    return asdict(result)
