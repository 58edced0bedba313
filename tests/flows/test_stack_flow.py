"""Scanned stacks (many records in one file) through the real flow: real Tesseract, SQLite, Prefect."""

from __future__ import annotations

import json
import shutil
import struct
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from flows import digitise_scan_root
from flows.cli import app
from flows.settings import context_for
from records.archive.local import sha256_file
from records.errors import ExitCode
from records.stack_part import record_id_for
from samples.stacks import SampleStack, generate_stacks
from tests.conftest import ROOT

runner = CliRunner()


def _config(tmp_path: Path, council: str, separation: dict[str, Any], name: str = "config") -> str:
    """The real config, with `separation` for `council` and no quarantine limit."""
    config = tmp_path / name
    shutil.copytree(ROOT / "config", config)
    councils = config / "councils.yaml"
    data = yaml.safe_load(councils.read_text())
    data["councils"][council]["separation"] = separation
    councils.write_text(yaml.safe_dump(data))
    pipeline = config / "pipeline.yaml"
    pipeline.write_text(pipeline.read_text().replace("max_quarantined_share: 0.2", "max_quarantined_share: 1.0"))
    return str(config)


def _stack(tmp_path: Path, method: str, fmt: str, records: int, seed: int = 3) -> tuple[Path, SampleStack]:
    scans = tmp_path / "scans"
    [stack] = generate_stacks(scans, methods=[method], formats=[fmt], records=(records, records), seed=seed)
    (scans / "stacks.json").unlink()  # ground truth stays with the test, not in the scan root
    return scans, stack


@pytest.fixture(scope="module")
def separated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A separator-sheet stack (PDF) run through the flow once, then again."""
    tmp_path = tmp_path_factory.mktemp("stack")
    scans, stack = _stack(tmp_path, "separator_sheet", "pdf", 4)
    config = _config(tmp_path, stack.council, stack.settings)
    data = str(tmp_path / "data")
    first = digitise_scan_root(str(scans), config_dir=config, data_dir=data)
    ledger = context_for(config, data).ledger
    state = {"records": ledger.records(), "counters": ledger.counters()}
    second = digitise_scan_root(str(scans), config_dir=config, data_dir=data)
    return {"stack": stack, "scans": scans, "config": config, "data": data, "first": first, "second": second,
            "after_first": state, "ledger": ledger, "tmp": tmp_path}


def test_stack_is_split_into_its_records_with_their_page_ranges_and_types(separated: dict[str, Any]) -> None:
    stack: SampleStack = separated["stack"]
    source_sha = sha256_file(separated["scans"] / stack.path)
    assert (separated["first"]["archived"], separated["first"]["quarantined"]) == (len(stack.records), 0)
    rows = sorted(separated["after_first"]["records"], key=lambda r: r.first_page or 0)
    assert [(r.first_page, r.last_page) for r in rows] == [(t.first, t.last) for t in stack.records]
    assert [r.record_type for r in rows] == [t.record_type for t in stack.records]
    assert all(r.source_file_sha256 == source_sha for r in rows)
    assert [r.source_sha256 for r in rows] == [record_id_for(source_sha, t.first, t.last) for t in stack.records]
    assert [r.pages for r in rows] == [len(t.pages) for t in stack.records]

    truth = Counter()
    for t in stack.records:
        truth[(stack.council, t.record_type)] += 1
    pages = Counter()
    for t in stack.records:
        pages[(stack.council, t.record_type)] += len(t.pages)
    counters = {(c.council, c.record_type): (c.records, c.pages) for c in separated["after_first"]["counters"]}
    assert counters == {key: (truth[key], pages[key]) for key in truth}


def test_every_page_is_in_one_record_or_a_separator_or_blank(separated: dict[str, Any]) -> None:
    stack: SampleStack = separated["stack"]
    source_sha = sha256_file(separated["scans"] / stack.path)
    archive = Path(separated["data"]) / "archive"
    sidecars = [json.loads(p.read_text()) for p in archive.glob(f"{stack.council}/*/*.json")]
    assert len(sidecars) == len(stack.records)
    in_records = [n for s in sidecars for n in s["separation"]["pages"]]
    file = sidecars[0]["separation"]["file"]
    accounted = sorted(in_records + file["separator_pages"] + file["blank_pages"])
    assert accounted == list(range(1, len(stack.pages) + 1))
    assert file["separator_pages"] == [n for n, p in enumerate(stack.pages, 1) if p.role == "separator"]
    for sidecar in sidecars:
        assert sidecar["source"]["sha256"] == source_sha
        assert [p["number"] for p in sidecar["pages"]] == sidecar["separation"]["pages"]

    row = separated["ledger"].source_file(source_sha)
    assert row is not None
    assert (row.pages, row.records, row.separator_pages, row.blank_pages) == (
        len(stack.pages), len(stack.records), len(file["separator_pages"]), len(file["blank_pages"]))


def test_rerun_of_a_split_stack_adds_nothing(separated: dict[str, Any]) -> None:
    second = separated["second"]
    assert (second["archived"], second["already_done"], second["quarantined"]) == (0, 1, 0)
    ledger = separated["ledger"]
    assert ledger.counters() == separated["after_first"]["counters"]
    assert [r.source_sha256 for r in ledger.records()] == [r.source_sha256 for r in separated["after_first"]["records"]]


def test_rerun_under_other_separation_settings_keeps_the_split_and_audits(separated: dict[str, Any]) -> None:
    stack: SampleStack = separated["stack"]
    other = _config(separated["tmp"], stack.council, {**stack.settings, "methods": ["separator_sheet", "blank_page"]},
                    name="other-config")
    summary = digitise_scan_root(str(separated["scans"]), config_dir=other, data_dir=separated["data"])
    assert (summary["archived"], summary["already_done"]) == (0, 1)
    ledger = separated["ledger"]
    assert ledger.counters() == separated["after_first"]["counters"]
    source_sha = sha256_file(separated["scans"] / stack.path)
    events = [e.event for e in ledger.events(record_prefix=source_sha)]
    assert events.count("separation_settings_changed") == 1


def _break_frame(tiff: Path, frame: int) -> None:
    """Cut frame `frame` (1-based) of a multi-page TIFF short: its strips point past the end of
    the file, as when a scanner's transfer dies mid-page. The other frames stay readable."""
    data = bytearray(tiff.read_bytes())
    order = "<" if data[:2] == b"II" else ">"
    ifd = struct.unpack_from(order + "I", data, 4)[0]
    for _ in range(frame - 1):
        entries = struct.unpack_from(order + "H", data, ifd)[0]
        ifd = struct.unpack_from(order + "I", data, ifd + 2 + 12 * entries)[0]
    for i in range(struct.unpack_from(order + "H", data, ifd)[0]):
        at = ifd + 2 + 12 * i
        tag, kind, count = struct.unpack_from(order + "HHI", data, at)
        if tag == 273:  # StripOffsets
            size, code = (4, "I") if kind == 4 else (2, "H")
            where = at + 8 if count * size <= 4 else struct.unpack_from(order + "I", data, at + 8)[0]
            for k in range(count):
                struct.pack_into(order + code, data, where + k * size, 0xFFFFFFF0 if size == 4 else 0xFFF0)
    tiff.write_bytes(data)


