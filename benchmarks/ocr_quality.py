"""OCR quality per scan condition: our pipeline against plain Tesseract and OCRmyPDF.

    python -m benchmarks.ocr_quality                # 3 pages per condition, a few minutes
    python -m benchmarks.ocr_quality --pages 6 --workers 2 --keep /tmp/bench

Generates pages with known text (made-up council records) under each condition —
clean, skewed ±3°, rotated 90/180/270, blurred, noisy, JPEG q40, 200 dpi, G4
bitonal, multi-page TIFF, faint (grey) lines — and reads them three ways:

- pipeline:  `ocr.ocr_document` (orientation, deskew, cleaning, completeness check)
- tesseract: plain `tesseract IMAGE OUT --psm 3 pdf txt`, one process per input file
- psm1:      the same with `--psm 1` (Tesseract's own orientation detection, then layout)
- ocrmypdf:  `ocrmypdf --rotate-pages --deskew --output-type pdf --sidecar` (if installed)

each with `--workers` files in parallel and OMP_THREAD_LIMIT=1. It prints word recall
(mean and worst page), character error rate, the searchable PDF's text recall
(`pdftotext`), time per page and pages per second, whether the pipeline's CER is below
both anchors' on each condition, step costs, and recall by quality-score band with a
check of the review threshold (`--per-page`: every page's scores too).
benchmarks/real_scans.py runs the same on real public scans. See benchmarks/QUALITY.md
for the last results and how to read them.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageSequence

import ocr.reading
from ocr import ocr_document, stop_engines
from ocr._exec.tesseract import parse_words
from ocr.cleaning import measure_noise
from ocr.ink import gray_pixels, ink_maps
from ocr.quality import REVIEW_BELOW, check_reading
from ocr.orientation import guess_orientation

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")
FONT_NAMES = ("DejaVuSans.ttf", "DejaVuSerif.ttf", "LiberationSans-Regular.ttf", "LiberationSerif-Regular.ttf")
A4 = (2480, 3508)
CONDITIONS = (
    "clean", "skew", "rot90", "rot180", "rot270", "blur", "noise", "jpeg40", "dpi200", "g4",
    "multipage", "faint",
)
ENGINES = ("pipeline", "tesseract", "psm1", "ocrmypdf")
SCORE_BANDS = (0.0, 0.5, 0.75, 0.9, 1.01)
RECALL_OK = 0.95  # a reading that loses more than one word in twenty needs a reviewer

WORDS = """the council has considered your application for housing benefit and council tax reduction
we are writing to tell you about the decision of the planning committee on the proposed development
at the address shown above please quote the reference number in all correspondence payment is due
on the first day of each month if you disagree with this decision you may ask us to look at it again
within one calendar month of the date of this letter the electoral register is updated every year
and the valuation band of the property was set by the valuation office agency the licence is granted
subject to the conditions listed in the schedule minutes of the meeting of the cabinet held in the
civic centre members resolved that the report be noted and the recommendations approved the rent
account shows arrears which must be cleared the tenancy agreement requires the tenant to keep the
garden tidy the environmental health officer inspected the premises and found them satisfactory""".split()
STREETS = ("High Street", "Station Road", "Church Lane", "Mill Road", "Park Avenue", "Victoria Terrace")
TOWNS = ("Kingsmere", "Abertawe", "Casnewydd", "Northfield", "Westbury")


@dataclass
class Doc:
    """One input file: its path, condition, and the true text of each page.

    `normalise` is applied alike to the truth and to every engine's text before scoring (real
    scans: quotes, dashes, the ground truth's reject marks). `zoned` truths are blocks
    separated by blank lines that an engine may read in any order: CER is then taken block
    by block (see `zone_cer`).
    """

    path: Path
    condition: str
    truths: list[str]
    dpi: int = 300
    normalise: Callable[[str], str] | None = None
    zoned: bool = False

    def clean(self, text: str) -> str:
        return self.normalise(text) if self.normalise else text


@dataclass
class PageScore:
    condition: str
    engine: str
    recall: float
    cer: float
    pdf_recall: float
    quality: float | None = None
    rotation: int | None = None  # the pipeline's turn of the page, degrees clockwise
    reasons: tuple[str, ...] = ()  # the pipeline's review reasons
    seconds: float = 0.0  # wall time of its input file, shared by the file's pages
    page: str = ""  # input file stem, and page number in a multi-page file

    @property
    def needs_review(self) -> bool:
        return bool(self.reasons)


@dataclass
class EngineRun:
    pages: int = 0
    seconds: float = 0.0  # wall clock
    cpu: float = 0.0  # CPU seconds of this process and all the tools it ran
    scores: list[PageScore] = field(default_factory=list)


# --- page generation -----------------------------------------------------------------


def _font(r: random.Random, size: int) -> ImageFont.FreeTypeFont:
    for name in (r.choice(FONT_NAMES), FONT_NAMES[0]):
        for folder in FONT_DIRS:
            path = Path(folder) / name
            if path.is_file():
                return ImageFont.truetype(str(path), size)
    raise SystemExit("fonts missing: apt-get install fonts-dejavu-core fonts-liberation")


def _sentence(r: random.Random, n: int) -> str:
    start = r.randrange(len(WORDS) - n)
    words = WORDS[start : start + n]
    return " ".join(words).capitalize() + r.choice((".", ".", ",", ";"))


def compose_lines(r: random.Random, kind: str) -> list[str]:
    """Text of a made-up record: a letter, a full notice, or a short slip of two lines."""
    ref = f"{r.choice(('HB', 'CT', 'PL', 'EH', 'LIC'))}/{r.randint(2019, 2026)}/{r.randint(1000, 99999)}"
    if kind == "short":
        return [f"Reference {ref} received {r.randint(1, 28)} March {r.randint(2019, 2026)}",
                _sentence(r, r.randint(6, 9))]
    head = [f"{r.randint(1, 180)} {r.choice(STREETS)}", f"{r.choice(TOWNS)} {r.choice(('SA1', 'CF10', 'NP20', 'KM4'))} {r.randint(1, 9)}QX",
            f"Our reference: {ref}", f"Date: {r.randint(1, 28)} June {r.randint(2019, 2026)}", "Dear Resident,"]
    body = [_sentence(r, r.randint(7, 11)) for _ in range(8 if kind == "letter" else 30)]
    return head + body + ["Yours faithfully,", "Head of Revenues and Benefits"]


def render_page(lines: Sequence[str], r: random.Random, *, faint: bool = False) -> Image.Image:
    """Black text on a white A4 page at 300 dpi; with `faint`, every third body line is grey."""
    size = r.choice((40, 44, 48))
    font = _font(r, size)
    page = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(page)
    y = 220
    for n, line in enumerate(lines):
        grey = faint and n % 3 == 2
        draw.text((200, y), line, font=font, fill=165 if grey else 0)
        y += int(size * 1.75) + (size if n in (1, 4) else 0)
    return page


def degrade(page: Image.Image, condition: str, index: int, r: random.Random) -> tuple[Image.Image, int]:
    """The scanned-page version of `page` for `condition`, and its resolution."""
    rng = np.random.default_rng(r.randrange(2**32))
    if condition == "skew":
        angle = (3.0, -3.0)[index % 2]
        return page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255), 300
    if condition.startswith("rot"):  # the sheet went through the scanner turned clockwise
        return page.rotate(-int(condition[3:]), expand=True), 300
    if condition == "blur":
        return page.filter(ImageFilter.GaussianBlur(2.2)), 300
    if condition == "noise":
        a = np.asarray(page).astype(np.float32) + rng.normal(0, 18, (page.height, page.width))
        a[rng.random(a.shape) < 0.006] = 0
        a[rng.random(a.shape) < 0.004] = 255
        return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)), 300
    if condition == "dpi200":
        return page.resize((page.width * 2 // 3, page.height * 2 // 3), Image.Resampling.LANCZOS), 200
    if condition == "g4":
        return page.filter(ImageFilter.GaussianBlur(0.8)).point(lambda v: 255 if v > 150 else 0).convert("1"), 300
    return page, 300


def generate(out: Path, pages_per_condition: int, seed: int) -> list[Doc]:
    """Write the benchmark's input files into `out`; the same seed gives the same pages."""
    out.mkdir(parents=True, exist_ok=True)
    docs: list[Doc] = []
    kinds = ("letter", "notice", "short")
    for condition in CONDITIONS:
        r = random.Random(f"{seed}-{condition}")
        if condition == "multipage":
            frames, truths = [], []
            for i in range(pages_per_condition):
                lines = compose_lines(r, kinds[i % 3])
                scan, _ = degrade(render_page(lines, r), ("clean", "rot180", "skew")[i % 3], i, r)
                frames.append(scan)
                truths.append("\n".join(lines))
            for start in range(0, len(frames), 3):
                path = out / f"multipage-{start // 3 + 1}.tif"
                frames[start].save(path, save_all=True, append_images=frames[start + 1 : start + 3],
                                   compression="tiff_lzw", dpi=(300, 300))
                docs.append(Doc(path, condition, truths[start : start + 3]))
            continue
        for i in range(pages_per_condition):
            lines = compose_lines(r, kinds[i % 3])
            scan, dpi = degrade(render_page(lines, r, faint=condition == "faint"), condition, i, r)
            docs.append(_save(scan, out / f"{condition}-{i + 1}", condition, "\n".join(lines), dpi))
    return docs


