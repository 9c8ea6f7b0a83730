"""Issue 11 item 5 from the GUI: the order form takes the drug's NDC billing unit, the dose a
billing unit holds and whether it comes in single-dose vials; the MAR entry takes the amount
wasted; the claim then bills the NDC in the billing unit with JW (the waste) or JZ."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from models.claims.batches import prepare_claims
from models.db import unit_of_work
from models.records import clinical, registry
from tests.support.gui_record_data import ORDER, PATIENT, SERVICE_DAY, build_records
from tests.support.gui_wait import settle
from ui.forms import kit
from ui.forms.record_forms import make_record_dialog
from ui.records.mar_tab import MarEntryForm
from ui.shell.context import AppContext


@pytest.fixture
def ctx(engine, db_url, qtbot, monkeypatch):
    # the desktop app's today is the service day (R26: what is typed for it is on time)
    monkeypatch.setenv("PERDIEM_TODAY", SERVICE_DAY.isoformat())
    build_records(engine)
    return AppContext(engine, "Jia Lee", db_url)


def order(engine, order_id=ORDER):
    with unit_of_work(engine) as s:
        return clinical.get_record(s, registry.ORDER, order_id)


def test_order_form_saves_the_ndc_billing_unit_and_single_dose(ctx, engine, qtbot,
                                                               monkeypatch):
    monkeypatch.setattr(kit, "ask_reason", lambda *args: "NDC billing unit from the NDC file")
    dialog = make_record_dialog(ctx, None, registry.ORDER, patient_id=PATIENT, record_id=ORDER)
    qtbot.addWidget(dialog)
    dialog.show()
    f = dialog.form.fields
    assert f["drug_billing_unit"].currentIndex() == -1 and not f["drug_single_dose"].isChecked()
    f["drug_billing_unit"].setCurrentIndex(f["drug_billing_unit"].findData("ML"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "Dose a billing unit: goes with the NDC billing unit" in dialog.form.message.text()
    qtbot.keyClicks(f["drug_package_quantity"], "100")
    f["drug_single_dose"].click()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.form.message.text()
    saved = order(engine)
    assert (saved.drug_billing_unit, saved.drug_package_quantity, saved.drug_single_dose) == (
        "ML", Decimal(100), True)

    again = make_record_dialog(ctx, None, registry.ORDER, patient_id=PATIENT, record_id=ORDER)
    qtbot.addWidget(again)
    g = again.form.fields
    assert (g["drug_billing_unit"].currentData(), g["drug_package_quantity"].text(),
            g["drug_single_dose"].isChecked()) == ("ML", "100", True)


def test_a_drug_dosed_in_units_needs_its_billing_unit(ctx, engine, qtbot):
    """Heparin's units are no NDC unit of measure: the form says so instead of a claim
    going out with 5,000 "each"."""
    dialog = make_record_dialog(ctx, None, registry.ORDER, patient_id=PATIENT)
    qtbot.addWidget(dialog)
    dialog.show()
    f = dialog.form.fields
    qtbot.keyClicks(f["per_diem_code"], "S9500")
    qtbot.keyClicks(f["drug_name"], "Heparin lock flush")
    qtbot.keyClicks(f["drug_ndc"], "63323054705")
    qtbot.keyClicks(f["drug_hcpcs"], "J1644")
    qtbot.keyClicks(f["drug_hcpcs_unit_amount"], "1000")
    f["drug_dose_unit"].setCurrentIndex(f["drug_dose_unit"].findData("units"))
    qtbot.keyClicks(f["diagnosis_codes"], "A41.9")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert ('NDC billing unit: is required for a drug dosed in "units"'
            in dialog.form.message.text())
    f["drug_billing_unit"].setCurrentIndex(f["drug_billing_unit"].findData("ML"))
    qtbot.keyClicks(f["drug_package_quantity"], "1000")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.form.message.text()


def test_mar_entry_records_the_waste_and_the_claim_bills_it_on_a_jw_line(ctx, engine, qtbot):
    with unit_of_work(engine) as s:  # Gammagard in single-dose vials, billed in mL
        o = clinical.get_record(s, registry.ORDER, ORDER)
        clinical.edit_record(s, actor="setup", kind=registry.ORDER, record_id=ORDER,
                             data=registry.ORDER.base.model_validate(o.model_dump() | {
                                 "drug_billing_unit": "ML",
                                 "drug_package_quantity": Decimal(100),
                                 "drug_single_dose": True}), reason="NDC file")
    form = MarEntryForm(ctx, PATIENT, order_id=ORDER, day=SERVICE_DAY)
    qtbot.addWidget(form)
    settle(qtbot)
    assert form.captions["wasted"].text() == "Wasted (mg)"
    form.fields["dose_given"].clear()
    qtbot.keyClicks(form.fields["dose_given"], "28000")
    qtbot.keyClicks(form.fields["wasted"], "-5")
    assert not form.save()
    assert "Wasted: cannot be negative" in form.message.text()
    form.fields["wasted"].clear()
    qtbot.keyClicks(form.fields["wasted"], "2000")
    qtbot.keyClicks(form.fields["start_time"], "09:00")
    qtbot.keyClicks(form.fields["end_time"], "12:30")
    assert form.save(), form.message.text()

    with unit_of_work(engine) as s:
        (entry,) = [e for e in clinical.list_records(s, registry.INFUSION, patient_id=PATIENT)
                    if e.date == SERVICE_DAY]
        assert entry.wasted == Decimal(2000)
        preview = prepare_claims(s, dt.date(2026, 11, 1), dt.date(2026, 11, 30), fmt="837p",
                                 patient_id=PATIENT)
    drug = [(ln.start, ln.modifiers, ln.units, ln.ndc_quantity, ln.ndc_unit)
            for d in preview.drafts for ln in d.lines if ln.kind == "drug"]
    assert (SERVICE_DAY, (), 56, Decimal(280), "ML") in drug  # 28,000 mg: 56 x 500 mg
    assert (SERVICE_DAY, ("JW",), 4, Decimal(20), "ML") in drug  # 2,000 mg discarded
    assert (dt.date(2026, 11, 19), ("JZ",), 56, Decimal(280), "ML") in drug  # no waste
