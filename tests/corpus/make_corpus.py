"""Generate the bad-input corpus: every way a scan folder can go wrong, and what must happen.

Nothing binary is committed; run `python -m tests.corpus.make_corpus DIR` to look at it.
`make_corpus(root)` lays out a scan root at `root` (plus a folder *outside* it,
`<root>.outside/`, for the escaping links) and returns {relative path: expected outcome}.
An outcome is `archived`, `archived_blank` (archived with zero words, flagged for review)
or the quarantine reason code. Pixel sizes assume `pipeline.ocr.max_image_pixels` is
`PIXEL_LIMIT` (the smallest the config allows), so the bombs stay a few kilobytes.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from pypdf import PdfWriter

from tests.conftest import born_digital_pdf, render_lines

PIXEL_LIMIT = 1_000_000
ARCHIVED = "archived"
ARCHIVED_BLANK = "archived_blank"
PAGE = (1240, 420)  # small pages keep Tesseract fast; well under PIXEL_LIMIT

BAD = GOOD = "ashbourne/2026-02"  # one batch: each batch folder is a Prefect sub-flow, and they cost time
LOCKED = f"{BAD}/locked.png"
NOT_UTF8_NAME = b"caf\xe9 latin-1.pdf"  # as an old Windows share would name it

#: The outcome for every case, as seen by a process that cannot read a chmod 000 file.
OUTCOMES: dict[str, str] = {
    f"{BAD}/empty.png": "input_unreadable",
    f"{BAD}/truncated.png": "input_unreadable",
    f"{BAD}/truncated.jpg": "input_unreadable",
    f"{BAD}/truncated.tif": "input_unreadable",
    f"{BAD}/text-file.png": "input_unreadable",
    f"{BAD}/corrupt.pdf": "input_unreadable",
    f"{BAD}/encrypted.pdf": "encrypted_pdf",
    f"{BAD}/no-pages.pdf": "empty_document",
    f"{BAD}/bomb.png": "image_too_large",              # over 2x the limit: Pillow itself refuses
    f"{BAD}/just-over-limit.png": "image_too_large",   # 1x-2x: Pillow only warns; we refuse
    f"{BAD}/bomb-on-page-2.tif": "image_too_large",
    f"{BAD}/huge-page.pdf": "image_too_large",         # a page that would rasterise too big
    f"{BAD}/one-pixel.png": "input_unreadable",
    f"{BAD}/notes.docx": "unsupported_format",
    f"{BAD}/outside-link.png": "unsafe_path",
    f"{BAD}/dangling-link.png": "input_unreadable",
    f"{BAD}/pipe.png": "input_unreadable",
    LOCKED: "input_unreadable",
    f"{GOOD}/Rhybudd Treth Gyngor – café №5.png": ARCHIVED,
    f"{GOOD}/  scan  with   spaces .png": ARCHIVED,
    f"{GOOD}/blank page.png": ARCHIVED_BLANK,
    f"{GOOD}/Llythyr ‘digidol’ ✓.pdf": ARCHIVED,
    f"{GOOD}/caf\\xe9 latin-1.pdf": ARCHIVED,         # stored with the byte escaped
    # Every file has its own content: inputs with equal bytes are one record by design.
    "ashbourne/loose.png": "bad_layout",
    "notacouncil/2026-02/letter.png": "unknown_council",
    "kingsmere/linked-batch": "unsafe_path",           # a link to a folder outside the root
}

TAX = ["Council Tax Demand Notice 2026/27", "Local Government Finance Act 1992", "Valuation band C"]
PLANNING = ["Town and Country Planning Act 1990", "Decision Notice: Grant of Planning Permission",
            "Application No: 25/01234/HOU"]


def make_corpus(root: Path, *, pixel_limit: int = PIXEL_LIMIT) -> dict[str, str]:
    """Write the corpus under `root`; return {relative path: expected outcome} for this process."""
    outside = root.parent / f"{root.name}.outside"
    outside.mkdir(parents=True)
    _png(outside / "secret.png", ["Private and confidential", "Not for the scan root"])
    makers: dict[str, Callable[[Path], object]] = {
        "empty.png": lambda p: p.write_bytes(b""),
        "truncated.png": lambda p: p.write_bytes(_truncated("PNG")),
        "truncated.jpg": lambda p: p.write_bytes(_truncated("JPEG")),
        "truncated.tif": lambda p: p.write_bytes(_truncated("TIFF")),
        "text-file.png": lambda p: p.write_text("Dear Sir, this is a letter typed into a text file.\n"),
        "corrupt.pdf": lambda p: p.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage"),
        "encrypted.pdf": _encrypted_pdf,
        "no-pages.pdf": _write_pdf(PdfWriter()),
        "bomb.png": lambda p: Image.new("1", (2 * pixel_limit // 1000 + 10, 1000), 1).save(p),
        "just-over-limit.png": lambda p: Image.new("1", (pixel_limit // 1000 + 10, 1000), 1).save(p),
        "bomb-on-page-2.tif": lambda p: _bomb_on_page_2(p, pixel_limit),
        "huge-page.pdf": _huge_page_pdf,
        "one-pixel.png": lambda p: Image.new("L", (1, 1), 255).save(p),
        "notes.docx": lambda p: p.write_bytes(b"PK\x03\x04 not really a word file"),
        "outside-link.png": lambda p: p.symlink_to(outside / "secret.png"),
        "dangling-link.png": lambda p: p.symlink_to("gone.png"),
        "pipe.png": lambda p: os.mkfifo(p),
        "locked.png": _locked,
    }
    for name, make in makers.items():
        _in(root, BAD, name, make)
    _png(_in(root, GOOD, "Rhybudd Treth Gyngor – café №5.png"), TAX)
    _png(_in(root, GOOD, "  scan  with   spaces .png"), PLANNING)
    Image.new("L", PAGE, 255).save(_in(root, GOOD, "blank page.png"), dpi=(300, 300))
    born_digital_pdf(_in(root, GOOD, "Llythyr ‘digidol’ ✓.pdf"), TAX)
    born_digital_pdf(Path(os.fsdecode(os.fsencode(root / GOOD) + b"/" + NOT_UTF8_NAME)), PLANNING)
    _png(_in(root, "ashbourne", "loose.png"), ["Complaint reference C/2026/001", "Stage one response"])
    _png(_in(root, "notacouncil/2026-02", "letter.png"), ["Electoral register canvass form"])
    (root / "kingsmere").mkdir()
    (root / "kingsmere" / "linked-batch").symlink_to(outside, target_is_directory=True)
    expected = dict(OUTCOMES)
    if os.access(root / LOCKED, os.R_OK):  # root ignores chmod 000 and will archive it
        expected[LOCKED] = ARCHIVED
    return expected


def _in(root: Path, folder: str, name: str, make: Callable[[Path], object] | None = None) -> Path:
    path = root / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if make:
        make(path)
    return path


def _png(path: Path, lines: list[str]) -> None:
    render_lines(lines, size=PAGE).save(path, dpi=(300, 300))


def _truncated(fmt: str) -> bytes:
    buffer = io.BytesIO()
    render_lines(TAX, size=PAGE).save(buffer, fmt, dpi=(300, 300))
    data = buffer.getvalue()
    return data[: len(data) * 6 // 10]


def _write_pdf(writer: PdfWriter) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with path.open("wb") as fh:
            writer.write(fh)

    return write


def _encrypted_pdf(path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="not-given", owner_password="owner", algorithm="RC4-128")
    _write_pdf(writer)(path)


def _huge_page_pdf(path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=72 * 200, height=72 * 200)  # 200 x 200 inches, no text layer
    _write_pdf(writer)(path)


def _bomb_on_page_2(path: Path, pixel_limit: int) -> None:
    first = render_lines(TAX, size=PAGE).convert("1")
    bomb = Image.new("1", (pixel_limit // 1000 + 10, 1000), 1)
    first.save(path, save_all=True, append_images=[bomb], compression="group4", dpi=(300, 300))


def _locked(path: Path) -> None:
    _png(path, ["Housing Benefit claim HB/123456", "Statement of circumstances"])
    path.chmod(0)


if __name__ == "__main__":  # python -m tests.corpus.make_corpus DIR
    print(json.dumps(make_corpus(Path(sys.argv[1])), indent=2, ensure_ascii=False))
