"""The Today page (issue 16 item 1): the work list of the demo pharmacy as the window's first
screen, its counts on the toolbar, and Enter on a line opening the form that settles it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog

from models.billing import worklist
from models.db import snapshot
from tests.support.databases import DEMO_TODAY
from tests.support.gui_wait import settle
from ui.shell.context import AppContext
from ui.shell.main_window import MainWindow


@pytest.fixture
def window(qtbot, demo_engine, db_url, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(AppContext(demo_engine, "tester", db_url), settings, today=lambda: DEMO_TODAY)
    qtbot.addWidget(w)
    w.show()
    settle(qtbot)
    qtbot.waitUntil(lambda: w.today_view.work is not None)
    return w


def test_the_window_opens_on_todays_work_list_with_counts(window, demo_engine):
    assert window.pages.currentIndex() == window.TODAY_PAGE
    assert window.action_today_page.isChecked()
    with snapshot(demo_engine) as s:
        expected = worklist.build_worklist(s, DEMO_TODAY)
    tree = window.today_view.tree
    sections = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    assert [t.text(0) for t in sections] == [
        f"{title} ({len(expected.section(key))})" for key, title in worklist.SECTIONS.items()]
    for top, key in zip(sections, worklist.SECTIONS, strict=True):
        assert [top.child(i).text(1) for i in range(top.childCount())] == [
            w.text for w in expected.section(key)]
    assert window.action_today_page.text() == f"&Today ({len(expected.items)})"
    assert "Days on hold: " in window.action_today_page.toolTip()


def test_enter_on_a_line_not_logged_opens_a_new_entry_for_that_order_and_day(qtbot, window):
    view = window.today_view
    top = view.tree.topLevelItem(0)
    line = top.child(0)
    work = line.data(0, Qt.ItemDataRole.UserRole + 1)
    assert work.section == worklist.UNLOGGED
    view.tree.setCurrentItem(line)
    view.tree.setFocus()
    qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    dialogs = [d for d in view.findChildren(QDialog) if d.isVisible()]
    assert [d.windowTitle() for d in dialogs] == ["New infusion log entry"]
    form = dialogs[0].form
    assert form.date.date() == work.day
    qtbot.waitUntil(lambda: form.order.currentData() == work.order_id)  # read in the background
    dialogs[0].reject()


def test_a_hold_line_opens_the_saved_record_that_settles_it(qtbot, window):
    """R7: the unsigned order's hold opens that order, not a new one."""
    view = window.today_view
    holds = view.tree.topLevelItem(list(worklist.SECTIONS).index(worklist.HOLDS))
    lines = [holds.child(i) for i in range(holds.childCount())]
    r7 = [x for x in lines if x.data(0, Qt.ItemDataRole.UserRole + 1).reason == "unsigned-order"]
    assert r7
    view.tree.setCurrentItem(r7[0])
    qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    dialogs = [d for d in view.findChildren(QDialog) if d.isVisible()]
    work = r7[0].data(0, Qt.ItemDataRole.UserRole + 1)
    assert [d.windowTitle() for d in dialogs] == [f"Edit order {work.order_id}"]
    dialogs[0].reject()


def test_the_work_list_saves_as_a_pdf_to_print(window, tmp_path):
    from pypdf import PdfReader

    path = window.today_view.save_pdf(tmp_path / "today.pdf")
    text = " ".join((p.extract_text() or "") for p in PdfReader(str(path)).pages)
    assert "Work list for Friday 11/27/2026" in " ".join(text.split())
