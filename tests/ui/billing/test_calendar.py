"""The patient billing calendar: statuses, reasons in words, one-click fixes, reloads (R1-R18)."""

from __future__ import annotations

import datetime as dt
import importlib
import sys
import types

import pytest
from PySide6.QtCore import Qt

from models.billing.rules import BILLABLE, HOLD, NOT_BILLABLE
from models.records import clinical, reference, registry
from models.records.tables import InfusionBase, PrepNoteBase
from ui.billing import fixes, month_bar
from ui.billing.billing_models import DAY_ROLE, STATUS_ROLE, CalendarTableModel
from ui.billing.calendar_view import PatientCalendar
from ui.shell import ops
from ui.shell.context import AppContext

OCT = dt.date(2026, 10, 1)


@pytest.fixture
def ctx(example_engine, db_url):
    return AppContext(example_engine, "tester", db_url)


@pytest.fixture
def cal(qtbot, ctx):
    widget = PatientCalendar(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    with qtbot.waitSignal(widget.data_loaded):
        widget.set_month(OCT)
    with qtbot.waitSignal(widget.data_loaded):
        widget.set_patient("p-1001")
    return widget


def patch_form(monkeypatch, module: str, name: str, fn) -> None:
    """Replace a form opener; the form modules are written by others and may not exist yet."""
    try:
        importlib.import_module(module)
    except ModuleNotFoundError:
        monkeypatch.setitem(sys.modules, module, types.ModuleType(module))
    monkeypatch.setattr(sys.modules[module], name, fn, raising=False)


def cell_text(cal: PatientCalendar, day: dt.date) -> str:
    return cal.model.index_of(day).data(Qt.ItemDataRole.DisplayRole)


def test_example_month_shows_status_code_and_modifiers(cal):
    # R1: the held dose on 10-28 makes it not billable; R14: the suite infusion on 10-29 has SS
    assert cal.day(dt.date(2026, 10, 7)).status == BILLABLE
    assert cell_text(cal, dt.date(2026, 10, 7)) == "7\n✔ Billable\nS9338"
    assert cal.day(dt.date(2026, 10, 28)).status == NOT_BILLABLE
    assert cal.day(dt.date(2026, 10, 28)).results[0].reasons == ("no-infusion",)  # R1
    assert cell_text(cal, dt.date(2026, 10, 28)) == "28\n✖ Not billable\nS9338"
    assert cal.day(dt.date(2026, 10, 29)).status == BILLABLE
    assert cell_text(cal, dt.date(2026, 10, 29)) == "29\n✔ Billable\nS9338 SS"
    assert cal.day(dt.date(2026, 10, 8)).results == []
    assert cal.month_label.text() == "October 2026"
    assert cal.total_labels[BILLABLE].text() == "✔ 2 billable"
    assert cal.total_labels[HOLD].text() == "⚠ 0 on hold"
    assert cal.total_labels[NOT_BILLABLE].text() == "✖ 1 not billable"
    tip = cal.model.index_of(dt.date(2026, 10, 28)).data(Qt.ItemDataRole.ToolTipRole)
    assert "No dose was given this day" in tip and "(R1)" in tip
    assert tip.startswith("Wednesday, October 28, 2026")  # US order, as on every form
    cal.select_day(dt.date(2026, 10, 28))
    assert cal.panel.text().startswith("Wednesday, October 28, 2026")


def test_grid_is_monday_first_weeks(cal):
    m = cal.model
    assert m.headerData(0, Qt.Orientation.Horizontal) == "Mon"
    assert m.headerData(6, Qt.Orientation.Horizontal) == "Sun"
    # 1 October 2026 is a Thursday: the first row starts on Monday 28 September
    first = m.index(0, 0).data(DAY_ROLE)
    assert first.date == dt.date(2026, 9, 28) and not first.in_month
    assert m.index(0, 3).data(DAY_ROLE).date == OCT
    assert m.rowCount() == 5


def test_voided_prep_note_turns_day_to_hold_with_reason(qtbot, cal, ctx):
    cal.select_day(dt.date(2026, 10, 7))
    assert "Ready to bill" in cal.panel.text()
    with qtbot.waitSignal(cal.data_loaded):
        ops.call(
            ctx,
            clinical.void_record,
            kind=registry.PREP_NOTE,
            record_id="rx-1",
            reason="entered on the wrong order",
        )
    # R9: no preparation note covers 10-07 any more
    day = cal.day(dt.date(2026, 10, 7))
    assert day.status == HOLD and day.results[0].reasons == ("missing-prep-note",)
    assert cell_text(cal, dt.date(2026, 10, 7)).startswith("7\n⚠ Hold")
    assert (
        "No preparation note covers this day: add one, correct its beyond-use date, or correct "
        "the lot the entry names (R28)."
        in cal.panel.text()
    )
    assert cal.total_labels[HOLD].text() == "⚠ 1 on hold"
    assert cal.day(dt.date(2026, 10, 29)).status == BILLABLE  # rx-2 still covers it


def test_shortened_beyond_use_date_turns_day_to_hold(qtbot, cal, ctx):
    rx2 = ctx.read(lambda s: clinical.get_record(s, registry.PREP_NOTE, "rx-2"))
    data = PrepNoteBase.model_validate(rx2.model_dump())
    data.beyond_use_date = dt.date(2026, 10, 28)
    with qtbot.waitSignal(cal.data_loaded):
        ops.call(
            ctx,
            clinical.edit_record,
            kind=registry.PREP_NOTE,
            record_id="rx-2",
            data=data,
            reason="BUD was 4 days, not 5",
        )
    cal.select_day(dt.date(2026, 10, 29))
    assert cal.day(dt.date(2026, 10, 29)).status == HOLD  # R9
    assert "No preparation note covers this day" in cal.panel.text()


def test_fix_button_opens_the_form_for_the_reason(qtbot, cal, ctx, monkeypatch):
    with qtbot.waitSignal(cal.data_loaded):
        ops.call(ctx, clinical.void_record, kind=registry.PREP_NOTE, record_id="rx-1",
                 reason="test")
    cal.select_day(dt.date(2026, 10, 7))
    calls = []

    def fake_form(ctx_, parent, kind, *, patient_id, record_id=None, order_id=None, day=None):
        calls.append((kind, patient_id, record_id, order_id, day))
        return True

    patch_form(monkeypatch, "ui.forms.record_forms", "open_record_form", fake_form)
    button = cal.panel.fix_buttons[("o-1", "missing-prep-note")]
    assert button.text() == "Add preparation note…"
    with qtbot.waitSignal(cal.fix_opened):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert calls == [(registry.PREP_NOTE, "p-1001", None, "o-1", dt.date(2026, 10, 7))]


def test_fix_targets_by_reason(cal, ctx):
    day = cal.day(dt.date(2026, 10, 7)).results[0]
    assert fixes.fix_target(ctx, "no-coverage", day) == (registry.PATIENT,
                                                            {"patient_id": "p-1001"})
    kind, kw = fixes.fix_target(ctx, "unsigned-order", day)  # R7: edit the order itself
    assert (kind, kw["record_id"]) == (registry.ORDER, "o-1")
    kind, kw = fixes.fix_target(ctx, "incomplete-mar", day)  # R11: that day's entry
    assert (kind, kw["record_id"]) == (registry.INFUSION, None)  # mar-1 is complete
    kind, kw = fixes.fix_target(ctx, "authorization-exhausted", day)  # R13: add units to pa-1
    assert (kind, kw["record_id"]) == (registry.AUTHORIZATION, "pa-1")
    kind, kw = fixes.fix_target(ctx, "missing-care-note", day)
    assert (kind, kw["record_id"], kw["day"]) == (registry.CARE_NOTE, None, dt.date(2026, 10, 7))


def test_coverage_fix_opens_patient_form(cal, ctx, monkeypatch):
    opened = []
    patch_form(
        monkeypatch,
        "ui.forms.patient_form",
        "edit_patient",
        lambda c, parent, pid: opened.append(pid) or False,
    )
    day = cal.day(dt.date(2026, 10, 7)).results[0]
    assert fixes.open_fix(ctx, cal, "no-coverage", day) is False
    assert opened == ["p-1001"]


def test_month_navigation_and_memory(qtbot, cal, ctx, monkeypatch):
    with qtbot.waitSignal(cal.data_loaded):
        qtbot.mouseClick(cal.next_button, Qt.MouseButton.LeftButton)
    assert cal.month_label.text() == "November 2026"
    assert cal.model.results() == []
    with qtbot.waitSignal(cal.data_loaded):
        qtbot.mouseClick(cal.prev_button, Qt.MouseButton.LeftButton)
    assert cal.month_label.text() == "October 2026"
    # a new calendar in this run of the app opens on the month last shown
    again = PatientCalendar(ctx)
    qtbot.addWidget(again)
    assert again.month == OCT
    monkeypatch.setattr(month_bar, "today", lambda: dt.date(2026, 11, 27))
    with qtbot.waitSignal(cal.data_loaded):
        qtbot.mouseClick(cal.today_button, Qt.MouseButton.LeftButton)
    assert cal.month_label.text() == "November 2026"
    assert cal.table.currentIndex().data(DAY_ROLE).date == dt.date(2026, 11, 27)


def test_no_patient_shows_an_empty_month(qtbot, cal):
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_patient(None)
    assert cal.model.results() == []
    assert "Choose a patient" in cal.panel.text()


def test_calendar_model_passes_modeltester(qtmodeltester, cal):
    qtmodeltester.check(cal.model)
    empty = CalendarTableModel()
    qtmodeltester.check(empty)
    assert cal.model.index_of(dt.date(2026, 10, 28)).data(STATUS_ROLE) == NOT_BILLABLE


def test_background_task_delivers_result_and_error_on_gui_thread(qtbot, ctx):
    from PySide6.QtCore import QObject, QThread

    from models.errors import NotFound
    from ui.shell.workers import run_in_background

    seen = []
    receiver = QObject()
    task = run_in_background(
        ctx,
        lambda s: (reference.get_patient(s, "p-1001").last_name, QThread.currentThread()),
        receiver=receiver,
        on_result=lambda v: seen.append((v, QThread.currentThread())),
    )
    with qtbot.waitSignal(task.finished):
        pass
    (name, worker_thread), gui_thread = seen[0]
    assert name == "Lindqvist" and gui_thread is QThread.currentThread()
    assert worker_thread is not gui_thread

    errors = []
    task = run_in_background(
        ctx, lambda s: reference.get_patient(s, "nobody"), receiver=receiver, on_error=errors.append
    )
    with qtbot.waitSignal(task.failed):
        pass
    assert isinstance(errors[0], NotFound)


def test_background_task_skips_a_destroyed_receiver(qtbot, ctx):
    from PySide6.QtCore import QObject

    from ui.shell.workers import run_in_background

    calls = []
    receiver = QObject()
    task = run_in_background(ctx, lambda s: 1, receiver=receiver, on_result=calls.append)
    import shiboken6

    shiboken6.delete(receiver)
    with qtbot.waitSignal(task.succeeded):
        pass
    assert calls == []


def test_failed_load_is_shown_in_the_view(qtbot, cal):
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_patient("no-such-patient")
    assert not cal.status_label.isHidden()
    assert 'There is no patient with id "no-such-patient"' in cal.status_label.text()


def test_incomplete_mar_fix_opens_that_entry(qtbot, cal, ctx):
    mar3 = ctx.read(lambda s: clinical.get_record(s, registry.INFUSION, "mar-3"))
    data = InfusionBase.model_validate(mar3.model_dump())
    data.end_time = None
    with qtbot.waitSignal(cal.data_loaded):
        ops.call(
            ctx,
            clinical.edit_record,
            kind=registry.INFUSION,
            record_id="mar-3",
            data=data,
            reason="end time was a guess",
        )
    day = cal.day(dt.date(2026, 10, 29)).results[0]
    assert (day.status, day.reasons) == (HOLD, ("incomplete-mar",))  # R11
    kind, kw = fixes.fix_target(ctx, "incomplete-mar", day)
    assert (kind, kw["record_id"], kw["order_id"]) == (registry.INFUSION, "mar-3", "o-1")
    cal.select_day(dt.date(2026, 10, 29))
    assert cal.panel.fix_buttons[("o-1", "incomplete-mar")].text() == "Complete the infusion entry…"


def test_fix_button_opens_the_real_form(qtbot, cal, ctx):
    from PySide6.QtWidgets import QDialog

    with qtbot.waitSignal(cal.data_loaded):
        ops.call(ctx, clinical.void_record, kind=registry.PREP_NOTE, record_id="rx-1",
                 reason="test")
    cal.select_day(dt.date(2026, 10, 7))
    with qtbot.waitSignal(cal.fix_opened):
        qtbot.mouseClick(
            cal.panel.fix_buttons[("o-1", "missing-prep-note")], Qt.MouseButton.LeftButton
        )
    dialogs = [d for d in cal.findChildren(QDialog) if d.isVisible()]
    assert [d.windowTitle() for d in dialogs] == ["New preparation note"]
    dialogs[0].reject()


def test_page_keys_change_month_when_the_calendar_has_focus(qtbot, cal):
    cal.show()
    qtbot.waitExposed(cal)
    cal.table.setFocus()
    with qtbot.waitSignal(cal.data_loaded):
        qtbot.keyClick(cal.table, Qt.Key.Key_PageDown)
    assert cal.month_label.text() == "November 2026"
    with qtbot.waitSignal(cal.data_loaded):
        qtbot.keyClick(cal.table, Qt.Key.Key_PageUp)
    assert cal.month_label.text() == "October 2026"


def test_packet_button_makes_the_months_packet(qtbot, cal, tmp_path, monkeypatch):
    """Issue 4 from the calendar: the button writes the shown month's packet for the patient."""
    from pypdf import PdfReader
    from PySide6.QtWidgets import QFileDialog

    from ui.claims import packet_actions

    out = tmp_path / "packet.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    jobs = []
    real = packet_actions.make_packet
    monkeypatch.setattr(packet_actions, "make_packet",
                        lambda *a, **k: jobs.append(real(*a, **k)) or jobs[-1])
    qtbot.mouseClick(cal.packet_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(jobs[0].succeeded, timeout=20000):
        pass
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Lindqvist" in text and "October 1 to 31, 2026" in text
    assert "10/29/2026" in text


def test_a_narrow_calendar_still_shows_the_whole_week(qtbot, cal):
    """In a tab beside the patient list on a 1280-pixel screen (about 860 pixels) Sunday is
    not pushed behind a sideways scrollbar; "✔ Billable" still fits a day."""
    from PySide6.QtGui import QFont, QFontMetrics

    cal.resize(860, 600)
    cal.show()
    qtbot.waitExposed(cal)
    hh, room = cal.table.horizontalHeader(), cal.table.viewport().width()
    sunday_end = hh.sectionViewportPosition(6) + hh.sectionSize(6)
    assert sunday_end <= room + 4 and not cal.table.horizontalScrollBar().isVisible()
    bold = QFont(cal.table.font())
    bold.setBold(True)
    assert min(hh.sectionSize(c) for c in range(7)) > \
        QFontMetrics(bold).horizontalAdvance("✔ Billable")
