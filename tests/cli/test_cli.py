"""The command line: import, export and billable-days, their output and their exit statuses."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import SQLModel

import main
from models.db import open_database
from tests.support import DATA, EXAMPLE, ROOT
from tests.support.databases import copy_database

EXPECTED_CSV = (DATA / "example.billable-days.csv").read_text(encoding="utf-8")
YEAR = ["--from", "2026-01-01", "--to", "2026-12-31"]


def dump(db: Path) -> dict[str, list[str]]:
    """Every row of every table of the database file."""
    engine = open_database(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return {t.name: sorted(map(repr, conn.execute(t.select()).all()))
                    for t in SQLModel.metadata.sorted_tables}
    finally:
        engine.dispose()


def run(db: Path, *args: str) -> int:
    return main.main(["--db", str(db), "--user", "tester", *args])


@pytest.fixture
def db(tmp_path, migrated_template) -> Path:
    """An empty database file (a copy of the suite's migrated one)."""
    copy_database(migrated_template.path, tmp_path / "cli.sqlite")
    return tmp_path / "cli.sqlite"


@pytest.fixture
def example_db(db, example_template) -> Path:
    """A database file holding the example (what `perdiem import example.json` leaves)."""
    copy_database(example_template.path, db)
    return db


def write_json(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


# --- import ----------------------------------------------------------------------------------


def test_import_then_billable_days_gives_the_expected_table(db, capsys):
    assert run(db, "import", str(EXAMPLE)) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Imported from {EXAMPLE}: pharmacy 1, payers 3, prescribers 1, ")
    assert run(db, "billable-days", *YEAR) == 0
    assert capsys.readouterr().out == EXPECTED_CSV  # R1, R13 units, R16 SS


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_import_progress_in_a_log_is_plain_lines(db, capsys, monkeypatch):
    monkeypatch.setattr(main.ProgressLine, "EVERY", 0)  # a line at every step, not every 5 s
    assert run(db, "import", str(EXAMPLE)) == 0
    size = EXAMPLE.stat().st_size
    # a step per collection (payers 3, prescribers 1, patients 1, ...): per batch in a big file
    written = [3, 4, 5, 6, 7, 8, 10, 12, 15, 17]
    assert capsys.readouterr().err.splitlines() == [
        f"Reading example.json ({size / 1e3:.0f} kB)…",
        "Checking 17 records…",
        "Writing records: 0 of 17 (0%)",
        *(f"Writing records: {n} of 17 ({100 * n // 17}%)" for n in written),
    ]


def test_a_small_import_adds_nothing_to_a_log(db, capsys):
    assert run(db, "import", str(EXAMPLE)) == 0
    assert capsys.readouterr().err == ""  # under ProgressLine.EVERY seconds: no progress lines


def test_import_progress_on_a_terminal_is_one_line_redrawn_then_wiped(db, tmp_path, capsys,
                                                                      monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert run(db, "import", str(EXAMPLE)) == 0
    err = terminal.getvalue()
    assert "\n" not in err
    assert err.startswith("\rReading example.json (")
    assert "\rChecking 17 records…\033[K\rWriting records: 0 of 17 (0%)\033[K" in err
    assert err.endswith("\rWriting records: 17 of 17 (100%)\033[K\r\033[K")
    assert capsys.readouterr().out.startswith("Imported from")

    terminal.truncate(0)
    terminal.seek(0)
    assert run(db, "import", str(EXAMPLE)) == main.EXIT_DATA  # every id exists already
    err = terminal.getvalue()
    assert "\r\033[Kperdiem import: The file was not imported (17 problems):\n" in err


def test_quiet_import_shows_no_progress(db, capsys, monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(main.ProgressLine, "EVERY", 0)
    assert run(db, "import", "--quiet", str(EXAMPLE)) == 0
    assert terminal.getvalue() == ""
    assert capsys.readouterr().out.startswith("Imported from")


def broken_example() -> tuple[dict, list[str]]:
    """The example with one of each kind of problem, and the lines that must report them."""
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc["pharmacy"]["tax_id"] = "37-1234567"
    doc["prescribers"][0]["npi"] = "1558412388"
    doc["patients"][0]["coverages"][0]["relationship"] = "other"
    doc["orders"][0]["prescriber"] = "md-9"
    doc["orders"][0]["per_diem_code"] = "S5035"
    doc["orders"][0]["end_date"] = "2026-09-01"
    doc["prep_notes"][0]["date"] = "2026-02-30"
    doc["infusions"][1]["id"] = "mar-1"
    doc["care_notes"][0]["contact"] = "neighbour"
    return doc, [
        'pharmacy.tax_id: "37-1234567" is not 9 digits',
        'prescribers[0].npi: "1558412388" is not a valid NPI',
        'patients[0].coverages[0].subscriber: is required when the relationship is "other"',
        'orders[0].prescriber: no prescriber with id "md-9"',
        "orders[0].per_diem_code: S5035 (Hit routine device maint) is not a home infusion",
        "orders[0].end_date: 2026-09-01 is before the start date (2026-10-01)",
        'prep_notes[0].date: "2026-02-30" is not a real calendar date',
        'infusions[1].id: "mar-1" is used twice (also infusions[0])',
        'care_notes[0].contact: "neighbour" is not one of',
    ]


def check_refused(db: Path, file: Path, expected: list[str], capsys) -> None:
    before = dump(db)
    assert run(db, "import", str(file)) == main.EXIT_DATA
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines[0] == f"perdiem import: The file was not imported ({len(expected)} problems):"
    assert len(lines) == len(expected) + 1
    for line, start in zip(lines[1:], expected, strict=True):  # every error, in file order
        assert line.startswith(start)
    assert dump(db) == before


def test_a_broken_file_changes_nothing_in_an_empty_database(db, tmp_path, capsys):
    doc, expected = broken_example()
    check_refused(db, write_json(tmp_path / "broken.json", doc), expected, capsys)
    assert all(not rows for rows in dump(db).values())


def test_a_broken_file_changes_nothing_in_a_filled_database(example_db, tmp_path, capsys):
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc = {
        "format": "infusion-interchange", "version": 1,
        "pharmacy": {**example["pharmacy"], "name": "Lakeside Infusion"},
        "prescribers": [{"id": "dr-2", "first_name": "Ann", "last_name": "Ito",
                         "npi": "1558412388"}],
        "orders": [{**example["orders"][0], "id": "o-2", "prescriber": "md-9",
                    "per_diem_code": "S5035", "end_date": "2026-09-01"}],
        "infusions": [{"id": "mar-1", "order": "o-2", "date": "2026-02-30",
                       "status": "completed"}],
        "care_notes": [{"id": "cn-9", "patient": "p-404", "date": "2026-11-02",
                        "author": "Jia Lee", "text": "Call"}],
    }
    check_refused(example_db, write_json(tmp_path / "broken.json", doc), [
        'pharmacy.name: "Lakeside Infusion" differs from this database\'s pharmacy',
        'prescribers[0].npi: "1558412388" is not a valid NPI',
        'orders[0].prescriber: no prescriber with id "md-9"',
        "orders[0].per_diem_code: S5035 (Hit routine device maint) is not a home infusion",
        "orders[0].end_date: 2026-09-01 is before the start date (2026-10-01)",
        'infusions[0].id: an infusion entry with id "mar-1" already exists in the database',
        'infusions[0].date: "2026-02-30" is not a real calendar date',
        'care_notes[0].patient: no patient with id "p-404"',
    ], capsys)


def test_reimporting_a_file_names_every_existing_id(example_db, capsys):
    before = dump(example_db)
    assert run(example_db, "import", str(EXAMPLE)) == 1
    err = capsys.readouterr().err
    assert "(17 problems)" in err
    assert 'orders[0].id: an order with id "o-1" already exists in the database' in err
    assert dump(example_db) == before


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("{not json", "not a JSON file"),
    ("[1, 2]", "(file): [1, 2] is not an object"),
])
def test_import_of_a_file_that_is_not_an_interchange_file(db, tmp_path, capsys, content,
                                                          message):
    file = tmp_path / "in.json"
    if content is not None:
        file.write_text(content, encoding="utf-8")
    assert run(db, "import", str(file)) == 1
    assert message in capsys.readouterr().err


# --- export ----------------------------------------------------------------------------------


def test_export_writes_the_example_back(example_db, tmp_path, capsys):
    out = tmp_path / "out.json"
    assert run(example_db, "export", str(out)) == 0
    assert capsys.readouterr().out == f"Exported to {out}.\n"
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(EXAMPLE.read_text())
    assert not out.with_name("out.json.part").exists()


def test_export_import_export_is_identical(example_db, tmp_path, capsys):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert run(example_db, "export", str(first)) == 0
    other = tmp_path / "other.sqlite"
    assert run(other, "import", str(first)) == 0
    assert run(other, "export", str(second)) == 0
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")


def test_export_of_an_empty_database_fails(db, tmp_path, capsys):
    assert run(db, "export", str(tmp_path / "out.json")) == 1
    assert "pharmacy settings are not set" in capsys.readouterr().err
    assert not (tmp_path / "out.json").exists()


def test_export_into_a_missing_folder_fails(example_db, tmp_path, capsys):
    assert run(example_db, "export", str(tmp_path / "no" / "such" / "out.json")) == 1
    assert "perdiem export:" in capsys.readouterr().err


# --- billable-days ----------------------------------------------------------------------------


def test_billable_days_as_json(example_db, capsys):
    assert run(example_db, "billable-days", *YEAR, "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    header, *lines = EXPECTED_CSV.splitlines()
    assert [list(r) for r in rows] == [header.split(",")] * len(lines)
    assert [",".join(r.values()) for r in rows] == lines


def test_billable_days_for_one_patient(example_db, capsys):
    assert run(example_db, "billable-days", *YEAR, "--patient", "p-1001") == 0
    assert capsys.readouterr().out == EXPECTED_CSV


def test_billable_days_for_a_short_period(example_db, capsys):
    assert run(example_db, "billable-days", "--from", "2026-10-28", "--to", "2026-10-29") == 0
    assert capsys.readouterr().out.splitlines()[1:] == EXPECTED_CSV.splitlines()[2:]


def test_billable_days_to_a_file(example_db, tmp_path, capsys):
    out = tmp_path / "days.csv"
    assert run(example_db, "billable-days", *YEAR, "--out", str(out)) == 0
    assert capsys.readouterr().out == ""
    assert out.read_text(encoding="utf-8") == EXPECTED_CSV


def test_billable_days_with_the_end_before_the_start(example_db, capsys):
    assert run(example_db, "billable-days", "--from", "2026-10-31", "--to", "2026-10-01") == 1
    assert capsys.readouterr().err == "perdiem billable-days: --to: is before --from\n"


def test_billable_days_for_an_unknown_patient(example_db, capsys):
    assert run(example_db, "billable-days", *YEAR, "--patient", "p-404") == 1
    assert 'no patient with id "p-404"' in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["billable-days", "--to", "2026-12-31"], "the following arguments are required: --from"),
    (["billable-days", "--from", "2026-13-01", "--to", "2026-12-31"],
     '"2026-13-01" is not a date in the form YYYY-MM-DD'),
    (["billable-days", *YEAR, "--format", "xml"], "invalid choice: 'xml'"),
    (["import"], "the following arguments are required: file"),
    (["bill-everything"], "invalid choice: 'bill-everything'"),
])
def test_bad_usage_exits_2(tmp_path, capsys, args, message):
    db = tmp_path / "new.sqlite"
    with pytest.raises(SystemExit) as info:
        run(db, *args)
    assert info.value.code == main.EXIT_USAGE
    err = capsys.readouterr().err
    assert "usage: perdiem" in err and message in err
    assert not db.exists()  # nothing is opened on bad usage


