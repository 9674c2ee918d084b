"""A throwaway PostgreSQL server for the tests: its own data folder, listening only on a Unix socket
in that folder, stopped and removed at the end.

``initdb`` refuses to run as root, and tests run as root in CI: there the server's commands run as
the ``postgres`` system user (which Debian's package creates), in a folder handed over to it. When
PostgreSQL is not installed or does not start, ``PostgresUnavailable`` says why, and the fixtures in
conftest.py skip the PostgreSQL tests with that sentence.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BIN_GLOB = "/usr/lib/postgresql/*/bin"
INSTALL_HINT = ("install it with `apt-get install postgresql` (Debian, Ubuntu; `make test` does it when run as"
                " root) or put PostgreSQL's initdb and pg_ctl on PATH")
SERVER_USER = "postgres"
SUPERUSER = "postgres"
# The socket's file name carries the port; nothing listens on TCP, so any number does.
PORT = 5432
START_TIMEOUT_S = 60


class PostgresUnavailable(Exception):
    """PostgreSQL cannot be found or started here; the message says why and what to install."""


@dataclass(frozen=True)
class PostgresServer:
    """A running server: ``url(name)`` is the SQLAlchemy URL of one of its databases."""

    socket_dir: Path
    programs: Path
    port: int = PORT

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}&port={self.port}"

    def restore(self, database: str, script: bytes) -> None:
        """Run an SQL script (a pg_dump) in ``database`` with psql, stopping at its first error."""
        result = subprocess.run(
            [str(self.programs / "psql"), "--host", str(self.socket_dir), "--port", str(self.port), "--username",
             SUPERUSER, "--dbname", database, "--quiet", "--no-psqlrc", "--set", "ON_ERROR_STOP=1"],
            input=script, capture_output=True, check=False)
        assert result.returncode == 0, f"psql could not restore the script: {result.stderr.decode(errors='replace')}"

    def execute(self, statement: str) -> None:
        """One statement outside a transaction (CREATE and DROP DATABASE need that), as the superuser."""
        import psycopg

        with psycopg.connect(host=str(self.socket_dir), port=self.port, user=SUPERUSER, dbname="postgres",
                             autocommit=True) as connection:
            connection.execute(statement)  # type: ignore[arg-type]  # the tests' own fixed SQL


def bin_dir() -> Path:
    """The newest installed PostgreSQL's programs: Debian's /usr/lib/postgresql/N/bin, else PATH."""
    candidates = [Path(initdb).parent for initdb in glob.glob(f"{BIN_GLOB}/initdb")]
    if candidates:
        return max(candidates, key=lambda folder: int(re.sub(r"\D", "", folder.parent.name) or 0))
    initdb = shutil.which("initdb")
    if initdb is None:
        raise PostgresUnavailable(f"PostgreSQL is not installed (no initdb in {BIN_GLOB} or on PATH): {INSTALL_HINT}.")
    return Path(initdb).resolve().parent


@contextmanager
def running_server() -> Iterator[PostgresServer]:
    """Start a server in a new temporary folder; stop it and delete the folder afterwards."""
    programs = bin_dir()
    as_user = _server_user_prefix()
    # Not pytest's tmp_path: its parents are private to root, and the server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="gymcore-pg-"))
    try:
        if as_user:
            shutil.chown(folder, user=SERVER_USER, group=None)
        data = folder / "data"
        _run([*as_user, str(programs / "initdb"), "--pgdata", str(data), "--username", SUPERUSER,
              "--auth", "trust", "--encoding", "UTF8", "--no-sync"], "initdb")
        # Durability settings off: a test server's data is thrown away anyway.
        options = (f"-k {folder} -c listen_addresses='' -p {PORT} -c fsync=off -c synchronous_commit=off"
                   " -c full_page_writes=off -c timezone=UTC")
        _run([*as_user, str(programs / "pg_ctl"), "--pgdata", str(data), "--log", str(folder / "server.log"),
              "--options", options, "--wait", "--timeout", str(START_TIMEOUT_S), "start"], "pg_ctl start",
             log=folder / "server.log")
        try:
            yield PostgresServer(folder, programs)
        finally:
            _run([*as_user, str(programs / "pg_ctl"), "--pgdata", str(data), "--mode", "immediate", "--wait",
                  "stop"], "pg_ctl stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _server_user_prefix() -> list[str]:
    """How to run the server's commands: as ourselves, or as root through the postgres user."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"the tests run as root, which initdb refuses, and there is no {SERVER_USER!r} user to run the server"
            f" as: {INSTALL_HINT}.") from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresUnavailable("the tests run as root, which initdb refuses, and runuser (util-linux) is missing.")
    return [runuser, "-u", SERVER_USER, "--"]


def _run(command: list[str], what: str, log: Path | None = None) -> None:
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=START_TIMEOUT_S + 30, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        if log is not None and log.exists():
            detail += log.read_text(errors="replace").strip().splitlines()[-3:]
        raise PostgresUnavailable(f"{what} failed after {time.monotonic() - started:.1f} s: {' / '.join(detail)}")
