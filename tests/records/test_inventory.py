"""Inventory estimates: the newest counts, the history stays, and % digitised follows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from records.archive.local import Archive
from records.config import Council, InventoryEstimate, Measure, Units
from records.errors import EstimateError
from records.ledger import Ledger
from records.reporting.inventory import (
    NewEstimate,
    councils_with_estimates,
    current_estimates,
    record_estimate,
)
from records.reporting.progress import progress_rows
from tests.records.test_search import archive_one

TYPES = ("complaint", "council_tax")
COUNCILS = {
    "alpha": Council(name="Alpha", inventory=InventoryEstimate(
        total_pages=200, by_type={"council_tax": 40}, source="box count", as_of=dt.date(2025, 1, 1))),
    "beta": Council(name="Beta"),
}


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")


def _set(ledger: Ledger, council: str, pages: int, *, record_type: str | None = None, as_of: dt.date | None = None,
         source: str = "shelf audit", by: str = "a.clerk") -> None:
    record_estimate(ledger, COUNCILS, TYPES, NewEstimate(council=council, pages=pages, recorded_by=by, source=source,
                                                         record_type=record_type, as_of=as_of))


def test_without_ledger_estimates_the_yaml_counts(ledger: Ledger) -> None:
    current = current_estimates(COUNCILS, ledger.estimates())
    assert current["alpha"].pages == 200
    assert current["alpha"].describe() == "200 pages, box count, as of 2025-01-01, from councils.yaml"
    assert current["beta"].pages is None and current["beta"].describe() == "no estimate"


def test_newest_estimate_wins_and_history_is_kept(ledger: Ledger) -> None:
    _set(ledger, "alpha", 300, as_of=dt.date(2026, 3, 1), source="audit")
    _set(ledger, "alpha", 250, as_of=dt.date(2025, 6, 1), source="late-entered older figure")
    _set(ledger, "alpha", 60, record_type="council_tax")
    _set(ledger, "beta", 10, by="b.officer")
    current = current_estimates(COUNCILS, ledger.estimates())
    assert current["alpha"].total is not None
    assert (current["alpha"].pages, current["alpha"].total.source) == (300, "audit"), "newest by as-of date"
    assert current["alpha"].by_type["council_tax"].pages == 60
    assert current["beta"].pages == 10 and "recorded by b.officer" in current["beta"].describe()
    assert [row.pages for row in ledger.estimates(council="alpha")] == [300, 250, 60]


def test_same_date_estimates_the_later_recorded_wins(ledger: Ledger) -> None:
    _set(ledger, "beta", 10, as_of=dt.date(2026, 1, 1))
    _set(ledger, "beta", 12, as_of=dt.date(2026, 1, 1), source="corrected count")
    assert current_estimates(COUNCILS, ledger.estimates())["beta"].pages == 12


def test_type_estimates_alone_sum_to_the_total(ledger: Ledger) -> None:
    _set(ledger, "beta", 30, record_type="complaint")
    _set(ledger, "beta", 20, record_type="council_tax")
    beta = current_estimates(COUNCILS, ledger.estimates())["beta"]
    assert beta.total is None and beta.pages == 50
    assert beta.describe() == "sum of 2 record-type estimates (50 pages)"


def test_percent_digitised_follows_the_newest_estimate(ledger: Ledger, tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    archive_one(archive, ledger, "a", council="alpha", record_type="council_tax", pages=30)
    archive_one(archive, ledger, "b", council="beta", record_type="complaint", pages=5)

    def percent(council: str, record_type: str = "all") -> float | None:
        rows = progress_rows(councils_with_estimates(COUNCILS, ledger), ledger.counters())
        return next(r.percent for r in rows if (r.council, r.record_type) == (council, record_type))

    assert (percent("alpha"), percent("alpha", "council_tax"), percent("beta")) == (15.0, 75.0, None)
    _set(ledger, "alpha", 60, as_of=dt.date(2026, 3, 1))
    _set(ledger, "alpha", 30, record_type="council_tax")
    _set(ledger, "beta", 10)
    assert (percent("alpha"), percent("alpha", "council_tax"), percent("beta")) == (50.0, 100.0, 50.0)


@pytest.mark.parametrize(
    ("council", "pages", "extra", "message"),
    [
        ("gamma", 10, {}, "unknown council"),
        ("alpha", 10, {"record_type": "allotments"}, "unknown record type"),
        ("alpha", 0, {}, "at least 1 page"),
        ("alpha", 10, {"source": "  "}, "--source"),
        ("alpha", 10, {"as_of": dt.date.today() + dt.timedelta(days=2)}, "future"),
    ],
)
def test_record_estimate_refuses_bad_input(ledger: Ledger, council: str, pages: int, extra: dict[str, Any],
                                           message: str) -> None:
    with pytest.raises(EstimateError, match=message):
        _set(ledger, council, pages, **extra)
    assert ledger.estimates() == []


@pytest.mark.parametrize(
    ("figure", "pages", "source"),
    [
        ({"boxes": 16}, 40_000, "16 boxes x 2,500 pages/box; shelf audit"),
        ({"linear_metres": 3.2}, 16_000, "3.2 linear metres x 5,000 pages/metre; shelf audit"),
        ({"pages": 900}, 900, "shelf audit"),
    ],
)
def test_record_estimate_converts_boxes_and_metres(ledger: Ledger, figure: dict[str, Any], pages: int,
                                                   source: str) -> None:
    recorded = record_estimate(ledger, COUNCILS, TYPES, NewEstimate(council="beta", source="shelf audit",
                                                                    recorded_by="a.clerk", **figure), units=Units())
    assert recorded == pages
    [row] = ledger.estimates()
    assert (row.pages, row.source) == (pages, source)
    assert current_estimates(COUNCILS, ledger.estimates())["beta"].pages == pages


def test_record_estimate_uses_the_councils_conversion(ledger: Ledger) -> None:
    record_estimate(ledger, COUNCILS, TYPES, NewEstimate(council="alpha", boxes=1.5, source="count", recorded_by="x",
                                                         record_type="complaint"), units=Units(pages_per_box=1000))
    row = ledger.estimates()[0]
    assert (row.pages, row.record_type, row.source) == (1500, "complaint", "1.5 boxes x 1,000 pages/box; count")


@pytest.mark.parametrize(
    ("figure", "message"),
    [
        ({"pages": 10, "boxes": 1}, "exactly one of"),
        ({}, "exactly one of"),
        ({"boxes": -1}, "more than 0"),
        ({"linear_metres": 0}, "more than 0"),
        ({"linear_metres": 0.00001}, "less than 1 page"),
    ],
)
def test_record_estimate_refuses_bad_units(ledger: Ledger, figure: dict[str, Any], message: str) -> None:
    with pytest.raises(EstimateError, match=message):
        record_estimate(ledger, COUNCILS, TYPES, NewEstimate(council="alpha", source="x", recorded_by="x", **figure))
    assert ledger.estimates() == []


def test_config_estimate_in_boxes_reports_both_units() -> None:
    councils = {"gamma": Council(name="Gamma", inventory=InventoryEstimate(
        total_boxes=4, units=Units(pages_per_box=2000), by_type_units={"complaint": Measure(linear_metres=0.25)},
        source="box count", as_of=dt.date(2025, 1, 1)))}
    gamma = current_estimates(councils, [])["gamma"]
    assert gamma.pages == 8000
    assert gamma.describe() == "8000 pages (4 boxes x 2,000 pages/box), box count, as of 2025-01-01, from councils.yaml"
    assert gamma.by_type["complaint"].pages == 1250
    rows = progress_rows(councils, {})
    assert {(r.record_type, r.estimate_pages) for r in rows} == {("all", 8000), ("complaint", 1250)}


def test_cli_estimate_set_converts_boxes_and_metres(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from flows.cli import app
    from tests.conftest import ROOT

    runner = CliRunner()
    common = ["--config", str(ROOT / "config"), "--data-dir", str(tmp_path / "data"), "--by", "a.clerk"]
    done = runner.invoke(app, ["estimate", "set", "kingsmere", "--boxes", "16", "--source", "shelf audit",
                               "--as-of", "2026-01-20", *common])
    assert done.exit_code == 0, done.output
    assert "40000 pages, 16 boxes x 2,500 pages/box; shelf audit, as of 2026-01-20" in done.stdout
    done = runner.invoke(app, ["estimate", "set", "kingsmere", "--linear-metres", "0.4", "--type", "complaint",
                               "--source", "tape measure", *common])
    assert done.exit_code == 0, done.output
    both = runner.invoke(app, ["estimate", "set", "kingsmere", "--pages", "3", "--boxes", "1", "--source", "x",
                               *common])
    assert both.exit_code != 0 and "exactly one of" in both.output
    ledger = Ledger(f"sqlite:///{tmp_path / 'data' / 'ledger.db'}")
    try:
        rows = [(r.record_type, r.pages, r.source) for r in ledger.estimates(council="kingsmere")]
    finally:
        ledger.dispose()
    assert rows == [(None, 40_000, "16 boxes x 2,500 pages/box; shelf audit"),
                    ("complaint", 2_000, "0.4 linear metres x 5,000 pages/metre; tape measure")]
