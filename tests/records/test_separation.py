"""Splitting a scanned file into records: each method, every page accounted for, doubtful
content splits flagged; the settings per council and batch; and whole generated stacks read
by the real zxing-cpp and (content method) the real Tesseract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pydantic import ValidationError

from ocr import ocr_document
from ocr.pages import iter_pages
from ocr.signals import page_signals
from records.config import Council
from records.config_separation import CouncilSeparation, SeparationSettings
from records.intake.separation import PageFacts, Role, Separation, content_score, separate
from samples.stacks import SampleStack, generate_stacks


def _settings(**fields: object) -> SeparationSettings:
    return SeparationSettings.model_validate(fields)


def _pages(*kinds: str, texts: dict[int, str] | None = None) -> list[PageFacts]:
    """Pages from short codes: `p` a page, `s` a separator sheet, `b` blank, `REC-n` a cover sheet."""
    out = []
    for number, kind in enumerate(kinds, start=1):
        barcodes = ("PATCH-T",) if kind == "s" else (kind,) if kind.startswith("REC-") else ()
        out.append(PageFacts(number, barcodes, kind == "b", (texts or {}).get(number, "")))
    return out


def _spans(separation: Separation) -> list[tuple[int, ...]]:
    return [r.pages for r in separation.records]


def test_no_method_keeps_the_whole_file_one_record_blanks_included() -> None:
    result = separate(_pages("p", "b", "s", "p"), _settings())
    assert _spans(result) == [(1, 2, 3, 4)] and result.separators == () and result.blanks == ()


def test_separator_sheets_split_and_are_kept_out() -> None:
    result = separate(_pages("s", "p", "p", "s", "p", "s", "s", "p", "s"), _settings(methods=["separator_sheet"]))
    assert _spans(result) == [(2, 3), (5,), (8,)]
    assert result.separators == (1, 4, 6, 7, 9) and result.boundaries == (5, 8)
    assert [r.boundary.method for r in result.records] == ["separator_sheet"] * 3
    assert result.role(4) is Role.separator and result.role(5) is Role.record
    assert not result.doubtful


def test_separator_value_is_configurable_and_case_blind() -> None:
    pages = [PageFacts(1), PageFacts(2, ("box-split",)), PageFacts(3, ("PATCH-T",)), PageFacts(4)]
    result = separate(pages, _settings(methods=["separator_sheet"], separator_values=["BOX-SPLIT"]))
    assert _spans(result) == [(1,), (3, 4)] and result.separators == (2,)


def test_duplex_separator_sheet_takes_its_blank_back_with_it() -> None:
    result = separate(_pages("p", "b", "s", "b", "p", "p"), _settings(methods=["separator_sheet"], duplex=True))
    assert _spans(result) == [(1,), (5, 6)]
    assert result.separators == (3, 4) and result.blanks == (2,)


def test_cover_sheets_start_records_with_their_reference() -> None:
    settings = _settings(methods=["cover_sheet"])
    result = separate(_pages("REC-000101", "p", "p", "REC-000102", "p"), settings)
    assert _spans(result) == [(1, 2, 3), (4, 5)]
    assert [r.reference for r in result.records] == ["REC-000101", "REC-000102"]
    assert [r.boundary.method for r in result.records] == ["cover_sheet", "cover_sheet"]


def test_cover_sheets_can_be_dropped_and_a_pattern_group_is_the_reference() -> None:
    settings = _settings(methods=["cover_sheet"], keep_cover_sheets=False, cover_pattern=r"REC-(\d+)", duplex=True)
    result = separate(_pages("REC-7", "b", "p", "p", "REC-8", "b", "p", "b"), settings)
    assert _spans(result) == [(3, 4), (7,)]
    assert [r.reference for r in result.records] == ["7", "8"]
    assert result.separators == (1, 2, 5, 6) and result.blanks == (8,)


def test_a_barcode_that_is_neither_is_ignored() -> None:
    pages = [PageFacts(1), PageFacts(2, ("9780141036144",)), PageFacts(3, ("REC-12x",))]
    result = separate(pages, _settings(methods=["separator_sheet", "cover_sheet"]))
    assert _spans(result) == [(1, 2, 3)]


def test_blank_sheets_split_duplex_stacks_and_single_blank_backs_are_dropped() -> None:
    #             rec 1        |blank sheet| rec 2               | blank sheet | rec 3
    pages = _pages("p", "b", "p", "b", "b", "b", "p", "p", "p", "b", "b", "b", "p", "b")
    result = separate(pages, _settings(methods=["blank_page"], duplex=True))
    assert _spans(result) == [(1, 3), (7, 8, 9), (13,)]
    assert result.blanks == (2, 4, 5, 6, 10, 11, 12, 14)
    assert [r.boundary.method for r in result.records] == ["start", "blank_page", "blank_page"]


def test_simplex_blank_page_splits_and_kept_blanks_stay_in_the_record() -> None:
    assert _spans(separate(_pages("p", "b", "p", "p"), _settings(methods=["blank_page"]))) == [(1,), (3, 4)]
    kept = separate(_pages("p", "b", "p"), _settings(methods=["separator_sheet"], drop_blank_pages=False))
    assert _spans(kept) == [(1, 2, 3)] and kept.blanks == ()


def test_fixed_page_count_restarts_after_another_boundary() -> None:
    settings = _settings(methods=["page_count", "separator_sheet"], pages_per_record=2)
    result = separate(_pages("p", "p", "p", "p", "p", "s", "p", "p", "p"), settings)
    assert _spans(result) == [(1, 2), (3, 4), (5,), (7, 8), (9,)]
    assert [r.boundary.method for r in result.records] == [
        "start", "page_count", "page_count", "separator_sheet", "page_count"]


def test_every_page_is_accounted_for_exactly_once() -> None:
    kinds = ("s", "b", "p", "REC-1", "b", "p", "b", "b", "p", "s", "b", "p", "p", "b")
    settings = _settings(methods=["separator_sheet", "cover_sheet", "blank_page"], duplex=True)
    result = separate(_pages(*kinds), settings)
    placed = sorted([p for r in result.records for p in r.pages] + [*result.separators, *result.blanks])
    assert placed == list(range(1, len(kinds) + 1))
    with pytest.raises(ValueError, match="every page"):
        Separation(3, result.records[:1])
    with pytest.raises(ValueError, match="numbered"):
        separate([PageFacts(2)], settings)


def test_a_file_of_nothing_but_blank_pages_has_no_record() -> None:
    result = separate(_pages("b", "b"), _settings(methods=["blank_page"]))
    assert result.records == () and result.blanks == (1, 2)


LETTERHEAD = "Kingsmere City Council\nRevenues Service\n"
FIRST = LETTERHEAD + "Account reference: CTAX 4012\nDate: 3 March 2026\nDear Mr Jones,\nBody text.\nYours sincerely,"
ANNEX = "Kingsmere City Council CTAX 4012 Page 2 of 2\nYour instalment plan\nInstalment 1 due 1 May"
PLAIN_ANNEX = "Explanatory notes\nValuation bands are set by the Valuation Office Agency.\nMore notes."


def test_content_splits_at_first_pages_and_not_at_continuations() -> None:
    texts = {1: FIRST, 2: ANNEX, 3: FIRST, 4: PLAIN_ANNEX, 5: FIRST}
    result = separate(_pages("p", "p", "p", "p", "p", texts=texts), _settings(methods=["content"]))
    assert _spans(result) == [(1, 2), (3, 4), (5,)]
    assert all(r.boundary.method == "content" and not r.doubtful for r in result.records[1:])
    assert "salutation" in result.records[1].boundary.evidence


def test_page_one_of_n_restarting_splits_and_continuing_does_not() -> None:
    one = "Application form\nPage 1 of 2\nName of applicant"
    two = "Application form\nPage 2 of 2\nDeclaration"
    result = separate(_pages("p", "p", "p", "p", texts={1: one, 2: two, 3: one, 4: two}), _settings(methods=["content"]))
    assert _spans(result) == [(1, 2), (3, 4)]
    assert content_score(two, one)[1] == ("continues", "previous_continues")


def test_a_weak_content_split_is_made_but_flagged_doubtful() -> None:
    """A letterhead and a reference block and nothing else: split, and sent to review."""
    weak = LETTERHEAD + "Reference: HB/123456\nSchedule of payments"
    result = separate(_pages("p", "p", texts={1: FIRST, 2: weak}), _settings(methods=["content"]))
    assert _spans(result) == [(1,), (2,)]
    boundary = result.records[1].boundary
    assert boundary.doubtful and 0.5 <= boundary.score < 0.7
    assert set(boundary.evidence) == {"letterhead", "reference_block", "previous_signed_off"}
    assert result.doubtful


def test_a_near_miss_is_not_split_but_its_record_is_flagged() -> None:
    near = "Schedule\nReference: HB/123456\nSchedule of payments"  # 0.35: under the threshold, inside the doubt
    result = separate(_pages("p", "p", texts={1: FIRST, 2: near}), _settings(methods=["content"]))
    assert _spans(result) == [(1, 2)]
    assert result.records[0].near_splits == (2,) and result.records[0].doubtful


def test_a_change_of_record_type_adds_evidence() -> None:
    weak = "Notes\nReference: HB/1\nText"
    settings = _settings(methods=["content"])
    kinds = {FIRST: "council_tax", weak: "housing_benefit"}
    with_type = separate(_pages("p", "p", texts={1: FIRST, 2: weak}), settings, classify=lambda t: kinds.get(t))
    assert _spans(with_type) == [(1,), (2,)] and "type_changed" in with_type.records[1].boundary.evidence
    assert _spans(separate(_pages("p", "p", texts={1: FIRST, 2: weak}), settings)) == [(1, 2)]


# --- settings --------------------------------------------------------------------------------


def test_settings_per_council_and_per_batch() -> None:
    council = Council.model_validate({"name": "Kingsmere", "separation": {
        "methods": ["separator_sheet"], "duplex": True,
        "batches": {"2026-12-box-*": {"methods": ["cover_sheet"]}, "forms-*": {
            "methods": ["page_count"], "pages_per_record": 2}},
    }})
    assert council.separation.for_batch("2026-11-box-01").methods == ("separator_sheet",)
    box = council.separation.for_batch("2026-12-box-03")
    assert box.methods == ("cover_sheet",) and box.duplex and isinstance(box, SeparationSettings)
    assert council.separation.for_batch("forms-1").pages_per_record == 2
    assert council.separation.overridden(methods=["content"]).methods == ("content",)
    assert not Council(name="Ashbourne").separation.for_batch("any").enabled


@pytest.mark.parametrize("bad", [
    {"methods": ["page_count"]},                     # no pages_per_record
    {"methods": ["barcode"]},                        # no such method
    {"cover_pattern": "REC-("},                      # does not compile
    {"batches": {"box-*": {"methods": ["page_count"]}}},  # a batch's settings are checked too
    {"batches": {"box-*": {"duplx": True}}},
])
def test_bad_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        CouncilSeparation.model_validate(bad)


# --- generated stacks, real barcodes and OCR ----------------------------------------------


def _facts(stack: SampleStack, root: Path, work: Path, *, texts: list[str] | None = None) -> Iterator[PageFacts]:
    for page in iter_pages(root / stack.path, work_dir=work, dpi=300, timeout=120):
        image = page.pixels if page.pixels is not None else Image.open(page.image)
        signals = page_signals(image, number=page.number, dpi=page.dpi or 300)
        yield PageFacts.of(signals, texts[page.number - 1] if texts else "")


def _check(stack: SampleStack, result: Separation) -> None:
    assert _spans(result) == [tuple(r.pages) for r in stack.records]
    assert [r.reference for r in result.records] == [r.reference for r in stack.records]
    assert list(result.separators) == [n for n, p in enumerate(stack.pages, 1) if p.role == "separator"]
    assert list(result.blanks) == [n for n, p in enumerate(stack.pages, 1) if p.role == "blank"]


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[SampleStack]]:
    root = tmp_path_factory.mktemp("stacks")
    made = generate_stacks(root, methods=["separator_sheet", "cover_sheet", "blank_page"], formats=["tiff-g4"],
                           records=(3, 4), seed=11)
    made += generate_stacks(root / "pdf", methods=["separator_sheet", "content"], formats=["pdf"], records=(3, 3), seed=12)
    return root, made


@pytest.mark.parametrize("index", range(4))
def test_generated_stacks_split_exactly_by_barcodes_and_blank_sheets(
    stacks: tuple[Path, list[SampleStack]], index: int, tmp_path: Path
) -> None:
    root, made = stacks
    stack = made[index]
    folder = root / "pdf" if stack.format == "pdf" else root
    result = separate(list(_facts(stack, folder, tmp_path)), SeparationSettings.model_validate(stack.settings))
    _check(stack, result)
    assert not result.doubtful


def test_generated_stack_splits_by_content_read_by_tesseract(stacks: tuple[Path, list[SampleStack]], tmp_path: Path) -> None:
    root, made = stacks
    (stack,) = [s for s in made if s.method == "content"]
    read = ocr_document(root / "pdf" / stack.path, work_dir=tmp_path / "ocr")
    texts = [page.text for page in read.pages]
    result = separate(list(_facts(stack, root / "pdf", tmp_path, texts=texts)), _settings(methods=["content"]))
    truth = set(stack.boundaries)
    wrong = [r for r in result.records[1:] if r.first not in truth]
    missed = truth - set(result.boundaries)
    assert all(r.doubtful for r in wrong)  # a wrong split always goes to review
    assert all(any(b in r.near_splits for r in result.records) for b in missed)
    assert len(wrong) + len(missed) <= 1
