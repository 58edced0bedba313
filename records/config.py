"""The YAML in config/ read into frozen, validated models, before any work starts."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ocr.defaults import (
    DEFAULT_DPI,
    DEFAULT_ENGINE,
    DEFAULT_LANGUAGES,
    DEFAULT_MAX_IMAGE_PIXELS,
    DEFAULT_PAGE_TIMEOUT,
)
from ocr import ARCHIVE_FORMATS, ArchiveFormat
from records.capture import CaptureStandard
from records.config_separation import CouncilSeparation
from records.errors import ConfigError

SLUG = r"^[a-z0-9][a-z0-9_-]*$"
UNCLASSIFIED = "unclassified"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Units(_Frozen):
    """How a figure in boxes or linear metres of shelving converts to pages (councils.yaml
    top-level `units:`, overridable per council)."""

    pages_per_box: Annotated[int, Field(ge=1, le=1_000_000)] = 2500
    pages_per_linear_metre: Annotated[int, Field(ge=1, le=1_000_000)] = 5000

    def to_pages(self, amount: float, unit: str) -> tuple[int, str]:
        """`amount` of `unit` ("pages", "boxes" or "linear_metres") in pages, and a basis such
        as "16 boxes x 2,500 pages/box"."""
        if unit == "pages":
            return int(amount), f"{int(amount):,} pages"
        if unit == "boxes":
            rate, label, per = self.pages_per_box, ("box" if amount == 1 else "boxes"), "box"
        elif unit == "linear_metres":
            rate, label, per = self.pages_per_linear_metre, (
                "linear metre" if amount == 1 else "linear metres"), "metre"
        else:
            raise ValueError(f"unknown unit {unit!r}")
        pages = math.floor(amount * rate + 0.5)
        if pages < 1:
            raise ValueError(f"{_number(amount)} {label} is less than 1 page")
        return pages, f"{_number(amount)} {label} x {rate:,} pages/{per}"


def _number(amount: float) -> str:
    return f"{amount:,.3f}".rstrip("0").rstrip(".")


MEASURES = ("pages", "boxes", "linear_metres")


class Measure(_Frozen):
    """One figure in exactly one unit: {pages: N}, {boxes: N} or {linear_metres: X}."""

    pages: Annotated[int | None, Field(ge=1)] = None
    boxes: Annotated[float | None, Field(gt=0)] = None
    linear_metres: Annotated[float | None, Field(gt=0)] = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Measure:
        given = [m for m in MEASURES if getattr(self, m) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(MEASURES)} (got {', '.join(given) or 'none'})")
        return self

    @property
    def unit(self) -> str:
        return next(m for m in MEASURES if getattr(self, m) is not None)

    def to_pages(self, units: Units) -> tuple[int, str]:
        return units.to_pages(getattr(self, self.unit), self.unit)


class InventoryEstimate(_Frozen):
    """A council's own estimate of its paper holding and where it came from. The total may be
    given in pages, boxes or linear metres (at most one of the three), per-type figures in pages
    (`by_type`) or in any unit (`by_type_units`); boxes and metres convert with `units`."""

    total_pages: Annotated[int | None, Field(ge=1)] = None
    total_boxes: Annotated[float | None, Field(gt=0)] = None
    total_linear_metres: Annotated[float | None, Field(gt=0)] = None
    by_type: dict[str, Annotated[int, Field(ge=1)]] = {}
    by_type_units: dict[str, Measure] = {}
    units: Units = Units()
    source: str = "unspecified"
    as_of: dt.date | None = None

    @property
    def _total_measure(self) -> tuple[float, str] | None:
        for unit in MEASURES:
            value = getattr(self, f"total_{unit}", None)
            if value is not None:
                return value, unit
        return None

    @property
    def total(self) -> int | None:
        """The stated total in pages (converted if given in boxes or metres), else None."""
        measure = self._total_measure
        return self.units.to_pages(*measure)[0] if measure else None

    @property
    def total_basis(self) -> str | None:
        """The stated total in its original unit, e.g. "16 boxes x 2,500 pages/box"."""
        measure = self._total_measure
        return self.units.to_pages(*measure)[1] if measure else None

    @property
    def type_pages(self) -> dict[str, int]:
        """Per-type estimates in pages, from `by_type` and (converted) `by_type_units`."""
        out = dict(self.by_type)
        for record_type, measure in (self.by_type_units or {}).items():
            out[record_type] = measure.to_pages(self.units)[0]
        return out

    @property
    def type_bases(self) -> dict[str, str]:
        """Per-type estimates in their original units."""
        out = {t: f"{n:,} pages" for t, n in self.by_type.items()}
        for record_type, measure in (self.by_type_units or {}).items():
            out[record_type] = measure.to_pages(self.units)[1]
        return out

    @property
    def pages(self) -> int | None:
        """The total estimate (what progress divides by): stated outright, else the sum of
        per-type estimates."""
        total = self.total
        if total is not None:
            return total
        return sum(self.type_pages.values()) or None

    @property
    def basis(self) -> str | None:
        """What `pages` rests on in the unit the council gave, e.g. "16 boxes x 2,500 pages/box"."""
        if self._total_measure is not None:
            return self.total_basis
        if self.pages is None:
            return None
        return f"sum of {len(self.type_pages)} record-type estimates ({self.pages:,} pages)"

    @model_validator(mode="after")
    def _total_covers_types(self) -> InventoryEstimate:
        given = [f"total_{m}" for m in MEASURES if getattr(self, f"total_{m}") is not None]
        if len(given) > 1:
            raise ValueError(f"give at most one total form, not {' and '.join(given)}")
        both = set(self.by_type) & set(self.by_type_units)
        if both:
            raise ValueError(f"record types in both by_type and by_type_units: {sorted(both)}")
        total = self.total  # raises if a conversion comes to less than a page
        types = self.type_pages
        if total is not None and sum(types.values()) > total:
            raise ValueError(f"by_type estimates add up to more than the total ({sum(types.values())} > {total} pages)")
        return self


class CaptureLimits(_Frozen):
    """A capture standard (records/capture.py) as configured: `pipeline.yaml`'s `capture` for
    every council, a council's own `capture` for the limits it sets otherwise (unset: inherited)."""

    min_dpi: Annotated[int | None, Field(ge=50, le=2400, description="lowest scanning resolution, dots per inch")] = None
    min_colour_depth: Annotated[Literal[1, 8, 24] | None, Field(
        description="bits per pixel at least: 1 bitonal, 8 greyscale, 24 colour")] = None
    min_page_mm: Annotated[float | None, Field(gt=0, le=2000, description="shortest plausible page side, mm")] = None
    max_page_mm: Annotated[float | None, Field(gt=0, le=5000, description="longest plausible page side, mm")] = None
    max_skew_degrees: Annotated[float | None, Field(ge=0, le=45, description="tilt a page may be scanned at")] = None
    max_blank_share: Annotated[float | None, Field(
        ge=0, le=1, description="a record with a larger share of blank pages is re-scanned (1: never)")] = None

    def over(self, base: CaptureStandard) -> CaptureStandard:
        """`base` with the limits set here in its place."""
        standard = CaptureStandard(**{**base.as_dict(), **self.model_dump(exclude_none=True)})
        if standard.min_page_mm >= standard.max_page_mm:
            raise ValueError(f"capture: min_page_mm ({standard.min_page_mm}) must be below "
                             f"max_page_mm ({standard.max_page_mm})")
        return standard


