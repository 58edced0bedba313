"""A record of a scanned stack: its id from the file and page range, and its review reason."""

from __future__ import annotations

import hashlib

from records.config_separation import SeparationSettings
from records.intake.separation import PageFacts, separate
from records.stack_part import SPLIT_DOUBTFUL, StackPart, record_id_for

FILE = "ab" * 32


def test_record_id_is_the_sha256_of_file_and_page_range() -> None:
    assert record_id_for(FILE, 3, 7) == hashlib.sha256(f"{FILE}:3-7".encode()).hexdigest()
    assert record_id_for(FILE, 3, 7) != record_id_for(FILE, 3, 8)


def test_part_of_a_separated_file_names_its_pages_separators_and_blanks() -> None:
    pages = [PageFacts(1, ("PATCH-T",)), PageFacts(2, text="Dear Sir"), PageFacts(3, blank=True),
             PageFacts(4, ("PATCH-T",)), PageFacts(5, text="Dear Madam")]
    split = separate(pages, SeparationSettings(methods=("separator_sheet",)))
    parts = [StackPart.of(FILE, span, split) for span in split.records]
    assert [p.pages for p in parts] == [(2,), (5,)]
    sidecar = parts[0].as_sidecar()
    assert sidecar["file"] == {"pages": 5, "separator_pages": [1, 4], "blank_pages": [3]}
    assert parts[0].record_id == record_id_for(FILE, 2, 2)
    assert parts[0].review_reasons == ()


def test_doubtful_content_split_is_sent_to_review() -> None:
    pages = [PageFacts(1, text="Dear Sir\nReference: A1\nPage 1 of 1"), PageFacts(2, text="Dear Madam")]
    settings = SeparationSettings(methods=("content",), content_threshold=0.5, content_doubt=1.0)
    split = separate(pages, settings)
    parts = [StackPart.of(FILE, span, split) for span in split.records]
    assert any(p.doubtful for p in parts)
    assert all(p.review_reasons == ((SPLIT_DOUBTFUL,) if p.doubtful else ()) for p in parts)
