"""A real PostgreSQL server for the tests, started from the machine's binaries (issue 14).

`Server.start(folder)` runs `initdb` and `pg_ctl` in a new temporary folder (as the `postgres`
user when the tests run as root: PostgreSQL refuses root), listening only on a Unix socket in
that folder, with durability off (a test server: fsync off). Databases are made from
templates (`CREATE DATABASE t TEMPLATE x`), which copies a migrated or filled database in
milliseconds, as tests/support/databases.py copies SQLite files.

No binaries: `missing()` says why; conftest.py fails the PostgreSQL tests loudly with it,
unless PERDIEM_TEST_PG=skip (local use only; CI installs PostgreSQL: .ci/run).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

SKIP_ENV = "PERDIEM_TEST_PG"  # "skip": the PostgreSQL tests are skipped instead of failing
USER = "postgres"


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: $PG_BIN, the PATH, then Debian's layout."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                      key=lambda p: int(Path(p).parent.parent.name))
    return Path(versions[-1]).parent if versions else None


def missing() -> str | None:
    """Why no test server can start, or None."""
    folder = binaries()
    if folder is None or not (folder / "initdb").exists():
        return ("PostgreSQL's initdb and pg_ctl were not found (install the distribution's "
                "`postgresql` package, or set PG_BIN; PERDIEM_TEST_PG=skip skips these tests "
                "locally)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(USER)
        except KeyError:
            return "the tests run as root and there is no `postgres` user to run the server"
    return None


def _as_server_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", USER, "--", *args] if os.geteuid() == 0 else args


@dataclass
class Server:
    """A running test server: its folder, socket and an autocommit admin connection."""

    folder: Path
    bin: Path
    _admin: psycopg.Connection | None = None
    _names: itertools.count = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def start(cls) -> Server:
        folder = Path(tempfile.mkdtemp(prefix="perdiem-pg-"))
        server = cls(folder, binaries() or Path("/nonexistent"))
        if os.geteuid() == 0:
            entry = pwd.getpwnam(USER)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
        data = folder / "data"
        subprocess.run(_as_server_user([str(server.bin / "initdb"), "-D", str(data), "-U", USER,
                                        "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                       check=True, capture_output=True)
        server.resume()
        return server

    def resume(self) -> None:
        """Start the server (again, after `halt`) and wait until it takes connections."""
        options = (f"-k {self.folder} -c listen_addresses='' -c fsync=off "
                   "-c full_page_writes=off -c synchronous_commit=off -c max_connections=200")
        subprocess.run(_as_server_user([str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"),
                                        "-o", options, "-l", str(self.folder / "server.log"),
                                        "-w", "start"]),
                       check=True, capture_output=True)

    def halt(self) -> None:
        """Stop the server as `pg_ctl stop` does (its clients are told it shuts down), keeping
        its data: the server away, for a test that `resume`s it (issue 14)."""
        if self._admin is not None:
            self._admin.close()
        subprocess.run(_as_server_user([str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"),
                                        "-m", "fast", "-w", "stop"]),
                       check=True, capture_output=True)

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
        subprocess.run(_as_server_user([str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"),
                                        "-m", "immediate", "-w", "stop"]),
                       check=False, capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of one database on this server (through its socket)."""
        return f"postgresql://{USER}@/{database}?host={self.folder}"

    def admin(self) -> psycopg.Connection:
        if self._admin is None or self._admin.closed:
            self._admin = psycopg.connect(host=str(self.folder), user=USER, dbname="postgres",
                                          autocommit=True)
        return self._admin

    def new_name(self, prefix: str = "t") -> str:
        return f"{prefix}_{os.getpid()}_{next(self._names)}"

    def create(self, name: str, template: str | None = None) -> str:
        """A new database `name` (a copy of `template` when given); its URL."""
        sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        self.admin().execute(sql)
        return self.url(name)

    def drop(self, name: str) -> None:
        self.admin().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