def _save(scan: Image.Image, base: Path, condition: str, truth: str, dpi: int) -> Doc:
    if condition == "jpeg40":
        path = base.with_suffix(".jpg")
        scan.save(path, quality=40, dpi=(dpi, dpi))
    elif condition == "g4":
        path = base.with_suffix(".tif")
        scan.save(path, compression="group4", dpi=(dpi, dpi))
    else:
        path = base.with_suffix(".png")
        scan.save(path, dpi=(dpi, dpi))
    return Doc(path, condition, [truth], dpi)


# --- scoring -----------------------------------------------------------------------


def words(text: str) -> list[str]:
    return [w.strip(".,:;()[]'\"").lower() for w in text.split() if w.strip(".,:;()[]'\"")]


def word_recall(truth: str, got: str) -> float:
    want, have = Counter(words(truth)), Counter(words(got))
    total = sum(want.values())
    return sum(min(n, have[w]) for w, n in want.items()) / total if total else 1.0


def cer(truth: str, got: str) -> float:
    """Levenshtein distance over the truth's length, whitespace collapsed."""
    a, b = " ".join(truth.split()), " ".join(got.split())
    if not a:
        return 0.0 if not b else 1.0
    return edit_distance(a, b) / len(a)


def zone_cer(truth: str, got: str) -> float:
    """CER of a truth made of blocks (separated by blank lines) that may be read in any order.

    Each block is aligned with the stretch of `got` it matches best (free start and end), and
    the edit distances are summed over the blocks' length: reading order and text outside the
    blocks (photographs read as letters, say) do not count; misread, dropped or split words do.
    """
    zones = [" ".join(z.split()) for z in re.split(r"\n\s*\n", truth) if z.strip()]
    b = " ".join(got.split())
    total = sum(len(z) for z in zones)
    if not total:
        return 0.0 if not b else 1.0
    return sum(edit_distance(z, b, free_ends=True) for z in zones) / total


