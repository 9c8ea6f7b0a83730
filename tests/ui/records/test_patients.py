"""The patient list (search, active filter) and the patient form with coverages, driven through
the real widgets and checked in the database through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from models import dates
from models.db import unit_of_work
from models.records import reference, registry
from models.records.tables import OrderBase, PatientBase
from tests.support.gui_wait import settle
from tests.support.recorded import create_on_its_day
from ui.forms.patient_form import PatientDialog
from ui.records.patient_models import PATIENT_ID_ROLE, PatientTableModel
from ui.records.patients import PatientListPanel
from ui.shell.context import AppContext

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def ctx(example_engine, db_url):
    """The example file's pharmacy (payer bcx, patient p-1001 with an order in force on TODAY)
    plus two patients with no order in force: one without orders, one whose order ended."""
    with unit_of_work(example_engine) as s:
        for pid, first, last, born in (("p-2", "Hans", "Becker", dt.date(1991, 9, 3)),
                                       ("p-3", "Ada", "Castillo", dt.date(1966, 7, 4))):
            reference.save_patient(s, actor="test", data=PatientBase(
                id=pid, first_name=first, last_name=last, birth_date=born, sex="U",
                address_line1="1 Main St", city="Peoria", state="IL", zip="61602"),
                coverages=[])
        create_on_its_day(s, actor="test", kind=registry.ORDER, data=OrderBase(
            id="o-old", patient_id="p-3", prescriber_id="dr-okafor", per_diem_code="S9338",
            drug_name="Gammagard", diagnosis_codes=["D80.1"], start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2026, 3, 31)))
    return AppContext(example_engine, "nurse", db_url)


def shown_ids(panel: PatientListPanel) -> list[str]:
    proxy = panel.proxy
    return [proxy.index(r, 0).data(PATIENT_ID_ROLE) for r in range(proxy.rowCount())]


def test_search_filters_by_name_member_id_and_birth_date(qtbot, ctx):
    panel = PatientListPanel(ctx, today=lambda: TODAY)
    qtbot.addWidget(panel)
    settle(qtbot)  # the list is read in the background
    assert sorted(shown_ids(panel)) == ["p-1001", "p-2", "p-3"]

    qtbot.keyClicks(panel.search, "becK")
    assert shown_ids(panel) == ["p-2"]
    panel.search.clear()
    qtbot.keyClicks(panel.search, "XBP448812")  # the example patient's member id
    assert shown_ids(panel) == ["p-1001"]
    panel.search.clear()
    qtbot.keyClicks(panel.search, "07/04/1966")
    assert shown_ids(panel) == ["p-3"]
    panel.search.clear()
    qtbot.keyClicks(panel.search, "nobody")
    assert shown_ids(panel) == []
    assert panel.count_label.text() == "0 of 3"


def test_active_filter_shows_patients_with_an_order_in_force(qtbot, ctx):
    panel = PatientListPanel(ctx, today=lambda: TODAY)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.mouseClick(panel.active_only, Qt.MouseButton.LeftButton)
    assert panel.active_only.isChecked()
    settle(qtbot)  # who is active is read in the background
    # p-3's order ended in March (R2: not in force), p-2 has none
    assert shown_ids(panel) == ["p-1001"]
    qtbot.mouseClick(panel.active_only, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert len(shown_ids(panel)) == 3


def test_selecting_a_row_tells_which_patient(qtbot, ctx):
    panel = PatientListPanel(ctx, today=lambda: TODAY)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.patient_selected) as sig:
        panel.select_patient("p-3")
    assert sig.args == ["p-3"]
    assert panel.current_patient_id() == "p-3"


def test_tab_leaves_the_list_without_choosing_another_patient(qtbot, ctx):
    from PySide6.QtWidgets import QApplication

    panel = PatientListPanel(ctx, today=lambda: TODAY)
    qtbot.addWidget(panel)
    panel.show()
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)
    settle(qtbot)
    panel.select_patient("p-1001")
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key.Key_Tab)
    assert panel.current_patient_id() == "p-1001"  # the nurse is still on the same chart
    assert QApplication.focusWidget() is not panel.view


def test_member_id_shown_is_the_coverage_in_force_today(qtbot, ctx):
    from models.records.tables import CoverageBase

    with unit_of_work(ctx.engine) as s:  # entered first, ended in October; then a new plan
        p = reference.get_patient(s, "p-2")
        reference.save_patient(s, actor="test", data=PatientBase(
            **p.model_dump(exclude={"coverages"})), coverages=[
            CoverageBase(payer_id="bcx", member_id="OLD111", start_date=dt.date(2023, 1, 1),
                         end_date=dt.date(2026, 10, 12)),
            CoverageBase(payer_id="bcx", member_id="NEW222", start_date=dt.date(2026, 10, 13))])
    panel = PatientListPanel(ctx, today=lambda: TODAY)
    qtbot.addWidget(panel)
    settle(qtbot)
    row = panel.model.row_of("p-2")
    assert panel.model.index(row, 2).data() == "NEW222"
    panel.search.setText("OLD111")  # the old id still finds the patient
    assert shown_ids(panel) == ["p-2"]


def test_patient_models_pass_the_model_tester(qtbot, qtmodeltester, ctx):
    model = PatientTableModel()
    model.set_patients(ctx.read(reference.list_patients))
    qtmodeltester.check(model)
    panel = PatientListPanel(ctx, today=lambda: TODAY)
    qtbot.addWidget(panel)
    panel.active_only.setChecked(True)
    settle(qtbot)
    assert panel.proxy.rowCount() == 1
    qtmodeltester.check(panel.proxy)


def fill_patient(qtbot, dlg: PatientDialog) -> None:
    qtbot.keyClicks(dlg.first_name, "Rosa")
    qtbot.keyClicks(dlg.last_name, "Delgado")
    qtbot.keyClicks(dlg.birth_date, "03/18/1978")
    dlg.sex.setCurrentIndex(dlg.sex.findData("F"))
    qtbot.keyClicks(dlg.address_line1, "22 Elm St")
    qtbot.keyClicks(dlg.city, "Peoria")
    qtbot.keyClicks(dlg.state, "il")
    qtbot.keyClicks(dlg.zip, "61604")
    qtbot.keyClicks(dlg.phone, "(309) 555-0177")


def test_new_patient_with_coverage_is_saved(qtbot, ctx):
    dlg = PatientDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    fill_patient(qtbot, dlg)
    assert dlg.state.text() == "IL"  # capitals as typed
    cov = dlg.coverage_editors()[0]  # a new patient starts with one coverage to fill
    assert cov.payer.currentData() == "bcx"
    qtbot.keyClicks(cov.member_id, "XBP990011")
    qtbot.keyClicks(cov.group_number, "G7710")
    qtbot.keyClicks(cov.start_date, "01/01/2026")
    with qtbot.waitSignal(dlg.patient_saved) as sig:
        qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    new_id = sig.args[0]

    with unit_of_work(ctx.engine) as s:  # a fresh session sees what the form saved
        p = reference.get_patient(s, new_id)
    assert (p.first_name, p.last_name, p.birth_date) == ("Rosa", "Delgado", dt.date(1978, 3, 18))
    assert (p.state, p.zip, p.phone) == ("IL", "61604", "3095550177")
    assert [(c.payer_id, c.member_id, c.group_number, c.priority, c.start_date, c.end_date)
            for c in p.coverages] == [
        ("bcx", "XBP990011", "G7710", "primary", dt.date(2026, 1, 1), None)]


def test_bad_fields_are_named_and_nothing_typed_is_lost(qtbot, ctx):
    dlg = PatientDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    fill_patient(qtbot, dlg)
    dlg.zip.clear()
    qtbot.keyClicks(dlg.zip, "6160")
    assert dlg.zip.property("problem") == "is 5 or 9 digits"  # marked while typing
    cov = dlg.coverage_editors()[0]
    qtbot.keyClicks(cov.member_id, "XBP 1")
    qtbot.keyClicks(cov.start_date, "01/01/2026")
    qtbot.keyClicks(cov.end_date, "12/31/2025")
    assert cov.end_date.property("problem") == "is before the start date"
    cov.relationship.setCurrentText("spouse")  # R3's subscriber is then required

    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)

    text = dlg.error_label.text()
    assert dlg.error_label.isVisible()
    for expected in ("ZIP: is 5 or 9 digits", "Member ID: uses letters, digits and dashes only",
                     "End date: is before the start date",
                     "Subscriber: is required when the patient is not the subscriber"):
        assert expected in text
    assert cov.sub_first.property("problem")
    assert dlg.isVisible()  # the form stays open with everything typed
    assert (dlg.first_name.text(), dlg.zip.text(), cov.member_id.text()) == (
        "Rosa", "6160", "XBP 1")
    assert ctx.read(lambda s: len(reference.list_patients(s))) == 3


def test_sex_must_be_chosen(qtbot, ctx):
    dlg = PatientDialog(ctx)
    qtbot.addWidget(dlg)
    assert dlg.sex.currentIndex() == -1  # no silent default
    assert not dlg.save()
    assert "Sex: is F, M or U" in dlg.error_label.text()
    assert dlg.sex.property("problem") == "is F, M or U"


def test_unreadable_date_is_named(qtbot, ctx):
    dlg = PatientDialog(ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    fill_patient(qtbot, dlg)
    dlg.birth_date.clear()
    qtbot.keyClicks(dlg.birth_date, "13/45/1978")
    assert dlg.birth_date.property("problem") == dates.PROBLEM
    dlg.coverage_tabs.clear()
    assert not dlg.save()
    assert f"Date of birth: {dates.PROBLEM}" in dlg.error_label.text()
    assert "Date of birth: is required" not in dlg.error_label.text()


def test_edit_patient_changes_coverage(qtbot, ctx):
    dlg = PatientDialog(ctx, "p-1001")
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.first_name.text() == "Maria"
    cov = dlg.coverage_editors()[0]
    assert cov.member_id.text() == "XBP448812"
    cov.end_date.clear()
    qtbot.keyClicks(cov.end_date, "11/15/2026")  # coverage ends: R3 holds later days
    qtbot.mouseClick(dlg.add_coverage_button, Qt.MouseButton.LeftButton)
    second = dlg.coverage_editors()[1]
    assert second.priority.currentText() == "secondary"
    qtbot.keyClicks(second.member_id, "SEC-42")
    qtbot.keyClicks(second.start_date, "2026-11-01")  # ISO dates are understood too
    qtbot.keyClick(dlg.first_name, Qt.Key.Key_Return)  # Enter saves
    assert not dlg.isVisible()

    p = ctx.read(lambda s: reference.get_patient(s, "p-1001"))
    assert [(c.member_id, c.priority, c.start_date, c.end_date) for c in p.coverages] == [
        ("XBP448812", "primary", dt.date(2026, 1, 1), dt.date(2026, 11, 15)),
        ("SEC-42", "secondary", dt.date(2026, 11, 1), None)]


def test_esc_asks_before_throwing_away_what_was_typed(qtbot, ctx, monkeypatch):
    from ui import common

    dlg = PatientDialog(ctx, "p-2")
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    monkeypatch.setattr(common, "ask_discard", lambda parent: pytest.fail("asked"))
    qtbot.keyClick(dlg.first_name, Qt.Key.Key_Escape)  # nothing typed: closes at once
    assert not dlg.isVisible()

    dlg = PatientDialog(ctx, None)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    fill_patient(qtbot, dlg)
    asked = []
    monkeypatch.setattr(common, "ask_discard", lambda parent: asked.append(parent) is not None)
    qtbot.keyClick(dlg.city, Qt.Key.Key_Escape)
    dlg.buttons.button(dlg.buttons.StandardButton.Cancel).click()
    assert asked == [dlg, dlg] and dlg.isVisible()  # "Keep editing": the form stays, as typed
    assert (dlg.first_name.text(), dlg.last_name.text()) == ("Rosa", "Delgado")
    monkeypatch.setattr(common, "ask_discard", lambda parent: True)
    qtbot.keyClick(dlg.city, Qt.Key.Key_Escape)
    assert not dlg.isVisible()
    assert sorted(p.id for p in ctx.read(reference.list_patients)) == ["p-1001", "p-2", "p-3"]


@pytest.mark.parametrize("typed", ["7/4/66", "7/4/1966", "07/04/66", "Castillo 7/4/66"])
def test_a_birth_date_in_a_short_form_finds_the_patient(qtbot, ctx, typed):
    """Issue 16: 4/12/58 finds the patient born 04/12/1958 (a two-digit year in the past)."""
    panel = PatientListPanel(ctx, today=lambda: TODAY)
    qtbot.addWidget(panel)
    settle(qtbot)
    qtbot.keyClicks(panel.search, typed)
    assert shown_ids(panel) == ["p-3"]


def _click_heading(qtbot, panel: PatientListPanel, column: int) -> None:
    from PySide6.QtCore import QPoint

    header = panel.view.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(column) + 8, 6))


def test_headings_sort_by_name_and_by_birth_date_keeping_the_selection(qtbot, ctx):
    """The list's order is the model's own (sorted in Python, issue 8): by name at first, by
    date of birth as a date (12/01/1950 before 04/18/1961, not after it as text), descending
    on a second click; the selected patient stays selected and the search still filters."""
    with unit_of_work(ctx.engine) as s:
        reference.save_patient(s, actor="test", data=PatientBase(
            id="p-4", first_name="Amy", last_name="Zed", birth_date=dt.date(1950, 12, 1),
            sex="F", address_line1="1 Main St", city="Peoria", state="IL", zip="61602"),
            coverages=[])
    panel = PatientListPanel(ctx, today=lambda: TODAY)
    qtbot.addWidget(panel)
    panel.show()
    settle(qtbot)
    assert shown_ids(panel) == ["p-2", "p-3", "p-1001", "p-4"]  # Becker, Castillo, Lindqvist, Zed
    assert panel.select_patient("p-3")

    _click_heading(qtbot, panel, 1)
    assert shown_ids(panel) == ["p-4", "p-1001", "p-3", "p-2"]
    assert panel.current_patient_id() == "p-3"
    _click_heading(qtbot, panel, 1)
    assert shown_ids(panel) == ["p-2", "p-3", "p-1001", "p-4"]
    assert panel.current_patient_id() == "p-3"

    qtbot.keyClicks(panel.search, "19")  # born in the 1900s: all four, in the order chosen
    assert shown_ids(panel) == ["p-2", "p-3", "p-1001", "p-4"]
    qtbot.keyClicks(panel.search, "6")  # 1961 and 1966
    assert shown_ids(panel) == ["p-3", "p-1001"]
    panel.search.clear()
    panel.reload()  # a new read keeps the order chosen
    settle(qtbot)
    assert shown_ids(panel) == ["p-2", "p-3", "p-1001", "p-4"]
