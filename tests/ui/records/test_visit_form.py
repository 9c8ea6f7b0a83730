"""The nursing visit form (issue 15 item 1, R34) with real widgets: opened from the patient's
"Nursing visits" list, prefilled from the order's dose of the day (times, MAR entry) and the
nurse, typed through with the keyboard, saved; a bad entry is refused naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from models.db import unit_of_work
from models.records import clinical, registry
from tests.support.gui_record_data import PATIENT, build_records
from tests.support.gui_wait import settle
from ui.forms.record_forms import RecordDialog, make_record_dialog
from ui.records.documents_tab import DocumentsTab
from ui.shell.context import AppContext

DOSE_DAY = dt.date(2026, 11, 19)  # mar-1: 09:10-13:05, Kate Moss RN


@pytest.fixture
def ctx(engine, db_url, qtbot, monkeypatch):
    monkeypatch.setenv("PERDIEM_TODAY", DOSE_DAY.isoformat())  # saved on its day (R26)
    build_records(engine)
    return AppContext(engine, "Jia Lee", db_url)


def visits(engine):
    with unit_of_work(engine) as s:
        return clinical.list_records(s, registry.NURSING_VISIT, patient_id=PATIENT)


def retype(qtbot, field, text):
    field.selectAll()
    qtbot.keyClicks(field, text)


def test_a_visit_from_the_patients_list_is_prefilled_from_the_days_dose(ctx, engine, qtbot):
    tab = DocumentsTab(ctx)
    qtbot.addWidget(tab)
    tab.set_patient(PATIENT)
    tab.show_section(registry.NURSING_VISIT)
    panel = tab.panels[registry.NURSING_VISIT]
    settle(qtbot)
    assert tab.sections.tabText(4) == "Nursing visits (0)"
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    [dialog] = [d for d in panel.findChildren(RecordDialog) if d.isVisible()]
    f = dialog.form.fields
    assert f["date"].date() == DOSE_DAY and f["order_id"].currentData() == "o-1"
    # like the MAR form: the dose's times and id, the nurse who gave it
    assert (f["start_time"].text(), f["end_time"].text()) == ("09:10", "13:05")
    assert f["infusions"].text() == "mar-1" and f["nurse"].text() == "Kate Moss RN"
    assert f["visit_type"].currentData() == "routine"
    f["note"].setFocus()
    qtbot.keyClicks(f["note"], "IVIG at home; vitals q30min, no reaction.")
    qtbot.keyClick(f["note"], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # saves
    [saved] = visits(engine)
    assert not dialog.isVisible()
    assert (saved.start_time, saved.end_time, saved.infusions, saved.nurse) == (
        dt.time(9, 10), dt.time(13, 5), ["mar-1"], "Kate Moss RN")
    assert saved.note.startswith("IVIG at home")
    settle(qtbot)
    assert panel.model.rowCount() == 1
    assert tab.sections.tabText(4) == "Nursing visits (1)"
    assert panel.model.data(panel.model.index(0, 5)) == "3 h 55 min"


def test_the_form_is_typed_through_with_tab_and_an_overnight_visit_saves(ctx, engine, qtbot):
    dialog = make_record_dialog(ctx, None, registry.NURSING_VISIT, patient_id=PATIENT,
                                day=dt.date(2026, 11, 18))  # no dose that day
    qtbot.addWidget(dialog)
    dialog.show()
    f = dialog.form.fields
    assert f["start_time"].text() == "" and f["infusions"].text() == ""
    f["start_time"].setFocus()
    qtbot.keyClicks(f["start_time"], "22:30")
    qtbot.keyClick(f["start_time"], Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.focusWidget(), "01:15")  # the end: the next morning
    assert dialog.focusWidget() is f["end_time"]
    qtbot.keyClick(f["end_time"], Qt.Key.Key_Tab)
    assert dialog.focusWidget() is f["nurse"]
    retype(qtbot, f["nurse"], "Ana Ruiz RN")
    f["visit_type"].setCurrentIndex(f["visit_type"].findData("teaching"))
    qtbot.keyClicks(f["note"], "Night teaching visit: pump alarms.")
    dialog.save_button.click()
    [saved] = visits(engine)
    assert (saved.date, saved.start_time, saved.end_time, saved.visit_type) == (
        dt.date(2026, 11, 18), dt.time(22, 30), dt.time(1, 15), "teaching")


def test_a_bad_visit_is_refused_naming_the_field_and_nothing_is_saved(ctx, engine, qtbot):
    dialog = make_record_dialog(ctx, None, registry.NURSING_VISIT, patient_id=PATIENT,
                                day=DOSE_DAY)
    qtbot.addWidget(dialog)
    dialog.show()
    f = dialog.form.fields
    retype(qtbot, f["infusions"], "mar-404")
    retype(qtbot, f["end_time"], "09:10")  # the start time
    dialog.save_button.click()
    assert "End time: is the start time" in dialog.form.message.text()
    assert visits(engine) == []
    retype(qtbot, f["end_time"], "13:05")
    dialog.save_button.click()  # the service's check: the entry must exist
    assert 'no MAR entry with id "mar-404"' in dialog.form.message.text()
    assert dialog.isVisible() and visits(engine) == []