class Council(_Frozen):
    name: str
    languages: Annotated[str, Field(pattern=r"^[a-z_]{3,}(\+[a-z_]{3,})*$")] = DEFAULT_LANGUAGES
    inventory: InventoryEstimate | None = None
    units: Units | None = None  # overrides the top-level conversion for this council
    separation: CouncilSeparation = CouncilSeparation()  # splitting scans into records (records/config_separation.py)
    capture: CaptureLimits = CaptureLimits()  # limits this council sets otherwise than pipeline.yaml's
    archive_pdf: ArchiveFormat | None = None  # else pipeline.yaml's


class Rule(_Frozen):
    """A case-insensitive regular expression and the evidence it adds for a record type."""

    pattern: str
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        re.compile(value)
        return value


class Retention(_Frozen):
    """How long a record class is kept: `period_years` after `trigger`, or `period: indefinite`."""

    period_years: Annotated[int | None, Field(ge=0, le=200)] = None
    period: Literal["indefinite"] | None = None
    trigger: str | None = None

    @model_validator(mode="after")
    def _one_period(self) -> Retention:
        if (self.period_years is None) == (self.period is None):
            raise ValueError("give exactly one of period_years or period: indefinite")
        return self

    def describe(self) -> str:
        if self.period == "indefinite":
            return "keep indefinitely" + (f" ({self.trigger})" if self.trigger else "")
        years = f"{self.period_years} year{'' if self.period_years == 1 else 's'}"
        return f"{years} after {self.trigger}" if self.trigger else years


class RecordType(_Frozen):
    label: str
    rules: Annotated[list[Rule], Field(min_length=1)]
    lgcs: Annotated[str | None, Field(
        min_length=1, description="Local Government Classification Scheme function / activity"
    )] = None
    retention: Retention | None = None


