"""Small GUI helpers shared by every form: error boxes, marking a bad field, and dialogs that
ask before throwing away what was typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QCloseEvent, QColor, QIcon, QKeyEvent, QPainter, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QCalendarWidget,
    QComboBox,
    QDialog,
    QFrame,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from models import clock, dates
from models.errors import DomainError, FieldError, ValidationFailed
from models.server import ServerAway

BAD_FIELD_STYLE = "border: 2px solid #c0392b; background: #fdecea;"


def show_error(parent: QWidget | None, exc: Exception, title: str = "Not saved") -> None:
    """Tell the user what is wrong; domain errors are shown as they are worded."""
    if isinstance(exc, DomainError):
        text = str(exc)
    else:  # an unexpected failure: say so plainly, keep the technical text for support
        text = f"Something went wrong and nothing was saved.\n\n{type(exc).__name__}: {exc}"
    QMessageBox.warning(parent, title, text)


def ask_retry(parent: QWidget | None, exc: ServerAway) -> bool:
    """The server is away (issue 14): say so, keep what was typed, and offer Retry; whether
    the user chose it."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Pharmacy server not reached",
                      f"{exc}\n\nNothing was saved, and what you typed is kept. Check that the "
                      "server PC is on and connected to the office network, then choose Retry.",
                      QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Cancel,
                      parent)
    box.setObjectName("serverAway")
    box.setDefaultButton(QMessageBox.StandardButton.Retry)
    return box.exec() == QMessageBox.StandardButton.Retry


def field_errors(exc: Exception) -> list[FieldError]:
    if isinstance(exc, ValidationFailed):
        return exc.errors
    if isinstance(exc, FieldError):
        return [exc]
    return []


def mark_field(widget: QWidget, problem: str | None) -> None:
    """Show a field as wrong (red border, the problem as tooltip) or clear the mark."""
    widget.setStyleSheet(BAD_FIELD_STYLE if problem else "")
    widget.setToolTip(problem or "")
    widget.setProperty("problem", problem or "")


# --- form helpers (dates typed by hand, service errors mapped onto widgets) -----------------


def parse_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """A date typed as MM/DD/YYYY (how US staff write it), YYYY-MM-DD or a short form (1124,
    11/24/26, t, t-1: models/dates.py); blank is None. Raises ValueError with a sentence a
    user can act on."""
    return dates.parse_date(text, today or clock.today())


class _CalendarPopup(QFrame):
    """The month calendar a date field opens (F4, Alt+Down or its button); Enter or a click
    picks the day, Esc closes it."""

    def __init__(self, field: DateField) -> None:
        super().__init__(field, Qt.WindowType.Popup)
        self.field = field
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.calendar = QCalendarWidget(self)
        self.calendar.setGridVisible(True)
        self.calendar.setVerticalHeaderFormat(
            QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.calendar)
        self.calendar.activated.connect(self._pick)
        self.calendar.clicked.connect(self._pick)

    def _pick(self, day: QDate) -> None:
        self.field.set_date(dt.date(day.year(), day.month(), day.day()))
        self.hide()
        self.field.setFocus()
        self.field.editingFinished.emit()


def _calendar_icon() -> QIcon:
    pix = QPixmap(16, 16)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setPen(QColor("#555"))
    p.drawRect(1, 2, 13, 12)
    p.fillRect(1, 2, 14, 3, QColor("#555"))
    for x in (4, 7, 10):
        for y in (8, 11):
            p.drawPoint(x, y)
    p.end()
    return QIcon(pix)


