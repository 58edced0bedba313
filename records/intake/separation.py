"""Split the pages of one scanned file into records, accounting for every page.

Input: per page, the texts of its barcodes, whether it is blank (`ocr.signals`) and, for
the content method, its OCR text. Output (`Separation`): the records as page lists with the
boundary that started each, its reference (cover sheets) and whether a human should check
it; and the pages that were separator sheets or blank. Every page of the file is in exactly
one record or is a separator or blank page: `Separation` refuses to exist otherwise.

Barcodes, blank sheets and page counts are certain. The content method scores each page
as the possible first page of a record (`content_score`) from what first pages carry and
continuation pages lack; a score within `content_doubt` of the threshold either way marks
the split, or the record it nearly split, as doubtful. Pure: no I/O, no logging (OCR text
is personal data; only page numbers and evidence names leave this module).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import StrEnum

from ocr.signals import PageSignals
from records.config_separation import SeparationSettings

#: Evidence that a page starts a record, and its weight (the score is their sum). Set on
#: generated stacks (benchmarks/separation.py); a first page usually shows three or four.
WEIGHTS: dict[str, float] = {
    "page_one": 0.6,           # "Page 1 of N"
    "continues": -1.0,         # "Page n of N", n > 1: never a new record by itself
    "previous_continues": -0.6,  # the page before said "Page n of N", n < N
    "previous_ended": 0.3,     # the page before said "Page N of N"
    "salutation": 0.45,        # a line starting "Dear ..."
    "reference_block": 0.2,    # "Reference: ...", "Date: ..." lines in the upper part
    "letterhead": 0.3,         # first line is one a record started with before
    "previous_signed_off": 0.15,  # "Yours sincerely" on the page before
    "type_changed": 0.3,       # the classifier gives another record type than the record's
    "same_type": -0.1,
}
#: Reference and date blocks count in a page's upper lines: this share of them, at least UPPER_LINES.
UPPER_PART = 0.6
UPPER_LINES = 8
#: A first line this similar to a known letterhead (OCR slips) counts as that letterhead.
LETTERHEAD_SIMILARITY = 0.85
_PAGE_OF = re.compile(r"\b(?:page|tudalen)\s+(\d{1,3})\s+(?:of|o)\s+(\d{1,3})\b", re.IGNORECASE)
_SALUTATION = re.compile(r"^(?:dear|annwyl)\b", re.IGNORECASE)
_REFERENCE = re.compile(
    r"^[\w /&'-]{0,30}?\b(?:ref(?:erence)?|cyfeirnod|date|dyddiad)\b\s*(?:no\.?|number)?\s*:", re.IGNORECASE)
_SIGN_OFF = re.compile(r"\b(?:yours (?:sincerely|faithfully)|yn gywir|kind regards)\b", re.IGNORECASE)


class Role(StrEnum):
    """What a page of a scanned file became. Stored with the page: add values, never rename."""

    record = "record"
    separator = "separator"
    blank = "blank"


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What the decider knows of page `number` (1-based): barcode texts, blank, OCR text."""

    number: int
    barcodes: tuple[str, ...] = ()
    blank: bool = False
    text: str = ""

    @classmethod
    def of(cls, signals: PageSignals, text: str = "") -> PageFacts:
        return cls(signals.number, tuple(b.text for b in signals.barcodes), signals.is_blank, text)


@dataclass(frozen=True, slots=True)
class Boundary:
    """Where and why a record starts. `method` is `start` (the file's first record) or the
    separation method; `score` and `evidence` are the content method's (1.0 otherwise)."""

    page: int
    method: str
    score: float = 1.0
    doubtful: bool = False
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordSpan:
    """One record of a file: its pages in order (blank pages inside it left out), the
    boundary that started it, its reference, and the pages inside it where the content
    method nearly started another record."""

    pages: tuple[int, ...]
    boundary: Boundary
    reference: str | None = None
    near_splits: tuple[int, ...] = ()

    @property
    def first(self) -> int:
        return self.pages[0]

    @property
    def last(self) -> int:
        return self.pages[-1]

    @property
    def doubtful(self) -> bool:
        """A human should check where this record starts, or whether it is two."""
        return self.boundary.doubtful or bool(self.near_splits)


