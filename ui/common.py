"""Small GUI helpers shared by every form: error boxes and marking a bad field."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

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
