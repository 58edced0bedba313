"""Peak memory of one long document against a short one: it must not grow with pages.

Builds multi-page G4 TIFFs (and, with --pdf, scanned PDFs) from generated council pages,
OCRs each in a fresh process through the pipeline's OCR layer (the part that holds page
images and PDFs) and prints pages, wall time and peak resident memory side by side.

Usage: python -m benchmarks.large_document [--sizes 50 500] [--pdf]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
DISTINCT_PAGES = 25

_MEASURE = """
import json, sys
from pathlib import Path
from ocr import ocr_document

result = ocr_document(Path(sys.argv[1]), work_dir=Path(sys.argv[2]))
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"pages": len(result.pages), "words": sum(p.word_count for p in result.pages),
                  "peak_rss_mib": int(hwm.split()[1]) / 1024}))
"""


def build_documents(work: Path, sizes: list[int], as_pdf: bool) -> dict[int, Path]:
    """One file per size, cycling through a set of distinct generated pages."""
    from samples.generate import generate_pages

    records = generate_pages(work / "pages", DISTINCT_PAGES, seed=5)
    pages = [work / "pages" / r.path for r in records]
    out: dict[int, Path] = {}
    for size in sizes:
        chosen = [pages[n % len(pages)] for n in range(size)]
        if as_pdf:
            import img2pdf

            path = work / f"{size}.pdf"
            path.write_bytes(img2pdf.convert([str(p) for p in chosen]))
        else:
            path = work / f"{size}.tif"
            frames = (Image.open(p) for p in chosen)
            first = next(frames)
            first.save(path, save_all=True, append_images=list(frames), compression="group4", dpi=(300, 300))
        out[size] = path
    return out


def measure(document: Path, work: Path) -> dict:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(document), str(work)],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--pdf", action="store_true", help="scanned PDFs (rasterised by pdftoppm) instead of TIFFs")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="digitise-long-"))
    try:
        documents = build_documents(work, sorted(args.sizes), args.pdf)
        results = {size: measure(path, work / f"work-{size}") for size, path in documents.items()}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    kind = "scanned PDF" if args.pdf else "G4 TIFF"
    print(f"\none {kind} per size, OCRed in a fresh process (one core)\n")
    print(f"{'pages':>6} {'wall s':>8} {'pages/s':>8} {'words':>8} {'peak RSS MiB':>13}")
    for size, r in results.items():
        print(f"{r['pages']:6d} {r['wall']:8.1f} {r['pages'] / r['wall']:8.3f} {r['words']:8d} {r['peak_rss_mib']:13.0f}")
    small, large = results[min(results)], results[max(results)]
    growth = large["peak_rss_mib"] / small["peak_rss_mib"] - 1
    print(f"\npeak memory {max(results)} pages vs {min(results)} pages: {100 * growth:+.1f}%   target within 20%")


if __name__ == "__main__":
    main()
