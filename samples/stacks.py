"""Stacks: a box of records scanned as one multi-page file, with the true boundaries.

One stack per separation method, as a greyscale image-only PDF or a bitonal G4 TIFF:

- `separator_sheet`: a separator sheet (samples/separator-sheet.pdf) in front of each record;
- `cover_sheet`: a cover sheet with the record's reference (`REC-` and six digits) in front of
  each record, scanned duplex: every sheet has a back, blank (with dust, some with
  bleed-through) or, now and then, a one-line note or a signature;
- `blank_page`: a blank sheet between records, scanned duplex like `cover_sheet`;
- `page_count`: two-page records, nothing between them;
- `content`: records of one to three pages, nothing between them.

As on real paper, a continuation page carries a "Page n of N" line only two times in three
and the council's letterhead one time in four, and one first page in five is a notice
without "Dear ...": the content method has to weigh its evidence.
`stacks.json` holds each stack's settings (as the pipeline's separation settings) and the
role of every page: `record` (with its record's index), `separator` or `blank`.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from samples._content import COUNCILS, RECORD_TYPES, back_note, compose, make_context
from samples._sheets import cover_sheet, render_sheet, separator_sheet
from samples.generate import (
    DPI,
    FAMILIES,
    FIXED_PDF_DATE,
    _save_tiff,
    layout_letter,
    page_text,
    pil_measure,
    render_page,
    scan_effects,
)

#: Each stack kind and the separation settings that split it.
STACK_SETTINGS: dict[str, dict[str, object]] = {
    "separator_sheet": {"methods": ["separator_sheet"]},
    "cover_sheet": {"methods": ["cover_sheet"], "duplex": True},
    "blank_page": {"methods": ["blank_page"], "duplex": True},
    "page_count": {"methods": ["page_count"], "pages_per_record": 2},
    "content": {"methods": ["content"]},
}
STACK_FORMATS = {"pdf": "pdf", "tiff-g4": "tif"}
#: Share of continuation pages that keep their "Page n of N" line; that carry the council's
#: letterhead (letterheaded paper for every page); of first pages without "Dear ..." (notices).
PAGE_LINE_KEPT = 2 / 3
LETTERHEAD_PAPER = 0.25
NOTICE_SHARE = 0.2
_SALUTATION = re.compile(r"^(?:Annwyl / )?Dear\b")
BATCH = "2026-11-box-01"
HAND = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf"


@dataclass(frozen=True)
class StackPage:
    """One scanned page: its role, its record's index (record pages), what it is, its text."""

    role: str  # record | separator | blank
    record: int | None
    kind: str  # letter | cover | note | signature | separator | blank
    text: str = ""


@dataclass(frozen=True)
class StackRecord:
    first: int
    last: int
    pages: list[int]
    record_type: str
    reference: str | None = None


@dataclass(frozen=True)
class SampleStack:
    path: str  # relative to the output directory
    council: str
    batch: str
    method: str
    format: str
    settings: dict[str, object]
    records: list[StackRecord] = field(default_factory=list)
    pages: list[StackPage] = field(default_factory=list)

    @property
    def boundaries(self) -> list[int]:
        """First pages of the records after the first: what a separator must find."""
        return [r.first for r in self.records[1:]]

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class _Side:
    image: Image.Image
    page: StackPage


@dataclass
class _Builder:
    rng: random.Random
    council: str
    duplex: bool
    sides: list[_Side] = field(default_factory=list)
    records: list[tuple[str, str | None]] = field(default_factory=list)

    def sheet(self, front: _Side, back: _Side | None = None) -> None:
        self.sides.append(front)
        if self.duplex:
            self.sides.append(back or self._back(front))

    def _back(self, front: _Side) -> _Side:
        """The back of a one-sided sheet: blank with dust, sometimes a note or a signature."""
        roll = self.rng.random()
        record = front.page.record if front.page.role == "record" else None
        if record is not None and roll < 0.07:
            text = back_note(self.rng, make_context(COUNCILS[self.council], self.rng).date)
            return _Side(note_page(text, self.rng), StackPage("record", record, "note", text))
        if record is not None and roll < 0.14:
            return _Side(signature_page(self.rng), StackPage("record", record, "signature"))
        role = "separator" if front.page.role == "separator" else "blank"
        return _Side(blank_back(front.image, self.rng), StackPage(role, None, "blank"))