class DateField(QLineEdit):
    """The one date entry of every form: MM/DD/YYYY or a short form (1124, 11/24/26, t, t-1),
    written out in full when the field is left; + / - (and the arrow keys) step a date by a
    day; F4 or Alt+Down (or the button) opens a calendar. It may be left blank; it marks
    itself while what is typed is no date."""

    def __init__(self, parent: QWidget | None = None, *, required: bool = False,
                 today: Callable[[], dt.date] = clock.today):
        super().__init__(parent)
        self.required = required
        self.today = today
        self.popup: _CalendarPopup | None = None
        self.setPlaceholderText("MM/DD/YYYY")
        self.setMaxLength(10)
        self.setToolTip("MM/DD/YYYY, or 1124, 11/24/26, t (today), t-1; + and - step a day, "
                        "F4 opens a calendar")
        self.calendar_action = self.addAction(_calendar_icon(),
                                              QLineEdit.ActionPosition.TrailingPosition)
        self.calendar_action.setToolTip("Pick the date on a calendar (F4)")
        self.calendar_action.triggered.connect(self.open_calendar)
        self.textChanged.connect(self._on_text_changed)
        self.editingFinished.connect(self._on_editing_finished)

    def date(self) -> dt.date | None:
        """The date typed, or None when blank or not a date (see `problem`)."""
        try:
            return parse_date(self.text(), self.today())
        except ValueError:
            return None

    def set_date(self, day: dt.date | None) -> None:
        self.setText(dates.us_date(day) if day else "")

    def problem(self) -> str | None:
        try:
            day = parse_date(self.text(), self.today())
        except ValueError as exc:
            return str(exc)
        if day is None and self.required:
            return "is required"
        return None

    def step(self, days: int) -> None:
        day = self.date()
        if day is not None:
            try:
                self.set_date(day + dt.timedelta(days=days))
            except OverflowError:
                return
            self.selectAll()

    def open_calendar(self) -> None:
        if self.popup is None:
            self.popup = _CalendarPopup(self)
        day = self.date() or self.today()
        self.popup.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        self.popup.adjustSize()
        below = self.mapToGlobal(self.rect().bottomLeft())
        self.popup.move(below)
        self.popup.show()
        self.popup.calendar.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_F4 or (key == Qt.Key.Key_Down
                                    and mods & Qt.KeyboardModifier.AltModifier):
            self.open_calendar()
            return
        # + and - step a full date; after "t" they are typed (t-1)
        typing_offset = self.text().strip().lower().startswith("t")
        steps = {Qt.Key.Key_Plus: 1, Qt.Key.Key_Equal: 1, Qt.Key.Key_Minus: -1,
                 Qt.Key.Key_Up: 1, Qt.Key.Key_Down: -1}
        if key in steps and not typing_offset and self.date() is not None and not (
                mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)):
            self.step(steps[key])
            return
        super().keyPressEvent(event)

    def _on_text_changed(self, _text: str) -> None:
        # while typing only a finished-looking wrong date is marked, not a half-typed one
        # a half-typed date is not an error yet: marked once it is full length or left
        text = self.text().strip()
        problem = self.problem() if text else None
        if problem is None or len(text) >= 10:
            mark_field(self, problem)

    def _on_editing_finished(self) -> None:
        if self.text().strip():
            day = self.date()
            if day is not None and self.text() != dates.us_date(day):
                self.set_date(day)  # a short form written out: the user sees what was read
            mark_field(self, self.problem())


def apply_field_errors(
    fields: dict[str, QWidget], errors: list[FieldError], labels: dict[str, str] | None = None
) -> list[str]:
    """Mark the widget of each field error and return one line per error naming the field.
    Errors whose field has no widget are still returned, so nothing is hidden."""
    labels = labels or {}
    lines = []
    for err in errors:
        widget = fields.get(err.field)
        if widget is not None:
            mark_field(widget, err.problem)
        label = labels.get(err.field, err.field.replace("_", " ").capitalize())
        lines.append(f"{label}: {err.problem}")
    return lines


# --- dialogs that keep what was typed -------------------------------------------------------


def typed_values(root: QWidget) -> list[object]:
    """What can be typed or chosen in `root`'s own window (not in a dialog opened from it)."""
    values: list[object] = []
    for w in root.findChildren(QWidget):
        if w.window() is not root:
            continue
        if isinstance(w, QLineEdit) and not w.isReadOnly():
            values.append(w.text())
        elif isinstance(w, QPlainTextEdit) and not w.isReadOnly():
            values.append(w.toPlainText())
        elif isinstance(w, QComboBox):
            values.append(w.currentIndex())
        elif isinstance(w, QAbstractButton) and w.isCheckable():
            values.append(w.isChecked())
    return values


def ask_discard(parent: QWidget) -> bool:
    """True when the user agrees to throw away what was typed."""
    box = QMessageBox(QMessageBox.Icon.Question, "Discard what you typed?",
                      "This form has changes that are not saved. Close it and lose them?",
                      QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                      parent)
    box.button(QMessageBox.StandardButton.Cancel).setText("Keep editing")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # Enter or Esc keep the form
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Discard


class GuardedDialog(QDialog):
    """A form dialog whose Esc, Cancel or title-bar close asks first when something typed would
    be lost (a stray Esc in a long patient form cost the whole form). `reject()` called from
    code closes without asking. Connect the Cancel button to `cancel`."""

    _typed_at_open: list[object] | None = None

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._typed_at_open is None:  # after the form was filled in for opening
            self._typed_at_open = typed_values(self)

    def has_changes(self) -> bool:
        return self._typed_at_open is not None and typed_values(self) != self._typed_at_open

    def keep_typing(self) -> bool:
        """Whether closing now is called off because the user keeps what was typed."""
        return self.has_changes() and not ask_discard(self)

    def cancel(self) -> None:
        if not self.keep_typing():
            self.reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            event.accept()
            self.cancel()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if event.spontaneous() and self.keep_typing():  # the title bar's close button
            event.ignore()
            return
        super().closeEvent(event)
