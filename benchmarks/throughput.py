"""Pages per second of this pipeline against the machine's limit and against OCRmyPDF.

On the same generated pages, in one run (the machine is noisy, so only ratios measured
side by side mean anything):
  (a) the limit: plain `tesseract` CLI, one process per core, OMP_THREAD_LIMIT=1, PDF + text
  (k) Tesseract kept loaded: the project's engine (ocr/_exec/engine.py, tesserocr in one
      process per thread) called directly, one thread per core, the same PDF + text as (a)
      without loading the model for every page; nothing of the pipeline around it
  (b) `ocrmypdf --jobs <cores> --output-type pdf` on the same pages as one PDF
  (c) this pipeline's flow end to end: OCR, searchable PDF, classification, archive, ledger

The time outside Tesseract is (c) against (k): both keep the model loaded, so what is left is
the pipeline's own work. It is signed: negative when (c) finished first.

Usage: python -m benchmarks.throughput --pages 50 [--workers N] [--skip-ocrmypdf]
       python -m benchmarks.throughput --pages 5000 --distinct 500 --pipeline-only   # memory at scale
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
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Measured:
    key: str  # a, k, b or c
    name: str
    pages: int
    wall: float
    recall: float | None = None
    cpu: float = 0.0  # CPU seconds of every process the engine ran

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall


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


def make_pages(out: Path, count: int, seed: int, distinct: int | None = None) -> tuple[list[Path], list[str]]:
    """`count` pages; with `distinct`, only that many are rendered (about 0.3 s each) and the
    rest are copies with a serial number in a PNG text chunk: the same image, new bytes, so
    the pipeline does not skip them as already archived."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    from samples.generate import generate_pages

    records = generate_pages(out, min(count, distinct or count), seed)
    paths = [out / r.path for r in records]
    truth = ["\n".join(r.pages) for r in records]
    for n in range(len(records), count):
        source = paths[n % len(records)]
        copy = source.with_name(f"copy-{n + 1:05d}.png")
        info = PngInfo()
        info.add_text("serial", str(n))
        with Image.open(source) as image:
            image.save(copy, pnginfo=info, dpi=image.info.get("dpi", (300, 300)))
        paths.append(copy)
        truth.append(truth[n % len(records)])
    return paths, truth


def run_tesseract_cli(pages: list[Path], out: Path, workers: int) -> float:
    out.mkdir(parents=True)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(page: Path) -> None:
        subprocess.run(["tesseract", str(page), str(out / page.stem), "-l", "eng", "pdf", "txt"],
                       check=True, capture_output=True, env=env)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, pages))
    return time.perf_counter() - started


def run_tesseract_kept_loaded(pages: list[Path], out: Path, workers: int) -> float:
    """(k): each of `workers` threads reads its pages on its own engine process, started on
    its first page (that load is timed, as the pipeline's is); the engines are stopped and
    reaped at the end, so that their CPU time is in children_cpu()."""
    from ocr._exec.engine import engine_available, read_with_engine, stop_engines

    if not engine_available():
        raise SystemExit("tesserocr is not installed: the kept-loaded baseline (k) needs it (pip install -e .)")
    out.mkdir(parents=True)

    def one(page: Path) -> None:
        # psm 3 and 300 dpi: what the CLI in (a) uses for these pages
        read_with_engine(page, out_base=out / page.stem, languages="eng", dpi=300, psm=3, timeout=600)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, pages))
    wall = time.perf_counter() - started
    stop_engines()
    return wall


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


def run_pipeline(pages: list[Path], out: Path, workers: int, task_runner: str = "threads") -> dict:
    batch = out / "scans" / "ashbourne" / "benchmark"
    batch.mkdir(parents=True)
    for page in pages:
        os.link(page, batch / page.name)
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks._pipeline_run", str(out / "scans"), str(out / "data"), str(workers),
         task_runner],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pipeline_texts(pages: list[Path], data: Path) -> list[str]:
    by_source = {}
    for sidecar in (data / "archive").rglob("*.json"):
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        by_source[Path(meta["source"]["path"]).name] = sidecar.with_suffix(".txt").read_text(encoding="utf-8")
    return [by_source.get(p.name, "") for p in pages]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes for (a), engines for (k) and --jobs for (b) [CPU cores]")
    parser.add_argument("--pipeline-workers", type=int, default=0,
                        help="records at once in (c) [0: pipeline.yaml's workers, one per core]")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--skip-ocrmypdf", action="store_true")
    parser.add_argument("--pipeline-only", action="store_true",
                        help="run (c) alone: its memory and CPU at a size too long to run three times")
    parser.add_argument("--task-runner", default="threads",
                        help="(c)'s task runner: threads, or dask (a local cluster of single-threaded processes)")
    parser.add_argument("--distinct", type=int, help="render only this many distinct pages; the rest are "
                        "byte-different copies (for 5,000-page runs: rendering takes about 0.3 s a page)")
    parser.add_argument("--keep", type=Path, help="keep the work folder here instead of a temporary one")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="digitise-bench-"))
    try:
        pages, truth = make_pages(work / "pages", args.pages, args.seed, args.distinct)
        results: list[Measured] = []

        if not args.pipeline_only:
            cpu = children_cpu()
            wall = run_tesseract_cli(pages, work / "tesseract", args.workers)
            texts = [(work / "tesseract" / f"{p.stem}.txt").read_text(encoding="utf-8") for p in pages]
            results.append(Measured("a", "(a) tesseract CLI, 1 process/core", len(pages), wall,
                                    recall(truth, texts), children_cpu() - cpu))

            cpu = children_cpu()
            wall = run_tesseract_kept_loaded(pages, work / "kept-loaded", args.workers)
            texts = [(work / "kept-loaded" / f"{p.stem}.txt").read_text(encoding="utf-8") for p in pages]
            results.append(Measured("k", "(k) tesseract kept loaded, 1 engine/core", len(pages), wall,
                                    recall(truth, texts), children_cpu() - cpu))

        if not (args.skip_ocrmypdf or args.pipeline_only):
            cpu = children_cpu()
            wall = run_ocrmypdf(pages, work / "ocrmypdf", args.workers)
            texts = (work / "ocrmypdf" / "pages.txt").read_text(encoding="utf-8").split("\f")[: len(pages)]
            results.append(Measured("b", f"(b) ocrmypdf --jobs {args.workers}", len(pages), wall,
                                    recall(truth, texts), children_cpu() - cpu))

        cpu = children_cpu()
        run = run_pipeline(pages, work / "pipeline", args.pipeline_workers or args.workers, args.task_runner)
        run["all_cpu"] = children_cpu() - cpu
        texts = pipeline_texts(pages, work / "pipeline" / "data")
        results.append(Measured("c", "(c) council-digitise flow", len(pages), run["wall"], recall(truth, texts),
                                run["all_cpu"]))
        report(results, run, args)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(results: list[Measured], run: dict, args: argparse.Namespace) -> None:
    print(f"\n{args.pages} pages, {args.workers} workers, {os.cpu_count()} cores\n")
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


if __name__ == "__main__":
    main()
