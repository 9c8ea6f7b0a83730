"""Rows by id for the record services: found or a NotFound in words, references that must
exist, fresh ids like `o-12`, inserts that replace, and the moment a change is recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, func, select

from models import clock
from models.errors import FieldError, NotFound, ValidationFailed
from models.records import registry
from models.records.registry import RecordKind
from models.records.types import local

T = TypeVar("T", bound=SQLModel)


def now() -> dt.datetime:
    """Local time to the second, on the rules' today (models/clock.py): when a change is
    recorded."""
    return clock.now()


def moment(at: dt.datetime | None) -> dt.datetime:
    """When a change is recorded: `at` given (a replay's, an import's; naive is local time) as
    an aware local datetime, as the database gives it back (models/records/types.py), else
    `now()`."""
    return local(at) if at is not None else now()


def get_row(session: Session, table: type[T], key: Any, label: str) -> T:
    """The row of `table` with primary key `key`; NotFound naming the `label` otherwise."""
    row = session.get(table, key)
    if row is None:
        raise NotFound(f"There is no {label} with id \"{key}\".")
    return row


def require(session: Session, kind: RecordKind[Any, Any], key: str | None,
            fld: str | None = None) -> None:
    """A record refers to `key` of `kind`: refuse it, on field `fld` (the kind's key by
    default), when there is no such record."""
    if key and session.get(kind.table, key) is None:
        raise ValidationFailed([FieldError(fld or kind.key,
                                           f'no {kind.label} with id "{key}"')])


def new_id(session: Session, kind: RecordKind[Any, Any]) -> str:
    """A fresh id for a record made in the app, like `o-12`: prefix and next free number."""
    table: Any = kind.table
    prefix = kind.id_prefix + "-"
    ids = session.exec(select(table.id).where(col(table.id).startswith(prefix))).all()
    numbers = [int(i[len(prefix):]) for i in ids if i[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def upsert(session: Session, table: type[T], data: SQLModel, key: Any) -> T:
    """Insert `data` as a row of `table`, or overwrite the row with primary key `key`."""
    row = session.get(table, key)
    values = data.model_dump()
    if row is None:
        row = table(**values)
        session.add(row)
    else:
        for k, v in values.items():
            setattr(row, k, v)
    session.flush()
    return row


def count_records(session: Session) -> int:
    """How many patients, payers, prescribers and clinical records there are (0 means an
    empty database)."""
    kinds = (registry.PATIENT, registry.PAYER, registry.PRESCRIBER, *registry.CLINICAL)
    return sum(session.exec(select(func.count()).select_from(k.table)).one() for k in kinds)
