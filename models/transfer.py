"""Moving a pharmacy between engines (issue 14): `migrate-db` copies every table of one
PerDiem database into an EMPTY other one (SQLite -> PostgreSQL, or back into a new SQLite
file), all or nothing, and proves the copy.

The copy goes through SQLModel's tables (their column types, models/records/types.py), so a
moment read from SQLite's UTC text is written as PostgreSQL's timestamptz and back, and money
stays an exact Decimal; the audit trail's hashes are taken over those values in UTC, so its
chain verifies on the copy as on the original. Rows are written table by table in the order of
their foreign keys, in ONE transaction on the target taken with PerDiem's write lock: an error
anywhere leaves the target as empty as it was. Before that transaction commits the copy is
proved inside it: every table has the same number of rows, the audit trail's chain holds, and
the billable-days table (every day, with the days already claimed) is the same CSV on both.
On PostgreSQL each id sequence is set past the highest id copied, so the next save continues.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, Table, func, inspect, select, text
from sqlmodel import Session, SQLModel

import models.records.tables  # noqa: F401  (registers every table on SQLModel.metadata)
from models.db import snapshot, writer
from models.errors import DomainError

CHUNK = 500  # rows a statement inserts at once (an attachment row holds a whole scan)
SKIPPED = {"alembic_version"}  # the schema's revision: the target is migrated to head first


class TargetNotEmpty(DomainError):
    """The target already holds records; nothing was copied."""


class CopyDiffers(DomainError):
    """The copy did not prove equal to the original; nothing was kept."""


@dataclass(frozen=True)
class Proof:
    """What `copy_database` checked before committing: rows per table on both sides (equal),
    and the billable-days CSV both give (equal)."""

    counts: dict[str, int]
    csv_lines: int
    audit_rows: int

    def lines(self, source: str, target: str) -> list[str]:
        width = max(len(name) for name in self.counts)
        out = [f"{'table'.ljust(width)}  {'source':>8}  {'target':>8}"]
        out += [f"{name.ljust(width)}  {n:>8}  {n:>8}" for name, n in self.counts.items()]
        out.append(f"Every table has the same rows in {source} and {target}.")
        out.append(f"The billable-days table (every day, with the days claimed) is the same CSV "
                   f"on both: {self.csv_lines} lines.")
        rows = "1 row" if self.audit_rows == 1 else f"{self.audit_rows} rows"
        out.append(f"The copied audit trail ({rows}) verifies: its hash chain holds.")
        return out


def tables() -> list[Table]:
    """PerDiem's tables in the order their foreign keys need (owners first)."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in SKIPPED]


def _count(conn, table: Table) -> int:
    return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _unknown_tables(engine: Engine) -> list[str]:
    known = {t.name for t in tables()} | SKIPPED
    return sorted(name for name in inspect(engine).get_table_names()
                  if name not in known and not name.startswith("sqlite_"))


def _billable_csv(session: Session) -> str:
    from models.billing import loading
    from models.claims.batches import claimed_days
    from reports import billable_days

    days = loading.billable_days(session, None, None, None)
    return billable_days.to_csv(days, claimed_days(session, None))


def first_nonempty(engine: Engine) -> tuple[str, int] | None:
    """The first PerDiem table of `engine` holding rows, with its count; None when empty."""
    with engine.connect() as conn:
        for table in tables():
            n = _count(conn, table)
            if n:
                return table.name, n
    return None


def _order(table: Table):
    return [c for c in table.primary_key.columns]


def _set_sequences(conn, table: Table) -> None:
    """PostgreSQL: the id sequence of `table` continues past the highest id copied (an
    explicit id in an INSERT does not advance it)."""
    for column in table.primary_key.columns:
        if column.autoincrement is not True and not (
                column.autoincrement == "auto" and column.type.python_type is int
                and len(table.primary_key.columns) == 1):
            continue
        sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                {"t": table.name, "c": column.name}).scalar()
        if sequence is None:
            continue
        highest = conn.execute(select(func.max(column))).scalar()
        conn.execute(text("SELECT setval(CAST(:s AS regclass), :v, :called)"),
                     {"s": sequence, "v": highest or 1, "called": highest is not None})


def copy_database(source: Engine, target: Engine, *,
                  progress: Callable[[str], None] | None = None) -> Proof:
    """Copy every row of `source` into `target` (both migrated to the same head), all or
    nothing, and prove the copy before committing it. `target` must hold no records
    (TargetNotEmpty names the first table that does)."""
    say = progress or (lambda _text: None)
    unknown = _unknown_tables(source)
    if unknown:
        raise DomainError(f"the source database has tables this PerDiem does not know "
                          f"({', '.join(unknown)}): copy it with the PerDiem that wrote it")
    full = first_nonempty(target)
    if full is not None:
        name, n = full
        raise TargetNotEmpty(f"the target database is not empty (table {name} holds {n} "
                             f"row{'s' if n != 1 else ''}); migrate-db copies into an empty "
                             "database only, so nothing was copied")
    counts: dict[str, int] = {}
    with snapshot(source) as read:
        source_conn = read.connection()
        expected_csv = _billable_csv(read)
        with writer(target).connect() as conn:
            with conn.begin():
                for table in tables():
                    n = 0
                    result = source_conn.execution_options(yield_per=CHUNK).execute(
                        select(table).order_by(*_order(table)))
                    for chunk in result.mappings().partitions(CHUNK):
                        conn.execute(table.insert(), [dict(row) for row in chunk])
                        n += len(chunk)
                    counts[table.name] = n
                    if n:
                        say(f"{table.name}: {n} rows")
                if target.dialect.name == "postgresql":
                    for table in tables():
                        _set_sequences(conn, table)
                proof = _prove(source_conn, conn, counts, expected_csv)
    return proof


def _prove(source_conn, conn, counts: dict[str, int], expected_csv: str) -> Proof:
    """Inside the copy's transaction: raise CopyDiffers (rolling it back) unless the copy
    has the source's rows, a sound audit chain and the same billable-days CSV."""
    from models.security import audit

    for table in tables():
        there, here = _count(source_conn, table), _count(conn, table)
        if not (there == here == counts[table.name]):
            raise CopyDiffers(f"table {table.name}: {there} rows in the source, {here} in the "
                              "copy; nothing was kept")
    with Session(bind=conn, expire_on_commit=False) as session:
        broken = audit.verify(session)
        if broken is not None:
            raise CopyDiffers(f"the copied audit trail does not verify ({broken}); nothing "
                              "was kept")
        copied_csv = _billable_csv(session)
        audit_rows = len(audit.rows(session))
    if copied_csv != expected_csv:
        raise CopyDiffers("the copy's billable-days table differs from the source's; nothing "
                          "was kept")
    return Proof(counts=counts, csv_lines=expected_csv.count("\n"), audit_rows=audit_rows)
