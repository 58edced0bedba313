"""A transfer package: archived records as a BagIt bag (RFC 8493), for a record office or Archivematica.

    <bag>/bagit.txt                      BagIt-Version: 1.0
    <bag>/bag-info.txt                   the council, what the bag holds, Payload-Oxum
    <bag>/manifest-sha256.txt, manifest-sha512.txt, tagmanifest-*.txt
    <bag>/data/objects/<council>/<record_type>/<record id>.{pdf,txt,json}
    <bag>/data/metadata/metadata.csv     one row per file (Archivematica's `filename` column):
                                         record, scanned file and its sha256, type, LGCS
                                         function, retention and disposal date, checksum

Files are read through the archive (a local folder or object storage) and each is checked
against the ledger's sha256 as it is copied, so a bag never carries an altered file. The bag
is built in a private temporary folder beside OUT, made with the `bagit` library, declared
BagIt 1.0, validated (every file against both manifests), and only then renamed to OUT: a
folder named OUT is always a complete, valid bag. Files 0640, folders 0750 (the texts are
OCR text: personal data).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NoReturn

import bagit

from records.archive.fixity import FixityProblem, FixityReport
from records.archive.local import CHUNK, DIR_MODE, FILE_MODE, make_private_dir, owner_tag, safe_child
from records.archive.objects import AnyArchive
from records.config import RecordType
from records.disposal.destruction import scanned_file_sha256
from records.disposal.retention import Disposal, disposals
from records.errors import ArchivalError, BagInvalid, FixityCheckFailed
from records.ledger import Ledger, RecordRow
from records.spreadsheet import dict_csv

logger = logging.getLogger(__name__)

CHECKSUMS = ("sha256", "sha512")
BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
METADATA_COLUMNS = (
    "filename", "dc.identifier", "dc.type", "role", "council", "batch", "record_type", "lgcs", "scanned_file",
    "scanned_file_sha256", "first_page", "last_page", "pages", "archived_at", "ocr_engine", "retention",
    "disposal_date", "disposal_basis", "sha256",
)
ROLES = ("pdf", "text", "sidecar")


@dataclass(frozen=True, slots=True)
class BagSummary:
    path: Path
    records: int
    files: int
    bytes: int


def export_bag(
    ledger: Ledger, archive: AnyArchive, record_types: Mapping[str, RecordType], council: str, out: Path, *,
    council_name: str | None = None, record_type: str | None = None, batch: str | None = None,
) -> BagSummary:
    """Write the council's records (one type's, one batch's) as a validated bag at `out`."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ArchivalError(f"{out} exists and is not an empty folder; give a new one")
    records = [r for r in ledger.records(council=council, batch=batch)
               if record_type is None or r.record_type == record_type]
    if not records:
        raise ArchivalError(f"no archived records of council {council!r}"
                            + (f" of type {record_type!r}" if record_type else "")
                            + (f" in batch {batch!r}" if batch else ""))
    retention = {d.record_id: d for d in disposals(ledger, record_types, council=council, batch=batch)}
    labels = {slug: t.label for slug, t in record_types.items()}
    if not out.parent.is_dir():
        raise ArchivalError(f"{out.parent} is not a folder; create it first")
    work = Path(tempfile.mkdtemp(prefix=f".bag-{owner_tag()}~", dir=out.parent))
    try:
        rows = [row for r in records for row in _copy_record(archive, r, work, retention[r.source_sha256], labels)]
        (work / "metadata").mkdir(mode=DIR_MODE)
        _write_csv(work / "metadata" / "metadata.csv", rows)
        _make_bag(work, council, council_name, len(records))
        size = sum(p.stat().st_size for p in (work / "data").rglob("*") if p.is_file())
        validate_bag(work)
        os.replace(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)  # our own half-made bag, never the archive
        raise
    logger.info("bag written: %d records, %d files", len(records), len(rows) + 1)
    return BagSummary(out, len(records), len(rows) + 1, size)


