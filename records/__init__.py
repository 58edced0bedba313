"""The council-digitise domain: no Prefect, no CLI. Data flows one way through its packages:

    intake/         scan roots (local or object storage) in; items to process, or refused with a
                    reason; a batch's and a shard's items (selection); new batch folders (sweep);
                    a scanned stack's pages as records, separators and blanks (separation)
    pipeline        one item: OCR (the `ocr` package), classify, archive, count; or quarantine
    classify/       record types from text: rules, a learned model, key fields, human review
    archive/        searchable PDF, text and sidecar, locally or in object storage; fixity checks
    ledger/         the one database: records, exact counters, quarantine, search, audit events
    reporting/      what the ledger says, for people: progress, inventory figures, reports,
                    the FoI survey, audit views (the record path never imports it)
    disposal/       retention and disposal dates, batch sign-off, the destruction register,
                    evidence packs and BagIt transfer packages (it never deletes anything)
    batch_policy    when a batch or run has quarantined too much to count as done
    errors          every error the domain raises, with its exit code and quarantine reason
    config          the YAML settings, validated (config_separation: how stacks split into
                    records); object_store: a bucket prefix used like a folder

The names below are what the orchestration layer needs to run records; everything else is
imported from its module.
"""

from records.config import Settings, load_settings
from records.errors import ExitCode, QuarantineReason, RecordError, is_transient
from records.pipeline import PipelineContext, RecordOutcome, process_item, quarantine_item

__all__ = [
    "ExitCode",
    "PipelineContext",
    "QuarantineReason",
    "RecordError",
    "RecordOutcome",
    "Settings",
    "is_transient",
    "load_settings",
    "process_item",
    "quarantine_item",
]
