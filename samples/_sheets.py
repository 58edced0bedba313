"""Separator and cover sheets: one layout, drawn as a printable PDF and as a scanned page.

A layout is a list of text lines and black bars in 300-dpi pixels, so the PDF a records team
prints and the page image the stacks hold are the same sheet. Barcodes come from zxing-cpp's
encoder (the reader the pipeline uses): Code 128 and QR, whose bars are drawn as rectangles
(vectors in the PDF: a few kilobytes a sheet).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import zxingcpp
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

#: The text a separator sheet's barcodes carry (configurable in the pipeline: separator_values).
SEPARATOR_TEXT = "PATCH-T"
A4 = (2480, 3508)  # pixels at 300 dpi
DPI = 300
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
_FIXED_DATE = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)  # byte-identical PDFs


@dataclass(frozen=True)
class Label:
    """A line of text centred on the sheet at `top` (pixels), `size` pixels high."""

    text: str
    top: int
    size: int
    bold: bool = False


@dataclass(frozen=True)
class Bar:
    """A black rectangle: left, top, width, height in pixels."""

    x: int
    y: int
    w: int
    h: int


Sheet = tuple[list[Label], list[Bar]]


def code128_bars(text: str, *, top: int, module: int, height: int, width: int = A4[0]) -> list[Bar]:
    """A Code 128 symbol of `text`, centred, each module `module` pixels wide."""
    row = np.asarray(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128)
                     .to_image(scale=1, add_quiet_zones=False))[0] < 128
    left = (width - row.size * module) // 2
    return [Bar(left + start * module, top, (end - start) * module, height) for start, end in _runs(row)]


def qr_bars(text: str, *, top: int, module: int, width: int = A4[0]) -> list[Bar]:
    """A QR code of `text`, centred, each module `module` pixels square (rows of runs)."""
    grid = np.asarray(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode)
                      .to_image(scale=1, add_quiet_zones=False)) < 128
    left = (width - grid.shape[1] * module) // 2
    return [Bar(left + start * module, top + y * module, (end - start) * module, module)
            for y, row in enumerate(grid) for start, end in _runs(row)]


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    edges = np.flatnonzero(np.diff(flags.astype(np.int8), prepend=0, append=0))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def separator_sheet(value: str = SEPARATOR_TEXT) -> Sheet:
    """The sheet a records team puts in front of each record: `value` as Code 128 and QR."""
    labels = [
        Label("SEPARATOR SHEET", 260, 150, bold=True),
        Label("Put one in front of each record in the box, then scan the box as one stack.", 520, 50),
        Label("This sheet is not archived. Reuse it: do not staple or write on it.", 600, 50),
        Label(value, 1290, 70, bold=True),
        Label(f"Barcodes: Code 128 and QR, text {value}. Print at 100% (no scaling).", 3150, 40),
        Label("council-digitise", 3220, 40),
    ]
    bars = code128_bars(value, top=820, module=7, height=420)
    bars += qr_bars(value, top=1600, module=24)
    return labels, bars


def cover_sheet(reference: str, council: str = "") -> Sheet:
    """A record's cover sheet: its reference as Code 128, and boxes for the records team."""
    labels = [
        Label("RECORD COVER SHEET", 260, 120, bold=True),
        Label(council, 450, 60) if council else Label("", 450, 60),
        Label(f"Reference: {reference}", 1000, 80, bold=True),
        Label("Record type: ______________________", 1400, 50),
        Label("Box: ________   Prepared by: ________________", 1520, 50),
        Label("Date: ____ / ____ / ________", 1640, 50),
        Label("Scan this sheet in front of the record it names.", 3150, 40),
    ]
    return [label for label in labels if label.text], code128_bars(reference, top=620, module=6, height=320)


def render_sheet(sheet: Sheet) -> Image.Image:
    """The sheet as a clean 300-dpi greyscale page."""
    labels, bars = sheet
    image = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(image)
    for bar in bars:
        draw.rectangle((bar.x, bar.y, bar.x + bar.w - 1, bar.y + bar.h - 1), fill=0)
    for label in labels:
        font = ImageFont.truetype(FONT_BOLD if label.bold else FONT, label.size)
        draw.text(((A4[0] - font.getlength(label.text)) / 2, label.top), label.text, font=font, fill=0)
    return image


def write_sheets_pdf(path: Path, sheets: Sequence[Sheet], *, title: str) -> Path:
    """Print-ready A4 PDF, one sheet a page, bars as vector rectangles; byte-identical per input."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_creation_date(_FIXED_DATE)
    pdf.set_title(title)
    pdf.set_producer("council-digitise samples")
    pdf.set_auto_page_break(False)
    pdf.add_font("body", "", FONT)
    pdf.add_font("body", "B", FONT_BOLD)
    mm = 25.4 / DPI
    for labels, bars in sheets:
        pdf.add_page()
        pdf.set_fill_color(0)
        for bar in bars:
            pdf.rect(bar.x * mm, bar.y * mm, bar.w * mm, bar.h * mm, style="F")
        for label in labels:
            pdf.set_font("body", "B" if label.bold else "", label.size * 72 / DPI)
            width = pdf.get_string_width(label.text)
            pdf.text((A4[0] * mm - width) / 2, (label.top + label.size * 0.8) * mm, label.text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(pdf.output()))
    return path


def write_separator_sheet(path: Path, value: str = SEPARATOR_TEXT) -> Path:
    """The printable separator sheet (samples/separator-sheet.pdf): print as many as needed."""
    return write_sheets_pdf(path, [separator_sheet(value)], title="Separator sheet")


def write_cover_sheets(path: Path, *, first: int = 1, count: int = 50, council: str = "") -> Path:
    """Cover sheets REC-<first>.. REC-<first + count - 1>, one a page, to print and put in front of records."""
    sheets = [cover_sheet(f"REC-{n:06d}", council) for n in range(first, first + count)]
    return write_sheets_pdf(path, sheets, title="Record cover sheets")