def edit_distance(a: str, b: str, *, free_ends: bool = False) -> int:
    """Levenshtein distance from `a` to `b` (numpy row DP); with `free_ends`, from `a` to the
    substring of `b` closest to it."""
    bb = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    offsets = np.arange(len(bb) + 1, dtype=np.int32)
    prev = np.zeros_like(offsets) if free_ends else offsets.copy()
    for ch in a:
        sub = prev[:-1] + (bb != ord(ch))
        row = np.empty_like(prev)
        row[0] = prev[0] + 1
        row[1:] = np.minimum(prev[1:] + 1, sub)
        row = np.minimum.accumulate(row - offsets) + offsets  # insertions along the row
        prev = row
    return int(prev.min() if free_ends else prev[-1])


def pdftotext_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=False).stdout
    return text.split("\f")


def _score_pages(doc: Doc, engine: str, texts: Sequence[str], pdf_texts: Sequence[str],
                 extra: Sequence[tuple[float | None, tuple[str, ...], int | None]] = ()) -> list[PageScore]:
    out = []
    char_errors = zone_cer if doc.zoned else cer
    for i, raw in enumerate(doc.truths):
        truth = doc.clean(raw)
        text = doc.clean(texts[i]) if i < len(texts) else ""
        pdf_text = doc.clean(pdf_texts[i]) if i < len(pdf_texts) else ""
        quality, reasons, rotation = extra[i] if i < len(extra) else (None, (), None)
        page = doc.path.stem + (f" p{i + 1}" if len(doc.truths) > 1 else "")
        out.append(PageScore(doc.condition, engine, word_recall(truth, text), char_errors(truth, text),
                             word_recall(truth, pdf_text), quality=quality, reasons=reasons, rotation=rotation,
                             page=page))
    return out


