"""Generate synthetic scanned UK council records with exact per-page ground truth.

Usage::

    python -m samples.generate --out samples/scans             # the committed sample set
    python -m samples.generate --out /tmp/bench --pages-only --count 200 --seed 3
    python -m samples.generate --out /tmp/mixed --mixed --count 240   # a scanning room's mix (samples.mixed)
    python -m samples.generate --out /tmp/stacks --stacks 1 --stack-records 5-60   # boxes as one file
    python -m samples.generate --out samples --sheets      # the printable separator sheet

Everything is derived from ``--seed`` (default 7), so the same command writes the same files.
All people, addresses and references are fictional (Faker en_GB, seeded).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from samples._content import (
    COUNCILS,
    RECORD_TYPES,
    Ctx,
    Letter,
    Section,
    compose,
    make_context,
    uk_date,
)

__all__ = [
    "COUNCILS",
    "FORMATS",
    "RECORD_TYPES",
    "SampleRecord",
    "TextLine",
    "generate",
    "generate_pages",
    "generate_texts",
    "render_page",
    "scan_effects",
    "wrap_text",
]

DPI = 300
A4_PX = (2480, 3508)
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 220, 200, 220
LEADING = 1.36  # line advance as a multiple of the font size
BATCH_PREFIX = "2026-11-batch-"
FIXED_PDF_DATE = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)  # byte-identical PDFs
FONT_DIR = Path("/usr/share/fonts/truetype")
FAMILIES: dict[str, tuple[str, str]] = {
    "dejavu-sans": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    "dejavu-serif": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf"),
    "liberation-serif": ("liberation/LiberationSerif-Regular.ttf", "liberation/LiberationSerif-Bold.ttf"),
    "liberation-sans": ("liberation/LiberationSans-Regular.ttf", "liberation/LiberationSans-Bold.ttf"),
}
FORMATS: dict[str, str] = {
    "png-grey": "png",
    "png-1bit": "png",
    "tiff-g4": "tif",
    "jpeg": "jpg",
    "jpeg-exif-rotated": "jpg",
    "pdf-scanned": "pdf",
    "pdf-text": "pdf",
}

# The standard mix: (council, batch number, record type, format, pages). Every record type,
# every format and all four councils appear; page counts per council stay below the inventory
# estimates in config/councils.yaml so the demo shows partial progress.
STANDARD_MIX: tuple[tuple[str, int, str, str, int], ...] = (
    ("ashbourne", 1, "council_tax", "tiff-g4", 3),
    ("ashbourne", 1, "planning_application", "png-1bit", 1),
    ("ashbourne", 1, "complaint", "jpeg", 1),
    ("ashbourne", 1, "business_rates", "pdf-text", 1),
    ("ashbourne", 2, "housing_benefit", "png-grey", 1),
    ("ashbourne", 2, "electoral_registration", "tiff-g4", 1),
    ("ashbourne", 2, "planning_application", "pdf-scanned", 2),
    ("kingsmere", 1, "foi_request", "png-1bit", 1),
    ("kingsmere", 1, "social_care", "tiff-g4", 2),
    ("kingsmere", 1, "building_control", "jpeg-exif-rotated", 1),
    ("kingsmere", 1, "council_tax", "png-1bit", 1),
    ("kingsmere", 1, "complaint", "tiff-g4", 1),
    ("glanyrafon", 1, "council_tax", "png-1bit", 1),
    ("glanyrafon", 1, "planning_application", "tiff-g4", 1),
    ("glanyrafon", 1, "social_care", "png-grey", 1),
    ("glanyrafon", 1, "foi_request", "pdf-text", 1),
    ("thornbury", 1, "business_rates", "png-1bit", 1),
    ("thornbury", 1, "electoral_registration", "jpeg", 1),
    ("thornbury", 1, "building_control", "tiff-g4", 1),
    ("thornbury", 1, "housing_benefit", "tiff-g4", 2),
)


@dataclass(frozen=True)
class SampleRecord:
    """One generated file and what a perfect OCR would read from each of its pages."""

    path: str  # relative to the output directory, POSIX separators
    council: str
    batch: str
    record_type: str
    pages: list[str]
    format: str

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class TextLine:
    """One drawn line: the unit of layout and of ground truth."""

    text: str
    size: int = 46  # pixels at 300 dpi (46 px is 11 pt)
    bold: bool = False
    align: str = "left"  # left | right | center
    gap: float = 0.0  # blank space before the line, in line advances


Measure = Callable[[str, int, bool], float]


# --- layout ---------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _font(family: str, size: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / FAMILIES[family][int(bold)]), size)


def pil_measure(family: str) -> Measure:
    """Text width in pixels as Pillow will draw it."""
    return lambda text, size, bold: _font(family, size, bold).getlength(text)


def wrap_text(
    text: str, size: int = 46, *, bold: bool = False, family: str = "dejavu-sans",
    width: int = A4_PX[0] - 2 * MARGIN_X, measure: Measure | None = None,
) -> list[str]:
    """Greedy word wrap; the returned lines are exactly what will be drawn (and the ground truth)."""
    fits = measure or pil_measure(family)
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and fits(candidate, size, bold) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _para(text: str, size: int, measure: Measure, *, gap: float = 0.0, bold: bool = False) -> list[TextLine]:
    wrapped = wrap_text(text, size, bold=bold, measure=measure)
    return [TextLine(t, size, bold, "left", gap if n == 0 else 0.0) for n, t in enumerate(wrapped)]


def _height(lines: Sequence[TextLine]) -> float:
    return sum((1 + line.gap) * line.size * LEADING for line in lines)


def _fits(lines: Sequence[TextLine]) -> bool:
    return _height(lines) <= A4_PX[1] - MARGIN_TOP - MARGIN_BOTTOM


def _letterhead(letter: Letter, ctx: Ctx, size: int) -> list[TextLine]:
    council = ctx.council
    lines = [TextLine(name, 76 if n == 0 else 60, True) for n, name in enumerate(council.name_lines)]
    lines.append(TextLine(letter.department, size + 6, True, gap=0.2))
    lines += [TextLine(a, size - 4, align="right", gap=0.4 if n == 0 else 0.0) for n, a in enumerate(council.address)]
    lines.append(TextLine(f"Tel: {council.phone}", size - 4, align="right"))
    return lines


def _first_page(letter: Letter, ctx: Ctx, size: int, paragraphs: int, measure: Measure) -> list[TextLine]:
    welsh = ctx.welsh
    person = ctx.recipient
    lines = _letterhead(letter, ctx, size)
    lines += [TextLine(t, size, gap=0.8 if n == 0 else 0.0) for n, t in enumerate((person.full, *person.address))]
    refs = [f"{label}: {value}" for label, value in letter.references]
    refs.append(f"{'Dyddiad / Date' if welsh else 'Date'}: {uk_date(ctx.date)}")
    refs.append(f"{'Gofynnwch am / Please ask for' if welsh else 'Please ask for'}: "
                f"{ctx.officer.first} {ctx.officer.last}")
    lines += [TextLine(t, size, gap=0.8 if n == 0 else 0.0) for n, t in enumerate(refs)]
    lines.append(TextLine(f"{'Annwyl / Dear' if welsh else 'Dear'} {person.formal},", size, gap=0.8))
    lines += _para(letter.subject, size, measure, gap=0.5, bold=True)
    for text in letter.paragraphs[:paragraphs]:
        lines += _para(text, size, measure, gap=0.45)
    if welsh:
        lines += _para("Rydym yn croesawu gohebiaeth yn Gymraeg. We welcome correspondence in Welsh.",
                       size, measure, gap=0.45)
    lines.append(TextLine("Yn gywir / Yours sincerely," if welsh else "Yours sincerely,", size, gap=0.6))
    lines.append(TextLine(f"{ctx.officer.first} {ctx.officer.last}", size, gap=1.6))
    lines.append(TextLine(letter.officer_title, size))
    return lines


def _annex_page(section: Section, ctx: Ctx, letter: Letter, page: int, total: int, size: int,
                measure: Measure) -> list[TextLine]:
    ref = letter.references[0][1]
    lines = [TextLine(f"{ctx.council.name_lines[-1]}  {ref}  Page {page} of {total}", size - 6, align="right")]
    lines += _para(section.heading, size + 4, measure, gap=1.0, bold=True)
    for text in section.paragraphs:
        lines += _para(text, size, measure, gap=0.35)
    return lines


def layout_letter(letter: Letter, ctx: Ctx, size: int, measure: Measure) -> list[list[TextLine]]:
    """Lay a letter out as pages; drop trailing optional paragraphs rather than overflow page 1."""
    for body in (size, size - 2, size - 4):
        for count in range(len(letter.paragraphs), letter.min_paragraphs - 1, -1):
            first = _first_page(letter, ctx, body, count, measure)
            if _fits(first + _footer(ctx, body)):
                first += _footer(ctx, body, _free(first + _footer(ctx, body)))
                total = 1 + len(letter.annex)
                annex = [_annex_page(s, ctx, letter, n + 2, total, body, measure) for n, s in enumerate(letter.annex)]
                return [first, *(_trim(page) for page in annex)]
    raise ValueError(f"{letter.record_type}: letter does not fit on one page")


def _footer(ctx: Ctx, size: int, free: float = 0.0) -> list[TextLine]:
    """A format/privacy footer pushed to the bottom of page 1, as on real council letters."""
    texts = (
        ("Gallwch gael y llythyr hwn mewn print bras.", "This letter is available in large print.")
        if ctx.welsh
        else ("This letter is available in large print.", "Our privacy notice explains how we use your information.")
    )
    small = size - 8
    gap = 1.0 + max(free, 0.0) / (small * LEADING)
    return [TextLine(texts[0], small, align="center", gap=gap), TextLine(texts[1], small, align="center")]


def _free(lines: Sequence[TextLine]) -> float:
    return A4_PX[1] - MARGIN_TOP - MARGIN_BOTTOM - _height(lines) - 1.0


def _trim(lines: list[TextLine]) -> list[TextLine]:
    while not _fits(lines):
        lines = lines[:-1]
    return lines


def page_text(lines: Sequence[TextLine]) -> str:
    """Ground truth of a page: its drawn lines in reading order."""
    return "\n".join(line.text for line in lines)


# --- rendering ------------------------------------------------------------------------------


def _x(line: TextLine, width: float, page_width: int) -> float:
    if line.align == "right":
        return page_width - MARGIN_X - width
    if line.align == "center":
        return (page_width - width) / 2
    return MARGIN_X


def render_page(
    lines: Sequence[TextLine | str], *, family: str = "dejavu-sans", seed: int | None = None,
    size: tuple[int, int] = A4_PX,
) -> Image.Image:
    """Draw lines (already wrapped, one per row) on a 300 dpi greyscale page.

    Plain strings are drawn as 46 px body text. With a seed, scanner effects (paper tone,
    skew, speckle) are applied. Text is not wrapped or clipped: use wrap_text first, so the
    ground truth stays exactly the drawn lines.
    """
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    y = float(MARGIN_TOP)
    for item in lines:
        line = TextLine(item) if isinstance(item, str) else item
        y += line.gap * line.size * LEADING
        font = _font(family, line.size, line.bold)
        draw.text((_x(line, font.getlength(line.text), size[0]), y), line.text, font=font, fill=0)
        y += line.size * LEADING
    return image if seed is None else scan_effects(image, random.Random(seed))


def scan_effects(
    image: Image.Image, rng: random.Random, *, speckle: bool | None = None, blur: bool = False
) -> Image.Image:
    """Make a clean page look scanned yet stay easy to OCR: paper tone, <=1 degree skew, specks."""
    paper, ink = rng.randint(238, 252), rng.randint(10, 40)
    toned = image.point([ink + (paper - ink) * v // 255 for v in range(256)])
    angle = rng.uniform(-1.0, 1.0)
    page = toned.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=paper)
    if speckle if speckle is not None else rng.random() < 0.6:
        _speckle(page, rng)
    if blur:
        page = page.filter(ImageFilter.GaussianBlur(0.6))
    return page


def _speckle(page: Image.Image, rng: random.Random) -> None:
    """Sparse dust specks: few enough not to hurt compression or OCR."""
    draw = ImageDraw.Draw(page)
    width, height = page.size
    for _ in range(rng.randint(60, 220)):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.choice((1, 1, 1, 2))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(70, 160))


def to_bilevel(page: Image.Image) -> Image.Image:
    """Threshold, not dither: what a document scanner's black-and-white mode does."""
    return page.point(lambda v: 255 if v > 150 else 0).convert("1", dither=Image.Dither.NONE)


