"""The council-digitise domain: classification, archive, ledger and progress. No Prefect."""

from records.archive import Archive, ArchivePaths, sha256_file
from records.classify import Classifier, RecordClass, TextClassifier
from records.config import UNCLASSIFIED, Council, Settings, load_settings
from records.context import build_context, ledger_for, model_path
from records.errors import (
    ArchiveWriteError,
    ConfigError,
    ExitCode,
    LedgerError,
    QuarantineReason,
    RecordError,
    UnsafePathError,
)
from records.fixity import FixityProblem, FixityReport, verify_archive
from records.fields import KeyFields, extract_fields
from records.inventory import (
    CouncilEstimate,
    EstimateError,
    ExclusionReason,
    councils_with_estimates,
    current_estimates,
    current_progress,
    record_estimate,
    record_exclusion,
)
from records.learned import (
    LearnedClassifier,
    TrainingError,
    examples_from_ground_truth,
    load_classifier,
    save_model,
    train_model,
)
from records.audit import AuditError, batch_history, describe_event, record_history
from records.ledger import Counter, Ledger
from records.survey import Forecast, Survey, SurveyAnswer, SurveyFiles, build_survey, forecast_markdown, write_survey
from records.pipeline import (
    PIPELINE_VERSION,
    PipelineContext,
    RecordOutcome,
    is_transient,
    process_item,
    quarantine_item,
    remove_stale_files,
)
from records.progress import ALL_TYPES, BANDS, ProgressRow, band_for, markdown_table, progress_rows
from records.reports import DEFAULT_MIN_CONFIDENCE, Report, ReportFiles, build_report, markdown_report, write_report
from records.review import ReviewError, ReviewItem, ReviewResult, review_queue, reviewed_examples, set_record_type
from records.scan import RefusedItem, ScanItem, discover
from records.search import SearchError, SearchHit, index_missing, search_records
from records.summary import BatchSummary, merge, summarise

__all__ = [
    "ALL_TYPES",
    "Archive",
    "ArchivePaths",
    "ArchiveWriteError",
    "AuditError",
    "BANDS",
    "BatchSummary",
    "Classifier",
    "ConfigError",
    "Council",
    "CouncilEstimate",
    "Counter",
    "DEFAULT_MIN_CONFIDENCE",
    "EstimateError",
    "ExclusionReason",
    "ExitCode",
    "FixityProblem",
    "FixityReport",
    "Forecast",
    "KeyFields",
    "LearnedClassifier",
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
    "Report",
    "ReportFiles",
    "ReviewError",
    "ReviewItem",
    "ReviewResult",
    "ScanItem",
    "SearchError",
    "SearchHit",
    "Settings",
    "Survey",
    "SurveyAnswer",
    "SurveyFiles",
    "TextClassifier",
    "TrainingError",
    "UNCLASSIFIED",
    "UnsafePathError",
    "band_for",
    "batch_history",
    "build_context",
    "build_report",
    "build_survey",
    "councils_with_estimates",
    "current_estimates",
    "current_progress",
    "describe_event",
    "discover",
    "examples_from_ground_truth",
    "extract_fields",
    "forecast_markdown",
    "index_missing",
    "is_transient",
    "ledger_for",
    "load_classifier",
    "load_settings",
    "markdown_report",
    "markdown_table",
    "merge",
    "model_path",
    "process_item",
    "progress_rows",
    "quarantine_item",
    "record_estimate",
    "record_exclusion",
    "record_history",
    "remove_stale_files",
    "review_queue",
    "reviewed_examples",
    "save_model",
    "search_records",
    "set_record_type",
    "sha256_file",
    "summarise",
    "train_model",
    "verify_archive",
    "write_report",
    "write_survey",
]
