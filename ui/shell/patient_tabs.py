"""The selected patient's tabs, each built (its module imported) when first needed.

No tab is built before the window's first paint (no patient is chosen yet): an empty page
stands in its place. The tab in front is built when a patient is chosen or it is brought
forward; the window has the others' modules imported off the GUI thread once it is up, then
builds them one per turn of the event loop (`build_next`), so bringing one forward later
waits for nothing. Every tab is always there: a missing module or class is an error.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QTabWidget, QWidget

from ui.shell.context import AppContext


@dataclass(frozen=True)
class PatientTab:
    """One per-patient tab: the widget class (in `module`) and the tab's title."""

    module: str
    class_name: str
    title: str

    def widget_class(self) -> Any:
        """The tab's class: a QWidget taking (ctx, parent), with `set_patient(id | None)`."""
        return getattr(importlib.import_module(self.module), self.class_name)


# the per-patient tabs, in the paper chart's order
PATIENT_TABS: tuple[PatientTab, ...] = (
    PatientTab("ui.records.orders_tab", "OrdersTab", "&Orders"),
    PatientTab("ui.records.mar_tab", "InfusionLogTab", "&Infusion log (MAR)"),
    PatientTab("ui.records.documents_tab", "DocumentsTab", "&Documents"),
    PatientTab("ui.records.authorizations_tab", "AuthorizationsTab", "&Authorizations"),
    PatientTab("ui.billing.calendar_view", "PatientCalendar", "&Billing calendar"),
)
CALENDAR_CLASS = "PatientCalendar"


class PatientTabs(QTabWidget):
    """The per-patient tabs; only the one in front reads (see ui.shell.tab_loading)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: str | None = None
        self.built: dict[str, Any] = {}  # by class name: the tabs built so far
        self.setObjectName("patientTabs")
        for spec in PATIENT_TABS:
            self.addTab(QWidget(self), spec.title)
        self.currentChanged.connect(self._on_current_changed)

    def widgets(self) -> list[QWidget]:
        """Every tab, in order (building those not built yet)."""
        return [w for w in (self.build(i) for i in range(len(PATIENT_TABS))) if w is not None]

    def tab(self, class_name: str) -> QWidget | None:
        """The tab of that class (built if needed), or None if there is none."""
        for i, spec in enumerate(PATIENT_TABS):
            if spec.class_name == class_name:
                return self.build(i)
        return None

    def unbuilt_modules(self) -> list[str]:
        return [spec.module for spec in PATIENT_TABS if spec.class_name not in self.built]

    def set_patient(self, patient_id: str | None) -> None:
        self.patient_id = patient_id
        if patient_id is not None:
            self.build(self.currentIndex())
        # the tab in front starts its read first; the others read when brought forward
        current = self.currentWidget()
        for widget in sorted(self.built.values(), key=lambda w: w is not current):
            widget.set_patient(patient_id)

    def build_next(self) -> bool:
        """Build the first tab not built yet; False when every tab is built."""
        for i, spec in enumerate(PATIENT_TABS):
            if spec.class_name not in self.built:
                self.build(i)
                return True
        return False

    def build(self, index: int) -> QWidget | None:
        """The tab at `index`, built in place of its stand-in page if it is not yet."""
        if not 0 <= index < len(PATIENT_TABS):
            return None
        spec = PATIENT_TABS[index]
        if spec.class_name in self.built:
            return self.built[spec.class_name]
        widget = spec.widget_class()(self.ctx, self)
        widget.setObjectName(spec.class_name)
        current = self.currentIndex() == index
        stand_in = self.widget(index)
        self.blockSignals(True)  # the same tab stays current: nothing changed to say
        self.removeTab(index)
        self.insertTab(index, widget, spec.title)
        if current:
            self.setCurrentIndex(index)
        self.blockSignals(False)
        stand_in.deleteLater()
        self.built[spec.class_name] = widget
        set_in_front = getattr(widget, "set_in_front", None)
        if set_in_front is not None:
            set_in_front(current)
        if self.patient_id is not None:
            widget.set_patient(self.patient_id)
        return widget

    def put_in_front(self) -> None:
        current = self.currentWidget()
        for widget in self.built.values():
            set_in_front = getattr(widget, "set_in_front", None)
            if set_in_front is not None:
                set_in_front(widget is current)

    @Slot(int)
    def _on_current_changed(self, index: int) -> None:
        self.build(index)
        self.put_in_front()
