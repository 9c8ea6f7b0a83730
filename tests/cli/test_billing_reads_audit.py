"""Issue 12: the command line's billing reads are audit rows. `billable-days` records who,
the period and the patient (when one is asked for); `month` records who and the month with its
filters; a refused read records nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

import main
from models.db import snapshot
from models.security import audit
from models.security.tables import AuditEvent
from tests.cli.test_users_cli import ADMIN_PW, BILLING_PW, staffed_db  # noqa: F401 (fixture)

MONTH = ["--from", "2026-10-01", "--to", "2026-10-31"]


def run(capsys, monkeypatch, db, *args, user=None, password=None):
    if password is None:
        monkeypatch.delenv("PERDIEM_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("PERDIEM_PASSWORD", password)
    code = main.main(["--db", db, *(["--user", user] if user else []), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def rows(db: str, action: str) -> list[tuple[str, str | None, str]]:
    from models.db import open_database

    engine = open_database(f"sqlite:///{db}")
    try:
        with snapshot(engine) as s:
            return [(r.username, r.patient_id, r.detail) for r in s.exec(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]
    finally:
        engine.dispose()


def test_billable_days_records_who_the_period_and_the_patient(staffed_db, capsys,  # noqa: F811
                                                               monkeypatch):
    code, out, err = run(capsys, monkeypatch, staffed_db, "billable-days", *MONTH,
                         user="bill", password=BILLING_PW)
    assert code == 0 and "p-1001" in out, err
    code, out, err = run(capsys, monkeypatch, staffed_db, "billable-days", *MONTH,
                         "--patient", "p-1001", "--format", "json", "--with-claims",
                         user="bill", password=BILLING_PW)
    assert code == 0, err
    assert rows(staffed_db, audit.BILLABLE_DAYS) == [
        ("bill", None, "2026-10-01 to 2026-10-31; billable-days csv"),
        ("bill", "p-1001", "2026-10-01 to 2026-10-31; billable-days json, with claims")]


def test_month_records_who_the_month_and_its_filters(staffed_db, capsys,  # noqa: F811
                                                     monkeypatch):
    code, out, err = run(capsys, monkeypatch, staffed_db, "month", "--month", "2026-10",
                         "--status", "billable", user="bill", password=BILLING_PW)
    assert code == 0 and out, err
    assert rows(staffed_db, audit.MONTH) == [
        ("bill", None, "2026-10-01 to 2026-10-31; month, status billable")]


@pytest.mark.parametrize("command", [["billable-days", *MONTH], ["month", "--month", "2026-10"]])
def test_a_refused_billing_read_records_no_row(staffed_db, capsys, monkeypatch,  # noqa: F811
                                               command):
    code, out, err = run(capsys, monkeypatch, staffed_db, *command, user="admin",
                         password=ADMIN_PW)
    assert code == 1 and out == "" and "may not open patients' clinical records" in err
    assert rows(staffed_db, audit.BILLABLE_DAYS) == rows(staffed_db, audit.MONTH) == []


def test_without_accounts_the_os_user_is_recorded(example_engine, db_url, capsys,
                                                  monkeypatch):
    db = db_url.removeprefix("sqlite:///")
    example_engine.dispose()
    code, _, err = run(capsys, monkeypatch, db, "billable-days", *MONTH, user="pat")
    assert code == 0, err
    assert rows(db, audit.BILLABLE_DAYS) == [("pat", None,
                                              "2026-10-01 to 2026-10-31; billable-days csv")]


def test_billable_visits_records_who_the_period_and_the_patient(staffed_db, capsys,  # noqa: F811
                                                                 monkeypatch):
    """R34's table is a billing read like billable-days: one row naming who, the period and
    the patient asked for."""
    code, out, err = run(capsys, monkeypatch, staffed_db, "billable-visits", *MONTH,
                         "--patient", "p-1001", user="bill", password=BILLING_PW)
    assert code == 0 and out.startswith("patient,visit,date,code"), err
    assert rows(staffed_db, audit.BILLABLE_VISITS) == [
        ("bill", "p-1001", "2026-10-01 to 2026-10-31; billable-visits")]


def test_worklist_records_who_and_its_period(staffed_db, capsys, monkeypatch):  # noqa: F811
    code, out, err = run(capsys, monkeypatch, staffed_db, "worklist", "--today", "2026-10-20",
                         user="bill", password=BILLING_PW)
    assert code == 0 and out, err
    assert rows(staffed_db, audit.WORKLIST) == [
        ("bill", None, "2026-09-19 to 2026-10-20; worklist")]
