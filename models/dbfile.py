"""The database file itself, before and while it is open: damage, network file systems, and
the lock file that names the one PerDiem writing to it.

- `damage`: an empty file (which would silently become an empty pharmacy), a file that is
  not SQLite, or one failing SQLite's `quick_check` is refused (DatabaseDamaged) with the
  newest good backup and the command that restores it.
- `network_problem`: SQLite's locking cannot be trusted on a network file system (NFS, SMB
  and the like: its own documentation says so), and two workstations writing one file there
  corrupt it; such a database is refused with the reason.
- `WriterLock`: `NAME.sqlite.lock` beside the database says who writes to it (user, host,
  process, since). One PerDiem writes at a time; a second one is told who has the database
  and may open it read-only or wait (the app), or is refused in words (a command that writes).
  A lock whose process is gone (same host) or that was not refreshed for STALE_AFTER is stale.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from models import backup, cipher
from models.errors import DomainError


class DatabaseDamaged(DomainError):
    """The database file is empty, not a SQLite database, or fails SQLite's quick check;
    nothing was changed. `backups` lists the copies that pass the check, newest first."""

    def __init__(self, path: Path, problem: str, key: str | None = None):
        self.path, self.problem = path, problem
        self.backups = [b for b in backup.list_backups(path)
                        if backup.file_problem(b.path, key=key) is None]
        text = (f"{path} cannot be opened as a PerDiem database ({problem}): the file is "
                "damaged, or is not a database. Nothing was changed.")
        if self.backups:
            newest = self.backups[0]
            text += (f" The newest good backup is {newest.path} (taken "
                     f"{newest.taken:%Y-%m-%d %H:%M}). To restore it: "
                     f"{restore_command(path, newest.path)}")
        else:
            text += (" No backup of it was found. Restore one you have with: "
                     f"{restore_command(path, Path('BACKUP-FILE'))}")
        super().__init__(text)


def restore_command(path: Path, copy: Path) -> str:
    return f'perdiem --db "{path}" restore "{copy}"'


def damage(path: Path, key: str | None = None) -> str | None:
    """Why the database file at `path` cannot be opened safely, or None: empty (a 0-byte
    file would silently become an empty pharmacy), not SQLite, or failing `quick_check`
    (which reads the write-ahead log too). An encrypted file is checked with `key`; a key
    that does not open it is WrongKey (models/cipher.py), raised, not a damage."""
    if path.stat().st_size == 0:
        return "the file is empty (0 bytes)"
    if not cipher.is_plain(path) and not key:
        return ("the file is not a SQLite database, or is encrypted and no passphrase was "
                f"given (${cipher.KEY_VARIABLE}, or asked on a terminal)")
    try:
        with closing(cipher.connect(path, key, timeout=10)) as conn:
            return backup.integrity_problem(conn, quick=True)
    except cipher.database_errors() as exc:
        return str(exc)


# --- network file systems ------------------------------------------------------------------

NETWORK_FS = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "ncpfs", "afs", "9p", "fuse.sshfs",
              "sshfs", "davfs", "fuse.davfs2", "glusterfs", "fuse.glusterfs", "ceph",
              "fuse.ceph", "lustre", "gpfs", "ocfs2", "gfs2", "fuse.s3fs", "fuse.rclone"}


def mount_type(path: Path, mounts: str | None = None) -> str | None:
    """The file system type of the mount holding `path` (Linux: /proc/mounts), or None when
    it cannot be told."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    target = str(path.resolve())
    best, kind = "", None
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind


DRIVE_REMOTE = 4  # Windows' GetDriveTypeW for a mapped network drive
ON_WINDOWS = os.name == "nt"


def windows_share(path: str, drive_type=None) -> str | None:
    """On Windows: "a network share (\\\\server\\share)" for a UNC path, "a mapped network
    drive (Z:)" for a drive letter Windows says is remote, else None. `drive_type` is
    GetDriveTypeW (given by a test; on Windows taken from the system)."""
    from pathlib import PureWindowsPath

    drive = PureWindowsPath(path).drive
    if drive.startswith(("\\\\", "//")):
        return f"a network share ({drive})"
    if len(drive) == 2 and drive[1] == ":":
        if drive_type is None and os.name == "nt":  # pragma: no cover - Windows only
            import ctypes

            drive_type = ctypes.windll.kernel32.GetDriveTypeW  # type: ignore[attr-defined]
        if drive_type is not None and drive_type(drive + "\\") == DRIVE_REMOTE:
            return f"a mapped network drive ({drive})"
    return None


