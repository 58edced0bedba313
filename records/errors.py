"""Every error the domain and its flows raise, in one tree, and the stable codes they end in.

Each class states its code, the exit code the CLI ends with, and, when it can end one record
in quarantine, the reason stored in the ledger (tests/records/test_errors.py keeps this tree
in step with the classes):

    class                        code                  exit code          quarantine reason
    RecordError                  record_error          1 unexpected       -
    ├── ConfigError              bad_config            4 bad_config       -
    ├── LedgerError              ledger_error          5 storage_error    -
    ├── ArchiveWriteError        archive_write_failed  5 storage_error    archive_write_failed
    ├── StorageError             storage_unavailable   5 storage_error    storage_unavailable
    ├── UnsafePathError          unsafe_path           1 unexpected       unsafe_path
    ├── ReviewError              review_refused        2 usage            -
    ├── TrainingError            training_failed       2 usage            -
    ├── EstimateError            estimate_refused      2 usage            -
    ├── SearchError              search_refused        2 usage            -
    ├── AuditError               audit_refused         2 usage            -
    ├── AccessError              access_refused        2 usage            -
    ├── QuarantineLimitExceeded  quarantine_limit      10 quarantined     -
    ├── FixityCheckFailed        fixity_failed         6 verify_failed    -
    ├── ArchivalError            archival_refused      2 usage            -
    ├── DestructionRefused       destruction_refused   7 not_destroyable  -
    └── BagInvalid               bag_invalid           6 verify_failed    -

LedgerError and StorageError are transient: the record is retried before anything else. The
OCR layer keeps its own tree (ocr/errors.py); an OCR code about the document is the
quarantine reason of the same value. Any other error that ends a record is `unexpected`.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from ocr.errors import OcrError, OcrErrorCode

if TYPE_CHECKING:
    from records.archive.fixity import FixityReport


class ExitCode(IntEnum):
    ok = 0
    unexpected = 1
    usage = 2
    missing_tool = 3
    bad_config = 4
    storage_error = 5
    verify_failed = 6
    not_destroyable = 7
    quarantined = 10
    interrupted = 130


class QuarantineReason(StrEnum):
    """Stored in the ledger and reports: add members, never rename them."""

    input_unreadable = "input_unreadable"
    unsupported_format = "unsupported_format"
    image_too_large = "image_too_large"
    encrypted_pdf = "encrypted_pdf"
    empty_document = "empty_document"
    ocr_timeout = "ocr_timeout"
    ocr_failed = "ocr_failed"
    unsafe_path = "unsafe_path"
    bad_layout = "bad_layout"
    unknown_council = "unknown_council"
    archive_write_failed = "archive_write_failed"
    unexpected = "unexpected"
    storage_unavailable = "storage_unavailable"


#: OCR codes about the run, not the document (a missing tool; the bare base class): a record
#: that fails with one is quarantined as `unexpected`. Every other OCR code is a reason.
OCR_RUN_CODES = frozenset({OcrErrorCode.ocr_error, OcrErrorCode.tool_missing})


class RecordError(Exception):
    code: ClassVar[str] = "record_error"
    exit_code: ClassVar[ExitCode] = ExitCode.unexpected
    #: Why a record that fails with this error is quarantined; None: `unexpected`.
    quarantine_reason: ClassVar[QuarantineReason | None] = None
    #: Worth retrying: the same record may well succeed on a second attempt.
    transient: ClassVar[bool] = False


class ConfigError(RecordError):
    """Stops a run before any work."""

    code = "bad_config"
    exit_code = ExitCode.bad_config


class LedgerError(RecordError):
    """The database is unreachable or failing."""

    code = "ledger_error"
    exit_code = ExitCode.storage_error
    transient = True


class ArchiveWriteError(RecordError):
    code = "archive_write_failed"
    exit_code = ExitCode.storage_error
    quarantine_reason = QuarantineReason.archive_write_failed


class StorageError(RecordError):
    """Object storage (S3) did not answer, failed, or another worker holds the object: worth a retry."""

    code = "storage_unavailable"
    exit_code = ExitCode.storage_error
    quarantine_reason = QuarantineReason.storage_unavailable
    transient = True


class UnsafePathError(RecordError):
    """A path that would leave its root (input, archive or quarantine)."""

    code = "unsafe_path"
    exit_code = ExitCode.unexpected
    quarantine_reason = QuarantineReason.unsafe_path


class ReviewError(RecordError):
    """The decision cannot be applied as given (unknown record or type, or a concurrent change)."""

    code = "review_refused"
    exit_code = ExitCode.usage


class TrainingError(RecordError):
    """Not enough (or unusable) labelled examples to train a model."""

    code = "training_failed"
    exit_code = ExitCode.usage


class EstimateError(RecordError):
    """An inventory estimate or exclusion that cannot be recorded as given."""

    code = "estimate_refused"
    exit_code = ExitCode.usage


class SearchError(RecordError):
    code = "search_refused"
    exit_code = ExitCode.usage


class AuditError(RecordError):
    code = "audit_refused"
    exit_code = ExitCode.usage


class AccessError(RecordError):
    """A web user that cannot be added as given (unknown role or council, weak password), or a
    sign-in refused (wrong name or password, too many attempts)."""

    code = "access_refused"
    exit_code = ExitCode.usage


class QuarantineLimitExceeded(RecordError):
    """A run quarantined more of a batch than `max_quarantined_share` allows; carries its summary."""

    code = "quarantine_limit"
    exit_code = ExitCode.quarantined

    def __init__(self, message: str, summary: dict[str, Any]) -> None:
        super().__init__(message, summary)
        self.message, self.summary = message, summary

    def __str__(self) -> str:
        return self.message


class FixityCheckFailed(RecordError):
    """Archive files do not match the ledger's checksums; carries the report."""

    code = "fixity_failed"
    exit_code = ExitCode.verify_failed

    def __init__(self, message: str, report: FixityReport) -> None:
        super().__init__(message, report)
        self.message, self.report = message, report

    def __str__(self) -> str:
        return self.message


class ArchivalError(RecordError):
    """A sign-off, evidence pack, disposal listing or transfer package that cannot be made as asked."""

    code = "archival_refused"
    exit_code = ExitCode.usage


class DestructionRefused(RecordError):
    """A batch whose paper may not (yet) be destroyed; carries every reason, each with its code."""

    code = "destruction_refused"
    exit_code = ExitCode.not_destroyable

    def __init__(self, message: str, blockers: tuple[Any, ...] = ()) -> None:
        super().__init__(message)
        self.blockers = blockers


class BagInvalid(RecordError):
    """A BagIt bag whose files do not match its manifests (or that is not a complete bag)."""

    code = "bag_invalid"
    exit_code = ExitCode.verify_failed


def is_transient(error: BaseException) -> bool:
    """Worth retrying: the same input may well succeed on a second attempt."""
    return isinstance(error, OcrError | RecordError) and error.transient


def quarantine_reason(error: BaseException | None) -> QuarantineReason:
    """The reason a record that failed with `error` is quarantined under."""
    if isinstance(error, RecordError):
        return error.quarantine_reason or QuarantineReason.unexpected
    if isinstance(error, OcrError) and error.code not in OCR_RUN_CODES:
        return QuarantineReason(error.code)
    if isinstance(error, PermissionError | FileNotFoundError | IsADirectoryError):
        return QuarantineReason.input_unreadable
    return QuarantineReason.unexpected
