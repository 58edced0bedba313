"""The mix a scanning room sends: formats, turned and tilted pages, noise, blur, two resolutions.

    python -m samples.generate --out /tmp/mixed --mixed --count 240 --seed 11

Shares per page (drawn from the seed, so the same seed writes the same files):

- formats: PNG grey and 1-bit, JPEG grey and colour, LZW (grey) and G4 TIFF, scanned PDF;
  TIFFs and PDFs have two pages now and then;
- about 10 % of pages turned 90, 180 or 270 degrees, about half tilted by 0.3-3 degrees
  (the rest by under 0.2), about 30 % noisy (grain and specks), about 15 % blurred;
- about a quarter of the records scanned at 200 dpi, the rest at 300.

Every record carries its conditions (`MixedRecord.conditions`), so costs and readings can be
split by them.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from samples._content import RECORD_TYPES, compose, make_context
from samples.generate import (
    COUNCILS,
    FAMILIES,
    SampleRecord,
    _check_councils,
    _save_png,
    _save_scanned_pdf,
    _save_tiff,
    layout_letter,
    page_text,
    pil_measure,
    render_page,
)

#: Formats and their shares of the records; suffix of each.
MIXED_FORMATS: dict[str, tuple[float, str]] = {
    "png-grey": (0.18, "png"),
    "png-1bit": (0.12, "png"),
    "jpeg-grey": (0.16, "jpg"),
    "jpeg-colour": (0.10, "jpg"),
    "tiff-lzw": (0.10, "tif"),
    "tiff-g4": (0.16, "tif"),
    "pdf-scanned": (0.18, "pdf"),
}
TURNED_SHARE = 0.10
SKEWED_SHARE = 0.5
NOISY_SHARE = 0.3
BLURRED_SHARE = 0.15
LOW_DPI_SHARE = 0.25
TWO_PAGE_SHARE = 0.25  # of TIFF and PDF records
BATCH = "mixed"


@dataclass(frozen=True)
class MixedRecord:
    """A generated file, its true text, and the conditions of its pages (format, `dpi200`,
    `turned`, `skewed`, `noisy`, `blurred`; a condition of any page counts for the record)."""

    record: SampleRecord
    conditions: tuple[str, ...]


def generate_mixed(
    out_dir: Path, pages: int, seed: int = 7, *, councils: list[str] | None = None
) -> list[MixedRecord]:
    """Write records of the mix until `pages` pages are written, under out_dir/<council>/mixed/,
    with out_dir/ground_truth.json (the records and their conditions)."""
    if pages < 1:
        raise ValueError("pages must be at least 1")
    out_dir = Path(out_dir)
    slugs = _check_councils(councils)
    records: list[MixedRecord] = []
    written = 0
    while written < pages:
        n = len(records)
        rng = random.Random(f"council-digitise:{seed}:mixed:{n}")
        fmt = rng.choices(list(MIXED_FORMATS), weights=[w for w, _ in MIXED_FORMATS.values()])[0]
        count = 2 if fmt.startswith(("tiff", "pdf")) and rng.random() < TWO_PAGE_SHARE else 1
        count = min(count, pages - written)
        name = f"scan-{n + 1:05d}.{MIXED_FORMATS[fmt][1]}"
        records.append(_record(out_dir, slugs[n % len(slugs)], RECORD_TYPES[n % len(RECORD_TYPES)], fmt, count,
                               name, rng))
        written += count
    data = {"records": [{**r.record.to_json(), "conditions": list(r.conditions)} for r in records]}
    (out_dir / "ground_truth.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
    return records


def _record(out_dir: Path, council: str, record_type: str, fmt: str, count: int, name: str,
            rng: random.Random) -> MixedRecord:
    ctx = make_context(COUNCILS[council], rng)
    letter = compose(record_type, ctx, annex_pages=count - 1)
    family = rng.choice(sorted(FAMILIES))
    laid_out = layout_letter(letter, ctx, rng.choice((44, 46, 48)), pil_measure(family))[:count]
    dpi = 200 if rng.random() < LOW_DPI_SHARE else 300
    conditions = {fmt} | ({"dpi200"} if dpi == 200 else set())
    images = []
    for lines in laid_out:
        image, effects = _scanned(render_page(lines, family=family), rng, dpi)
        images.append(image)
        conditions |= effects
    path = out_dir / council / BATCH / name
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, fmt, images, dpi)
    record = SampleRecord(path.relative_to(out_dir).as_posix(), council, BATCH, record_type,
                          [page_text(lines) for lines in laid_out], fmt)
    return MixedRecord(record, tuple(sorted(conditions)))


def _scanned(page: Image.Image, rng: random.Random, dpi: int) -> tuple[Image.Image, set[str]]:
    """A clean 300-dpi page as the scanner gave it, and which effects it got."""
    effects: set[str] = set()
    paper, ink = rng.randint(232, 252), rng.randint(10, 45)
    page = page.point([ink + (paper - ink) * v // 255 for v in range(256)])
    if rng.random() < SKEWED_SHARE:
        angle = rng.uniform(0.3, 3.0) * rng.choice((-1, 1))
        effects.add("skewed")
    else:
        angle = rng.uniform(-0.2, 0.2)
    page = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=paper)
    if rng.random() < BLURRED_SHARE:
        page = page.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.4)))
        effects.add("blurred")
    if dpi != 300:
        page = page.resize((page.width * dpi // 300, page.height * dpi // 300), Image.Resampling.LANCZOS)
    if rng.random() < NOISY_SHARE:
        page = _noise(page, rng)
        effects.add("noisy")
    if rng.random() < TURNED_SHARE:  # the sheet went through the scanner turned clockwise
        page = page.rotate(-rng.choice((90, 180, 270)), expand=True)
        effects.add("turned")
    return page, effects


def _noise(page: Image.Image, rng: random.Random) -> Image.Image:
    """Scanner grain and dark and light specks."""
    noise = np.random.default_rng(rng.randrange(2**32))
    a = np.asarray(page, dtype=np.float32) + noise.normal(0, rng.uniform(8, 16), (page.height, page.width))
    a[noise.random(a.shape) < 0.002] = 0
    a[noise.random(a.shape) < 0.002] = 255
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def _write(path: Path, fmt: str, images: list[Image.Image], dpi: int) -> None:
    first, *rest = images
    if fmt in ("png-grey", "png-1bit"):
        _save_png(path, images, fmt == "png-1bit", dpi)
    elif fmt == "jpeg-grey":
        first.save(path, "JPEG", quality=70, dpi=(dpi, dpi))
    elif fmt == "jpeg-colour":
        _cream(first).save(path, "JPEG", quality=70, dpi=(dpi, dpi))
    elif fmt == "tiff-lzw":
        first.save(path, "TIFF", compression="tiff_lzw", dpi=(dpi, dpi), save_all=True, append_images=rest)
    elif fmt == "tiff-g4":
        _save_tiff(path, images, dpi)
    elif fmt == "pdf-scanned":
        _save_scanned_pdf(path, images, dpi)
    else:
        raise ValueError(f"unknown format {fmt}")


def _cream(page: Image.Image) -> Image.Image:
    """A colour scan of cream paper: the grey page tinted."""
    return Image.merge("RGB", [page.point(lambda v, k=k: min(255, int(v * k))) for k in (1.0, 0.97, 0.88)])
