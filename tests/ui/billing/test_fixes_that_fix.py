"""Fixes that fix (issue 16 item 4): the day panel names the saved record a reason is about
and offers to open it as well as to add a new one; a delivery typed with the wrong year is
corrected, not duplicated (R10)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from models.billing import fixes as model_fixes
from models.billing import loading
from models.db import snapshot, unit_of_work
from models.records import clinical, registry
from ui.billing.calendar_view import PatientCalendar
from ui.shell.context import AppContext

OCT = dt.date(2026, 10, 1)


@pytest.fixture
def wrong_year(example_engine):
    """d-1 (10/06/2026) saved as 10/06/2025: October's days lose their delivery (R10)."""
    with unit_of_work(example_engine) as s:
        d = clinical.get_record(s, registry.DELIVERY, "d-1")
        data = registry.DELIVERY.base.model_validate(
            {**d.model_dump(), "date": dt.date(2025, 10, 6)})
        clinical.edit_record(s, actor="t", kind=registry.DELIVERY, record_id="d-1", data=data,
                             reason="typo")
    with snapshot(example_engine) as s:
        days = [d for d in loading.billable_days(s, OCT, dt.date(2026, 10, 25), "p-1001")
                if "missing-delivery" in d.reasons]
    assert days, "the wrong year leaves October without a delivery"
    return days[0]


def test_the_nearest_delivery_is_named(example_engine, wrong_year):
    with snapshot(example_engine) as s:
        found = model_fixes.involved_record(s, "missing-delivery", wrong_year)
    assert found == model_fixes.Involved("delivery", "d-1", "Delivery d-1 of 10/06/2025")


def test_the_panel_names_it_and_opens_it_beside_add(qtbot, example_engine, db_url, wrong_year):
    cal = PatientCalendar(AppContext(example_engine, "tester", db_url))
    qtbot.addWidget(cal)
    cal.resize(1100, 700)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_month(OCT)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_patient("p-1001")
    cal.select_day(wrong_year.date)
    assert "On file: Delivery d-1 of 10/06/2025" in cal.panel.text()
    key = (wrong_year.order_id, "missing-delivery")
    assert cal.panel.fix_buttons[key].text() == "Add delivery…"
    opener = cal.panel.open_buttons[key]
    assert opener.text() == "Open d-1…"
    qtbot.mouseClick(opener, Qt.MouseButton.LeftButton)
    dialogs = [d for d in cal.findChildren(QDialog) if d.isVisible()]
    assert [d.windowTitle() for d in dialogs] == ["Edit delivery d-1"]
    assert dialogs[0].form.value("date") == dt.date(2025, 10, 6)
    dialogs[0].reject()
