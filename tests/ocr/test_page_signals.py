"""Page signals on generated pages: barcodes read by the real zxing-cpp, and the blank test
against dust, bleed-through, a signature and a one-line note (greyscale and G4 bitonal)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PIL import Image

from ocr.barcodes import read_barcodes
from ocr._exec.pdftoppm import rasterize_page
from ocr.signals import page_signals
from samples._sheets import cover_sheet, render_sheet, separator_sheet
from samples.generate import render_page, scan_effects, to_bilevel
from samples.stacks import blank_back, note_page, signature_page
from tests.conftest import ROOT

LETTER = ["Kingsmere City Council", "Revenues Service", "Dear Mr Jones,",
          "Your council tax account has been updated for the year 2026/27.", "Yours sincerely,"]


def _formats(page: Image.Image) -> list[Image.Image]:
    """The page as a greyscale scan and as a bitonal (G4-style) one."""
    return [page, to_bilevel(page)]


@pytest.mark.parametrize("bitonal", [False, True])
def test_separator_sheet_reads_patch_t_as_code128_and_qr(bitonal: bool) -> None:
    page = scan_effects(render_sheet(separator_sheet()), random.Random(1), speckle=True)
    found = read_barcodes(to_bilevel(page) if bitonal else page, dpi=300)
    assert [(b.format, b.text) for b in found] == [("Code128", "PATCH-T"), ("QRCode", "PATCH-T")]
    code128, qr = found
    assert code128.box[3] <= qr.box[1]  # top to bottom
    for left, top, right, bottom in (b.box for b in found):
        assert 0 <= left < right <= 2480 and 0 <= top < bottom <= 3508


def test_cover_sheet_reference_is_read_and_other_formats_are_not_looked_for() -> None:
    page = scan_effects(render_sheet(cover_sheet("REC-004211", "Kingsmere City Council")), random.Random(2))
    assert [b.text for b in read_barcodes(page, dpi=300)] == ["REC-004211"]
    assert read_barcodes(page, dpi=300, formats=["QRCode"]) == ()
    with pytest.raises(ValueError, match="unknown barcode format"):
        read_barcodes(page, dpi=300, formats=["PatchT"])


def test_printable_separator_sheet_pdf_decodes_after_rasterising(tmp_path: Path) -> None:
    """The committed PDF a records team prints, rendered by Poppler as a scan of it would be."""
    image = rasterize_page(ROOT / "samples" / "separator-sheet.pdf", page=1, out_base=tmp_path / "sheet",
                           dpi=300, timeout=60)
    signals = page_signals(Image.open(image), number=1, dpi=300)
    assert [(b.format, b.text) for b in signals.barcodes] == [("Code128", "PATCH-T"), ("QRCode", "PATCH-T")]
    assert not signals.is_blank


@pytest.mark.parametrize("clockwise", [90, 180, 270])
def test_a_sheet_fed_turned_still_reads(clockwise: int) -> None:
    """Upside down both codes read; sideways the QR code does (no turned pass for Code 128)."""
    page = to_bilevel(scan_effects(render_sheet(separator_sheet()), random.Random(5)))
    found = {b.format for b in read_barcodes(page.rotate(-clockwise, expand=True), dpi=300)}
    assert found >= ({"Code128", "QRCode"} if clockwise == 180 else {"QRCode"})


def test_a_200_dpi_scan_of_the_sheet_still_reads() -> None:
    page = render_sheet(separator_sheet()).resize((1653, 2339), Image.Resampling.LANCZOS)
    assert {b.text for b in read_barcodes(scan_effects(page, random.Random(3)), dpi=200)} == {"PATCH-T"}


def test_letter_page_has_no_barcode_and_is_not_blank() -> None:
    for page in _formats(render_page(LETTER, seed=4)):
        signals = page_signals(page, number=3, dpi=300)
        assert signals.number == 3 and signals.barcodes == () and not signals.is_blank


@pytest.mark.parametrize("seed", range(6))
def test_dusty_duplex_backs_are_blank(seed: int) -> None:
    rng = random.Random(seed)
    front = render_page(LETTER, seed=seed)
    for back in (blank_back(None, rng), blank_back(front, rng, bleed=0.12)):
        for page in _formats(back):
            check = page_signals(page, number=2, dpi=300).blank
            assert check.is_blank, check
            assert check.dust > 0  # it did see the dust, and left it out


@pytest.mark.parametrize("seed", range(4))
def test_a_signature_or_a_one_line_note_is_not_blank(seed: int) -> None:
    rng = random.Random(seed)
    for page in (signature_page(rng), note_page("Copy sent to applicant 3/11/26", rng)):
        for scan in _formats(page):
            check = page_signals(scan, number=2, dpi=300).blank
            assert not check.is_blank, check


def test_white_page_is_blank_and_reads_no_barcode() -> None:
    signals = page_signals(Image.new("L", (2480, 3508), 250), number=1, dpi=300)
    assert signals.is_blank and signals.barcodes == () and signals.blank.ink_points == 0
