"""The retraining flow on the session's Prefect server: with no reviews yet it trains on the
generated letters and the corpus, puts the model in use, and publishes the comparison."""

from __future__ import annotations

import json
from pathlib import Path

from prefect.client.orchestration import get_client

from flows.retrain import RETRAIN_KEY, retrain_classifier
from records.classify.learned import MODEL_FILE, load_model


def test_retrain_flow_trains_and_promotes_a_model(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = retrain_classifier(min_new_labels=0, generated_per_type=3, data_dir=str(data))
    assert result["status"] == "promoted" and result["reviewed_labels"] == 0
    model = load_model(data / "models" / MODEL_FILE)
    assert model is not None and model.version == result["version"]
    with get_client(sync_client=True) as client:
        [artifact] = [a for a in client.read_latest_artifacts() if a.key == RETRAIN_KEY]
    rows = json.loads(str(artifact.data))
    assert [r["model"] for r in rows] == ["new", "in use"] and rows[0]["right"] >= rows[1]["right"]

    again = retrain_classifier(min_new_labels=5, generated_per_type=3, data_dir=str(data))
    assert again["status"] == "skipped"
