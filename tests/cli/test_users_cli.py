"""Issue 12 item 1 on the command line: `users add/list/disable/enable`, and once accounts
exist every command needs `--user NAME` with the password (PERDIEM_PASSWORD here, the
terminal otherwise); recorded_by and claim batches then name the logged-in account."""

from __future__ import annotations

import pytest
from sqlmodel import select

import main
from models.db import open_database, snapshot
from models.records.tables import ClaimBatch, Infusion
from models.security.tables import AuditEvent
from tests.support.databases import billing_ready

ADMIN_PW, NURSE_PW, BILLING_PW = "admin password 1", "nurse password 1", "billing password 1"
MONTH = ["--from", "2026-10-01", "--to", "2026-10-31"]
CSV = [*MONTH, "--today", "2026-11-05", "--format", "csv"]


def run(capsys, monkeypatch, db, *args, user=None, password=None, new_password=None):
    for name, value in (("PERDIEM_PASSWORD", password), ("PERDIEM_NEW_PASSWORD", new_password)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    code = main.main(["--db", db, *(["--user", user] if user else []), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def staffed_db(example_engine, db_url, capsys, monkeypatch):
    billing_ready(example_engine).dispose()
    db = db_url.removeprefix("sqlite:///")
    assert run(capsys, monkeypatch, db, "users", "add", "admin", "--role", "administrator",
               new_password=ADMIN_PW)[0] == 0
    for name, role, pw in (("nina", "nurse", NURSE_PW), ("bill", "billing", BILLING_PW)):
        code, out, err = run(capsys, monkeypatch, db, "users", "add", name, "--role", role,
                             user="admin", password=ADMIN_PW, new_password=pw)
        assert code == 0, err
    return db


def test_users_list_shows_roles_and_states(staffed_db, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, staffed_db, "users", "list", user="admin",
                       password=ADMIN_PW)
    assert code == 0
    assert out.splitlines() == ["admin\tadministrator\tactive", "bill\tbilling\tactive",
                                "nina\tnurse\tactive"]


def test_once_accounts_exist_a_command_needs_user_and_password(staffed_db, capsys,
                                                               monkeypatch):
    code, _, err = run(capsys, monkeypatch, staffed_db, "billable-days", *MONTH)
    assert code == 1 and "give --user NAME" in err
    code, _, err = run(capsys, monkeypatch, staffed_db, "billable-days", *MONTH, user="nina",
                       password="not it at all")
    assert code == 1 and "username or password is wrong" in err
    code, out, _ = run(capsys, monkeypatch, staffed_db, "billable-days", *MONTH, user="bill",
                       password=BILLING_PW)
    assert code == 0 and out.startswith("patient,order,date")


def test_a_nurse_cannot_export_claims_and_billing_can_naming_the_account(
        staffed_db, capsys, monkeypatch, tmp_path):
    out_file = tmp_path / "claims.csv"
    code, _, err = run(capsys, monkeypatch, staffed_db, "claims", *CSV,
                       "--out", str(out_file), user="nina", password=NURSE_PW)
    assert code == 1 and "nina (nurse) may not prepare, correct or void claims" in err
    assert not out_file.exists()
    code, _, err = run(capsys, monkeypatch, staffed_db, "claims", *CSV,
                       "--out", str(out_file), user="bill", password=BILLING_PW)
    assert code == 0, err
    engine = open_database(f"sqlite:///{staffed_db}")
    with snapshot(engine) as session:
        assert [b.created_by for b in session.exec(select(ClaimBatch))] == ["bill"]
    engine.dispose()


def test_the_administrator_sees_no_clinical_record(staffed_db, capsys, monkeypatch, tmp_path):
    code, _, err = run(capsys, monkeypatch, staffed_db, "packet", "--patient", "p-1001",
                       *MONTH, "--out", str(tmp_path / "p.pdf"), user="admin",
                       password=ADMIN_PW)
    assert code == 1 and "may not print or save documentation packets" in err
    code, _, err = run(capsys, monkeypatch, staffed_db, "billable-days", *MONTH, user="admin",
                       password=ADMIN_PW)
    assert code == 1 and "may not open patients' clinical records" in err


def test_a_disabled_account_cannot_log_in(staffed_db, capsys, monkeypatch):
    assert run(capsys, monkeypatch, staffed_db, "users", "disable", "nina", user="admin",
               password=ADMIN_PW)[0] == 0
    code, _, err = run(capsys, monkeypatch, staffed_db, "billable-days", *MONTH, user="nina",
                       password=NURSE_PW)
    assert code == 1 and "nina is disabled" in err
    assert run(capsys, monkeypatch, staffed_db, "users", "enable", "nina", user="admin",
               password=ADMIN_PW)[0] == 0
    assert run(capsys, monkeypatch, staffed_db, "billable-days", *MONTH, user="nina",
               password=NURSE_PW)[0] == 0


def test_only_an_administrator_adds_accounts(staffed_db, capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, staffed_db, "users", "add", "eve", "--role",
                       "administrator", user="bill", password=BILLING_PW,
                       new_password="eve password 1")
    assert code == 1 and "bill (billing) may not manage staff accounts" in err


def test_failed_logins_are_in_the_audit_trail(staffed_db, capsys, monkeypatch):
    run(capsys, monkeypatch, staffed_db, "billable-days", *MONTH, user="nina", password="no")
    engine = open_database(f"sqlite:///{staffed_db}")
    with snapshot(engine) as session:
        rows = [(r.action, r.detail) for r in session.exec(
            select(AuditEvent).where(AuditEvent.username == "nina"))]
    engine.dispose()
    assert rows[-1] == ("login failed", "wrong password (1 in a row)")


def test_without_accounts_the_os_user_is_recorded(example_engine, db_url, capsys, monkeypatch):
    """No accounts: commands run as before issue 12, recorded as --user or the OS user."""
    db = db_url.removeprefix("sqlite:///")
    example_engine.dispose()
    code, out, err = run(capsys, monkeypatch, db, "demo", user="Dr. Anybody")
    assert code == 1 and "already holds data" in err  # got past any permission check
    assert main._default_user()
    with snapshot(example_engine) as session:
        assert session.exec(select(Infusion)).first().recorded_by
