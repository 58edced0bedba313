"""The council-digitise domain: no Prefect, no CLI. Data flows one way through its packages:

    intake/     scan roots and folders in, items to process (or refused, with a reason);
                which of them a batch or shard run takes
    pipeline    one item: OCR (the `ocr` package), classify, archive, count; or quarantine
    classify/   record types from text: rules, a learned model, key fields, human review
    archive/    searchable PDF, text and sidecar on disk or in object storage; fixity checks
    ledger/     the one database: records, exact counters, quarantine, search, audit events
    reporting/  what the ledger says: progress, inventory figures, reports, FoI survey, audit

`errors` holds every error the domain and the flows raise, in one tree; `config` the YAML
settings; `batch_policy` when a finished run counts as failed. The names below are what the
orchestration layer needs to run records; everything else is imported from its module.
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
