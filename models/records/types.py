"""The column types that differ between SQLite and PostgreSQL, defined once (issue 14).

- `Timestamp`: a moment (when a record was saved, a batch made, a file added). Stored in UTC
  on both engines (`timestamptz` on PostgreSQL; an ISO text in UTC on SQLite, migration 0012
  turned the older local-time texts into UTC) and read back as an *aware* datetime in the
  desk's local time zone, so a date or an hour shown is the pharmacy's. A naive datetime
  given to it (a replay's `dt.datetime.combine(day, time)`, an interchange file's
  `recorded_at`) is taken as local time.
- `Exact`: money and doses, exact decimals: `numeric` on PostgreSQL, text on SQLite (SQLite's
  own NUMERIC goes through float); read back as the same Decimal on both (`12.50` stays
  `12.50`).

Every table takes these through `sa_type=` (models/records/tables.py, models/security/
tables.py); `local_naive` writes a moment the way files and hashes wrote it before (local
wall time without an offset).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric, String, TypeDecorator

UTC = dt.UTC


def aware(value: dt.datetime) -> dt.datetime:
    """`value` with its time zone: a naive one is local time."""
    return value if value.tzinfo is not None else value.astimezone()


def local(value: dt.datetime) -> dt.datetime:
    """The moment `value` as an aware datetime in the desk's local time zone."""
    return aware(value).astimezone()


def local_naive(value: dt.datetime) -> dt.datetime:
    """The moment `value` as local wall time without an offset (what the interchange file's
    `recorded_at` and the audit trail's hashes carry)."""
    return local(value).replace(tzinfo=None)


class Timestamp(TypeDecorator[dt.datetime]):
    """A moment: UTC in the database, an aware local datetime in Python (module docstring)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # a literal compared with the column
            value = dt.datetime.fromisoformat(value)
        utc = aware(value).astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite: the UTC text
            value = value.replace(tzinfo=UTC)
        return value.astimezone()


class Exact(TypeDecorator[Decimal]):
    """An exact decimal: `numeric` on PostgreSQL, text on SQLite; a Decimal in Python."""

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        exact = value if isinstance(value, Decimal) else Decimal(str(value))
        return str(exact) if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(value)