# --- engines -----------------------------------------------------------------------


@dataclass
class Output:
    """What an engine produced for one input file, scored after the clock stops."""

    texts: list[str]
    pdf: Path | None
    extra: list[tuple[float | None, tuple[str, ...], int | None]] = field(default_factory=list)


def run_pipeline(doc: Doc, work: Path) -> Output:
    result = ocr_document(doc.path, work_dir=work / doc.path.stem)
    extra = [(p.quality, p.review_reasons, p.rotation) for p in result.pages]
    return Output([p.text for p in result.pages], result.pdf_path, extra)


def run_tesseract(doc: Doc, work: Path, psm: int = 3) -> Output:
    base = work / doc.path.stem
    argv = ["tesseract", str(doc.path), str(base), "--psm", str(psm)]
    subprocess.run([*argv, "pdf", "txt"], capture_output=True, check=True, env=_env())
    return Output(Path(f"{base}.txt").read_text(encoding="utf-8").split("\f"), Path(f"{base}.pdf"))


def score_plain_readings(doc: Doc, work: Path) -> list[tuple[float, float]]:
    """(quality score, recall) of plain Tesseract's readings, to test the score on bad readings:
    the same check the pipeline runs, on the page as scanned, with a TSV pass of plain Tesseract."""
    out = []
    base = work / f"{doc.path.stem}.scored"
    subprocess.run(["tesseract", str(doc.path), str(base), "--psm", "3", "tsv", "txt"],
                   capture_output=True, check=True, env=_env())
    tsv = Path(f"{base}.tsv").read_text(encoding="utf-8")
    texts = Path(f"{base}.txt").read_text(encoding="utf-8").split("\f")
    with Image.open(doc.path) as img:
        frames = [frame.convert("L") for frame in ImageSequence.Iterator(img)]
    for i, (frame, truth) in enumerate(zip(frames, doc.truths)):
        page_rows = [row for row in tsv.splitlines()[1:] if row.split("\t")[1:2] == [str(i + 1)]]
        words = parse_words("\n".join([tsv.splitlines()[0], *page_rows]))
        reading = check_reading(ink_maps(frame, dpi=doc.dpi)[1], words)
        out.append((reading.score, word_recall(doc.clean(truth), doc.clean(texts[i]) if i < len(texts) else "")))
    return out


def run_ocrmypdf(doc: Doc, work: Path) -> Output:
    base = work / doc.path.stem
    argv = [_ocrmypdf(), "--rotate-pages", "--deskew", "--output-type", "pdf", "-O0", "--jobs", "1",
            "--sidecar", f"{base}.txt", "--image-dpi", str(doc.dpi), "-q", str(doc.path), f"{base}.pdf"]
    proc = subprocess.run(argv, capture_output=True, check=False, env=_env())
    if proc.returncode != 0:
        return Output([], None)
    return Output(Path(f"{base}.txt").read_text(encoding="utf-8").split("\f"), Path(f"{base}.pdf"))


def score(doc: Doc, engine: str, out: Output) -> list[PageScore]:
    return _score_pages(doc, engine, out.texts, pdftotext_pages(out.pdf) if out.pdf else [], out.extra)


def _ocrmypdf() -> str:
    return shutil.which("ocrmypdf") or str(Path(sys.executable).with_name("ocrmypdf"))


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def run_engine(name: str, docs: Sequence[Doc], work: Path, workers: int) -> EngineRun:
    fn: Callable[[Doc, Path], Output] = {
        "pipeline": run_pipeline, "tesseract": run_tesseract, "ocrmypdf": run_ocrmypdf,
        "psm1": lambda doc, work: run_tesseract(doc, work, psm=1),
    }[name]
    folder = work / name
    folder.mkdir(parents=True, exist_ok=True)
    cpu_start = _cpu_seconds()
    start = time.perf_counter()

    def timed(doc: Doc) -> tuple[Output, float]:
        t0 = time.perf_counter()
        out = fn(doc, folder)
        return out, time.perf_counter() - t0

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(timed, docs))
    stop_engines()  # the pipeline's Tesseract engines: reaped, so their CPU time counts
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_start
    scores = []
    for doc, (out, took) in zip(docs, results):
        for page in score(doc, name, out):
            page.seconds = took / len(doc.truths)
            scores.append(page)
    return EngineRun(len(scores), seconds, cpu, scores)


