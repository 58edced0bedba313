"""Single-column pages are read as one column (faster); pages with columns keep Tesseract's layout analysis."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ocr import ocr_document
from ocr.ink import ink_map
from ocr.layout import LAYOUT_PSM, SINGLE_COLUMN_PSM, is_single_column, segmentation_mode
from tests.conftest import FONT, word_recall

LEFT = [f"Item {n}: the committee noted the report on housing repairs." for n in range(1, 15)]
RIGHT = [f"Ward {n} residents asked for a review of parking permits." for n in range(1, 15)]
BODY = [
    "Thank you for your letter about the council tax account for this property.",
    "We have now applied the single person discount from the date you moved in,",
    "and your revised bill for the year is enclosed with this letter.",
]


def _page(blocks: list[tuple[int, int, list[str]]], *, size: int = 34) -> Image.Image:
    """Blocks of lines at (x, y) on an A4 page at 300 dpi."""
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, size)
    for x, y, lines in blocks:
        for n, line in enumerate(lines):
            draw.text((x, y + 60 * n), line, font=font, fill=0)
    return page


def _two_columns() -> Image.Image:
    return _page([(150, 300, LEFT), (1300, 300, RIGHT)], size=30)


def _letter() -> Image.Image:
    """Recipient's address on the left and the council's on the right, side by side, then the body."""
    recipient = ["Mrs A Pritchard", "14 Mill Lane", "Kingsmere", "KM4 2TB"]
    sender = ["Revenues Service", "Civic Centre", "Kingsmere", "3 March 2026"]
    return _page([(150, 300, recipient), (1700, 300, sender), (150, 700, BODY * 4)])


def test_letter_with_side_by_side_addresses_is_one_column() -> None:
    assert is_single_column(ink_map(_letter(), dpi=300))


def test_two_columns_are_found() -> None:
    assert not is_single_column(ink_map(_two_columns(), dpi=300))


def test_dust_on_a_letter_makes_no_columns() -> None:
    """Specks scattered over the page, with blank paper between them, are not gutters."""
    page = _page([(150, 300, BODY * 8)])
    draw = ImageDraw.Draw(page)
    rng = random.Random(7)
    for _ in range(400):
        x, y = rng.randrange(100, 2380), rng.randrange(100, 3400)
        draw.ellipse((x, y, x + 6, y + 6), fill=0)
    assert is_single_column(ink_map(page, dpi=300))
    with_columns = _two_columns()
    ImageDraw.Draw(with_columns).ellipse((2300, 2000, 2306, 2006), fill=0)
    assert not is_single_column(ink_map(with_columns, dpi=300))


def test_a_configured_mode_wins() -> None:
    ink = ink_map(_two_columns(), dpi=300)
    assert segmentation_mode(ink, None) == LAYOUT_PSM
    assert segmentation_mode(ink, 4) == 4
    assert segmentation_mode(ink_map(_letter(), dpi=300), None) == SINGLE_COLUMN_PSM


def test_each_page_is_read_in_its_mode_and_columns_stay_apart(tmp_path: Path) -> None:
    letter, columns = tmp_path / "letter.png", tmp_path / "columns.png"
    _letter().save(letter, dpi=(300, 300))
    _two_columns().save(columns, dpi=(300, 300))

    read_letter = ocr_document(letter, work_dir=tmp_path / "a")
    read_columns = ocr_document(columns, work_dir=tmp_path / "b")

    assert read_letter.pages[0].psm == SINGLE_COLUMN_PSM
    assert word_recall("\n".join(BODY * 4), read_letter.text) >= 0.98
    assert read_columns.pages[0].psm == LAYOUT_PSM
    text = read_columns.text
    assert word_recall("\n".join(LEFT + RIGHT), text) >= 0.98
    # Column by column, not interleaved line by line.
    assert text.index("Item 14") < text.index("Ward 1 ")
