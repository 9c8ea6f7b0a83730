"""Opening a database URL that cannot work gives a clear DomainError (status 1), not a traceback."""

from __future__ import annotations

import pytest

import main
from models import db
from models.errors import DomainError


def test_server_url_without_its_driver_is_a_clear_error(monkeypatch):
    def no_driver(*_args, **_kwargs):
        raise ModuleNotFoundError("No module named 'psycopg'")

    monkeypatch.setattr(db, "create_engine", no_driver)
    with pytest.raises(DomainError, match="driver is not installed") as caught:
        db.open_database("postgresql://clerk:s3cret@server/perdiem")
    assert "s3cret" not in str(caught.value)  # a password never reaches a message
    assert "postgresql://clerk:***@server/perdiem" in str(caught.value)


def test_unknown_url_scheme_is_a_clear_error():
    with pytest.raises(DomainError, match="not a database URL PerDiem can open"):
        db.open_database("nosuchdb://server/perdiem")


def test_command_line_reports_a_bad_url_with_status_1(capsys):
    status = main.main(["--db", "nosuchdb://server/perdiem", "export", "out.json"])
    assert status == 1
    err = capsys.readouterr().err
    assert err.startswith("perdiem export: nosuchdb://server/perdiem is not a database URL")
    assert "Traceback" not in err
