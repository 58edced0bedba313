"""Pages per second of this pipeline against the machine's limit and against OCRmyPDF.

On the same generated pages, in one run (the machine is noisy, so only ratios measured
side by side mean anything). The default set is the mix a scanning room sends
(`samples.mixed`: PNG, JPEG grey and colour, LZW and G4 TIFF, scanned PDFs; about 10 % of
pages turned, half tilted, 30 % noisy, some blurred; 200 and 300 dpi); `--set bitonal` is
upright 1-bit 300-dpi PNGs, the easiest pages there are.
  (a) the limit: plain `tesseract` CLI, one process per page image, one at a time per core,
      OMP_THREAD_LIMIT=1, PDF + text; a PDF is rasterised by `pdftoppm` first, in its time
  (k) Tesseract kept loaded: the project's engine (ocr/_exec/engine.py, tesserocr in one
      process per thread) called directly, one thread per core, the same PDF + text as (a)
      without loading the model for every page; nothing of the pipeline around it
  (b) `ocrmypdf --jobs <cores> --output-type pdf` on the same pages as one PDF
  (c) this pipeline's flow end to end: OCR, searchable PDF, classification, archive, ledger
  (u) with --compare-malloc: (c) again with glibc's malloc as shipped (DIGITISE_MALLOC=default),
      for what ocr/_exec/malloc.py saves in memory and costs in CPU

The time outside Tesseract is (c) against (k): both keep the model loaded, so what is left is
the pipeline's own work. It is signed: negative when (c) finished first.

It then prints where (c)'s CPU went, stage by stage (`ocr.profiling`, on for this run only):
CPU ms per page of each stage over all pages and over the pages of each condition, and how
many pages each Tesseract pass and OSD ran on.

Usage: python -m benchmarks.throughput --pages 100 [--set bitonal] [--workers N] [--skip-ocrmypdf]
       python -m benchmarks.throughput --pages 5000 --distinct 500 --pipeline-only   # memory at scale
       python -m benchmarks.throughput --pages 500 --distinct 50 --pipeline-only --compare-malloc --rounds 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import struct
import time
import zlib
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Measured:
    key: str  # a, k, b, c or u
    name: str
    pages: int
    wall: float
    recall: float | None = None
    cpu: float = 0.0  # CPU seconds of every process the engine ran

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall

    def plus(self, other: Measured) -> Measured:
        """This run and another of the same engine, as one."""
        return Measured(self.key, self.name, self.pages + other.pages, self.wall + other.wall, self.recall,
                        self.cpu + other.cpu)


def children_cpu() -> float:
    """CPU seconds of this process's finished children (and theirs): what an engine cost."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _words(text: str) -> Counter[str]:
    return Counter(w.strip(".,:;()[]'\"").lower() for w in text.split() if w.strip(".,:;()[]'\""))


def recall(truth: list[str], texts: list[str]) -> float:
    hit = total = 0
    for want_text, got_text in zip(truth, texts, strict=True):
        want, got = _words(want_text), _words(got_text)
        total += sum(want.values())
        hit += sum(min(n, got[w]) for w, n in want.items())
    return hit / total if total else 1.0


@dataclass
class Sample:
    """The input files, the true text of each, each one's conditions, and the page count."""

    files: list[Path]
    truth: list[str]
    conditions: dict[str, tuple[str, ...]]
    page_counts: dict[str, int]

    @property
    def pages(self) -> int:
        return sum(self.page_counts.values())


