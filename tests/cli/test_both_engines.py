"""Issue 14: the command line on PostgreSQL gives what it gives on SQLite. The example and
the demo pharmacy print the same billable-days table on both engines, and importing the
example into a new server database then asking for billable-days no longer crashes
(`recorded_at: Input should not have timezone info`)."""

from __future__ import annotations

import pytest

import main
from tests.support import DATA, EXAMPLE
from tests.support.databases import copy_database

EXPECTED_CSV = (DATA / "example.billable-days.csv").read_text(encoding="utf-8")
YEAR = ["--from", "2026-01-01", "--to", "2026-12-31"]


def _run(capsys, db: str, *args: str) -> str:
    code = main.main(["--db", db, "--user", "tester", *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.mark.both_engines
def test_import_then_billable_days_prints_the_expected_table(db_url, capsys):
    db = db_url.removeprefix("sqlite:///")
    assert "Imported from" in _run(capsys, db, "import", str(EXAMPLE))
    assert _run(capsys, db, "billable-days", *YEAR) == EXPECTED_CSV


@pytest.mark.parametrize("which", ["example", "demo"])
def test_example_and_demo_give_the_same_billable_days_on_postgresql_as_on_sqlite(
        request, pg_server, tmp_path, capsys, which):
    sqlite_file = tmp_path / f"{which}.sqlite"
    copy_database(request.getfixturevalue(f"{which}_template").path, sqlite_file)
    name = pg_server.new_name()
    url = pg_server.create(name, template=request.getfixturevalue(f"pg_{which}_template"))
    try:
        tables = [_run(capsys, db, "billable-days", *YEAR, "--with-claims", "--today",
                       "2026-11-27") for db in (str(sqlite_file), url)]
    finally:
        pg_server.drop(name)
    on_sqlite, on_postgresql = tables
    assert on_postgresql == on_sqlite
    assert on_sqlite.count("\n") > (3 if which == "example" else 100)