def generate_stacks(
    out_dir: Path, *, methods: Sequence[str] = tuple(STACK_SETTINGS), formats: Sequence[str] = tuple(STACK_FORMATS),
    records: tuple[int, int] = (5, 12), seed: int = 7, per_method: int = 1,
) -> list[SampleStack]:
    """Write `per_method` stacks of each method in each format under out_dir/<council>/<batch>/,
    each of `records` (low, high) records, and out_dir/stacks.json; return them."""
    unknown = [m for m in methods if m not in STACK_SETTINGS] + [f for f in formats if f not in STACK_FORMATS]
    if unknown:
        raise ValueError(f"unknown stack method or format {unknown}")
    if not 1 <= records[0] <= records[1]:
        raise ValueError(f"bad record range {records}")
    out_dir = Path(out_dir)
    _clear_previous(out_dir)
    stacks = []
    for method in methods:
        for fmt in formats:
            for n in range(per_method):
                rng = random.Random(f"council-digitise:stack:{seed}:{method}:{fmt}:{n}")
                stacks.append(_stack(out_dir, method, fmt, n + 1, rng, records))
    data = {"stacks": [s.to_json() for s in stacks]}
    (out_dir / "stacks.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return stacks


def _clear_previous(out_dir: Path) -> None:
    """Remove the stacks a previous run listed, so a re-run leaves none behind."""
    truth = out_dir / "stacks.json"
    if truth.is_file():
        for stack in json.loads(truth.read_text(encoding="utf-8")).get("stacks", []):
            target = (out_dir / stack["path"]).resolve()
            if target.is_relative_to(out_dir.resolve()) and target.is_file():
                target.unlink()


def _stack(out_dir: Path, method: str, fmt: str, n: int, rng: random.Random, count: tuple[int, int]) -> SampleStack:
    settings = STACK_SETTINGS[method]
    council = rng.choice(sorted(COUNCILS))
    build = _Builder(rng, council, bool(settings.get("duplex")))
    first_ref = rng.randrange(1000, 900_000)
    for index in range(rng.randint(*count)):
        record_type = rng.choice(RECORD_TYPES)
        reference = f"REC-{first_ref + index:06d}" if method == "cover_sheet" else None
        if method == "separator_sheet" and (index or rng.random() < 0.5):
            build.sheet(_Side(_scanned(render_sheet(separator_sheet()), rng), StackPage("separator", None, "separator")))
        elif method == "blank_page" and index:
            blank = _Side(blank_back(None, rng), StackPage("blank", None, "blank"))
            build.sheet(blank, _Side(blank_back(None, rng), StackPage("blank", None, "blank")))
        if reference:
            cover = render_sheet(cover_sheet(reference, COUNCILS[council].name_lines[-1]))
            build.sheet(_Side(_scanned(cover, rng), StackPage("record", index, "cover", reference)))
        pages = 2 if method == "page_count" else rng.choice((1, 1, 2, 2, 3))
        for image, text in _letter(council, record_type, pages, rng):
            build.sheet(_Side(image, StackPage("record", index, "letter", text)))
        build.records.append((record_type, reference))
    if method == "separator_sheet" and rng.random() < 0.3:  # a sheet left at the end of the box
        build.sheet(_Side(_scanned(render_sheet(separator_sheet()), rng), StackPage("separator", None, "separator")))
    path = out_dir / council / BATCH / f"stack-{method.replace('_', '-')}-{n:02d}.{STACK_FORMATS[fmt]}"
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, fmt, [side.image for side in build.sides])
    pages = [side.page for side in build.sides]
    records = []
    for index, (record_type, reference) in enumerate(build.records):
        numbers = [i + 1 for i, p in enumerate(pages) if p.record == index]
        records.append(StackRecord(numbers[0], numbers[-1], numbers, record_type, reference))
    return SampleStack(path.relative_to(out_dir).as_posix(), council, BATCH, method, fmt, dict(settings),
                       records, pages)


