"""Layouts of real council paper that fooled the cheap checks: ruled tables and boxed
typewritten pages look sideways to ink projections, and a leaflet with one column on top and
two below looks like one column to a gutter search down the whole page. Real Tesseract."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr import ocr_document
from ocr.layout import LAYOUT_PSM
from tests.conftest import word_recall

FONTS = Path("/usr/share/fonts/truetype")
SANS = FONTS / "liberation" / "LiberationSans-Regular.ttf"
MONO = FONTS / "liberation" / "LiberationMono-Regular.ttf"
A4 = (2480, 3508)

NAMES = ("Pritchard", "Okafor", "Llewellyn", "Nowak", "Harrison", "Bevan", "Mahmood", "Thomas")
STREETS = ("Mill Lane", "Station Road", "Church Street", "Park Avenue", "High Street")
TESTIMONY = [
    "Q. Where were the rent books kept in the office?",
    "A. In the cabinet by the window, the second drawer.",
    "Q. Who else had a key to that cabinet at the time?",
    "A. The housing officer and the area manager, I think.",
    "Q. Did you check the arrears figures each month?",
    "A. Yes. I added them up and sent them to finance.",
]
INTRO = [
    "Ward newsletter: what the council has done in your area this spring.",
    "Residents asked for more frequent collections and better street lighting.",
    "This page sets out the answers from the housing and highways teams.",
]
HOUSING = ("Housing repairs to the flats on the estate were finished on time and within the budget set by "
           "the cabinet. Tenants who reported damp in the autumn have had their homes inspected, and the "
           "contractor will return to any flat where the problem comes back before the winter. The rent "
           "office in the civic centre now opens on Saturday mornings for those who work during the week.")
HIGHWAYS = ("Highways crews replaced every lamp on the estate with a brighter and cheaper light, and the "
            "footpath behind the school has been resurfaced. Residents asked about parking near the shops; "
            "a survey will run in the summer before any permit scheme is proposed. Potholes can be reported "
            "online or by telephone, and most are filled within five working days of the report.")


def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def table_page() -> tuple[Image.Image, str]:
    """A ruled council tax ledger: boxed, a rule under the heading and between columns."""
    page = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(page)
    font = _font(SANS, 36)
    draw.text((180, 180), "Council tax accounts in arrears, Kingsmere ward", font=font, fill=0)
    columns = (200, 700, 1350, 1750, 2100)
    header = ("Account", "Name", "Street", "Band", "Balance")
    rows = [(f"CT{40120 + 37 * n}", NAMES[n % 8], STREETS[n % 5], "ABCDEFGH"[n % 8], f"{120 + 13.5 * n:.2f}")
            for n in range(24)]
    top, pitch = 320, 100
    bottom = top + pitch * (len(rows) + 1) + 20
    draw.rectangle((170, top - 20, 2330, bottom), outline=0, width=4)
    for x in columns[1:]:
        draw.line((x - 30, top - 20, x - 30, bottom), fill=0, width=3)
    draw.line((170, top + pitch - 15, 2330, top + pitch - 15), fill=0, width=4)
    lines = ["Council tax accounts in arrears, Kingsmere ward", " ".join(header)]
    for x, cell in zip(columns, header):
        draw.text((x, top), cell, font=font, fill=0)
    for n, row in enumerate(rows, start=1):
        for x, cell in zip(columns, row):
            draw.text((x, top + pitch * n), cell, font=font, fill=0)
        lines.append(" ".join(row))
    return page, "\n".join(lines)


def typed_page() -> tuple[Image.Image, str]:
    """A typewritten transcript page: boxed, line numbers 1-25 in a ruled margin, double spaced.
    Returns the page and its testimony (the words every reading should have)."""
    page = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(page)
    font = _font(MONO, 40)
    draw.rectangle((260, 200, 2250, 3250), outline=0, width=3)
    draw.line((420, 200, 420, 3250), fill=0, width=3)
    lines = []
    for n in range(25):
        y = 300 + 115 * n
        draw.text((300 if n >= 9 else 324, y), str(n + 1), font=font, fill=0)
        text = TESTIMONY[n % len(TESTIMONY)]
        draw.text((520, y), text, font=font, fill=0)
        lines.append(text[3:])  # Tesseract, plain or not, drops many a lone "Q." and "1" of such pages
    return page, "\n".join(lines)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def leaflet_page() -> tuple[Image.Image, list[str], list[str]]:
    """One column across the top, then two columns of prose below it: a leaflet or newsletter.
    Returns the page and the lines of its left and right columns."""
    page = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(page)
    font = _font(SANS, 36)
    y = 250
    for line in INTRO:
        draw.text((180, y), line, font=font, fill=0)
        y += 64
    y += 90
    left, right = _wrap(HOUSING, font, 980), _wrap(HIGHWAYS, font, 980)
    for n, line in enumerate(left):
        draw.text((180, y + 64 * n), line, font=font, fill=0)
    for n, line in enumerate(right):
        draw.text((1320, y + 64 * n), line, font=font, fill=0)
    return page, left, right


def _read(image: Image.Image, tmp_path: Path, name: str):  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.png"
    image.save(path, dpi=(300, 300))
    return ocr_document(path, work_dir=tmp_path / name).pages[0]


@pytest.mark.parametrize("make", [table_page, typed_page], ids=["table", "typed"])
def test_upright_ruled_pages_stay_upright(make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    image, truth = make()
    page = _read(image, tmp_path, make.__name__)
    assert page.rotation == 0
    assert word_recall(truth, page.text) >= 0.9


@pytest.mark.parametrize(("make", "clockwise"), [(table_page, 90), (typed_page, 270), (typed_page, 180)],
                         ids=["table-90", "typed-270", "typed-180"])
def test_turned_ruled_pages_are_still_turned(make, clockwise: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    image, truth = make()
    page = _read(image.rotate(-clockwise, expand=True), tmp_path, f"{make.__name__}-{clockwise}")
    assert page.rotation == (360 - clockwise) % 360
    assert word_recall(truth, page.text) >= 0.9


def test_two_columns_under_one_keep_their_order(tmp_path: Path) -> None:
    image, left, right = leaflet_page()
    page = _read(image, tmp_path, "leaflet")
    assert page.psm == LAYOUT_PSM
    text = " ".join(page.text.split())
    starts = [text.find(line) for line in (left[0], left[-1], right[0], right[-1])]
    assert min(starts) >= 0, "a column's first or last line was not read whole"
    assert starts[0] < starts[1] < starts[2] < starts[3], "the right column was not read after the left one"
