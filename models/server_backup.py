"""Backups of a server database (issue 14): `perdiem backup` and `restore` with a PostgreSQL
URL run the server's own tools, `pg_dump` and `pg_restore`, as docs/server.md describes.

A backup is pg_dump's custom format (`-Fc`: compressed, restorable table by table), written
to a temporary file 0600 beside the target (it holds patients' records), checked by reading
its table of contents back (`pg_restore --list`, which fails on a cut or foreign file), then
renamed into place: a failed backup leaves no file that looks like one. A restore checks the
file the same way first, keeps the database as it is now in a dump beside the backup, then
replaces it in one transaction (`pg_restore --clean --if-exists --single-transaction`): an
error leaves the database as it was.

The password never goes on a command line (other users of the PC could read it there): the
tools get it in PGPASSWORD, and the URL they get has none. pg_dump must be as new as the
server (PostgreSQL's rule); the tools are looked for on PATH, in $PG_BIN, then in Debian's and
Windows' usual folders.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from models.backup import BackupFailed
from models.errors import DomainError
from models.notify import libpq_url

TIMEOUT = 3600  # seconds a dump or restore may take


def tool(name: str) -> Path:
    """The path of `pg_dump` or `pg_restore`; DomainError saying how to install it."""
    found = shutil.which(name)
    if os.environ.get("PG_BIN"):
        candidate = Path(os.environ["PG_BIN"]) / name
        if candidate.exists() or candidate.with_suffix(".exe").exists():
            return candidate
    if found:
        return Path(found)
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                     key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
                     else 0)
    folders += sorted(glob.glob(r"C:\Program Files\PostgreSQL\*\bin"))
    for folder in reversed(folders):
        candidate = Path(folder) / name
        if candidate.exists() or candidate.with_suffix(".exe").exists():
            return candidate
    raise DomainError(f"{name} was not found: install PostgreSQL's client tools (the "
                      "postgresql-client package, or the PostgreSQL installer on Windows; "
                      "docs/server.md) or set PG_BIN to their folder")


def _target(url: str) -> tuple[str, dict[str, str]]:
    """The URL for the tools without its password, and their environment with it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return libpq_url(parsed.set(password=None).render_as_string(hide_password=False)), env


def _run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=TIMEOUT,
                          check=False)


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0].removeprefix("pg_dump: ").removeprefix("pg_restore: ") if lines else ""


def listed_tables(dump: Path) -> list[str]:
    """The tables whose rows a custom-format dump holds (`pg_restore --list`); BackupFailed
    when it is not such a dump or is cut short."""
    done = _run([str(tool("pg_restore")), "--list", str(dump)])
    if done.returncode != 0:
        raise BackupFailed(f"{dump} is not a readable PostgreSQL dump "
                           f"({_first_line(done.stderr) or 'pg_restore --list failed'})")
    return [line.split()[-2] for line in done.stdout.splitlines()
            if " TABLE DATA " in line and len(line.split()) >= 2]


def dump(url: str, out: Path) -> int:
    """A verified custom-format dump of the server database at `url` written to `out` (0600);
    how many tables' rows it holds."""
    target, env = _target(url)
    folder = out.parent
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=folder)
    os.close(handle)  # created 0600; pg_dump writes into it, keeping the mode
    part = Path(temporary)
    try:
        done = _run([str(tool("pg_dump")), "--format=custom", "--no-owner",
                     f"--file={part}", f"--dbname={target}"], env)
        if done.returncode != 0:
            raise BackupFailed(f"pg_dump failed: {_first_line(done.stderr)}; no backup was "
                               "written")
        tables = listed_tables(part)
        if not any(name == "audit_event" for name in tables):
            raise BackupFailed(f"the dump of {make_url(url).database} holds no PerDiem tables; "
                               "no backup was written")
        os.chmod(part, 0o600)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    return len(tables)


def restore(url: str, backup: Path) -> Path:
    """Replace the server database at `url` by `backup` (checked first), all or nothing; the
    database as it was is dumped beside the backup first: its path."""
    listed_tables(backup)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = backup.with_name(f"{make_url(url).database}-before-restore-{stamp}.dump")
    dump(url, kept)
    target, env = _target(url)
    done = _run([str(tool("pg_restore")), "--clean", "--if-exists", "--single-transaction",
                 "--no-owner", "--exit-on-error", f"--dbname={target}", str(backup)], env)
    if done.returncode != 0:
        raise BackupFailed(f"pg_restore failed: {_first_line(done.stderr)}; the database is as "
                           f"it was (its copy from just before is at {kept})")
    return kept
