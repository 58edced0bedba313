"""Destruction checks and transfer bags read an archive in object storage through the archive
itself, as they read a local one: the same records, moved to S3 (moto), verified and bagged."""

from __future__ import annotations

import shutil
from pathlib import Path

import bagit
import pytest
from typer.testing import CliRunner

from flows.cli import app
from records.errors import ExitCode
from records.ledger import Ledger
from tests.records.archived_batches import (  # noqa: F401 - fixtures
    COUNCIL,
    Archived,
    archived,
    archived_template,
)
from tests.storage.conftest import Bucket

runner = CliRunner()


def test_destroyable_and_bag_export_read_an_s3_archive(
    archived: Archived, s3: Bucket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = f"archive-{tmp_path.name}"
    s3.upload(archived.data_dir / "archive", prefix)
    shutil.rmtree(archived.data_dir / "archive")  # only the objects are left to read
    monkeypatch.setenv("DIGITISE_ARCHIVE_URL", s3.url(prefix))
    options = archived.cli_options()

    assert runner.invoke(app, ["batch", "signoff", COUNCIL, "complete", "--by", "q.checker", "--sample", "1",
                               "--findings", "matches the paper", *options]).exit_code == 0
    marked = runner.invoke(app, ["batch", "destroyable", COUNCIL, "complete", "--by", "r.manager", *options])
    assert marked.exit_code == 0, marked.output
    done = runner.invoke(app, ["export", "bagit", COUNCIL, str(tmp_path / "bag"), "--batch", "complete", *options])
    assert done.exit_code == 0, done.output
    assert bagit.Bag(str(tmp_path / "bag")).is_valid()

    record = Ledger(archived.settings.pipeline.ledger).records(batch="complete")[0]
    s3.write(f"{prefix}/{record.text_path}", b"altered")
    refused = runner.invoke(app, ["export", "bagit", COUNCIL, str(tmp_path / "bag2"), *options])
    assert refused.exit_code == ExitCode.verify_failed, refused.output
    assert not (tmp_path / "bag2").exists()