# --- writers --------------------------------------------------------------------------------


def _save_png(path: Path, pages: list[Image.Image], bilevel: bool, dpi: int = DPI) -> None:
    (to_bilevel(pages[0]) if bilevel else pages[0]).save(path, "PNG", optimize=True, dpi=(dpi, dpi))


def _save_tiff(path: Path, pages: list[Image.Image], dpi: int = DPI) -> None:
    first, *rest = [to_bilevel(p) for p in pages]
    first.save(path, "TIFF", compression="group4", dpi=(dpi, dpi), save_all=True, append_images=rest)


def _save_jpeg(path: Path, pages: list[Image.Image], orientation: int = 1) -> None:
    """Orientation 6/8: pixels stored sideways, EXIF says how to turn them upright."""
    image = pages[0]
    exif = Image.Exif()
    if orientation == 6:
        image = image.transpose(Image.Transpose.ROTATE_90)
    elif orientation == 8:
        image = image.transpose(Image.Transpose.ROTATE_270)
    exif[0x0112] = orientation
    image.save(path, "JPEG", quality=65, optimize=True, dpi=(DPI, DPI), exif=exif.tobytes())


def _save_scanned_pdf(path: Path, pages: list[Image.Image], dpi: int = DPI) -> None:
    """Image-only PDF: each page one greyscale JPEG (DCTDecode), no text layer."""
    first, *rest = pages
    first.save(path, "PDF", save_all=True, append_images=rest, resolution=dpi, quality=60,
               creationDate=FIXED_PDF_DATE.utctimetuple(), modDate=FIXED_PDF_DATE.utctimetuple(), producer="Scan station 3")


