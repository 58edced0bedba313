"""Reliability on the real flow (issue #3): bad input, retries and timeouts, crashes, concurrent runs, privacy.

Everything runs on the session's temporary Prefect server, real Tesseract and a real SQLite
ledger. Crash and concurrency tests start the real `digitise run` in child processes that
talk to the same server; crashes are injected by tests/reliability/faults.py.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytesseract
import pytest
from PIL import Image
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    FlowRunFilterStartTime,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.client.schemas.objects import FlowRun, TaskRun
from prefect.futures import PrefectFuture
from prefect.logging.handlers import APILogWorker
from prefect.settings import PREFECT_API_URL

import flows.batch
import flows.tasks
from flows import digitise_scan_root
from flows.batch import run_scan_root
from flows.settings import context_for, resolve_settings
from flows.tasks import process_record_task
from ocr import set_pixel_limit
from ocr._exec.engine import engine_available
from records.archive.local import sha256_file
from records.errors import ExitCode
from records.ledger import Ledger, QuarantineRow, RecordRow
from records.reporting.progress import progress_rows
from tests.conftest import ROOT, render_lines, unavailable
from tests.corpus.make_corpus import (
    ARCHIVED,
    ARCHIVED_BLANK,
    LOCKED,
    OUTCOMES,
    PAGE,
    PIXEL_LIMIT,
    make_corpus,
)
from tests.reliability.faults import CRASH_ENV, engine_killed_mid_page
from tests.reliability.harness import files_under, snapshot, write_config

TAX = ["Council Tax Demand Notice 2026/27", "Local Government Finance Act 1992", "Valuation band C"]
PLANNING = ["Town and Country Planning Act 1990", "Decision Notice: Grant of Planning Permission"]
CANARY = "Zorblaxquint"


def _digitise(scan_root: str, **options: Any) -> dict[str, Any]:
    """The real flow, called directly; its summary (a batch over the quarantine limit would raise)."""
    summary = digitise_scan_root(scan_root, **options)
    assert isinstance(summary, dict)
    return summary


def _page(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    render_lines(lines, size=PAGE).save(path, dpi=(300, 300))
    return path


@pytest.fixture
def lenient_config(tmp_path: Path) -> str:
    """The real config, except a batch run never fails for its share of quarantined inputs, and
    Tesseract runs as the CLI: the faults below are injected into pytesseract's run function."""
    return str(write_config(tmp_path / "config", ocr={"engine": "cli"}, max_quarantined_share=1.0))


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The production task and retry condition, without the 5 s / 30 s waits."""
    monkeypatch.setattr(flows.tasks, "process_record_task", process_record_task.with_options(retry_delay_seconds=0))


def _tesseract_that(behaviour: Callable[[str, int], None], monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Wrap pytesseract's run function: `behaviour(input name, call number)` may raise; calls are counted."""
    real = pytesseract.pytesseract.run_tesseract
    calls: Counter[str] = Counter()

    def run(input_filename: str, *args: Any, **kwargs: Any) -> Any:
        name = Path(input_filename).name
        calls[name] += 1
        behaviour(name, calls[name])
        return real(input_filename, *args, **kwargs)

    monkeypatch.setattr(pytesseract.pytesseract, "run_tesseract", run)
    return calls


# --- 1, 2: the bad-input corpus through the real flow ------------------------------------------


@dataclass(frozen=True)
class CorpusRun:
    scans: Path
    data: Path
    config: str
    expected: dict[str, str]
    summary: dict[str, Any]
    sources_before: dict[str, tuple[int, int, str]]
    records: dict[str, RecordRow]
    quarantine: dict[str, QuarantineRow]


