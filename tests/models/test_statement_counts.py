"""Billing screens and exports issue a fixed number of SQL statements (issue 8): the same for a
pharmacy of 3 patients as for one of 30, with or without claims on file, never one per row."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session

from models.billing import loading
from models.billing.packet_data import load_packet_data
from models.claims import batches as claim_batches
from models.claims.claim import month_end, month_of
from models.db import open_database, transactions
from models.records import reference
from reports.claims.claim_files import renderer
from reports.packet import render_packet
from tests.support.databases import copy_database
from tests.support.generated_pharmacy import write_generated

MONTH = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
MOST = 36  # statements any one of these operations may issue (a packet takes 32: its
# sections, the claims of its days, versions, attachments, the R26/R27 settings and the
# permission check of issue 12, whether the database has staff accounts; a claims export
# one more for R34's nursing visits of its months, a few more when there are some)


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """Every statement sent to the database inside the block."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def month_view_data(s: Session, _patient: str) -> object:
    """What the month view loads (ui/billing/month_view.py)."""
    return (loading.billable_days(s, *MONTH), reference.list_patients(s),
            reference.list_payers(s), claim_batches.claimed_days(s, start=MONTH[0], end=MONTH[1]))


def calendar_data(s: Session, patient: str) -> object:
    """What the billing calendar loads for one patient's month (ui/billing/calendar_view.py)."""
    return (loading.billable_days(s, *MONTH, patient),
            claim_batches.claimed_days(s, patient, start=MONTH[0], end=MONTH[1]),
            reference.list_payers(s))


def packet(s: Session, patient: str) -> object:
    return render_packet(load_packet_data(s, patient_id=patient, start=MONTH[0], end=MONTH[1],
                                          prepared_by="Jia Lee",
                                          created_at=dt.datetime(2026, 11, 30)))


OPERATIONS: dict[str, Callable[[Session, str], object]] = {
    "billable days of a month": lambda s, p: loading.billable_days(s, *MONTH),
    "billable days of the whole history": lambda s, p: loading.billable_days(s),
    "billable days of two years": lambda s, p: loading.billable_days(
        s, dt.date(2024, 12, 1), dt.date(2026, 11, 30)),
    "one patient's billable days of a month": lambda s, p: loading.billable_days(
        s, *MONTH, p),
    "month view data": month_view_data,
    "calendar month of one patient": calendar_data,
    "claims preparation for a month": lambda s, p: claim_batches.prepare_claims(
        s, *MONTH, fmt="837p"),
    "one patient's packet": packet,
    "authorization usage of one patient": lambda s, p: loading.authorization_usage(s, p),
}


def busiest_patient(engine: Engine) -> str:
    with Session(engine) as s:
        days = Counter(d.patient_id for d in loading.billable_days(s, *MONTH))
    return days.most_common(1)[0][0]


def statement_counts(engine: Engine) -> dict[str, int]:
    patient = busiest_patient(engine)
    out = {}
    for name, operation in OPERATIONS.items():
        with Session(engine) as s, counted(engine) as statements:
            operation(s, patient)
        out[name] = len(statements)
    return out


def export_month(engine: Engine, folder: Path, month: tuple[dt.date, dt.date]) -> int | None:
    """Statements of exporting a month's 837P claims, written and recorded (None when the
    month had no claim to write)."""
    with counted(engine) as statements:
        result = claim_batches.export_claims(
            transactions(engine), actor="test", start=month[0], end=month[1], fmt="837p",
            out=folder / f"{month[0]:%Y-%m}.837", render=renderer("837p"))
    return len(statements) if result.written else None


@pytest.fixture(scope="module")
def pharmacies(tmp_path_factory, migrated_template) -> Iterator[dict[int, Engine]]:
    folder = tmp_path_factory.mktemp("sizes")
    engines = {}
    for size in (3, 30):
        copy_database(migrated_template.path, folder / f"{size}.sqlite")
        engines[size] = open_database(f"sqlite:///{folder / f'{size}.sqlite'}")
        write_generated(engines[size], patients=size, years=2, seed=5, void_share=0.02)
    yield engines
    for engine in engines.values():
        engine.dispose()


def test_billing_reads_issue_as_many_statements_for_30_patients_as_for_3(pharmacies):
    small, large = (statement_counts(pharmacies[n]) for n in (3, 30))
    assert small == large
    assert max(large.values()) <= MOST, large


def test_claims_on_file_add_no_statement_and_exports_take_a_fixed_number(pharmacies,
                                                                        tmp_path):
    before = statement_counts(pharmacies[30])
    exports = {}
    for size, engine in pharmacies.items():
        folder = tmp_path / str(size)
        folder.mkdir()
        months = [(month_of(d), month_end(d))
                  for d in (dt.date(2026, m, 1) for m in range(4, 10))]
        counts = [export_month(engine, folder, m) for m in months]
        assert sum(1 for c in counts if c) >= 3, f"{size} patients: too few months with claims"
        exports[size] = {c for c in counts if c}
    assert exports[3] == exports[30]
    assert len(exports[30]) == 1 and max(exports[30]) <= MOST, exports
    # six months of claims on file: the month view, the calendar and the claims read the same
    assert statement_counts(pharmacies[30]) == statement_counts(pharmacies[3]) == before
