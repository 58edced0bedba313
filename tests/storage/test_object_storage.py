"""Scan root and archive in S3 (moto's server, tests/s3.py): the real flow and CLI, with the
same guarantees as local folders: the same archive and counts, idempotent re-runs, crash
leftovers neither counted nor kept, fixity, and bad inputs quarantined while the batch goes on."""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flows import digitise_scan_root
from flows.cli import app
from flows.settings import context_for
from records.archive.local import sha256_file
from records.archive.objects import ObjectArchive
from records.config import load_settings
from records.errors import ConfigError, ExitCode, StorageError
from records.intake.objects import discover_location
from records.intake.scan import discover
from records.object_store import ObjectStore
from records.pipeline import PipelineContext
from tests.conftest import ROOT, render_lines
from tests.storage.conftest import Bucket

runner = CliRunner()
SMALL_PAGE = (1240, 420)
TAX = ["Council Tax Demand Notice 2026/27", "Local Government Finance Act 1992", "Valuation band C"]
PLANNING = ["Town and Country Planning Act 1990", "Decision Notice: Grant of Planning Permission"]
BATCH = "2026-11-batch-01"


def _png(lines: list[str]) -> bytes:
    out = io.BytesIO()
    render_lines(lines, size=SMALL_PAGE).save(out, format="PNG", dpi=(300, 300))
    return out.getvalue()


