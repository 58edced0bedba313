"""qpdf: join one-page PDFs into a document without holding them in memory.

pypdf keeps every appended page's objects in memory until it writes (150 grey scans:
1.3 GB), and so does pikepdf. qpdf copies stream data from the part files as it writes:
60 parts of 4 MB took 28 MB. `--deterministic-id` and an empty document's catalogue keep
the output byte-for-byte the same on every run (no creation date, no time-based /ID),
so a re-run or a crash recovery archives exactly what a clean run would.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ocr._exec._run import run_tool
from ocr.errors import OcrFailedError


def join_pdfs(parts: Sequence[Path], *, out: Path, timeout: float) -> Path:
    """Write the pages of `parts`, in order, to `out`."""
    argv = ["qpdf", "--deterministic-id", "--empty", "--pages", *(str(p) for p in parts), "--", str(out)]
    run_tool(argv, timeout=timeout, package="qpdf", task=f"joining {len(parts)} pages", failure=OcrFailedError)
    if not out.is_file():
        raise OcrFailedError("qpdf exited 0 but wrote no PDF")
    return out
