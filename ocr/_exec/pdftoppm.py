"""Poppler's pdftoppm: rasterise one PDF page at a time so memory stays bounded."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ocr._exec._run import run_tool
from ocr.errors import InputUnreadableError, ToolMissingError


def rasterize_page(
    pdf: Path, *, page: int, out_base: Path, dpi: int, timeout: float, gray: bool = False
) -> Path:
    """Render 1-based `page` of `pdf` to `<out_base>.png` and return that path."""
    argv = ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile"]
    if gray:
        argv.append("-gray")
    argv += [str(pdf), str(out_base)]
    run_tool(argv, timeout=timeout, package="poppler-utils", task=f"rendering page {page}",
             failure=InputUnreadableError)
    out = Path(f"{out_base}.png")
    if not out.is_file():
        raise InputUnreadableError(f"pdftoppm produced no image for page {page}")
    return out


def poppler_version() -> str:
    """pdftoppm prints its version on stderr."""
    try:
        proc = subprocess.run(["pdftoppm", "-v"], capture_output=True, timeout=10, check=False)
    except FileNotFoundError as e:
        raise ToolMissingError("pdftoppm not found: install poppler-utils") from e
    return proc.stderr.decode(errors="replace").splitlines()[0].strip()
