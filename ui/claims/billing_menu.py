"""The Billing menu's small dialogs: the period of one patient's packet, the month of all packets.

Both open without blocking (`open()`) and say what was chosen through a signal, so the main
window starts the packet job and tests can drive them like any form.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.common import DateField, mark_field

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def _label(text: str, buddy: QWidget) -> QLabel:
    """A form label whose Alt+letter reaches a field inside a row layout."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.rejected.connect(dialog.reject)
    return buttons


class PacketPeriodDialog(QDialog):
    """The period of one patient's documentation packet; the calendar's month by default."""

    chosen = Signal(object, object)  # start, end (datetime.date)

    def __init__(self, patient_name: str, start: dt.date, end: dt.date,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Documentation packet")
        self.setMinimumWidth(420)
        intro = QLabel(f"One PDF with the orders, infusion log, documents and billing days of "
                       f"<b>{escape(patient_name)}</b> for the period below.")
        intro.setWordWrap(True)
        self.start_field = DateField(required=True)
        self.start_field.setObjectName("packet-start")
        self.start_field.set_date(start)
        self.end_field = DateField(required=True)
        self.end_field.setObjectName("packet-end")
        self.end_field.set_date(end)
        period = QHBoxLayout()
        period.addWidget(self.start_field)
        period.addWidget(QLabel("to"))
        period.addWidget(self.end_field)
        form = QFormLayout()
        form.addRow(_label("&Period", self.start_field), period)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b03a2e;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.buttons = _buttons(self, "&Make packet…")
        self.buttons.accepted.connect(self._on_ok_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def period(self) -> tuple[dt.date, dt.date] | None:
        """The period typed, or None after marking the field that is wrong."""
        problems = {}
        for name, field in (("From", self.start_field), ("To", self.end_field)):
            problem = field.problem()
            mark_field(field, problem)
            if problem:
                problems[name] = problem
        start, end = self.start_field.date(), self.end_field.date()
        if not problems and start and end and end < start:
            problems["To"] = "is before the start of the period"
            mark_field(self.end_field, problems["To"])
        if problems or start is None or end is None:
            self.error_label.setText("\n".join(f"{k}: {v}" for k, v in problems.items()))
            self.error_label.show()
            self.adjustSize()  # room for the message without squeezing the wrapped intro
            return None
        return start, end

    @Slot()
    def _on_ok_clicked(self) -> None:
        period = self.period()
        if period is not None:
            self.accept()
            self.chosen.emit(*period)


class MonthPickDialog(QDialog):
    """A month, for one packet per patient with service days in it."""

    chosen = Signal(int, int)  # year, month

    def __init__(self, first: dt.date, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Packets for a month")
        intro = QLabel("One documentation packet (PDF) is written for every patient with a "
                       "service day in the month, into a folder you choose next.")
        intro.setWordWrap(True)
        self.month_box = QComboBox()
        self.month_box.setObjectName("packet-month")
        self.month_box.addItems(MONTHS)
        self.month_box.setCurrentIndex(first.month - 1)
        self.year_box = QSpinBox()
        self.year_box.setObjectName("packet-year")
        self.year_box.setRange(2000, 2100)
        self.year_box.setValue(first.year)
        row = QHBoxLayout()
        row.addWidget(self.month_box)
        row.addWidget(self.year_box)
        row.addStretch(1)
        form = QFormLayout()
        form.addRow(_label("&Month", self.month_box), row)
        buttons = _buttons(self, "&Choose folder…")
        buttons.accepted.connect(self._on_ok_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    @Slot()
    def _on_ok_clicked(self) -> None:
        self.accept()
        self.chosen.emit(self.year_box.value(), self.month_box.currentIndex() + 1)