def _scans(root: Path) -> Path:
    """Two good letters with a truncated image between them, a file of an unknown council, and
    files that are never records. (Few batch folders: each is a sub-flow run, ~2 s.)"""
    files = {
        f"ashbourne/{BATCH}/planning.png": _png(PLANNING),
        f"ashbourne/{BATCH}/tax.png": _png(TAX),
        f"ashbourne/{BATCH}/torn.png": _png(PLANNING)[:700],
        f"ashbourne/{BATCH}/Thumbs.db": b"never a record",
        "ashbourne/.trash/old.png": b"hidden folders are skipped",
        f"notacouncil/{BATCH}/letter.png": b"council unknown",
        "README.txt": b"at the root: in no council folder",
    }
    for relative, data in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
    return root


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The real config, with no batch failing on quarantined inputs (this scan root has many)."""
    config = tmp_path_factory.mktemp("config") / "config"
    shutil.copytree(ROOT / "config", config)
    pipeline = config / "pipeline.yaml"
    pipeline.write_text(pipeline.read_text().replace("max_quarantined_share: 0.2", "max_quarantined_share: 1.0"))
    return str(config)


@dataclass(frozen=True)
class Runs:
    scans: Path
    config: str
    local_data: str
    s3_data: str
    local: dict[str, Any]
    remote: dict[str, Any]

    @property
    def local_ctx(self) -> PipelineContext:
        return context_for(self.config, self.local_data)

    @property
    def s3_ctx(self) -> PipelineContext:
        return context_for(self.config, self.s3_data)


@pytest.fixture(scope="module")
def runs(s3: Bucket, config_dir: str, prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    """The same scan root run once from a local folder into a local archive, and once from S3
    into an S3 archive named by $DIGITISE_ARCHIVE_URL (set for the rest of the module)."""
    tmp = tmp_path_factory.mktemp("runs")
    scans = _scans(tmp / "scans")
    s3.upload(scans, "scans")
    local_data, s3_data = str(tmp / "local"), str(tmp / "s3")
    local = digitise_scan_root(str(scans), config_dir=config_dir, data_dir=local_data)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DIGITISE_ARCHIVE_URL", s3.url("archive"))
        remote = digitise_scan_root(s3.url("scans"), config_dir=config_dir, data_dir=s3_data)
        yield Runs(scans, config_dir, local_data, s3_data, local, remote)


def _local_archive(data: str) -> dict[str, bytes]:
    root = Path(data) / "archive"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)}


def _s3_archive(s3: Bucket) -> dict[str, bytes]:
    return {key: s3.read(f"archive/{key}") for key in s3.keys("archive")}


def _comparable(sidecar: bytes) -> dict[str, Any]:
    """A sidecar without what differs between two runs of the same input: the clock, and so the
    checksum of the PDF (which carries its creation time)."""
    meta: dict[str, Any] = json.loads(sidecar)
    meta.pop("timestamps")
    meta["archive"].pop("pdf_sha256")
    return meta


def _ledger_rows(ctx: PipelineContext) -> list[tuple[Any, ...]]:
    keys = ("source_sha256", "council", "batch", "source_path", "record_type", "pages", "pdf_path", "text_path",
            "sidecar_path", "text_sha256")
    return sorted(tuple(getattr(row, k) for k in keys) for row in ctx.ledger.records())


def _quarantined(ctx: PipelineContext) -> list[tuple[str, str, str]]:
    return sorted((e.source_path, e.reason, e.stage) for e in ctx.ledger.quarantine_entries())


def test_discover_objects_same_items_and_refusals_as_local_folder(s3: Bucket, tmp_path: Path, settings: Any) -> None:
    scans = _scans(tmp_path / "scans")
    (scans / "kingsmere" / BATCH).mkdir(parents=True)
    (scans / "kingsmere" / BATCH / "planning.png").write_bytes(b"a letter")
    (scans / "kingsmere" / "loose.png").write_bytes(b"not in a batch folder")
    s3.upload(scans, "discover")
    local = discover(scans, known_councils=settings.councils)
    remote = discover_location(s3.url("discover"), known_councils=settings.councils)
    assert [(i.council, i.batch, i.relative) for i in remote[0]] == [(i.council, i.batch, i.relative) for i in local[0]]
    assert sorted((r.item.relative, r.reason, r.message) for r in remote[1]) == sorted(
        (r.item.relative, r.reason, r.message) for r in local[1])
    assert [i.url for i in remote[0]] == [s3.url(f"discover/{i.relative}") for i in remote[0]]
    assert not any(i.path.exists() for i in remote[0]), "an object is read only once it is staged"
    only = discover_location(s3.url("discover"), councils=["kingsmere"], known_councils=settings.councils)
    assert [i.relative for i in only[0]] == [f"kingsmere/{BATCH}/planning.png"]


def test_discover_objects_refuses_key_with_empty_part(s3: Bucket, settings: Any) -> None:
    """S3 allows `a//b`; no folder could hold it, so it is refused (quarantined), not mistaken."""
    s3.fs.pipe_file(f"{s3.name}/odd/kingsmere/{BATCH}//double.png", b"x")
    accepted, refused = discover_location(s3.url("odd"), known_councils=settings.councils)
    assert accepted == []
    assert [(r.item.council, r.item.batch, r.item.url, r.reason) for r in refused] == [
        ("kingsmere", BATCH, None, "unsafe_path")]


def test_s3_run_archives_and_counts_exactly_as_local_run(runs: Runs, s3: Bucket) -> None:
    assert runs.remote == runs.local
    assert (runs.remote["archived"], runs.remote["quarantined"]) == (2, 2)

    local, remote = _local_archive(runs.local_data), _s3_archive(s3)
    assert sorted(remote) == sorted(local) and len(remote) == 6
    for key in remote:
        if key.endswith(".json"):
            assert _comparable(remote[key]) == _comparable(local[key])
        elif key.endswith(".txt"):
            assert remote[key] == local[key]
        else:
            assert remote[key].startswith(b"%PDF")

    assert runs.s3_ctx.ledger.counters() == runs.local_ctx.ledger.counters()
    assert _ledger_rows(runs.s3_ctx) == _ledger_rows(runs.local_ctx)
    for row in runs.s3_ctx.ledger.records():
        for kind in ("pdf", "text", "sidecar"):
            assert ObjectStore(s3.url("archive")).sha256(getattr(row, f"{kind}_path")) == getattr(row, f"{kind}_sha256")
    assert isinstance(runs.s3_ctx.archive, ObjectArchive)
    assert not (Path(runs.s3_data) / "archive").exists(), "nothing archived locally"
    work = Path(runs.s3_data) / "work"
    assert [p.name for p in work.iterdir()] == [".locks"], "staged copies and work folders are removed"


def test_s3_archive_objects_are_not_public(runs: Runs, s3: Bucket) -> None:
    import boto3

    client = boto3.client("s3", endpoint_url=s3.endpoint)
    for key in s3.keys("archive"):
        grants = client.get_object_acl(Bucket=s3.name, Key=f"archive/{key}")["Grants"]
        assert not [g for g in grants if "URI" in g["Grantee"]], grants  # AllUsers / AuthenticatedUsers
        meta = client.head_object(Bucket=s3.name, Key=f"archive/{key}")["Metadata"]
        assert meta["writer"].split("@")[0].isdigit()


def test_s3_bad_objects_quarantined_with_reason_and_batch_goes_on(runs: Runs) -> None:
    assert _quarantined(runs.s3_ctx) == _quarantined(runs.local_ctx)
    assert {path: reason for path, reason, _stage in _quarantined(runs.s3_ctx)} == {
        f"ashbourne/{BATCH}/torn.png": "input_unreadable",
        f"notacouncil/{BATCH}/letter.png": "unknown_council",
    }
    counted = {(c.council, c.record_type): c.records for c in runs.s3_ctx.ledger.counters()}
    assert counted == {("ashbourne", "council_tax"): 1, ("ashbourne", "planning_application"): 1}, \
        "the good letters beside the torn one are archived"
    copies = {e.source_path: e.copy_path for e in runs.s3_ctx.ledger.quarantine_entries()}
    quarantine = Path(runs.s3_data) / "quarantine"
    for path, copy in copies.items():
        assert copy, f"{path} has a quarantine copy, as a local input would"
        assert (quarantine / copy).read_bytes() == (runs.scans / path).read_bytes()
        assert oct((quarantine / copy).stat().st_mode & 0o777) == oct(0o640)


def test_s3_rerun_from_cli_adds_nothing(runs: Runs, s3: Bucket) -> None:
    before = {key: s3.fs.info(f"{s3.name}/archive/{key}")["ETag"] for key in s3.keys("archive")}
    counters = runs.s3_ctx.ledger.counters()
    quarantined = _quarantined(runs.s3_ctx)

    result = runner.invoke(app, ["run", s3.url("scans"), "--config", runs.config, "--data-dir", runs.s3_data, "--json"])

    assert result.exit_code == ExitCode.quarantined, result.output
    assert '"already_done": 2' in result.stdout and '"archived": 0' in result.stdout
    assert runs.s3_ctx.ledger.counters() == counters
    assert _quarantined(runs.s3_ctx) == quarantined, "each bad input is recorded once"
    assert {key: s3.fs.info(f"{s3.name}/archive/{key}")["ETag"] for key in s3.keys("archive")} == before


def _verify(runs: Runs) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["verify", "--config", runs.config, "--data-dir", runs.s3_data, "--json"])
    return result.exit_code, json.loads(result.stdout)["fixity"]


def test_s3_verify_reports_altered_missing_and_untracked_objects(runs: Runs, s3: Bucket) -> None:
    code, report = _verify(runs)
    assert (code, report["records"], report["files"], report["problems"]) == (ExitCode.ok, 2, 6, [])
    first, second = runs.s3_ctx.ledger.records()[:2]
    pdf, text = f"archive/{first.pdf_path}", f"archive/{second.text_path}"
    stray = f"ashbourne/council_tax/{'f' * 64}.pdf"
    kept = {pdf: s3.read(pdf), text: s3.read(text)}
    try:
        s3.write(pdf, kept[pdf] + b"%% one byte too many")
        s3.delete(text)
        s3.write(f"archive/{stray}", b"%PDF-1.4 nobody's")

        code, report = _verify(runs)

        assert code == ExitCode.verify_failed
        assert sorted((p["kind"], p["path"], p["record_id"]) for p in report["problems"]) == sorted([
            ("altered", first.pdf_path, first.source_sha256),
            ("missing", second.text_path, second.source_sha256),
            ("untracked", stray, None),
        ])
    finally:
        for key, data in kept.items():
            s3.write(key, data)
        s3.delete(f"archive/{stray}")
    assert _verify(runs)[0] == ExitCode.ok


def test_s3_crash_leftovers_not_counted_then_cleaned_and_redone(
    s3: Bucket, config_dir: str, prefect_server: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Objects of an attempt that died before its ledger row: a PDF without sidecar in the right
    folder and a text in the folder of an earlier classification."""
    monkeypatch.setenv("DIGITISE_ARCHIVE_URL", s3.url("crash/archive"))
    scans = tmp_path / "scans"
    (scans / "ashbourne" / "b9").mkdir(parents=True)
    (scans / "ashbourne" / "b9" / "tax.png").write_bytes(_png([*TAX, "Account CTAX 9876 5432 1"]))
    s3.upload(scans, "crash/scans")
    sha = sha256_file(scans / "ashbourne" / "b9" / "tax.png")
    s3.write(f"crash/archive/ashbourne/council_tax/{sha}.pdf", b"%PDF-1.4 half written")
    s3.write(f"crash/archive/ashbourne/complaint/{sha}.txt", b"text of an earlier attempt")
    data = str(tmp_path / "data")

    code, report = (lambda r: (r.exit_code, json.loads(r.stdout)["fixity"]))(
        runner.invoke(app, ["verify", "--config", config_dir, "--data-dir", data, "--json"]))
    assert code == ExitCode.verify_failed and {p["kind"] for p in report["problems"]} == {"untracked"}
    ctx = context_for(config_dir, data)
    assert ctx.ledger.counters() == [] and not ctx.ledger.is_archived(sha), "leftovers are not counted"

    summary = digitise_scan_root(s3.url("crash/scans"), config_dir=config_dir, data_dir=data)

    assert (summary["archived"], summary["quarantined"]) == (1, 0)
    assert [(c.council, c.record_type, c.records) for c in ctx.ledger.counters()] == [("ashbourne", "council_tax", 1)]
    assert s3.keys("crash/archive") == [f"ashbourne/council_tax/{sha}{s}" for s in (".json", ".pdf", ".txt")]
    assert s3.read(f"crash/archive/ashbourne/council_tax/{sha}.pdf") != b"%PDF-1.4 half written"
    assert runner.invoke(app, ["verify", "--config", config_dir, "--data-dir", data]).exit_code == ExitCode.ok


