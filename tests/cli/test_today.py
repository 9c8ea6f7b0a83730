"""R24 on the command line: `--today YYYY-MM-DD` on every command that judges dates, else
$PERDIEM_TODAY; an import refuses a future date with its path, a claim line is never dated
after today."""

from __future__ import annotations

import csv
import io
import json

import pytest

import main
from models import clock
from tests.support import EXAMPLE
from tests.support.databases import billing_ready

pytestmark = pytest.mark.both_engines  # also on PostgreSQL (tests/conftest.py)

OCT = ["--from", "2026-10-01", "--to", "2026-10-31"]


@pytest.fixture
def example_db(example_engine, db_url):
    billing_ready(example_engine)  # the ZIP+4 every claim needs (issue 11)
    example_engine.dispose()
    return db_url.removeprefix("sqlite:///")


@pytest.fixture
def empty_db(engine, db_url):
    engine.dispose()
    return db_url.removeprefix("sqlite:///")


def run(capsys, db, *args):
    code = main.main(["--db", db, "--user", "tester", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", ["import", "billable-days", "month", "claims", "packet",
                                     "packets", "demo"])
def test_r24_every_command_that_judges_dates_takes_today(command):
    args = main.build_parser().parse_args(
        {"import": ["import", "f.json"], "billable-days": ["billable-days", *OCT],
         "month": ["month", "--month", "2026-10"],
         "claims": ["claims", *OCT, "--format", "csv", "--out", "c.csv"],
         "packet": ["packet", "--patient", "p", *OCT, "--out", "p.pdf"],
         "packets": ["packets", "--month", "2026-10", "--out", "d"],
         "demo": ["demo"]}[command] + ["--today", "2026-10-15"])
    assert str(args.today) == "2026-10-15"


def test_r24_import_with_today_refuses_the_records_after_it(empty_db, capsys):
    code, _, err = run(capsys, empty_db, "import", str(EXAMPLE), "--today", "2026-10-28")
    assert code == 1
    assert "infusions[2].date: 2026-10-29 is after today, 2026-10-28 (future-date)" in err
    assert "infusions[1].date" not in err  # the 28th itself is today
    assert clock.today() != clock.parse_today("2026-10-28")  # --today lasts one command
    code, out, _ = run(capsys, empty_db, "import", str(EXAMPLE), "--today", "2026-10-29")
    assert code == 0, out


def test_r24_perdiem_today_is_taken_when_no_option_is_given(empty_db, capsys, monkeypatch,
                                                            tmp_path):
    monkeypatch.setenv("PERDIEM_TODAY", "2026-10-28")
    code, _, err = run(capsys, empty_db, "import", str(EXAMPLE))
    assert code == 1 and "(future-date)" in err
    monkeypatch.setenv("PERDIEM_TODAY", "28/10/2026")
    code, _, err = run(capsys, empty_db, "import", str(EXAMPLE))
    assert code == 1
    assert 'PERDIEM_TODAY: "28/10/2026" is not a date in the form YYYY-MM-DD' in err


def test_r24_no_claim_line_is_dated_after_today(example_db, tmp_path, capsys):
    out = tmp_path / "claims.csv"
    code, text, _ = run(capsys, example_db, "claims", *OCT, "--format", "csv", "--out",
                        str(out), "--today", "2026-10-28")
    assert code == 0, text
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert {r["to"] for r in rows} == {"2026-10-07"}  # the 29th waits for its day
    code, text, _ = run(capsys, example_db, "claims", *OCT, "--format", "csv", "--out",
                        str(tmp_path / "later.csv"), "--today", "2026-10-29")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "later.csv").read_text())))
    assert {r["to"] for r in rows} == {"2026-10-29"}


def test_example_json_is_a_past_document():
    """The shared example (and so every result compared with it) lies before today."""
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert max(e["date"] for e in doc["infusions"]) < str(clock.today())
