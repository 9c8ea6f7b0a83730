"""Issue 12 in the GUI's own reads: the administrator without a clinical role reads no
clinical record (the MAR, the billing calendar stay empty, the refusal shown), and the billing
reads (a patient's calendar, the pharmacy's month) each leave one audit row naming who, the
period and the patient."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import QSettings
from sqlmodel import select

from models.db import snapshot, unit_of_work
from models.records import clinical, registry
from models.security import accounts
from models.security.tables import AuditEvent
from tests.support.gui_wait import settle
from ui.billing.calendar_view import PatientCalendar
from ui.billing.month_view import MonthView
from ui.shell.context import AppContext
from ui.shell.main_window import MainWindow

PW = "correct horse 1"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


@pytest.fixture
def staffed(example_engine):
    with unit_of_work(example_engine) as s:
        accounts.add_account(s, actor="x", username="admin", roles=["administrator"],
                             password=PW, hasher=CHEAP)
        for name, role in (("nina", "nurse"), ("bill", "billing")):
            accounts.add_account(s, actor="admin", username=name, roles=[role], password=PW,
                                 hasher=CHEAP)
    return example_engine


def rows(engine, user: str, action: str) -> list[tuple[str | None, str]]:
    with snapshot(engine) as s:
        return [(r.patient_id, r.detail) for r in s.exec(
            select(AuditEvent).where(AuditEvent.username == user, AuditEvent.action == action)
            .order_by(AuditEvent.id))]


def open_mar(qtbot, engine, db_url, tmp_path, user: str):
    window = MainWindow(AppContext(engine, user, db_url),
                        QSettings(str(tmp_path / f"{user}.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    settle(qtbot)
    qtbot.waitUntil(lambda: window.security.active)
    window.select_patient("p-1001", "InfusionLogTab")
    settle(qtbot)
    mar = window.tabs.currentWidget()
    assert type(mar).__name__ == "InfusionLogTab"
    qtbot.waitUntil(lambda: not mar.panel.loading)
    return window, mar


def test_the_administrator_reads_no_mar_and_sees_the_refusal(qtbot, staffed, db_url,
                                                            tmp_path):
    with snapshot(staffed) as s:
        entries = clinical.list_records(s, registry.INFUSION, patient_id="p-1001")
    assert entries, "the example patient has MAR entries"
    window, mar = open_mar(qtbot, staffed, db_url, tmp_path, "nina")
    assert mar.panel.model.rowCount() == len(entries), "a nurse sees the MAR"

    window, mar = open_mar(qtbot, staffed, db_url, tmp_path, "admin")
    assert mar.panel.model.rowCount() == 0, "nothing of the MAR was read for the administrator"
    assert "may not open patients' clinical records" in mar.panel.count_label.text()
    qtbot.waitUntil(lambda: "may not open patients' clinical records"
                    in window.empty_hint.text())
    assert window.detail_stack.currentIndex() == 0


def test_the_administrators_billing_calendar_stays_empty(qtbot, staffed, db_url):
    cal = PatientCalendar(AppContext(staffed, "admin", db_url))
    qtbot.addWidget(cal)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_month(OCT)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_patient("p-1001")
    assert cal.model.results() == []
    assert "may not open patients' clinical records" in cal.status_label.text()
    assert rows(staffed, "admin", "billable days viewed") == []


def test_the_billing_calendar_records_each_patient_month_it_shows(qtbot, staffed, db_url):
    ctx = AppContext(staffed, "bill", db_url)
    cal = PatientCalendar(ctx)
    qtbot.addWidget(cal)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_month(OCT)
    assert rows(staffed, "bill", "billable days viewed") == [], "no patient, no row"
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_patient("p-1001")
    assert cal.model.results(), "the month was read"
    october = ("p-1001", "2026-10-01 to 2026-10-31; billing calendar")
    qtbot.waitUntil(lambda: rows(staffed, "bill", "billable days viewed") == [october])

    with qtbot.waitSignal(cal.data_loaded):
        cal.reload()  # read again (as after a change): the same month, no second row
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_month(NOV)
    qtbot.waitUntil(lambda: len(rows(staffed, "bill", "billable days viewed")) > 1)
    settle(qtbot)
    assert rows(staffed, "bill", "billable days viewed") == [
        october, ("p-1001", "2026-11-01 to 2026-11-30; billing calendar")]


def test_the_month_view_records_the_month_it_shows(qtbot, staffed, db_url):
    ctx = AppContext(staffed, "bill", db_url)
    ctx.view_state["month_view.month"] = OCT
    view = MonthView(ctx)
    qtbot.addWidget(view)
    view.resize(1400, 600)
    with qtbot.waitSignal(view.data_loaded):
        view.show()
    assert view.model.rowCount() == 1
    expected = [(None, "2026-10-01 to 2026-10-31; month view")]
    qtbot.waitUntil(lambda: rows(staffed, "bill", "month viewed") == expected)
    with qtbot.waitSignal(view.data_loaded):
        view.reload()
    settle(qtbot)  # a row the re-read wrote would be there now
    assert rows(staffed, "bill", "month viewed") == expected, "a re-read adds no row"


def test_the_administrators_month_view_is_refused(qtbot, staffed, db_url):
    ctx = AppContext(staffed, "admin", db_url)
    ctx.view_state["month_view.month"] = OCT
    view = MonthView(ctx)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: not view.computing)
    assert view.model.rowCount() == 0
    assert "may not open patients' clinical records" in view.error_label.text()
    assert rows(staffed, "admin", "month viewed") == []


def test_the_work_list_records_its_showing_once_and_each_pdf(qtbot, staffed, db_url, tmp_path):
    """The Today page is a read of every patient's holds and due entries: one row when the
    day's list is first shown (a re-read after a change adds none), and one for each PDF."""
    from ui.billing.today_view import TodayView

    day = dt.date(2026, 10, 20)
    view = TodayView(AppContext(staffed, "bill", db_url), today=lambda: day)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.work is not None)
    shown = (None, "2026-09-19 to 2026-10-20; shown")
    qtbot.waitUntil(lambda: rows(staffed, "bill", "work list viewed") == [shown])
    view.reload()
    settle(qtbot)
    assert rows(staffed, "bill", "work list viewed") == [shown]
    view.save_pdf(tmp_path / "today.pdf")
    qtbot.waitUntil(lambda: len(rows(staffed, "bill", "work list viewed")) == 2)
    assert rows(staffed, "bill", "work list viewed")[1] == (
        None, "2026-09-19 to 2026-10-20; printed to PDF")


