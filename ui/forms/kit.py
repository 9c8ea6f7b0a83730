"""The forms' widget kit: typed entry fields that check what is typed (times, amounts, codes,
dates), the field makers, form layouts, and the dialog asking why a saved record changes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models import codes
from models.billing.contracts import MAX_DOSING_INTERVAL
from models.validation import hcpcs_problem, icd10_problem
from models.vocab import VISIT_CODES
from ui.common import DateField, mark_field

MESSAGE_STYLE = ("QLabel { color: #8b1a1a; background: #fdecea; border: 1px solid #e6a5a0;"
                 " border-radius: 4px; padding: 6px 8px; }")


# --- typed entry fields ---------------------------------------------------------------------


class CheckedLineEdit(QLineEdit):
    """A line edit whose text `parse` turns into a value or rejects with a ValueError naming
    the problem. A wrong entry is marked when the field is left and unmarked as soon as the
    text is right again."""

    def __init__(self, parse: Callable[[str], Any], *, required: bool = False,
                 uppercase: bool = False, placeholder: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._parse = parse
        self.required = required
        self.uppercase = uppercase
        self.setPlaceholderText(placeholder)
        self.textEdited.connect(self._on_text_edited)
        self.textChanged.connect(self._on_text_changed)
        self.editingFinished.connect(self._on_editing_finished)

    def value(self) -> Any:
        try:
            return self._parse(self.text().strip()) if self.text().strip() else None
        except ValueError:
            return None

    def problem(self) -> str | None:
        text = self.text().strip()
        if not text:
            return "is required" if self.required else None
        try:
            self._parse(text)
        except ValueError as exc:
            return str(exc)
        return None

    def _on_text_edited(self, text: str) -> None:
        if self.uppercase and text != text.upper():
            pos = self.cursorPosition()
            self.setText(text.upper())
            self.setCursorPosition(pos)

    def _on_text_changed(self, _text: str) -> None:
        if not self.text().strip() or self.problem() is None:
            mark_field(self, None)

    def _on_editing_finished(self) -> None:
        if self.text().strip():
            mark_field(self, self.problem())


def parse_time(text: str) -> dt.time:
    """Times typed as HH:MM (24-hour); 0910 and 9:10 are accepted as 09:10."""
    m = re.fullmatch(r"(\d{1,2}):?(\d{2})", text.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError("is not a time (type HH:MM, 24-hour, e.g. 09:10 or 14:30)")
    return dt.time(int(m.group(1)), int(m.group(2)))


def parse_decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        raise ValueError("is not a number") from None
    if not value.is_finite():
        raise ValueError("is not a number")
    if value < 0:
        raise ValueError("cannot be negative")
    return value


def parse_hcpcs(text: str) -> str:
    problem = hcpcs_problem(text)
    if problem:
        raise ValueError(problem)
    return text


def parse_ndc(text: str) -> str:
    digits = text.replace("-", "").replace(" ", "")
    if not re.fullmatch(r"\d{11}", digits):
        raise ValueError("is 11 digits (5-4-2), e.g. 00944-2700-05")
    return digits


def parse_diagnoses(text: str) -> list[str]:
    found = [c for c in re.split(r"[,;\s]+", text.upper()) if c]
    for code in found:
        problem = icd10_problem(code)
        if problem:
            raise ValueError(problem)
    if len(found) > 12:
        raise ValueError("holds at most 12 codes")
    return found


def time_field(placeholder: str = "HH:MM") -> CheckedLineEdit:
    w = CheckedLineEdit(parse_time, placeholder=placeholder)
    w.setMaxLength(5)
    w.setFixedWidth(72)
    return w


def decimal_field(placeholder: str = "") -> CheckedLineEdit:
    w = CheckedLineEdit(parse_decimal, placeholder=placeholder)
    w.setAlignment(Qt.AlignmentFlag.AlignRight)
    w.setMinimumWidth(100)
    w.setMaximumWidth(150)
    return w


def date_field(required: bool = False) -> DateField:
    w = DateField(required=required)
    w.setMinimumWidth(110)
    w.setMaximumWidth(130)
    return w


def line(max_length: int, placeholder: str = "") -> QLineEdit:
    w = QLineEdit()
    w.setMaxLength(max_length)
    w.setPlaceholderText(placeholder)
    return w


def text_box(max_length: int = 4000, lines: int = 3, placeholder: str = "") -> QPlainTextEdit:
    w = QPlainTextEdit()
    w.setTabChangesFocus(True)  # Tab moves on, as in every other field
    w.setPlaceholderText(placeholder)
    w.setMinimumHeight(w.fontMetrics().lineSpacing() * lines + 14)
    w.setProperty("max_length", max_length)
    return w


def choice(items: list[tuple[str, Any]], placeholder: str = "", editable: bool = False
           ) -> QComboBox:
    w = QComboBox()
    w.setEditable(editable)
    if editable:
        w.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    for text, data in items:
        w.addItem(text, data)
    if placeholder:
        w.setPlaceholderText(placeholder)
        w.setCurrentIndex(-1)
        if editable:
            w.lineEdit().setPlaceholderText(placeholder)
    w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    w.setMinimumContentsLength(12)
    if items:  # the open list shows whole names (a per diem code's) even when the box cuts
        w.view().setMinimumWidth(min(w.view().sizeHintForColumn(0) + 28, 900))
    return w


def select_data(combo: QComboBox, data: Any) -> None:
    i = combo.findData(data)
    if i < 0 and combo.isEditable() and data:
        combo.setEditText(str(data))
        return
    combo.setCurrentIndex(i)


def per_diem_items() -> list[tuple[str, str]]:
    """Each per diem code with a clear name (models.codes.clear_name), not CMS's short text."""
    return [(f"{c.code} — {codes.clear_name(c.code)}", c.code)
            for c in sorted(codes.per_diem_codes(), key=lambda c: c.code)]


