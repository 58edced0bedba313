"""The mixed sample set reads as it says: each file's format, resolution and turn are what its
conditions record, and the pipeline reads its pages."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from ocr import ocr_document
from samples.mixed import MIXED_FORMATS, generate_mixed
from tests.conftest import word_recall


def test_generate_mixed_writes_the_pages_its_conditions_describe(tmp_path: Path) -> None:
    records = generate_mixed(tmp_path, 6, seed=3)
    assert sum(len(m.record.pages) for m in records) == 6
    truth = json.loads((tmp_path / "ground_truth.json").read_text(encoding="utf-8"))["records"]
    assert [r["conditions"] for r in truth] == [list(m.conditions) for m in records]
    for mixed in records:
        fmt = mixed.record.format
        assert fmt in mixed.conditions and fmt in MIXED_FORMATS
        path = tmp_path / mixed.record.path
        assert path.suffix == "." + MIXED_FORMATS[fmt][1]
        if path.suffix != ".pdf":
            with Image.open(path) as image:
                assert round(image.info["dpi"][0]) == (200 if "dpi200" in mixed.conditions else 300)
                assert (image.mode == "1") == (fmt in ("png-1bit", "tiff-g4"))
                assert (image.mode == "RGB") == (fmt == "jpeg-colour")


def test_mixed_pages_are_read_by_the_pipeline(tmp_path: Path) -> None:
    records = generate_mixed(tmp_path / "scans", 3, seed=5)
    for mixed in records:
        result = ocr_document(tmp_path / "scans" / mixed.record.path, work_dir=tmp_path / "w" / mixed.record.path)
        assert word_recall("\n".join(mixed.record.pages), result.text) >= 0.9, mixed.conditions