def make_sample(out: Path, kind: str, pages: int, seed: int, distinct: int | None = None) -> Sample:
    """`pages` pages of the `kind` set; with `distinct`, only that many are rendered (about
    0.3 s each) and the rest are copies with a serial number (`distinct_copy`): the same
    image, new bytes, so the pipeline does not skip them as already archived."""
    from samples.generate import generate_pages
    from samples.mixed import generate_mixed

    wanted = min(pages, distinct or pages)
    if kind == "mixed":
        mixed = generate_mixed(out, wanted, seed)
        records, found = [m.record for m in mixed], [m.conditions for m in mixed]
    else:
        records = generate_pages(out, wanted, seed)
        found = [("png-1bit",)] * len(records)
    files = [out / r.path for r in records]
    truth = ["\n".join(r.pages) for r in records]
    counts = [len(r.pages) for r in records]
    n = 0
    while sum(counts) < pages:
        i = n % len(records)
        files.append(distinct_copy(files[i], files[i].with_name(f"copy-{len(files) + 1:05d}{files[i].suffix}"),
                                   len(files)))
        truth.append(truth[i])
        found.append(found[i])
        counts.append(counts[i])
        n += 1
    return Sample(files, truth, {f.name: c for f, c in zip(files, found)}, {f.name: n for f, n in zip(files, counts)})


def distinct_copy(source: Path, copy: Path, serial: int) -> Path:
    """`source` with `serial` written where its decoder ignores it: a PNG text chunk, a JPEG
    comment, trailing bytes after a TIFF's or PDF's last structure."""
    data = source.read_bytes()
    mark = b"serial %d" % serial
    if data.startswith(b"\x89PNG"):
        chunk = b"tEXt" + b"serial\x00" + mark
        data = data[:33] + struct.pack(">I", len(chunk) - 4) + chunk + struct.pack(">I", zlib.crc32(chunk)) + data[33:]
    elif data.startswith(b"\xff\xd8"):
        data = data[:2] + b"\xff\xfe" + struct.pack(">H", len(mark) + 2) + mark + data[2:]
    else:
        data += b"\n%" + mark + b"\n"
    copy.write_bytes(data)
    return copy


def page_images(source: Path, out: Path) -> list[Path]:
    """What plain Tesseract is given for one input: the file itself (a multi-page TIFF as it
    is), or a PDF's pages rasterised by `pdftoppm` at 300 dpi, as the pipeline does."""
    if source.suffix.lower() != ".pdf":
        return [source]
    folder = out / f"{source.stem}.pages"
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(source), str(folder / "page")], check=True,
                   capture_output=True)
    return sorted(folder.glob("page*.png"))


def _joined_text(source: Path, out: Path) -> str:
    """The text plain Tesseract read from `source`, over all its page images."""
    direct = out / f"{source.stem}.txt"
    if direct.is_file():
        return direct.read_text(encoding="utf-8")
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((out / f"{source.stem}.pages").glob("*.txt")))


def run_tesseract_cli(files: list[Path], out: Path, workers: int) -> float:
    out.mkdir(parents=True)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(source: Path) -> None:
        for image in page_images(source, out):
            base = out / source.stem if image == source else image.with_suffix("")
            subprocess.run(["tesseract", str(image), str(base), "-l", "eng", "pdf", "txt"],
                           check=True, capture_output=True, env=env)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, files))
    return time.perf_counter() - started


def run_tesseract_kept_loaded(files: list[Path], out: Path, workers: int) -> float:
    """(k): each of `workers` threads reads its pages on its own engine process, started on
    its first page (that load is timed, as the pipeline's is); the engines are stopped and
    reaped at the end, so that their CPU time is in children_cpu()."""
    from ocr._exec.engine import engine_available, read_with_engine, stop_engines

    if not engine_available():
        raise SystemExit("tesserocr is not installed: the kept-loaded baseline (k) needs it (pip install -e .)")
    out.mkdir(parents=True)

    def one(source: Path) -> None:
        for image in page_images(source, out):
            base = out / source.stem if image == source else image.with_suffix("")
            # psm 3: what the CLI in (a) uses; the file's own resolution, else 300 dpi, as the CLI
            read_with_engine(image, out_base=base, languages="eng", dpi=_file_dpi(image), psm=3, timeout=600)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, files))
    wall = time.perf_counter() - started
    stop_engines()
    return wall


def _file_dpi(image: Path) -> int:
    from PIL import Image

    from ocr.defaults import DEFAULT_DPI
    from ocr.pages import _image_dpi

    with Image.open(image) as img:
        return _image_dpi(img) or DEFAULT_DPI


