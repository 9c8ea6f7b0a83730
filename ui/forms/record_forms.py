"""Forms for a patient's clinical records and authorizations, the dialogs around them, and
`open_record_form`, which other views call to open the form that fixes a billing reason.

Every form checks what it can as you type (dates, codes, numbers, end before start), names the
bad field in red with a sentence under the form, and keeps everything typed when saving fails.
Editing a saved clinical record asks why (the reason goes into the record's history).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import pydantic
from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
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
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session, SQLModel

from models import codes
from models.errors import DomainError, FieldError, ValidationFailed
from models.records import services
from models.records.tables import (
    AuthorizationBase,
    CareNoteBase,
    DeliveryBase,
    OrderBase,
    OrderRead,
    PlanOfCareBase,
    PrepNoteBase,
)
from models.validation import hcpcs_problem, icd10_problem
from ui.common import DateField, GuardedDialog, field_errors, mark_field, show_error
from ui.records.table_models import order_label, plain_decimal
from ui.shell.context import AppContext
from ui.shell.ops import WriteOp

KINDS = ("order", "plan_of_care", "prep_note", "delivery", "infusion", "care_note",
         "authorization")
TITLES = {
    "order": "Order", "plan_of_care": "Plan of care", "prep_note": "Preparation note",
    "delivery": "Delivery", "infusion": "Infusion log entry",
    "care_note": "Care coordination note", "authorization": "Prior authorization",
}
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
    return w


def select_data(combo: QComboBox, data: Any) -> None:
    i = combo.findData(data)
    if i < 0 and combo.isEditable() and data:
        combo.setEditText(str(data))
        return
    combo.setCurrentIndex(i)


def per_diem_items() -> list[tuple[str, str]]:
    return [(f"{c.code} — {c.therapy_group}: {c.short_description}", c.code)
            for c in sorted(codes.per_diem_codes(), key=lambda c: c.code)]


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
        if (watched is self.reason and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)  # type: ignore
                and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier):  # type: ignore
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


# --- the form base --------------------------------------------------------------------------


class RecordForm(QWidget):
    """One record's fields. `save()` creates the record, or (with `record`) stores a new
    version after asking why. Field problems are marked and listed; nothing typed is lost."""

    record_saved = Signal(object)  # the read object saved

    kind = ""
    labels: dict[str, str] = {}
    date_pairs: tuple[tuple[str, str], ...] = ()
    # service field names that differ from the form's widget names
    aliases = {"prescriber": "prescriber_id", "order": "order_id", "payer": "payer_id"}

    def __init__(self, ctx: AppContext, patient_id: str, record: Any = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id = patient_id
        self.record = record
        self.fields: dict[str, QWidget] = {}
        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(MESSAGE_STYLE)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

    # -- subclasses fill these in --------------------------------------------------------

    def data(self) -> SQLModel:
        """The record as typed (called once every field parses)."""
        raise NotImplementedError

    def load(self, record: Any) -> None:
        raise NotImplementedError

    def persist(self, session: Session, data: SQLModel, reason: str | None) -> Any:
        if self.record is None:
            return services.create_record(session, actor=self.ctx.actor, kind=self.kind,
                                          data=data)
        return services.edit_record(session, actor=self.ctx.actor, kind=self.kind,
                                    record_id=self.record.id, data=data, reason=reason or "")

    def check(self, data: SQLModel) -> None:
        """The service's own field checks, run before asking for a reason."""
        services.CHECKS[self.kind](data)

    @property
    def versioned(self) -> bool:
        return self.kind in services.CLINICAL

    # -- fields --------------------------------------------------------------------------

    def add_field(self, name: str, widget: QWidget) -> QWidget:
        widget.setObjectName(name)
        self.fields[name] = widget
        if isinstance(widget, QLineEdit):
            widget.textChanged.connect(self._on_field_changed)
            widget.editingFinished.connect(self._refresh_problems)
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(self._on_field_changed)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(self._on_field_changed)
            widget.editTextChanged.connect(self._on_field_changed)
        elif isinstance(widget, QSpinBox):
            widget.valueChanged.connect(self._on_field_changed)
        return widget

    def label(self, name: str) -> str:
        return self.labels.get(name, name.replace("_", " ").capitalize())

    def text(self, name: str) -> str | None:
        w = self.fields[name]
        if isinstance(w, QPlainTextEdit):
            value = w.toPlainText().strip()
        elif isinstance(w, QComboBox):
            value = w.currentText().strip() if w.isEditable() else (w.currentData() or "")
        else:
            value = w.text().strip()
        return value or None

    def value(self, name: str) -> Any:
        w = self.fields[name]
        if isinstance(w, DateField):
            return w.date()
        if isinstance(w, CheckedLineEdit):
            return w.value()
        if isinstance(w, QSpinBox):
            return w.value()
        return self.text(name)

    def set_value(self, name: str, value: Any) -> None:
        w = self.fields[name]
        if isinstance(w, DateField):
            w.set_date(value)
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(value or "")
        elif isinstance(w, QComboBox):
            select_data(w, value)
        elif isinstance(w, QSpinBox):
            w.setValue(int(value or 0))
        elif isinstance(value, Decimal):
            w.setText(plain_decimal(value))
        elif isinstance(value, dt.time):
            w.setText(value.strftime("%H:%M"))
        elif isinstance(value, list):
            w.setText(", ".join(value))
        else:
            w.setText("" if value is None else str(value))

    def order_combo(self, selected: str | None = None, active_on: dt.date | None = None
                    ) -> QComboBox:
        combo = choice([], placeholder="Choose the order…")
        combo.setMinimumContentsLength(30)
        self.fill_orders(combo, selected, active_on)
        return combo

    def fill_orders(self, combo: QComboBox, selected: str | None = None,
                    active_on: dt.date | None = None, keep_selected: bool = True) -> None:
        """The patient's orders that are not void (only those in force on `active_on` when
        given), plus `selected` (unless `keep_selected` is off) so an old record's order, or
        the one a caller asked for, is always shown."""
        pid = self.patient_id
        self.show_orders(combo, self.ctx.read(
            lambda s: load_orders(s, pid, selected, active_on, keep_selected)), selected)

    def show_orders(self, combo: QComboBox, orders: list[OrderRead],
                    selected: str | None = None) -> None:
        """Put `orders` in `combo`, `selected` chosen (else the only one, else none)."""
        self.orders = {o.id: o for o in orders}
        combo.blockSignals(True)
        combo.clear()
        for o in self.orders.values():
            combo.addItem(order_label(o), o.id)
        combo.setCurrentIndex(combo.findData(selected) if selected else
                              (0 if combo.count() == 1 else -1))
        combo.blockSignals(False)

    # -- problems ------------------------------------------------------------------------

    @Slot()
    def _on_field_changed(self, *_args: Any) -> None:
        w = self.sender()
        if isinstance(w, QWidget) and not hasattr(w, "problem"):
            mark_field(w, None)  # a service's complaint goes once the field is changed
        self._refresh_problems()

    @Slot()
    def _refresh_problems(self) -> None:
        self._check_pairs()
        lines = [f"{self.label(name)}: {w.property('problem')}"
                 for name, w in self.fields.items() if w.property("problem")]
        self.show_message("\n".join(lines) if lines else "")

    def _check_pairs(self) -> None:
        for first, second in self.date_pairs:
            b = self.fields[second]
            if b.property("problem") and not b.problem():  # type: ignore[attr-defined]
                mark_field(b, None)  # the pair's own mark from an earlier check
            start, end = self.value(first), self.value(second)
            if start and end and end < start and not b.problem():  # type: ignore[attr-defined]
                mark_field(b, f"is before the {self.label(first).lower()}")

    def local_problems(self) -> list[FieldError]:
        self._check_pairs()
        errors = []
        for name, w in self.fields.items():
            problem = w.problem() if hasattr(w, "problem") else None  # type: ignore[attr-defined]
            if problem is None and name in {b for _a, b in self.date_pairs}:
                problem = w.property("problem") or None
            if problem:
                errors.append(FieldError(name, problem))
        return errors

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_problems(self, errors: list[FieldError]) -> None:
        lines, first = [], None
        for err in errors:
            name = self.aliases.get(err.field, err.field)
            widget = self.fields.get(name)
            if widget is not None:
                mark_field(widget, err.problem)
                first = first or widget
            lines.append(f"{self.label(name)}: {err.problem}")
        # worded like the patient and reference forms: what happened, then each field
        self.show_message("Not saved. Please correct:\n• " + "\n• ".join(lines))
        if first is not None:
            first.setFocus()

    def clear_marks(self) -> None:
        for w in self.fields.values():
            mark_field(w, None)
        self.show_message("")

    # -- saving --------------------------------------------------------------------------

    def build(self, base: type[SQLModel], **values: Any) -> SQLModel:
        """The base object from typed values; pydantic's complaints become field problems."""
        try:
            return base(**values)
        except pydantic.ValidationError as exc:
            errors = [FieldError(str(e["loc"][0]) if e["loc"] else "", e["msg"].lower())
                      for e in exc.errors()]
            raise ValidationFailed(errors) from None

    def unchanged(self, data: SQLModel) -> bool:
        if self.record is None:
            return False
        return all(getattr(self.record, k) == v for k, v in data.model_dump().items()
                   if k != "id")

    @Slot()
    def save(self) -> bool:
        """Save what is typed; on any problem keep the text, mark the fields and say why."""
        for w in self.fields.values():
            if not hasattr(w, "problem"):
                mark_field(w, None)
        errors = self.local_problems()
        try:
            data = self.data()
            self.check(data)
        except DomainError as exc:
            if not errors:
                self._show_failure(exc)
                return False
            # every problem in one go (a missing prescriber too, not only the bad code typed);
            # a field already wrong as typed is not also called "required"
            wrong = {self.aliases.get(e.field, e.field) for e in errors}
            errors += [e for e in field_errors(exc)
                       if self.aliases.get(e.field, e.field) not in wrong]
        if errors:
            self.show_problems(errors)
            return False
        if self.unchanged(data):
            self.show_message("Nothing was changed, so there is nothing to save.")
            return False
        reason = None
        if self.record is not None and self.versioned:
            reason = ask_reason(self, f"Why change {self.record.id}?",
                                f"The {TITLES[self.kind].lower()} {self.record.id} is saved. "
                                "Its current version stays in the history; say why it changes:")
            if reason is None:
                self.show_message("Not saved: a change to a saved record needs a reason.")
                return False
        try:
            saved = WriteOp(self.ctx, lambda s: self.persist(s, data, reason)).run()
        except DomainError as exc:
            self._show_failure(exc)
            return False
        except Exception as exc:  # noqa: BLE001 - an unexpected failure still keeps the form
            show_error(self, exc)
            return False
        self.clear_marks()
        self.record_saved.emit(saved)
        return True

    def _show_failure(self, exc: DomainError) -> None:
        errors = field_errors(exc)
        if errors:
            self.show_problems(errors)
        else:
            self.show_message(str(exc))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter saves from any one-line field (multi-line fields keep Enter for new lines)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.save()
            return
        super().keyPressEvent(event)


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