@dataclass(frozen=True, slots=True)
class Separation:
    """A file's pages as records, separator pages and blank pages: each page exactly once."""

    page_count: int
    records: tuple[RecordSpan, ...]
    separators: tuple[int, ...] = ()
    blanks: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        seen = [p for r in self.records for p in r.pages] + list(self.separators) + list(self.blanks)
        if sorted(seen) != list(range(1, self.page_count + 1)):
            raise ValueError("separation does not account for every page exactly once")

    @property
    def boundaries(self) -> tuple[int, ...]:
        """First pages of the records after the first: where the file was split."""
        return tuple(r.first for r in self.records[1:])

    @property
    def doubtful(self) -> bool:
        return any(r.doubtful for r in self.records)

    def role(self, page: int) -> Role:
        if page in self.separators:
            return Role.separator
        if page in self.blanks:
            return Role.blank
        return Role.record


#: A page's record type, or None when unsure (e.g. a classifier's label above its threshold).
TypeOf = Callable[[str], str | None]


def separate(pages: Sequence[PageFacts], settings: SeparationSettings, *, classify: TypeOf | None = None) -> Separation:
    """Split a file's pages (in order, numbered from 1) into records by `settings.methods`.
    With no method, the whole file is one record. `classify` lends the content method a
    record type per page."""
    if [p.number for p in pages] != list(range(1, len(pages) + 1)):
        raise ValueError("pages must be numbered 1..N in order")
    if not pages:
        return Separation(0, ())
    if not settings.enabled:
        return Separation(len(pages), (RecordSpan(tuple(p.number for p in pages), Boundary(1, "start")),))
    return _Walk(pages, settings, classify).run()


@dataclass(frozen=True, slots=True)
class _Mark:
    """A page's part before the walk: kept out (separator/blank), and what it starts."""

    role: Role
    starts: str | None = None  # method of the boundary it makes
    reference: str | None = None


@dataclass
class _Open:
    boundary: Boundary
    reference: str | None
    pages: list[int] = field(default_factory=list)
    near: list[int] = field(default_factory=list)

    def close(self) -> RecordSpan:
        return RecordSpan(tuple(self.pages), self.boundary, self.reference, tuple(self.near))


class _Walk:
    """One pass over the pages: marks first (barcodes, blanks), then records in order."""

    def __init__(self, pages: Sequence[PageFacts], settings: SeparationSettings, classify: TypeOf | None) -> None:
        self.pages, self.settings, self.classify = pages, settings, classify
        self.methods = set(settings.methods)
        self.separator_values = {v.strip().casefold() for v in settings.separator_values}
        self.cover = re.compile(settings.cover_pattern)
        self.marks = self._marks()
        self.records: list[_Open] = []
        self.letterheads: list[str] = []

    def run(self) -> Separation:
        pending: _Mark | None = None
        for page in self.pages:
            mark = self.marks.get(page.number)
            if mark is not None and mark.role is not Role.record:
                if mark.starts and (pending is None or mark.reference):
                    pending = mark
                continue
            if mark is not None or pending is not None or not self.records:
                chosen = mark or pending
                method = chosen.starts if chosen and chosen.starts else "start"
                self._start(page, Boundary(page.number, method), chosen.reference if chosen else None)
            else:
                self._continue_or_split(page)
            pending = None
        kept_out = {n: m.role for n, m in self.marks.items() if m.role is not Role.record}
        return Separation(
            len(self.pages), tuple(r.close() for r in self.records),
            tuple(n for n, r in sorted(kept_out.items()) if r is Role.separator),
            tuple(n for n, r in sorted(kept_out.items()) if r is Role.blank),
        )

    # --- marks: separator sheets, cover sheets, blank pages ------------------------------

    def _marks(self) -> dict[int, _Mark]:
        marks: dict[int, _Mark] = {}
        for page in self.pages:
            mark = self._barcode_mark(page)
            if mark is not None:
                marks[page.number] = mark
        self._mark_blanks(marks)
        return marks

    def _barcode_mark(self, page: PageFacts) -> _Mark | None:
        texts = [t.strip() for t in page.barcodes]
        if "separator_sheet" in self.methods and any(t.casefold() in self.separator_values for t in texts):
            return _Mark(Role.separator, "separator_sheet")
        if "cover_sheet" in self.methods:
            for text in texts:
                found = self.cover.fullmatch(text)
                if found:
                    reference = found.group(1) if found.re.groups else found.group(0)
                    role = Role.record if self.settings.keep_cover_sheets else Role.separator
                    return _Mark(role, "cover_sheet", reference)
        return None

    def _mark_blanks(self, marks: dict[int, _Mark]) -> None:
        """Blank pages: the back of a sheet kept out is kept out with it (duplex); a run of
        blank pages is a boundary for blank-page separation (duplex: two or more, a whole
        blank sheet; simplex: one); any other blank page is dropped as blank if so set."""
        duplex, by_blank = self.settings.duplex, "blank_page" in self.methods
        runs: list[list[int]] = []
        for page in self.pages:
            if not page.blank or page.number in marks:
                continue
            before = marks.get(page.number - 1)
            if duplex and before is not None and before.role is Role.separator and before.starts:
                marks[page.number] = _Mark(Role.separator)  # the sheet's back
                continue
            if runs and runs[-1][-1] == page.number - 1:
                runs[-1].append(page.number)
            else:
                runs.append([page.number])
        for run in runs:
            boundary = by_blank and len(run) >= (2 if duplex else 1)
            if boundary or self.settings.drop_blank_pages:
                for number in run:
                    marks[number] = _Mark(Role.blank, "blank_page" if boundary else None)

    # --- records ----------------------------------------------------------------------------

    def _start(self, page: PageFacts, boundary: Boundary, reference: str | None) -> None:
        self.records.append(_Open(boundary, reference, [page.number]))
        head = _first_line(page.text)
        if head and head not in self.letterheads:
            self.letterheads.append(head)

    def _continue_or_split(self, page: PageFacts) -> None:
        current = self.records[-1]
        count = self.settings.pages_per_record
        if "page_count" in self.methods and count and page.number - current.pages[0] >= count:
            self._start(page, Boundary(page.number, "page_count"), None)
            return
        if "content" in self.methods and not page.blank:
            previous = self.pages[current.pages[-1] - 1]
            record_text = "\n".join(self.pages[n - 1].text for n in current.pages)
            score, evidence = content_score(page.text, previous.text, letterheads=self.letterheads,
                                            record_type=self._type_change(record_text, page.text))
            threshold, doubt = self.settings.content_threshold, self.settings.content_doubt
            if score >= threshold:
                boundary = Boundary(page.number, "content", round(score, 3), score < threshold + doubt, evidence)
                self._start(page, boundary, None)
                return
            if score >= threshold - doubt:
                current.near.append(page.number)
        current.pages.append(page.number)

    def _type_change(self, record_text: str, text: str) -> bool | None:
        if self.classify is None:
            return None
        before, now = self.classify(record_text), self.classify(text)
        return None if before is None or now is None else before != now


