"""Every configuration file in config/ validates, and bad ones fail with a clear error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from records.config import Settings, load_settings
from records.errors import ConfigError
from tests.conftest import ROOT


def test_shipped_config_is_valid(settings: Settings) -> None:
    assert {"ashbourne", "kingsmere", "glanyrafon", "thornbury"} <= set(settings.councils)
    assert settings.councils["glanyrafon"].languages == "eng+cym"
    assert settings.councils["thornbury"].inventory is None
    assert len(settings.classification.record_types) >= 9
    assert settings.pipeline.ocr.fixed_psm is None  # each page's columns choose


def test_a_configured_psm_is_used_for_every_page(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    path = config / "pipeline.yaml"
    path.write_text(path.read_text().replace("psm: auto", "psm: 6"))
    assert load_settings(config).pipeline.ocr.fixed_psm == 6


@pytest.mark.parametrize(
    ("file", "old", "new", "fragment"),
    [
        ("pipeline.yaml", "dpi: 300", "dpi: 30", "dpi"),
        ("pipeline.yaml", "psm: auto", "psm: columns", "psm"),
        ("pipeline.yaml", "psm: auto", "psm: 14", "psm"),
        ("councils.yaml", "total_pages: 40", "total_pages: -1", "total_pages"),
        ("councils.yaml", "council_tax: 8", "allotments: 8", "unknown record types"),
        ("record_types.yaml", "review_threshold: 0.55", "review_threshold: 3", "review_threshold"),
        ("pipeline.yaml", "archive_pdf: pdfa-2b", "archive_pdf: pdfa-3u", "archive_pdf"),
        ("pipeline.yaml", "min_colour_depth: 1 ", "min_colour_depth: 12 ", "min_colour_depth"),
        ("pipeline.yaml", "max_page_mm: 1200", "max_page_mm: 20", "min_page_mm .* must be below max_page_mm"),
        ("pipeline.yaml", "max_skew_degrees: 5", "max_skew: 5", "max_skew"),
        ("councils.yaml", "    name: Kingsmere City Council\n",
         "    name: Kingsmere City Council\n    capture: {min_dpi: 10}\n", "min_dpi"),
        ("councils.yaml", "    name: Kingsmere City Council\n",
         "    name: Kingsmere City Council\n    capture: {min_page_mm: 2000}\n", "council kingsmere: capture"),
    ],
)
def test_bad_config_raises_config_error(tmp_path: Path, file: str, old: str, new: str, fragment: str) -> None:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    path = config / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    with pytest.raises(ConfigError, match=fragment):
        load_settings(config)


def _inventory_config(tmp_path: Path, old: str, new: str) -> Path:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    path = config / "councils.yaml"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    return config


@pytest.mark.parametrize(
    ("new", "pages", "basis"),
    [
        ("total_boxes: 16", 40_000, "16 boxes x 2,500 pages/box"),
        ("total_linear_metres: 3.2", 16_000, "3.2 linear metres x 5,000 pages/metre"),
        ("total_pages: 7", 7, "7 pages"),
    ],
)
def test_totals_in_boxes_metres_or_pages_convert(tmp_path: Path, new: str, pages: int, basis: str) -> None:
    settings = load_settings(_inventory_config(tmp_path, "total_pages: 7", new))
    inventory = settings.councils["glanyrafon"].inventory
    assert inventory is not None
    assert (inventory.pages, inventory.total, inventory.basis) == (pages, pages, basis)


def test_council_units_override_and_per_type_units(tmp_path: Path) -> None:
    config = _inventory_config(
        tmp_path, "      total_pages: 40\n", "      total_boxes: 2\n      by_type_units: {social_care: {linear_metres: 0.5}}\n")
    path = config / "councils.yaml"
    path.write_text(path.read_text().replace(
        "    name: Ashbourne Borough Council\n",
        "    name: Ashbourne Borough Council\n    units: {pages_per_box: 1000, pages_per_linear_metre: 400}\n"))
    settings = load_settings(config)
    inventory = settings.councils["ashbourne"].inventory
    assert inventory is not None
    assert (inventory.pages, inventory.basis) == (2000, "2 boxes x 1,000 pages/box")
    assert inventory.type_pages == {"council_tax": 8, "planning_application": 10, "complaint": 4, "social_care": 200}
    assert inventory.type_bases["social_care"] == "0.5 linear metres x 400 pages/metre"
    assert settings.units_for("ashbourne").pages_per_box == 1000
    assert settings.units_for("kingsmere").pages_per_box == 2500  # the top-level table


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("total_pages: 7", "total_pages: 7\n      total_boxes: 1", "at most one total form"),
        ("total_pages: 7", "total_boxes: -2", "total_boxes"),
        ("total_pages: 7", "total_linear_metres: 0", "total_linear_metres"),
        ("total_pages: 7", "total_linear_metres: 0.00001", "less than 1 page"),
        ("total_pages: 7", "total_furlongs: 2", "total_furlongs"),
        ("total_pages: 12", "total_pages: 12\n      by_type_units: {complaint: {boxes: 1}}", "more than the total"),
        ("total_pages: 12", "by_type_units: {complaint: {boxes: 1, pages: 3}}", "exactly one of"),
        ("pages_per_box: 2500", "pages_per_box: 0", "pages_per_box"),
    ],
)
def test_bad_inventory_units_raise_config_error(tmp_path: Path, old: str, new: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        load_settings(_inventory_config(tmp_path, old, new))


def test_archive_format_and_capture_standard_default_and_per_council(tmp_path: Path) -> None:
    config = _inventory_config(tmp_path, "    name: Kingsmere City Council\n",
                               "    name: Kingsmere City Council\n    archive_pdf: pdf\n"
                               "    capture: {min_dpi: 400, min_colour_depth: 8}\n")
    settings = load_settings(config)
    assert (settings.archive_pdf_for("kingsmere"), settings.archive_pdf_for("ashbourne")) == ("pdf", "pdfa-2b")
    own, default = settings.capture_for("kingsmere"), settings.capture_for("ashbourne")
    assert (own.min_dpi, own.min_colour_depth, own.max_skew_degrees) == (400, 8, default.max_skew_degrees)
    assert (default.min_dpi, default.min_colour_depth, default.max_page_mm) == (300, 1, 1200)


def test_record_types_carry_lgcs_and_retention(settings: Settings) -> None:
    types = settings.classification.record_types
    assert all(t.lgcs and t.retention for t in types.values())
    assert types["council_tax"].lgcs == "Finance / Revenues / Council tax"
    assert types["council_tax"].retention.describe() == "6 years after end of financial year"
    assert types["planning_application"].retention.period == "indefinite"


@pytest.mark.parametrize(
    "retention", ["{period_years: -1}", "{period_years: 6, period: indefinite}", "{}", "{period: forever}"]
)
def test_bad_retention_raises_config_error(tmp_path: Path, retention: str) -> None:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    path = config / "record_types.yaml"
    old = 'retention: {period_years: 6, trigger: "end of financial year"}'
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, f"retention: {retention}", 1))
    with pytest.raises(ConfigError, match="retention"):
        load_settings(config)


def test_with_data_dir_moves_sqlite_ledger_but_keeps_a_server_ledger(settings: Settings, tmp_path: Path) -> None:
    sqlite_url = settings.pipeline.model_copy(update={"ledger_url": "sqlite:////elsewhere/ledger.db"})
    moved = settings.model_copy(update={"pipeline": sqlite_url}).with_data_dir(tmp_path)
    assert moved.pipeline.ledger == f"sqlite:///{tmp_path / 'ledger.db'}"
    assert moved.pipeline.archive_dir == tmp_path / "archive"

    server = "postgresql+psycopg://digitise@db-host/digitise"
    pg = settings.pipeline.model_copy(update={"ledger_url": server})
    kept = settings.model_copy(update={"pipeline": pg}).with_data_dir(tmp_path)
    assert kept.pipeline.ledger == server
    assert kept.pipeline.archive_dir == tmp_path / "archive"
