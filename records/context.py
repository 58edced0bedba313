"""Build the per-process pipeline context from validated settings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ocr import set_pixel_limit
from records.archive.objects import AnyArchive, open_archive
from records.classify.learned import MODEL_FILE, load_classifier
from records.classify.rules import Classifier
from records.config import Settings
from records.ledger import Ledger
from records.pipeline import OcrSettings, PipelineContext


@lru_cache(maxsize=8)
def ledger_for(url: str) -> Ledger:
    """One engine (and connection pool) per database per process."""
    return Ledger(url)


def archive_for(settings: Settings) -> AnyArchive:
    """The archive the settings name (a local folder or an object-storage prefix)."""
    pipeline = settings.pipeline
    return open_archive(pipeline.archive_location, work_root=pipeline.work_dir, storage_options=pipeline.storage_options)


def build_context(settings: Settings) -> PipelineContext:
    pipeline = settings.pipeline
    set_pixel_limit(pipeline.ocr.max_image_pixels)
    return PipelineContext(
        archive=archive_for(settings),
        ledger=ledger_for(pipeline.ledger),
        classifier=load_classifier(Classifier(settings.classification), model_path(settings)),
        quarantine_root=pipeline.quarantine_dir,
        work_root=pipeline.work_dir,
        languages={slug: c.languages for slug, c in settings.councils.items()},
        ocr=OcrSettings(
            dpi=pipeline.ocr.dpi, page_timeout=pipeline.ocr.page_timeout_seconds, psm=pipeline.ocr.fixed_psm,
            engine=pipeline.ocr.engine,
        ),
        storage_options=pipeline.storage_options,
        separation={slug: c.separation for slug, c in settings.councils.items()},
        archive_pdf={slug: settings.archive_pdf_for(slug) for slug in settings.councils},
        capture={slug: settings.capture_for(slug) for slug in settings.councils},
    )


def model_path(settings: Settings) -> Path:
    """The trained classifier lives with the data it was trained for, not in git."""
    return settings.pipeline.data_dir / "models" / MODEL_FILE
