"""Small GUI helpers shared by every form: error boxes, marking a bad field, and dialogs that
ask before throwing away what was typed."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)

from models.errors import DomainError, FieldError, ValidationFailed

BAD_FIELD_STYLE = "border: 2px solid #c0392b; background: #fdecea;"


def show_error(parent: QWidget | None, exc: Exception, title: str = "Not saved") -> None:
    """Tell the user what is wrong; domain errors are shown as they are worded."""
    if isinstance(exc, DomainError):
        text = str(exc)
    else:  # an unexpected failure: say so plainly, keep the technical text for support
        text = f"Something went wrong and nothing was saved.\n\n{type(exc).__name__}: {exc}"
    QMessageBox.warning(parent, title, text)


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


def parse_date(text: str) -> dt.date | None:
    """A date typed as MM/DD/YYYY (how US staff write it) or YYYY-MM-DD; blank is None.
    Raises ValueError with a sentence a user can act on."""
    text = text.strip()
    if not text:
        return None
    for fmt in ("%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError("is not a date (type MM/DD/YYYY)")


class DateField(QLineEdit):
    """A date entry that may be left blank; it marks itself while what is typed is no date."""

    def __init__(self, parent: QWidget | None = None, *, required: bool = False):
        super().__init__(parent)
        self.required = required
        self.setPlaceholderText("MM/DD/YYYY")
        self.setMaxLength(10)
        self.textChanged.connect(self._on_text_changed)
        self.editingFinished.connect(self._on_editing_finished)

    def date(self) -> dt.date | None:
        """The date typed, or None when blank or not a date (see `problem`)."""
        try:
            return parse_date(self.text())
        except ValueError:
            return None

    def set_date(self, day: dt.date | None) -> None:
        self.setText(day.strftime("%m/%d/%Y") if day else "")

    def problem(self) -> str | None:
        try:
            day = parse_date(self.text())
        except ValueError as exc:
            return str(exc)
        if day is None and self.required:
            return "is required"
        return None

    def _on_text_changed(self, _text: str) -> None:
        # while typing only a finished-looking wrong date is marked, not a half-typed one
        # a half-typed date is not an error yet: marked once it is full length or left
        text = self.text().strip()
        problem = self.problem() if text else None
        if problem is None or len(text) >= 10:
            mark_field(self, problem)

    def _on_editing_finished(self) -> None:
        if self.text().strip():
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