def test_unreadable_page_sets_aside_only_its_record(tmp_path: Path) -> None:
    scans, stack = _stack(tmp_path, "separator_sheet", "tiff-g4", 3, seed=5)
    bad = stack.records[1]
    _break_frame(scans / stack.path, bad.first)
    config = _config(tmp_path, stack.council, stack.settings)
    data = str(tmp_path / "data")
    summary = digitise_scan_root(str(scans), config_dir=config, data_dir=data)
    assert (summary["archived"], summary["quarantined"]) == (len(stack.records) - 1, 1)
    assert summary["reasons"] == {"input_unreadable": 1}

    ledger = context_for(config, data).ledger
    source_sha = sha256_file(scans / stack.path)
    rows = sorted(ledger.records(), key=lambda r: r.first_page or 0)
    good = [t for t in stack.records if t is not bad]
    assert [(r.first_page, r.last_page) for r in rows] == [(t.first, t.last) for t in good]
    assert sum(c.pages for c in ledger.counters()) == sum(len(t.pages) for t in good)
    [entry] = ledger.quarantine_entries()
    assert entry.source_sha256 == record_id_for(source_sha, bad.first, bad.last)
    assert (entry.reason, entry.stage) == ("input_unreadable", "ocr")
    assert f"pages {bad.first}-{bad.last}" in entry.message
    assert ledger.source_file(source_sha) is None  # not finished: a re-run reads it again

    again = digitise_scan_root(str(scans), config_dir=config, data_dir=data)
    assert (again["archived"], again["quarantined"]) == (0, 1)
    assert len(ledger.records()) == len(good)
    assert len(ledger.quarantine_entries()) == 1


def test_review_merge_then_split_moves_files_and_counters_once(tmp_path: Path) -> None:
    scans, stack = _stack(tmp_path, "separator_sheet", "pdf", 3, seed=5)
    config = _config(tmp_path, stack.council, stack.settings)
    data = str(tmp_path / "data")
    digitise_scan_root(str(scans), config_dir=config, data_dir=data)
    ledger = context_for(config, data).ledger
    source_sha = sha256_file(scans / stack.path)
    before = ledger.records_of_file(source_sha)
    pages_before = sum(c.pages for c in ledger.counters())
    first, second = stack.records[0], stack.records[1]
    common = ["--config", config, "--data-dir", data]

    merged = runner.invoke(app, ["review", "merge", before[0].source_sha256[:12], "--by", "a.clerk", "--json", *common])
    assert merged.exit_code == ExitCode.ok, merged.output
    rows = ledger.records_of_file(source_sha)
    assert [(r.first_page, r.last_page) for r in rows][0] == (first.first, second.last)
    assert rows[0].pages == len(first.pages) + len(second.pages)
    assert sum(c.records for c in ledger.counters()) == len(stack.records) - 1
    assert sum(c.pages for c in ledger.counters()) == pages_before
    archive = Path(data) / "archive"
    assert len(list(archive.glob(f"{stack.council}/*/*.json"))) == len(stack.records) - 1
    [event] = [e for e in ledger.events(record_prefix=rows[0].source_sha256) if e.event == "merged"]
    assert event.actor == "a.clerk"

    split = runner.invoke(app, ["review", "split", rows[0].source_sha256[:12], "--at", str(second.first),
                                "--by", "a.clerk", *common])
    assert split.exit_code == ExitCode.ok, split.output
    after = ledger.records_of_file(source_sha)
    assert [r.source_sha256 for r in after] == [r.source_sha256 for r in before]  # ids follow the page ranges
    assert [r.record_type for r in after] == [r.record_type for r in before]
    assert sum(c.records for c in ledger.counters()) == len(stack.records)
    assert sum(c.pages for c in ledger.counters()) == pages_before
    assert len(list(archive.glob(f"{stack.council}/*/*.json"))) == len(stack.records)

    again = digitise_scan_root(str(scans), config_dir=config, data_dir=data)
    assert (again["archived"], again["already_done"]) == (0, 1)
    assert sum(c.records for c in ledger.counters()) == len(stack.records)
