"""Shared fixtures: real config, real files, real Tesseract; storage under tmp_path."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from PIL import Image, ImageDraw, ImageFont

from records.config import Settings, load_settings
from tests.postgres import PostgresServer, running_postgres, unavailable_reason

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "scans"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


#: Set to 1 by .ci/run (and by scripts/test.sh when $CI is set): every test must run. A missing
#: tool then fails its tests instead of skipping them, and a session with any skip not listed in
#: ALLOWED_SKIPS fails.
REQUIRE_ALL = "DIGITISE_REQUIRE_ALL"
#: Skips that are by design, by test node id, each with the reason it may skip even in CI.
#: None today: slow tests left out without --runslow are deselected, not skipped.
ALLOWED_SKIPS: dict[str, str] = {}


def require_all() -> bool:
    """Whether this run must run every test (CI): see REQUIRE_ALL."""
    return os.environ.get(REQUIRE_ALL) == "1"


def unavailable(reason: str) -> NoReturn:
    """A tool or service a test needs is missing: skip locally; fail when every test must run,
    because then the machine (scripts/bootstrap.sh) should have installed it."""
    if require_all():
        pytest.fail(f"{REQUIRE_ALL}=1 and {reason}: scripts/bootstrap.sh must provide it", pytrace=False)
    pytest.skip(reason)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without --runslow, tests marked slow are deselected (left out of the run), not skipped."""
    if config.getoption("--runslow"):
        return
    slow = [item for item in items if "slow" in item.keywords]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if "slow" not in item.keywords]


_skipped: dict[str, str] = {}  # node id -> why, for every test or collector that skipped


def _note_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        _skipped[report.nodeid] = reason.removeprefix("Skipped: ")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _note_skip(report)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    _note_skip(report)


def unexpected_skips() -> dict[str, str]:
    return {node: why for node, why in _skipped.items() if node not in ALLOWED_SKIPS}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With REQUIRE_ALL set, a run that skipped a test is a failed run (exit code 1), even if
    everything that ran passed: a green CI run must mean every test ran."""
    if require_all() and unexpected_skips() and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    skipped = unexpected_skips()
    if require_all() and skipped:
        terminalreporter.section(f"{REQUIRE_ALL}=1: {len(skipped)} skipped, none may be", sep="!", red=True)
        for node, why in sorted(skipped.items()):
            terminalreporter.line(f"{node}: {why}", red=True)


@pytest.fixture(scope="session", autouse=True)
def _tools_present() -> None:
    """Every test needs these; without them, skip (fail when every test must run)."""
    missing = [t for t in ("tesseract", "pdftoppm", "pdftotext") if shutil.which(t) is None]
    if missing:
        unavailable(f"missing tools: {missing}")


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings(ROOT / "config")


@pytest.fixture(scope="session")
def ground_truth() -> dict[str, dict[str, Any]]:
    data = json.loads((SAMPLES / "ground_truth.json").read_text(encoding="utf-8"))
    return {r["path"]: r for r in data["records"]}


@pytest.fixture
def data_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.with_data_dir(tmp_path / "data")


@pytest.fixture(scope="session", autouse=True)
def _ledger_url_not_from_env() -> Iterator[None]:
    """A developer's $DIGITISE_LEDGER_URL (or $DIGITISE_ARCHIVE_URL) must not send the tests'
    records to their ledger (or bucket)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("DIGITISE_LEDGER_URL", raising=False)
        patch.delenv("DIGITISE_ARCHIVE_URL", raising=False)
        yield


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One real, temporary Prefect server for every flow test of the session (tests/flows uses it
    for all its tests, tests/storage for its flow tests), started on first use. Prefect is
    imported here, not at the top, so tests that run no flow never load it."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        url = PREFECT_API_URL.value()
        assert url and "127.0.0.1" in url, "tests must never reach a real Prefect API"
        yield


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server of the tests' own (tests/postgres.py), started on first use and
    always stopped. Missing binaries skip locally and fail in CI (see `unavailable`)."""
    reason = unavailable_reason()
    if reason:
        unavailable(f"cannot start PostgreSQL: {reason}")
    with running_postgres() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A new, empty PostgreSQL database for one test."""
    return postgres_server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The ledger's URL, once on SQLite in tmp_path and once on a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


PageMaker = Callable[..., Path]


@pytest.fixture
def make_page(tmp_path: Path) -> PageMaker:
    """Render lines of text to an A4-width 300 dpi page image (PNG unless the name says otherwise)."""

    def make(lines: list[str], name: str = "page.png", **save: Any) -> Path:
        image = render_lines(lines)
        path = tmp_path / name
        image.save(path, dpi=(300, 300), **save)
        return path

    return make


def render_lines(lines: list[str], size: tuple[int, int] = (2480, 1400)) -> Image.Image:
    font = ImageFont.truetype(FONT, 46)
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((180, 160 + 80 * n), line, font=font, fill=0)
    return image


def born_digital_pdf(path: Path, lines: list[str]) -> Path:
    """A PDF with a real text layer, as an office suite would export a letter."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_font("DejaVu", size=11)
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def words(text: str) -> list[str]:
    return [w.strip(".,:;()[]'\"").lower() for w in text.split() if w.strip(".,:;()[]'\"")]


def word_recall(truth: str, ocr: str) -> float:
    from collections import Counter

    want, got = Counter(words(truth)), Counter(words(ocr))
    total = sum(want.values())
    return sum(min(n, got[w]) for w, n in want.items()) / total if total else 1.0