def run_ocrmypdf(pages: list[Path], out: Path, workers: int) -> float:
    import img2pdf

    out.mkdir(parents=True)
    source = out / "pages.pdf"
    source.write_bytes(img2pdf.convert([str(p) for p in pages]))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ocrmypdf", "--jobs", str(workers), "--output-type", "pdf",
                    "--sidecar", str(out / "pages.txt"), "-q", str(source), str(out / "ocr.pdf")],
                   check=True)
    return time.perf_counter() - started


def run_pipeline(pages: list[Path], out: Path, workers: int, task_runner: str = "threads",
                 heap_span: str | None = None, malloc: str | None = None) -> dict:
    """(c) in its own process; `malloc` "default": glibc's malloc as shipped (`_malloc_as_shipped`)."""
    batch = out / "scans" / "ashbourne" / "benchmark"
    batch.mkdir(parents=True)
    for page in pages:
        os.link(page, batch / page.name)
    print(f"(c) memory timeline as it runs: {out / 'rss-timeline.tsv'}", flush=True)
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks._pipeline_run", str(out / "scans"), str(out / "data"), str(workers),
         task_runner, "profile", *([heap_span] if heap_span else [])],
        check=False, capture_output=True, text=True, cwd=ROOT,
        env=_malloc_as_shipped() if malloc == "default" else None,
    )
    if proc.returncode:
        raise SystemExit(f"the pipeline run failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _malloc_as_shipped() -> dict[str, str]:
    """The environment with glibc's malloc left as shipped: no tuning by the pipeline, and none
    of glibc's own MALLOC_* settings (which (c) may be given to try other values)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    return {**env, "DIGITISE_MALLOC": "default"}


def pipeline_texts(pages: list[Path], data: Path) -> list[str]:
    by_source = {}
    for sidecar in (data / "archive").rglob("*.json"):
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        by_source[Path(meta["source"]["path"]).name] = sidecar.with_suffix(".txt").read_text(encoding="utf-8")
    return [by_source.get(p.name, "") for p in pages]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--set", dest="kind", choices=("mixed", "bitonal"), default="mixed",
                        help="the pages: a scanning room's mix (default), or upright 1-bit PNGs")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes for (a), engines for (k) and --jobs for (b) [CPU cores]")
    parser.add_argument("--pipeline-workers", type=int, default=0,
                        help="records at once in (c) [0: pipeline.yaml's workers, one per core]")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the engines this many times, in reverse order every other round, and add "
                        "up: on a shared machine, load that comes and goes then falls on each alike")
    parser.add_argument("--skip-ocrmypdf", action="store_true", help="(b) runs on the bitonal set only anyway")
    parser.add_argument("--pipeline-only", action="store_true",
                        help="run (c) alone: its memory and CPU at a size too long to run three times")
    parser.add_argument("--task-runner", default="threads",
                        help="(c)'s task runner: threads, or dask (a local cluster of single-threaded processes)")
    parser.add_argument("--distinct", type=int, help="render only this many distinct pages; the rest are "
                        "byte-different copies (for 5,000-page runs: rendering takes about 0.4 s a page)")
    parser.add_argument("--tracemalloc", metavar="A,B",
                        help="diagnostic: which lines of (c)'s process hold more memory after B records than "
                        "after A (heap-growth.txt beside the timeline); tracing slows it, so not for figures")
    parser.add_argument("--compare-malloc", action="store_true",
                        help="also run (c) with glibc's malloc as shipped, as (u), side by side")
    parser.add_argument("--keep", type=Path, help="keep the work folder here instead of a temporary one")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="digitise-bench-"))
    try:
        sample = make_sample(work / "pages", args.kind, args.pages, args.seed, args.distinct)
        engines = ["c"] if args.pipeline_only else ["a", "k", "c"]
        if args.compare_malloc:
            engines.append("u")
        if args.kind == "bitonal" and not (args.skip_ocrmypdf or args.pipeline_only):
            engines.insert(2, "b")
        results: dict[str, Measured] = {}
        runs: dict[str, list[dict]] = {"c": [], "u": []}
        for round_ in range(args.rounds):
            for key in engines if round_ % 2 == 0 else engines[::-1]:
                measured = _run_engine(key, sample, work / f"round{round_ + 1}", args, runs)
                results[key] = results[key].plus(measured) if key in results else measured
        run = _sum_runs(runs["c"])
        untuned = _sum_runs(runs["u"]) if runs["u"] else None
        report([results[k] for k in engines], run, args, sample.pages, untuned)
        print_timeline(Path(run["timeline"]), sample.pages / len(sample.files))
        if untuned:
            print_timeline(Path(untuned["timeline"]), sample.pages / len(sample.files), label="(u)")
        print_stages(run["profile"], sample, run, args.rounds)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


NAMES = {"a": "(a) tesseract CLI, 1 process/core", "k": "(k) tesseract kept loaded, 1 engine/core",
         "c": "(c) council-digitise flow", "u": "(u) (c), glibc malloc as shipped"}


def _run_engine(key: str, sample: Sample, work: Path, args: argparse.Namespace,
                runs: dict[str, list[dict]]) -> Measured:
    """One engine over the whole sample: its wall time, CPU and word recall."""
    cpu = children_cpu()
    if key in ("c", "u"):
        folder = work / ("pipeline" if key == "c" else "pipeline-untuned")
        run = run_pipeline(sample.files, folder, args.pipeline_workers or args.workers, args.task_runner,
                           args.tracemalloc, malloc="default" if key == "u" else None)
        run["all_cpu"] = children_cpu() - cpu
        runs[key].append(run)
        texts = pipeline_texts(sample.files, folder / "data")
        return Measured(key, NAMES[key], sample.pages, run["wall"], recall(sample.truth, texts), run["all_cpu"])
    if key == "b":
        wall = run_ocrmypdf(sample.files, work / "ocrmypdf", args.workers)
        texts = (work / "ocrmypdf" / "pages.txt").read_text(encoding="utf-8").split("\f")[: len(sample.files)]
        return Measured("b", f"(b) ocrmypdf --jobs {args.workers}", sample.pages, wall, recall(sample.truth, texts),
                        children_cpu() - cpu)
    folder = work / ("tesseract" if key == "a" else "kept-loaded")
    wall = (run_tesseract_cli if key == "a" else run_tesseract_kept_loaded)(sample.files, folder, args.workers)
    texts = [_joined_text(f, folder) for f in sample.files]
    return Measured(key, NAMES[key], sample.pages, wall, recall(sample.truth, texts), children_cpu() - cpu)


def _sum_runs(runs: list[dict]) -> dict:
    """The pipeline's rounds as one: times and CPU added, memory the highest."""
    total = dict(runs[0])
    for run in runs[1:]:
        for key in ("wall", "flow_run_wall", "own_cpu", "tools_cpu", "all_cpu"):
            total[key] += run[key]
        for key in ("peak_rss_mib", "largest_child_rss_mib"):
            total[key] = max(total[key], run[key])
        total["timeline"] = run["timeline"]  # the last round's
        total["profile"] = total["profile"] + run["profile"]
    return total


def report(results: list[Measured], run: dict, args: argparse.Namespace, pages: int,
           untuned: dict | None = None) -> None:
    print(f"\n{args.kind} set: {pages} pages x {args.rounds} round(s), {args.workers} workers, "
          f"{os.cpu_count()} cores\n")
    print(f"{'engine':40} {'wall s':>8} {'pages/s':>8} {'CPU s/page':>11} {'word recall':>12}")
    for r in results:
        print(f"{r.name:40} {r.wall:8.1f} {r.pages_per_s:8.3f} {r.cpu / r.pages:11.3f} {r.recall:12.4f}")
    by = {r.key: r for r in results}
    c = by["c"]
    steady = c.pages / run["flow_run_wall"]
    print(f"{'(c) the flow run alone':40} {run['flow_run_wall']:8.1f} {steady:8.3f}   "
          f"(less {c.wall - run['flow_run_wall']:.1f} s start-up: imports, embedded Prefect server)")
    a, k, b = by.get("a"), by.get("k"), by.get("b")
    if a:
        print(f"\nc/a (pipeline vs the limit)      {c.pages_per_s / a.pages_per_s:.3f}   target >= 0.9")
        print(f"c/a, flow run alone              {steady / a.pages_per_s:.3f}   "
              "(as with a long-running server: scripts/ops-up.sh)")
    if k:
        print(f"c/k (pipeline vs kept loaded)    {c.pages_per_s / k.pages_per_s:.3f}")
    if b:
        print(f"c/b (pipeline vs OCRmyPDF)       {c.pages_per_s / b.pages_per_s:.3f}   target >= 1.3")
    # On a shared machine wall time swings with other load; CPU seconds per page do not.
    if a:
        print(f"c/a by CPU per page              {a.cpu / c.cpu:.3f}   (what c/a is on an otherwise idle machine)")
    if k:
        print(f"c/k by CPU per page              {k.cpu / c.cpu:.3f}")
    if b:
        print(f"c/b by CPU per page              {b.cpu / c.cpu:.3f}")
    print(f"pipeline peak RSS                {run['peak_rss_mib']:.0f} MiB   target < 500 MiB, flat with pages")
    engines = run.get("engine_rss_mib") or []
    if engines:
        total = run["peak_rss_mib"] + sum(engines)
        print(f"Tesseract engine processes       {len(engines)} x {max(engines):.0f} MiB peak; with the pipeline "
              f"process at most {total:.0f} MiB together")
    if untuned:
        u = by["u"]
        print(f"(u) malloc as shipped: peak RSS  {untuned['peak_rss_mib']:.0f} MiB, engines "
              f"{max(untuned.get('engine_rss_mib') or [0]):.0f} MiB; c/u by CPU per page {u.cpu / c.cpu:.3f} "
              "(below 1: the tuning costs CPU)")
    print(f"largest child process RSS        {run['largest_child_rss_mib']:.0f} MiB "
          "(a Tesseract engine or CLI run, or the embedded Prefect server)")
    if k:
        # Signed, not floored: a negative share means the pipeline finished before Tesseract alone.
        print(f"time outside Tesseract           {100 * (c.wall - k.wall) / c.wall:.1f}% of pipeline wall time, "
              f"{100 * (run['flow_run_wall'] - k.wall) / run['flow_run_wall']:.1f}% of the flow run alone "
              "(c against k, both with the model kept loaded)   target < 5%")
        print(f"CPU outside Tesseract, c vs k    {100 * (c.cpu - k.cpu) / c.cpu:.1f}% of pipeline CPU "
              f"({(c.cpu - k.cpu) / c.pages:.3f} s/page)")
    tools, own = run["tools_cpu"], run["own_cpu"]
    server = run["all_cpu"] - tools - own
    print(f"CPU outside Tesseract            {100 * (own + server) / run['all_cpu']:.1f}% "
          f"(pipeline process {own / c.pages:.3f} s/page, Prefect server {server / c.pages:.3f} s/page; "
          f"Tesseract and pdftoppm {tools / c.pages:.3f} s/page)")
    print(f"summary                          {run['summary']}")


def print_timeline(path: Path, pages_per_record: float, rows_shown: int = 10, label: str = "(c)") -> None:
    """(c)'s memory against pages done (the last round's): a few samples and the slope over
    the second half of the run, of the pipeline process and of its children apart."""
    from benchmarks._rss_timeline import read, slope_kib_per_record

    rows = read(path)
    if not rows:
        return
    print(f"\n{label} memory timeline ({len(rows)} samples, all in {path.name}), MiB\n")
    print(f"{'s':>7} {'pages':>6} {'pipeline':>9} {'its peak':>9} {'engines':>8} {'server etc.':>12}")
    step = max(1, len(rows) // rows_shown)
    for row in rows[::step] + ([rows[-1]] if (len(rows) - 1) % step else []):
        print(f"{row['seconds']:7.0f} {row['records'] * pages_per_record:6.0f} {row['pipeline_rss_kib'] / 1024:9.0f} "
              f"{row['pipeline_hwm_kib'] / 1024:9.0f} {row['engines_rss_kib'] / 1024:8.0f} "
              f"{row['other_children_rss_kib'] / 1024:12.0f}")
    for key, name in (("pipeline_rss_kib", "pipeline process"), ("pipeline_hwm_kib", "pipeline process peak"),
                      ("other_children_rss_kib", "server and other children")):
        slope = slope_kib_per_record(rows, key)
        if slope is not None:
            print(f"slope, second half, {name:27} {slope / pages_per_record:+8.1f} KiB/page")


#: The stages in the order a page meets them (`ocr.profiling.stage` names); others follow.
STAGES = (
    "hash", "decode", "text layer check", "extract page image", "rasterise", "ink maps", "signals",
    "orientation check", "OSD", "noise check", "layout", "turn and deskew", "cleaning", "faint darkening",
    "write prepared image", "tesseract ocr", "tesseract ocr-sheet-dpi", "tesseract ocr-as-scanned",
    "tesseract ocr-turned90", "tesseract ocr-turned270", "tesseract ocr-flipped", "tesseract ocr-uncleaned",
    "tesseract ocr-faint", "tesseract ocr-sparse", "completeness check", "scratch clean-up", "PDF assembly",
    "classification", "archive and ledger",
)


def print_stages(rows: list[dict], sample: Sample, run: dict, rounds: int) -> None:
    """(c)'s CPU by stage: ms per page over all pages and over each condition's pages, and how
    many pages each Tesseract pass (and OSD) ran on. A page of several conditions counts in each."""
    groups: dict[str, list[str]] = {"all": list(sample.page_counts)}
    for name, conditions in sample.conditions.items():
        for condition in conditions:
            groups.setdefault(condition, []).append(name)
    pages = {g: rounds * sum(sample.page_counts[n] for n in names) for g, names in groups.items()}
    member = {g: set(names) for g, names in groups.items()}
    cost: dict[tuple[str, str], float] = defaultdict(float)
    calls: Counter[str] = Counter()
    for row in rows:
        cpu = row["own"] + row["other"]
        calls[row["stage"]] += row["calls"]
        for group, names in member.items():
            if row["subject"] in names:
                cost[(row["stage"], group)] += cpu
    found = {row["stage"] for row in rows}
    stages = [s for s in STAGES if s in found] + sorted(found - set(STAGES))
    print(f"\n(c) CPU by stage, ms per page (each column: the pages of that condition; "
          f"runs: pages or calls per round)\n")
    print(f"{'stage':26} {'runs':>5} " + " ".join(f"{g[:11]:>11}" for g in groups))
    for stage in stages:
        cells = " ".join(f"{1000 * cost[(stage, g)] / pages[g]:11.1f}" for g in groups)
        print(f"{stage:26} {calls[stage] / rounds:5.0f} {cells}")
    print(f"{'pages':26} {'':5} " + " ".join(f"{pages[g] // rounds:11d}" for g in groups))
    own_staged = sum(r["own"] for r in rows)
    other_staged = sum(r["other"] for r in rows)
    server = run["all_cpu"] - run["tools_cpu"] - run["own_cpu"]
    total = rounds * sample.pages
    print(f"\n{'all stages':44} {1000 * (own_staged + other_staged) / total:8.1f} ms/page")
    print(f"{'pipeline process outside the stages':44} {1000 * (run['own_cpu'] - own_staged) / total:8.1f} ms/page"
          "   (Prefect client, flow and task runs, start-up imports, logging)")
    print(f"{'Prefect server':44} {1000 * server / total:8.1f} ms/page")
    print(f"{'tools outside the stages':44} {1000 * (run['tools_cpu'] - other_staged) / total:8.1f} ms/page"
          "   (engines ended before their first answer, the server's start)")
    print(f"{'(c) all CPU':44} {1000 * run['all_cpu'] / total:8.1f} ms/page")


if __name__ == "__main__":
    main()
