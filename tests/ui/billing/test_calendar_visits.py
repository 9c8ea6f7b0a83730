"""R34 in the calendar: the day panel lists the day's nursing visits with their codes, status
and why, also on a day without a per diem service day; a new visit shows after its save."""

from __future__ import annotations

import datetime as dt

import pytest

from models.db import unit_of_work
from models.records import clinical, registry
from models.records.tables import NursingVisitBase
from tests.support.recorded import create_on_its_day, today_is
from ui.billing.calendar_view import PatientCalendar
from ui.shell import ops
from ui.shell.context import AppContext

OCT = dt.date(2026, 10, 1)


@pytest.fixture
def ctx(example_engine, db_url):
    return AppContext(example_engine, "tester", db_url)


def add_visit(engine, day: dt.date, vid: str, **kw) -> None:
    values = dict(id=vid, patient_id="p-1001", order_id="o-1", date=day,
                  start_time=dt.time(9, 10), end_time=dt.time(13, 5), nurse="Kate Moss RN",
                  note="IVIG at home")
    with unit_of_work(engine) as s:
        create_on_its_day(s, actor="nurse", kind=registry.NURSING_VISIT,
                          data=NursingVisitBase(**{**values, **kw}))


def test_the_day_panel_lists_the_days_visits_with_codes_and_reasons(qtbot, ctx, example_engine):
    add_visit(example_engine, dt.date(2026, 10, 7), "nv-1", infusions=["mar-1"])
    add_visit(example_engine, dt.date(2026, 10, 8), "nv-2", note=None)  # no dose that day
    cal = PatientCalendar(ctx)
    qtbot.addWidget(cal)
    cal.resize(1100, 700)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_month(OCT)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_patient("p-1001")
    cal.select_day(dt.date(2026, 10, 7))
    text = cal.panel.text()
    assert "Nursing visits" in text
    # the example's payer requires authorization and has none for 99601 (R5 with the code)
    assert "Visit nv-1, 3 h 55 min: 99601 + 2 x 99602, hold" in text
    assert "none for 99601 covers this visit" in text
    cal.select_day(dt.date(2026, 10, 8))
    text = cal.panel.text()
    assert "No service on this day." not in text
    assert "Visit nv-2, 3 h 55 min: 99601 + 2 x 99602, hold" in text
    assert "The visit record is incomplete: fill in start time, end time, nurse and note." \
        in text


def test_a_visit_saved_through_the_gui_shows_in_the_panel(qtbot, ctx, example_engine):
    cal = PatientCalendar(ctx)
    qtbot.addWidget(cal)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_month(OCT)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_patient("p-1001")
    cal.select_day(dt.date(2026, 10, 29))
    assert "Nursing visits" not in cal.panel.text()
    data = NursingVisitBase(id="nv-9", patient_id="p-1001", order_id="o-1",
                            date=dt.date(2026, 10, 29), start_time=dt.time(9, 20),
                            end_time=dt.time(12, 40), nurse="Kate Moss RN", note="Suite")
    with qtbot.waitSignal(cal.data_loaded), today_is(dt.date(2026, 10, 29)):
        ops.WriteOp(ctx, lambda s: clinical.create_record(
            s, actor="nurse", kind=registry.NURSING_VISIT, data=data)).run()
    assert "Visit nv-9, 3 h 20 min: 99601 + 99602, hold" in cal.panel.text()


def test_an_incomplete_visit_opens_from_the_day_panel_and_its_completion_shows(
        qtbot, ctx, example_engine, monkeypatch):
    """R34: "Open visit nv-3…" opens the saved visit; the nurse adds the note (the edit asks
    why), and the panel reads the visit again without the incomplete-visit reason."""
    from ui.forms import kit
    from ui.forms.record_forms import RecordDialog

    add_visit(example_engine, dt.date(2026, 10, 7), "nv-3", note=None)
    monkeypatch.setattr(kit, "ask_reason", lambda *args: "note written up from the visit sheet")
    monkeypatch.setenv("PERDIEM_TODAY", "2026-10-08")  # completed the next day: on time (R26)
    cal = PatientCalendar(ctx)
    qtbot.addWidget(cal)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_month(OCT)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_patient("p-1001")
    cal.select_day(dt.date(2026, 10, 7))
    assert "The visit record is incomplete" in cal.panel.text()
    cal.panel.visit_buttons["nv-3"].click()
    [dialog] = [d for d in cal.findChildren(RecordDialog) if d.isVisible()]
    assert dialog.form.record.id == "nv-3"
    qtbot.keyClicks(dialog.form.fields["note"], "IVIG at home, vitals q30min.")
    with qtbot.waitSignal(cal.data_loaded):
        dialog.save_button.click()
    cal.select_day(dt.date(2026, 10, 7))
    assert "nv-3" in cal.panel.text()
    assert "The visit record is incomplete" not in cal.panel.text()
