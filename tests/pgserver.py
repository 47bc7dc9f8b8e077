"""A throwaway PostgreSQL cluster for the tests: ``initdb`` in a temporary folder, started
on a loopback port, stopped and removed at the end (run as the ``postgres`` user when the
tests run as root). ``$FEEDS_TEST_POSTGRES`` (a URL whose user may create databases) uses
an existing server instead.

Each test gets a database of its own, created from a template that is already migrated
(``Cluster.database``): a few milliseconds, and no test sees another's rows.

Where no server can be started, the tests that need one skip, saying how to get one; when
``$CI`` is set they fail instead.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ENV_URL = "FEEDS_TEST_POSTGRES"
HOW = (
    "PostgreSQL tests need the PostgreSQL server binaries (initdb, pg_ctl: "
    "apt-get install postgresql) or $FEEDS_TEST_POSTGRES=postgresql://user@host:port/db "
    "naming a server where that user may create databases"
)
#: A role whose login is refused (wrong password): tests of the one-line error.
LOCKED_ROLE = "locked"


def _bindir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """A running server: ``url(db)`` names one of its databases."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")  # postgresql://user@host:port
        self._numbers = itertools.count(1)
        self._template: str | None = None

    def url(self, db: str = "postgres", user: str | None = None) -> str:
        if user is None:
            return f"{self.base}/{db}"
        host = self.base.split("@", 1)[-1]
        return f"postgresql://{user}@{host}/{db}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def database(self, *, migrated: bool = True) -> str:
        """A new database's URL: empty, or with the store's schema (from a template)."""
        name = f"t{os.getpid()}_{next(self._numbers)}"
        template = self._migrated_template() if migrated else "template0"
        self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def _migrated_template(self) -> str:
        if self._template is None:
            from feeds.store.postgres.store import PostgresStore

            name = f"feeds_template_{os.getpid()}"
            self.admin(f'DROP DATABASE IF EXISTS "{name}"')
            self.admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
            PostgresStore(self.url(name)).close()
            self._template = name
        return self._template


def _run_as(user: str | None, args: list[str], **kw: object) -> None:
    prefix = ["runuser", "-u", user, "--"] if user else []
    subprocess.run(prefix + args, check=True, capture_output=True, **kw)  # type: ignore[call-overload]


@contextlib.contextmanager
def _started(bindir: Path) -> Iterator[Cluster]:
    user = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="feeds-pg-"))
    try:
        if user:
            shutil.chown(folder, user)
        data, port = folder / "data", _free_port()
        _run_as(user, [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                       "-E", "UTF8", "--locale=C", "--no-sync"])  # fmt: skip
        _write_hba(data / "pg_hba.conf")
        options = (f"-c listen_addresses=127.0.0.1 -c port={port} -c fsync=off "
                   f"-c synchronous_commit=off -c full_page_writes=off "
                   f"-c unix_socket_directories={folder} -c max_connections=200")  # fmt: skip
        _run_as(user, [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-t", "60", "-o", options,
                       "-l", str(folder / "log"), "start"])  # fmt: skip
        try:
            cluster = Cluster(f"postgresql://postgres@127.0.0.1:{port}")
            cluster.admin(f"CREATE ROLE {LOCKED_ROLE} LOGIN PASSWORD 'right'")
            yield cluster
        finally:
            _run_as(user, [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write_hba(path: Path) -> None:
    path.write_text(
        f"host all {LOCKED_ROLE} 127.0.0.1/32 scram-sha-256\n"
        "local all all trust\n"
        "host all all 127.0.0.1/32 trust\n"
    )


def _unavailable(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{why}: {HOW} (CI is set, so they must run)")
    pytest.skip(f"{why}: {HOW}")


@contextlib.contextmanager
def cluster() -> Iterator[Cluster]:
    """The tests' server (see the module docstring)."""
    if os.environ.get(ENV_URL):
        yield Cluster(os.environ[ENV_URL].rsplit("/", 1)[0])
        return
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[dev]')")
    bindir = _bindir()
    if bindir is None:
        _unavailable("no PostgreSQL server binaries found")
    assert bindir is not None
    try:
        started = _started(bindir)
        running = started.__enter__()
    except (subprocess.CalledProcessError, OSError) as e:
        detail = getattr(e, "stderr", b"") or b""
        _unavailable(f"PostgreSQL could not be started ({e}; {detail.decode(errors='replace')})")
        raise
    try:
        yield running
    finally:
        started.__exit__(None, None, None)
