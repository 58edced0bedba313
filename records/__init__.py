"""The council-digitise domain: classification, archive, ledger and progress. No Prefect."""

from records.archive import Archive, ArchivePaths, sha256_file
from records.classify import Classifier, RecordClass
from records.config import UNCLASSIFIED, Council, Settings, load_settings
from records.context import build_context, ledger_for
from records.errors import (
    ArchiveWriteError,
    ConfigError,
    ExitCode,
    LedgerError,
    QuarantineReason,
    RecordError,
    UnsafePathError,
)
from records.ledger import Counter, Ledger
from records.pipeline import (
    PIPELINE_VERSION,
    PipelineContext,
    RecordOutcome,
    is_transient,
    process_item,
    quarantine_item,
)
from records.progress import ALL_TYPES, BANDS, ProgressRow, band_for, markdown_table, progress_rows
from records.scan import RefusedItem, ScanItem, discover
from records.summary import BatchSummary, merge, summarise

__all__ = [
    "ALL_TYPES",
    "Archive",
    "ArchivePaths",
    "ArchiveWriteError",
    "BANDS",
    "BatchSummary",
    "Classifier",
    "ConfigError",
    "Council",
    "Counter",
    "ExitCode",
    "Ledger",
    "LedgerError",
    "PIPELINE_VERSION",
    "PipelineContext",
    "ProgressRow",
    "QuarantineReason",
    "RecordClass",
    "RecordError",
    "RecordOutcome",
    "RefusedItem",
    "ScanItem",
    "Settings",
    "UNCLASSIFIED",
    "UnsafePathError",
    "band_for",
    "build_context",
    "discover",
    "is_transient",
    "ledger_for",
    "load_settings",
    "markdown_table",
    "merge",
    "process_item",
    "progress_rows",
    "quarantine_item",
    "sha256_file",
    "summarise",
]
