"""The command-line side of the review station's features: `digitise users add/list`, `review
rescan` and `search --from/--to` (no Prefect server needed)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from flows.cli import app
from records.access import authenticate
from records.archive.local import Archive
from records.config import UNCLASSIFIED
from records.errors import ExitCode
from records.ledger import Ledger
from tests.records.test_search import archive_one

runner = CliRunner()


def test_users_add_reads_the_password_from_stdin_and_lists_without_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    added = runner.invoke(app, ["users", "add", "a.clerk", "--role", "reviewer", "--council", "kingsmere",
                                "--password-stdin", "--by", "r.admin", "--data-dir", str(data)],
                          input="a long enough password\n")
    assert added.exit_code == ExitCode.ok, added.output
    refused = runner.invoke(app, ["users", "add", "b.clerk", "--role", "owner", "--no-password", "--data-dir", str(data)])
    assert refused.exit_code == ExitCode.usage and "unknown role" in refused.output
    listed = runner.invoke(app, ["users", "list", "--json", "--data-dir", str(data)])
    assert json.loads(listed.stdout)["users"] == [{"name": "a.clerk", "role": "reviewer", "council": "kingsmere",
                                                    "password": True, "disabled": False, "created_by": "r.admin"}]
    ledger = Ledger(f"sqlite:///{data / 'ledger.db'}")
    assert authenticate(ledger, "a.clerk", "a long enough password", client="cli").council == "kingsmere"


def test_review_rescan_takes_a_record_out_of_the_queue(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ledger = Ledger(f"sqlite:///{data / 'ledger.db'}")
    doubt = archive_one(Archive(data / "archive"), ledger, "doubt", record_type=UNCLASSIFIED, needs_review=True)
    result = runner.invoke(app, ["review", "rescan", doubt[:12], "--reason", "poor_image", "--by", "a.clerk",
                                 "--data-dir", str(data)])
    assert result.exit_code == ExitCode.ok, result.output
    assert ledger.review_queue() == [] and ledger.rescan_requests()[0].requested_by == "a.clerk"


def test_search_by_archive_date(tmp_path: Path) -> None:
    data = tmp_path / "data"
    archive_one(Archive(data / "archive"), Ledger(f"sqlite:///{data / 'ledger.db'}"), "one", text="liability order")
    today = dt.datetime.now(dt.timezone.utc).date()
    found = {}
    for day in (today, today + dt.timedelta(days=1)):
        result = runner.invoke(app, ["search", "liability", "--from", day.isoformat(), "--json", "--data-dir", str(data)])
        assert result.exit_code == ExitCode.ok, result.output
        found[day] = len(json.loads(result.stdout)["search"])
    assert found == {today: 1, today + dt.timedelta(days=1): 0}
