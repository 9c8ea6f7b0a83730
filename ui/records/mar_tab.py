"""The infusion log (MAR) tab: today's entry form (ui/forms/mar_form.py) on top, the patient's
MAR below. The form keeps what is being typed while the log rereads after a save elsewhere."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from models.records.changes import Changes
from models.records.registry import INFUSION, ORDER
from models.records.tables import InfusionRead
from ui.forms.mar_form import MarEntryForm
from ui.records.record_list import RecordListPanel
from ui.records.table_models import InfusionsTableModel, us_date
from ui.shell.context import AppContext
from ui.shell.tab_loading import LoadsInFront


class InfusionLogTab(QWidget, LoadsInFront):
    """Today's entry form on top, the patient's MAR below."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: str | None = None
        self._orders_changed = False
        self.form = MarEntryForm(ctx, "", None)
        self.save_button = QPushButton("Save entry")
        self.save_button.setToolTip("Save this MAR line (Enter)")
        self.save_button.setDefault(True)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Start a fresh entry with today's defaults")
        self.saved_label = QLabel()
        self.saved_label.setObjectName("savedLabel")
        self.saved_label.setStyleSheet("color: #1e6b34;")
        actions = QHBoxLayout()
        actions.addWidget(self.saved_label, 1)
        actions.addWidget(self.clear_button)
        actions.addWidget(self.save_button)
        box = QGroupBox("New MAR entry")
        inner = QVBoxLayout(box)
        inner.setContentsMargins(12, 12, 12, 12)
        inner.setSpacing(10)
        inner.addWidget(self.form)
        inner.addLayout(actions)

        self.panel = RecordListPanel(ctx, INFUSION.key, InfusionsTableModel(), self,
                                     new_text="New entry", on_new=self._on_new_entry_clicked)
        self.panel.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # latest day first
        log = QGroupBox("Infusion log (MAR)")
        log_layout = QVBoxLayout(log)
        log_layout.setContentsMargins(12, 12, 12, 12)
        log_layout.addWidget(self.panel)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(12)
        layout.addWidget(box)
        layout.addWidget(log, 1)

        self.save_button.clicked.connect(self._on_save_clicked)
        self.clear_button.clicked.connect(self._on_clear_clicked)
        self.form.record_saved.connect(self._on_record_saved)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.database_replaced.connect(self._on_database_replaced)
        self.set_patient(None)

    def set_patient(self, patient_id: str | None) -> None:
        self.patient_id = patient_id
        self.form.setEnabled(patient_id is not None)
        self.save_button.setEnabled(patient_id is not None)
        self.clear_button.setEnabled(patient_id is not None)
        self.reload()

    @property
    def loading(self) -> bool:
        return self.form.loading or self.panel.loading

    def reload(self) -> None:
        """Read the log, and for another patient the new entry's defaults; a form being
        typed for this patient is kept, only its orders are re-read when they changed."""
        if self.deferred():
            return
        if self.form.patient_id != (self.patient_id or ""):
            self.saved_label.clear()
            self.form.set_patient(self.patient_id)
        elif self._orders_changed:
            self.form.refresh_orders()
        self._orders_changed = False
        self.panel.set_patient(self.patient_id)

    def focus_entry(self) -> None:
        self.form.date.setFocus()
        self.form.date.selectAll()

    @Slot()
    def _on_save_clicked(self) -> None:
        self.form.save()

    @Slot()
    def _on_clear_clicked(self) -> None:
        self.form.reset()
        self.saved_label.clear()
        self.focus_entry()

    @Slot()
    def _on_new_entry_clicked(self) -> None:
        self._on_clear_clicked()

    @Slot(object)
    def _on_record_saved(self, entry: InfusionRead) -> None:
        self.saved_label.setText(f"Saved {entry.id}: {entry.status}, {us_date(entry.date)}.")
        self.form.reset()
        self.panel.select(entry.id)
        self.focus_entry()

    @Slot(object)
    def _on_data_changed(self, changes: Changes) -> None:
        if self.patient_id is None or not changes.touches(INFUSION.key, ORDER.key):
            return
        if changes.patient_ids and self.patient_id not in changes.patient_ids:
            return
        self._orders_changed = self._orders_changed or ORDER.key in changes.kinds
        self.reload()
        if INFUSION.key in changes.kinds and self._in_front:
            self.form.refresh_prefill()  # R25: a corrected dose is offered at once

    @Slot()
    def _on_database_replaced(self) -> None:
        self.set_patient(None)

