"""A throwaway PostgreSQL server for the tests, started from Debian's `postgresql` binaries.

`initdb` in a temporary folder, `pg_ctl` with a Unix socket in that folder and no TCP port at
all, so it can clash with no other server (a system cluster on 5432 included). As root the
server runs as the `postgres` system user the package creates. Each test gets a database of
its own (`new_database`); stopping the server removes the folder and everything in it.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool

SUPERUSER = "digitise"
SERVER_USER = "postgres"  # when we are root: PostgreSQL refuses to run as root
START_TIMEOUT_S = 30
#: Speed over durability: the data is thrown away at the end of the session.
SERVER_SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "log_min_messages": "warning",
}


def find_pg_bin() -> Path | None:
    """The folder with initdb and pg_ctl: $DIGITISE_PG_BIN if set, else Debian's newest, or on PATH."""
    if os.environ.get("DIGITISE_PG_BIN"):
        candidates = [Path(os.environ["DIGITISE_PG_BIN"])]
    else:
        candidates = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
            reverse=True,
        )
        on_path = shutil.which("pg_ctl")
        if on_path:
            candidates.append(Path(on_path).resolve().parent)
    return next((c for c in candidates if (c / "initdb").is_file() and (c / "pg_ctl").is_file()), None)


def unavailable_reason() -> str | None:
    """Why a server cannot be started here, or None if it can."""
    if find_pg_bin() is None:
        return "PostgreSQL server binaries not found (Debian package `postgresql`; or set DIGITISE_PG_BIN)"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root and `runuser` is missing (util-linux)"
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no {SERVER_USER!r} user to run PostgreSQL as"
    if importlib.util.find_spec("psycopg") is None:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    return None


@dataclass
class PostgresServer:
    root: Path
    bin_dir: Path
    _names: Iterator[int] = field(default_factory=itertools.count)
    _admin_engine: Engine | None = None

    @property
    def socket_dir(self) -> Path:
        return self.root

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}"

    def new_database(self) -> str:
        """A new, empty database; its SQLAlchemy URL."""
        name = f"test_{next(self._names)}"
        with self._admin().connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        return self.url(name)

    def _admin(self) -> Engine:
        if self._admin_engine is None:
            self._admin_engine = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
        return self._admin_engine


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Start a server in a new temporary folder; always stop it and remove the folder."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise RuntimeError(unavailable_reason())
    root = Path(tempfile.mkdtemp(prefix="digitise-pg-", dir=_base_dir()))
    try:
        if os.geteuid() == 0:
            shutil.chown(root, SERVER_USER, SERVER_USER)
        server = PostgresServer(root=root, bin_dir=bin_dir)
        _initdb(server)
        started = False
        try:
            _pg_ctl(server, "start", "-w", "-t", str(START_TIMEOUT_S), "-l", str(root / "server.log"))
            started = True
            yield server
        finally:
            if started or (root / "data" / "postmaster.pid").exists():
                _pg_ctl(server, "stop", "-m", "immediate", "-w", check=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _base_dir() -> str:
    """Where to make the server's folder: the temporary folder, unless we are root and the
    server user cannot reach it (a /tmp without o+x), then that user's home."""
    temp = tempfile.gettempdir()
    if os.geteuid() != 0:
        return temp
    reachable = subprocess.run(["runuser", "-u", SERVER_USER, "--", "test", "-x", temp], check=False).returncode == 0
    return temp if reachable else pwd.getpwnam(SERVER_USER).pw_dir


def _initdb(server: PostgresServer) -> None:
    data = server.root / "data"
    _run(server, [str(server.bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust",
                  "-E", "UTF8", "--no-locale", "--no-sync"])
    settings = {**SERVER_SETTINGS, "unix_socket_directories": f"'{server.socket_dir}'"}
    with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n# tests/postgres.py\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))


def _pg_ctl(server: PostgresServer, *args: str, check: bool = True) -> None:
    _run(server, [str(server.bin_dir / "pg_ctl"), "-D", str(server.root / "data"), *args], check=check)


def _run(server: PostgresServer, argv: Sequence[str], *, check: bool = True) -> None:
    if os.geteuid() == 0:
        argv = ["runuser", "-u", SERVER_USER, "--", *argv]
    result = subprocess.run(argv, cwd=server.root, capture_output=True, text=True, timeout=60, check=False)
    if check and result.returncode != 0:
        log = server.root / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}{result.stderr}{tail}")
