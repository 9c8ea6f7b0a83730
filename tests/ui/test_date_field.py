"""The one date entry (ui/common.DateField, made by ui/forms/kit.date_field): MM/DD/YYYY and
its short forms, + / - stepping a day, and the calendar pop-up, all from the keyboard."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from models import dates
from ui.forms.kit import date_field

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize(("typed", "expected"), [
    ("11/24/2026", dt.date(2026, 11, 24)),
    ("2026-11-24", dt.date(2026, 11, 24)),
    ("1124", dt.date(2026, 11, 24)),
    ("11/24", dt.date(2026, 11, 24)),
    ("11/24/26", dt.date(2026, 11, 24)),
    ("112426", dt.date(2026, 11, 24)),
    ("11242026", dt.date(2026, 11, 24)),
    ("4/2/27", dt.date(2027, 4, 2)),
    ("t", TODAY),
    ("T-1", dt.date(2026, 11, 26)),
    ("t+5", dt.date(2026, 12, 2)),
    ("", None),
])
def test_short_forms(typed, expected):
    assert dates.parse_date(typed, TODAY) == expected


def test_a_two_digit_birth_year_is_in_the_past():
    assert dates.parse_date("4/12/58", TODAY, past=True) == dt.date(1958, 4, 12)
    assert dates.parse_date("4/12/58", TODAY) == dt.date(2058, 4, 12)  # nearest today
    assert dates.parse_date("4/12/26", TODAY, past=True) == dt.date(2026, 4, 12)


@pytest.mark.parametrize("typed", ["1324", "02/30/2026", "tomorrow", "11/24/2026x", "0000"])
def test_what_is_no_date_is_named(typed):
    with pytest.raises(ValueError, match="is not a date"):
        dates.parse_date(typed, TODAY)


@pytest.fixture
def field(qtbot):
    w = date_field(required=True)
    w.today = lambda: TODAY
    qtbot.addWidget(w)
    w.show()
    w.setFocus()
    return w


def test_a_short_form_is_written_out_when_the_field_is_left(field, qtbot):
    qtbot.keyClicks(field, "t-1")
    assert field.date() == dt.date(2026, 11, 26)
    field.editingFinished.emit()
    assert field.text() == "11/26/2026"
    assert field.problem() is None


def test_plus_and_minus_step_a_day(field, qtbot):
    field.set_date(dt.date(2026, 11, 30))
    QTest.keyClick(field, Qt.Key.Key_Plus)
    assert field.date() == dt.date(2026, 12, 1)
    QTest.keyClick(field, Qt.Key.Key_Minus)
    QTest.keyClick(field, Qt.Key.Key_Minus)
    assert field.date() == dt.date(2026, 11, 29)
    QTest.keyClick(field, Qt.Key.Key_Up)
    assert field.text() == "11/30/2026"


def test_a_minus_after_t_is_typed(field, qtbot):
    qtbot.keyClicks(field, "t-2")
    assert field.text() == "t-2" and field.date() == dt.date(2026, 11, 25)


def test_f4_opens_a_calendar_and_enter_picks_the_day(field, qtbot):
    field.set_date(dt.date(2026, 11, 24))
    QTest.keyClick(field, Qt.Key.Key_F4)
    popup = field.popup
    assert popup is not None and popup.isVisible()
    calendar = popup.calendar
    assert calendar.selectedDate().toPython() == dt.date(2026, 11, 24)
    QTest.keyClick(calendar.focusWidget() or calendar, Qt.Key.Key_Right)
    QTest.keyClick(calendar.focusWidget() or calendar, Qt.Key.Key_Return)
    assert not popup.isVisible()
    assert field.date() == dt.date(2026, 11, 25)
