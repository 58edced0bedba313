"""Scan and destroy, with evidence: a person's quality sign-off of a batch, and the register of
records whose paper may be destroyed.

A batch's paper may be destroyed only when all of these hold, each checked here and named
when it does not (`Blocker.code`):

    not_signed_off     nobody has signed the batch off (`sign_off`)
    signoff_outdated   the batch gained or lost records since its newest sign-off
    no_records         the ledger has no archived record of the batch
    in_review          a record awaits a person's review (type, split, re-scan)
    needs_rescan       a record has pages below its council's capture standard (records/capture.py),
                       whatever a reviewer decided about its type
    quarantined        an input of the batch is quarantined and not yet archived
    stack_unfinished   a scanned stack of the batch has records still to come
    not_run            a file in the batch's scan folder has neither a record nor a quarantine
                       entry: it was added after the run, or the run stopped before it (checked
                       when the scan root is given; the file is matched by its sha256, so a file
                       replaced by a re-scan under the same name is not taken for the old one)
    missing, altered, unreadable, unchecked, unsafe_path
                       an archived file does not match (or has no) checksum in the ledger

The archive's files are hashed again when a batch is marked (the ledger keeps no earlier
verification result: `digitise verify` reports and records nothing), through the archive
itself, local or in object storage. Marking a batch writes one register row per record with
the checksums just verified and its retention rule and disposal date, and audit events, in one
ledger transaction; nothing is ever deleted, here or anywhere in the pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from records.archive.fixity import FileState, file_checker
from records.archive.local import sha256_file
from records.archive.objects import AnyArchive
from records.config import RecordType
from records.disposal.retention import Disposal, disposal_of
from records.errors import ArchivalError, DestructionRefused
from records.intake.scan import discover
from records.ledger import Ledger, RecordRow, RegisterEntry, RegisterRow, SignoffEntry, SignoffRow, record_set_sha256

MAX_FINDINGS = 2000
#: The codes of blockers about an archive file (every fixity state but "ok").
FIXITY_CODES = frozenset(get_args(FileState)) - {"ok"}


@dataclass(frozen=True, slots=True)
class Blocker:
    """One reason a batch's paper may not be destroyed yet; `record_id` when it is one record's."""

    code: str
    detail: str
    record_id: str | None = None


@dataclass(frozen=True, slots=True)
class BatchState:
    """A batch as the ledger and the archive have it now."""

    records: list[RecordRow]
    signoff: SignoffRow | None
    blockers: list[Blocker]


def scanned_file_sha256(record: RecordRow) -> str:
    """The sha256 of the file the record was scanned into (a stack's, for a record split from one)."""
    return record.source_file_sha256 or record.source_sha256


def sign_off(ledger: Ledger, council: str, batch: str, *, by: str, sample_size: int, findings: str) -> SignoffRow:
    """Record that `by` checked `sample_size` records of the batch and found `findings`."""
    records = ledger.records(council=council, batch=batch)
    if not records:
        raise ArchivalError(f"no archived records in batch {batch!r} of council {council!r}: nothing to sign off")
    if not 1 <= sample_size <= len(records):
        raise ArchivalError(f"--sample must be between 1 and the batch's {len(records)} records, not {sample_size}")
    findings = findings.strip()
    if not findings or len(findings) > MAX_FINDINGS:
        raise ArchivalError(f"--findings must say what the check found (1 to {MAX_FINDINGS} characters)")
    if not by.strip():
        raise ArchivalError("--by must name the person who checked the batch")
    return ledger.add_signoff(SignoffEntry(
        council=council, batch=batch, signed_by=by.strip(), sample_size=sample_size, findings=findings,
        records=len(records), record_set_sha256=record_set_sha256(r.source_sha256 for r in records),
    ))


def batch_state(
    ledger: Ledger, archive: AnyArchive, council: str, batch: str, *, verify: bool = True,
    scan_root: Path | None = None, records: list[RecordRow] | None = None,
) -> BatchState:
    """The batch's records, newest sign-off and every reason its paper may not be destroyed
    (the archive's files hashed again unless `verify` is False; the batch's scan folder under
    `scan_root` compared with the ledger when given). `records` are the batch's records when the
    caller has just read them."""
    if records is None:
        records = ledger.records(council=council, batch=batch)
    signoffs = ledger.signoffs(council, batch)
    signoff = signoffs[-1] if signoffs else None
    blockers = _state_blockers(ledger, council, batch, records, signoff)
    if scan_root is not None:
        blockers += _unrun_blockers(ledger, scan_root, council, batch, records)
    if verify:
        blockers += _fixity_blockers(archive, records)
    return BatchState(records, signoff, blockers)


def _unrun_blockers(
    ledger: Ledger, scan_root: Path, council: str, batch: str, records: list[RecordRow],
) -> list[Blocker]:
    """Every file of the batch's scan folder that the ledger has neither archived nor quarantined."""
    folder = scan_root / council / batch
    if not folder.is_dir():
        raise ArchivalError(f"{folder} is not a folder: give the scan root the batch was run from")
    accepted, refused = discover(scan_root, councils=[council], batch=batch)
    known = {scanned_file_sha256(r) for r in records}
    known |= {q.source_sha256 for q in ledger.quarantine_entries(include_resolved=True, council=council, batch=batch)}
    files = [i for i in accepted + [r.item for r in refused] if i.batch == batch]  # not a link to a folder
    return [Blocker("not_run", f"scanned file {i.relative} is neither archived nor quarantined: run the batch again")
            for i in sorted(files, key=lambda i: i.relative) if sha256_file(i.path) not in known]


def _state_blockers(
    ledger: Ledger, council: str, batch: str, records: list[RecordRow], signoff: SignoffRow | None,
) -> list[Blocker]:
    found: list[Blocker] = []
    if not records:
        found.append(Blocker("no_records", "the ledger has no archived record of this batch"))
    if signoff is None:
        found.append(Blocker("not_signed_off", f"nobody has signed it off: digitise batch signoff {council} {batch}"))
    elif signoff.record_set_sha256 != record_set_sha256(r.source_sha256 for r in records):
        found.append(Blocker("signoff_outdated", f"signed off with {signoff.records} records, now {len(records)} "
                             "(or other ones): check and sign it off again"))
    found += [Blocker("in_review", "awaiting review: digitise review", r.source_sha256) for r in records if r.needs_review]
    found += [Blocker("needs_rescan", f"pages below the capture standard ({r.rescan_reasons}): scan them again",
                      r.source_sha256) for r in records if r.needs_rescan]
    found += [Blocker("quarantined", f"input quarantined ({q.reason}) and not yet archived", q.source_sha256)
              for q in ledger.quarantine_entries(council=council, batch=batch)]
    stacks = sorted({r.source_file_sha256 for r in records if r.source_file_sha256})
    found += [Blocker("stack_unfinished", "a scanned stack with records still to come: run the batch again", sha)
              for sha in stacks if ledger.source_file(sha) is None]
    return found


def _fixity_blockers(archive: AnyArchive, records: list[RecordRow]) -> list[Blocker]:
    check = file_checker(archive)
    found = []
    for r in records:
        for path, sha in ((r.pdf_path, r.pdf_sha256), (r.text_path, r.text_sha256), (r.sidecar_path, r.sidecar_sha256)):
            state = check(path, sha)
            if state != "ok":
                found.append(Blocker(state, f"archive file {path} is {state.replace('_', ' ')}", r.source_sha256))
    return found


def mark_destroyable(
    ledger: Ledger, archive: AnyArchive, record_types: Mapping[str, RecordType], council: str, batch: str, *, by: str,
    scan_root: Path | None = None,
) -> list[RegisterRow]:
    """Enter the batch's records in the destruction register, or raise DestructionRefused naming
    every blocker (with `scan_root`, also every file of the batch's folder never run). Records
    entered already stay as they are: a batch marked before is returned unchanged, and one that
    has gained records since (signed off again) gets only those entered."""
    registered = ledger.destruction_register(council=council, batch=batch)
    entered = {r.record_id for r in registered}
    current = ledger.records(council=council, batch=batch)
    if entered and {r.source_sha256 for r in current} <= entered:
        return registered
    state = batch_state(ledger, archive, council, batch, scan_root=scan_root, records=current)
    if state.blockers or state.signoff is None:
        raise DestructionRefused(refusal(council, batch, state.blockers), tuple(state.blockers))
    dates = ledger.document_dates(council=council)
    entries = [_entry(r, state.signoff.id, disposal_of(r, record_types, dates.get(r.source_sha256, ())), by)
               for r in state.records if r.source_sha256 not in entered]
    if not ledger.add_to_register(entries, record_set=state.signoff.record_set_sha256):
        blocker = Blocker("changed", "the batch changed while it was checked: run the command again")
        raise DestructionRefused(refusal(council, batch, [blocker]), (blocker,))
    return ledger.destruction_register(council=council, batch=batch)


def _entry(record: RecordRow, signoff_id: int, disposal: Disposal, by: str) -> RegisterEntry:
    """A record's register row: sidecar_sha256 is set, or fixity would have refused (`unchecked`)."""
    return RegisterEntry(
        record_id=record.source_sha256, council=record.council, batch=record.batch, signoff_id=signoff_id,
        record_type=record.record_type, pages=record.pages, source_sha256=scanned_file_sha256(record),
        first_page=record.first_page, last_page=record.last_page, pdf_sha256=record.pdf_sha256,
        text_sha256=record.text_sha256, sidecar_sha256=record.sidecar_sha256 or "",
        retention=disposal.retention, disposal_date=disposal.date, disposal_basis=disposal.basis, approved_by=by,
    )


def refusal(council: str, batch: str, blockers: list[Blocker]) -> str:
    """One message naming every kind of blocker, with how many records each holds back."""
    kinds: dict[str, list[Blocker]] = {}
    for blocker in blockers:
        kinds.setdefault(blocker.code, []).append(blocker)
    parts = [f"{code}: {found[0].detail}" + (f" ({_records(len(found))}, e.g. {found[0].record_id[:12]})"
                                             if found[0].record_id else "")
             for code, found in kinds.items()]
    return f"the paper of batch {council}/{batch} may not be destroyed yet: " + "; ".join(parts)


def _records(count: int) -> str:
    return f"{count} record" + ("" if count == 1 else "s")


def destruction_register(ledger: Ledger, *, council: str | None = None) -> list[RegisterRow]:
    """Every record whose paper may be destroyed, in the order batches were marked."""
    return ledger.destruction_register(council=council)
