"""Issue 14: backups of a server database. `perdiem backup --out FILE` on a PostgreSQL URL
writes pg_dump's custom format, 0600, checked with `pg_restore --list`; `perdiem restore FILE`
puts it back in one transaction after checking it, keeping the database as it was in a dump
beside it; a file that is no dump is refused with the database untouched. On the suite's
real server, with the machine's pg_dump and pg_restore."""

from __future__ import annotations

import stat
import subprocess

import pytest
from sqlalchemy import text

import main
from models import server_backup
from models.db import open_database


@pytest.fixture
def server_db(pg_server, pg_example_template):
    name = pg_server.new_name()
    url = pg_server.create(name, template=pg_example_template)
    yield url
    pg_server.drop(name)


def run(capsys, url: str, *args: str) -> tuple[int, str, str]:
    code = main.main(["--db", url, "--user", "tester", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def scalar(url: str, sql: str):
    engine = open_database(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def test_backup_is_a_private_verified_custom_dump_and_restore_puts_it_back(
        server_db, tmp_path, capsys):
    out = tmp_path / "pharmacy.dump"
    code, said, err = run(capsys, server_db, "backup", "--out", str(out))
    assert code == 0, err
    assert "pg_dump's custom format" in said and "checked with pg_restore --list" in said
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_bytes()[:5] == b"PGDMP"  # the custom format's signature
    listing = subprocess.run([str(server_backup.tool("pg_restore")), "--list", str(out)],
                             capture_output=True, text=True, check=True).stdout
    for table in ("patient", "orders", "audit_event", "record_version"):
        assert f"TABLE DATA public {table} " in listing
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    patients = scalar(server_db, "SELECT count(*) FROM patient")

    # a change after the backup, which the restore takes back
    with open_database(server_db).begin() as conn:
        conn.execute(text("UPDATE patient SET city = 'Nowhere'"))
    code, said, err = run(capsys, server_db, "restore", str(out))
    assert code == 0, err
    assert "The database as it was is kept at" in said
    assert scalar(server_db, "SELECT count(*) FROM patient WHERE city = 'Nowhere'") == 0
    assert scalar(server_db, "SELECT count(*) FROM patient") == patients
    kept = [p for p in tmp_path.iterdir() if "-before-restore-" in p.name]
    assert len(kept) == 1 and stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    assert server_backup.listed_tables(kept[0])
    assert scalar(server_db, "SELECT action FROM audit_event ORDER BY id DESC LIMIT 1") == \
        "restore"
    assert run(capsys, server_db, "verify-audit")[0] == 0
    # ids go on after the restore (the sequences came back with the rows)
    assert run(capsys, server_db, "export", str(tmp_path / "x.json"))[0] == 0


def test_a_file_that_is_no_dump_is_refused_and_nothing_changes(server_db, tmp_path, capsys):
    bogus = tmp_path / "notes.dump"
    bogus.write_text("not a dump")
    patients = scalar(server_db, "SELECT count(*) FROM patient")
    code, said, err = run(capsys, server_db, "restore", str(bogus))
    assert code == 1 and said == ""
    assert "is not a readable PostgreSQL dump" in err and "Traceback" not in err
    assert scalar(server_db, "SELECT count(*) FROM patient") == patients
    assert [p.name for p in tmp_path.iterdir()] == ["notes.dump"]


def test_a_backup_into_a_missing_folder_is_refused(server_db, tmp_path, capsys):
    code, _, err = run(capsys, server_db, "backup", "--out", str(tmp_path / "no" / "x.dump"))
    assert code == 1 and "no such folder" in err
