"""Errors the domain raises, and the stable reason codes stored in the ledger.

    RecordError
    ├── ConfigError            (bad_config)      stops the batch before any work
    ├── LedgerError            (ledger_error)    database unreachable or failing
    ├── ArchiveWriteError      (archive_write_failed)
    ├── StorageError           (storage_unavailable) object storage unreachable or busy: retried
    └── UnsafePathError        (unsafe_path)     input escapes the scan root
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import ClassVar


class ExitCode(IntEnum):
    ok = 0
    unexpected = 1
    usage = 2
    missing_tool = 3
    bad_config = 4
    storage_error = 5
    verify_failed = 6
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


class RecordError(Exception):
    code: ClassVar[str] = "record_error"
    exit_code: ClassVar[ExitCode] = ExitCode.unexpected


class ConfigError(RecordError):
    code = "bad_config"
    exit_code = ExitCode.bad_config


class LedgerError(RecordError):
    code = "ledger_error"
    exit_code = ExitCode.storage_error


class ArchiveWriteError(RecordError):
    code = "archive_write_failed"
    exit_code = ExitCode.storage_error


class StorageError(RecordError):
    """Object storage (S3) did not answer, failed, or another worker holds the object: worth a retry."""

    code = "storage_unavailable"
    exit_code = ExitCode.storage_error
    transient: ClassVar[bool] = True


class UnsafePathError(RecordError):
    code = "unsafe_path"