def _cpu_seconds() -> float:
    """User + system time of this process and of every child process waited for."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


# --- step costs ----------------------------------------------------------------------


def step_costs(docs: Sequence[Doc]) -> dict[str, float]:
    """Milliseconds per page of the checks every page pays for, on the clean pages."""
    timings: dict[str, list[float]] = defaultdict(list)
    for doc in (d for d in docs if d.condition == "clean"):
        t0 = time.perf_counter()
        with Image.open(doc.path) as img:
            gray = gray_pixels(img)
        t1 = time.perf_counter()
        ink, faint = ink_maps(gray, dpi=doc.dpi)
        t2 = time.perf_counter()
        guess_orientation(ink)
        t3 = time.perf_counter()
        measure_noise(gray)
        t4 = time.perf_counter()
        check_reading(faint, [])
        t5 = time.perf_counter()
        for key, a, b in (("load page", t0, t1), ("ink maps", t1, t2), ("orientation + skew", t2, t3),
                          ("noise check", t3, t4), ("completeness check", t4, t5)):
            timings[key].append((b - a) * 1000)
    return {k: statistics.mean(v) for k, v in timings.items()}


class _Calls:
    """Counts the pipeline's OSD calls and its OCR passes by kind (benchmark instrumentation only),
    by wrapping `detect_orientation` and `ocr_page_image` where ocr.reading looks them up. A
    pass's kind is the tag of its output files (`NNNNN.ocr`, `NNNNN.ocr-faint`, ...)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        for name in ("detect_orientation", "ocr_page_image"):
            setattr(ocr.reading, name, self._counted(name, getattr(ocr.reading, name)))

    def _counted(self, name: str, real: Callable[..., object]) -> Callable[..., object]:
        def counted(*args: object, **kwargs: object) -> object:
            key = "osd" if name == "detect_orientation" else Path(str(kwargs["out_base"])).name.split(".", 1)[1]
            with self._lock:
                self.counts[key] += 1
            return real(*args, **kwargs)
        return counted


# --- report ------------------------------------------------------------------------


def report(runs: dict[str, EngineRun], docs: Sequence[Doc], calls: Counter[str],
           conditions: Sequence[str] = CONDITIONS, per_page: bool = False) -> str:
    lines = ["", "Per condition (recall: word recall; pdf: recall of pdftotext on the searchable PDF;",
             "s/page: wall time per page of each input file, with --workers files running at once)", ""]
    lines.append(f"{'condition':<10} {'engine':<10} {'pages':>5} {'recall':>7} {'worst':>7} {'CER':>7} {'pdf':>7}"
                 f" {'s/page':>7}")
    by: dict[tuple[str, str], list[PageScore]] = defaultdict(list)
    for run in runs.values():
        for s in run.scores:
            by[(s.condition, s.engine)].append(s)
    for condition in conditions:
        for engine in runs:
            scores = by.get((condition, engine), [])
            if scores:
                lines.append(_row(condition, engine, scores))
    lines += ["", "All pages", ""]
    for engine, run in runs.items():
        lines.append(_row("all", engine, run.scores))
    lines += ["", "Throughput (same pages, same worker count). Wall-clock pages/s depends on what else",
              "the machine runs; CPU s/page (the engine and every tool it started) does not, and the",
              "ratio is taken from it.", ""]
    base = runs["tesseract"].cpu / runs["tesseract"].pages if "tesseract" in runs else None
    for engine, run in runs.items():
        cpu_page = run.cpu / run.pages
        ratio = f"{base / cpu_page:.2f}x tesseract" if base else ""
        lines.append(f"{engine:<10} {run.pages:>4} pages {run.seconds:>7.1f} s wall {run.pages / run.seconds:>6.3f} pages/s"
                     f"  {cpu_page:>6.2f} CPU s/page  {ratio}")
    lines += _cer_target(by, conditions, [e for e in runs if e != "pipeline"] if "pipeline" in runs else [])
    if "pipeline" in runs:
        lines += _pipeline_sections(runs["pipeline"], docs, calls)
    if per_page:
        lines += _per_page(runs)
    return "\n".join(lines)


