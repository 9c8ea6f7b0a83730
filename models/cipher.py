"""Encrypted database files: SQLCipher (through the sqlcipher3 driver) and where the key
comes from.

A PerDiem database file is either plain SQLite (its first 16 bytes are "SQLite format 3")
or encrypted with SQLCipher (AES-256, the key derived from a passphrase with PBKDF2; the
first 16 bytes are a random salt, so nothing in the file says what it is). Every piece of
PerDiem that opens a file (models/db.py's engines and migrations, models/dbfile.py's damage
check, models/backup.py's copies, checks and restores) opens it through `connect` with the
key it was given: a plain file opens plainly whatever key is given (a backup taken before the
file was encrypted stays readable), an encrypted one only with its key, and a new file is
encrypted when a key is given. A copy of an encrypted file is encrypted with the same key.

The key itself comes from the person, never from the file or the settings: `$PERDIEM_DB_KEY`
or the terminal (the command line), a dialog (the app), or the system keyring (the `keyring`
package: GNOME Keyring/KWallet, macOS Keychain, Windows Credential Manager), where one is
installed and the passphrase was stored in it (`encrypt --remember`).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from models.errors import DomainError

HEADER = b"SQLite format 3\x00"
KEY_VARIABLE = "PERDIEM_DB_KEY"
KEYRING_SERVICE = "PerDiem database"
MIN_PASSPHRASE = 10


class KeyNeeded(DomainError):
    """The file is encrypted (or is not a database) and no passphrase was given."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(f"{path} is encrypted (or is not a SQLite database): give its "
                         f"passphrase (asked on the terminal, or ${KEY_VARIABLE}).")


class WrongKey(DomainError):
    """The passphrase given does not open the encrypted file; nothing was changed."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__(f"The passphrase does not open {path}: it is wrong, or the file is "
                         "not a PerDiem database or is damaged. Nothing was changed.")


def _driver() -> Any:
    from sqlcipher3 import dbapi2

    return dbapi2


def database_errors() -> tuple[type[Exception], ...]:
    """The driver errors a check of a file catches: the stdlib's and SQLCipher's (which are
    not subclasses of each other)."""
    return (sqlite3.DatabaseError, _driver().DatabaseError)


def driver_module() -> Any:
    """The DB-API module SQLAlchemy uses for an encrypted file (create_engine(module=...))."""
    return _driver()


def is_plain(path: Path) -> bool:
    """True when `path` is a file starting with SQLite's header (readable without a key)."""
    try:
        with open(path, "rb") as f:
            return f.read(16) == HEADER
    except OSError:
        return False


def is_encrypted(path: Path) -> bool:
    """True when `path` holds bytes that are not plain SQLite: an encrypted database (or
    something that is not a database at all; only a key can tell)."""
    try:
        return path.stat().st_size > 0 and not is_plain(path)
    except OSError:
        return False


def keyed(path: Path, key: str | None) -> bool:
    """Whether `path` is opened with `key`: a key is given and the file is not plain SQLite
    (an encrypted file, or a new or empty one, which becomes encrypted)."""
    return bool(key) and not is_plain(path)


def key_pragma(key: str) -> str:
    """`PRAGMA key` for a passphrase (SQLCipher derives the key from it)."""
    return "PRAGMA key = '" + key.replace("'", "''") + "'"


def apply_key(conn: Any, key: str) -> None:
    """Give a fresh sqlcipher3 connection its key (the first statement it runs). SQLCipher's
    own log is silenced: a wrong key is said once, in PerDiem's words."""
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(key_pragma(key))


def connect(path: Path, key: str | None, *, readonly: bool = False, immutable: bool = False,
            timeout: float = 10.0) -> Any:
    """A DB-API connection to the database file at `path`: the stdlib sqlite3 for a plain file
    (any key is then unused), sqlcipher3 with `key` for an encrypted (or new) one. Raises
    KeyNeeded for an encrypted file without a key, WrongKey when the key does not open it."""
    target: str | Path = path
    options = []
    if readonly:
        options.append("mode=ro")
    if immutable:
        options.append("immutable=1")
    uri = bool(options)
    if uri:
        target = f"{path.resolve().as_uri()}?{'&'.join(options)}"
    if not keyed(path, key):
        if is_encrypted(path):
            raise KeyNeeded(path)
        return sqlite3.connect(target, timeout=timeout, uri=uri)
    driver = _driver()
    conn = driver.connect(str(target), timeout=timeout, uri=uri)
    try:
        apply_key(conn, key or "")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except driver.DatabaseError as exc:
        conn.close()
        raise WrongKey(path) from exc
    return conn


def check_key(path: Path, key: str | None) -> None:
    """Refuse (KeyNeeded, WrongKey) an encrypted file the key does not open; nothing is
    written (the file is opened read-only)."""
    if is_encrypted(path):
        connect(path, key, readonly=True).close()


# --- where the key comes from ------------------------------------------------------------


def keyring_problem() -> str | None:
    """Why the system keyring cannot be used here, or None when it can."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return "the keyring package is not installed"
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # noqa: BLE001 - a broken keyring configuration
        return f"the system keyring cannot be reached ({type(exc).__name__})"
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return "this computer has no system keyring (GNOME Keyring, KWallet, Keychain...)"
    return None


def _keyring_name(path: Path) -> str:
    return str(path.resolve())


def keyring_key(path: Path) -> str | None:
    """The passphrase stored in the system keyring for `path`, or None (none stored, or no
    keyring on this computer: `keyring_problem` says which)."""
    if keyring_problem() is not None:
        return None
    import keyring

    try:
        return keyring.get_password(KEYRING_SERVICE, _keyring_name(path))
    except Exception:  # noqa: BLE001 - a locked or failing keyring: the person is asked
        return None


def remember_key(path: Path, key: str) -> str | None:
    """Store the passphrase of `path` in the system keyring; None when stored, else why not."""
    problem = keyring_problem()
    if problem is not None:
        return problem
    import keyring

    try:
        keyring.set_password(KEYRING_SERVICE, _keyring_name(path), key)
    except Exception as exc:  # noqa: BLE001 - the keyring refused
        return f"the system keyring refused it ({type(exc).__name__})"
    return None


def forget_key(path: Path) -> None:
    """Remove the passphrase of `path` from the system keyring, if one is stored there."""
    if keyring_problem() is not None:
        return
    import keyring

    try:
        keyring.delete_password(KEYRING_SERVICE, _keyring_name(path))
    except Exception:  # noqa: BLE001 - none was stored
        pass


def given_key() -> str | None:
    """The passphrase in $PERDIEM_DB_KEY, or None."""
    return os.environ.get(KEY_VARIABLE) or None


def passphrase_problem(key: str) -> str | None:
    """Why a new passphrase is refused, or None."""
    if len(key) < MIN_PASSPHRASE:
        return f"the passphrase must have at least {MIN_PASSPHRASE} characters"
    return None