def content_score(
    text: str, previous: str, *, letterheads: Sequence[str] = (), record_type: bool | None = None
) -> tuple[float, tuple[str, ...]]:
    """How strongly page `text` looks like the first page of a record, after page `previous`,
    with the evidence found (names from WEIGHTS). `record_type`: True if a classifier gives
    the page another type than the record so far, False if the same, None if it cannot say."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    upper = lines[: max(UPPER_LINES, round(len(lines) * UPPER_PART))]
    found: list[str] = []
    here, before = _page_of(text), _page_of(previous)
    if here is not None:
        found.append("page_one" if here[0] == 1 else "continues")
    if before is not None and before[0] < before[1]:
        found.append("previous_continues")
    elif before is not None and before[0] == before[1] > 1:
        found.append("previous_ended")
    if any(_SALUTATION.match(line) for line in lines):
        found.append("salutation")
    if any(_REFERENCE.match(line) for line in upper):
        found.append("reference_block")
    head = _first_line(text)
    if head and any(SequenceMatcher(None, head, known).ratio() >= LETTERHEAD_SIMILARITY for known in letterheads):
        found.append("letterhead")
    if _SIGN_OFF.search(previous):
        found.append("previous_signed_off")
    if record_type is not None:
        found.append("type_changed" if record_type else "same_type")
    return sum(WEIGHTS[name] for name in found), tuple(found)


def _page_of(text: str) -> tuple[int, int] | None:
    """The first "Page n of N" in a page's upper or lower lines (headers and footers)."""
    lines = [line for line in text.splitlines() if line.strip()]
    for line in lines[:3] + lines[-3:]:
        found = _PAGE_OF.search(line)
        if found and 0 < int(found.group(1)) <= int(found.group(2)):
            return int(found.group(1)), int(found.group(2))
    return None


def _first_line(text: str) -> str:
    """A page's first line, lower-cased letters and digits only: its letterhead, if any."""
    for line in text.splitlines():
        words = re.findall(r"\w+", line.casefold())
        if words:
            return " ".join(words)
    return ""