def _letter(council: str, record_type: str, pages: int, rng: random.Random) -> list[tuple[Image.Image, str]]:
    ctx = make_context(COUNCILS[council], rng)
    letter = compose(record_type, ctx, annex_pages=pages - 1)
    family = rng.choice(sorted(FAMILIES))
    laid = layout_letter(letter, ctx, rng.choice((44, 46, 48)), pil_measure(family))
    out = []
    for number, lines in enumerate(laid):
        if number == 0 and rng.random() < NOTICE_SHARE:  # a notice: no "Dear ..."
            lines = [line for line in lines if not _SALUTATION.match(line.text)]
        if number and rng.random() > PAGE_LINE_KEPT:
            lines = lines[1:]  # no "Page n of N" line
        if number and rng.random() < LETTERHEAD_PAPER:
            lines = [*laid[0][:1], *lines]  # continuation paper with the letterhead on it
        image = scan_effects(render_page(lines, family=family), rng)
        out.append((image, page_text(lines)))
    return out


def _scanned(page: Image.Image, rng: random.Random) -> Image.Image:
    return scan_effects(page, rng, speckle=True)


def blank_back(front: Image.Image | None, rng: random.Random, *, bleed: float | None = None) -> Image.Image:
    """A blank side: dust always; a third also show the other side's print through the paper
    (`bleed`: always, at that share of the print's contrast)."""
    page = Image.new("L", (2480, 3508), 255)
    if bleed is None and rng.random() < 0.35:
        bleed = rng.uniform(0.04, 0.12)  # what shows through 80 g/m² paper
    if front is not None and bleed:
        contrast = bleed
        mirrored = front.transpose(Image.Transpose.FLIP_LEFT_RIGHT).filter(ImageFilter.GaussianBlur(2))
        page = mirrored.point([round(255 - (255 - v) * contrast) for v in range(256)])
    page = scan_effects(page, rng, speckle=True)
    if rng.random() < 0.3:  # heavier dust: a few larger specks
        draw = ImageDraw.Draw(page)
        for _ in range(rng.randint(3, 12)):
            x, y = rng.randrange(page.width), rng.randrange(page.height)
            draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=rng.randint(60, 140))
    return page


def note_page(text: str, rng: random.Random) -> Image.Image:
    page = Image.new("L", (2480, 3508), 255)
    font = ImageFont.truetype(HAND, rng.choice((44, 50, 56)))
    ImageDraw.Draw(page).text((rng.randint(250, 900), rng.randint(300, 2800)), text, font=font, fill=rng.randint(20, 90))
    return scan_effects(page, rng, speckle=True)


def signature_page(rng: random.Random) -> Image.Image:
    """A scribbled signature, alone on the page (a signed back, a witness page)."""
    page = Image.new("L", (2480, 3508), 255)
    x, y = rng.randint(300, 1400), rng.randint(400, 2900)
    points = [(x, y)]
    for _ in range(rng.randint(12, 22)):
        x += rng.randint(15, 60)
        y = min(3300, max(200, y + rng.randint(-70, 70)))
        points.append((x, y))
    ImageDraw.Draw(page).line(points, fill=rng.randint(10, 80), width=rng.choice((3, 4, 5)), joint="curve")
    return scan_effects(page, rng, speckle=True)


def _write(path: Path, fmt: str, images: list[Image.Image]) -> None:
    if fmt == "tiff-g4":
        _save_tiff(path, images)
        return
    first, *rest = images
    first.save(path, "PDF", save_all=True, append_images=rest, resolution=DPI, quality=50,
               creationDate=FIXED_PDF_DATE.utctimetuple(), modDate=FIXED_PDF_DATE.utctimetuple(),
               producer="Scan station 3")
