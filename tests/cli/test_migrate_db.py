"""Issue 14, moving a pharmacy: `migrate-db --to URL` copies a SQLite pharmacy (records, every
version, claim batches and claims, a scanned attachment, staff accounts and the audit trail)
into an empty PostgreSQL database and back into a new SQLite file, all or nothing, proving
each copy (rows per table, billable-days CSV, the audit chain); ids continue after the copy;
a target holding records is refused by name. On the suite's real server."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfWriter
from sqlalchemy import select, text

import main
from models import transfer
from models.db import open_database
from tests.support.databases import billing_ready, copy_database

OCT = ["--from", "2026-10-01", "--to", "2026-10-31"]
ADMIN_PW = "admin password 1"


def run(capsys, db: str, *args: str) -> tuple[int, str, str]:
    code = main.main(["--db", db, "--user", "admin", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _pdf(path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def pharmacy(example_template, tmp_path, capsys, monkeypatch) -> str:
    """The example with everything a pharmacy accumulates: claims (one replacing another),
    a payer's claim number (a record's version), a scan, staff accounts and their trail."""
    db = tmp_path / "pharmacy.sqlite"
    copy_database(example_template.path, db)
    billing_ready(open_database(f"sqlite:///{db}")).dispose()
    monkeypatch.setenv("PERDIEM_NEW_PASSWORD", ADMIN_PW)
    assert run(capsys, str(db), "users", "add", "admin", "--role", "administrator",
               "--role", "billing", "--role", "nurse")[0] == 0
    monkeypatch.setenv("PERDIEM_PASSWORD", ADMIN_PW)
    first = tmp_path / "oct.837"
    code, _, err = run(capsys, str(db), "claims", *OCT, "--format", "837p", "--out", str(first))
    assert code == 0, err
    account = first.read_text().split("CLM*")[1].split("*")[0]
    assert run(capsys, str(db), "claim-number", account, "ICN-77")[0] == 0
    code, _, err = run(capsys, str(db), "claims", *OCT, "--format", "837p", "--out",
                       str(tmp_path / "rebill.837"), "--rebill")
    assert code == 0, err
    code, _, err = run(capsys, str(db), "attach", "--patient", "p-1001", "--description",
                       "signed order", str(_pdf(tmp_path / "scan.pdf")))
    assert code == 0, err
    return str(db)


def _everything(url: str) -> dict[str, list[tuple]]:
    """Every row of every PerDiem table, as values (moments compared as instants)."""
    engine = open_database(url)
    try:
        with engine.connect() as conn:
            return {t.name: [tuple(r) for r in conn.execute(
                select(t).order_by(*t.primary_key.columns))] for t in transfer.tables()}
    finally:
        engine.dispose()


def test_sqlite_to_postgresql_and_back_is_identical_and_proved(pharmacy, pg_server,
                                                                 tmp_path, capsys):
    name = pg_server.new_name()
    url = pg_server.create(name)  # empty: migrate-db migrates it to the newest schema
    try:
        code, out, err = run(capsys, pharmacy, "migrate-db", "--to", url)
        assert code == 0, err
        assert "Every table has the same rows" in out
        assert "billable-days table" in out and "same CSV on both" in out
        assert "hash chain holds" in out
        before = _everything(f"sqlite:///{pharmacy}")
        for table in ("claim", "claim_batch", "attachment", "staff_account", "audit_event",
                      "record_version", "claim_day"):
            assert before[table], f"the test pharmacy has no {table} rows"
            assert f"\n{table} " in out

        back = tmp_path / "back.sqlite"
        code, out, err = main.main(["--db", url, "--user", "admin", "migrate-db", "--to",
                                    str(back)]), *capsys.readouterr()
        assert code == 0, err
        assert "Every table has the same rows" in out
        after = _everything(f"sqlite:///{back}")
        # the second copy's own sign-in on the server is the one row more: its audit trail
        signed_in = after["audit_event"][len(before["audit_event"]):]
        assert [row[2:4] for row in signed_in] == [("admin", "login")]
        assert after | {"audit_event": after["audit_event"][:-1]} == before
        # then the server (these append to its audit trail)'s own commands agree
        code, on_pg, err = run(capsys, url, "billable-days", "--from", "2026-01-01", "--to",
                               "2026-12-31", "--with-claims")
        assert code == 0, err
        assert run(capsys, url, "verify-audit")[0] == 0

        code, on_sqlite, _ = run(capsys, str(back), "billable-days", "--from", "2026-01-01",
                                 "--to", "2026-12-31", "--with-claims")
        assert on_sqlite == on_pg and on_pg.count("\n") > 3
    finally:
        pg_server.drop(name)


def test_ids_continue_after_the_copy(pharmacy, pg_server, capsys):
    """The server's sequences are set past the copied ids: the next audit row, attachment
    and staff account get new ids instead of failing on a duplicate key."""
    name = pg_server.new_name()
    url = pg_server.create(name)
    try:
        assert run(capsys, pharmacy, "migrate-db", "--to", url)[0] == 0
        engine = open_database(url)
        with engine.connect() as conn:
            highest = conn.execute(text("SELECT max(id) FROM audit_event")).scalar()
            accounts = conn.execute(text("SELECT max(id) FROM staff_account")).scalar()
        engine.dispose()
        import os
        os.environ["PERDIEM_NEW_PASSWORD"] = "nurse password 1"
        try:
            code, _, err = run(capsys, url, "users", "add", "nina", "--role", "nurse")
        finally:
            del os.environ["PERDIEM_NEW_PASSWORD"]
        assert code == 0, err
        engine = open_database(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT max(id) FROM audit_event")).scalar() > highest
            assert conn.execute(text(
                "SELECT id FROM staff_account WHERE username = 'nina'")).scalar() == accounts + 1
        engine.dispose()
        assert run(capsys, url, "verify-audit")[0] == 0
    finally:
        pg_server.drop(name)


def test_a_target_holding_records_is_refused_by_name_and_left_alone(
        pharmacy, pg_server, pg_example_template, capsys):
    name = pg_server.new_name()
    url = pg_server.create(name, template=pg_example_template)
    try:
        engine = open_database(url)
        with engine.connect() as conn:
            patients = conn.execute(text("SELECT count(*) FROM patient")).scalar()
        engine.dispose()
        code, out, err = run(capsys, pharmacy, "migrate-db", "--to", url)
        assert code == 1
        assert "not empty" in err and "holds" in err and "nothing was copied" in err
        assert "Traceback" not in err and out == ""
        engine = open_database(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM patient")).scalar() == patients
            assert conn.execute(text("SELECT count(*) FROM claim")).scalar() == 0
        engine.dispose()
    finally:
        pg_server.drop(name)


def test_an_existing_file_is_refused_and_a_failed_copy_leaves_nothing(
        pharmacy, pg_server, tmp_path, capsys, monkeypatch):
    existing = tmp_path / "existing.sqlite"
    existing.write_bytes(b"keep me")
    code, _, err = run(capsys, pharmacy, "migrate-db", "--to", str(existing))
    assert code == 1 and "exists" in err and existing.read_bytes() == b"keep me"

    def broken(*_args, **_kwargs):
        raise transfer.CopyDiffers("table claim: 2 rows in the source, 1 in the copy; "
                                   "nothing was kept")

    monkeypatch.setattr(transfer, "_prove", broken)
    target = tmp_path / "new.sqlite"
    code, out, err = run(capsys, pharmacy, "migrate-db", "--to", str(target))
    assert code == 1 and "nothing was kept" in err and out == ""
    assert not target.exists()

    name = pg_server.new_name()  # on the server: every row written is rolled back
    url = pg_server.create(name)
    try:
        code, _, err = run(capsys, pharmacy, "migrate-db", "--to", url)
        assert code == 1 and "nothing was kept" in err
        assert transfer.first_nonempty(engine := open_database(url)) is None
        engine.dispose()
    finally:
        pg_server.drop(name)


def test_the_demo_pharmacy_goes_to_postgresql_and_back_identical(demo_template, pg_server,
                                                                 tmp_path, capsys):
    demo = tmp_path / "demo.sqlite"
    copy_database(demo_template.path, demo)
    before = _everything(f"sqlite:///{demo}")
    name = pg_server.new_name()
    url = pg_server.create(name)
    try:
        assert main.main(["--db", str(demo), "migrate-db", "--to", url]) == 0
        back = tmp_path / "back.sqlite"
        assert main.main(["--db", url, "migrate-db", "--to", str(back)]) == 0
        out = capsys.readouterr().out
        assert out.count("Every table has the same rows") == 2
    finally:
        pg_server.drop(name)
    assert _everything(f"sqlite:///{back}") == before
    assert sum(map(len, before.values())) > 1000
