"""R26 in the GUI: the forms' late entry reason appears when the date typed makes the entry
late and is required then (the message on the field); the pharmacy settings set
late_entry_days; the calendar's day panel marks late entries with late_note() and names where
imported records came from; a record's history says when and by whom it was first saved."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from models.db import unit_of_work
from models.records import clinical, reference, registry
from models.records.late import late_note
from models.records.tables import CareNoteBase, PharmacyBase
from tests.support.gui_record_data import ORDER, PATIENT, SERVICE_DAY, build_records
from tests.support.gui_wait import settle
from tests.support.recorded import today_is
from ui.billing.calendar_view import PatientCalendar
from ui.forms.mar_form import MarEntryForm
from ui.forms.record_forms import make_record_dialog
from ui.records.history import HistoryDialog
from ui.records.pharmacy_form import PharmacyDialog
from ui.shell.context import AppContext

GOOD_NPI = "1558412387"


@pytest.fixture
def ctx(engine, db_url, qtbot, monkeypatch):
    monkeypatch.setenv("PERDIEM_TODAY", SERVICE_DAY.isoformat())  # 11/20/2026
    build_records(engine)
    return AppContext(engine, "Jia Lee", db_url)


def retype(qtbot, field, text):
    field.selectAll()
    qtbot.keyClicks(field, text)


def infusions(engine):
    with unit_of_work(engine) as s:
        return clinical.list_records(s, registry.INFUSION, patient_id=PATIENT)


def test_r26_the_mar_form_asks_a_reason_only_for_a_late_date_and_refuses_without_it(
        ctx, engine, qtbot):
    form = MarEntryForm(ctx, PATIENT)
    qtbot.addWidget(form)
    form.show()
    settle(qtbot)
    box, reason = form.late.box, form.fields["late_entry_reason"]
    assert not box.isVisible()  # today: on time
    retype(qtbot, form.fields["date"], "11/19/2026")
    assert not box.isVisible()  # the next day is on time (late_entry_days 1)
    retype(qtbot, form.fields["date"], "11/17/2026")
    settle(qtbot)
    assert box.isVisible()
    assert form.late.caption.text().startswith("Late entry: recorded 3 days after its date")
    for name, text in (("start_time", "09:00"), ("end_time", "11:00")):
        qtbot.keyClicks(form.fields[name], text)
    before = len(infusions(engine))
    assert not form.save()
    assert len(infusions(engine)) == before
    assert reason.property("problem") == (
        "is required: recorded 3 days after the infusion entry's date, a late entry must "
        "say why (late-entry-reason-required)")
    assert "Late entry reason: is required" in form.message.text()
    qtbot.keyClicks(reason, "Paper MAR from the weekend nurse arrived today")
    assert form.save(), form.message.text()
    [saved] = [e for e in infusions(engine) if e.date == dt.date(2026, 11, 17)]
    assert saved.late_entry_reason == "Paper MAR from the weekend nurse arrived today"
    assert (saved.first_recorded_at.date(), saved.first_recorded_by) == (SERVICE_DAY, "Jia Lee")
    form.reset()  # the next entry (the MAR tab's New entry)
    settle(qtbot)
    assert not form.late.box.isVisible() and reason.toPlainText() == ""


def test_r26_a_reason_typed_then_made_needless_by_the_date_is_not_saved(ctx, engine, qtbot):
    dialog = make_record_dialog(ctx, None, registry.CARE_NOTE, patient_id=PATIENT)
    qtbot.addWidget(dialog)
    dialog.show()
    form = dialog.form
    retype(qtbot, form.fields["date"], "11/10/2026")
    assert form.late.box.isVisible()
    qtbot.keyClicks(form.fields["late_entry_reason"], "found in the chart")
    retype(qtbot, form.fields["date"], "11/20/2026")
    assert not form.late.box.isVisible()
    qtbot.keyClicks(form.fields["text"], "Called the patient about Friday's delivery")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    with unit_of_work(engine) as s:
        notes = clinical.list_records(s, registry.CARE_NOTE, patient_id=PATIENT)
    assert [(n.date, n.late_entry_reason) for n in notes][-1] == (SERVICE_DAY, None)


def test_r26_late_entry_days_is_set_in_the_pharmacy_settings(ctx, engine, qtbot):
    with unit_of_work(engine) as s:
        reference.save_pharmacy(s, actor="t", data=PharmacyBase(
            name="Riverbend", npi=GOOD_NPI, tax_id="371234567", address_line1="1 Main St",
            city="Peoria", state="IL", zip="616021234"))
    dlg = PharmacyDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.late_days.value() == 1
    dlg.late_days.setValue(5)
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible(), dlg.error_label.text()
    assert ctx.read(reference.get_pharmacy).late_entry_days == 5
    dialog = make_record_dialog(ctx, None, registry.CARE_NOTE, patient_id=PATIENT)
    qtbot.addWidget(dialog)
    dialog.show()
    retype(qtbot, dialog.form.fields["date"], "11/16/2026")  # 4 days: on time under 5
    assert not dialog.form.late.box.isVisible()
    retype(qtbot, dialog.form.fields["date"], "11/14/2026")
    assert dialog.form.late.box.isVisible()


def test_r26_the_day_panel_marks_late_entries_and_imported_records(example_engine, db_url,
                                                                   qtbot):
    day = dt.date(2026, 10, 7)
    with unit_of_work(example_engine) as s, today_is(dt.date(2026, 10, 21)):
        note = clinical.create_record(s, actor="Jia Lee", kind=registry.CARE_NOTE,
                                      data=CareNoteBase(
                                          id="", patient_id="p-1001", date=day,
                                          author="Jia Lee", contact="patient",
                                          text="Confirmed the delivery window",
                                          late_entry_reason="Call log reviewed late"))
    ctx = AppContext(example_engine, "tester", db_url)
    cal = PatientCalendar(ctx)
    qtbot.addWidget(cal)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_month(day)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_patient("p-1001")
    cal.select_day(day)
    text = cal.panel.text()
    expected = late_note(note.first_recorded_at, "Jia Lee", "Call log reviewed late")
    assert expected == "Late entry, recorded 10/21/2026 by Jia Lee: Call log reviewed late"
    assert f"Care coordination note {note.id}: {expected}" in text
    # the example's records were imported (without recorded_at: never late)
    assert "Imported from an interchange file on " in text and "infusion entry" in text
    cal.select_day(dt.date(2026, 10, 8))
    assert "Late entry" not in cal.panel.text()


def test_r26_history_says_when_a_record_was_first_saved_and_its_late_note(ctx, engine, qtbot):
    with unit_of_work(engine) as s:
        saved = clinical.create_record(s, actor="Kate Moss RN", kind=registry.CARE_NOTE,
                                       data=CareNoteBase(
                                           id="", patient_id=PATIENT,
                                           date=dt.date(2026, 11, 12), author="Kate Moss RN",
                                           text="Visit notes", late_entry_reason="Sick day"))
    history = HistoryDialog(ctx, registry.CARE_NOTE, saved.id)
    qtbot.addWidget(history)
    text = history.panel.recorded.text()
    assert text.startswith("First recorded 11/20/2026 at ")
    assert "by Kate Moss RN" in text
    assert "Late entry, recorded 11/20/2026 by Kate Moss RN: Sick day" in text
    order = HistoryDialog(ctx, registry.ORDER, ORDER)  # saved on its own date: no late note
    qtbot.addWidget(order)
    assert "Late entry" not in order.panel.recorded.text()
