"""Issue 12 item 3: the audit trail. Append-only, written in the change's own transaction,
each row chained to the one before by SHA-256, so that `verify-audit` names the first row
changed or removed; a row for every create, amend and void, every opening of a patient's
record, every packet, claim batch, import, export, backup and restore; `audit` as CSV."""

from __future__ import annotations

import csv
import io
import sqlite3
from contextlib import closing

import pytest
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

import main
from models.db import snapshot, sqlite_path, unit_of_work
from models.records import clinical, registry
from models.security import audit
from models.security.access import open_patient
from models.security.tables import AuditEvent
from tests.support.databases import billing_ready

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

OCT = ["--from", "2026-10-01", "--to", "2026-10-31"]


def _rows(engine):
    with snapshot(engine) as s:
        return [(r.username, r.action, r.patient_id, r.record_kind, r.record_id, r.detail)
                for r in s.exec(select(AuditEvent).order_by(AuditEvent.id))]


def _tamper(engine, *statements):
    """What someone with the file and the sqlite3 tool could do: drop the triggers first (on
    PostgreSQL: the table's owner switching its triggers off)."""
    engine.dispose()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE audit_event DISABLE TRIGGER USER")
            for sql in statements:
                conn.exec_driver_sql(sql)
        return
    with closing(sqlite3.connect(sqlite_path(str(engine.url)))) as conn:
        conn.execute("DROP TRIGGER audit_event_no_update")
        conn.execute("DROP TRIGGER audit_event_no_delete")
        for sql in statements:
            conn.execute(sql)
        conn.commit()


def _void_two(engine):
    for record_id in ("mar-1", "mar-2"):
        with unit_of_work(engine) as s:
            clinical.void_record(s, actor="nurse a", kind=registry.INFUSION,
                                 record_id=record_id, reason="entered twice")


def test_create_amend_and_void_each_write_a_row_naming_the_patient(example_engine):
    before = len(_rows(example_engine))
    _void_two(example_engine)
    rows = _rows(example_engine)[before:]
    assert rows == [("nurse a", "voided", "p-1001", "infusion", "mar-1", "version 2"),
                    ("nurse a", "voided", "p-1001", "infusion", "mar-2", "version 2")]
    assert "entered twice" not in repr(rows), "the trail names what was done, not values"


def test_the_row_is_written_in_the_changes_transaction(example_engine):
    before = _rows(example_engine)
    with pytest.raises(RuntimeError), unit_of_work(example_engine) as s:
        clinical.void_record(s, actor="nurse a", kind=registry.INFUSION, record_id="mar-1",
                             reason="x")
        raise RuntimeError("the rest of the action failed")
    assert _rows(example_engine) == before


def test_the_table_refuses_update_and_delete(example_engine):
    _void_two(example_engine)
    for sql in ("UPDATE audit_event SET username = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"), example_engine.begin() as conn:
            conn.exec_driver_sql(sql)
    if example_engine.dialect.name == "sqlite":  # and to the sqlite3 tool on the file
        with closing(sqlite3.connect(sqlite_path(str(example_engine.url)))) as conn:
            for sql in ("UPDATE audit_event SET username = 'x'", "DELETE FROM audit_event"):
                with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                    conn.execute(sql)


def test_verify_passes_then_names_an_edited_row(example_engine, db_url, capsys):
    _void_two(example_engine)
    db = db_url.removeprefix("sqlite:///")
    assert main.main(["--db", db, "verify-audit"]) == 0
    assert "none was changed or removed" in capsys.readouterr().out
    with snapshot(example_engine) as s:
        target = s.exec(select(AuditEvent.id).where(AuditEvent.record_id == "mar-1")).one()
    _tamper(example_engine, f"UPDATE audit_event SET username = 'someone else' "
                            f"WHERE id = {target}")
    assert main.main(["--db", db, "verify-audit"]) == 1
    err = capsys.readouterr().err
    assert f"audit row {target}: was changed after it was written" in err


def test_verify_names_a_deleted_row(example_engine, db_url, capsys):
    _void_two(example_engine)
    with snapshot(example_engine) as s:
        ids = list(s.exec(select(AuditEvent.id).order_by(AuditEvent.id)))
    _tamper(example_engine, f"DELETE FROM audit_event WHERE id = {ids[-2]}")
    assert main.main(["--db", db_url.removeprefix("sqlite:///"), "verify-audit"]) == 1
    assert f"audit row {ids[-2]}: is missing" in capsys.readouterr().err


