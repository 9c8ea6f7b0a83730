"""The searchable patient list on the left of the main window (its item models are in
ui.records.patient_models).

The list is read in the background (it says "Loading patients…" meanwhile), so the window
paints at once and a change to a patient never holds up the window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models import clock
from models.records import reference
from models.records.changes import Changes
from models.records.tables import PatientRead
from ui.records.patient_models import (
    PATIENT_ID_ROLE,
    PatientFilterProxy,
    PatientRows,
    PatientTableModel,
    patient_rows,
)
from ui.shell.context import AppContext
from ui.shell.tab_loading import LOADING_STYLE
from ui.shell.workers import BackgroundTask, run_in_background


class PatientListPanel(QWidget):
    """Search box, "active only" switch and the patient table; tells which patient is chosen."""

    patient_selected = Signal(object)  # str | None
    patient_activated = Signal(str)  # double-click or Enter: open the patient's form
    loaded = Signal()  # after each read of the list has been shown

    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 today: Callable[[], dt.date] = clock.today):
        super().__init__(parent)
        self.ctx = ctx
        self.today = today
        self._task: BackgroundTask | None = None
        self._active_task: BackgroundTask | None = None
        self._wanted: str | None = None  # to select once the list being read is shown
        self.model = PatientTableModel(self, today)
        self.proxy = PatientFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search name, member ID, date of birth…")
        self.search.setClearButtonEnabled(True)
        self.search.setObjectName("patientSearch")
        self.active_only = QCheckBox("Active patients only", self)
        self.active_only.setToolTip("Patients with an order in force today")
        self.count_label = QLabel(self)
        self.count_label.setObjectName("patientCount")

        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setTabKeyNavigation(False)  # Tab leaves the list, never picks the next patient
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # fixed widths from the font, not measured over every patient on each change
        metrics = self.view.fontMetrics()
        pad = 2 * self.view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 18
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(1, max(metrics.horizontalAdvance("00/00/0000"),
                                    header.fontMetrics().horizontalAdvance("Date of birth"))
                             + pad)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self._member_pad = pad
        self._fit_member_column()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        row = QHBoxLayout()
        row.addWidget(self.active_only)
        row.addStretch(1)
        row.addWidget(self.count_label)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)
        self.setTabOrder(self.search, self.active_only)
        self.setTabOrder(self.active_only, self.view)

        self.search.textChanged.connect(self._on_search_changed)
        self.search.returnPressed.connect(self._on_search_return)
        self.active_only.toggled.connect(self._on_active_toggled)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.view.activated.connect(self._on_row_activated)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.database_replaced.connect(self.reload)
        self.reload()

    # --- public ---------------------------------------------------------------------------

    def current_patient_id(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].data(PATIENT_ID_ROLE) if rows else None

    def patient(self, patient_id: str | None) -> PatientRead | None:
        """The patient as listed (with coverages), or None if not in the list."""
        row = self.model.row_of(patient_id) if patient_id else -1
        return self.model.patient_at(row) if row >= 0 else None

    @property
    def loading(self) -> bool:
        return self._task is not None or self._active_task is not None

    def select_patient(self, patient_id: str | None) -> bool:
        """Select a patient (clearing the search and the active filter if they hide it).
        While the list is being read, the patient is selected once it is shown (e.g. one
        just added)."""
        if self._task is not None:
            self._wanted = patient_id
        if patient_id is None:
            self.view.clearSelection()
            return True
        row = self.model.row_of(patient_id)
        if row < 0:
            return self._task is not None
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.search.clear()
            self.active_only.setChecked(False)
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.view.selectRow(index.row())
        self.view.scrollTo(index)
        return True

    @Slot()
    def reload(self) -> None:
        """Read the patients in the background; the selection stays on the same patient."""
        if self._task is not None:
            self._task.cancel()
        else:
            self._wanted = self.current_patient_id()
        self.count_label.setStyleSheet(LOADING_STYLE)
        self.count_label.setText("Loading patients…")
        active_on = self.today() if self.active_only.isChecked() else None

        day = self.today()

        def load(s: Any) -> tuple[PatientRows, set[str] | None]:
            return (patient_rows(reference.list_patients(s), day), None if active_on is None
                    else reference.active_patient_ids(s, active_on))

        self._task = run_in_background(self.ctx, load, receiver=self,
                                       on_result=self._show, on_error=self._on_load_failed)

    def _show(self, data: tuple[PatientRows, set[str] | None]) -> None:
        self._task = None
        patients, active = data
        keep, self._wanted = self._wanted, None
        self.view.selectionModel().blockSignals(True)  # the same patient stays selected
        self.model.set_patients(patients)
        if self.active_only.isChecked() and active is not None:
            self.proxy.set_active_ids(active)
        elif not self.active_only.isChecked():
            self.proxy.set_active_ids(None)
        self.view.selectionModel().blockSignals(False)
        self._fit_member_column()
        if keep is None or not self.select_patient(keep):
            self.view.clearSelection()
            self.patient_selected.emit(None)
        self._update_count()
        self.loaded.emit()

    def _fit_member_column(self) -> None:
        """The member id column as wide as its longest id (font metrics of the texts, no
        cell measured through the view), between its heading and a cap."""
        metrics, header = self.view.fontMetrics(), self.view.horizontalHeader()
        widest = max((metrics.horizontalAdvance(self.model.data(self.model.index(r, 2)))
                      for r in range(self.model.rowCount())), default=0)
        floor = header.fontMetrics().horizontalAdvance("Member ID") + 14
        header.resizeSection(2, min(max(widest, floor) + self._member_pad, 220))

    def _on_load_failed(self, exc: Exception) -> None:
        self._task = None
        self.count_label.setStyleSheet("color: #a32020;")
        self.count_label.setText(f"Patients not loaded: {exc}")
        self.loaded.emit()

    # --- slots ----------------------------------------------------------------------------

    @Slot(object)
    def _on_data_changed(self, changes: Changes) -> None:
        # names and coverages change with patients; "active" changes with orders
        if changes.touches("patient", "order", "payer"):
            self.reload()

    @Slot(str)
    def _on_search_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_count()

    @Slot()
    def _on_search_return(self) -> None:
        # Enter in the search box picks the first match and moves to the list
        if self.proxy.rowCount() and self.current_patient_id() is None:
            self.view.selectRow(0)
        self.view.setFocus()

    @Slot(bool)
    def _on_active_toggled(self, _checked: bool) -> None:
        self._apply_active_filter()

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.patient_selected.emit(self.current_patient_id())

    @Slot(QModelIndex)
    def _on_row_activated(self, index: QModelIndex) -> None:
        patient_id = index.data(PATIENT_ID_ROLE)
        if patient_id:
            self.patient_activated.emit(patient_id)

    # --- helpers --------------------------------------------------------------------------

    def _apply_active_filter(self) -> None:
        if self._active_task is not None:
            self._active_task.cancel()
            self._active_task = None
        if not self.active_only.isChecked():
            self.proxy.set_active_ids(None)
            self._update_count()
            return
        self.count_label.setStyleSheet(LOADING_STYLE)
        self.count_label.setText("Finding active patients…")
        today = self.today()
        self._active_task = run_in_background(
            self.ctx, lambda s: reference.active_patient_ids(s, today), receiver=self,
            on_result=self._show_active, on_error=self._on_load_failed)

    def _show_active(self, ids: set[str]) -> None:
        self._active_task = None
        if self.active_only.isChecked():
            self.proxy.set_active_ids(ids)
        self._update_count()

    def _update_count(self) -> None:
        if self.loading:
            return
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setStyleSheet("")
        self.count_label.setText(f"{shown} of {total}" if shown != total else f"{total} patients")