def test_object_archive_keeps_orphans_a_live_worker_elsewhere_may_own(s3: Bucket, tmp_path: Path) -> None:
    """remove_orphans deletes only what no live worker can still be writing."""
    archive = ObjectArchive(ObjectStore(s3.url("orphans")), lock_root=tmp_path / "work")
    sha = "a" * 64
    s3.fs.pipe_file(f"{s3.name}/orphans/kingsmere/complaint/{sha}.pdf", b"x", Metadata={"writer": "1@elsewhere"})
    with archive.lock(sha), pytest.raises(StorageError, match="another worker"):
        archive.remove_orphans("kingsmere", sha)
    assert s3.keys("orphans") == [f"kingsmere/complaint/{sha}.pdf"]

    s3.fs.pipe_file(f"{s3.name}/orphans/kingsmere/complaint/{sha}.pdf", b"x", Metadata={"writer": _dead_writer()})
    s3.write(f"orphans/kingsmere/unclassified/{sha}.json", b"{}")  # written by no worker of ours
    s3.write(f"orphans/kingsmere/unclassified/{'b' * 64}.json", b"{}")  # another record: kept
    with archive.lock(sha):
        assert archive.remove_orphans("kingsmere", sha) == 2
    assert s3.keys("orphans") == [f"kingsmere/unclassified/{'b' * 64}.json"]