class Classification(_Frozen):
    """Thresholds below which a record is filed as unclassified and queued for review."""

    review_threshold: Annotated[float, Field(ge=0, le=1)] = 0.55
    min_evidence: Annotated[float, Field(ge=0)] = 3.0
    record_types: dict[str, RecordType]

    @field_validator("record_types")
    @classmethod
    def _slugs(cls, value: dict[str, RecordType]) -> dict[str, RecordType]:
        for slug in value:
            if not re.match(SLUG, slug) or slug == UNCLASSIFIED:
                raise ValueError(f"bad record type slug {slug!r}")
        return value


class OcrOptions(_Frozen):
    dpi: Annotated[int, Field(ge=100, le=1200)] = DEFAULT_DPI
    page_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = DEFAULT_PAGE_TIMEOUT
    psm: Annotated[Literal["auto"] | Annotated[int, Field(ge=0, le=13)], Field(
        description="Tesseract page segmentation: auto = a single column (4) for single-column pages, "
                    "automatic layout (3) for pages with columns; a number forces that mode"
    )] = "auto"
    max_image_pixels: Annotated[int, Field(ge=1_000_000)] = DEFAULT_MAX_IMAGE_PIXELS
    engine: Annotated[Literal["api", "cli"], Field(
        description="api: Tesseract kept loaded in one engine process per worker (tesserocr); "
                    "cli: the tesseract command, one process per page"
    )] = DEFAULT_ENGINE

    @property
    def fixed_psm(self) -> int | None:
        """The mode every page gets, or None when each page's columns decide."""
        return None if self.psm == "auto" else self.psm


class Survey(_Frozen):
    """How the FoI survey's answer and the forecast are worked out."""

    max_estimate_age_days: Annotated[int, Field(
        ge=1, le=36500, description="an older (or undated) estimate cannot support an answer: 'cannot say'"
    )] = 1095
    forecast_window_days: Annotated[int, Field(
        ge=1, le=3650, description="the rate is pages archived per day over this many recent days"
    )] = 28


class Web(_Frozen):
    """The web review station (`digitise serve`): cookies and a trusted proxy's identity."""

    secure_cookies: Annotated[bool, Field(
        description="send the session cookie only over HTTPS (set it when served behind TLS)",
    )] = False
    trusted_user_header: Annotated[str | None, Field(
        pattern=r"^[A-Za-z0-9-]+$",
        description="take the user's name from this header (e.g. X-Remote-User), set by a reverse proxy that "
                    "authenticates; believed only from trusted_proxies",
    )] = None
    trusted_proxies: Annotated[list[str], Field(
        description="client addresses whose trusted_user_header is believed",
    )] = ["127.0.0.1", "::1"]


class Pipeline(_Frozen):
    """Where things live and how hard to work; paths are relative to the YAML file."""

    data_dir: Path = Path("../var")
    archive_root: Path | None = None
    quarantine_root: Path | None = None
    work_root: Path | None = None
    ledger_url: str | None = None
    archive_url: Annotated[str | None, Field(
        pattern=r"^s3://[^/\s]+(/\S*)?$",
        description="the archive in object storage, s3://bucket/prefix; wins over archive_root",
    )] = None
    storage_options: Annotated[dict[str, Any], Field(
        description="fsspec/s3fs options for s3:// locations (endpoint_url, profile, ...); default: the AWS_* environment",
    )] = {}
    workers: Annotated[int, Field(ge=0, le=256, description="0 = one per core")] = 0
    max_quarantined_share: Annotated[float, Field(
        ge=0, le=1, description="a batch run fails when more than this share of its inputs is quarantined"
    )] = 0.2
    ocr: OcrOptions = OcrOptions()
    survey: Survey = Survey()
    archive_pdf: Annotated[ArchiveFormat, Field(
        description=f"archive PDFs as {' or '.join(ARCHIVE_FORMATS)}; a file that fails PDF/A validation stays pdf"
    )] = "pdfa-2b"
    capture: CaptureLimits = CaptureLimits()
    web: Web = Web()

    @property
    def archive_dir(self) -> Path:
        return self.archive_root or self.data_dir / "archive"

    @property
    def archive_location(self) -> Path | str:
        """Where the archive is: $DIGITISE_ARCHIVE_URL, else `archive_url` (both object storage,
        s3://bucket/prefix), else the local archive_dir. Like $DIGITISE_LEDGER_URL, the variable
        wins over --data-dir, which moves only local storage."""
        return os.environ.get("DIGITISE_ARCHIVE_URL") or self.archive_url or self.archive_dir

    @property
    def quarantine_dir(self) -> Path:
        return self.quarantine_root or self.data_dir / "quarantine"

    @property
    def work_dir(self) -> Path:
        return self.work_root or self.data_dir / "work"

    @property
    def ledger(self) -> str:
        """The ledger's SQLAlchemy URL: $DIGITISE_LEDGER_URL, else `ledger_url`, else SQLite in
        data_dir. The variable wins over --data-dir too, which moves only a SQLite ledger."""
        from_env = os.environ.get("DIGITISE_LEDGER_URL")
        return from_env or self.ledger_url or f"sqlite:///{self.data_dir / 'ledger.db'}"

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1