def test_verify_names_a_last_row_removed_and_rewritten_chain(example_engine):
    """A row rewritten with a fresh hash of its own still breaks the next row's link."""
    _void_two(example_engine)
    with snapshot(example_engine) as s:
        first_id = s.exec(select(AuditEvent.id).order_by(AuditEvent.id)).first()
    _tamper(example_engine, f"UPDATE audit_event SET hash = '{'f' * 64}' WHERE id = {first_id}")
    with snapshot(example_engine) as s:
        broken = audit.verify(s)
    assert broken is not None and broken.row_id == first_id


def test_opening_a_patients_record_is_recorded(example_engine):
    with unit_of_work(example_engine) as s:
        open_patient(s, actor="nurse a", patient_id="p-1001")
    assert _rows(example_engine)[-1] == ("nurse a", "viewed", "p-1001", "patient", "p-1001",
                                         "")


def _cli(db, *args):
    return main.main(["--db", db, "--user", "clerk", *args])


@pytest.mark.sqlite_only  # backup and restore copy the file (a server: pg_dump, docs/server.md)
def test_every_command_path_writes_its_row(example_engine, db_url, tmp_path, capsys):
    """Packet, packets, claims, export, import, backup, restore: each leaves its row."""
    billing_ready(example_engine).dispose()
    db = db_url.removeprefix("sqlite:///")
    assert _cli(db, "packet", "--patient", "p-1001", *OCT, "--out",
                str(tmp_path / "a.pdf")) == 0
    assert _cli(db, "packets", "--month", "2026-10", "--out", str(tmp_path / "month")) == 0
    assert _cli(db, "claims", *OCT, "--today", "2026-11-05", "--format", "csv", "--out",
                str(tmp_path / "c.csv")) == 0
    assert _cli(db, "export", str(tmp_path / "all.json")) == 0
    assert _cli(db, "backup", "--out", str(tmp_path / "copy.sqlite")) == 0
    capsys.readouterr()
    rows = _rows(example_engine)
    mine = [(a, p, d) for u, a, p, _k, _r, d in rows if u == "clerk"]
    assert ("packet", "p-1001", "a.pdf") in mine
    assert any(a == "packet" and p == "p-1001" and d.endswith(".pdf") and d != "a.pdf"
               for a, p, d in mine)
    assert any(a == "claim batch" and d.startswith("csv, 2026-10-01 to 2026-10-31")
               for a, _p, d in mine)
    assert ("export", None, "all.json") in mine
    assert ("backup", None, str(tmp_path / "copy.sqlite")) in mine

    example_engine.dispose()  # its connections would keep reading the file restore replaces
    assert _cli(db, "restore", str(tmp_path / "copy.sqlite")) == 0
    assert _rows(example_engine)[-1][:2] == ("clerk", "restore")

    fresh = tmp_path / "fresh.sqlite"
    assert main.main(["--db", str(fresh), "--user", "clerk", "import",
                      str(tmp_path / "all.json")]) == 0
    capsys.readouterr()
    assert main.main(["--db", str(fresh), "audit", "--user", "clerk"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert table[-1]["action"] == "import" and "1 patients" in table[-1]["detail"]


def test_audit_prints_csv_filtered_by_user_patient_and_dates(example_engine, db_url, capsys):
    _void_two(example_engine)
    with unit_of_work(example_engine) as s:
        open_patient(s, actor="nurse b", patient_id="p-1001")
    db = db_url.removeprefix("sqlite:///")
    assert main.main(["--db", db, "audit", "--user", "nurse b"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["username"], r["action"]) for r in table] == [("nurse b", "viewed")]
    assert set(table[0]) == set(audit.FIELDS)
    assert main.main(["--db", db, "audit", "--patient", "p-1001", "--from", "2000-01-01",
                      "--to", "2000-01-02"]) == 0
    assert capsys.readouterr().out.splitlines() == [",".join(audit.FIELDS)]
    assert main.main(["--db", db, "audit", "--patient", "p-1001"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1 + 3
