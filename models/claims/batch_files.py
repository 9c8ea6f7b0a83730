"""Claim files atomic with their batch: recorded pending, files written, then completed.

A claim file on disk whose days no batch holds would be billed again by the next export; a
batch whose file never reached the disk would hold days nobody billed. So an export takes
three steps, each durable before the next:

1. one transaction records the batch as `pending` with its claims, their days, and the path
   and SHA-256 of every file it is about to write (the days are now held);
2. each file is written to a temporary file beside its place, flushed to disk (fsync), moved
   into place (`os.replace`) and its folder flushed;
3. one transaction marks the batch `completed`.

A crash between the steps leaves a pending batch, which the next open of the database settles
(`settle_pending`, called by models.db.open_database): when every file is in place with the
recorded SHA-256 the batch is completed (the files are the claims it records); otherwise the
files of the batch that did reach the disk are removed and the batch, its claims and days are
deleted (the days are released and the next export bills them once).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete
from sqlmodel import Session, col, select

from models.backup import PRIVATE, fsync_dir
from models.claims import held_days
from models.records.changes import CLAIM, note_change
from models.records.tables import Claim, ClaimBatch, ClaimDay, ClaimVisit

PENDING, COMPLETED = "pending", "completed"
STATUSES = (PENDING, COMPLETED)

Transactions = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class Settled:
    """What opening the database did with a batch a crash left pending."""

    batch_id: int
    completed: bool  # True: its files were all in place; False: rolled back, days released
    removed: tuple[str, ...] = ()  # files of a rolled-back batch taken off the disk

    def __str__(self) -> str:
        if self.completed:
            return (f"Claim batch {self.batch_id} was interrupted after its files were "
                    "written; its files are complete, so the batch is now recorded.")
        gone = f" (removed {', '.join(self.removed)})" if self.removed else ""
        return (f"Claim batch {self.batch_id} was interrupted before its files were all "
                f"written; it was rolled back{gone} and its days can be claimed again.")


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def file_digest(path: Path) -> str | None:
    """The SHA-256 of a file, read in chunks; None when it is not there."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    return h.hexdigest()


def files_json(files: Iterable[tuple[Path, bytes]]) -> str:
    """What a pending batch records of the files it is about to write: path and SHA-256."""
    return json.dumps([{"path": str(path), "sha256": digest(content)}
                       for path, content in files])


def write_durably(path: Path, content: bytes) -> None:
    """Put `content` at `path` whole or not at all, on the disk before this returns: a
    temporary file (0600) beside it, fsync, rename into place, fsync of the folder."""
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def _recorded_files(batch: ClaimBatch) -> list[tuple[Path, str]]:
    try:
        return [(Path(f["path"]), f["sha256"]) for f in json.loads(batch.files or "[]")]
    except (ValueError, TypeError, KeyError):
        return []


def remove_own_files(batch: ClaimBatch) -> tuple[str, ...]:
    """Remove the files of `batch` that are on disk with the content it recorded (a file
    someone else put at that path is left alone), and their temporary files."""
    removed = []
    for path, sha in _recorded_files(batch):
        for part in path.parent.glob(f".{path.name}.*.part"):
            part.unlink(missing_ok=True)
        if file_digest(path) == sha:
            path.unlink(missing_ok=True)
            removed.append(str(path))
    if removed:
        fsync_dir(Path(removed[0]).parent)
    return tuple(removed)


def complete(session: Session, batch_id: int) -> bool:
    """Mark a pending batch completed; False when it is no longer there (another PerDiem
    opening the database settled it as interrupted meanwhile)."""
    batch = session.get(ClaimBatch, batch_id)
    if batch is None:
        return False
    batch.status = COMPLETED
    session.add(batch)
    session.flush()
    return True


def discard(session: Session, batch: ClaimBatch) -> bool:
    """Delete a batch, its claims and their days (the days are released). False, and nothing
    deleted, when a later claim replaces one of its claims (then it must stay recorded)."""
    ids = list(session.exec(select(Claim.id).where(Claim.batch_id == batch.id)).all())
    if ids and session.exec(select(Claim.id).where(col(Claim.replaces_claim_id).in_(ids),
                                                   Claim.batch_id != batch.id)).first():
        return False
    patients = set(session.exec(select(Claim.patient_id).where(Claim.batch_id == batch.id)))
    replaced = set(session.exec(select(Claim.replaces_claim_id).where(
        Claim.batch_id == batch.id, col(Claim.replaces_claim_id).is_not(None))))
    if ids:
        session.execute(delete(ClaimDay).where(col(ClaimDay.claim_id).in_(ids)))
        session.execute(delete(ClaimVisit).where(col(ClaimVisit.claim_id).in_(ids)))
        session.execute(delete(Claim).where(col(Claim.id).in_(ids)))
    session.delete(batch)
    session.flush()
    held_days.recheck(session, replaced - set(ids))  # the claims they replaced bill again
    note_change(session, CLAIM)
    for patient_id in patients:
        note_change(session, CLAIM, patient_id)
    return True


def roll_back(work: Transactions, batch_id: int) -> None:
    """Undo a batch whose files could not all be written: remove those that were, then the
    batch with its claims and days."""
    with work() as session:
        batch = session.get(ClaimBatch, batch_id)
        if batch is None:
            return
        remove_own_files(batch)
        if not discard(session, batch):  # cannot happen to a batch just recorded
            batch.status = COMPLETED
            session.add(batch)


def settle_pending(session: Session) -> list[Settled]:
    """Finish or roll back every batch a crash left pending (see the module's docstring)."""
    settled = []
    for batch in session.exec(select(ClaimBatch).where(ClaimBatch.status == PENDING)
                              .order_by(col(ClaimBatch.id))).all():
        files = _recorded_files(batch)
        whole = bool(files) and all(file_digest(path) == sha for path, sha in files)
        if whole or not discard(session, batch):
            batch.status = COMPLETED
            session.add(batch)
            session.flush()
            settled.append(Settled(batch.id, True))
        else:
            settled.append(Settled(batch.id, False, remove_own_files(batch)))
    return settled
