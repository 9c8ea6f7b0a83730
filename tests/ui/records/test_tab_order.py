"""Tab order of the patient form (issue 16): the patient's fields, then the coverage's, then
the coverage buttons, and only then Save; a coverage added later takes its place before Save.
(The MAR form's paper-MAR order is checked in test_mar.py, keyboard-only.)"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ui.forms.patient_form import PatientDialog
from ui.shell.context import AppContext


def _tab_path(qtbot, dlg, stop) -> list:
    dlg.first_name.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dlg.first_name)
    path = [QApplication.focusWidget()]
    for _ in range(60):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        path.append(QApplication.focusWidget())
        if path[-1] is stop:
            break
    return path


def _open(qtbot, example_engine, db_url, patient_id):
    dlg = PatientDialog(AppContext(example_engine, "tester", db_url), patient_id)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.activateWindow()
    qtbot.waitUntil(dlg.isActiveWindow)
    return dlg


def test_patient_form_tabs_through_the_coverage_before_save(qtbot, example_engine, db_url):
    dlg = _open(qtbot, example_engine, db_url, "p-1001")
    path = _tab_path(qtbot, dlg, dlg.save_button)
    assert path[-1] is dlg.save_button
    expected = [w for w in dlg.tab_chain() if w.isVisible() and w.isEnabled()
                and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert path == expected[:expected.index(dlg.save_button) + 1]
    cover = dlg.coverage_editors()[0]
    patient_fields = list(dlg.fields.values())
    assert path[:len(patient_fields)] == patient_fields
    assert path.index(cover.member_id) < path.index(dlg.save_button)
    assert path.index(cover.payer) == len(patient_fields)  # right after the phone


def test_a_new_patients_coverage_is_tabbed_before_save(qtbot, example_engine, db_url):
    dlg = _open(qtbot, example_engine, db_url, None)
    second = dlg.add_coverage()  # in front now: its fields come before the buttons
    path = _tab_path(qtbot, dlg, dlg.save_button)
    assert second.member_id in path and second.injury_date not in path  # hidden unless WC
    assert path.index(second.member_id) < path.index(dlg.add_coverage_button) < path.index(
        dlg.save_button)


def test_optional_columns_start_hidden_and_the_header_menu_shows_them(qtbot, example_engine,
                                                                      db_url):
    """Issue 16: the orders table fits 1366 px: route and frequency start hidden; the
    header's menu shows them again (and hides others)."""
    from tests.support.gui_wait import settle
    from ui.records.column_menu import column_menu
    from ui.records.record_list import fit_columns
    from ui.shell.patient_tabs import PatientTabs

    tabs = PatientTabs(AppContext(example_engine, "tester", db_url))
    qtbot.addWidget(tabs)
    tabs.resize(950, 500)
    tabs.show()
    tabs.set_patient("p-1001")
    settle(qtbot)
    panel = tabs.tab("OrdersTab").panel if hasattr(tabs.tab("OrdersTab"), "panel") else \
        tabs.tab("OrdersTab")
    view, model = panel.view, panel.model
    headers = [c.header for c in model.all_columns()]
    hidden = {h for i, h in enumerate(headers) if view.isColumnHidden(i)}
    assert {"Route", "Frequency"} <= hidden and "Drug" not in hidden
    menu = column_menu(view, fit_columns)
    [route] = [a for a in menu.actions() if a.text() == "Route"]
    assert not route.isChecked()
    route.trigger()
    assert not view.isColumnHidden(headers.index("Route"))
    assert view.horizontalScrollBar().maximum() == 0 or view.horizontalScrollBar().isHidden()