class Settings(_Frozen):
    councils: dict[str, Council]
    classification: Classification
    pipeline: Pipeline
    units: Units = Units()  # councils.yaml top-level `units:`

    @model_validator(mode="before")
    @classmethod
    def _inventories_use_council_units(cls, data: Any) -> Any:
        """Each inventory converts boxes and metres with its council's `units`, else the top-level
        ones, unless it states its own."""
        if not isinstance(data, dict) or not isinstance(data.get("councils"), dict):
            return data
        top = data.get("units")
        councils = {}
        for slug, council in data["councils"].items():
            if isinstance(council, dict) and isinstance(council.get("inventory"), dict):
                units = council.get("units") or top
                if units is not None and "units" not in council["inventory"]:
                    council = {**council, "inventory": {**council["inventory"], "units": units}}
            councils[slug] = council
        return {**data, "councils": councils}

    def capture_for(self, council: str) -> CaptureStandard:
        """The capture standard a council's pages are held to: its own limits over pipeline.yaml's."""
        base = self.pipeline.capture.over(CaptureStandard())
        found = self.councils.get(council)
        return found.capture.over(base) if found else base

    def archive_pdf_for(self, council: str) -> ArchiveFormat:
        found = self.councils.get(council)
        return (found.archive_pdf if found else None) or self.pipeline.archive_pdf

    def units_for(self, council: str) -> Units:
        """The conversion a council's boxes and metres go by."""
        found = self.councils.get(council)
        return (found.units if found and found.units else None) or self.units

    @model_validator(mode="after")
    def _estimate_types_exist(self) -> Settings:
        for slug, council in self.councils.items():
            if not re.match(SLUG, slug):
                raise ValueError(f"bad council slug {slug!r}")
            unknown = set(council.inventory.type_pages if council.inventory else {}) - set(
                self.classification.record_types
            )
            if unknown:
                raise ValueError(f"council {slug}: estimate for unknown record types {sorted(unknown)}")
            try:
                self.capture_for(slug)
            except ValueError as e:
                raise ValueError(f"council {slug}: {e}") from e
        self.pipeline.capture.over(CaptureStandard())
        return self

    def with_data_dir(self, data_dir: Path) -> Settings:
        """The same settings with every local storage location under `data_dir`.

        A database server's ledger (PostgreSQL) is not a local file and stays where it is."""
        url = self.pipeline.ledger_url
        keep_url = url if url and not url.startswith("sqlite") else None
        pipeline = self.pipeline.model_copy(
            update={"data_dir": data_dir, "archive_root": None, "quarantine_root": None,
                    "work_root": None, "ledger_url": keep_url}
        )
        return self.model_copy(update={"pipeline": pipeline})


DEFAULT_CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"


def load_settings(config_dir: Path | None = None) -> Settings:
    """Read councils.yaml, record_types.yaml and pipeline.yaml; raise ConfigError on any fault."""
    config_dir = (config_dir or Path(os.environ.get("DIGITISE_CONFIG", DEFAULT_CONFIG_DIR))).resolve()
    try:
        councils_yaml = _read_yaml(config_dir / "councils.yaml")
        councils = councils_yaml.get("councils") or {}
        classification = _read_yaml(config_dir / "record_types.yaml")
        pipeline = _resolve_paths(_read_yaml(config_dir / "pipeline.yaml"), config_dir)
        return Settings.model_validate(
            {"councils": councils, "classification": classification, "pipeline": pipeline,
             **({"units": councils_yaml["units"]} if "units" in councils_yaml else {})}
        )
    except ValidationError as e:
        raise ConfigError(f"invalid configuration in {config_dir}:\n{e}") from e


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as e:
        raise ConfigError(f"missing configuration file {path}") from e
    except yaml.YAMLError as e:
        raise ConfigError(f"{path} is not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a mapping at top level")
    return data


def _resolve_paths(pipeline: dict[str, Any], base: Path) -> dict[str, Any]:
    out = dict(pipeline)
    for key in ("data_dir", "archive_root", "quarantine_root", "work_root"):
        if out.get(key):
            out[key] = (base / str(out[key])).resolve()
    out.setdefault("data_dir", (base / "../var").resolve())
    return out
