"""Issue 12 item 4: protected files. PerDiem's data folder is 0700, the packets and exports
it writes 0600 (the database, its backups and claim files are issue 13's, tested there), and
an error names the statement that failed, never the record values it carried."""

from __future__ import annotations

import os

import pytest
from sqlalchemy.exc import StatementError

import main
from models.db import default_db_path, make_engine, unit_of_work
from models.security.tables import StaffAccount

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _mode(path) -> int:
    return path.stat().st_mode & 0o777


def test_the_data_folder_is_created_and_kept_0700(monkeypatch, tmp_path):
    monkeypatch.delenv("PERDIEM_DB")
    folder = default_db_path().parent
    assert not folder.exists()
    engine = make_engine(f"sqlite:///{default_db_path()}")
    engine.dispose()
    assert _mode(folder) == 0o700
    os.chmod(folder, 0o755)  # e.g. made by an older PerDiem, or by hand
    make_engine(f"sqlite:///{default_db_path()}").dispose()
    assert _mode(folder) == 0o700


def test_packet_and_export_files_are_0600(example_engine, db_url, tmp_path, capsys):
    os.umask(0o022)  # the usual umask, which would make a plain file 0644
    db = db_url.removeprefix("sqlite:///")
    assert main.main(["--db", db, "export", str(tmp_path / "all.json")]) == 0
    assert main.main(["--db", db, "packet", "--patient", "p-1001", "--from", "2026-10-01",
                      "--to", "2026-10-31", "--out", str(tmp_path / "p.pdf")]) == 0
    capsys.readouterr()
    assert _mode(tmp_path / "all.json") == 0o600
    assert _mode(tmp_path / "p.pdf") == 0o600


def test_a_database_error_does_not_print_the_values(example_engine):
    secret = "Lindqvist-secret-value"
    with pytest.raises(StatementError) as caught, unit_of_work(example_engine) as s:
        s.add(StaffAccount(username=secret, password_hash="x", roles="nurse",
                           created_by=secret, created_at="not a datetime"))  # type: ignore
        s.flush()
    assert secret not in str(caught.value)
