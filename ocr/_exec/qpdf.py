"""qpdf: join one-page PDFs into a document without holding them in memory.

pypdf keeps every appended page's objects in memory until it writes (150 grey scans:
1.3 GB), and so does pikepdf. qpdf copies stream data from the part files as it writes:
60 parts of 4 MB took 28 MB. `--deterministic-id` and an empty document's catalogue keep
the output byte-for-byte the same on every run (no creation date, no time-based /ID),
so a re-run or a crash recovery archives exactly what a clean run would.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from ocr._exec._run import run
from ocr.errors import OcrFailedError, OcrTimeoutError, ToolMissingError


def join_pdfs(parts: Sequence[Path], *, out: Path, timeout: float) -> Path:
    """Write the pages of `parts`, in order, to `out`."""
    argv = ["qpdf", "--deterministic-id", "--empty", "--pages", *(str(p) for p in parts), "--", str(out)]
    try:
        run(argv, timeout=timeout)
    except FileNotFoundError as e:
        raise ToolMissingError("qpdf not found: install qpdf") from e
    except subprocess.TimeoutExpired as e:
        raise OcrTimeoutError(f"joining {len(parts)} pages took longer than {timeout:g}s") from e
    except subprocess.CalledProcessError as e:
        raise OcrFailedError(f"qpdf could not join {len(parts)} pages (exit {e.returncode})") from e
    if not out.is_file():
        raise OcrFailedError("qpdf exited 0 but wrote no PDF")
    return out