def _source_state(scans: Path) -> dict[str, tuple[int, int, str]]:
    """Every entry under the scan root: mode, size, content hash (regular files) or link target."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(scans):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            info = path.lstat()
            if stat.S_ISREG(info.st_mode) and os.access(path, os.R_OK):
                content = sha256_file(path)
            else:
                content = os.readlink(path) if path.is_symlink() else ""
            state[os.fsencode(path).decode("utf-8", "backslashreplace")] = (info.st_mode, info.st_size, content)
    return state


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CorpusRun]:
    base = tmp_path_factory.mktemp("corpus")
    scans, data = base / "scans", base / "data"
    expected = make_corpus(scans)
    config = str(write_config(base / "config", ocr={"max_image_pixels": PIXEL_LIMIT}, max_quarantined_share=1.0))
    before = _source_state(scans)
    with _corpus_pixel_limit():
        summary = _digitise(str(scans), config_dir=config, data_dir=str(data))
    ledger = context_for(config, str(data)).ledger
    records = {r.source_path: r for r in ledger.records()}
    quarantine = {q.source_path: q for q in ledger.quarantine_entries(include_resolved=True)}
    yield CorpusRun(scans, data, config, expected, summary, before, records, quarantine)
    (scans / LOCKED).chmod(0o600)  # let tmp_path clean-up read it


@contextmanager
def _corpus_pixel_limit() -> Iterator[None]:
    """The limit is Pillow's process-wide setting, set when a context is first built (then cached):
    set it for each corpus run, and keep the tiny value away from other tests."""
    before = Image.MAX_IMAGE_PIXELS
    set_pixel_limit(PIXEL_LIMIT)
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = before


def _outcome(run: CorpusRun, relative: str) -> str:
    if relative in run.records:
        return ARCHIVED_BLANK if run.records[relative].words == 0 else ARCHIVED
    if relative in run.quarantine:
        return str(run.quarantine[relative].reason)
    return "not recorded"


@pytest.mark.parametrize("relative", sorted(OUTCOMES))
def test_corpus_input_ends_with_expected_outcome(corpus: CorpusRun, relative: str) -> None:
    """As root, locked.png is readable and expected archived (make_corpus says so): its
    permission-denied path is run by test_unreadable_input_is_quarantined_when_the_run_cannot_read_it."""
    assert _outcome(corpus, relative) == corpus.expected[relative]


def test_corpus_blank_page_archived_with_zero_words_for_review(corpus: CorpusRun) -> None:
    row = corpus.records["ashbourne/2026-02/blank page.png"]
    assert (row.words, row.blank_pages, row.needs_review, row.record_type) == (0, 1, True, "unclassified")


def test_corpus_summary_counts_processed_skipped_and_quarantined(corpus: CorpusRun) -> None:
    outcomes = Counter(corpus.expected.values())
    reasons = {k: v for k, v in outcomes.items() if k not in (ARCHIVED, ARCHIVED_BLANK)}
    assert corpus.summary["archived"] == outcomes[ARCHIVED] + outcomes[ARCHIVED_BLANK]
    assert corpus.summary["already_done"] == 0
    assert corpus.summary["quarantined"] == sum(reasons.values())
    assert corpus.summary["reasons"] == dict(sorted(reasons.items()))
    assert {_outcome(corpus, r) for r in corpus.expected} == set(outcomes), "every input is accounted for"


def test_corpus_failures_show_as_needing_attention_in_progress(corpus: CorpusRun) -> None:
    failed = Counter(r.split("/")[0] for r, o in corpus.expected.items() if o not in (ARCHIVED, ARCHIVED_BLANK))
    ledger = context_for(corpus.config, str(corpus.data)).ledger
    assert ledger.open_failures() == dict(failed)
    rows = progress_rows(resolve_settings(corpus.config).councils, ledger.counters(), ledger.open_failures())
    assert {r.council: r.failed for r in rows if r.record_type == "all"}["ashbourne"] == failed["ashbourne"]


def test_corpus_quarantine_copies_inputs_with_reasons_and_leaves_sources_alone(corpus: CorpusRun) -> None:
    assert _source_state(corpus.scans) == corpus.sources_before, "a source was changed, moved or deleted"
    root = corpus.data / "quarantine"
    reasons = {}
    for path in root.rglob("*.reason.json"):
        note = json.loads(path.read_text(encoding="utf-8"))
        reasons[note["source_path"]] = (path, note)
    for relative, entry in corpus.quarantine.items():
        path, note = reasons[relative]
        assert path.parent.relative_to(root).parts == (entry.council, entry.batch or "_no_batch")
        assert {"reason", "stage", "error_class", "message", "quarantined_at"} <= set(note)
        assert note["reason"] == entry.reason and note["message"] == entry.message
        source = corpus.scans / relative
        copyable = stat.S_ISREG(source.lstat().st_mode) and os.access(source, os.R_OK)
        if note["reason"] == "unsafe_path" or not copyable:
            assert note["copy"] is None, relative
        else:
            assert sha256_file(path.parent / note["copy"]) == sha256_file(source), relative
    outside = sha256_file(corpus.scans.parent / "scans.outside" / "secret.png")
    assert outside not in {sha256_file(p) for p in root.rglob("*") if p.is_file()}, "a link target was copied"


def test_corpus_archive_quarantine_and_ledger_are_private(corpus: CorpusRun) -> None:
    for path in [corpus.data, *corpus.data.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        limit = 0o750 if path.is_dir() else 0o640
        assert mode & ~limit == 0, f"{path.relative_to(corpus.data)} is {oct(mode)}"


# --- 5: timeouts and retries ---------------------------------------------------------------------


def test_transient_tesseract_crash_is_retried_then_archived(
    tmp_path: Path, lenient_config: str, fast_retries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    scans = tmp_path / "scans"
    _page(scans / "ashbourne" / "b1" / "tax.png", TAX)

    def crash_once(_name: str, call: int) -> None:
        if call == 1:
            raise pytesseract.TesseractError(-11, "segmentation fault")

    _tesseract_that(crash_once, monkeypatch)
    started = datetime.now(timezone.utc)
    summary = _digitise(str(scans), config_dir=lenient_config, data_dir=str(tmp_path / "data"))
    assert _record_task_attempts(since=started) == [2], "retried once by Prefect, then succeeded"
    assert (summary["archived"], summary["quarantined"]) == (1, 0)


def test_default_engine_killed_mid_page_is_retried_counted_once_and_the_batch_completes(
    tmp_path: Path, fast_retries: None
) -> None:
    """The default engine (`ocr.engine: api`, Tesseract kept loaded in a process per worker
    thread) is SIGKILLed in the middle of a page: that record's task fails as transient,
    Prefect runs it again on a fresh engine, and the ledger counts every record once."""
    config = str(write_config(tmp_path / "config", max_quarantined_share=1.0))
    settings = resolve_settings(config, str(tmp_path / "data"))
    assert settings.pipeline.ocr.engine == "api" and engine_available()
    scans = tmp_path / "scans"
    _page(scans / "ashbourne" / "b1" / "planning.png", PLANNING)
    _page(scans / "ashbourne" / "b1" / "tax.png", TAX)
    started = datetime.now(timezone.utc)
    with engine_killed_mid_page(settings.pipeline.work_dir) as killed:
        summary = _digitise(str(scans), config_dir=config, data_dir=str(tmp_path / "data"))
    assert killed.pid is not None, "no engine was caught mid-page"
    assert not Path(f"/proc/{killed.pid}").exists(), "the killed engine was reaped"
    assert _record_task_attempts(since=started) == [1, 2], "the killed page's record ran again, once"
    assert (summary["archived"], summary["quarantined"]) == (2, 0)
    ledger = context_for(config, str(tmp_path / "data")).ledger
    assert sorted(r.source_path for r in ledger.records()) == ["ashbourne/b1/planning.png", "ashbourne/b1/tax.png"]
    counters = ledger.counters()
    assert (sum(c.records for c in counters), sum(c.pages for c in counters)) == (2, 2)


def test_large_batch_in_chunks_retries_a_transient_failure_alone_and_counts_exactly(
    tmp_path: Path, lenient_config: str, fast_retries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nine inputs on one worker go as tasks of 4, 2, 1, 1 and 1 records; a crash of one record's Tesseract
    sends that record alone to the retrying task, the bad file is quarantined in its chunk,
    and the chunk's other records are not run again."""
    scans = tmp_path / "scans"
    for n in range(8):
        _page(scans / "ashbourne" / "b1" / f"page-{n}.png", [*(TAX if n % 2 else PLANNING), f"Reference {n}"])
    (scans / "ashbourne" / "b1" / "broken.png").write_bytes(b"not an image")

    def crash_once(name: str, call: int) -> None:
        if name == "page-3.png" and call == 1:
            raise pytesseract.TesseractError(-11, "segmentation fault")

    calls = _tesseract_that(crash_once, monkeypatch)
    started = datetime.now(timezone.utc)
    summary = _digitise(str(scans), config_dir=lenient_config, data_dir=str(tmp_path / "data"), workers=1)
    assert (summary["archived"], summary["quarantined"], summary["reasons"]) == (8, 1, {"input_unreadable": 1})
    _flows, tasks = _runs_since(started)
    names = sorted(t.name.rsplit("-", 1)[0] for t in tasks if t.name.startswith("process-record"))
    assert names.count("process-records") == 5 and names.count("process-record") == 1, names
    assert calls["page-3.png"] == 2 and all(n == 1 for name, n in calls.items() if name != "page-3.png")
    counters = context_for(lenient_config, str(tmp_path / "data")).ledger.counters()
    assert sum(c.records for c in counters) == 8


