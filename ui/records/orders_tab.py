"""The orders tab: a patient's physician orders, with New, Edit (asks why), Void, History and
Attach scan… (the signed order's scan, also dropped on its row; see attachments_panel)."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from models.records import registry
from models.records.changes import Changes
from ui.records.attachments_panel import RecordScans
from ui.records.record_list import RecordListPanel
from ui.records.table_models import OrdersTableModel
from ui.shell.context import AppContext
from ui.shell.tab_loading import LoadsInFront

ORDER_KINDS = ("order", "prescriber")


class OrdersTab(QWidget, LoadsInFront):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: str | None = None
        self.panel = RecordListPanel(ctx, registry.ORDER, OrdersTableModel(), self,
                                     new_text="New order…")
        self.scans = RecordScans(self.panel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.panel)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.database_replaced.connect(self._on_database_replaced)
        self.set_patient(None)

    def set_patient(self, patient_id: str | None) -> None:
        self.patient_id = patient_id
        self.reload()

    def reload(self) -> None:
        if self.deferred():
            return
        self.panel.set_patient(self.patient_id)

    @Slot(object)
    def _on_data_changed(self, changes: Changes) -> None:
        if self.patient_id is None or not changes.touches(*ORDER_KINDS):
            return
        if "prescriber" in changes.kinds or self.patient_id in changes.patient_ids:
            self.reload()

    @Slot()
    def _on_database_replaced(self) -> None:
        self.set_patient(None)
