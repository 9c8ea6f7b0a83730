"""Encrypting and decrypting a database file (the `encrypt` and `decrypt` commands).

The file is converted to a new file beside it (SQLCipher's sqlcipher_export through
models/backup.online_copy, which checks the copy with integrity_check), and the copy is
verified against the original: the same schema revision and the same number of rows in
every table. Only then is the copy swapped in (one atomic rename), the original kept under a
second name until the swapped-in file has been opened and checked again with its key; then the
original is removed (or put back, when that check fails). The write-ahead log of the original
was checkpointed into it first and is removed with it, so it is never applied to the new file.

PerDiem's own copies of the database (perdiem-backups/ and the copies taken before upgrades)
are converted the same way, so no plain copy of an encrypted database stays behind (and a
decrypted database's copies open without a key). The database must not be open elsewhere:
the caller holds its writer lock.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from models import backup, cipher
from models.errors import DomainError


class ConversionFailed(DomainError):
    """The converted copy did not match the original; the original is as it was."""


@dataclass
class Converted:
    path: Path
    encrypted: bool
    tables: int = 0
    rows: int = 0
    copies: list[Path] = field(default_factory=list)

    def __str__(self) -> str:
        state = "encrypted" if self.encrypted else "decrypted (plain SQLite)"
        text = (f"{self.path} is now {state}: {self.rows:,} rows in {self.tables} tables, "
                "checked against the original.")
        if self.copies:
            text += f" Its {len(self.copies)} backup copies were converted too."
        return text


def _counts(path: Path, key: str | None) -> dict[str, int]:
    """Rows per table of the database at `path` (opened with `key` when encrypted)."""
    with closing(cipher.connect(path, key)) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _checkpoint(path: Path, key: str | None) -> None:
    """Move the write-ahead log's pages into the file, so the file alone is the database."""
    with closing(cipher.connect(path, key)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def convert_file(path: Path, key: str | None, new_key: str | None) -> tuple[int, int]:
    """Convert the one file at `path` (opened with `key`) to `new_key` (None: plain), verified,
    swapped in atomically; (tables, rows). Raises ConversionFailed (the file as it was)."""
    _checkpoint(path, key)
    before = _counts(path, key)
    revision = backup.schema_revision(path, key)
    part = path.with_name(f".{path.name}.converting")
    old = path.with_name(f".{path.name}.before-conversion")
    backup.online_copy(path, part, key, target_key=new_key)
    try:
        after = _counts(part, new_key)
        if after != before or backup.schema_revision(part, new_key) != revision:
            differ = sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))
            raise ConversionFailed(f"the converted copy of {path} does not match it (tables "
                                   f"{', '.join(differ) or 'none'}; schema {revision}). "
                                   "Nothing was changed.")
        old.unlink(missing_ok=True)
        try:  # the original, kept until the swapped-in file is checked
            os.link(path, old)
        except OSError:  # a file system without hard links
            shutil.copyfile(path, old)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, path)
    for side in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + side).unlink(missing_ok=True)
    backup.fsync_dir(path.parent)
    problem = backup.file_problem(path, quick=False, key=new_key)
    if problem is None and _counts(path, new_key) != before:
        problem = "its rows differ from the original's"
    if problem is not None:
        os.replace(old, path)
        backup.fsync_dir(path.parent)
        raise ConversionFailed(f"{path} did not check out after the conversion ({problem}); "
                               "the original was put back.")
    old.unlink()
    return len(before), sum(before.values())


def _copies(path: Path) -> list[Path]:
    return [b.path for b in backup.list_backups(path)]


def convert(path: Path, key: str | None, new_key: str | None) -> Converted:
    """Encrypt (`new_key`), decrypt (`key` and no `new_key`) or re-key the database at `path`
    and every copy PerDiem keeps of it. Raises WrongKey/KeyNeeded (cipher), ConversionFailed,
    BackupFailed; the database is converted whole or not at all."""
    if not path.is_file():
        raise DomainError(f"{path}: no such database file")
    if new_key and key is None and cipher.is_encrypted(path):
        raise DomainError(f"{path} is encrypted already (to change its passphrase, decrypt it "
                          "first).")
    if not new_key and not cipher.is_encrypted(path):
        raise DomainError(f"{path} is not encrypted: there is nothing to decrypt.")
    if new_key and (problem := cipher.passphrase_problem(new_key)):
        raise DomainError(f"passphrase: {problem}.")
    cipher.check_key(path, key)
    problem = backup.file_problem(path, quick=False, key=key)
    if problem is not None:
        raise DomainError(f"{path} cannot be converted: {problem}. Nothing was changed.")
    tables, rows = convert_file(path, key, new_key)
    done = Converted(path, bool(new_key), tables, rows)
    for copy in _copies(path):
        copy_key = key if cipher.is_encrypted(copy) else None
        if bool(copy_key) == bool(new_key) and copy_key == new_key:
            continue  # already as wanted
        try:
            convert_file(copy, copy_key, new_key)
        except (DomainError, sqlite3.DatabaseError, *cipher.database_errors()):
            continue  # a damaged or foreign copy is left as it is; the database is done
        done.copies.append(copy)
    return done
