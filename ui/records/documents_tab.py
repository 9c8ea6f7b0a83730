"""The documents tab: a patient's plans of care, preparation notes, deliveries, care
coordination notes and nursing visits, each in its own list with New, Edit (asks why), Void
and History, and the patient's scanned documents ("Scans", ui/records/attachments_panel.py).
Plans of care and deliveries take scans too: "Attach scan…" on their lists, or files dropped
on a row."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from models.records import registry
from models.records.changes import Changes
from models.records.registry import ClinicalKind
from ui.records.attachments_panel import AttachmentsPanel, RecordScans
from ui.records.record_list import RecordListPanel
from ui.records.table_models import (
    CareNotesTableModel,
    DeliveriesTableModel,
    PlansOfCareTableModel,
    PrepNotesTableModel,
)
from ui.records.visit_model import NursingVisitsTableModel
from ui.shell.context import AppContext
from ui.shell.tab_loading import LoadsInFront

SECTIONS = (
    (registry.PLAN_OF_CARE, "Plans of care", PlansOfCareTableModel),
    (registry.PREP_NOTE, "Preparation notes", PrepNotesTableModel),
    (registry.DELIVERY, "Deliveries", DeliveriesTableModel),
    (registry.CARE_NOTE, "Care coordination notes", CareNotesTableModel),
    (registry.NURSING_VISIT, "Nursing visits", NursingVisitsTableModel),  # R34
)
SCANS = "Scans"


class DocumentsTab(QWidget, LoadsInFront):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: str | None = None
        self.sections = QTabWidget()
        self.sections.setDocumentMode(True)
        self.panels: dict[ClinicalKind[Any, Any], RecordListPanel] = {}
        self.record_scans: dict[ClinicalKind[Any, Any], RecordScans] = {}
        for kind, title, model_cls in SECTIONS:
            panel = RecordListPanel(ctx, kind, model_cls(), self,
                                    new_text=f"New {kind.label}…")
            self.panels[kind] = panel
            if kind.attachments:
                self.record_scans[kind] = RecordScans(panel)
            self.sections.addTab(self._page(panel), title)
            panel.loaded.connect(self._update_titles)
        self.scans = AttachmentsPanel(ctx, self)
        self.sections.addTab(self._page(self.scans), SCANS)
        self.scans.loaded.connect(self._update_titles)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.sections)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.database_replaced.connect(self._on_database_replaced)
        self.set_patient(None)

    @staticmethod
    def _page(widget: QWidget) -> QWidget:
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 10, 0, 0)
        page_layout.addWidget(widget)
        return page

    def show_section(self, kind: ClinicalKind[Any, Any] | str) -> None:
        """Bring a list forward: a record kind (or its key), or "attachment" for the scans."""
        kinds = [k for k, _t, _m in SECTIONS]
        if kind == "attachment":
            self.sections.setCurrentIndex(len(kinds))
            return
        self.sections.setCurrentIndex(
            kinds.index(registry.clinical(kind) if isinstance(kind, str) else kind))

    def set_patient(self, patient_id: str | None) -> None:
        self.patient_id = patient_id
        self.reload()

    def reload(self, kinds: tuple[ClinicalKind[Any, Any], ...] | None = None) -> None:
        """Read the sections of `kinds` (all when None) in the background; behind another
        tab, only remember to read every section when it comes to the front."""
        if self.deferred():
            return
        for kind, panel in self.panels.items():
            if kinds is None or kind in kinds or panel.patient_id != self.patient_id:
                panel.set_patient(self.patient_id)
        if kinds is None or SCANS in kinds or self.scans.patient_id != self.patient_id:
            self.scans.set_patient(self.patient_id)
        self._update_titles()

    @Slot()
    def _update_titles(self) -> None:
        for i, (kind, title, _m) in enumerate(SECTIONS):
            panel = self.panels[kind]
            live = sum(1 for r in panel.model.records() if not r.voided)
            count = "…" if panel.loading else str(live)
            self.sections.setTabText(i, f"{title} ({count})" if self.patient_id else title)
        live = sum(1 for a in self.scans.model.attachments() if not a.voided)
        count = "…" if self.scans.loading else str(live)
        self.sections.setTabText(len(SECTIONS), f"{SCANS} ({count})" if self.patient_id
                                 else SCANS)

    @Slot(object)
    def _on_data_changed(self, changes: Changes) -> None:
        if self.patient_id is None:
            return
        if changes.patient_ids and self.patient_id not in changes.patient_ids:
            return
        # order names appear in every list, so an order change reloads them all
        kinds: tuple[Any, ...] = tuple(
            k for k in self.panels if changes.touches(k.key, registry.ORDER.key))
        if self.scans.reads_again(changes):
            kinds += (SCANS,)
        if kinds:
            self.reload(kinds)

    @Slot()
    def _on_database_replaced(self) -> None:
        self.set_patient(None)