def test_large_batch_holds_only_its_task_runs_in_flight_and_counts_every_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten inputs on one worker go as five chunks; with one task run in flight per worker, only
    the finished chunk's future is alive when its records are handed on (a future keeps its task
    run's final state: holding every one of a 50,000-record batch grew the process), and all ten
    are counted."""
    scans = tmp_path / "scans"
    for n in range(10):
        _page(scans / "ashbourne" / "b1" / f"page-{n}.png", [*(TAX if n % 2 else PLANNING), f"Reference {n}"])
    monkeypatch.setattr(flows.batch, "IN_FLIGHT_PER_WORKER", 1)
    alive: list[int] = []

    def count_futures(done: int, total: int) -> None:
        gc.collect()
        alive.append(sum(isinstance(o, PrefectFuture) for o in gc.get_objects()))

    summary = run_scan_root(str(scans), data_dir=str(tmp_path / "data"), workers=1, on_progress=count_futures)
    assert isinstance(summary, dict) and (summary["archived"], summary["pages"]) == (10, 10)
    assert alive == [1] * 5, "at each chunk's end, only its own future (all five when submitted at once)"
    assert sum(c.records for c in context_for(None, str(tmp_path / "data")).ledger.counters()) == 10


def test_ocr_tasks_hold_a_tesseract_slot_only_while_its_limit_exists(tmp_path: Path, lenient_config: str) -> None:
    """Without the ops stack's tag limit the OCR tasks are untagged (no slot to ask the
    server for); with it they carry the tag, take a slot and give it back."""
    scans = tmp_path / "scans"
    _page(scans / "ashbourne" / "b1" / "tax.png", TAX)
    started = datetime.now(timezone.utc)
    _digitise(str(scans), config_dir=lenient_config, data_dir=str(tmp_path / "untagged"))
    with get_client(sync_client=True) as client:
        client.create_concurrency_limit(tag="tesseract", concurrency_limit=1)
        try:
            tagged_from = datetime.now(timezone.utc)
            _digitise(str(scans), config_dir=lenient_config, data_dir=str(tmp_path / "tagged"))
            limit = client.read_global_concurrency_limit_by_name("tag:tesseract")
        finally:
            client.delete_concurrency_limit_by_tag("tesseract")
    _flows, tasks = _runs_since(started)
    tags = {t.start_time is not None and t.start_time >= tagged_from: t.tags for t in tasks
            if t.name.startswith("process-record")}
    assert tags == {False: [], True: ["tesseract"]}
    assert limit.active_slots == 0


def test_permanent_tesseract_error_is_not_retried_and_quarantined(
    tmp_path: Path, lenient_config: str, fast_retries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    scans = tmp_path / "scans"
    _page(scans / "ashbourne" / "b1" / "tax.png", TAX)

    def time_out(_name: str, _call: int) -> None:
        raise RuntimeError("Tesseract process timeout")  # what pytesseract raises after killing it

    calls = _tesseract_that(time_out, monkeypatch)
    started = datetime.now(timezone.utc)
    summary = _digitise(str(scans), config_dir=lenient_config, data_dir=str(tmp_path / "data"))
    assert calls["tax.png"] == 1 and _record_task_attempts(since=started) == [1], "not retried"
    assert summary["reasons"] == {"ocr_timeout": 1}


def test_stuck_page_is_quarantined_as_timeout_and_batch_goes_on(tmp_path: Path) -> None:
    config = str(write_config(tmp_path / "config", ocr={"page_timeout_seconds": 0.001}, max_quarantined_share=1.0))
    scans = tmp_path / "scans"
    _page(scans / "ashbourne" / "b1" / "slow.png", TAX)
    _page(scans / "ashbourne" / "b1" / "other.png", PLANNING)
    summary = _digitise(str(scans), config_dir=config, data_dir=str(tmp_path / "data"))
    assert summary["reasons"] == {"ocr_timeout": 2}
    entries = context_for(config, str(tmp_path / "data")).ledger.quarantine_entries()
    assert {e.stage for e in entries} == {"ocr"}
    assert all("longer than 0.001s" in e.message for e in entries)


# --- 3, 4: crashes and concurrent runs, in real child processes ----------------------------------


@pytest.fixture(scope="module")
def small_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three records (one blank, processed first) and one bad file, in one batch (one sub-flow)."""
    scans = tmp_path_factory.mktemp("small") / "scans"
    _page(scans / "ashbourne" / "b1" / "a-blank.png", [])
    _page(scans / "ashbourne" / "b1" / "b-planning.png", PLANNING)
    _page(scans / "ashbourne" / "b1" / "c-tax.png", TAX)
    (scans / "ashbourne" / "b1" / "fax.png").write_bytes(b"not really a png")
    return scans


