"""The audit trail: one append-only table, each row chained to the one before by SHA-256.

`record` adds a row in the caller's transaction (the change and its row commit together or
not at all; writes begin IMMEDIATE, so the last row read here is the last row there is).
`verify` walks the chain and names the first row whose hash does not follow: a row changed,
removed or put in between. `rows` reads it back with filters (the `audit` command, the viewer).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass

from sqlmodel import Session, col, select

from models.records.types import UTC, aware, local_naive
from models.security.tables import AuditEvent

GENESIS = "0" * 64
_LAST = "perdiem_audit_last"  # the session's last row hash, so an import does not re-read it

# actions (the `action` column)
LOGIN = "login"
LOGIN_FAILED = "login failed"
LOCKED_OUT = "account locked"
SCREEN_LOCK = "screen locked"
CREATED = "created"
EDITED = "edited"
VOIDED = "voided"
VIEWED = "viewed"
PACKET = "packet"
CLAIM_BATCH = "claim batch"
IMPORT = "import"
EXPORT = "export"
BACKUP = "backup"
RESTORE = "restore"
ACCOUNT = "account"
BILLABLE_DAYS = "billable days viewed"  # a patient's (or every patient's) days of a period
BILLABLE_VISITS = "billable visits viewed"  # R34's table of a period (`billable-visits`)
WORKLIST = "work list viewed"  # the Today page, `worklist`, and the work list's PDF
MONTH = "month viewed"  # the pharmacy's billing month (month view, `month`)
ENCRYPTED = "encrypted"
DECRYPTED = "decrypted"

FIELDS = ("id", "at", "username", "action", "patient_id", "record_kind", "record_id",
          "detail", "prev_hash", "hash")


def _digest(prev: str, row: AuditEvent, *, legacy: bool = False) -> str:
    """The row's hash: over its moment in UTC (the same on every desk, whatever its time
    zone); `legacy`: over local wall time, as rows written before migration 0012 took it."""
    at = local_naive(row.at) if legacy else aware(row.at).astimezone(UTC).replace(tzinfo=None)
    body = json.dumps([prev, row.id, at.isoformat(timespec="microseconds"), row.username,
                       row.action, row.patient_id, row.record_kind, row.record_id, row.detail],
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def _last(session: Session) -> tuple[int, str]:
    cached = session.info.get(_LAST)
    if cached is not None:
        return cached
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    return (last.id or 0, last.hash) if last else (0, GENESIS)


def record(session: Session, actor: str, action: str, *, patient_id: str | None = None,
           record_kind: str | None = None, record_id: str | None = None, detail: str = "",
           at: dt.datetime | None = None) -> None:
    """Append one row to the trail in the session's transaction. `detail` names what was done
    (a file name, a count), never a record's values."""
    last_id, prev = _last(session)
    row = AuditEvent(id=last_id + 1, at=at or dt.datetime.now().astimezone(), username=actor[:60],
                     action=action, patient_id=patient_id, record_kind=record_kind,
                     record_id=record_id, detail=detail[:4000], prev_hash=prev, hash="")
    row.hash = _digest(prev, row)
    session.add(row)
    session.flush()
    session.info[_LAST] = (row.id, row.hash)


def forget_last(session: Session) -> None:
    """After a rollback the cached last row is not in the database: read it again."""
    session.info.pop(_LAST, None)


@dataclass(frozen=True)
class Broken:
    row_id: int
    problem: str

    def __str__(self) -> str:
        return f"audit row {self.row_id}: {self.problem}"


def verify(session: Session) -> Broken | None:
    """The first broken link of the chain, or None when every row follows the one before."""
    prev, expected_id = GENESIS, 1
    for row in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
        if row.id != expected_id:
            return Broken(expected_id, f"is missing (the next row is {row.id}): a row was "
                          "removed")
        if row.prev_hash != prev:
            return Broken(row.id or 0, "does not follow the row before it (a row before it was "
                          "removed or changed)")
        if row.hash not in (_digest(prev, row), _digest(prev, row, legacy=True)):
            return Broken(row.id or 0, "was changed after it was written (its hash does not "
                          "match its contents)")
        prev, expected_id = row.hash, expected_id + 1
    return None


def rows(session: Session, *, start: dt.date | None = None, end: dt.date | None = None,
         user: str | None = None, patient: str | None = None) -> list[AuditEvent]:
    """The trail, oldest first, from `start` to `end` (days, both included)."""
    stmt = select(AuditEvent).order_by(col(AuditEvent.id))
    if start is not None:
        stmt = stmt.where(AuditEvent.at >= dt.datetime.combine(start, dt.time()))
    if end is not None:
        stmt = stmt.where(AuditEvent.at < dt.datetime.combine(end + dt.timedelta(days=1),
                                                               dt.time()))
    if user:
        stmt = stmt.where(AuditEvent.username == user)
    if patient:
        stmt = stmt.where(AuditEvent.patient_id == patient)
    return list(session.exec(stmt).all())


def as_csv(found: list[AuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for row in found:
        writer.writerow([getattr(row, f) if f != "at"
                         else local_naive(row.at).isoformat(timespec="seconds") for f in FIELDS])
    return out.getvalue()