def _per_page(runs: dict[str, EngineRun]) -> list[str]:
    """Recall and CER of every page by every engine, with the pipeline's quality score and review reasons."""
    lines = ["", "Per page (recall / CER; q: the pipeline's quality score, rot: its turn of the page, then its "
             "review reasons)", "",
             f"{'page':<26} {'condition':<10} " + " ".join(f"{e:>13}" for e in runs) + "      q  rot  reasons"]
    rows: dict[str, dict[str, PageScore]] = defaultdict(dict)
    for engine, run in runs.items():
        for s in run.scores:
            rows[s.page][engine] = s
    for page, by_engine in rows.items():
        first = next(iter(by_engine.values()))
        cells = " ".join(f"{by_engine[e].recall:>6.3f}/{by_engine[e].cer:<6.3f}" if e in by_engine else f"{'':>13}"
                         for e in runs)
        ours = by_engine.get("pipeline")
        tail = (f" {ours.quality:>6.3f}  {ours.rotation:>3}  {','.join(ours.reasons)}"
                if ours and ours.quality is not None else "")
        lines.append(f"{page:<26} {first.condition:<10} {cells}{tail}".rstrip())
    return lines


def _row(condition: str, engine: str, scores: Sequence[PageScore]) -> str:
    recall = statistics.mean(s.recall for s in scores)
    worst = min(s.recall for s in scores)
    c = statistics.mean(s.cer for s in scores)
    pdf = statistics.mean(s.pdf_recall for s in scores)
    took = statistics.mean(s.seconds for s in scores)
    return (f"{condition:<10} {engine:<10} {len(scores):>5} {recall:>7.4f} {worst:>7.4f} {c:>7.4f} {pdf:>7.4f}"
            f" {took:>7.2f}")


def _cer_target(by: dict[tuple[str, str], list[PageScore]], conditions: Sequence[str],
                anchors: Sequence[str]) -> list[str]:
    """The target "pipeline CER below both anchors on every condition", condition by condition."""
    if not anchors:
        return []
    lines = ["", "Target: pipeline CER below every anchor's (" + ", ".join(anchors) + "), per condition", "",
             f"{'condition':<10} {'pipeline':>8} {'anchors':>8}  verdict"]
    verdicts: Counter[str] = Counter()
    for condition in conditions:
        if not by.get((condition, "pipeline")):
            continue
        ours = statistics.mean(s.cer for s in by[(condition, "pipeline")])
        best = min(statistics.mean(s.cer for s in by[(condition, a)]) if by.get((condition, a)) else 1.0
                   for a in anchors)
        verdict = "below" if ours < best else "tied at 0" if ours == best == 0 else "NOT below"
        verdicts[verdict] += 1
        lines.append(f"{condition:<10} {ours:>8.4f} {best:>8.4f}  {verdict}")
    lines.append(", ".join(f"{v}: {n}" for v, n in sorted(verdicts.items())) + f" of {sum(verdicts.values())} conditions")
    return lines


def _score_bands(title: str, pairs: Sequence[tuple[float, float, bool]]) -> list[str]:
    lines = ["", title, "", f"{'score band':<12} {'pages':>5} {'recall':>7} {'worst':>7} {'flagged':>7}"]
    for low, high in zip(SCORE_BANDS, SCORE_BANDS[1:]):
        band = [(q, r, f) for q, r, f in pairs if low <= q < high]
        if band:
            lines.append(f"[{low:.2f}, {min(high, 1.0):.2f}{']' if high > 1 else ')'} {len(band):>5} "
                         f"{statistics.mean(r for _, r, _ in band):>7.4f} {min(r for _, r, _ in band):>7.4f} "
                         f"{sum(f for _, _, f in band):>7}")
    return lines + _threshold_check([(q, r) for q, r, _ in pairs])


def _threshold_check(pairs: Sequence[tuple[float, float]]) -> list[str]:
    """Does REVIEW_BELOW separate the readings a reviewer must see (recall < RECALL_OK) from the rest?"""
    if not pairs:
        return []
    poor = [q for q, r in pairs if r < RECALL_OK]
    passed = [r for q, r in pairs if q >= REVIEW_BELOW]
    lines = [f"review threshold {REVIEW_BELOW:.2f}: "
             + (f"{len(poor)} readings with recall < {RECALL_OK}, highest score {max(poor):.3f} "
                f"({'all' if max(poor) < REVIEW_BELOW else 'NOT all'} below the threshold)"
                if poor else f"no reading with recall < {RECALL_OK}")]
    if passed:
        lines.append(f"{'':<18} {len(passed)} readings scoring >= {REVIEW_BELOW:.2f}, lowest recall {min(passed):.4f}")
    if poor:
        lines.append(f"{'':<18} lowest threshold that flags every reading with recall < {RECALL_OK}: "
                     f"above {max(poor):.3f}")
    return lines


