"""GUI tests of the daily infusion log (MAR): keyboard entry in paper-MAR tab order with the
dose and nurse prefilled, Enter saves, held doses need a note, edits ask why and keep history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from models.billing import loading
from models.db import unit_of_work
from models.records import clinical, registry
from models.records.dose import dose_from_text
from models.records.tables import OrderBase
from tests.support.gui_record_data import ORDER, PATIENT, SERVICE_DAY, build_records
from tests.support.gui_wait import settle
from tests.support.recorded import create_on_its_day
from ui.forms import kit
from ui.forms.record_forms import make_record_dialog
from ui.records.history import HistoryDialog
from ui.records.mar_tab import InfusionLogTab, MarEntryForm
from ui.shell.context import AppContext


@pytest.fixture
def ctx(engine, db_url, qtbot, monkeypatch):
    # the desktop app's today is the day after the service day: what is typed for the
    # service day is on time (R26), and the next entry may open on today (issue 16)
    monkeypatch.setenv("PERDIEM_TODAY", (SERVICE_DAY + dt.timedelta(days=1)).isoformat())
    build_records(engine)
    return AppContext(engine, "Jia Lee", db_url)


@pytest.fixture
def tab(ctx, qtbot):
    widget = InfusionLogTab(ctx)
    qtbot.addWidget(widget)
    widget.set_patient(PATIENT)
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(lambda: widget.isActiveWindow())
    settle(qtbot)  # the log and the entry's defaults are read in the background
    widget.focus_entry()
    return widget


def fresh(engine, fn):
    with unit_of_work(engine) as s:
        return fn(s)


def entries(engine):
    return fresh(engine, lambda s: clinical.list_records(s, registry.INFUSION, patient_id=PATIENT))


def type_here(qtbot, text):
    """Type into whatever has the keyboard focus, as a nurse would."""
    qtbot.keyClicks(QApplication.focusWidget(), text)


def press(key):
    QTest.keyClick(QApplication.focusWidget(), key)


def test_keyboard_entry_follows_the_paper_mar_and_makes_the_day_billable(tab, engine, qtbot):
    assert fresh(engine, lambda s: loading.billable_days(s, SERVICE_DAY, SERVICE_DAY)) == []
    form = tab.form
    # prefilled: the only active order, the dose given last time, the nurse who gave it
    assert form.fields["order_id"].currentData() == ORDER
    assert form.fields["dose_given"].text() == "28000"
    assert form.fields["administered_by"].text() == "Kate Moss RN"
    assert tab.form.captions["dose_given"].text() == "Dose given (mg)"

    visited = [QApplication.focusWidget().objectName()]
    type_here(qtbot, "11/20/2026")
    # paper MAR order: order, start, end, dose, wasted, site, nurse, lot, then status,
    # setting, reaction, notes (issue 16: the times no longer come after the dropdowns)
    for text in ("", "0905", "12:50", "", "", "right forearm", "", "", "", "", "none", ""):
        press(Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget().objectName())
        type_here(qtbot, text)
    assert visited == list(MarEntryForm.TAB_ORDER)
    press(Qt.Key.Key_Return)  # Enter saves

    [saved] = [e for e in entries(engine) if e.date == SERVICE_DAY]
    assert (saved.order_id, saved.status, saved.setting) == (ORDER, "completed", "home")
    assert (saved.start_time, saved.end_time) == (dt.time(9, 5), dt.time(12, 50))
    assert (saved.dose_given, saved.administered_by, saved.site, saved.reaction) == (
        Decimal(28000), "Kate Moss RN", "right forearm", "none")
    assert saved.recorded_by == "Jia Lee"
    [day] = fresh(engine, lambda s: loading.billable_days(s, SERVICE_DAY, SERVICE_DAY))
    assert (day.status, day.reasons, day.authorization_number) == ("billable", (), "PA20261001")
    # the form is ready for the next entry, on the next day with this one's times and site,
    # and the log shows the new line (read again)
    settle(qtbot)
    assert form.record is None
    assert form.date.date() == SERVICE_DAY + dt.timedelta(days=1)
    assert (form.fields["start_time"].text(), form.fields["end_time"].text(),
            form.fields["site"].text()) == ("09:05", "12:50", "right forearm")
    assert saved.id in tab.saved_label.text()
    assert tab.panel.selected_id() == saved.id


def test_dose_comes_from_the_order_text_when_nothing_was_given_yet(ctx, engine, qtbot):
    with unit_of_work(engine) as s:
        create_on_its_day(s, actor="x", kind=registry.ORDER, data=OrderBase(
            id="o-2", patient_id=PATIENT, prescriber_id="dr-okafor", per_diem_code="S9500",
            drug_name="Vancomycin", drug_dose_unit="mg", dose="1.25 g every 12 hours",
            diagnosis_codes=["A41.9"], start_date=dt.date(2026, 11, 1)))
    form = MarEntryForm(ctx, PATIENT, order_id="o-2", day=SERVICE_DAY)
    qtbot.addWidget(form)
    settle(qtbot)
    assert form.fields["order_id"].currentData() == "o-2"
    assert form.fields["dose_given"].text() == "1250"
    assert form.fields["administered_by"].text() == ""  # no one has given this order yet


@pytest.mark.parametrize(("dose", "unit", "expected"), [
    ("30 g (0.4 g/kg)", "mg", Decimal(30000)),
    ("500 mg", "g", Decimal("0.5")),
    ("250 mL over 2 h", "mL", Decimal(250)),
    ("2 vials", "mg", None),  # not a unit: no guess
    ("30 g", "mL", None),  # mass into volume: no guess
    ("0.4 g/kg", None, None),  # no dose unit on the order
])
def test_dose_from_text_converts_only_what_it_can(dose, unit, expected):
    assert dose_from_text(dose, unit) == expected


def test_held_entry_without_a_note_is_refused_and_keeps_the_text(tab, engine, qtbot,
                                                                  monkeypatch):
    monkeypatch.setenv("PERDIEM_TODAY", "2026-11-21")  # entered on its day (R24, R26)
    form = tab.form
    before = len(entries(engine))
    retype = form.fields["date"]
    retype.selectAll()
    qtbot.keyClicks(retype, "11/21/2026")
    form.fields["status"].setCurrentIndex(form.fields["status"].findData("held"))
    assert form.fields["dose_given"].text() == ""  # an untouched prefilled dose is not given
    assert "required" in form.captions["notes"].text()
    form.fields["start_time"].clear()  # prefilled from the last entry
    qtbot.keyClicks(form.fields["start_time"], "09:00")
    form.fields["site"].clear()  # prefilled from the last entry
    qtbot.keyClicks(form.fields["site"], "left forearm")
    QTest.keyClick(form.fields["site"], Qt.Key.Key_Return)

    assert len(entries(engine)) == before
    assert form.fields["notes"].property("problem") == "say why the dose was held"
    assert "Notes: say why the dose was held" in form.message.text()
    assert form.fields["site"].text() == "left forearm"
    assert form.fields["start_time"].text() == "09:00"
    assert form.value("status") == "held"

    qtbot.keyClicks(form.fields["notes"], "Temp 38.6 C; prescriber notified")
    assert not form.fields["notes"].property("problem")  # the mark goes as you type
    QTest.keyClick(form.fields["notes"], Qt.Key.Key_Return)
    held = [e for e in entries(engine) if e.status == "held"]
    assert [(e.date, e.notes, e.dose_given) for e in held] == [
        (dt.date(2026, 11, 21), "Temp 38.6 C; prescriber notified", None)]
    [day] = fresh(engine, lambda s: loading.billable_days(
        s, dt.date(2026, 11, 21), dt.date(2026, 11, 21)))
    assert (day.status, day.reasons) == ("not-billable", ("no-infusion",))  # R1


def test_bad_time_is_marked_as_typed_and_not_saved(tab, engine, qtbot):
    form = tab.form
    before = len(entries(engine))
    form.fields["start_time"].setFocus()
    form.fields["start_time"].clear()  # prefilled from the last entry
    qtbot.keyClicks(form.fields["start_time"], "25:10")
    QTest.keyClick(form.fields["start_time"], Qt.Key.Key_Tab)
    assert "not a time" in form.fields["start_time"].property("problem")
    form.fields["end_time"].clear()  # prefilled from the last entry
    qtbot.keyClicks(form.fields["end_time"], "08:00")
    QTest.keyClick(form.fields["end_time"], Qt.Key.Key_Return)
    assert len(entries(engine)) == before
    assert "Start time:" in form.message.text()


def test_an_overnight_infusion_ends_the_next_morning(tab, engine, qtbot):
    """TPN cycled 20:00-08:00: an end time before the start is accepted as the next day."""
    form = tab.form
    before = len(entries(engine))
    form.fields["start_time"].setText("20:00")
    form.fields["end_time"].setText("08:00")
    QTest.keyClick(form.fields["end_time"], Qt.Key.Key_Return)
    saved = entries(engine)
    assert len(saved) == before + 1
    assert any((e.start_time, e.end_time) == (dt.time(20), dt.time(8)) for e in saved)


def test_editing_an_entry_asks_why_and_history_shows_both_versions(
        ctx, engine, qtbot, monkeypatch):
    dialog = make_record_dialog(ctx, None, registry.INFUSION, patient_id=PATIENT, record_id="mar-1")
    qtbot.addWidget(dialog)
    dialog.show()
    dose = dialog.form.fields["dose_given"]
    assert dose.text() == "28000"
    dose.selectAll()
    qtbot.keyClicks(dose, "30000")
    asked = []
    monkeypatch.setattr(kit, "ask_reason",
                        lambda *args: asked.append(args[1]) or "Pump log shows the full 30 g")
    QTest.keyClick(dose, Qt.Key.Key_Return)

    assert asked == ["Why change mar-1?"]
    assert dialog.result() == dialog.DialogCode.Accepted
    entry = fresh(engine, lambda s: clinical.get_record(s, registry.INFUSION, "mar-1"))
    assert (entry.version, entry.dose_given, entry.change_reason) == (
        2, Decimal(30000), "Pump log shows the full 30 g")
    shown = HistoryDialog(ctx, registry.INFUSION, "mar-1")
    qtbot.addWidget(shown)
    model = shown.panel.model
    rows = [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]
    assert [r[:3] for r in rows] == [["v1", "created", "setup"], ["v2", "edited", "Jia Lee"]]
    assert rows[1][4] == "Pump log shows the full 30 g"
    assert rows[1][5] == "dose given: 28000 → 30000"
    assert "Why: Pump log shows the full 30 g" in shown.panel.detail.toPlainText()


def test_saving_an_unchanged_entry_asks_nothing_and_saves_nothing(ctx, engine, qtbot,
                                                                 monkeypatch):
    monkeypatch.setattr(kit, "ask_reason", lambda *args: pytest.fail("asked"))
    dialog = make_record_dialog(ctx, None, registry.INFUSION, patient_id=PATIENT, record_id="mar-1")
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Nothing was changed" in dialog.form.message.text()
    assert fresh(engine, lambda s: clinical.get_record(s, registry.INFUSION, "mar-1")).version == 1


def test_every_problem_of_an_entry_is_named_at_once(tab, engine, qtbot):
    form = tab.form
    before = len(entries(engine))
    form.fields["order_id"].setCurrentIndex(-1)  # no order picked
    form.fields["status"].setCurrentIndex(form.fields["status"].findData("refused"))
    QTest.keyClick(form.fields["site"], Qt.Key.Key_Return)
    assert len(entries(engine)) == before
    text = form.message.text()
    assert "Notes: say why the dose was refused" in text and "Order: is required" in text
    assert form.fields["order_id"].property("problem")
