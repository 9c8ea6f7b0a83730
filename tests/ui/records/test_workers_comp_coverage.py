"""Issue 11 item 2 (R33): a workers' compensation coverage takes the employer's claim number
(837P REF*Y4, CMS-1500 box 11b) and the date of injury (DTP*439, box 14) in the patient form,
shown only for a workers' compensation payer, checked, and saved."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from models.db import unit_of_work
from models.records import reference
from models.records.tables import PayerBase
from ui.forms.patient_form import PatientDialog
from ui.shell.context import AppContext


@pytest.fixture
def ctx(example_engine, db_url):
    """The example (payer bcx, patient p-1001) plus a workers' compensation carrier."""
    with unit_of_work(example_engine) as s:
        reference.save_payer(s, actor="test", data=PayerBase(
            id="glc", name="Great Lakes Casualty", payer_id="GLC01", kind="workers-comp"))
    return AppContext(example_engine, "nurse", db_url)


def open_form(qtbot, ctx) -> PatientDialog:
    dlg = PatientDialog(ctx, "p-1001")
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def add_wc_coverage(qtbot, dlg: PatientDialog):
    qtbot.mouseClick(dlg.add_coverage_button, Qt.MouseButton.LeftButton)
    cov = dlg.coverage_editors()[-1]
    assert cov.employer_claim_number.isHidden()  # Blue Prairie, the first payer: not shown
    cov.payer.setCurrentIndex(cov.payer.findData("glc"))
    assert not cov.employer_claim_number.isHidden() and not cov.injury_date.isHidden()
    qtbot.keyClicks(cov.member_id, "GLC-77120")
    qtbot.keyClicks(cov.start_date, "09/14/2026")
    return cov


def test_workers_comp_fields_are_shown_for_a_workers_comp_payer_and_saved(qtbot, ctx):
    dlg = open_form(qtbot, ctx)
    first = dlg.coverage_editors()[0]
    assert first.employer_claim_number.isHidden() and first.injury_date.isHidden()
    cov = add_wc_coverage(qtbot, dlg)
    qtbot.keyClicks(cov.employer_claim_number, "WC-2291")
    qtbot.keyClicks(cov.injury_date, "09/14/2026")
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible(), dlg.error_label.text()

    p = ctx.read(lambda s: reference.get_patient(s, "p-1001"))
    assert [(c.payer_id, c.employer_claim_number, c.injury_date) for c in p.coverages] == [
        ("bcx", None, None), ("glc", "WC-2291", dt.date(2026, 9, 14))]

    again = open_form(qtbot, ctx)  # shown again when the form is opened on the patient
    wc = again.coverage_editors()[1]
    assert (wc.employer_claim_number.text(), wc.injury_date.text()) == ("WC-2291", "09/14/2026")
    assert not wc.injury_date.isHidden()


def test_workers_comp_fields_are_required_and_checked_naming_the_field(qtbot, ctx):
    dlg = open_form(qtbot, ctx)
    cov = add_wc_coverage(qtbot, dlg)
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    text = dlg.error_label.text()
    assert "Employer claim number: is required for a workers' compensation payer" in text
    assert "Injury date: is required for a workers' compensation payer" in text

    qtbot.keyClicks(cov.employer_claim_number, "WC 2291")
    assert cov.employer_claim_number.property("problem") == (
        "uses letters, digits and dashes only (up to 50)")  # marked as typed
    qtbot.keyClicks(cov.injury_date, "10/02/2026")  # after the coverage start
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    text = dlg.error_label.text()
    assert "Employer claim number: uses letters, digits and dashes only" in text
    assert "Injury date: is after the coverage start" in text
    assert dlg.isVisible() and cov.employer_claim_number.text() == "WC 2291"
    p = ctx.read(lambda s: reference.get_patient(s, "p-1001"))
    assert len(p.coverages) == 1  # nothing saved half-written


def test_another_payer_keeps_no_injury(qtbot, ctx):
    """Typed for the carrier, then the payer changed back: a commercial coverage stores no
    employer claim number or injury date (they would go out as REF*Y4 on no claim)."""
    dlg = open_form(qtbot, ctx)
    cov = add_wc_coverage(qtbot, dlg)
    qtbot.keyClicks(cov.employer_claim_number, "WC-2291")
    qtbot.keyClicks(cov.injury_date, "13/45/2026")  # unreadable, but not for this payer
    cov.payer.setCurrentIndex(cov.payer.findData("bcx"))
    assert cov.injury_date.isHidden()
    cov.priority.setCurrentText("secondary")
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert not dlg.isVisible(), dlg.error_label.text()
    p = ctx.read(lambda s: reference.get_patient(s, "p-1001"))
    assert [(c.employer_claim_number, c.injury_date) for c in p.coverages] == [(None, None)] * 2
