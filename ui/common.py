"""Small GUI helpers shared by every form: error boxes and marking a bad field."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLineEdit, QMessageBox, QWidget

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