def _dead_writer() -> str:
    """`<pid>@<this host>` of a process that has ended."""
    from records.archive.local import owner_tag

    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return f"{pid}@{owner_tag().split('@', 1)[1]}"


def test_object_archive_never_overwrites_an_object(s3: Bucket, tmp_path: Path) -> None:
    archive = ObjectArchive(ObjectStore(s3.url("never")), lock_root=tmp_path / "work")
    paths = archive.paths_for("ashbourne", "council_tax", "c" * 64)
    s3.write(f"never/{archive.relative(paths.text)}", b"another worker's text")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(b"%PDF-1.4 ours")
    with pytest.raises(StorageError, match="another worker"):
        archive.store(paths, pdf=pdf, text="ours", sidecar={})
    assert s3.read(f"never/{archive.relative(paths.text)}") == b"another worker's text"
    assert s3.keys("never") == [f"ashbourne/council_tax/{'c' * 64}.pdf", f"ashbourne/council_tax/{'c' * 64}.txt"]


def test_review_and_search_refuse_an_s3_archive_with_bad_config(runs: Runs) -> None:
    for command in (["review"], ["search", "council tax"]):
        result = runner.invoke(app, [*command, "--config", runs.config, "--data-dir", runs.s3_data])
        assert result.exit_code == ExitCode.bad_config, result.output
        assert "object storage" in result.output


def test_archive_url_from_environment_wins_over_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DIGITISE_ARCHIVE_URL", raising=False)
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    pipeline = config / "pipeline.yaml"
    original = pipeline.read_text()
    pipeline.write_text(original + "archive_url: s3://council-archive/records\n")
    settings = load_settings(config)
    assert settings.pipeline.archive_location == "s3://council-archive/records"
    assert settings.with_data_dir(tmp_path).pipeline.archive_location == "s3://council-archive/records"
    monkeypatch.setenv("DIGITISE_ARCHIVE_URL", "s3://other-bucket/archive")
    assert settings.pipeline.archive_location == "s3://other-bucket/archive"
    pipeline.write_text(original + "archive_url: ftp://host/archive\n")
    with pytest.raises(ConfigError):
        load_settings(config)
