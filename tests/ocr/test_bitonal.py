"""Bitonal pages held as arrays: the PBM Tesseract reads, and the pixels the checks measure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ocr.bitonal import BitonalPage
from ocr.cleaning import measure_noise
from ocr.deskew import straighten, straighten_pixels
from ocr.ink import gray_pixels, ink_maps
from tests.conftest import render_lines

LINES = ["Notice of a decision on an application for a premises licence", "Reference 24/01234/LIC"]


def _bitonal_page() -> Image.Image:
    return render_lines(LINES, size=(1243, 701)).rotate(1.5, fillcolor=255).convert("1")


def test_gray_pixels_of_a_bitonal_page_are_its_grey_conversion() -> None:
    page = _bitonal_page()
    assert np.array_equal(gray_pixels(page), np.asarray(page.convert("L")))


@pytest.mark.parametrize(("rotation", "skew"), [(0, 1.5), (90, -2.0), (180, 0.0), (270, 0.7)])
def test_written_pbm_holds_the_page_pillow_would_have_made(tmp_path: Path, rotation: int, skew: float) -> None:
    page = _bitonal_page()
    straight = BitonalPage.from_gray(straighten_pixels(gray_pixels(page), rotation=rotation, skew=skew))
    straight.save_pbm(tmp_path / "page.pbm")
    with Image.open(tmp_path / "page.pbm") as written:
        assert written.mode == "1"
        assert written.size == straight.size
        expected = straighten(page, rotation=rotation, skew=skew)
        assert np.array_equal(np.asarray(written), np.asarray(expected))
        assert np.array_equal(np.asarray(straight.to_image()), np.asarray(expected))


def test_ink_maps_from_pixels_match_ink_maps_from_the_image() -> None:
    page = _bitonal_page()
    from_image, from_pixels = ink_maps(page, dpi=300), ink_maps(gray_pixels(page), dpi=300)
    for a, b in zip(from_image, from_pixels, strict=True):
        assert a.shape == b.shape == (350, 621)  # odd edges: whole 2x2 blocks only
        assert np.array_equal(a.ink, b.ink)
        assert a.ink.any()


def test_noise_check_sees_specks_on_a_bitonal_page_and_none_on_a_clean_one() -> None:
    page = _bitonal_page()
    assert not measure_noise(gray_pixels(page)).is_noisy
    specks = np.asarray(page.convert("L")).copy()
    rng = np.random.default_rng(7)
    ys, xs = rng.integers(1, specks.shape[0] - 1, 3000), rng.integers(1, specks.shape[1] - 1, 3000)
    specks[ys, xs] = 0
    assert measure_noise(specks).is_noisy


def test_upright_bitonal_png_is_archived_as_g4_not_its_png_data(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from ocr import ocr_document

    path = tmp_path / "letter.png"
    render_lines(LINES, size=(2480, 900)).convert("1").save(path, dpi=(300, 300))
    result = ocr_document(path, work_dir=tmp_path / "work")
    assert result.pages[0].skew == 0.0 and result.pages[0].rotation == 0
    assert "premises licence" in result.pages[0].text
    page = PdfReader(result.pdf_path).pages[0]
    images = [obj.get_object() for obj in page["/Resources"]["/XObject"].values()]
    assert [image["/Filter"] for image in images] == ["/CCITTFaxDecode"]