class _TextPdf:
    """A born-digital letter: fpdf2 with an embedded TrueType font, so text extracts cleanly."""

    def __init__(self, family: str) -> None:
        self.pdf = FPDF(unit="mm", format="A4")
        self.pdf.set_creation_date(FIXED_PDF_DATE)
        self.pdf.set_auto_page_break(False)
        regular, bold = FAMILIES[family]
        self.pdf.add_font("body", "", str(FONT_DIR / regular))
        self.pdf.add_font("body", "B", str(FONT_DIR / bold))
        self.pdf.set_producer("Council correspondence system")

    def measure(self, text: str, size: int, bold: bool) -> float:
        self.pdf.set_font("body", "B" if bold else "", size * 72 / DPI)
        return self.pdf.get_string_width(text) * DPI / 25.4

    def add_page(self, lines: Sequence[TextLine]) -> None:
        self.pdf.add_page()
        mm = 25.4 / DPI
        y = float(MARGIN_TOP)
        for line in lines:
            y += line.gap * line.size * LEADING
            width = self.measure(line.text, line.size, line.bold)
            self.pdf.text(_x(line, width, A4_PX[0]) * mm, (y + line.size * 0.8) * mm, line.text)
            y += line.size * LEADING

    def save(self, path: Path) -> None:
        path.write_bytes(bytes(self.pdf.output()))