def test_the_administrator_opens_no_clinical_history_scan_or_fix(qtbot, staffed, db_url,
                                                                monkeypatch):
    """The reads reached from a record (its history, a scan, the record a hold's fix opens)
    are refused to the administrator too, before anything is read; a nurse reads them."""
    from PySide6.QtWidgets import QMessageBox

    from models.billing import loading
    from models.errors import DomainError
    from ui.billing.fixes import fix_target
    from ui.records.history import HistoryDialog
    from ui.records.scan_files import open_attachment

    order_id = "o-1"
    with snapshot(staffed) as s:
        assert clinical.get_record(s, registry.ORDER, order_id)
        held = next(d for d in loading.billable_days(s, OCT, dt.date(2026, 10, 31))
                    if d.reasons)  # the example's day without an infusion (R1)
    admin, nurse = AppContext(staffed, "admin", db_url), AppContext(staffed, "nina", db_url)

    refused = HistoryDialog(admin, registry.ORDER, order_id)
    qtbot.addWidget(refused)
    assert "administrator" in refused.panel.heading.text()
    assert refused.panel.model.rowCount() == 0
    shown = HistoryDialog(nurse, registry.ORDER, order_id)
    qtbot.addWidget(shown)
    assert shown.panel.model.rowCount() >= 1

    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warned.append(text))
    assert open_attachment(admin, None, 1) is None
    assert warned and "administrator" in warned[0]

    reason = held.reasons[0]
    with pytest.raises(DomainError, match="administrator"):
        fix_target(admin, reason, held)
    fix_target(nurse, reason, held)
