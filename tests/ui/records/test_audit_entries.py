"""GUI side of issue 10's audit rules: the forms refuse a future date (R24), ask before an
oversized dose (R25), ask a late entry's reason (R26) and name the lot given (R28)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from models.db import unit_of_work
from models.records import clinical, registry
from models.records.tables import InfusionBase
from tests.support.gui_record_data import ORDER, PATIENT, SERVICE_DAY, build_records
from tests.support.gui_wait import settle
from ui.forms.mar_form import MarEntryForm
from ui.records.mar_tab import InfusionLogTab
from ui.shell.context import AppContext
from ui.shell.ops import WriteOp


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


def fill_entry(qtbot, form, dose: str, notes: str = "") -> None:
    for name, text in (("start_time", "09:00"), ("end_time", "11:00"), ("notes", notes)):
        form.fields[name].clear()
        qtbot.keyClicks(form.fields[name], text)
    form.fields["dose_given"].clear()
    qtbot.keyClicks(form.fields["dose_given"], dose)


def test_r25_an_oversized_dose_is_saved_only_after_a_yes_and_with_a_note(
        form, engine, qtbot, monkeypatch):
    asked: list[str] = []
    answer = [False]

    def confirm(_parent, _title, question, _yes):
        asked.append(question)
        return answer[0]

    monkeypatch.setattr("ui.forms.kit.confirm", confirm)
    before = len(entries(engine))
    fill_entry(qtbot, form, "2000000")
    assert not form.save()  # no note: refused before any question
    assert asked == []
    assert "dose-out-of-range" in form.fields["notes"].property("problem")
    fill_entry(qtbot, form, "2000000", notes="Typed as the pump showed it")
    assert not form.save()  # the user goes back
    assert asked == ["2000000 mg is more than twice the ordered dose (30000 mg).\n\n"
                     "Save this dose as given?"]
    assert len(entries(engine)) == before
    assert "the dose was not confirmed" in form.message.text()
    assert form.fields["dose_given"].text() == "2000000"  # nothing typed is lost
    answer[0] = True
    assert form.save()
    saved = [e for e in entries(engine) if e.date == SERVICE_DAY]
    assert [e.dose_given for e in saved] == [2000000]


def test_r25_the_prefill_follows_a_corrected_dose_without_clear(form, engine, qtbot,
                                                                 monkeypatch):
    """Issue 10: after an entry was corrected the form kept offering the wrong dose."""
    monkeypatch.setattr("ui.forms.kit.confirm", lambda *_a: True)
    tab = InfusionLogTab(form.ctx)
    qtbot.addWidget(tab)
    tab.set_patient(PATIENT)
    settle(qtbot)
    assert tab.form.fields["dose_given"].text() == "28000"
    with unit_of_work(engine) as s:
        entry = clinical.list_records(s, registry.INFUSION, patient_id=PATIENT)[-1]
    data = InfusionBase.model_validate(entry).model_copy(update={"dose_given": Decimal(29500)})
    WriteOp(form.ctx, lambda s: clinical.edit_record(
        s, actor="t", kind=registry.INFUSION, record_id=entry.id, data=data,
        reason="dose read again from the pump")).run()
    settle(qtbot)
    assert tab.form.fields["dose_given"].text() == "29500"  # offered at once, no Clear
    tab.form.fields["dose_given"].clear()
    qtbot.keyClicks(tab.form.fields["dose_given"], "27000")  # typed by the nurse
    data = data.model_copy(update={"dose_given": Decimal(29000)})
    WriteOp(form.ctx, lambda s: clinical.edit_record(
        s, actor="t", kind=registry.INFUSION, record_id=entry.id, data=data,
        reason="again")).run()
    settle(qtbot)
    assert tab.form.fields["dose_given"].text() == "27000"  # what was typed stays
