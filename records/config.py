"""The YAML in config/ read into frozen, validated models, before any work starts."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from records.errors import ConfigError

SLUG = r"^[a-z0-9][a-z0-9_-]*$"
UNCLASSIFIED = "unclassified"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class InventoryEstimate(_Frozen):
    """A council's own estimate of its paper holding, in pages, and where it came from."""

    total_pages: Annotated[int | None, Field(ge=1)] = None
    by_type: dict[str, Annotated[int, Field(ge=1)]] = {}
    source: str = "unspecified"
    as_of: dt.date | None = None

    @property
    def pages(self) -> int | None:
        """The total estimate: stated outright, else the sum of per-type estimates."""
        if self.total_pages is not None:
            return self.total_pages
        return sum(self.by_type.values()) or None

    @model_validator(mode="after")
    def _total_covers_types(self) -> InventoryEstimate:
        if self.total_pages is not None and sum(self.by_type.values()) > self.total_pages:
            raise ValueError("by_type estimates add up to more than total_pages")
        return self


class Council(_Frozen):
    name: str
    languages: Annotated[str, Field(pattern=r"^[a-z_]{3,}(\+[a-z_]{3,})*$")] = "eng"
    inventory: InventoryEstimate | None = None


class Rule(_Frozen):
    """A case-insensitive regular expression and the evidence it adds for a record type."""

    pattern: str
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        re.compile(value)
        return value


class RecordType(_Frozen):
    label: str
    rules: Annotated[list[Rule], Field(min_length=1)]


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
    dpi: Annotated[int, Field(ge=100, le=1200)] = 300
    page_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 180
    psm: Annotated[int, Field(ge=0, le=13)] = 3
    max_image_pixels: Annotated[int, Field(ge=1_000_000)] = 300_000_000


class Survey(_Frozen):
    """How the FoI survey's answer and the forecast are worked out."""

    max_estimate_age_days: Annotated[int, Field(
        ge=1, le=36500, description="an older (or undated) estimate cannot support an answer: 'cannot say'"
    )] = 1095
    forecast_window_days: Annotated[int, Field(
        ge=1, le=3650, description="the rate is pages archived per day over this many recent days"
    )] = 28


class Pipeline(_Frozen):
    """Where things live and how hard to work; paths are relative to the YAML file."""

    data_dir: Path = Path("../var")
    archive_root: Path | None = None
    quarantine_root: Path | None = None
    work_root: Path | None = None
    ledger_url: str | None = None
    workers: Annotated[int, Field(ge=0, le=256, description="0 = one per core")] = 0
    max_quarantined_share: Annotated[float, Field(
        ge=0, le=1, description="a batch run fails when more than this share of its inputs is quarantined"
    )] = 0.2
    ocr: OcrOptions = OcrOptions()
    survey: Survey = Survey()

    @property
    def archive_dir(self) -> Path:
        return self.archive_root or self.data_dir / "archive"

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

    @model_validator(mode="after")
    def _estimate_types_exist(self) -> Settings:
        for slug, council in self.councils.items():
            if not re.match(SLUG, slug):
                raise ValueError(f"bad council slug {slug!r}")
            unknown = set(council.inventory.by_type if council.inventory else {}) - set(
                self.classification.record_types
            )
            if unknown:
                raise ValueError(f"council {slug}: estimate for unknown record types {sorted(unknown)}")
        return self

    def with_data_dir(self, data_dir: Path) -> Settings:
        """The same settings with every storage location under `data_dir`."""
        pipeline = self.pipeline.model_copy(
            update={"data_dir": data_dir, "archive_root": None, "quarantine_root": None,
                    "work_root": None, "ledger_url": None}
        )
        return self.model_copy(update={"pipeline": pipeline})


DEFAULT_CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"


def load_settings(config_dir: Path | None = None) -> Settings:
    """Read councils.yaml, record_types.yaml and pipeline.yaml; raise ConfigError on any fault."""
    config_dir = (config_dir or Path(os.environ.get("DIGITISE_CONFIG", DEFAULT_CONFIG_DIR))).resolve()
    try:
        councils = _read_yaml(config_dir / "councils.yaml").get("councils") or {}
        classification = _read_yaml(config_dir / "record_types.yaml")
        pipeline = _resolve_paths(_read_yaml(config_dir / "pipeline.yaml"), config_dir)
        return Settings.model_validate(
            {"councils": councils, "classification": classification, "pipeline": pipeline}
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
