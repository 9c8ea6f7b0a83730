"""The form every reference record is typed into (the pharmacy, a payer, a prescriber): fields
in a column, problems listed under them, Save and Cancel; its address and NPI fields."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget
from sqlmodel import Session

from models.errors import FieldError, ValidationFailed
from models.validation import STATE_RE, ZIP_RE, npi_problem
from ui.common import GuardedDialog, apply_field_errors, field_errors, mark_field, show_error
from ui.forms.kit import compact, live_check, named_line, pattern_problem, upper_case
from ui.shell.context import AppContext
from ui.shell.ops import WriteOp


def phone_text(phone: str | None) -> str:
    if phone and len(phone) == 10:
        return f"({phone[:3]}) {phone[3:6]}-{phone[6:]}"
    return phone or ""


def live_npi(edit: QLineEdit) -> None:
    """Check the NPI's length and Luhn check digit as it is typed; a short number is only
    marked once the field is left."""

    def _problem() -> str | None:
        text = edit.text().strip()
        if not text:
            return None
        return npi_problem(text)

    def _on_changed(text: str) -> None:
        text = text.strip()
        if not text or len(text) >= 10 or not text.isdigit():
            mark_field(edit, _problem())
        else:
            mark_field(edit, None)

    edit.textChanged.connect(_on_changed)
    edit.editingFinished.connect(lambda: mark_field(edit, _problem()))


# --- one record's form ----------------------------------------------------------------------


class RecordDialog(GuardedDialog):
    """A reference-data form: fields in a column, problems listed under it, Save and Cancel.

    Subclasses add fields and say how to build, check and save the record. A failed save marks
    each bad field, lists the problems and keeps everything typed.
    """

    record_saved = Signal(str)
    labels: dict[str, str] = {}

    def __init__(self, ctx: AppContext, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.fields: dict[str, QWidget] = {}
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(8)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("formErrors")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b03a2e;")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._on_save_clicked)
        self.buttons.rejected.connect(self.cancel)

    def add_field(self, name: str, label: str, widget: QWidget,
                  form: QFormLayout | None = None) -> QWidget:
        self.fields[name] = widget
        if widget.objectName() == "":
            widget.setObjectName(name)
        (form or self.form).addRow(label, widget)
        return widget

    # subclasses: the record as typed, the service's checks on it, and the write
    def build(self) -> Any:
        raise NotImplementedError

    def check(self, data: Any) -> None:
        raise NotImplementedError

    def write(self, session: Session, data: Any) -> str:
        raise NotImplementedError

    def save(self) -> bool:
        for w in self.fields.values():
            mark_field(w, None)
        data = self.build()
        try:
            self.check(data)
        except ValidationFailed as exc:
            self.show_problems(exc.errors)
            return False
        try:
            saved = WriteOp(self.ctx, lambda s: self.write(s, data)).run()
        except Exception as exc:
            errors = field_errors(exc)
            if errors:
                self.show_problems(errors)
            else:
                show_error(self, exc)
            return False
        self.error_label.hide()
        self.record_saved.emit(saved)
        return True

    def show_problems(self, errors: list[FieldError]) -> None:
        lines = apply_field_errors(self.fields, errors, self.labels)
        self.error_label.setText("Not saved. Please correct:\n• " + "\n• ".join(lines))
        self.error_label.show()
        # grow to hold the list rather than squeeze the wrapped help texts (issue 16); within
        # the screen's available height
        self.layout().activate()
        wanted = self.layout().totalHeightForWidth(self.width())
        screen = self.screen().availableGeometry().height() if self.screen() else wanted
        if wanted > self.height():
            self.resize(self.width(), min(wanted, screen - 60))
        first = next((self.fields[e.field] for e in errors if e.field in self.fields), None)
        if first is not None:
            first.setFocus()

    @Slot()
    def _on_save_clicked(self) -> None:
        if self.save():
            self.accept()


def address_fields(dialog: RecordDialog) -> dict[str, QLineEdit]:
    line1 = dialog.add_field("address_line1", "&Address",
                             named_line(dialog, 55, "address_line1"))
    line2 = dialog.add_field("address_line2", "Address line &2",
                             named_line(dialog, 55, "address_line2"))
    city = dialog.add_field("city", "&City", named_line(dialog, 30, "city"))
    state = dialog.add_field("state", "S&tate", named_line(dialog, 2, "state"))
    state.setMaximumWidth(60)
    upper_case(state)
    zip_ = dialog.add_field("zip", "&ZIP", named_line(dialog, 10, "zip"))
    zip_.setMaximumWidth(140)
    live_check(state, lambda: pattern_problem(state.text().strip(), STATE_RE,
                                              "is two capital letters, e.g. IL"))
    live_check(zip_, lambda: pattern_problem(compact(zip_.text()), ZIP_RE, "is 5 or 9 digits"))
    return {"address_line1": line1, "address_line2": line2, "city": city, "state": state,
            "zip": zip_}


def address_values(fields: dict[str, QLineEdit]) -> dict[str, str | None]:
    return {
        "address_line1": fields["address_line1"].text().strip() or None,
        "address_line2": fields["address_line2"].text().strip() or None,
        "city": fields["city"].text().strip() or None,
        "state": fields["state"].text().strip().upper() or None,
        "zip": compact(fields["zip"].text()) or None,
    }
