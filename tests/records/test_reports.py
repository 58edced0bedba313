"""The progress report: survey bands, the estimate each figure rests on, CSV/Markdown/PNG files."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from records.archive.local import Archive
from records.config import Council, InventoryEstimate
from records.ledger import Ledger
from records.ledger.schema import records_table
from records.reporting.inventory import NewEstimate, record_estimate
from records.reporting.reports import (
    CANNOT_SAY,
    build_report,
    markdown_report,
    progress_csv,
    render_chart,
    write_report,
)
from tests.records.test_search import archive_one, sha_of

COUNCILS = {
    "alpha": Council(name="Alpha Borough", inventory=InventoryEstimate(total_pages=20, source="box count")),
    "beta": Council(name="Beta City", inventory=InventoryEstimate(total_pages=4, source="register")),
    "gamma": Council(name="=HYPERLINK(\"x\")", inventory=InventoryEstimate(total_pages=100, source="guess")),
    "delta": Council(name="Delta District"),
}


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    archive = Archive(tmp_path / "archive")
    archive_one(archive, ledger, "a1", council="alpha", record_type="council_tax", pages=3, confidence=55.0)
    archive_one(archive, ledger, "a2", council="alpha", record_type="complaint", pages=2, needs_review=True)
    archive_one(archive, ledger, "b1", council="beta", record_type="complaint", pages=4)
    archive_one(archive, ledger, "d1", council="delta", record_type="complaint", pages=1)
    with ledger.engine.begin() as conn:  # spread the work over two days
        conn.execute(records_table.update().where(records_table.c.source_sha256 == sha_of("a1"))
                     .values(archived_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.timezone.utc)))
    return ledger


def test_build_report_numbers_bands_and_cannot_say(ledger: Ledger) -> None:
    report = build_report(COUNCILS, ledger, min_confidence=70.0)
    lines = {c.council: c for c in report.councils}
    alpha = lines["alpha"]
    assert (alpha.pages, alpha.estimate_pages, alpha.percent, alpha.band) == (5, 20, 25.0, "0–25%")
    assert (alpha.low_confidence_pages, alpha.pages_with_confidence, alpha.awaiting_review) == (3, 5, 1)
    assert alpha.pages_by_type == {"complaint": 2, "council_tax": 3}
    assert alpha.estimate_basis == "20 pages, box count, from councils.yaml"
    assert (lines["beta"].band, lines["gamma"].band, lines["delta"].band) == ("100%", "0–25%", "unknown")
    assert report.band_summary == {"0–25%": 2, "26–50%": 0, "51–75%": 0, "76–99%": 0, "100%": 1, CANNOT_SAY: 1}
    assert report.daily[0] == ("2026-11-02", "alpha", 3)
    assert sum(p for _, _, p in report.daily) == 10


def test_report_follows_a_new_estimate_and_names_it(ledger: Ledger) -> None:
    record_estimate(ledger, COUNCILS, ["complaint"], NewEstimate(council="alpha", pages=10, source="shelf audit",
                                                                 recorded_by="a.clerk", as_of=dt.date(2026, 11, 1)))
    record_estimate(ledger, COUNCILS, ["complaint"], NewEstimate(council="delta", pages=2, source="first count",
                                                                 recorded_by="a.clerk"))
    report = build_report(COUNCILS, ledger)
    lines = {c.council: c for c in report.councils}
    assert (lines["alpha"].percent, lines["alpha"].band) == (50.0, "26–50%")
    assert lines["alpha"].estimate_basis.startswith("10 pages, shelf audit, as of 2026-11-01, recorded by a.clerk")
    assert report.band_summary[CANNOT_SAY] == 0 and lines["delta"].band == "26–50%"
    assert "10 pages, shelf audit" in markdown_report(report)


def test_markdown_has_survey_summary_and_tables(ledger: Ledger) -> None:
    text = markdown_report(build_report(COUNCILS, ledger))
    assert "| Cannot say (no estimate) | 1 |" in text
    assert "| 0–25% | 2 |" in text
    assert "| Alpha Borough (alpha) | 2 | 5 | 20 | 25.0% | 0–25% |" in text
    assert "## Pages by record type" in text and "## Pages digitised per day" in text
    assert "| 2026-11-02 | 3 | 0 | 0 | 3 |" in text


def test_csv_rows_and_formula_guard(ledger: Ledger) -> None:
    rows = list(csv.DictReader(io.StringIO(progress_csv(build_report(COUNCILS, ledger)))))
    alpha = next(r for r in rows if (r["council"], r["record_type"]) == ("alpha", "all"))
    assert (alpha["pages_digitised"], alpha["percent_digitised"]) == ("5", "25.0")
    assert alpha["pages_below_70_confidence"] == "3"
    gamma = next(r for r in rows if r["council"] == "gamma")
    assert gamma["council_name"].startswith("'="), "a spreadsheet must not run it as a formula"
    assert {r["record_type"] for r in rows if r["council"] == "alpha"} == {"all", "complaint", "council_tax"}


def test_write_report_writes_four_readable_files(ledger: Ledger, tmp_path: Path) -> None:
    files = write_report(build_report(COUNCILS, ledger), tmp_path / "out")
    for path in (files.csv, files.daily_csv, files.markdown, files.chart):
        assert path.is_file() and path.stat().st_size > 0
    with Image.open(files.chart) as image:
        assert image.format == "PNG" and image.size == (1600, 1100)
        chart = np.asarray(image.convert("RGB"))
    assert _share_not_white(chart) > 0.1, "a chart with bars is mostly drawn on"  # 22 % measured
    quarter, full = _pixels_of(chart, BAND_0_25), _pixels_of(chart, BAND_100)
    assert quarter > 5000, "alpha's 25 % bar is drawn in its band's colour"
    assert full / quarter == pytest.approx(4, rel=0.1), "beta's 100 % bar is four times alpha's 25 %"
    assert files.daily_csv.read_text().splitlines()[0] == "day_utc,council,pages_digitised"


def test_render_chart_with_an_empty_ledger(tmp_path: Path) -> None:
    png = render_chart(build_report(COUNCILS, Ledger(f"sqlite:///{tmp_path / 'empty.db'}")))
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (1600, 1100)
        chart = np.asarray(image.convert("RGB"))
    assert _share_not_white(chart) > 0.02, "blank chart"  # 5 % measured: titles, axes, legend
    assert _pixels_of(chart, BAND_0_25) < 1000, "0 % is no bar: the band's colour is in the legend only"


#: Two of the FoI bands' colours in the chart (records/reporting/reports.py).
BAND_0_25, BAND_100 = "#d7301f", "#238443"


def _pixels_of(chart: np.ndarray, colour: str) -> int:
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return int((chart == rgb).all(axis=-1).sum())


def _share_not_white(chart: np.ndarray) -> float:
    return float((chart != 255).any(axis=-1).mean())
