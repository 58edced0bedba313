"""Object storage: an S3 server of the module's own (moto, tests/s3.py), an empty bucket, and
the AWS_* environment s3fs reads pointing at it. Flow tests also ask for `prefect_server`
(tests/conftest.py): the session's one temporary Prefect server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import unavailable
from tests.s3 import running_s3, unavailable_reason

BUCKET = "council-digitise-test"
#: Variables that could point the tests at a real account; the fixture clears them.
AWS_CLEARED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_REGION",
               "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
               "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")


@dataclass(frozen=True)
class Bucket:
    """The test bucket, seen through s3fs as any S3 client would see it."""

    fs: Any
    name: str
    endpoint: str

    def url(self, prefix: str) -> str:
        return f"s3://{self.name}/{prefix}"

    def upload(self, folder: Path, prefix: str) -> None:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            self.fs.put_file(str(path), f"{self.name}/{prefix}/{path.relative_to(folder).as_posix()}")

    def keys(self, prefix: str) -> list[str]:
        """Relative keys of every object under prefix."""
        root = f"{self.name}/{prefix}/"
        return sorted(k[len(root):] for k in self.fs.find(f"{self.name}/{prefix}") if k.startswith(root))

    def read(self, key: str) -> bytes:
        return bytes(self.fs.cat_file(f"{self.name}/{key}"))

    def write(self, key: str, data: bytes) -> None:
        self.fs.pipe_file(f"{self.name}/{key}", data)

    def delete(self, key: str) -> None:
        self.fs.rm_file(f"{self.name}/{key}")


@pytest.fixture(scope="module")
def s3() -> Iterator[Bucket]:
    """moto's S3 server on a free loopback port for this module, with an empty bucket."""
    reason = unavailable_reason()
    if reason:
        unavailable(f"cannot start the S3 test server: {reason}")
    from s3fs import S3FileSystem

    with running_s3() as server, pytest.MonkeyPatch.context() as env:
        for name in AWS_CLEARED:
            env.delenv(name, raising=False)
        env.setenv("AWS_ENDPOINT_URL", server.endpoint)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        env.setenv("AWS_CONFIG_FILE", os.devnull)
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        env.setenv("AWS_EC2_METADATA_DISABLED", "true")
        S3FileSystem.clear_instance_cache()  # none may keep an endpoint of an earlier module
        fs = S3FileSystem(use_listings_cache=False, skip_instance_cache=True)
        fs.mkdir(BUCKET)
        try:
            yield Bucket(fs, BUCKET, server.endpoint)
        finally:
            S3FileSystem.clear_instance_cache()
