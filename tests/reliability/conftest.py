"""Reliability tests without Prefect: the domain on real Tesseract, real files and a real SQLite ledger."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from records.config import Settings
from records.context import build_context
from records.intake.scan import ScanItem, discover
from records.pipeline import PipelineContext, process_item
from tests.conftest import render_lines

TAX = ["Council Tax Demand Notice 2026/27", "Local Government Finance Act 1992", "Valuation band C"]
PLANNING = ["Town and Country Planning Act 1990", "Decision Notice: Grant of Planning Permission"]
SMALL_PAGE = (1240, 420)


@pytest.fixture
def context(data_settings: Settings) -> Iterator[PipelineContext]:
    pixel_limit = Image.MAX_IMAGE_PIXELS
    yield build_context(data_settings)
    Image.MAX_IMAGE_PIXELS = pixel_limit


@pytest.fixture
def scan_root(tmp_path: Path) -> Path:
    """Two small letters in one batch."""
    batch = tmp_path / "scans" / "ashbourne" / "b1"
    batch.mkdir(parents=True)
    render_lines(TAX, size=SMALL_PAGE).save(batch / "tax.png", dpi=(300, 300))
    render_lines(PLANNING, size=SMALL_PAGE).save(batch / "planning.png", dpi=(300, 300))
    return tmp_path / "scans"


@pytest.fixture
def items(scan_root: Path, data_settings: Settings) -> list[ScanItem]:
    accepted, refused = discover(scan_root, known_councils=data_settings.councils)
    assert not refused
    return accepted


@pytest.fixture
def archived(items: list[ScanItem], context: PipelineContext) -> PipelineContext:
    """The two letters archived, as a batch would."""
    assert [process_item(item, context).status for item in items] == ["archived", "archived"]
    return context
