"""R28 in the GUI: the MAR form's "Lot" picker offers the order's preparation notes covering
the entry's date (lot number and beyond-use date shown; none allowed), saves the lot picked,
shows an old entry's lot again; the calendar's day panel shows each entry's lot."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from models.db import unit_of_work
from models.records import clinical, registry
from models.records.tables import PrepNoteBase
from tests.support.gui_record_data import ORDER, PATIENT, SERVICE_DAY, build_records
from tests.support.gui_wait import settle
from tests.support.recorded import create_on_its_day
from ui.billing.calendar_view import PatientCalendar
from ui.forms.clinical import PrepNoteForm
from ui.forms.lot_picker import NO_LOT
from ui.forms.mar_form import MarEntryForm
from ui.shell.context import AppContext

NEXT_DAY = SERVICE_DAY + dt.timedelta(days=1)  # 11/21: rx-1 and rx-2 both cover it


@pytest.fixture
def ctx(engine, db_url, monkeypatch):
    monkeypatch.setenv("PERDIEM_TODAY", NEXT_DAY.isoformat())
    build_records(engine)
    with unit_of_work(engine) as s:
        create_on_its_day(s, actor="Ravi Patel", kind=registry.PREP_NOTE, data=PrepNoteBase(
            id="rx-2", order_id=ORDER, date=NEXT_DAY, pharmacist="Ravi Patel",
            lot="LE12F202", beyond_use_date=dt.date(2026, 11, 25),
            beyond_use_time=dt.time(10, 0)))
    return AppContext(engine, "Jia Lee", db_url)


def offered(form: MarEntryForm) -> list[str]:
    lot = form.fields["prep_note"]
    return [lot.itemText(i) for i in range(lot.count())]


def test_r28_the_lot_picker_offers_the_notes_covering_the_date_and_saves_the_pick(
        ctx, engine, qtbot):
    form = MarEntryForm(ctx, PATIENT, order_id=ORDER, day=SERVICE_DAY)
    qtbot.addWidget(form)
    form.show()
    settle(qtbot)
    assert form.label("prep_note") == "Lot"
    assert offered(form) == [NO_LOT, "LE12F101, BUD 11/22/2026 (rx-1)"]  # rx-2 starts 11/21
    assert form.fields["prep_note"].currentData() is None  # empty is allowed

    date = form.fields["date"]
    date.selectAll()
    qtbot.keyClicks(date, "11/21/2026")
    QTest.keyClick(date, Qt.Key.Key_Tab)  # editing finished: the lots of 11/21
    settle(qtbot)
    assert offered(form) == [NO_LOT, "LE12F101, BUD 11/22/2026 (rx-1)",
                             "LE12F202, BUD 11/25/2026 10:00 (rx-2)"]
    lot = form.fields["prep_note"]
    lot.setFocus()
    QTest.keyClick(lot, Qt.Key.Key_Down)
    QTest.keyClick(lot, Qt.Key.Key_Down)
    assert lot.currentData() == "rx-2"
    qtbot.keyClicks(form.fields["start_time"], "09:05")
    qtbot.keyClicks(form.fields["end_time"], "12:50")
    assert form.save()
    settle(qtbot)
    [saved] = [e for e in clinical_entries(engine) if e.date == NEXT_DAY]
    assert saved.prep_note == "rx-2"

    again = MarEntryForm(ctx, PATIENT, saved)  # an old entry shows its lot
    qtbot.addWidget(again)
    settle(qtbot)  # the lots are read in the background
    assert again.fields["prep_note"].currentData() == "rx-2"

    cal = PatientCalendar(ctx)
    qtbot.addWidget(cal)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_month(NEXT_DAY)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_patient(PATIENT)
    cal.select_day(NEXT_DAY)
    assert (f"Entry {saved.id} completed: lot LE12F202, BUD 11/25/2026 10:00 (rx-2)"
            in cal.panel.text())
    cal.select_day(dt.date(2026, 11, 19))
    assert "Entry mar-1 completed: no lot named" in cal.panel.text()


def test_r28_a_lot_not_covering_the_date_is_not_offered_and_not_kept(ctx, qtbot,
                                                                     monkeypatch):
    """Picking rx-2 on 11/23, then moving the date back to 11/19 (before rx-2 was prepared)
    leaves only rx-1, and the lot picked falls back to none."""
    monkeypatch.setenv("PERDIEM_TODAY", "2026-11-23")
    form = MarEntryForm(ctx, PATIENT, order_id=ORDER, day=dt.date(2026, 11, 23))
    qtbot.addWidget(form)
    form.show()
    settle(qtbot)
    assert offered(form) == [NO_LOT, "LE12F202, BUD 11/25/2026 10:00 (rx-2)"]
    lot = form.fields["prep_note"]
    lot.setCurrentIndex(lot.findData("rx-2"))
    date = form.fields["date"]
    date.selectAll()
    qtbot.keyClicks(date, "11/19/2026")
    QTest.keyClick(date, Qt.Key.Key_Tab)
    settle(qtbot)
    assert offered(form) == [NO_LOT, "LE12F101, BUD 11/22/2026 (rx-1)"]
    assert lot.currentData() is None


def clinical_entries(engine):
    with unit_of_work(engine) as s:
        return clinical.list_records(s, registry.INFUSION, patient_id=PATIENT)


def test_r28_the_preparation_note_form_takes_a_beyond_use_hour(ctx, engine, qtbot):
    """Typed in the form, the hour is saved with the note, shown again when it is opened,
    and then offered with the lot in the MAR form."""
    form = PrepNoteForm(ctx, PATIENT, order_id=ORDER, day=NEXT_DAY)
    qtbot.addWidget(form)
    form.show()
    assert form.label("beyond_use_time") == "Beyond-use hour"
    bud = form.fields["beyond_use_date"]
    bud.selectAll()
    qtbot.keyClicks(bud, "11/22/2026")
    qtbot.keyClicks(form.fields["beyond_use_time"], "14:30")
    qtbot.keyClicks(form.fields["lot"], "LE12F303")
    assert form.save()
    with unit_of_work(engine) as s:
        [note] = [n for n in clinical.list_records(s, registry.PREP_NOTE)
                  if n.lot == "LE12F303"]
    assert (note.beyond_use_date, note.beyond_use_time) == (dt.date(2026, 11, 22),
                                                            dt.time(14, 30))
    again = PrepNoteForm(ctx, PATIENT, note)
    qtbot.addWidget(again)
    assert again.fields["beyond_use_time"].text() == "14:30"
    mar = MarEntryForm(ctx, PATIENT, order_id=ORDER, day=NEXT_DAY)
    qtbot.addWidget(mar)
    settle(qtbot)
    assert f"LE12F303, BUD 11/22/2026 14:30 ({note.id})" in offered(mar)
