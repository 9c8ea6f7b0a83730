"""Copies of a SQLite database file: taken with SQLite's online backup API, verified, private.

A copy is a consistent snapshot even while another connection writes (the backup API reads
one transaction's view, which a plain file copy of a WAL database does not), is written to a
temporary file beside its target, checked with `PRAGMA integrity_check`, made a one-file
database (rollback journal, not WAL), flushed to disk and only then moved into place, so a
crash leaves either the old file or the whole verified copy. Every copy is 0600: it holds
patients' records. Like models/db.py this module is SQLite-specific.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from models.errors import DomainError

PRIVATE = 0o600


class BackupFailed(DomainError):
    """A copy could not be taken or did not pass its check; nothing was replaced."""


def integrity_problem(conn: sqlite3.Connection, *, quick: bool = False) -> str | None:
    """None when the database passes `PRAGMA integrity_check` (or `quick_check`), else the
    first problems SQLite names."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}(5)").fetchall()]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if rows == ["ok"] else "; ".join(str(r) for r in rows)


def file_problem(path: Path, *, quick: bool = True) -> str | None:
    """None when `path` is a readable SQLite database passing its check, else why not.
    Opens the file read-only and immutable, so checking never changes or creates a file."""
    if not path.is_file():
        return "there is no such file"
    if path.stat().st_size == 0:
        return "the file is empty (0 bytes)"
    with open(path, "rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            return "the file is not a SQLite database"
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1",
                                     uri=True)) as conn:
            return integrity_problem(conn, quick=quick)
    except sqlite3.DatabaseError as exc:
        return str(exc)


def private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 (the umask cannot widen it), failing if it exists."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in `folder` durable (POSIX; a no-op where unsupported)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def online_copy(source: Path, target: Path) -> Path:
    """Write a verified copy of the database at `source` to `target` (0600), replacing
    `target` only once the copy passed `integrity_check`. Raises BackupFailed."""
    if not source.is_file():
        raise BackupFailed(f"{source}: no such database file to copy")
    part = target.with_name(f".{target.name}.{os.getpid()}.part")
    part.unlink(missing_ok=True)
    try:
        private_file(part)
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(part)) as dst:
            src.backup(dst)
            # the copy took the source's WAL flag: a copy must be one file on its own
            dst.execute("PRAGMA journal_mode=DELETE")
            problem = integrity_problem(dst)
        if problem is not None:
            raise BackupFailed(f"The copy of {source} did not pass SQLite's integrity check "
                               f"({problem}); {target} was not written.")
        with open(part, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(part, PRIVATE)
        os.replace(part, target)
        fsync_dir(target.parent)
    except sqlite3.DatabaseError as exc:
        part.unlink(missing_ok=True)
        raise BackupFailed(f"{source} could not be copied to {target} ({exc}).") from exc
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return target


def schema_revision(path: Path) -> str | None:
    """The migration a database file is at (its alembic_version), read-only (its write-ahead
    log included); None when it has none or cannot be read."""
    if not path.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None
