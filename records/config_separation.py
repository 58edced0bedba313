"""How a multi-page scan is split into records: the `separation:` settings of a council
(councils.yaml), overridable per batch folder.

    separation:
      methods: [separator_sheet, blank_page]   # none (the default): one file is one record
      duplex: true
      batches:                                 # batch folder name (glob) -> settings it changes
        "2026-12-box-*": {methods: [cover_sheet]}

Methods, which may be combined (content proposes splits only where no other method did):

- `separator_sheet`: a page whose barcode (Code 128 or QR) reads one of `separator_values`
  is a separator sheet; it is kept out of the records, and so is its blank back when duplex.
  Patch-code readers are scanner hardware: print samples/separator-sheet.pdf instead.
- `cover_sheet`: a page whose barcode matches `cover_pattern` starts a record, with the
  barcode's text (its first group, if the pattern has one) as the record's reference; the
  sheet stays the record's first page unless `keep_cover_sheets` is false.
- `blank_page`: a blank sheet between records (duplex: both sides blank; simplex: a blank page).
- `page_count`: a new record every `pages_per_record` scanned pages (with duplex scanning,
  pages = 2 x sheets), counted from the start of the file or the last other boundary.
- `content`: splits proposed from the pages' text (records.intake.separation); doubtful ones
  go to review.

With any method set, blank pages (`drop_blank_pages`) are kept out of records and accounted
as blank, so duplex backs are not counted as digitised pages.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Method = Literal["separator_sheet", "cover_sheet", "blank_page", "page_count", "content"]
BarcodeFormat = Literal["Code128", "QRCode", "DataMatrix", "Code39", "PDF417", "Aztec"]


class SeparationSettings(BaseModel):
    """One batch's separation settings (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    methods: tuple[Method, ...] = ()
    separator_values: Annotated[tuple[str, ...], Field(min_length=1)] = ("PATCH-T", "SEPARATOR")
    cover_pattern: str = r"REC-\d+"
    keep_cover_sheets: bool = True
    pages_per_record: Annotated[int | None, Field(ge=1, le=10_000)] = None
    duplex: bool = False
    drop_blank_pages: bool = True
    barcode_formats: Annotated[tuple[BarcodeFormat, ...], Field(min_length=1)] = ("Code128", "QRCode")
    content_threshold: Annotated[float, Field(gt=0, le=3, description=(
        "a page whose content score reaches this starts a record"))] = 0.5
    content_doubt: Annotated[float, Field(ge=0, le=1, description=(
        "content splits within this of the threshold, either side, are sent to review"))] = 0.2

    @field_validator("cover_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as e:
            raise ValueError(f"cover_pattern is not a regular expression: {e}") from None
        return value

    @model_validator(mode="after")
    def _complete(self) -> SeparationSettings:
        if len(set(self.methods)) != len(self.methods):
            raise ValueError(f"methods named twice: {list(self.methods)}")
        if "page_count" in self.methods and self.pages_per_record is None:
            raise ValueError("method page_count needs pages_per_record")
        return self

    @property
    def enabled(self) -> bool:
        """False: one file is one record, as without separation (no page is looked at)."""
        return bool(self.methods)

    @property
    def reads_barcodes(self) -> bool:
        return "separator_sheet" in self.methods or "cover_sheet" in self.methods

    def overridden(self, **changes: Any) -> SeparationSettings:
        """These settings with `changes` (a run's own choice), validated like the YAML."""
        return SeparationSettings.model_validate({**self.model_dump(exclude={"batches"}), **changes})


class CouncilSeparation(SeparationSettings):
    """A council's separation settings and, per batch folder name (a glob), the ones a batch changes."""

    batches: dict[str, dict[str, Any]] = {}

    @model_validator(mode="after")
    def _batches_valid(self) -> CouncilSeparation:
        for pattern in self.batches:
            self.for_batch_pattern(pattern)  # raises on an unknown or invalid setting
        return self

    def for_batch_pattern(self, pattern: str) -> SeparationSettings:
        return self.overridden(**self.batches[pattern])

    def for_batch(self, batch: str) -> SeparationSettings:
        """The settings for batch folder `batch`: the first pattern that matches it, else the council's."""
        for pattern in self.batches:
            if fnmatch.fnmatchcase(batch, pattern):
                return self.for_batch_pattern(pattern)
        return self.overridden()
