"""Archival grade through the real pipeline steps: a page below the council's capture standard
sends its record to re-scan (queued, counted apart from digitised pages, exactly once), and a PDF
that fails PDF/A validation is archived as plain PDF and recorded so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fpdf import FPDF
from typer.testing import CliRunner

from flows.cli import app
from ocr import PageCapture
from records.capture import CaptureStandard, PageFigures, check_capture
from records.classify.review import review_queue, set_record_type
from records.config import Settings
from records.context import build_context
from records.errors import ExitCode
from records.intake.scan import ScanItem
from records.pipeline import PipelineContext, process_item
from records.reporting.inventory import current_progress
from tests.conftest import ROOT, render_lines

TAX = ["Council Tax reminder notice", "Account reference 12345678", "Liability order hearing"]


def _item(scans: Path, name: str) -> ScanItem:
    return ScanItem("ashbourne", "b1", scans / name, f"ashbourne/b1/{name}")


def _sidecar(ctx: PipelineContext, record_id: str) -> dict[str, Any]:
    [row] = ctx.ledger.find_records(record_id)
    return json.loads((ctx.archive.root / row.sidecar_path).read_text(encoding="utf-8"))  # type: ignore[union-attr]


def test_page_below_capture_standard_queued_for_rescan_not_counted_as_digitised(
    data_settings: Settings, tmp_path: Path
) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    render_lines(TAX, size=(2480, 900)).save(scans / "low.png", dpi=(150, 150))  # the standard asks 300
    render_lines([*TAX, "Second copy"], size=(2480, 900)).save(scans / "good.png", dpi=(300, 300))
    ctx = build_context(data_settings)

    low, good = process_item(_item(scans, "low.png"), ctx), process_item(_item(scans, "good.png"), ctx)

    assert (low.status, low.needs_review, good.status) == ("archived", True, "archived")
    [row] = ctx.ledger.find_records(low.record_id)
    assert (row.rescan_pages, row.rescan_reasons, row.needs_review) == (1, "low_resolution", True)
    sidecar = _sidecar(ctx, low.record_id)
    assert sidecar["pages"][0]["capture"]["dpi"] == 150 and sidecar["pages"][0]["rescan_reasons"] == ["low_resolution"]
    assert sidecar["capture"]["needs_rescan"] and sidecar["capture"]["standard"]["min_dpi"] == 300
    assert _rescan_view(ctx) == {"digitised": (1, 1), "rescan": (1, 1)}
    queued = {i.record_id: i.rescan_reasons for i in review_queue(ctx.ledger, ctx.archive)}
    assert queued.get(low.record_id) == "low_resolution" and good.record_id not in queued
    assert "below_capture_standard" in [e.event for e in ctx.ledger.events(record_prefix=low.record_id)]

    # A re-run counts nothing twice; a reviewer's type keeps the record counted as needing re-scan.
    assert process_item(_item(scans, "low.png"), ctx).status == "already_done"
    set_record_type(ctx.ledger, ctx.archive, low.record_id, "complaint", reviewed_by="a.clerk",
                    record_types=data_settings.classification.record_types)
    assert _rescan_view(ctx) == {"digitised": (1, 1), "rescan": (1, 1)}
    assert {c.record_type for c in ctx.ledger.counters() if c.rescan_records} == {"complaint"}

    where = ["--config", str(ROOT / "config"), "--data-dir", str(data_settings.pipeline.data_dir)]
    shown = CliRunner().invoke(app, ["progress", "--council", "ashbourne", "--json", *where])
    assert shown.exit_code == 0, shown.output
    total = next(r for r in json.loads(shown.stdout)["progress"] if r["record_type"] == "all")
    assert (total["pages"], total["rescan_records"], total["rescan_pages"]) == (1, 1, 1)

    # Its paper may not be destroyed, though no longer in review for its type and signed off.
    assert CliRunner().invoke(app, ["batch", "signoff", "ashbourne", "b1", "--by", "q.checker", "--sample", "1",
                                    "--findings", "sampled", *where]).exit_code == 0
    refused = CliRunner().invoke(app, ["batch", "destroyable", "ashbourne", "b1", "--by", "r.manager", *where])
    assert refused.exit_code == ExitCode.not_destroyable
    assert "needs_rescan" in refused.output and "in_review" not in refused.output

    # A person may accept the scan as the best the paper allows: then it counts as digitised, once.
    for _ in range(2):
        accepted = CliRunner().invoke(app, ["review", "accept-capture", low.record_id[:12], "--by", "a.clerk", *where])
    assert accepted.exit_code == ExitCode.usage and "not waiting for re-scan" in accepted.output
    assert _rescan_view(ctx) == {"digitised": (2, 2), "rescan": (0, 0)}
    assert low.record_id not in {i.record_id for i in review_queue(ctx.ledger, ctx.archive)}
    [event] = [e for e in ctx.ledger.events(record_prefix=low.record_id) if e.event == "capture_accepted"]
    assert (event.actor, event.detail["reasons"]) == ("a.clerk", "low_resolution")


def _rescan_view(ctx: PipelineContext) -> dict[str, tuple[int, int]]:
    """Ashbourne's progress row: (records, pages) digitised and needing re-scan."""
    total = next(r for r in current_progress({}, ctx.ledger, only="ashbourne") if r.record_type == "all")
    return {"digitised": (total.records, total.pages), "rescan": (total.rescan_records, total.rescan_pages)}


def test_pdf_failing_pdfa_validation_archived_as_plain_pdf_and_recorded(data_settings: Settings, tmp_path: Path) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    doc = FPDF()
    doc.add_page()
    doc.set_font("Helvetica", size=11)  # not embedded: PDF/A forbids it
    for line in TAX:
        doc.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    doc.output(str(scans / "letter.pdf"))
    ctx = build_context(data_settings)

    outcome = process_item(_item(scans, "letter.pdf"), ctx)

    assert outcome.status == "archived"
    [row] = ctx.ledger.find_records(outcome.record_id)
    archived = _sidecar(ctx, outcome.record_id)["archive"]
    assert row.archive_format == archived["format"] == "pdf"
    assert any(rule.startswith("ISO_19005_2:6.2.11.4") for rule in archived["pdfa_findings"]), archived
    assert archived["pdfa_validator"].startswith("pikepdf")
    [event] = [e for e in ctx.ledger.events(record_prefix=outcome.record_id) if e.event == "archived"]
    assert event.detail["archive_format"] == "pdf"


def test_capture_check_judges_each_limit() -> None:
    standard = CaptureStandard(min_dpi=300, min_colour_depth=8, max_skew_degrees=5, max_blank_share=0.5)
    pages = [
        PageFigures(1, PageCapture(2480, 3508, 300, 8), 0.4, False),  # A4 at 300 dpi, grey: meets it
        PageFigures(2, PageCapture(1240, 1754, 150, 1), 0.0, False),  # 150 dpi, bitonal
        PageFigures(3, PageCapture(2480, 3508, 72, 24), 0.0, False),  # a wrong resolution: 875 x 1237 mm
        PageFigures(4, PageCapture(200, 200, 300, 8), 7.5, False),    # 17 mm square, crooked
        PageFigures(5, None, 0.0, True),                              # born digital, blank
    ]
    check = check_capture(standard, pages)
    assert dict(check.pages) == {
        2: ("low_resolution", "low_colour_depth"),
        3: ("low_resolution", "page_too_large"),
        4: ("page_too_small", "too_skewed"),
    }
    assert check.record == () and check.rescan_pages == 3
    assert check_capture(standard, [pages[4], pages[4], pages[0]]).record == ("too_many_blank_pages",)
