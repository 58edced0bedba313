"""prefect.yaml, read without a server: every deployment loads its flow and fits its signature."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
import yaml
from prefect.flows import load_flow_from_entrypoint

from tests.conftest import ROOT

DEPLOYMENTS: list[dict[str, Any]] = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]


def test_prefect_yaml_deploys_each_operation_once() -> None:
    assert sorted((d["entrypoint"], d["name"]) for d in DEPLOYMENTS) == [
        ("flows/batch.py:digitise_scan_root", "nightly"),
        ("flows/batch.py:digitise_scan_root", "on-demand"),
        ("flows/batch.py:progress_report", "morning"),
        ("flows/fixity.py:verify_archive", "weekly"),
        ("flows/retrain.py:retrain_classifier", "nightly-retrain"),
        ("flows/shards.py:fan_out", "on-demand"),
        ("flows/watch.py:sweep_new_batches", "every-15-minutes"),
    ]


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=lambda d: f"{d['entrypoint'].split(':')[1]}/{d['name']}")
def test_prefect_yaml_deployment_loads_flow_with_its_parameters(deployment: dict[str, Any]) -> None:
    flow = load_flow_from_entrypoint(str(ROOT / deployment["entrypoint"]))
    accepted = inspect.signature(flow.fn).parameters
    assert set(deployment["parameters"]) <= set(accepted)
    assert deployment["work_pool"]["name"] == "digitise-local"
    on_demand = deployment["name"] == "on-demand"
    assert [s["timezone"] for s in deployment["schedules"]] == ([] if on_demand else ["Europe/London"])