@pytest.fixture(scope="module")
def child_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_config(tmp_path_factory.mktemp("child") / "config", max_quarantined_share=1.0)


@pytest.fixture(scope="module")
def clean_state(small_root: Path, child_config: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The small root processed once, in this process, with nothing going wrong."""
    data = tmp_path_factory.mktemp("clean") / "data"
    _digitise(str(small_root), config_dir=str(child_config), data_dir=str(data))
    state = snapshot(data)
    assert len(state["records"]) == 3 and len(state["quarantine"]) == 1 and not state["fixity_problems"]
    return state


def _start_run(
    scans: Path, data: Path, config: Path, *, crash_at: str | None = None, workers: int = 1, runner: list[str] | None = None
) -> subprocess.Popen[str]:
    """`digitise run` in a child process on the test server; fault injection only if crash_at;
    `runner` is put before the command (e.g. `_without_root_file_access()`)."""
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    env.update(PREFECT_API_URL=str(PREFECT_API_URL.value()), PREFECT_HOME=str(data.parent / "prefect-home"),
               PREFECT_SERVER_ANALYTICS_ENABLED="false", PYTHONPATH=str(ROOT))
    if crash_at:
        env[CRASH_ENV] = crash_at
    argv = [*(runner or []), sys.executable, "-c", "from tests.reliability.faults import main; main()", "run", str(scans),
            "--data-dir", str(data), "--config", str(config), "--workers", str(workers), "--json"]
    return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def _finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # any tool the child left running
        except ProcessLookupError:
            pass
    return proc.returncode, stdout, stderr


def _summary(stdout: str) -> dict[str, Any]:
    document, _ = json.JSONDecoder().raw_decode(stdout.lstrip())
    return dict(document["summary"])


def _records(data: Path) -> list[RecordRow]:
    ledger = Ledger(f"sqlite:///{data / 'ledger.db'}")
    try:
        return ledger.records()
    finally:
        ledger.dispose()


def _leftovers(data: Path) -> dict[str, list[str]]:
    archive = files_under(data / "archive")
    return {
        "temp": [f for f in archive if Path(f).name.startswith(".tmp-")],
        "final": [f for f in archive if f.endswith((".pdf", ".txt", ".json")) and not Path(f).name.startswith(".")],
        "work": files_under(data / "work"),
    }


def test_sigkill_at_each_step_then_rerun_matches_clean_run(
    small_root: Path, child_config: Path, clean_state: dict[str, Any], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    expectations: list[tuple[str, Callable[[dict[str, list[str]], list[RecordRow]], bool]]] = [
        ("ocr", lambda left, rows: bool(left["work"]) and not left["final"] and not rows),
        ("archive-write", lambda left, rows: bool(left["temp"]) and not rows),
        ("ledger-commit", lambda left, rows: len(left["final"]) == 3 and not left["temp"] and not rows),
        ("after-commit", lambda left, rows: len(rows) == 1),
    ]
    for point, left_as_expected in expectations:
        code, out, err = _finish(_start_run(small_root, data, child_config, crash_at=point))
        assert code == -signal.SIGKILL, f"crash point {point} never reached (exit {code}): {out}\n{err[-3000:]}"
        left, rows = _leftovers(data), _records(data)
        assert left_as_expected(left, rows), f"after a crash at {point}: {left}, {len(rows)} records"

    code, out, err = _finish(_start_run(small_root, data, child_config))
    assert code == ExitCode.quarantined, f"{out}\n{err[-3000:]}"
    assert _summary(out)["archived"] == 2, "the record committed before the last crash is not counted again"
    assert snapshot(data) == clean_state


def test_two_concurrent_runs_count_each_record_once(
    small_root: Path, child_config: Path, clean_state: dict[str, Any], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    runs = [_start_run(small_root, data, child_config, workers=2) for _ in range(2)]
    results = [_finish(run) for run in runs]
    for code, out, err in results:
        assert code == ExitCode.quarantined, f"{out}\n{err[-3000:]}"
    summaries = [_summary(out) for _code, out, _err in results]
    assert sum(s["archived"] for s in summaries) == 3, summaries
    assert all(s["archived"] + s["already_done"] == 3 for s in summaries), summaries
    assert snapshot(data) == clean_state


def _without_root_file_access() -> list[str]:
    """A command prefix under which a chmod 000 file cannot be read: none for an ordinary user;
    for root, setpriv drops the two capabilities that let root read any file (CAP_DAC_OVERRIDE,
    CAP_DAC_READ_SEARCH), so file modes hold as they do for any user. Not `runuser -u nobody`,
    as tests/postgres.py does for PostgreSQL: the interpreter may live where nobody cannot
    enter (a pyenv Python under /root, mode 0700)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        unavailable("running as root and setpriv (util-linux) is missing")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", "--"]


def test_unreadable_input_is_quarantined_when_the_run_cannot_read_it(child_config: Path, tmp_path: Path) -> None:
    """The permission-denied path, under root too: a run that cannot read locked.png
    quarantines it as input_unreadable (no copy) and archives the rest of the batch."""
    batch = tmp_path / "scans" / "ashbourne" / "b1"
    _page(batch / "tax.png", TAX)
    locked = _page(batch / "locked.png", PLANNING)
    locked.chmod(0)
    data = tmp_path / "data"
    try:
        code, out, err = _finish(_start_run(tmp_path / "scans", data, child_config, runner=_without_root_file_access()))
    finally:
        locked.chmod(0o600)  # let tmp_path clean-up read it
    assert code == ExitCode.quarantined, f"{out}\n{err[-3000:]}"
    summary = _summary(out)
    assert (summary["archived"], summary["quarantined"], summary["reasons"]) == (1, 1, {"input_unreadable": 1})
    assert [r.source_path for r in _records(data)] == ["ashbourne/b1/tax.png"]
    ledger = Ledger(f"sqlite:///{data / 'ledger.db'}")
    try:
        [entry] = ledger.quarantine_entries()
    finally:
        ledger.dispose()
    assert (entry.source_path, entry.reason, entry.error_class, entry.message, entry.copy_path) == (
        "ashbourne/b1/locked.png", "input_unreadable", "PermissionError", "PermissionError: Permission denied", None)


# --- 7: privacy --------------------------------------------------------------------------------


def test_canary_word_never_reaches_logs_results_or_reasons(
    tmp_path: Path, lenient_config: str, fast_retries: None, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    batch = tmp_path / "scans" / "ashbourne" / "b1"
    _page(batch / f"letter to {CANARY}.png", [TAX[0], f"Account holder Mr {CANARY}", TAX[1]])
    _page(batch / f"{CANARY} crashes tesseract.png", [f"Dear Mr {CANARY}", *PLANNING])
    (batch / f"{CANARY} broken.png").write_bytes(b"not an image")
    (batch / f"notes.{CANARY.lower()}").write_bytes(b"plain text")

    def crash_quoting_path(name: str, _call: int) -> None:
        if "crashes" in name:  # tesseract's stderr quotes the input path, and so its file name
            raise pytesseract.TesseractError(1, f"Error in pixReadStream: cannot read /scans/{name}")

    _tesseract_that(crash_quoting_path, monkeypatch)
    caplog.set_level(logging.INFO)
    for ours in ("records", "ocr", "flows"):
        caplog.set_level(logging.DEBUG, logger=ours)
    data = tmp_path / "data"
    started = datetime.now(timezone.utc)
    summary = _digitise(str(tmp_path / "scans"), config_dir=lenient_config, data_dir=str(data))

    assert _record_task_attempts(since=started) == [1, 1, 1, 3], "the failing page was retried, then quarantined"
    assert summary["reasons"] == {"input_unreadable": 1, "ocr_failed": 1, "unsupported_format": 1}
    assert any(CANARY in p.read_text() for p in (data / "archive").rglob("*.txt")), "the word was read"
    ledger = context_for(lenient_config, str(data)).ledger
    reasons = [json.loads(p.read_text())["message"] for p in (data / "quarantine").rglob("*.reason.json")]
    places = {
        "logs": caplog.text,
        "flow result": json.dumps(summary),
        "quarantine messages": json.dumps([e.message for e in ledger.quarantine_entries()] + reasons),
        "prefect runs and logs": _prefect_records(since=started),
    }
    leaked = [where for where, text in places.items() if CANARY.lower() in text.lower()]
    assert not leaked, f"the canary reached: {leaked}"


def _runs_since(since: datetime) -> tuple[list[FlowRun], list[TaskRun]]:
    with get_client(sync_client=True) as client:
        flow_runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(after_=since)), limit=200  # type: ignore[arg-type]
        )
        ids = [r.id for r in flow_runs]
        task_runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)), limit=200)
    return flow_runs, task_runs


def _record_task_attempts(*, since: datetime) -> list[int]:
    """How many times Prefect ran each process-record task since `since` (retries included)."""
    _flows, tasks = _runs_since(since)
    return sorted(t.run_count for t in tasks if t.name.startswith("process-record"))


def _prefect_records(*, since: datetime) -> str:
    """Flow runs (names, parameters, states), task runs and logs since `since`: what the UI would show."""
    APILogWorker.drain_all(timeout=10)  # send the logs still queued in this process
    flow_runs, task_runs = _runs_since(since)
    with get_client(sync_client=True) as client:
        logs = client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[r.id for r in flow_runs])), limit=200
        )
    assert flow_runs and task_runs and logs and len(logs) < 200, "the query must see this test's runs, all of them"
    return "\n".join(m.model_dump_json() for m in [*flow_runs, *task_runs, *logs])
