"""The destruction register's ledger side, on SQLite and PostgreSQL: a batch is entered only if,
inside the writing transaction, it is still as it was checked; sign-off and entry each come with
their audit events."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from records.archive.local import Archive
from records.disposal.destruction import batch_state, sign_off
from records.ledger import ArchivedRecord, Ledger, QuarantineEntry, RegisterEntry, SignoffEntry, record_set_sha256


def _record(n: int, batch: str = "box-1", needs_review: bool = False) -> ArchivedRecord:
    return ArchivedRecord(
        source_sha256=f"{n:064x}", council="ashbourne", batch=batch, source_path=f"ashbourne/{batch}/{n}.png",
        record_type="complaint", score=0.9, needs_review=needs_review, pages=2, words=40, blank_pages=0,
        mean_confidence=91.0, pdf_path=f"{n}.pdf", text_path=f"{n}.txt", sidecar_path=f"{n}.json",
        pdf_sha256="1" * 64, text_sha256="2" * 64, sidecar_sha256="3" * 64, engine="tesseract",
        languages="eng", pipeline_version="test",
    )


def _entries(records: list[ArchivedRecord], signoff_id: int) -> list[RegisterEntry]:
    return [RegisterEntry(
        record_id=r.source_sha256, council=r.council, batch=r.batch, signoff_id=signoff_id,
        record_type=r.record_type, pages=r.pages, source_sha256=r.source_sha256, first_page=None, last_page=None,
        pdf_sha256=r.pdf_sha256, text_sha256=r.text_sha256, sidecar_sha256=r.sidecar_sha256 or "",
        retention="6 years after complaint closed", disposal_date=dt.date(2032, 3, 31),
        disposal_basis="document_date", approved_by="r.manager",
    ) for r in records]


def test_register_is_written_only_for_the_batch_as_checked(ledger_url: str) -> None:
    ledger = Ledger(ledger_url)
    records = [_record(1), _record(2)]
    for record in records:
        assert ledger.add_record(record)
    ids = record_set_sha256(r.source_sha256 for r in records)
    signoff = ledger.add_signoff(SignoffEntry("ashbourne", "box-1", "q.checker", 1, "fine", 2, ids))
    assert [s.id for s in ledger.signoffs("ashbourne", "box-1")] == [signoff.id]

    assert not ledger.add_to_register(_entries(records, signoff.id), record_set=record_set_sha256(["x"]))
    assert not ledger.add_to_register(_entries(records, signoff.id + 1), record_set=ids), "not the newest sign-off"
    ledger.add_record(_record(3, batch="box-2", needs_review=True))  # another batch's review does not matter
    assert ledger.add_to_register(_entries(records, signoff.id), record_set=ids)
    assert not ledger.add_to_register(_entries(records, signoff.id), record_set=ids), "entered once"
    register = ledger.destruction_register(council="ashbourne")
    assert [(r.record_id, r.disposal_date, r.signoff_id) for r in register] == [
        (r.source_sha256, dt.date(2032, 3, 31), signoff.id) for r in records]
    events = [(e.event, e.actor, e.record_id) for e in ledger.events(council="ashbourne", batch="box-1")
              if e.event not in ("received", "ocred", "classified", "archived")]
    assert events == [("signed_off", "q.checker", None),
                      *[("paper_destroyable", "r.manager", r.source_sha256) for r in records],
                      ("batch_destroyable", "r.manager", None)]


def test_register_refuses_a_batch_with_review_or_quarantine_at_write_time(ledger_url: str) -> None:
    ledger = Ledger(ledger_url)
    doubtful = _record(1, needs_review=True)
    ledger.add_record(doubtful)
    ids = record_set_sha256([doubtful.source_sha256])
    signoff = ledger.add_signoff(SignoffEntry("ashbourne", "box-1", "q.checker", 1, "fine", 1, ids))
    assert not ledger.add_to_register(_entries([doubtful], signoff.id), record_set=ids)

    other = _record(2, batch="box-9")
    ledger.add_record(other)
    others = record_set_sha256([other.source_sha256])
    checked = ledger.add_signoff(SignoffEntry("ashbourne", "box-9", "q.checker", 1, "fine", 1, others))
    ledger.add_quarantine(QuarantineEntry("ashbourne", "box-9", "ashbourne/box-9/torn.png", "f" * 64,
                                          "input_unreadable", "read", "OSError", "unreadable", None))
    assert not ledger.add_to_register(_entries([other], checked.id), record_set=others)
    assert ledger.destruction_register() == []


def test_batch_state_names_an_outdated_signoff_and_an_unfinished_stack(tmp_path: Path) -> None:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    ledger.add_record(_record(1))
    sign_off(ledger, "ashbourne", "box-1", by="q.checker", sample_size=1, findings="fine")
    ledger.add_record(replace(_record(2), source_file_sha256="a" * 64, first_page=1, last_page=2))
    state = batch_state(ledger, Archive(tmp_path / "archive"), "ashbourne", "box-1", verify=False)
    assert [(b.code, b.record_id) for b in state.blockers] == [("signoff_outdated", None),
                                                               ("stack_unfinished", "a" * 64)]
