"""The review station over a ledger the real pipeline filled: six committed sample scans of two
councils, read by Tesseract, with a minimum of evidence no record has, so every record queues
for review. `digitise serve` runs as its own process on a free loopback port (its log is
kept, to check what it writes), and Debian's Chromium drives it through Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from ocr import stop_engines
from records.access import add_user
from records.config import Settings, load_settings
from records.context import build_context
from records.intake.scan import discover
from records.ledger import Ledger
from records.pipeline import process_item
from tests.conftest import ROOT, SAMPLES, unavailable

#: Six records: four of kingsmere (a reviewer's council), two of thornbury (someone else's).
SCANS = ("kingsmere/2026-11-batch-01/scan-0001.png", "kingsmere/2026-11-batch-01/scan-0002.tif",
         "kingsmere/2026-11-batch-01/scan-0004.png", "kingsmere/2026-11-batch-01/scan-0005.tif",
         "thornbury/2026-11-batch-01/scan-0001.png", "thornbury/2026-11-batch-01/scan-0003.tif")
PASSWORD = "correct horse battery"
REVIEWER, ADMIN, VIEWER = "k.reviewer", "r.admin", "t.viewer"
ARTIFACTS = ROOT / "var" / "ci-artifacts"  # git-ignored; kept by CI with the Prefect UI screenshot


@dataclass(frozen=True)
class Station:
    url: str
    settings: Settings
    config_dir: Path
    data_dir: Path
    log: Path

    def ledger(self) -> Ledger:
        return Ledger(self.settings.pipeline.ledger)


def _config(folder: Path) -> Path:
    """The project's configuration, asking for more evidence than any record has, and holding
    thornbury to a 600 dpi capture standard its 300 dpi scans fall below."""
    shutil.copytree(ROOT / "config", folder)
    types = folder / "record_types.yaml"
    data = yaml.safe_load(types.read_text(encoding="utf-8"))
    data["min_evidence"] = 1000.0
    types.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    councils = folder / "councils.yaml"
    data = yaml.safe_load(councils.read_text(encoding="utf-8"))
    data["councils"]["thornbury"]["capture"] = {"min_dpi": 600}
    councils.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return folder


def _scan_root(folder: Path) -> Path:
    for relative in SCANS:
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(SAMPLES / relative, folder / relative)
    return folder


def _run_pipeline(settings: Settings, scans: Path) -> None:
    context = build_context(settings)
    items, refused = discover(scans, known_councils=settings.councils)
    assert refused == [] and len(items) == len(SCANS)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(lambda i: process_item(i, context), items))
    finally:
        stop_engines()
    assert all(o.status == "archived" for o in outcomes), [o.status for o in outcomes]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"digitise serve exited ({server.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"digitise serve did not answer in 60 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Station]:
    base = tmp_path_factory.mktemp("station")
    config_dir, data_dir = _config(base / "config"), base / "data"
    settings = load_settings(config_dir).with_data_dir(data_dir)
    _run_pipeline(settings, _scan_root(base / "scans"))
    ledger = Ledger(settings.pipeline.ledger)
    add_user(ledger, REVIEWER, role="reviewer", council="kingsmere", password=PASSWORD,
             known_councils=settings.councils, added_by="test")
    add_user(ledger, ADMIN, role="admin", council=None, password=PASSWORD,
             known_councils=settings.councils, added_by="test")
    add_user(ledger, VIEWER, role="viewer", council="thornbury", password=PASSWORD,
             known_councils=settings.councils, added_by="test")
    ledger.dispose()
    port, log = _free_port(), base / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGITISE_")}
    env["PYTHONPATH"] = str(ROOT)
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "flows", "serve", "--port", str(port), "--config", str(config_dir),
             "--data-dir", str(data_dir)], stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server, log)
        yield Station(url, settings, config_dir, data_dir, log)
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright (Playwright's own browser download is never used)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        unavailable("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()
