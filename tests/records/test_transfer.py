"""Transfer packages: an exported BagIt bag of really archived records validates with the
`bagit` library, and one changed byte makes it fail."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import bagit
import pytest
from typer.testing import CliRunner

from flows.cli import app
from records.disposal.transfer import validate_bag
from records.errors import BagInvalid, ExitCode
from records.ledger import Ledger
from tests.records.archived_batches import (  # noqa: F401 - fixtures
    COUNCIL,
    Archived,
    archived,
    archived_template,
)

runner = CliRunner()


def test_exported_bag_validates_and_a_tampered_bag_fails(archived: Archived, tmp_path: Path) -> None:
    bag_dir = tmp_path / "transfer" / "bag"
    bag_dir.parent.mkdir()
    done = runner.invoke(app, ["export", "bagit", COUNCIL, str(bag_dir), "--type", "council_tax", "--json",
                               *archived.cli_options()])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["bag"]["records"] == 2

    bag = bagit.Bag(str(bag_dir))
    assert bag.is_valid() and bag.version_info == (1, 0)
    assert sorted(bag.algorithms) == ["sha256", "sha512"]
    assert bag.info["Source-Organization"] == archived.settings.councils[COUNCIL].name
    records = Ledger(archived.settings.pipeline.ledger).records(council=COUNCIL)
    wanted = {f"data/objects/{r.pdf_path}" for r in records if r.record_type == "council_tax"}
    assert wanted and wanted <= set(bag.payload_entries())
    with (bag_dir / "data" / "metadata" / "metadata.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 6 and {r["role"] for r in rows} == {"pdf", "text", "sidecar"}
    assert all((bag_dir / "data" / r["filename"]).is_file() for r in rows)
    assert {r["retention"] for r in rows} == {"6 years after end of financial year"}
    modes = {p.stat().st_mode & 0o777 for p in bag_dir.rglob("*")} | {bag_dir.stat().st_mode & 0o777}
    assert modes == {0o640, 0o750}

    validate_bag(bag_dir)
    text = next((bag_dir / "data" / "objects").rglob("*.txt"))
    text.write_bytes(text.read_bytes().replace(b"Council", b"Cuoncil", 1))
    assert not bagit.Bag(str(bag_dir)).is_valid()
    with pytest.raises(BagInvalid):
        validate_bag(bag_dir)


def test_export_refuses_an_altered_archive_file_and_leaves_no_bag(archived: Archived, tmp_path: Path) -> None:
    record = next(r for r in Ledger(archived.settings.pipeline.ledger).records() if r.batch == "complete")
    pdf = archived.data_dir / "archive" / record.pdf_path
    pdf.write_bytes(pdf.read_bytes() + b"\n%")
    refused = runner.invoke(app, ["export", "bagit", COUNCIL, str(tmp_path / "bag"), "--batch", "complete",
                                  *archived.cli_options()])
    assert refused.exit_code == ExitCode.verify_failed, refused.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "scans"], "no bag and no half-made one"
    nothing = runner.invoke(app, ["export", "bagit", COUNCIL, str(tmp_path / "bag"), "--batch", "none",
                                  *archived.cli_options()])
    assert nothing.exit_code == ExitCode.usage