# --- a real process, for the exit statuses the shell sees --------------------------------------


def test_exit_statuses_of_a_real_process(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    db = tmp_path / "proc.sqlite"

    def perdiem(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", str(db), *args],
                              capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)

    done = perdiem("import", str(EXAMPLE))
    assert (done.returncode, done.stderr) == (0, "")
    again = perdiem("import", str(EXAMPLE))
    assert again.returncode == 1 and "(17 problems)" in again.stderr
    usage = perdiem("billable-days", "--from", "2026-01-01")
    assert usage.returncode == 2 and "usage: perdiem" in usage.stderr
    days = perdiem("billable-days", *YEAR)
    assert (days.returncode, days.stdout) == (0, EXPECTED_CSV)



def test_a_file_with_a_byte_order_mark_imports(db, tmp_path, capsys):
    bom = tmp_path / "notepad.json"
    bom.write_bytes(b"\xef\xbb\xbf" + EXAMPLE.read_bytes())
    assert run(db, "import", str(bom)) == 0, capsys.readouterr().err


@pytest.mark.parametrize("command", [["export"], ["billable-days", *YEAR, "--out"]])
def test_output_to_a_folder_is_refused_and_leaves_nothing(example_db, tmp_path, capsys, command):
    folder = tmp_path / "out"
    folder.mkdir()
    assert run(example_db, *command, str(folder)) == main.EXIT_DATA
    assert "is a folder" in capsys.readouterr().err
    assert list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".part") == []
