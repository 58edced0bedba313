"""Archive PDFs side by side: the pipeline's plain searchable PDF, the same made PDF/A-2b by
pikepdf (ocr/pdfa.py), and `ocrmypdf --output-type pdfa` (Ghostscript) on the same inputs.

For each input: pages, size per page and time per page of each, and whether each PDF/A passes
pikepdf's PDF/A-2b validator. The pipeline's time is its OCR (which writes the plain PDF) plus,
for PDF/A, the conversion; OCRmyPDF's is its whole run (it OCRs too), one job. A born-digital
PDF (a text layer the pipeline keeps, unOCRed) goes to OCRmyPDF with --force-ocr, marked `*`:
Debian 12's Ghostscript 10.0 is one OCRmyPDF refuses with --skip-text (it corrupts existing
text), so those rows rasterise and OCR pages the pipeline only copies. Needs the `bench` extra
and Ghostscript.

Usage: python -m benchmarks.pdfa [--scans samples/scans] [--limit N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ocr import PDFA_2B, SUPPORTED_SUFFIXES, make_pdfa, ocr_document, pdfa_findings
from records.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
KIB = 1024


@dataclass
class Measured:
    name: str
    forced: bool
    pages: int
    plain_bytes: int
    ocr_seconds: float
    pdfa_bytes: int
    pdfa_seconds: float
    pdfa_valid: bool
    ocrmypdf_bytes: int
    ocrmypdf_seconds: float
    ocrmypdf_valid: bool


def measure(source: Path, languages: str, work: Path) -> Measured:
    started = time.perf_counter()
    result = ocr_document(source, work_dir=work / "ocr", languages=languages)
    ocr_seconds = time.perf_counter() - started
    started = time.perf_counter()
    made = make_pdfa(result.pdf_path, work / "pdfa.pdf")
    pdfa_seconds = time.perf_counter() - started
    theirs = work / "ocrmypdf.pdf"
    forced = any(p.method == "text_layer" for p in result.pages)
    started = time.perf_counter()
    subprocess.run(
        [shutil.which("ocrmypdf") or str(Path(sys.executable).with_name("ocrmypdf")), "--output-type", "pdfa",
         "--jobs", "1", *(["--force-ocr"] if forced else []), "-l", languages, "--quiet", str(source), str(theirs)],
        check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    ocrmypdf_seconds = time.perf_counter() - started
    return Measured(
        source.name, forced, len(result.pages), result.pdf_path.stat().st_size, ocr_seconds,
        made.path.stat().st_size, pdfa_seconds, made.archive_format == PDFA_2B and pdfa_findings(made.path) == (),
        theirs.stat().st_size, ocrmypdf_seconds, pdfa_findings(theirs) == (),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=Path, default=ROOT / "samples" / "scans")
    parser.add_argument("--limit", type=int, default=0, help="at most this many inputs (0: all)")
    args = parser.parse_args()
    if not shutil.which("gs"):
        sys.exit("ocrmypdf --output-type pdfa needs Ghostscript: apt-get install ghostscript")
    councils = load_settings().councils
    inputs = sorted(p for p in args.scans.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES)
    inputs = inputs[: args.limit] if args.limit else inputs
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-pdfa-") as tmp:
        for n, source in enumerate(inputs):
            council = source.relative_to(args.scans).parts[0]
            languages = councils[council].languages if council in councils else "eng"
            rows.append(measure(source, languages, Path(tmp) / str(n)))
    report(rows)


def report(rows: list[Measured]) -> None:
    print(f"{'input':<16}{'pages':>6}{'plain KiB/p':>13}{'PDF/A KiB/p':>13}{'ocrmypdf KiB/p':>16}"
          f"{'OCR s/p':>9}{'+PDF/A s/p':>12}{'ocrmypdf s/p':>14}  valid (ours, ocrmypdf)")
    for r in rows:
        print(f"{r.name + ('*' if r.forced else ''):<16}{r.pages:>6}{r.plain_bytes / r.pages / KIB:>13.1f}{r.pdfa_bytes / r.pages / KIB:>13.1f}"
              f"{r.ocrmypdf_bytes / r.pages / KIB:>16.1f}{r.ocr_seconds / r.pages:>9.2f}{r.pdfa_seconds / r.pages:>12.3f}"
              f"{r.ocrmypdf_seconds / r.pages:>14.2f}  {r.pdfa_valid}, {r.ocrmypdf_valid}")
    pages = sum(r.pages for r in rows)
    plain, ours, theirs = (sum(getattr(r, f) for r in rows) for f in ("plain_bytes", "pdfa_bytes", "ocrmypdf_bytes"))
    ocr, conversion, ocrmypdf = (sum(getattr(r, f) for r in rows)
                                 for f in ("ocr_seconds", "pdfa_seconds", "ocrmypdf_seconds"))
    print(f"\n{len(rows)} inputs, {pages} pages")
    print(f"size per page: plain {plain / pages / KIB:.1f} KiB, PDF/A {ours / pages / KIB:.1f} KiB "
          f"({ours / plain:.3f}x plain), ocrmypdf {theirs / pages / KIB:.1f} KiB ({theirs / plain:.3f}x plain)")
    print(f"time per page: OCR {ocr / pages:.2f} s, PDF/A conversion {conversion / pages * 1000:.0f} ms "
          f"({conversion / ocr:.3f}x OCR), ocrmypdf --output-type pdfa {ocrmypdf / pages:.2f} s "
          f"({ocrmypdf / (ocr + conversion):.2f}x the pipeline's OCR + PDF/A)")
    print(f"pass pikepdf's PDF/A-2b validator: ours {sum(r.pdfa_valid for r in rows)}/{len(rows)}, "
          f"ocrmypdf {sum(r.ocrmypdf_valid for r in rows)}/{len(rows)}")


if __name__ == "__main__":
    main()