# --- records --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Planned:
    council: str
    batch: str
    record_type: str
    format: str
    pages: int
    key: str  # seeds this record's RNG


def _plan(per_type: int, councils: Sequence[str]) -> list[_Planned]:
    """The standard mix, repeated per_type times, folded onto the chosen councils."""
    planned = []
    for round_ in range(per_type):
        for n, (council, batch, record_type, fmt, pages) in enumerate(STANDARD_MIX):
            if council not in councils:
                council = councils[n % len(councils)]
            name = f"{BATCH_PREFIX}{round_ * 2 + batch:02d}"
            planned.append(_Planned(council, name, record_type, fmt, pages, f"{round_}:{n}"))
    return planned


def _render_record(item: _Planned, rng: random.Random, out_dir: Path, name: str) -> SampleRecord:
    council = COUNCILS[item.council]
    ctx = make_context(council, rng)
    letter = compose(item.record_type, ctx, annex_pages=item.pages - 1)
    family = rng.choice(sorted(FAMILIES))
    size = rng.choice((44, 46, 48))
    path = out_dir / item.council / item.batch / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if item.format == "pdf-text":
        doc = _TextPdf(family)
        pages = layout_letter(letter, ctx, size, doc.measure)
        for lines in pages:
            doc.add_page(lines)
        doc.save(path)
    else:
        pages = layout_letter(letter, ctx, size, pil_measure(family))
        blur = item.format.startswith("jpeg") or item.format == "pdf-scanned"
        speckle = False if item.format == "png-grey" else None
        images = [scan_effects(render_page(lines, family=family), rng, speckle=speckle, blur=blur) for lines in pages]
        _write_images(path, item.format, images, rng)
    rel = path.relative_to(out_dir).as_posix()
    texts = [page_text(lines) for lines in pages]
    return SampleRecord(rel, item.council, item.batch, item.record_type, texts, item.format)


