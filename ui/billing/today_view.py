"""Today: the work list (models/billing/worklist.py) as the first screen.

One tree, a section per kind of work with its count, one line per thing to do; Enter or a
double-click (or Open) opens the place that settles the line: the record's form (the saved
record when there is one, else a new one for the order and day), the patient form, or the claim
drafts. The list is read in the background and read again after every change; it decides
nothing itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models import clock
from models.billing import worklist
from models.billing.worklist import WorkItem, WorkList
from models.errors import DomainError
from models.files import write_atomic
from models.records import registry
from models.records.changes import Changes
from models.security import audit
from models.security.access import clinical_read
from ui.common import show_error
from ui.shell.context import AppContext
from ui.shell.read_audit import record_billing_view
from ui.shell.workers import BackgroundTask, run_in_background

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1


class WorkTree(QTreeWidget):
    activated_item = Signal(object)  # WorkItem

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self.currentItem()
            work = item.data(0, ITEM_ROLE) if item is not None else None
            if work is not None:
                self.activated_item.emit(work)
                return
        super().keyPressEvent(event)


class TodayView(QWidget):
    """The work list for today; `counts_changed` tells the toolbar how much there is."""

    counts_changed = Signal(dict)  # section key -> count
    patient_requested = Signal(str)  # show this patient
    claims_requested = Signal()  # open the claim drafts
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 today: Callable[[], dt.date] = clock.today) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today
        self.work: WorkList | None = None
        self._task: BackgroundTask | None = None
        self._recorded: dt.date | None = None  # the day whose showing is in the audit trail
        self.setObjectName("todayView")
        self.title = QLabel(self)
        self.title.setObjectName("todayTitle")
        self.tree = WorkTree(self)
        self.tree.setObjectName("workList")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Patient", "What to do"])
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 240)
        self.tree.itemDoubleClicked.connect(
            lambda item, _col: self._activate(item.data(0, ITEM_ROLE)))
        self.tree.activated_item.connect(self.open_item)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.open_button = QPushButton("&Open", self)
        self.open_button.setToolTip("Open what settles the selected line (Enter)")
        self.open_button.clicked.connect(lambda: self._activate(self._current()))
        self.patient_button = QPushButton("Show &patient", self)
        self.patient_button.clicked.connect(self._show_patient)
        self.print_button = QPushButton("P&rint…", self)
        self.print_button.setToolTip("Save the work list as a PDF to print")
        self.print_button.clicked.connect(self._on_print_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.title, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.patient_button)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.tree, 1)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.database_replaced.connect(self.reload)
        self._update_buttons()
        self.reload()

    # --- reading --------------------------------------------------------------------------

    @Slot()
    def reload(self) -> None:
        if self._task is not None:
            self._task.cancel()
        day = self.today()
        self.title.setText(f"Work list for {day:%A} {day.month:02d}/{day.day:02d}/{day.year}"
                           " — reading…")
        self._task = run_in_background(
            self.ctx, clinical_read(self.ctx.actor, lambda s: worklist.build_worklist(s, day)),
            receiver=self,
            on_result=self._show, on_error=self._failed)

    def _failed(self, exc: Exception) -> None:
        self.title.setText(f"The work list could not be read: {exc}")

    def _show(self, work: WorkList) -> None:
        if self._recorded != work.today:  # issue 12: once a day shown, not at each re-read
            self._recorded = work.today
            self._record(work, "shown")
        self.work = work
        day = work.today
        total = len(work.items)
        self.title.setText(f"Work list for {day:%A} {day.month:02d}/{day.day:02d}/{day.year}: "
                           + (worklist.plural(total, "thing") + " to do" if total
                              else "nothing to do"))
        chosen = self._current()
        self.tree.clear()
        for key, title in worklist.SECTIONS.items():
            items = work.section(key)
            top = QTreeWidgetItem(self.tree, [f"{title} ({len(items)})", ""])
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            top.setFirstColumnSpanned(True)
            for w in items:
                line = QTreeWidgetItem(top, [w.patient_name, w.text])
                line.setData(0, ITEM_ROLE, w)
                line.setToolTip(1, w.text)
                line.setToolTip(0, f"{w.patient_name} ({w.patient_id})")
                if w == chosen:
                    self.tree.setCurrentItem(line)
            top.setExpanded(bool(items))
        self._update_buttons()
        self.counts_changed.emit(work.counts())
        self.loaded.emit()

    @Slot(object)
    def _on_data_changed(self, changes: Changes) -> None:
        if changes.kinds:
            self.reload()

    # --- acting ---------------------------------------------------------------------------

    def _current(self) -> WorkItem | None:
        item = self.tree.currentItem()
        return item.data(0, ITEM_ROLE) if item is not None else None

    def _update_buttons(self) -> None:
        has = self._current() is not None
        self.open_button.setEnabled(has)
        self.patient_button.setEnabled(has)

    def _activate(self, work: WorkItem | None) -> None:
        if work is not None:
            self.open_item(work)

    @Slot(object)
    def open_item(self, work: WorkItem) -> bool:
        """Open the place that settles `work`."""
        if work.kind == "claims":
            self.claims_requested.emit()
            return True
        if work.kind == registry.PATIENT.key:
            from ui.forms.patient_form import edit_patient

            return bool(edit_patient(self.ctx, self, work.patient_id))
        from ui.forms.record_forms import open_record_form

        # a record form of any kind: a clinical record's, or an authorization's (R13, R34)
        return open_record_form(self.ctx, self, registry.kind(work.kind),
                                patient_id=work.patient_id,
                                record_id=work.record_id, order_id=work.order_id,
                                day=work.day, code=work.code)

    def _record(self, work: WorkList, detail: str) -> None:
        """The work list's audit row (issue 12): who saw or printed it, its period."""
        record_billing_view(self.ctx, audit.WORKLIST,
                            work.today - dt.timedelta(days=worklist.HOLD_DAYS), detail=detail,
                            last=work.today)

    def save_pdf(self, path: str | Path) -> Path:
        """Write the list shown as a PDF (reports/worklist_pdf.py) to `path`."""
        from models.records.reference import get_pharmacy
        from reports.worklist_pdf import render_worklist  # ReportLab loads when printing

        if self.work is None:
            raise DomainError("The work list is still being read.")
        pharmacy = self.ctx.read(get_pharmacy)
        saved = write_atomic(path, render_worklist(self.work, pharmacy.name if pharmacy else ""))
        self._record(self.work, "printed to PDF")
        return saved

    def _on_print_clicked(self) -> None:
        from ui import save_folder
        from ui.claims.packet_actions import open_in_viewer

        if self.work is None:
            return
        name = f"worklist-{self.work.today.isoformat()}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, "Print the work list (PDF)",
                                              save_folder.suggested(name), "PDF (*.pdf)")
        if not path:
            return
        save_folder.remember(path)
        try:
            self.save_pdf(path)
        except (OSError, DomainError) as exc:
            show_error(self, exc, "Work list not saved")
            return
        open_in_viewer(Path(path))

    def _show_patient(self) -> None:
        work = self._current()
        if work is not None:
            self.patient_requested.emit(work.patient_id)
