"""Copies of a SQLite database file: taken with SQLite's online backup API, verified, private;
the daily copies and their keeping (14 daily, 12 monthly); restoring one.

A copy is a consistent snapshot even while another connection writes (the backup API reads
one transaction's view, which a plain file copy of a WAL database does not), is written to a
temporary file beside its target, checked with `PRAGMA integrity_check`, made a one-file
database (rollback journal, not WAL), flushed to disk and only then moved into place, so a
crash leaves either the old file or the whole verified copy. Every copy is 0600: it holds
patients' records. Like models/db.py this module is SQLite-specific.

Each function takes the database's key (models/cipher.py): a copy of an encrypted database is
encrypted with the same key, and `online_copy(..., target_key=...)` writes a copy encrypted
with another key or none (the `encrypt` and `decrypt` commands), through SQLCipher's
`sqlcipher_export` instead of the backup API (which copies pages as they are).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from models import cipher
from models.errors import DomainError

PRIVATE = 0o600
SAME = "same key as the source"  # online_copy's default target_key


class BackupFailed(DomainError):
    """A copy could not be taken or did not pass its check; nothing was replaced. `problem`
    is what SQLite found wrong with the copy, when that was the reason."""

    def __init__(self, message: str, problem: str | None = None):
        super().__init__(message)
        self.problem = problem


def integrity_problem(conn: sqlite3.Connection, *, quick: bool = False) -> str | None:
    """None when the database passes `PRAGMA integrity_check` (or `quick_check`), else the
    first problems SQLite names."""
    pragma = "quick_check" if quick else "integrity_check"
    # a damaged page can put bytes that are not UTF-8 into the problems SQLite names
    conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
    try:
        rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}(5)").fetchall()]
    except cipher.database_errors() as exc:
        return " ".join(str(exc).split())
    except UnicodeDecodeError:  # SQLite's own message quoted the damaged bytes
        return f"SQLite's {pragma} failed on damaged pages"
    return None if rows == ["ok"] else "; ".join(" ".join(str(r).split()) for r in rows)


def file_problem(path: Path, *, quick: bool = True, key: str | None = None) -> str | None:
    """None when `path` is a readable SQLite database passing its check, else why not. An
    encrypted file is checked with `key`. Opens the file read-only and immutable, so checking
    never changes or creates a file."""
    if not path.is_file():
        return "there is no such file"
    if path.stat().st_size == 0:
        return "the file is empty (0 bytes)"
    if not cipher.is_plain(path) and not key:
        return "the file is not a SQLite database (or is encrypted and no passphrase was given)"
    try:
        with closing(cipher.connect(path, key, readonly=True, immutable=True)) as conn:
            return integrity_problem(conn, quick=quick)
    except cipher.WrongKey:
        return "the passphrase does not open it (or the file is not a database)"
    except cipher.database_errors() as exc:
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


def _export(source: Path, key: str | None, part: Path, target_key: str | None) -> None:
    """Copy the database at `source` (opened with `key`) into the new file `part`, encrypted
    with `target_key` or plain: SQLCipher's sqlcipher_export, in one read transaction of the
    source (one state of the pharmacy, like the backup API's copy)."""
    driver = cipher.driver_module()
    if cipher.keyed(source, key):
        src = cipher.connect(source, key)
    else:
        src = driver.connect(str(source), timeout=10)
    with closing(src):
        src.isolation_level = None
        src.execute("BEGIN")
        try:
            src.execute("ATTACH DATABASE ? AS copy KEY ?", (str(part), target_key or ""))
            src.execute("SELECT sqlcipher_export('copy')")
            version = src.execute("PRAGMA main.user_version").fetchone()[0]
            src.execute(f"PRAGMA copy.user_version = {int(version)}")
        finally:
            src.execute("COMMIT")
        src.execute("DETACH DATABASE copy")


def online_copy(source: Path, target: Path, key: str | None = None, *,
                target_key: str | None = SAME) -> Path:
    """Write a verified copy of the database at `source` (opened with `key` when encrypted)
    to `target` (0600), replacing `target` only once the copy passed `integrity_check`. The
    copy is encrypted as the source is (`target_key` SAME), or with `target_key` (None:
    plain). Raises BackupFailed (WrongKey, KeyNeeded when the key does not open `source`)."""
    if not source.is_file():
        raise BackupFailed(f"{source}: no such database file to copy")
    source_key = key if cipher.keyed(source, key) else None
    out_key = source_key if target_key is SAME else target_key
    part = target.with_name(f".{target.name}.{os.getpid()}.part")
    part.unlink(missing_ok=True)
    try:
        private_file(part)
        if source_key == out_key:  # page for page: SQLite's online backup API
            with closing(cipher.connect(source, source_key)) as src, \
                    closing(cipher.connect(part, out_key)) as dst:
                src.backup(dst)
                # the copy took the source's WAL flag: a copy must be one file on its own
                dst.execute("PRAGMA journal_mode=DELETE")
        else:  # encrypting, decrypting or changing the key
            _export(source, source_key, part, out_key)
        with closing(cipher.connect(part, out_key)) as dst:
            problem = integrity_problem(dst)
        if problem is not None:
            raise BackupFailed(f"The copy of {source} did not pass SQLite's integrity check "
                               f"({problem}); {target} was not written.", problem)
        with open(part, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(part, PRIVATE)
        os.replace(part, target)
        fsync_dir(target.parent)
    except cipher.database_errors() as exc:
        part.unlink(missing_ok=True)
        raise BackupFailed(f"{source} could not be copied to {target} ({exc}).") from exc
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return target


def schema_revision(path: Path, key: str | None = None) -> str | None:
    """The migration a database file is at (its alembic_version), read-only (its write-ahead
    log included); None when it has none or cannot be read (with `key` when encrypted)."""
    if not path.is_file():
        return None
    try:
        with closing(cipher.connect(path, key, readonly=True)) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except (*cipher.database_errors(), DomainError):
        return None
    return row[0] if row else None


# --- the daily copies and restoring one -----------------------------------------------------

KEEP_DAILY, KEEP_MONTHLY = 14, 12
_DAILY = re.compile(r"(?P<stem>.+)-(?P<day>\d{4}-\d{2}-\d{2})\.sqlite")


def backup_folder(db_path: Path) -> Path:
    """Where the copies of `db_path` are kept: `perdiem-backups` beside it (in the user data
    folder for the default database)."""
    return db_path.parent / "perdiem-backups"


def daily_name(db_path: Path, day: dt.date) -> Path:
    return backup_folder(db_path) / f"{db_path.stem}-{day:%Y-%m-%d}.sqlite"


def _daily_copies(db_path: Path) -> dict[dt.date, Path]:
    found = {}
    folder = backup_folder(db_path)
    if folder.is_dir():
        for path in folder.iterdir():
            m = _DAILY.fullmatch(path.name)
            if m and m["stem"] == db_path.stem:
                try:
                    found[dt.date.fromisoformat(m["day"])] = path
                except ValueError:
                    continue
    return found


def kept_days(days: list[dt.date]) -> set[dt.date]:
    """Which daily copies stay: the newest 14 days, and the newest copy of each of the 12
    newest months."""
    newest_first = sorted(set(days), reverse=True)
    keep = set(newest_first[:KEEP_DAILY])
    months: dict[tuple[int, int], dt.date] = {}
    for day in newest_first:
        months.setdefault((day.year, day.month), day)
    keep.update(sorted(months.values(), reverse=True)[:KEEP_MONTHLY])
    return keep


def daily_backup(db_path: Path, today: dt.date, key: str | None = None) -> Path | None:
    """Today's copy of the database (once a day, at the first open; encrypted with `key` as
    the database is), then the copies no longer kept removed. None when today's copy exists
    already."""
    copies = _daily_copies(db_path)
    if today in copies:
        return None
    folder = backup_folder(db_path)
    folder.mkdir(mode=0o700, exist_ok=True)
    made = online_copy(db_path, daily_name(db_path, today), key)
    copies[today] = made
    keep = kept_days(list(copies))
    for day, path in copies.items():
        if day not in keep:
            path.unlink(missing_ok=True)
    return made


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: dt.datetime  # the file's modification time


def list_backups(db_path: Path) -> list[Backup]:
    """Every copy of `db_path` PerDiem made (daily, before an upgrade, before a restore),
    newest first. Not checked: `newest_good` checks them."""
    paths = list(_daily_copies(db_path).values())
    folder = backup_folder(db_path)
    if folder.is_dir():
        paths += [p for p in folder.glob(f"{db_path.stem}-before-restore-*.sqlite")]
    paths += [p for p in db_path.parent.glob(f"{db_path.name}.bak-*")
              if not p.name.endswith(("-wal", "-shm", ".part"))]
    found = [Backup(p, dt.datetime.fromtimestamp(p.stat().st_mtime)) for p in paths
             if p.is_file()]
    return sorted(found, key=lambda b: b.taken, reverse=True)


def newest_good(db_path: Path, key: str | None = None) -> Backup | None:
    """The newest copy that passes SQLite's quick check (opened with `key` if encrypted)."""
    for copy in list_backups(db_path):
        if file_problem(copy.path, key=key) is None:
            return copy
    return None


def restore(db_path: Path, source: Path, known_revisions: set[str],
            now: dt.datetime | None = None, key: str | None = None) -> Path | None:
    """Put the database at `source` in the place of `db_path`, after checking it (a SQLite
    database passing integrity_check, at a schema this PerDiem knows) and keeping the current
    database as a copy (`perdiem-backups/<stem>-before-restore-<time>.sqlite`), whose path is
    returned (None when there was no current database). The database must not be open.

    With `key` (the database is encrypted), an encrypted `source` is opened with it and the
    restored database is encrypted with it, even from a plain copy taken before encryption."""
    problem = file_problem(source, quick=False, key=key)
    if problem is not None:
        raise BackupFailed(f"{source} cannot be restored: {problem}. Nothing was changed.")
    revision = schema_revision(source, key)
    if revision is None or revision not in known_revisions:
        raise BackupFailed(
            f"{source} cannot be restored: " + ("it is not a PerDiem database" if revision
                                                 is None else f"it was written by a newer "
                                                 f"PerDiem (schema {revision})")
            + ". Nothing was changed.")
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    kept = None
    if db_path.exists():
        folder = backup_folder(db_path)
        folder.mkdir(mode=0o700, exist_ok=True)
        kept = folder / f"{db_path.stem}-before-restore-{stamp}.sqlite"
        try:
            online_copy(db_path, kept, key)
        except (BackupFailed, cipher.WrongKey, cipher.KeyNeeded):  # damaged: its bytes as they are
            kept = kept.with_name(kept.stem + "-damaged.sqlite")
            private_file(kept)
            shutil.copyfile(db_path, kept)
            for side in ("-wal", "-shm"):
                extra = db_path.with_name(db_path.name + side)
                if extra.exists():
                    shutil.copyfile(extra, kept.with_name(kept.name + side))
                    os.chmod(kept.with_name(kept.name + side), PRIVATE)
    incoming = db_path.with_name(f".{db_path.name}.restoring")
    online_copy(source, incoming, key, target_key=key or None)
    # the old write-ahead log must not be applied to the restored file (it is in the copy)
    for side in ("-wal", "-shm", "-journal"):
        db_path.with_name(db_path.name + side).unlink(missing_ok=True)
    os.replace(incoming, db_path)
    fsync_dir(db_path.parent)
    return kept
