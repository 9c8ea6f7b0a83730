"""R27 in the GUI: the pharmacy settings' *Order signed* setting, and the calendar holding a
day served before the order's signed date under before-service, with the reason's words and
a button opening the order."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from models.billing.rules import BEFORE_SERVICE, BILLABLE, HOLD
from models.db import unit_of_work
from models.records import clinical, reference, registry
from tests.support.databases import billing_ready
from tests.support.recorded import today_is
from ui.billing.calendar_view import PatientCalendar
from ui.records.pharmacy_form import PharmacyDialog
from ui.shell.context import AppContext

DAY = dt.date(2026, 10, 7)


def test_r27_before_service_set_in_the_settings_holds_days_before_the_signature(
        example_engine, db_url, qtbot):
    engine = billing_ready(example_engine)  # the settings form refuses a 5-digit ZIP
    with unit_of_work(engine) as s, today_is(dt.date(2026, 10, 8)):
        order = clinical.get_record(s, registry.ORDER, "o-1")
        clinical.edit_record(s, actor="t", kind=registry.ORDER, record_id="o-1",
                             data=registry.ORDER.base.model_validate(order).model_copy(
                                 update={"signed_date": dt.date(2026, 10, 8)}),
                             reason="signed date from the faxed copy")
    ctx = AppContext(engine, "pharmacist", db_url)
    cal = PatientCalendar(ctx)
    qtbot.addWidget(cal)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_month(DAY)
    with qtbot.waitSignal(cal.data_loaded):
        cal.set_patient("p-1001")
    assert cal.day(DAY).status == BILLABLE  # before-claim: R7 as written

    dlg = PharmacyDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.order_signature.currentData() == "before-claim"
    dlg.order_signature.setCurrentIndex(dlg.order_signature.findData(BEFORE_SERVICE))
    with qtbot.waitSignal(cal.data_loaded):  # a settings change reloads the calendar
        qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible(), dlg.error_label.text()
    assert ctx.read(reference.get_pharmacy).order_signature == BEFORE_SERVICE

    day = cal.day(DAY)
    assert (day.status, day.results[0].reasons) == (HOLD, ("order-signed-late",))
    cal.select_day(DAY)
    assert "The order was signed after this day" in cal.panel.text()
    assert cal.panel.fix_buttons[("o-1", "order-signed-late")].text() == "Open the order…"
    # a day served after the signature is not touched by R27
    assert "order-signed-late" not in cal.day(dt.date(2026, 10, 29)).results[0].reasons
