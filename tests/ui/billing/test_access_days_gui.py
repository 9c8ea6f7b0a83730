"""R29/R30 from the GUI on the example: the order form takes the dosing interval, the payer
form the contract, and the calendar then shows access days apart from infusion days (marked
◇, in italics) and says which basis made each day a service day, in the cell's tooltip and
the day panel; a suite day of a payer billing suites at 49 says its place of service."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from models.db import unit_of_work
from models.records import clinical, reference, registry
from models.vocab import ACCESS_DAYS, INFUSION_DAYS
from ui.billing.calendar_view import PatientCalendar
from ui.forms import kit
from ui.forms.record_forms import make_record_dialog
from ui.records.reference import PayerDialog
from ui.shell.context import AppContext

OCT = dt.date(2026, 10, 1)
D = dt.date


@pytest.fixture
def ctx(example_engine, db_url):
    return AppContext(example_engine, "tester", db_url)


def set_interval_in_the_order_form(qtbot, ctx, monkeypatch, days: str) -> None:
    monkeypatch.setattr(kit, "ask_reason", lambda *args: "q72h per the prescriber's order")
    dialog = make_record_dialog(ctx, None, registry.ORDER, patient_id="p-1001",
                                record_id="o-1")
    qtbot.addWidget(dialog)
    dialog.show()
    spin = dialog.form.fields["dosing_interval_days"]
    assert spin.text() == "not given"
    spin.selectAll()
    qtbot.keyClicks(spin, days)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.form.message.text()


def set_contract_in_the_payer_form(qtbot, ctx) -> None:
    dlg = PayerDialog(ctx, "bcx")
    qtbot.addWidget(dlg)
    dlg.show()
    combos = dlg.contract.combos
    combos["per_diem_basis"].setCurrentIndex(combos["per_diem_basis"].findData(ACCESS_DAYS))
    combos["suite_place_of_service"].setCurrentIndex(
        combos["suite_place_of_service"].findData("49"))
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible(), dlg.error_label.text()


def test_r29_r30_access_days_in_the_calendar(qtbot, ctx, example_engine, monkeypatch):
    set_interval_in_the_order_form(qtbot, ctx, monkeypatch, "3")
    with unit_of_work(example_engine) as s:
        assert clinical.get_record(s, registry.ORDER, "o-1").dosing_interval_days == 3
    set_contract_in_the_payer_form(qtbot, ctx)
    with unit_of_work(example_engine) as s:
        payer = reference.get_payer(s, "bcx")
    assert (payer.per_diem_basis, payer.suite_place_of_service) == (ACCESS_DAYS, "49")

    cal = PatientCalendar(ctx)
    qtbot.addWidget(cal)
    cal.resize(1100, 700)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_month(OCT)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_patient("p-1001")

    def basis(day):
        return [r.basis for r in cal.day(day).results]

    # q72h: the dose of 10/07 covers 10/07-10/09; 22 days to the next dose suspend therapy
    assert basis(D(2026, 10, 8)) == [ACCESS_DAYS]
    assert cal.model.index_of(D(2026, 10, 8)).data().endswith("\n◇ S9338")
    assert basis(D(2026, 10, 12)) == []
    assert basis(D(2026, 10, 28)) == [INFUSION_DAYS]  # the held dose, outside any window
    assert cal.model.index_of(D(2026, 10, 28)).data().endswith("\nS9338")
    tip = cal.model.index_of(D(2026, 10, 8)).data(Qt.ItemDataRole.ToolTipRole)
    assert "◇ Access day (R29): the payer pays every day on service" in tip
    tip = cal.model.index_of(D(2026, 10, 28)).data(Qt.ItemDataRole.ToolTipRole)
    assert "Infusion day: billed for a dose given that day (R1)" in tip

    cal.select_day(D(2026, 10, 8))
    assert "Access day (R29)" in cal.panel.text()
    # R30: the suite dose of 10/29 is at place of service 49, without SS
    (r29,) = cal.day(D(2026, 10, 29)).results
    assert (r29.place_of_service, r29.modifiers) == ("49", ())
    cal.select_day(D(2026, 10, 29))
    assert "Place of service 49: infusion suite (R30, no SS)" in cal.panel.text()
