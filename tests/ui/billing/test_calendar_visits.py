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
