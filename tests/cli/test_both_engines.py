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


def _masked(text: str) -> str:
    """A file's text without the moments it was made at (ISA/GS/BHT dates and times, a
    packet's "prepared" time): what the engines could not make alike."""
    import datetime as dt
    import re

    text = text.replace(f"{dt.date.today():%m/%d/%Y}", "TODAY")  # a run across midnight
    text = re.sub(r"\b\d{1,2}:\d{2}(:\d{2})?( ?[AP]M)?\b", "HH:MM", text)
    return re.sub(r"\*\d{6,8}\*\d{4}", "*DATE*TIME", text)


@pytest.mark.parametrize("what", ["csv", "837p", "packet"])
def test_the_demo_gives_the_same_claims_and_packet_on_postgresql_as_on_sqlite(
        demo_template, pg_demo_template, pg_server, tmp_path, capsys, what):
    """Issue 14's 'done when': October's claims (CSV and 837P) and a patient's October packet
    come out the same from the demo on a server as from its file (PerDiem's own data, the
    moments each was made at aside)."""
    from pypdf import PdfReader

    sqlite_file = tmp_path / "demo.sqlite"
    copy_database(demo_template.path, sqlite_file)
    name = pg_server.new_name()
    url = pg_server.create(name, template=pg_demo_template)
    made: dict[str, str] = {}
    try:
        for engine, db in (("sqlite", str(sqlite_file)), ("postgresql", url)):
            out = tmp_path / engine
            out.mkdir()
            if what == "packet":
                _run(capsys, db, "packet", "--patient", "p-1001", "--from", "2026-10-01",
                     "--to", "2026-10-31", "--out", str(out / "packet.pdf"), "--today",
                     "2026-11-27")
                text = "\n".join(page.extract_text() for page in
                                 PdfReader(out / "packet.pdf").pages)
            else:
                _run(capsys, db, "claims", "--from", "2026-10-01", "--to", "2026-10-31",
                     "--format", what, "--out", str(out / f"october.{what}"), "--today",
                     "2026-11-27")
                text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.iterdir()))
            made[engine] = _masked(text)
    finally:
        pg_server.drop(name)
    assert made["postgresql"] == made["sqlite"]
    assert {"csv": "2026-10-", "837p": "CLM*", "packet": "Mensah, Grace"}[what] in made["sqlite"]
