"""The record forms by kind, and `open_record_form`, which other views call to open the form of
a record kind (models/records/registry.py): a saved record to edit, or a new one prefilled,
e.g. the one that fixes a billing reason.

The forms are in clinical.py and mar_form.py, built on framework.py (checking and saving) and
kit.py (the entry fields). Editing a saved clinical record asks why (the reason goes into the
record's history).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QDialogButtonBox, QPushButton, QVBoxLayout, QWidget

from models.billing.fixes import incomplete_entry
from models.errors import DomainError
from models.records import clinical, reference, registry
from models.records.registry import ClinicalKind, RecordKind
from ui.common import GuardedDialog, show_error
from ui.forms.clinical import (
    AuthorizationForm,
    CareNoteForm,
    DeliveryForm,
    OrderForm,
    PlanOfCareForm,
    PrepNoteForm,
)
from ui.forms.framework import RecordForm
from ui.forms.mar_form import MarEntryForm
from ui.forms.visit_form import NursingVisitForm
from ui.shell.context import AppContext

# The GUI's side of the registry: the form of each kind a patient's records are entered with.
FORMS: dict[RecordKind[Any, Any], type[RecordForm[Any, Any]]] = {
    form.kind: form for form in (OrderForm, PlanOfCareForm, PrepNoteForm, DeliveryForm,
                                 MarEntryForm, CareNoteForm, AuthorizationForm,
                                 NursingVisitForm)}


def form_kind(kind: RecordKind[Any, Any]) -> RecordKind[Any, Any]:
    """The kind whose form is asked for, refused when it has no record form (a patient, a
    payer, a prescriber: those have their own windows)."""
    if kind not in FORMS:
        raise ValueError(f"no record form for {kind.key!r}")
    return kind


class RecordDialog(GuardedDialog):
    """A form with Save and Cancel (and History for a saved clinical record)."""

    record_saved = Signal(object)

    def __init__(self, form: RecordForm[Any, Any], title: str, parent: QWidget | None = None):
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
        # a form asking for more (the order form's three columns) gets it: Qt would open a
        # dialog at two thirds of the screen's width and cut its fields
        self.setMinimumWidth(max(900 if form.kind is registry.INFUSION else 540,
                                 form.minimumWidth() + 32))
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

        HistoryDialog(self.form.ctx, self.form.kind, self.form.record_id, self).open()


def make_record_form(ctx: AppContext, kind: RecordKind[Any, Any], *, patient_id: str,
                     record_id: str | None = None, order_id: str | None = None,
                     day: dt.date | None = None, code: str | None = None
                     ) -> RecordForm[Any, Any]:
    """The form for one record: the saved one (`record_id`) or a new one prefilled (`code`:
    a new authorization's code, 99601 for a nursing visit's, R34)."""
    kind = form_kind(kind)
    form = FORMS[kind]
    record = None
    if kind is registry.INFUSION and record_id is None and order_id and day:
        # fixing "incomplete MAR" (R11) means completing that entry, not adding another
        record_id = ctx.read(lambda s: incomplete_entry(s, order_id, day))
    if record_id is not None:
        if isinstance(kind, ClinicalKind):
            clinical_kind, rid = kind, record_id
            record = ctx.read(lambda s: clinical.get_record(s, clinical_kind, rid))
            if record.voided:
                raise DomainError(f"{form.title} {record_id} is void and cannot be edited "
                                  f"(voided because: {record.void_reason}).")
        else:  # an authorization: the patient's, by id
            found = [a for a in ctx.read(lambda s: reference.list_authorizations(s, patient_id))
                     if a.id == record_id]
            if not found:
                raise DomainError(f'There is no {kind.label} with id "{record_id}".')
            record = found[0]
    more = {"code": code} if code and kind is registry.AUTHORIZATION else {}
    return form(ctx, patient_id, record, order_id=order_id, day=day, **more)


def make_record_dialog(ctx: AppContext, parent: QWidget | None, kind: RecordKind[Any, Any], *,
                       patient_id: str, record_id: str | None = None,
                       order_id: str | None = None, day: dt.date | None = None,
                       code: str | None = None) -> RecordDialog:
    form = make_record_form(ctx, kind, patient_id=patient_id, record_id=record_id,
                            order_id=order_id, day=day, code=code)
    title = (f"Edit {form.title.lower()} {record_id}" if record_id
             else f"New {form.title.lower()}")
    dialog = RecordDialog(form, title, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return dialog


def open_record_form(ctx: AppContext, parent: QWidget | None, kind: RecordKind[Any, Any], *,
                     patient_id: str, record_id: str | None = None,
                     order_id: str | None = None, day: dt.date | None = None,
                     code: str | None = None) -> bool:
    """Open the form for `kind` without blocking: the saved record when `record_id` is given,
    else a new one prefilled with `order_id` and `day`. Returns False (after telling the user
    why) when it cannot open, e.g. a void record or a document for a patient with no order.
    Saving announces itself through `ctx.data_changed` like every other write."""
    try:
        kind = form_kind(kind)
        if kind.owner is registry.ORDER and record_id is None:
            has_order = ctx.read(lambda s: bool(
                clinical.list_records(s, registry.ORDER, patient_id=patient_id)))
            if not has_order:
                raise DomainError(f"A {FORMS[kind].title.lower()} belongs to an order, and "
                                  "this patient has none: add the order first.")
        dialog = make_record_dialog(ctx, parent, kind, patient_id=patient_id,
                                    record_id=record_id, order_id=order_id, day=day,
                                    code=code)
    except DomainError as exc:
        show_error(parent, exc, title="Cannot open the form")
        return False
    dialog.open()
    return True
