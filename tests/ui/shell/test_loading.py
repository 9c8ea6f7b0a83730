"""The window paints before it reads, reads in the background with a visible loading state,
reads only for the tab in front, and never shows an answer that came too late."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy import event

from models.records import clinical, reference, registry
from models.records.tables import PatientBase
from tests.support.gui_wait import settle
from ui.billing.calendar_view import PatientCalendar
from ui.billing.month_view import MonthView
from ui.records.mar_tab import InfusionLogTab
from ui.shell import ops, workers
from ui.shell.context import AppContext
from ui.shell.main_window import MainWindow

OCT = dt.date(2026, 10, 1)
TODAY = dt.date(2026, 11, 27)


class Gate:
    """Holds a service call on its pool thread (when `when` says so) until opened: a slow
    read, made as slow as a test needs. The GUI thread is never held."""

    def __init__(self, monkeypatch, module: Any, name: str,
                 when: Callable[..., bool] = lambda *a, **k: True):
        self.opened = threading.Event()
        self.entered = threading.Event()
        real = getattr(module, name)

        def held(*args, **kwargs):
            if threading.current_thread() is not threading.main_thread() and when(*args,
                                                                                  **kwargs):
                self.entered.set()
                self.opened.wait(20)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, held)

    def open(self) -> None:
        self.opened.set()


@pytest.fixture
def gates():
    made: list[Gate] = []
    yield made
    for gate in made:  # never leave a pool thread waiting after a test
        gate.open()


@pytest.fixture
def ctx(example_engine, db_url):
    """The example pharmacy (p-1001 with October's days) and a second patient with nothing."""
    c = AppContext(example_engine, "tester", db_url)
    ops.WriteOp(c, lambda s: reference.save_patient(s, actor="t", data=PatientBase(
        id="p-2", first_name="Hans", last_name="Becker", birth_date=dt.date(1991, 9, 3),
        sex="M", address_line1="1 Main St", city="Peoria", state="IL", zip="61602"),
        coverages=[])).run()
    return c


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def gui_thread_sql(ctx):
    """The SQL statements run on the GUI thread from now on."""
    seen: list[str] = []

    def on_execute(_conn, _cursor, statement, *_args):
        if threading.current_thread() is threading.main_thread():
            seen.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", on_execute)
    yield seen
    event.remove(ctx.engine, "before_cursor_execute", on_execute)


def make_window(qtbot, ctx, settings) -> MainWindow:
    window = MainWindow(ctx, settings, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def tab(window: MainWindow, name: str):
    return next(w for w in window.tab_widgets if type(w).__name__ == name)


def test_window_paints_before_the_patients_are_read_and_says_so(qtbot, ctx, settings,
                                                                monkeypatch, gates):
    gates.append(gate := Gate(monkeypatch, reference, "list_patients"))
    window = make_window(qtbot, ctx, settings)  # shown and painted while the read is held
    qtbot.waitUntil(gate.entered.is_set)
    assert window.patients.count_label.text() == "Loading patients…"
    assert window.empty_hint.text() == "Loading patients…"
    assert window.patients.model.rowCount() == 0
    gate.open()
    settle(qtbot)
    assert window.patients.model.rowCount() == 2
    assert window.patients.count_label.text() == "2 patients"
    assert window.empty_hint.text().startswith("Choose a patient on the left")
    assert window.windowTitle() == "Riverbend Home Infusion — perdiem.sqlite — PerDiem"


def test_starting_and_selecting_run_no_sql_on_the_gui_thread(qtbot, ctx, settings,
                                                             gui_thread_sql):
    window = make_window(qtbot, ctx, settings)
    settle(qtbot)
    calendar = tab(window, "PatientCalendar")
    window.select_patient("p-1001", "PatientCalendar")
    settle(qtbot)
    calendar.set_month(OCT)
    settle(qtbot)
    for name in ("InfusionLogTab", "DocumentsTab", "AuthorizationsTab", "OrdersTab"):
        window.tabs.setCurrentWidget(tab(window, name))
        settle(qtbot)
    window.select_patient("p-2")
    settle(qtbot)
    window.show_page(window.MONTH_PAGE)
    settle(qtbot)
    window.month_view.set_month(OCT)
    settle(qtbot)
    assert gui_thread_sql == []
    # and the reads did happen: every view shows its data
    assert window.patient_id == "p-2" and "Becker, Hans" in window.header.text()
    assert window.month_view.model.rowCount() == 1  # p-1001's October


def test_only_the_tab_in_front_reads_the_others_when_brought_forward(qtbot, ctx, settings):
    window = make_window(qtbot, ctx, settings)
    settle(qtbot)
    calendar, mar = tab(window, "PatientCalendar"), tab(window, "InfusionLogTab")
    calendar.set_month(OCT)
    window.select_patient("p-1001", "PatientCalendar")
    settle(qtbot)
    assert calendar.day(dt.date(2026, 10, 7)).status == "billable"
    assert mar.panel.patient_id is None and mar.panel.model.rowCount() == 0  # not read yet
    window.tabs.setCurrentWidget(mar)
    assert mar.panel.loading
    assert mar.panel.count_label.text() == "Loading infusion entries…"
    settle(qtbot)
    entries = ctx.read(lambda s: clinical.list_records(s, registry.INFUSION, patient_id="p-1001"))
    assert mar.panel.model.rowCount() == len(entries) > 0
    assert mar.panel.count_label.text().startswith(f"{len(entries)} infusion entr")
    assert mar.form.fields["order_id"].currentData() is not None  # defaults read too


def test_a_late_answer_for_the_patient_before_is_dropped(qtbot, ctx, monkeypatch, gates):
    gates.append(gate := Gate(monkeypatch, clinical, "list_records", lambda _s, kind, **kw:
                              kind is registry.INFUSION and kw.get("patient_id") == "p-1001"))
    log = InfusionLogTab(ctx)
    qtbot.addWidget(log)
    log.set_patient("p-1001")
    qtbot.waitUntil(gate.entered.is_set)  # p-1001's log is being read, slowly
    log.set_patient("p-2")
    qtbot.waitUntil(lambda: not log.panel.loading)
    assert log.panel.count_label.text() == "0 infusion entries"
    gate.open()  # p-1001's answer arrives now, too late
    qtbot.waitUntil(lambda: workers.pending_jobs() == 0)
    assert log.panel.model.rowCount() == 0
    assert log.panel.count_label.text() == "0 infusion entries"
    assert log.panel.patient_id == "p-2"


def test_calendar_says_computing_until_the_month_is_shown(qtbot, ctx, monkeypatch, gates):
    cal = PatientCalendar(ctx)
    qtbot.addWidget(cal)
    cal.show()
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_month(OCT)
    gates.append(gate := Gate(monkeypatch, reference, "list_payers"))  # one of the calendar's reads
    cal.set_patient("p-1001")
    assert cal.computing
    assert cal.status_label.isVisible()
    assert cal.status_label.text() == "Computing the billing days of October 2026…"
    assert cal.day(dt.date(2026, 10, 7)).results == []  # the dates, no status yet
    assert cal.total_labels["billable"].text() == "✔ … billable"
    qtbot.waitUntil(lambda: "Computing" in cal.panel.text())
    with qtbot.waitSignal(cal.data_loaded, timeout=20000):
        gate.open()
    assert not cal.computing and not cal.status_label.isVisible()
    assert cal.day(dt.date(2026, 10, 7)).status == "billable"


def test_month_view_says_computing_and_never_shows_the_month_before(qtbot, ctx, monkeypatch,
                                                                   gates):
    ctx.view_state["month_view.month"] = OCT
    view = MonthView(ctx)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.data_loaded):
        view.show()
    assert view.model.rowCount() == 1
    gates.append(gate := Gate(monkeypatch, reference, "list_payers"))  # a month read
    view.set_month(dt.date(2026, 9, 1))
    assert view.computing
    assert view.computing_label.isVisible()
    assert view.computing_label.text() == (
        "Computing every patient's billing days for September 2026…")
    assert view.model.rowCount() == 0  # October's rows are not left under September's title
    assert view.empty_label.text() == ""  # not "no service days": it is not known yet
    with qtbot.waitSignal(view.data_loaded, timeout=20000):
        gate.open()
    assert not view.computing and not view.computing_label.isVisible()
