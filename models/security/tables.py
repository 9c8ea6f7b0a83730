"""The tables of staff accounts and of the audit trail (migration 0010)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DDL, event
from sqlmodel import Field, SQLModel

from models.records.types import Timestamp


class StaffAccount(SQLModel, table=True):
    __tablename__ = "staff_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True, index=True)
    password_hash: str = Field(max_length=400)
    roles: str = Field(max_length=200)  # comma-separated: models/security/permissions.ROLES
    active: bool = Field(default=True)
    failed_logins: int = Field(default=0)  # failures since the last success
    last_failed_at: dt.datetime | None = Field(default=None, sa_type=Timestamp)
    locked: bool = Field(default=False)  # after LOCK_AFTER failures, until re-enabled
    created_by: str = Field(max_length=60)
    created_at: dt.datetime = Field(sa_type=Timestamp)


class AuditEvent(SQLModel, table=True):
    """One row of the audit trail: append-only (triggers refuse UPDATE and DELETE) and
    chained: `hash` is SHA-256 over the previous row's hash and this row's fields."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(index=True, sa_type=Timestamp)
    username: str = Field(max_length=60, index=True)
    action: str = Field(max_length=40)
    patient_id: str | None = Field(default=None, max_length=64, index=True)
    record_kind: str | None = Field(default=None, max_length=20)
    record_id: str | None = Field(default=None, max_length=64)
    detail: str = Field(default="", max_length=4000)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


APPEND_ONLY = (
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
)

for _sql in APPEND_ONLY:  # a table made by create_all (not the migration) is append-only too
    event.listen(AuditEvent.__table__, "after_create", DDL(_sql).execute_if(dialect="sqlite"))