def visit_authorization_items() -> list[tuple[str, str]]:
    """The code a nursing visit's authorization is for (R34: 99601, one unit a visit)."""
    first = VISIT_CODES[0]
    return [(f"{first} — Home infusion nursing visit, first 2 hours (R34)", first)]


# --- the patient and reference forms' plain fields -------------------------------------------


def digits(text: str) -> str:
    """Phone numbers and ZIP codes are stored as digits only, however they were typed."""
    return re.sub(r"\D", "", text)


def compact(text: str) -> str:
    """A ZIP+4 may be typed with a dash or space; it is stored without."""
    return re.sub(r"[\s-]", "", text)


def pattern_problem(text: str, regex: re.Pattern, hint: str) -> str | None:
    return hint if text and not regex.fullmatch(text) else None


def named_line(parent: QWidget, max_length: int, name: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setMaxLength(max_length)
    edit.setObjectName(name)
    return edit


def upper_case(edit: QLineEdit) -> None:
    """Codes such as the state are capitals; convert as they are typed, keeping the cursor."""

    def _on_edited(text: str) -> None:
        if text != text.upper():
            pos = edit.cursorPosition()
            edit.setText(text.upper())
            edit.setCursorPosition(pos)

    edit.textEdited.connect(_on_edited)


def live_check(edit: QLineEdit, problem: Callable[[], str | None]) -> None:
    """Mark the field as soon as what is typed is wrong, and clear the mark once it is right."""
    edit.textChanged.connect(lambda _t: mark_field(edit, problem()))


def form_layout() -> QFormLayout:
    f = QFormLayout()
    f.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    f.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    f.setHorizontalSpacing(10)
    f.setVerticalSpacing(8)
    return f


def group(title: str, layout: QFormLayout | QGridLayout) -> QGroupBox:
    box = QGroupBox(title)
    box.setLayout(layout)
    return box


# --- the reason asked for an edit or a void -------------------------------------------------


class ReasonDialog(QDialog):
    """Asks why a saved record is changed or voided; OK stays off until a reason is typed."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None,
                 ok_text: str = "Save change",
                 example: str = "e.g. Beyond-use date typed wrong; label says 11/19"):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        label = QLabel(prompt + "\n(Enter confirms; Shift+Enter starts a new line.)")
        label.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(example)
        self.reason.setFixedHeight(self.reason.fontMetrics().lineSpacing() * 4 + 14)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        # the button says what happens ("Void", "Save change"), not just "OK"
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.reason.textChanged.connect(self._on_reason_changed)
        self.reason.installEventFilter(self)
        self._on_reason_changed()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter gives the reason (keeping the edit keyboard-only); Shift+Enter breaks a line
        if (watched is self.reason and isinstance(event, QKeyEvent)
                and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            if self.text():
                self.accept()
            return True
        return super().eventFilter(watched, event)

    @Slot()
    def _on_reason_changed(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.reason.toPlainText().strip()))

    def text(self) -> str:
        return self.reason.toPlainText().strip()


def ask_reason(parent: QWidget | None, title: str, prompt: str, ok_text: str = "Save change",
               example: str = "e.g. Beyond-use date typed wrong; label says 11/19"
               ) -> str | None:
    """The reason typed, or None when the user cancels (then nothing is saved)."""
    dialog = ReasonDialog(title, prompt, parent, ok_text, example)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.text() or None


def confirm(parent: QWidget | None, title: str, question: str, yes_text: str) -> bool:
    """Ask before saving something unusual (R25's dose); True only for an explicit yes."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, question, parent=parent)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(box.addButton("Go back", QMessageBox.ButtonRole.RejectRole))
    box.exec()
    return box.clickedButton() is yes


def dosing_interval_field() -> QSpinBox:
    """R29: days between doses, 0 shown as "not given" (an access-days payer bills every day
    of an order dosed every 1 to 3 days)."""
    spin = QSpinBox()
    spin.setRange(0, MAX_DOSING_INTERVAL)
    spin.setSpecialValueText("not given")
    spin.setSuffix(" days")
    spin.setToolTip("R29: days from one dose to the next (1 every 24 hours, 2 every 48 hours, "
                    "3 every 72 hours, 7 weekly). A payer paying access days bills every day "
                    "of service of an order dosed every 1 to 3 days; otherwise infusion days.")
    return spin