def _write_images(path: Path, fmt: str, images: list[Image.Image], rng: random.Random) -> None:
    if fmt in ("png-grey", "png-1bit"):
        _save_png(path, images, bilevel=fmt == "png-1bit")
    elif fmt == "tiff-g4":
        _save_tiff(path, images)
    elif fmt == "jpeg":
        _save_jpeg(path, images)
    elif fmt == "jpeg-exif-rotated":
        _save_jpeg(path, images, orientation=rng.choice((6, 8)))
    elif fmt == "pdf-scanned":
        _save_scanned_pdf(path, images)
    else:
        raise ValueError(f"unknown format {fmt}")


def _file_name(item: _Planned, seq: int) -> str:
    stem = "letter" if item.format == "pdf-text" else "scan"
    return f"{stem}-{seq:04d}.{FORMATS[item.format]}"


def _check_councils(councils: Sequence[str] | None) -> list[str]:
    chosen = list(councils) if councils else list(COUNCILS)
    unknown = [c for c in chosen if c not in COUNCILS]
    if unknown:
        raise ValueError(f"unknown council(s) {unknown}; known: {', '.join(COUNCILS)}")
    return chosen


def _clear_previous(out_dir: Path) -> None:
    """Remove the files a previous run listed, so a re-run leaves no stale records behind."""
    truth = out_dir / "ground_truth.json"
    if not truth.is_file():
        return
    for record in json.loads(truth.read_text(encoding="utf-8")).get("records", []):
        target = (out_dir / record["path"]).resolve()
        if target.is_relative_to(out_dir.resolve()) and target.is_file():
            target.unlink()


def _write_truth(out_dir: Path, records: Sequence[SampleRecord]) -> None:
    data = {"records": [r.to_json() for r in sorted(records, key=lambda r: r.path)]}
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    (out_dir / "ground_truth.json").write_text(text, encoding="utf-8")


def generate(
    out_dir: Path, *, seed: int = 7, per_type: int = 1, councils: Sequence[str] | None = None
) -> list[SampleRecord]:
    """Write the standard mix (20 records, 25 pages) per_type times under out_dir.

    Every record type appears at least twice per repetition, and every format at least once.
    Records planned for a council not in `councils` go to the chosen councils in turn.
    """
    if per_type < 1:
        raise ValueError("per_type must be at least 1")
    out_dir = Path(out_dir)
    chosen = _check_councils(councils)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear_previous(out_dir)
    records: list[SampleRecord] = []
    seq: dict[tuple[str, str], int] = {}
    for item in _plan(per_type, chosen):
        folder = (item.council, item.batch)
        seq[folder] = seq.get(folder, 0) + 1
        rng = random.Random(f"council-digitise:{seed}:{item.key}")
        records.append(_render_record(item, rng, out_dir, _file_name(item, seq[folder])))
    _write_truth(out_dir, records)
    return records


