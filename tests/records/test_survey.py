"""Issue #9: the three-way split, the survey's answer and the forecast, each figure recomputed
here from the ledger's own rows (records, estimates, exclusions)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from typer.testing import CliRunner

from flows.cli import app
from records.archive.local import Archive
from records.config import Council, InventoryEstimate
from records.errors import EstimateError
from records.ledger import ExclusionRow, Ledger, RecordRow
from records.ledger.schema import records_table
from records.reporting.inventory import (
    NewEstimate,
    NewExclusion,
    current_progress,
    record_estimate,
    record_exclusion,
)
from records.reporting.survey import CANNOT_SAY, build_survey, survey_csv, write_survey
from tests.records.test_search import archive_one, sha_of

NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
TODAY = NOW.date()
TYPES = ("complaint", "council_tax")
COUNCILS = {
    "alpha": Council(name="Alpha", inventory=InventoryEstimate(
        total_pages=20, by_type={"council_tax": 10}, source="box count", as_of=TODAY - dt.timedelta(days=100))),
    "beta": Council(name="Beta", inventory=InventoryEstimate(
        total_pages=4, source="old audit", as_of=TODAY - dt.timedelta(days=2000))),
    "gamma": Council(name="Gamma"),
    "delta": Council(name="Delta"),
    "epsilon": Council(name="Epsilon", inventory=InventoryEstimate(total_pages=50, source="someone said")),
}
# (name, council, type, pages, days ago)
RECORDS = [("a1", "alpha", "council_tax", 3, 2), ("a2", "alpha", "complaint", 2, 40), ("a3", "alpha", "council_tax", 1, 27),
           ("b1", "beta", "complaint", 4, 1), ("g1", "gamma", "complaint", 6, 3), ("g2", "gamma", "council_tax", 4, 10),
           ("e1", "epsilon", "complaint", 5, 5)]


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    ledger = Ledger(f"sqlite:///{tmp_path / 'data' / 'ledger.db'}")  # where the CLI looks with --data-dir
    archive = Archive(tmp_path / "archive")
    for name, council, record_type, pages, days_ago in RECORDS:
        archive_one(archive, ledger, name, council=council, record_type=record_type, pages=pages, indexed=False)
        with ledger.engine.begin() as conn:
            conn.execute(records_table.update().where(records_table.c.source_sha256 == sha_of(name))
                         .values(archived_at=NOW - dt.timedelta(days=days_ago, hours=1)))
    record_estimate(ledger, COUNCILS, TYPES, NewEstimate(council="gamma", pages=30, source="first count",
                                                         recorded_by="x"))
    record_estimate(ledger, COUNCILS, TYPES, NewEstimate(council="gamma", pages=12, source="shelf audit",
                                                         recorded_by="a.clerk"))
    record_exclusion(ledger, COUNCILS, TYPES, NewExclusion(council="alpha", pages=4, reason="duplicate",
                                                           note="second copies", recorded_by="a.clerk",
                                                           record_type="council_tax"))
    record_exclusion(ledger, COUNCILS, TYPES, NewExclusion(council="gamma", pages=1, reason="past_retention",
                                                           note="1990s rent cards, schedule 4.2",
                                                           recorded_by="a.clerk"))
    record_exclusion(ledger, COUNCILS, TYPES, NewExclusion(council="gamma", pages=1, reason="out_of_scope",
                                                           note="leaflets", recorded_by="a.clerk"))
    return ledger


# --- an independent recomputation from the ledger's rows -------------------------------------

def _estimate(ledger: Ledger, council: str, record_type: str | None = None) -> int | None:
    rows = [r for r in ledger.estimates(council=council) if r.record_type == record_type]
    if rows:
        return rows[-1].pages  # all undated here: the newest recorded wins
    inv = COUNCILS[council].inventory
    if inv is None:
        return None
    return inv.total_pages if record_type is None else inv.by_type.get(record_type)


def _sums(rows: Iterable[RecordRow | ExclusionRow], council: str, record_type: str | None) -> int:
    return sum(r.pages for r in rows if r.council == council and (record_type is None or r.record_type == record_type))


def _expected(ledger: Ledger, council: str, record_type: str | None = None) -> dict[str, Any]:
    done = _sums(ledger.records(), council, record_type)
    skip = _sums(ledger.exclusions(), council, record_type)
    est = _estimate(ledger, council, record_type)
    if est is None:
        return {"digitised": done, "not_needed": skip, "outstanding": None, "percent": None}
    scope = est - skip
    whole = 100 * done / scope
    band = ("100%" if done >= scope else "0–25%" if whole < 26 else "26–50%" if whole < 51
            else "51–75%" if whole < 76 else "76–99%")
    return {"digitised": done, "not_needed": skip, "outstanding": max(0, scope - done),
            "percent": round(whole, 1), "band": band}


def _rate(ledger: Ledger, council: str, record_type: str | None, window: int) -> float:
    start = NOW - dt.timedelta(days=window)
    pages = sum(r.pages for r in ledger.records(council=council)
                if start <= r.archived_at.replace(tzinfo=dt.timezone.utc) < NOW
                and (record_type is None or r.record_type == record_type))
    return pages / window


# --- tests -----------------------------------------------------------------------------------

def test_progress_rows_three_way_split_matches_ledger(ledger: Ledger) -> None:
    rows = {(r.council, r.record_type): r for r in current_progress(COUNCILS, ledger)}
    for council, record_type in [("alpha", None), ("alpha", "council_tax"), ("gamma", None), ("delta", None)]:
        row = rows[(council, record_type or "all")]
        want = _expected(ledger, council, record_type)
        assert (row.pages, row.not_needed, row.outstanding, row.percent) == (
            want["digitised"], want["not_needed"], want["outstanding"], want["percent"]), (council, record_type)
    assert (rows[("alpha", "all")].percent, rows[("alpha", "all")].band) == (37.5, "26–50%")  # 6 / (20 - 4)
    assert (rows[("gamma", "all")].band, rows[("gamma", "all")].outstanding) == ("100%", 0)  # 10 / (12 - 2)


def test_survey_answers_bands_and_cannot_say_reasons(ledger: Ledger) -> None:
    survey = build_survey(COUNCILS, ledger, now=NOW, max_estimate_age_days=1095, window_days=28)
    answers = {a.council: a for a in survey.answers}
    for slug in ("alpha", "gamma"):
        want = _expected(ledger, slug)
        a = answers[slug]
        assert a.can_say and (a.digitised, a.not_needed, a.outstanding, a.percent, a.band) == (
            want["digitised"], want["not_needed"], want["outstanding"], want["percent"], want["band"])
    assert answers["alpha"].fully_digitised is False and answers["gamma"].fully_digitised is True
    assert "2000 days old" in answers["beta"].reason and answers["beta"].band == CANNOT_SAY
    assert answers["delta"].reason == "no inventory estimate"
    assert answers["epsilon"].reason == "the estimate is undated"
    assert all(answers[c].fully_digitised is None and answers[c].percent is None for c in ("beta", "delta", "epsilon"))
    assert survey.band_summary == {"0–25%": 0, "26–50%": 1, "51–75%": 0, "76–99%": 0, "100%": 1, CANNOT_SAY: 3}
    stricter = build_survey(COUNCILS, ledger, now=NOW, max_estimate_age_days=99)
    assert {a.council for a in stricter.answers if not a.can_say} == {"alpha", "beta", "delta", "epsilon"}


def test_forecast_rate_completion_and_needed_rate(ledger: Ledger) -> None:
    target = TODAY + dt.timedelta(days=100)
    survey = build_survey(COUNCILS, ledger, now=NOW, window_days=28, target_date=target)
    forecasts = {(f.council, f.record_type): f for f in survey.forecasts}
    assert set(forecasts) == {(c, "all") for c in COUNCILS} | {("alpha", "council_tax")}
    for council, record_type in [("alpha", None), ("alpha", "council_tax"), ("beta", None)]:
        f = forecasts[(council, record_type or "all")]
        left = _expected(ledger, council, record_type)["outstanding"]
        rate = _rate(ledger, council, record_type, 28)
        assert f.outstanding == left and f.rate_per_day == round(rate, 2)
        if left:
            assert f.completion == TODAY + dt.timedelta(days=math.ceil(left / rate))
            assert f.rate_needed == round(left / 100, 2)
    alpha = forecasts[("alpha", "all")]  # 10 outstanding at 4 pages / 28 days: 70 days, inside the target
    assert (alpha.outstanding, alpha.pages_in_window, alpha.status) == (10, 4, "at current rate, on track")
    assert forecasts[("gamma", "all")].status == "done"
    assert forecasts[("delta", "all")].status == "no estimate"
    slow = build_survey(COUNCILS, ledger, now=NOW, window_days=28, target_date=TODAY + dt.timedelta(days=30))
    assert {(f.council, f.record_type): f.status for f in slow.forecasts}[("alpha", "all")] == (
        "at current rate, behind target")


def test_exclusion_refuses_unknown_reason_type_and_empty_note(ledger: Ledger) -> None:
    for kwargs in ({"reason": "boring"}, {"record_type": "nope"}, {"note": " "}, {"pages": 0}):
        args: dict[str, Any] = {"council": "alpha", "pages": 1, "reason": "duplicate", "note": "n",
                                "recorded_by": "x", **kwargs}
        with pytest.raises(EstimateError):
            record_exclusion(ledger, COUNCILS, TYPES, NewExclusion(**args))
    assert [r.pages for r in ledger.exclusions(council="gamma")] == [1, 1], "history kept, entries add up"


def test_write_survey_files_agree_with_the_answers(ledger: Ledger, tmp_path: Path) -> None:
    survey = build_survey(COUNCILS, ledger, now=NOW, target_date=TODAY + dt.timedelta(days=100))
    files = write_survey(survey, tmp_path / "out")
    rows = {r["council"]: r for r in csv.DictReader(io.StringIO(survey_csv(survey)))}
    assert (rows["alpha"]["percent_digitised"], rows["alpha"]["pages_not_needing_digitisation"]) == ("37.5", "4")
    assert rows["delta"]["can_say"] == "no" and rows["delta"]["band"] == CANNOT_SAY
    md = files.markdown.read_text()
    assert "| 26–50% | 1 |" in md and f"| {CANNOT_SAY} | 3 |" in md and "## Forecast" in md
    assert "alpha,all,10,28,4," in files.forecast_csv.read_text()
    with Image.open(files.chart) as image:
        assert image.format == "PNG" and image.size == (1400, 600)


def test_cli_survey_prints_table_and_forecast(ledger: Ledger, tmp_path: Path) -> None:
    data = tmp_path / "data"
    config = Path(__file__).resolve().parents[2] / "config"
    result = CliRunner().invoke(app, ["survey", "--config", str(config), "--data-dir", str(data), "--out",
                                      str(tmp_path / "out"), "--target-date", str(TODAY + dt.timedelta(days=60))])
    assert result.exit_code == 0, result.output
    assert "Councils per band" in result.output and "cannot say: " in result.output
    assert (tmp_path / "out" / "survey.png").exists()
