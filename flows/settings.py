"""Settings and pipeline context, resolved once per process from plain, picklable arguments."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from records.config import Settings, load_settings
from records.context import build_context
from records.pipeline import PipelineContext


@lru_cache(maxsize=8)
def resolve_settings(config_dir: str | None = None, data_dir: str | None = None) -> Settings:
    """Config from `config_dir` (or $DIGITISE_CONFIG), storage under `data_dir` (or $DIGITISE_DATA_DIR)."""
    settings = load_settings(Path(config_dir) if config_dir else None)
    data_dir = data_dir or os.environ.get("DIGITISE_DATA_DIR")
    return settings.with_data_dir(Path(data_dir).resolve()) if data_dir else settings


@lru_cache(maxsize=8)
def context_for(config_dir: str | None = None, data_dir: str | None = None) -> PipelineContext:
    return build_context(resolve_settings(config_dir, data_dir))
