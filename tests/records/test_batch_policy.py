"""The failure rule for finished runs, without Prefect: too much of a batch quarantined."""

from __future__ import annotations

from dataclasses import asdict

from records.batch_policy import BatchResult, batch_limit_error, run_limit_error
from records.errors import ExitCode, QuarantineLimitExceeded
from records.summary import BatchSummary, merge

HALF_BAD = BatchSummary(archived=1, quarantined=1, pages=1, reasons={"input_unreadable": 1})
ALL_GOOD = BatchSummary(archived=4, pages=4)


def test_a_batch_within_the_limit_has_no_error_and_the_limit_itself_is_within() -> None:
    assert batch_limit_error("kingsmere/b1", ALL_GOOD, 0.2) is None
    assert batch_limit_error("kingsmere/b1", HALF_BAD, 0.5) is None
    assert batch_limit_error("kingsmere/b1", BatchSummary(), 0.0) is None, "an empty batch quarantined nothing"


def test_a_batch_over_the_limit_carries_its_summary_and_says_what_to_do() -> None:
    error = batch_limit_error("kingsmere/b1", HALF_BAD, 0.2)
    assert isinstance(error, QuarantineLimitExceeded) and error.exit_code == ExitCode.quarantined
    assert str(error) == (
        "kingsmere/b1: 1 of 2 inputs quarantined (50%), more than max_quarantined_share 20% in pipeline.yaml; "
        "the quarantine table artifact lists each input and what to do")
    assert error.summary == asdict(HALF_BAD)


def test_a_run_fails_when_any_batch_went_over_and_names_at_most_five() -> None:
    within = [BatchResult("ashbourne/b1", ALL_GOOD, over_limit=False)]
    assert run_limit_error(within, merge([ALL_GOOD]), 0.2) is None

    results = within + [BatchResult(f"kingsmere/b{n}", HALF_BAD, over_limit=True) for n in range(7)]
    total = merge(r.summary for r in results)
    error = run_limit_error(results, total, 0.2)
    assert error is not None and error.summary == asdict(total)
    assert str(error) == (
        "7 of 8 batches quarantined more than 20% of their inputs (kingsmere/b0, kingsmere/b1, kingsmere/b2, "
        "kingsmere/b3, kingsmere/b4 and 2 more); 7 inputs in quarantine, see the quarantined-files artifact")
