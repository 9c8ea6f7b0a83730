"""The record form framework: one record's fields, checked as typed and by the one record
validation (models/records/checks.py) before saving; problems marked on their fields and listed
under the form; nothing typed lost when saving fails; a saved clinical record changed only with
a reason.

A form is typed by its record kind (models/records/registry.py): `RecordForm[OrderBase,
OrderRead]` makes an `OrderBase` and saves it through the services as an `OrderRead`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Generic, TypeVar

import pydantic
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QSpinBox,
    QWidget,
)
from sqlmodel import Session

from models.errors import DomainError, FieldError, ValidationFailed
from models.records import checks, clinical
from models.records.registry import B, ClinicalKind, R, RecordKind
from models.records.tables import OrderRead
from models.server import ServerAway
from ui.common import DateField, ask_retry, field_errors, mark_field, show_error
from ui.forms import kit, late_reason
from ui.forms.kit import MESSAGE_STYLE, CheckedLineEdit, choice, select_data
from ui.forms.late_reason import LateReason
from ui.records.table_models import order_label, plain_decimal
from ui.shell.context import AppContext
from ui.shell.ops import WriteOp

W = TypeVar("W", bound=QWidget)


class RecordForm(QWidget, Generic[B, R]):
    """One record's fields. `save()` creates the record, or (with `record`) stores a new
    version after asking why. Field problems are marked and listed; nothing typed is lost."""

    record_saved = Signal(object)  # the read object saved

    kind: RecordKind[B, R]  # each form sets its kind
    title = ""  # the form's name in titles: "Preparation note"
    labels: dict[str, str] = {}

    def __init__(self, ctx: AppContext, patient_id: str, record: R | None = None,
                 parent: QWidget | None = None, *, order_id: str | None = None,
                 day: dt.date | None = None):
        """Every form opens on a saved `record`, or on a new one that each form prefills with
        what applies of `order_id` and `day`."""
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id = patient_id
        self.record = record
        self.fields: dict[str, QWidget] = {}
        self.late: LateReason | None = None  # R26: a clinical form sets it (late_reason.py)
        self.orders: dict[str, OrderRead] = {}
        # the services name a reference by its kind, the form's field by the model's field
        self.aliases = {ref.key: f"{ref.key}_id" for ref in self.kind.refs}
        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(MESSAGE_STYLE)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

    # -- subclasses fill these in --------------------------------------------------------

    def data(self) -> B:
        """The record as typed (called once every field parses)."""
        raise NotImplementedError

    def load(self, record: R) -> None:
        raise NotImplementedError

    def persist(self, session: Session, data: B, reason: str | None) -> R:
        """Save through the services: a new clinical record, or a new version of this one."""
        kind = self.kind
        if not isinstance(kind, ClinicalKind):
            raise NotImplementedError(f"{type(self).__name__} saves a {kind.label} itself")
        if self.record is None:
            return clinical.create_record(session, actor=self.ctx.actor, kind=kind, data=data)
        # the version this form was opened on: a record changed meanwhile is not overwritten
        return clinical.edit_record(session, actor=self.ctx.actor, kind=kind,
                                    record_id=self.record_id, data=data, reason=reason or "",
                                    base_version=getattr(self.record, "version", None))

    def check(self, data: B) -> None:
        """The one record validation, and R26's late entry reason, run before asking for a
        reason; every problem at once."""
        errors: list[FieldError] = []
        try:
            checks.check_record(self.kind, data)
        except ValidationFailed as exc:
            errors += exc.errors
        except FieldError as exc:
            errors.append(exc)
        if self.late is not None and (late := self.late.problem(data)) is not None:
            errors.append(late)
        if errors:
            raise ValidationFailed(errors)

    @property
    def versioned(self) -> bool:
        return self.kind.versioned

    @property
    def record_id(self) -> str:
        """The saved record's id ("" for a new one)."""
        return str(getattr(self.record, "id", "") or "")

    # -- fields --------------------------------------------------------------------------

    def add_field(self, name: str, widget: W) -> W:
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
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(self._on_field_changed)
        return widget

    def label(self, name: str) -> str:
        return self.labels.get(name, name.replace("_", " ").capitalize())

    def text(self, name: str) -> str | None:
        w = self.fields[name]
        value = ""
        if isinstance(w, QPlainTextEdit):
            value = w.toPlainText().strip()
        elif isinstance(w, QComboBox):
            value = w.currentText().strip() if w.isEditable() else (w.currentData() or "")
        elif isinstance(w, QLineEdit):
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
        if isinstance(w, QCheckBox):
            return w.isChecked()
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
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif not isinstance(w, QLineEdit):
            raise TypeError(f"{name}: no value for a {type(w).__name__}")
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
        # the whole width of the form, so the drug name is not cut at 540 px (issue 16);
        # what still does not fit shows whole on hover
        combo.setSizePolicy(QSizePolicy.Policy.Expanding, combo.sizePolicy().verticalPolicy())
        combo.currentTextChanged.connect(combo.setToolTip)
        self.fill_orders(combo, selected, active_on)
        return combo

    def fill_orders(self, combo: QComboBox, selected: str | None = None,
                    active_on: dt.date | None = None, keep_selected: bool = True) -> None:
        """The patient's orders that are not void (only those in force on `active_on` when
        given), plus `selected` (unless `keep_selected` is off) so an old record's order, or
        the one a caller asked for, is always shown."""
        pid = self.patient_id
        self.show_orders(combo, self.ctx.read(
            lambda s: clinical.patient_orders(s, pid, selected, active_on, keep_selected)),
            selected)

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
        combo.setToolTip(combo.currentText())

    # -- problems ------------------------------------------------------------------------

    @Slot()
    def _on_field_changed(self, *_args: Any) -> None:
        w = self.sender()
        if isinstance(w, QWidget) and not isinstance(w, CheckedLineEdit | DateField):
            mark_field(w, None)  # a service's complaint goes once the field is changed
        self._refresh_problems()

    @Slot()
    def _refresh_problems(self) -> None:
        self._check_pairs()
        lines = [f"{self.label(name)}: {w.property('problem')}"
                 for name, w in self.fields.items() if w.property("problem")]
        self.show_message("\n".join(lines) if lines else "")

    @staticmethod
    def _own_problem(w: QWidget) -> str | None:
        """What the field itself finds wrong with what is typed (a typed entry field)."""
        return w.problem() if isinstance(w, CheckedLineEdit | DateField) else None

    def _check_pairs(self) -> None:
        """The kind's dates that must come in order (registry), checked as typed."""
        for pair in self.kind.date_pairs:
            b = self.fields[pair.end]
            if b.property("problem") and not self._own_problem(b):
                mark_field(b, None)  # the pair's own mark from an earlier check
            start, end = self.value(pair.start), self.value(pair.end)
            if start and end and end < start and not self._own_problem(b):
                mark_field(b, f"is before the {self.label(pair.start).lower()}")

    def local_problems(self) -> list[FieldError]:
        self._check_pairs()
        ends = {pair.end for pair in self.kind.date_pairs}
        errors = []
        for name, w in self.fields.items():
            problem = self._own_problem(w)
            if problem is None and name in ends:
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

    def build(self, **values: Any) -> B:
        """The kind's base model from typed values; pydantic's complaints become field
        problems."""
        if self.late is not None:
            values[late_reason.FIELD] = self.late.value()
        try:
            return self.kind.base(**values)
        except pydantic.ValidationError as exc:
            errors = [FieldError(str(e["loc"][0]) if e["loc"] else "", e["msg"].lower())
                      for e in exc.errors()]
            raise ValidationFailed(errors) from None

    def unchanged(self, data: B) -> bool:
        if self.record is None:
            return False
        return all(getattr(self.record, k) == v for k, v in data.model_dump().items()
                   if k != "id")

    @Slot()
    def save(self) -> bool:
        """Save what is typed; on any problem keep the text, mark the fields and say why."""
        for w in self.fields.values():
            if not isinstance(w, CheckedLineEdit | DateField):
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
            rid = self.record_id
            # looked up when called: a test answers the question in place of the user
            reason = kit.ask_reason(self, f"Why change {rid}?",
                                    f"The {self.title.lower()} {rid} is saved. "
                                    "Its current version stays in the history; say why it "
                                    "changes:")
            if reason is None:
                self.show_message("Not saved: a change to a saved record needs a reason.")
                return False
        while True:  # Retry while the server is away: the same data and reason again
            try:
                saved = WriteOp(self.ctx, lambda s: self.persist(s, data, reason)).run()
                break
            except ServerAway as exc:  # the form stays as typed
                self.show_message(f"Not saved: {exc}")
                if not ask_retry(self, exc):
                    return False
            except DomainError as exc:
                self._show_failure(exc)
                return False
            except Exception as exc:  # noqa: BLE001 - an unexpected failure keeps the form
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
