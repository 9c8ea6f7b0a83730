"""`main.py month`: the pharmacy's billing month as CSV, byte for byte what the month view's
Export CSV writes for the same month and filters (models/billing/month.py makes both). With the
GUI tests, since it drives the month view to compare."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import main
from models.billing.month import MonthFilter
from models.billing.rules import HOLD, NOT_BILLABLE
from ui.billing.month_view import MonthView
from ui.shell.context import AppContext

OCT = dt.date(2026, 10, 1)


def month_command(db_url: str, *args: str) -> int:
    return main.main(["--db", db_url.removeprefix("sqlite:///"), "--user", "tester", "month",
                      "--month", "2026-10", *args])


@pytest.fixture
def view(qtbot, example_engine, db_url):
    ctx = AppContext(example_engine, "tester", db_url)
    ctx.view_state["month_view.month"] = OCT
    widget = MonthView(ctx)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.data_loaded):
        widget.show()
    return widget


@pytest.mark.parametrize("shown, options", [
    (MonthFilter(), []),
    (MonthFilter(status=NOT_BILLABLE), ["--status", "not-billable"]),
    (MonthFilter(status=HOLD), ["--status", "hold"]),  # no patient: the header alone
    (MonthFilter(payer_id="bcx"), ["--payer", "bcx"]),
])
def test_the_command_writes_the_month_views_export(view, db_url, tmp_path, shown, options):
    view.set_filter(shown)
    gui, cli = tmp_path / "gui.csv", tmp_path / "cli.csv"
    view.export_csv(gui)
    assert month_command(db_url, *options, "--out", str(cli)) == main.EXIT_OK
    assert cli.read_bytes() == gui.read_bytes()
    header = cli.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:3] == ["patient_id", "name", "2026-10-01"] and len(header) == 2 + 31 + 3


def test_without_out_the_csv_goes_to_stdout(example_engine, db_url, tmp_path, capsys):
    assert month_command(db_url, "--out", str(tmp_path / "m.csv")) == main.EXIT_OK
    assert month_command(db_url) == main.EXIT_OK
    assert capsys.readouterr().out == (tmp_path / "m.csv").read_bytes().decode("utf-8")


@pytest.mark.parametrize("options, message", [
    (["--status", "paid"], '--status: "paid" is not one of billable, hold, not-billable'),
    (["--reason", "late"], '--reason: "late" is not one of no-infusion'),
    (["--payer", "nobody"], '--payer: no payer with id "nobody"'),
])
def test_a_bad_filter_is_refused_in_words(example_engine, db_url, capsys, options, message):
    assert month_command(db_url, *options) == main.EXIT_DATA
    assert message in capsys.readouterr().err


def test_a_month_without_service_days_is_the_header_alone(example_engine, db_url, capsys):
    assert main.main(["--db", db_url.removeprefix("sqlite:///"), "month", "--month",
                      "2025-02"]) == main.EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].split(",")[-4:] == [
        "2025-02-28", "billable_days", "hold_days", "not_billable_days"]


def test_the_month_must_be_a_month(capsys):
    with pytest.raises(SystemExit) as exit_:
        main.main(["month", "--month", "2026-13"])
    assert exit_.value.code == main.EXIT_USAGE
    assert '"2026-13" is not a month in the form YYYY-MM' in capsys.readouterr().err


def test_the_csv_ends_lines_as_the_csv_module_does(example_engine, db_url, tmp_path):
    out = tmp_path / "m.csv"
    assert month_command(db_url, "--out", str(out)) == main.EXIT_OK
    text = Path(out).read_bytes()
    assert text.count(b"\r\n") == len(text.splitlines()) == 2  # header and p-1001