def network_problem(path: Path, mounts: str | None = None) -> str | None:
    """Why the database at `path` must not be used where it is, or None: a Linux network file
    system (/proc/mounts), a Windows share or mapped network drive."""
    where = windows_share(str(path)) if ON_WINDOWS else None
    if where is None:
        kind = mount_type(path.parent if not path.exists() else path, mounts)
        if kind is None or kind.lower() not in NETWORK_FS:
            return None
        where = f"a network file system ({kind})"
    return (f"{path} is on {where}. SQLite cannot lock a file there "
            "reliably, and two workstations writing it would corrupt the pharmacy's records. "
            "Keep the database on this computer's own disk (and back it up to the network), "
            "or put the pharmacy on a PostgreSQL server for several workstations "
            "(docs/server.md).")


# --- the lock file ---------------------------------------------------------------------------

STALE_AFTER = dt.timedelta(minutes=10)  # the app refreshes its lock every minute


@dataclass(frozen=True)
class Holder:
    """Who writes to a database: from its lock file."""

    user: str
    host: str
    pid: int
    since: dt.datetime
    purpose: str = "the app"

    def __str__(self) -> str:
        return (f"{self.user} on {self.host} ({self.purpose}, process {self.pid}, since "
                f"{self.since:%Y-%m-%d %H:%M})")


class DatabaseInUse(DomainError):
    """Another PerDiem writes to this database; nothing was changed."""

    def __init__(self, path: Path, holder: Holder):
        self.path, self.holder = path, holder
        super().__init__(f"{path} is open for writing by {holder}. One PerDiem writes to a "
                         "database at a time: run this again once it is closed there (or "
                         "open it read-only in the app).")


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def holder(db_path: Path, now: dt.datetime | None = None) -> Holder | None:
    """Who holds the lock of `db_path`, or None when nobody does (no lock, or a stale one)."""
    path = lock_path(db_path)
    try:
        raw = path.read_text(encoding="utf-8")
        modified = dt.datetime.fromtimestamp(path.stat().st_mtime)
    except OSError:
        return None
    try:
        data = json.loads(raw)
        found = Holder(str(data["user"]), str(data["host"]), int(data["pid"]),
                       dt.datetime.fromisoformat(data["since"]), str(data.get("purpose", "")))
    except (ValueError, KeyError, TypeError):  # being written this instant, or damaged
        found = Holder("someone", "an unknown computer", 0, modified)
    if (now or dt.datetime.now()) - modified > STALE_AFTER:
        return None
    if found.host == socket.gethostname() and found.pid and not _alive(found.pid):
        return None
    return found


class WriterLock:
    """This process's claim to write to `db_path` (see the module's docstring)."""

    def __init__(self, db_path: Path, user: str, purpose: str = "the app"):
        self.db_path, self.path = db_path, lock_path(db_path)
        self.me = Holder(user, socket.gethostname(), os.getpid(),
                         dt.datetime.now().replace(microsecond=0), purpose)
        self.held = False

    def acquire(self) -> None:
        """Take the lock, or raise DatabaseInUse naming who has it."""
        for _ in range(2):
            other = holder(self.db_path)
            if other is not None and (other.host, other.pid) != (self.me.host, self.me.pid):
                raise DatabaseInUse(self.db_path, other)
            if other is None:
                self.path.unlink(missing_ok=True)  # a stale lock
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                continue  # another process took it this instant: look again
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"user": self.me.user, "host": self.me.host, "pid": self.me.pid,
                           "since": self.me.since.isoformat(), "purpose": self.me.purpose}, f)
            self.held = True
            return
        other = holder(self.db_path)
        raise DatabaseInUse(self.db_path, other or Holder("someone", "another computer", 0,
                                                           dt.datetime.now()))

    def refresh(self) -> None:
        """Say the lock is still in use (its modification time), as the app does."""
        if self.held:
            try:
                os.utime(self.path)
            except OSError:
                pass

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        current = holder(self.db_path)
        if current is None or (current.host, current.pid) == (self.me.host, self.me.pid):
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()
