"""A week of MAR entries typed with the keyboard only, keystrokes counted (issue 16 item 2):
each new entry opens on the day after the order's last entry with its times and site, so a day
like the one before is one key (Enter) and a different start and end time twelve. The figure is
in docs/gui.md ("Keystrokes per entry")."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from models.db import unit_of_work
from models.records import clinical, reference, registry
from models.records.tables import PharmacyBase
from tests.support.gui_record_data import ORDER, PATIENT, SERVICE_DAY, build_records
from tests.support.gui_wait import settle
from ui.records.mar_tab import InfusionLogTab
from ui.shell.context import AppContext

WEEK_KEYSTROKES = 29  # 7 entries; typed field by field before issue 16: 24 each


class Keyboard:
    """Types into whatever has the focus and counts every key."""

    def __init__(self, qtbot) -> None:
        self.qtbot, self.count = qtbot, 0

    def type(self, text: str) -> None:
        self.count += len(text)
        self.qtbot.keyClicks(QApplication.focusWidget(), text)

    def press(self, key: Qt.Key, times: int = 1) -> None:
        for _ in range(times):
            self.count += 1
            QTest.keyClick(QApplication.focusWidget(), key)


@pytest.fixture
def tab(engine, db_url, qtbot, monkeypatch):
    monkeypatch.setenv("PERDIEM_TODAY", "2026-11-27")  # R24: the week is before today
    build_records(engine)  # the order's last entry: 11/19, 09:10-13:05, left forearm
    with unit_of_work(engine) as s:  # a pharmacy that logs the week's paper MAR on Friday (R26)
        reference.save_pharmacy(s, actor="t", data=PharmacyBase(
            name="Riverbend", npi="1234567893", tax_id="371234567", address_line1="1 Main St",
            city="Peoria", state="IL", zip="616021234", late_entry_days=7))
    widget = InfusionLogTab(AppContext(engine, "Jia Lee", db_url))
    qtbot.addWidget(widget)
    widget.set_patient(PATIENT)
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    settle(qtbot)
    widget.focus_entry()
    return widget


def test_a_week_of_entries_by_keyboard_counts_its_keystrokes(tab, engine, qtbot):
    keys = Keyboard(qtbot)
    week = [SERVICE_DAY + dt.timedelta(days=i) for i in range(7)]  # 11/20 to 11/26
    late = {week[2]: ("0945", "1340"), week[3]: ("0910", "1305")}
    for day in week:
        settle(qtbot)  # the next entry's defaults (read in the background)
        assert QApplication.focusWidget() is tab.form.date
        assert tab.form.date.date() == day  # the day after the last entry
        if day in late:
            start, end = late[day]
            keys.press(Qt.Key.Key_Tab, 2)  # the order, then the start time (selected)
            keys.type(start)
            keys.press(Qt.Key.Key_Tab)
            keys.type(end)
        keys.press(Qt.Key.Key_Return)  # Enter saves
    settle(qtbot)

    with unit_of_work(engine) as s:
        saved = [e for e in clinical.list_records(s, registry.INFUSION, patient_id=PATIENT)
                 if e.date in week]
    assert [e.date for e in saved] == week
    assert {e.order_id for e in saved} == {ORDER}
    assert [(e.start_time, e.end_time) for e in saved] == [
        (dt.time(9, 10), dt.time(13, 5)), (dt.time(9, 10), dt.time(13, 5)),
        (dt.time(9, 45), dt.time(13, 40)), (dt.time(9, 10), dt.time(13, 5)),
        (dt.time(9, 10), dt.time(13, 5)), (dt.time(9, 10), dt.time(13, 5)),
        (dt.time(9, 10), dt.time(13, 5))]
    assert {(e.site, e.administered_by, e.status) for e in saved} == {
        ("left forearm", "Kate Moss RN", "completed")}
    assert keys.count == WEEK_KEYSTROKES  # 1 + 1 + 12 + 12 + 1 + 1 + 1
    assert tab.form.date.date() == dt.date(2026, 11, 27)  # the next day, never after today


def test_the_next_date_is_never_after_today(tab, engine, qtbot):
    keys = Keyboard(qtbot)
    for _ in range(8):  # 11/20 ... 11/27 (today)
        settle(qtbot)
        keys.press(Qt.Key.Key_Return)
    settle(qtbot)
    assert tab.form.date.date() == dt.date(2026, 11, 27)  # today again, not 11/28