# --- the forms ------------------------------------------------------------------------------


class OrderForm(RecordForm):
    kind = "order"
    labels = {
        "prescriber_id": "Prescriber", "per_diem_code": "Per diem code", "drug_name": "Drug",
        "drug_ndc": "NDC", "drug_hcpcs": "Drug HCPCS", "drug_hcpcs_unit_amount":
        "HCPCS unit amount", "drug_dose_unit": "Dose unit", "drug_unit_charge": "Charge per unit",
        "dose": "Dose", "route": "Route", "frequency": "Frequency",
        "diagnosis_codes": "Diagnoses (ICD-10)", "start_date": "Start date",
        "end_date": "End date", "discontinued_date": "Discontinued", "signed_date": "Signed",
        "per_diem_rate": "Per diem rate", "notes": "Notes",
    }
    date_pairs = (("start_date", "end_date"), ("start_date", "discontinued_date"))

    def __init__(self, ctx: AppContext, patient_id: str, record: Any = None,
                 parent: QWidget | None = None, day: dt.date | None = None):
        super().__init__(ctx, patient_id, record, parent)
        prescribers = ctx.read(services.list_prescribers)
        f = self.add_field
        f("prescriber_id", choice([(p.display_name, p.id) for p in prescribers],
                                  placeholder="Choose the prescriber…"))
        f("per_diem_code", choice(per_diem_items(), placeholder="Choose the per diem code…"))
        self.fields["per_diem_code"].setMinimumContentsLength(34)
        self.fields["prescriber_id"].setMinimumContentsLength(  # type: ignore[attr-defined]
            max([24, *(len(p.display_name) for p in prescribers)]))
        f("dose", line(80, "e.g. 30 g (0.4 g/kg)"))
        f("route", choice([(r, r) for r in services.ROUTES], placeholder="e.g. IV"))
        f("frequency", line(80, "e.g. every 21 days"))
        f("diagnosis_codes", CheckedLineEdit(parse_diagnoses, required=True, uppercase=True,
                                             placeholder="e.g. D80.1, E11.9"))
        f("drug_name", line(80, "e.g. Gammagard Liquid 10%"))
        f("drug_ndc", CheckedLineEdit(parse_ndc, placeholder="11 digits, e.g. 00944270005"))
        f("drug_hcpcs", CheckedLineEdit(parse_hcpcs, uppercase=True, placeholder="e.g. J1569"))
        f("drug_hcpcs_unit_amount", decimal_field("e.g. 500"))
        f("drug_dose_unit", choice([(u, u) for u in services.DOSE_UNITS],
                                   placeholder="e.g. mg"))
        f("drug_unit_charge", decimal_field("e.g. 92.40"))
        f("start_date", date_field(required=True))
        f("end_date", date_field())
        f("discontinued_date", date_field())
        f("signed_date", date_field())
        f("per_diem_rate", decimal_field("e.g. 150.00"))
        f("notes", text_box(placeholder="Premedication, titration, monitoring…"))
        self.fields["drug_hcpcs"].setMaxLength(5)
        for name in ("drug_name", "drug_ndc"):
            self.fields[name].setMinimumWidth(260)
        self.fields["drug_hcpcs"].setMaximumWidth(150)
        self.fields["route"].setMinimumContentsLength(6)
        self.fields["drug_dose_unit"].setMinimumContentsLength(6)

        rx, drug, dates = form_layout(), form_layout(), form_layout()
        for name in ("prescriber_id", "per_diem_code", "dose", "route", "frequency",
                     "diagnosis_codes"):
            rx.addRow(self.label(name), self.fields[name])
        for name in ("drug_name", "drug_ndc", "drug_hcpcs", "drug_hcpcs_unit_amount",
                     "drug_dose_unit", "drug_unit_charge"):
            drug.addRow(self.label(name), self.fields[name])
        for name in ("start_date", "end_date", "discontinued_date", "signed_date",
                     "per_diem_rate"):
            dates.addRow(self.label(name), self.fields[name])
        notes = QVBoxLayout()
        notes.addWidget(self.fields["notes"])
        notes_box = QGroupBox("Notes")
        notes_box.setLayout(notes)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        grid.addWidget(group("Prescription", rx), 0, 0)
        grid.addWidget(group("Drug (for the drug claim line)", drug), 0, 1)
        grid.addWidget(group("Dates and rate", dates), 1, 0)
        grid.addWidget(notes_box, 1, 1)
        grid.addWidget(self.message, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        if record is not None:
            self.load(record)
        else:
            self.fields["start_date"].set_date(day or dt.date.today())  # type: ignore[attr-defined]
            if len(prescribers) == 1:
                self.fields["prescriber_id"].setCurrentIndex(0)  # type: ignore[attr-defined]

    def load(self, record: Any) -> None:
        for name in self.fields:
            self.set_value(name, getattr(record, name))

    def data(self) -> SQLModel:
        v = self.value
        return self.build(
            OrderBase, id=self.record.id if self.record else "", patient_id=self.patient_id,
            prescriber_id=v("prescriber_id") or "", per_diem_code=v("per_diem_code") or "",
            drug_name=v("drug_name") or "", drug_ndc=v("drug_ndc"), drug_hcpcs=v("drug_hcpcs"),
            drug_hcpcs_unit_amount=v("drug_hcpcs_unit_amount"),
            drug_dose_unit=v("drug_dose_unit"), drug_unit_charge=v("drug_unit_charge"),
            dose=v("dose"), route=v("route"), frequency=v("frequency"),
            diagnosis_codes=v("diagnosis_codes") or [], start_date=v("start_date"),
            end_date=v("end_date"), discontinued_date=v("discontinued_date"),
            signed_date=v("signed_date"), per_diem_rate=v("per_diem_rate"), notes=v("notes"),
        )


class _OrderDocumentForm(RecordForm):
    """A document attached to one of the patient's orders, laid out as one form column."""

    order_field = "order_id"
    base: type[SQLModel]
    names: tuple[str, ...] = ()

    def __init__(self, ctx: AppContext, patient_id: str, record: Any = None,
                 parent: QWidget | None = None, order_id: str | None = None,
                 day: dt.date | None = None):
        super().__init__(ctx, patient_id, record, parent)
        self.orders: dict[str, OrderRead] = {}
        self.add_field("order_id", self.order_combo(record.order_id if record else order_id))
        self.make_fields(day)
        layout = form_layout()
        layout.addRow(self.label("order_id"), self.fields["order_id"])
        for name in self.names:
            layout.addRow(self.label(name), self.fields[name])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(layout)
        outer.addWidget(self.message)
        if record is not None:
            self.load(record)

    def make_fields(self, day: dt.date | None) -> None:
        raise NotImplementedError

    def load(self, record: Any) -> None:
        for name in self.names:
            self.set_value(name, getattr(record, name))

    def data(self) -> SQLModel:
        values = {name: self.value(name) for name in self.names}
        return self.build(self.base, id=self.record.id if self.record else "",
                          order_id=self.value("order_id") or "", **values)


class PlanOfCareForm(_OrderDocumentForm):
    kind = "plan_of_care"
    base = PlanOfCareBase
    names = ("start_date", "end_date", "signed_date", "summary")
    labels = {"order_id": "Order", "start_date": "Start date", "end_date": "End date",
              "signed_date": "Signed", "summary": "Summary"}
    date_pairs = (("start_date", "end_date"),)

    def make_fields(self, day: dt.date | None) -> None:
        self.add_field("start_date", date_field(required=True))
        self.add_field("end_date", date_field(required=True))
        self.add_field("signed_date", date_field())
        self.add_field("summary", text_box(lines=4, placeholder="Goals, monitoring, visits…"))
        self.fields["start_date"].set_date(day)  # type: ignore[attr-defined]


class PrepNoteForm(_OrderDocumentForm):
    kind = "prep_note"
    base = PrepNoteBase
    names = ("date", "beyond_use_date", "pharmacist", "lot", "compounding", "dur")
    labels = {"order_id": "Order", "date": "Prepared on", "beyond_use_date": "Beyond-use date",
              "pharmacist": "Pharmacist", "lot": "Lot", "compounding": "Compounding",
              "dur": "Drug utilization review"}
    date_pairs = (("date", "beyond_use_date"),)

    def make_fields(self, day: dt.date | None) -> None:
        self.add_field("date", date_field(required=True))
        self.add_field("beyond_use_date", date_field(required=True))
        self.add_field("pharmacist", line(60))
        self.add_field("lot", line(40))
        self.add_field("compounding", text_box(placeholder="Vials, diluent, pooling…"))
        self.add_field("dur", text_box(placeholder="Interactions, allergies, labs reviewed…"))
        self.fields["date"].set_date(day or dt.date.today())  # type: ignore[attr-defined]
        self.fields["pharmacist"].setText(self.ctx.actor)  # type: ignore[attr-defined]


DELIVERY_METHODS = ("courier", "pharmacy driver", "pickup", "mail")


class DeliveryForm(_OrderDocumentForm):
    kind = "delivery"
    base = DeliveryBase
    names = ("date", "method", "received_by", "items")
    labels = {"order_id": "Order", "date": "Delivered on", "method": "Method",
              "received_by": "Received by", "items": "Items"}

    def make_fields(self, day: dt.date | None) -> None:
        self.add_field("date", date_field(required=True))
        self.add_field("method", choice([(m, m) for m in DELIVERY_METHODS],
                                        placeholder="Choose the method…"))
        self.add_field("received_by", line(60))
        self.add_field("items", text_box(placeholder="Drug, pump, tubing, premeds…"))
        self.fields["date"].set_date(day or dt.date.today())  # type: ignore[attr-defined]


CONTACTS = services.CARE_NOTE_CONTACTS  # the interchange format's values, so exports re-import


class CareNoteForm(RecordForm):
    kind = "care_note"
    labels = {"date": "Date", "author": "Author", "contact": "Contact", "text": "Note"}
    names = ("date", "author", "contact", "text")

    def __init__(self, ctx: AppContext, patient_id: str, record: Any = None,
                 parent: QWidget | None = None, day: dt.date | None = None):
        super().__init__(ctx, patient_id, record, parent)
        self.add_field("date", date_field(required=True))
        self.add_field("author", line(60))
        self.add_field("contact", choice([(c, c) for c in CONTACTS],
                                         placeholder="who was contacted"))
        self.add_field("text", text_box(lines=5, placeholder="Who was contacted and about what"))
        layout = form_layout()
        for name in self.names:
            layout.addRow(self.label(name), self.fields[name])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(layout)
        outer.addWidget(self.message)
        if record is not None:
            self.load(record)
        else:
            self.fields["date"].set_date(day or dt.date.today())  # type: ignore[attr-defined]
            self.fields["author"].setText(ctx.actor)  # type: ignore[attr-defined]

    def load(self, record: Any) -> None:
        for name in self.names:
            self.set_value(name, getattr(record, name))

    def data(self) -> SQLModel:
        return self.build(CareNoteBase, id=self.record.id if self.record else "",
                          patient_id=self.patient_id, date=self.value("date"),
                          author=self.value("author") or "", contact=self.value("contact"),
                          text=self.value("text") or "")


class AuthorizationForm(RecordForm):
    """A payer's prior authorization (not versioned: saving replaces it)."""

    kind = "authorization"
    labels = {"payer_id": "Payer", "number": "Authorization number", "code": "Per diem code",
              "start_date": "Start date", "end_date": "End date", "units": "Units (days)"}
    date_pairs = (("start_date", "end_date"),)

    def __init__(self, ctx: AppContext, patient_id: str, record: Any = None,
                 parent: QWidget | None = None, order_id: str | None = None,
                 day: dt.date | None = None):
        super().__init__(ctx, patient_id, record, parent)

        def load(s: Session) -> tuple:
            order = services.get_record(s, "order", order_id) if order_id else None
            return services.get_patient(s, patient_id), services.list_payers(s), order

        patient, payers, order = ctx.read(load)
        own = [c.payer_id for c in patient.coverages]
        # the patient's own payers first: they are the ones an authorization is for
        payers.sort(key=lambda p: (p.id not in own, p.name))
        self.add_field("payer_id", choice([(p.name, p.id) for p in payers],
                                          placeholder="Choose the payer…"))
        self.fields["payer_id"].setMinimumContentsLength(  # type: ignore[attr-defined]
            max([24, *(len(p.name) for p in payers)]))  # a payer's whole name, never cut
        self.add_field("number", line(50, "as the payer wrote it"))
        self.add_field("code", choice(per_diem_items(), placeholder="Choose the per diem code…"))
        self.fields["code"].setMinimumContentsLength(34)  # type: ignore[attr-defined]
        self.add_field("start_date", date_field(required=True))
        self.add_field("end_date", date_field(required=True))
        units = QSpinBox()
        units.setRange(1, 366)
        units.setMinimumWidth(90)
        self.add_field("units", units)
        layout = form_layout()
        for name in ("payer_id", "number", "code", "start_date", "end_date", "units"):
            layout.addRow(self.label(name), self.fields[name])
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(layout)
        outer.addWidget(self.message)
        if record is not None:
            self.load(record)
        else:
            day = day or dt.date.today()
            self.fields["start_date"].set_date(day)  # type: ignore[attr-defined]
            billed = next((c for c in patient.coverages
                           if c.priority == "primary" and c.covers(day)), None)
            if billed:
                select_data(self.fields["payer_id"], billed.payer_id)  # type: ignore[arg-type]
            if order:
                select_data(self.fields["code"], order.per_diem_code)  # type: ignore[arg-type]

    def load(self, record: Any) -> None:
        for name in ("payer_id", "number", "code", "start_date", "end_date", "units"):
            self.set_value(name, getattr(record, name))

    def data(self) -> SQLModel:
        v = self.value
        return self.build(AuthorizationBase, id=self.record.id if self.record else "",
                          patient_id=self.patient_id, payer_id=v("payer_id") or "",
                          number=v("number") or "", code=v("code") or "",
                          start_date=v("start_date"), end_date=v("end_date"),
                          units=v("units"))

    def check(self, data: SQLModel) -> None:
        services.check_authorization(data)  # type: ignore[arg-type]
        if not data.payer_id:  # type: ignore[attr-defined]
            raise FieldError("payer", "is required")

    def persist(self, session: Session, data: SQLModel, reason: str | None) -> Any:
        if not data.id:  # type: ignore[attr-defined]
            data.id = services.new_id(session, "authorization")  # type: ignore[attr-defined]
        return services.save_authorization(session, actor=self.ctx.actor, data=data)


# --- dialogs and the entry point other views use --------------------------------------------


class RecordDialog(GuardedDialog):
    """A form with Save and Cancel (and History for a saved clinical record)."""

    record_saved = Signal(object)

    def __init__(self, form: RecordForm, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.form = form
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(12)
        layout.addWidget(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self._on_save_clicked)
        self.buttons.rejected.connect(self.cancel)
        if form.record is not None and form.versioned:
            self.history_button = QPushButton("History…")
            self.history_button.setToolTip("Every saved version: who, when, why, what changed")
            self.buttons.addButton(self.history_button, QDialogButtonBox.ButtonRole.HelpRole)
            self.history_button.clicked.connect(self._on_history_clicked)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(900 if form.kind == "infusion" else 540)
        form.record_saved.connect(self._on_record_saved)

    @Slot()
    def _on_save_clicked(self) -> None:
        self.form.save()

    @Slot(object)
    def _on_record_saved(self, record: Any) -> None:
        self.record_saved.emit(record)
        self.accept()

    @Slot()
    def _on_history_clicked(self) -> None:
        from ui.records.history import HistoryDialog

        HistoryDialog(self.form.ctx, self.form.kind, self.form.record.id, self).open()


def incomplete_entry(ctx: AppContext, order_id: str, day: dt.date) -> str | None:
    """The administered entry of that order and day that lacks what R11 asks for, if any:
    fixing "incomplete MAR" means completing that entry, not adding another."""
    entries = ctx.read(lambda s: services.list_records(s, "infusion", order_id=order_id))
    for e in entries:
        if e.date == day and e.administered and not (
                e.start_time and e.end_time and e.dose_given is not None
                and (e.administered_by or "").strip()):
            return e.id
    return None


def make_record_form(ctx: AppContext, kind: str, *, patient_id: str,
                     record_id: str | None = None, order_id: str | None = None,
                     day: dt.date | None = None) -> RecordForm:
    """The form for one record: the saved one (`record_id`) or a new one prefilled."""
    if kind not in KINDS:
        raise ValueError(f"no record form for {kind!r}")
    record = None
    if kind == "infusion" and record_id is None and order_id and day:
        record_id = incomplete_entry(ctx, order_id, day)
    if record_id is not None:
        if kind == "authorization":
            found = [a for a in ctx.read(lambda s: services.list_authorizations(s, patient_id))
                     if a.id == record_id]
            if not found:
                raise DomainError(f'There is no authorization with id "{record_id}".')
            record = found[0]
        else:
            record = ctx.read(lambda s: services.get_record(s, kind, record_id))
            if record.voided:
                raise DomainError(f"{TITLES[kind]} {record_id} is void and cannot be edited "
                                  f"(voided because: {record.void_reason}).")
    if kind == "order":
        return OrderForm(ctx, patient_id, record, day=day)
    if kind == "care_note":
        return CareNoteForm(ctx, patient_id, record, day=day)
    if kind == "authorization":
        return AuthorizationForm(ctx, patient_id, record, order_id=order_id, day=day)
    if kind == "infusion":
        from ui.records.mar_tab import MarEntryForm  # the MAR form lives with its tab

        return MarEntryForm(ctx, patient_id, record, order_id=order_id, day=day)
    cls = {"plan_of_care": PlanOfCareForm, "prep_note": PrepNoteForm,
           "delivery": DeliveryForm}[kind]
    return cls(ctx, patient_id, record, order_id=order_id, day=day)


def make_record_dialog(ctx: AppContext, parent: QWidget | None, kind: str, *, patient_id: str,
                       record_id: str | None = None, order_id: str | None = None,
                       day: dt.date | None = None) -> RecordDialog:
    form = make_record_form(ctx, kind, patient_id=patient_id, record_id=record_id,
                            order_id=order_id, day=day)
    title = (f"Edit {TITLES[kind].lower()} {record_id}" if record_id
             else f"New {TITLES[kind].lower()}")
    dialog = RecordDialog(form, title, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return dialog


def load_orders(s: Session, patient_id: str, selected: str | None = None,
                active_on: dt.date | None = None, keep_selected: bool = True
                ) -> list[OrderRead]:
    """What `RecordForm.fill_orders` shows, read in `s` (on any thread)."""
    orders = services.list_records(s, "order", patient_id=patient_id)
    if active_on is not None:
        orders = [o for o in orders if o.active_on(active_on)]
    if keep_selected and selected and selected not in {o.id for o in orders}:
        try:
            orders.append(services.get_record(s, "order", selected))
        except DomainError:
            pass
    return orders


def open_record_form(ctx: AppContext, parent: QWidget | None, kind: str, *, patient_id: str,
                     record_id: str | None = None, order_id: str | None = None,
                     day: dt.date | None = None) -> bool:
    """Open the form for `kind` without blocking: the saved record when `record_id` is given,
    else a new one prefilled with `order_id` and `day`. Returns False (after telling the user
    why) when it cannot open, e.g. a void record or a document for a patient with no order.
    Saving announces itself through `ctx.data_changed` like every other write."""
    try:
        if kind not in ("order", "care_note", "authorization") and record_id is None:
            has_order = ctx.read(lambda s: bool(
                services.list_records(s, "order", patient_id=patient_id)))
            if not has_order:
                raise DomainError(f"A {TITLES[kind].lower()} belongs to an order, and this "
                                  "patient has none: add the order first.")
        dialog = make_record_dialog(ctx, parent, kind, patient_id=patient_id,
                                    record_id=record_id, order_id=order_id, day=day)
    except DomainError as exc:
        show_error(parent, exc, title="Cannot open the form")
        return False
    dialog.open()
    return True