def _copy_record(
    archive: AnyArchive, record: RecordRow, work: Path, disposal: Disposal, labels: Mapping[str, str],
) -> list[dict[str, str]]:
    folder = safe_child(work, "objects", record.council, record.record_type)
    make_private_dir(folder)
    rows = []
    files = ((record.pdf_path, record.pdf_sha256), (record.text_path, record.text_sha256),
             (record.sidecar_path, record.sidecar_sha256))
    for (relative, expected), role in zip(files, ROLES):
        target = safe_child(folder, PurePosixPath(relative).name)
        _copy_checked(archive, relative, expected, target, record.source_sha256)
        rows.append({
            "filename": target.relative_to(work).as_posix(), "dc.identifier": record.source_sha256,
            "dc.type": labels.get(record.record_type, record.record_type), "role": role, "council": record.council,
            "batch": record.batch, "record_type": record.record_type, "lgcs": disposal.lgcs or "",
            "scanned_file": record.source_path, "scanned_file_sha256": scanned_file_sha256(record),
            "first_page": _text(record.first_page), "last_page": _text(record.last_page), "pages": str(record.pages),
            "archived_at": f"{record.archived_at:%Y-%m-%dT%H:%M:%S}", "ocr_engine": record.engine,
            "retention": disposal.retention, "disposal_date": _text(disposal.date),
            "disposal_basis": disposal.basis, "sha256": expected or "",
        })
    return rows


def _copy_checked(archive: AnyArchive, relative: str, expected: str | None, target: Path, record_id: str) -> None:
    """Copy one archive file into the bag, refusing it unless it matches the ledger's sha256."""
    digest = hashlib.sha256()
    try:
        with archive.open(relative) as src, target.open("xb") as out:
            os.chmod(target, FILE_MODE)
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except FileNotFoundError:
        _refuse("missing", relative, record_id)
    except PermissionError:
        _refuse("unreadable", relative, record_id)
    if expected is None or digest.hexdigest() != expected:
        _refuse("unchecked" if expected is None else "altered", relative, record_id)


def _refuse(kind: str, relative: str, record_id: str) -> NoReturn:
    report = FixityReport(problems=(FixityProblem(kind, relative, record_id),))  # type: ignore[arg-type]
    raise FixityCheckFailed(f"archive file {relative} is {kind} against the ledger; run digitise verify, "
                            "nothing was exported", report)


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    path.write_bytes(dict_csv(METADATA_COLUMNS, rows, for_people=False))
    os.chmod(path, FILE_MODE)


def _make_bag(work: Path, council: str, council_name: str | None, records: int) -> None:
    """Turn `work` into a BagIt 1.0 bag with sha256 and sha512 manifests; everything private."""
    info = {"Source-Organization": council_name or council, "External-Identifier": council,
            "External-Description": f"{records} digitised records: searchable PDF, OCR text and sidecar each, "
                                    "with data/metadata/metadata.csv"}
    try:
        bagit.make_bag(str(work), info, checksums=list(CHECKSUMS))
        (work / "bagit.txt").write_text(BAGIT_TXT, encoding="utf-8")  # bagit writes 0.97; RFC 8493 is 1.0
        bagit.Bag(str(work)).save()  # the tag manifests again, over the new bagit.txt
    except (bagit.BagError, OSError) as e:
        raise ArchivalError(f"could not make the bag ({type(e).__name__})") from e
    for dirpath, _dirs, names in os.walk(work):
        os.chmod(dirpath, DIR_MODE)
        for name in names:
            os.chmod(Path(dirpath) / name, FILE_MODE)


def validate_bag(path: Path) -> None:
    """Raise BagInvalid unless `path` is a complete bag whose every file matches every manifest."""
    try:
        bagit.Bag(str(path)).validate()
    except (bagit.BagError, bagit.BagValidationError) as e:
        raise BagInvalid(f"the bag at {path} is not valid: {_first_line(e)}") from e


def _first_line(error: Exception) -> str:
    details = getattr(error, "details", None)
    if details:
        return f"{len(details)} problem(s), first: {details[0]}"
    return str(error).splitlines()[0]


def _text(value: object) -> str:
    return "" if value is None else str(value)