def _pipeline_sections(run: EngineRun, docs: Sequence[Doc], calls: Counter[str]) -> list[str]:
    pairs = [(s.quality, s.recall, s.needs_review) for s in run.scores if s.quality is not None]
    lines = _score_bands("Pipeline recall by quality score (flagged: needs_review)", pairs)
    flagged = [s for s in run.scores if s.needs_review]
    passed = [s for s in run.scores if not s.needs_review]
    for name, group in (("needs_review", flagged), ("passed", passed)):
        if group:
            lines.append(f"{name:<12} {len(group):>5} {statistics.mean(s.recall for s in group):>7.4f} "
                         f"{min(s.recall for s in group):>7.4f}")
    costs = step_costs(docs)
    if costs:
        lines += ["", "Pipeline step costs (ms per page on the clean A4 pages; compare Tesseract's CPU s/page above)", ""]
        lines += [f"{step:<22} {ms:>7.1f}" for step, ms in costs.items()]
    lines.append("")
    lines.append(f"{'OSD calls':<22} {calls['osd']:>7} of {run.pages} pages")
    for kind, n in sorted(calls.items()):
        if kind.startswith("ocr-"):
            lines.append(f"{'extra pass ' + kind.removeprefix('ocr-'):<22} {n:>7} of {run.pages} pages")
    return lines


# --- command line ----------------------------------------------------------------------


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by this benchmark and benchmarks.real_scans."""
    parser.add_argument("--workers", type=int, default=2, help="files OCRed in parallel (default 2)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset of " + ",".join(ENGINES))
    parser.add_argument("--keep", type=Path, help="keep inputs and outputs in this folder")
    parser.add_argument("--no-score-plain", dest="score_plain", action="store_false",
                        help="skip scoring plain Tesseract's readings (the bad-page check of the score)")
    parser.add_argument("--per-page", action="store_true", help="also print every page's scores")


@contextmanager
def work_folder(keep: Path | None) -> Iterator[Path]:
    """`keep`, or a temporary folder removed afterwards."""
    work = keep or Path(tempfile.mkdtemp(prefix="ocr-quality-"))
    try:
        yield work
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def run_benchmark(docs: Sequence[Doc], conditions: Sequence[str], args: argparse.Namespace, work: Path) -> None:
    """Read `docs` with each engine of `args.engines`, print the report, then score plain Tesseract's readings."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    engines = [e for e in args.engines.split(",") if e in ENGINES]
    if "ocrmypdf" in engines and not Path(_ocrmypdf()).exists():
        print("ocrmypdf not installed (pip install ocrmypdf): skipped", file=sys.stderr)
        engines.remove("ocrmypdf")
    calls = _Calls()
    runs: dict[str, EngineRun] = {}
    for engine in engines:
        print(f"running {engine} on {sum(len(d.truths) for d in docs)} pages ...", file=sys.stderr)
        runs[engine] = run_engine(engine, docs, work / "out", args.workers)
    print(report(runs, docs, calls.counts, conditions, args.per_page))
    if args.score_plain:
        print("scoring plain Tesseract's readings ...", file=sys.stderr)
        folder = work / "out" / "scored"
        folder.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            pairs = [p for r in pool.map(lambda d: score_plain_readings(d, folder), docs) for p in r]
        title = ("Quality score on plain Tesseract's readings (the same check, on the page as "
                 "scanned; flagged: score < review threshold)")
        print("\n".join(_score_bands(title, [(q, r, q < REVIEW_BELOW) for q, r in pairs])))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=3, help="pages per condition (default 3)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--conditions", default=",".join(CONDITIONS), help="comma-separated subset")
    add_run_options(parser)
    args = parser.parse_args(argv)
    with work_folder(args.keep) as work:
        docs = [d for d in generate(work / "inputs", args.pages, args.seed)
                if d.condition in args.conditions.split(",")]
        run_benchmark(docs, CONDITIONS, args, work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
