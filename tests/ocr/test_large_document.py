"""Long documents: memory and scratch space must not grow with the number of pages.

Grey pages with scanner grain make one-page PDFs of about 3 MB each, so a reader that
held every page until the end (pypdf's writer did: 1.3 GB for 150 such pages) would show
tens of megabytes more peak memory on the long document than on the short one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ROOT, render_lines

SHORT, LONG = 3, 18

_MEASURE = """
import json, sys
from pathlib import Path
from ocr import ocr_document

work = Path(sys.argv[2])
result = ocr_document(Path(sys.argv[1]), work_dir=work)
# VmHWM, not ru_maxrss: that one survives exec and would report pytest's own size.
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({
    "peak_rss_mib": int(hwm.split()[1]) / 1024,
    "pages": [p.text for p in result.pages],
    "pdf_bytes": result.pdf_path.stat().st_size,
    "left_in_work": sorted(p.name for p in work.iterdir()),
}))
"""


def grainy_tiff(path: Path, pages: int) -> Path:
    rng = np.random.default_rng(7)
    frames = []
    for n in range(1, pages + 1):
        page = render_lines([f"Housing file page {n}", "Tenancy of 14 Mill Lane Ashbourne"], size=(2480, 3508))
        grain = np.asarray(page, dtype=np.int16) + rng.integers(-6, 7, size=(3508, 2480))
        frames.append(Image.fromarray(np.clip(grain, 0, 255).astype(np.uint8)))
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="jpeg", dpi=(300, 300))
    return path


def ocr_in_child(source: Path, work: Path) -> dict:
    """Peak memory is per process: each document is read in a fresh interpreter."""
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(source), str(work)],
                          capture_output=True, text=True, check=True, cwd=ROOT, timeout=600)
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict]:
    folder = tmp_path_factory.mktemp("long-documents")
    return {n: ocr_in_child(grainy_tiff(folder / f"{n}.tif", n), folder / f"work-{n}") for n in (SHORT, LONG)}


def test_ocr_document_long_tiff_peak_memory_does_not_grow_with_pages(measured: dict[int, dict]) -> None:
    short, long = measured[SHORT], measured[LONG]
    per_page_pdf_mib = long["pdf_bytes"] / LONG / 2**20
    assert per_page_pdf_mib > 1.5  # big enough pages that holding them would show
    held_if_kept = (LONG - SHORT) * per_page_pdf_mib  # pypdf's writer grew by twice this
    # Half of it: a page that needs cleaning or a second pass briefly holds a few more images.
    assert long["peak_rss_mib"] - short["peak_rss_mib"] < 0.5 * held_if_kept, (short["peak_rss_mib"],
                                                                             long["peak_rss_mib"])


def test_ocr_document_long_tiff_reads_every_page_in_order(measured: dict[int, dict]) -> None:
    texts = measured[LONG]["pages"]
    assert len(texts) == LONG
    for n, text in enumerate(texts, start=1):
        assert f"Housing file page {n}" in text


def test_ocr_document_long_tiff_leaves_only_the_joined_pdf_in_its_work_folder(measured: dict[int, dict]) -> None:
    assert measured[LONG]["left_in_work"] == ["document.pdf"]  # no page rasters, passes or page PDFs
