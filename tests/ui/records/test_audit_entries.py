"""GUI side of issue 10's audit rules: the forms refuse a future date (R24), ask before an
oversized dose (R25), ask a late entry's reason (R26) and name the lot given (R28)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from models.db import unit_of_work
from models.records import clinical, registry
from tests.support.gui_record_data import ORDER, PATIENT, SERVICE_DAY, build_records
from tests.support.gui_wait import settle
from ui.forms.mar_form import MarEntryForm
from ui.shell.context import AppContext


@pytest.fixture
def ctx(engine, db_url, qtbot, monkeypatch):
    monkeypatch.setenv("PERDIEM_TODAY", SERVICE_DAY.isoformat())
    build_records(engine)
    return AppContext(engine, "Jia Lee", db_url)


@pytest.fixture
def form(ctx, qtbot):
    widget = MarEntryForm(ctx, PATIENT)
    qtbot.addWidget(widget)
    widget.show()
    settle(qtbot)
    return widget


def entries(engine):
    with unit_of_work(engine) as s:
        return clinical.list_records(s, registry.INFUSION, patient_id=PATIENT)


def retype(qtbot, field, text):
    field.selectAll()
    qtbot.keyClicks(field, text)


def test_r24_the_form_opens_on_today_and_refuses_tomorrow(form, engine, qtbot):
    assert form.value("date") == SERVICE_DAY  # PERDIEM_TODAY is the GUI's today
    before = len(entries(engine))
    retype(qtbot, form.fields["date"], "11/21/2026")
    settle(qtbot)
    qtbot.keyClicks(form.fields["start_time"], "09:00")
    qtbot.keyClicks(form.fields["end_time"], "11:00")
    QTest.keyClick(form.fields["end_time"], Qt.Key.Key_Return)
    settle(qtbot)
    assert len(entries(engine)) == before
    assert form.fields["date"].property("problem") == (
        "2026-11-21 is after today, 2026-11-20 (future-date)")
    assert "future-date" in form.message.text()
    assert form.fields["order_id"].currentData() in (ORDER, None)