def generate_pages(
    out_dir: Path, count: int, seed: int = 7, *, councils: Sequence[str] | None = None
) -> list[SampleRecord]:
    """Write `count` single-page 1-bit 300 dpi PNGs of varied record types (for throughput runs).

    Layout: out_dir/<council>/bench-pages/page-NNNNN.png plus out_dir/ground_truth.json, so the
    pages can be fed to the pipeline as a scan root or OCRed directly.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    out_dir = Path(out_dir)
    slugs = _check_councils(councils)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear_previous(out_dir)
    records = []
    for n in range(count):
        record_type = RECORD_TYPES[n % len(RECORD_TYPES)]
        council = slugs[(n // len(RECORD_TYPES) + n) % len(slugs)]
        item = _Planned(council, "bench-pages", record_type, "png-1bit", 1, f"pages:{n}")
        rng = random.Random(f"council-digitise:{seed}:{item.key}")
        records.append(_render_record(item, rng, out_dir, f"page-{n + 1:05d}.png"))
    _write_truth(out_dir, records)
    return records


def generate_texts(per_type: int, seed: int = 7) -> list[tuple[str, str]]:
    """(text, record type) of `per_type` letters of each type, laid out as generate() draws them
    but not rendered: training text for the classifier, in a fraction of the time."""
    texts = []
    for n in range(per_type):
        for m, record_type in enumerate(RECORD_TYPES):
            rng = random.Random(f"council-digitise:{seed}:texts:{n}:{m}")
            council = COUNCILS[sorted(COUNCILS)[(n + m) % len(COUNCILS)]]
            ctx = make_context(council, rng)
            letter = compose(record_type, ctx, annex_pages=rng.choice((0, 0, 1)))
            family = rng.choice(sorted(FAMILIES))
            pages = layout_letter(letter, ctx, rng.choice((44, 46, 48)), pil_measure(family))
            texts.append(("\n".join(page_text(lines) for lines in pages), record_type))
    return texts


# --- command line ---------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m samples.generate",
        description="Write synthetic scanned UK council records (fictional people, seeded) and "
        "OUT/ground_truth.json with the exact text of every page. Layout: OUT/<council>/<batch>/<file>.",
    )
    parser.add_argument("--out", type=Path, required=True, help="output directory (created if missing)")
    parser.add_argument("--seed", type=int, default=7, help="random seed; same seed, same files (default 7)")
    parser.add_argument(
        "--per-type", type=int, default=1, metavar="N",
        help="repeat the standard mix N times; each repetition is 20 records (25 pages) with every "
        "record type at least twice and every format at least once (default 1)",
    )
    parser.add_argument(
        "--councils", type=lambda s: [c.strip() for c in s.split(",") if c.strip()], metavar="a,b",
        help=f"comma-separated council slugs to use (default all: {','.join(COUNCILS)}); records "
        "of other councils are reassigned to these",
    )
    parser.add_argument(
        "--pages-only", action="store_true",
        help="instead of records, write --count single-page 1-bit PNGs of varied record types "
        "under OUT/<council>/bench-pages/ (for throughput benchmarks); --per-type is ignored",
    )
    parser.add_argument(
        "--mixed", action="store_true",
        help="instead of records, write --count pages of a scanning room's mix (formats, turned, tilted, "
        "noisy and blurred pages, 200 and 300 dpi) under OUT/<council>/mixed/ (samples.mixed)",
    )
    parser.add_argument("--count", type=int, default=50,
                        help="pages to write with --pages-only or --mixed, sheets with --cover-sheets (default 50)")
    parser.add_argument(
        "--stacks", type=int, metavar="N",
        help="instead of records, write N stacks (many records in one file) per separation method, "
        "as a PDF and as a G4 TIFF, under OUT/<council>/2026-11-box-01/ with OUT/stacks.json",
    )
    parser.add_argument("--stack-records", type=_range, default=(5, 12), metavar="LOW-HIGH",
                        help="records per stack (default 5-12; up to 60 and more)")
    parser.add_argument("--sheets", action="store_true",
                        help="instead of records, write the printable OUT/separator-sheet.pdf")
    parser.add_argument("--cover-sheets", action="store_true",
                        help="instead of records, write OUT/cover-sheets.pdf: --count cover sheets, "
                        "numbered from --first-reference (REC-000001, ...)")
    parser.add_argument("--first-reference", type=int, default=1, help="first cover-sheet number (REC-000001)")
    return parser


def _range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    try:
        return int(low), int(high or low)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a range LOW-HIGH: {text!r}") from None


def _extras(args: argparse.Namespace) -> int | None:
    """--sheets, --cover-sheets and --stacks, which write something other than records; None if none."""
    if args.sheets or args.cover_sheets:
        from samples._sheets import write_cover_sheets, write_separator_sheet

        path = (write_separator_sheet(args.out / "separator-sheet.pdf") if args.sheets else
                write_cover_sheets(args.out / "cover-sheets.pdf", first=args.first_reference, count=args.count))
        print(f"wrote {path}")
        return 0
    if args.stacks:
        from samples.stacks import generate_stacks

        stacks = generate_stacks(args.out, seed=args.seed, records=args.stack_records, per_method=args.stacks)
        pages = sum(len(s.pages) for s in stacks)
        print(f"wrote {len(stacks)} stacks ({pages} pages) and stacks.json to {args.out}")
        return 0
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        done = _extras(args)
        if done is not None:
            return done
        if args.mixed:
            from samples.mixed import generate_mixed

            records = [m.record for m in generate_mixed(args.out, args.count, seed=args.seed, councils=args.councils)]
        elif args.pages_only:
            records = generate_pages(args.out, args.count, seed=args.seed, councils=args.councils)
        else:
            records = generate(args.out, seed=args.seed, per_type=args.per_type, councils=args.councils)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    pages = sum(len(r.pages) for r in records)
    councils = len({r.council for r in records})
    print(f"wrote {len(records)} records ({pages} pages, {councils} councils) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
