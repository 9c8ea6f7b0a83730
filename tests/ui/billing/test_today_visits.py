"""R34 on the Today page (issue 15): a nursing visit's hold line opens what settles it, a new
99601 authorization prefilled (payer, date, code) or the incomplete visit; saving the
authorization takes the line off the list."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog

from models.billing import worklist
from models.db import snapshot
from models.records import reference
from tests.models.billing.test_worklist_visits import TODAY, held_visits
from tests.support.gui_wait import settle
from ui.shell.context import AppContext
from ui.shell.main_window import MainWindow


@pytest.fixture
def window(qtbot, example_engine, db_url, tmp_path):
    held = held_visits(example_engine)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(AppContext(held, "tester", db_url), settings, today=lambda: TODAY)
    qtbot.addWidget(w)
    w.show()
    settle(qtbot)
    qtbot.waitUntil(lambda: w.today_view.work is not None)
    return w


def _open(qtbot, window, reason: str) -> QDialog:
    view = window.today_view
    section = view.tree.topLevelItem(list(worklist.SECTIONS).index(worklist.VISITS))
    lines = [section.child(i) for i in range(section.childCount())]
    line = next(x for x in lines if x.data(0, Qt.ItemDataRole.UserRole + 1).reason == reason)
    view.tree.setCurrentItem(line)
    qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    dialogs = [d for d in view.findChildren(QDialog) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def test_r34_the_today_page_opens_a_new_99601_authorization(qtbot, window):
    dialog = _open(qtbot, window, "no-authorization")
    assert dialog.windowTitle() == "New prior authorization"
    form = dialog.form
    assert form.value("code") == "99601" and form.value("payer_id") == "bcx"
    assert form.value("start_date") == dt.date(2026, 10, 7)
    form.set_value("number", "PAV9")
    form.set_value("end_date", dt.date(2026, 10, 31))
    form.set_value("units", 4)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    with snapshot(window.ctx.engine) as s:
        saved = [a for a in reference.list_authorizations(s, "p-1001") if a.number == "PAV9"]
    assert [(a.code, a.units) for a in saved] == [("99601", 4)]
    qtbot.waitUntil(lambda: [i.reason for i in window.today_view.work.section(
        worklist.VISITS)] == ["incomplete-visit"])


def test_r34_the_today_page_opens_the_incomplete_visit(qtbot, window):
    dialog = _open(qtbot, window, "incomplete-visit")
    assert dialog.windowTitle() == "Edit nursing visit nv-2"
    dialog.reject()
