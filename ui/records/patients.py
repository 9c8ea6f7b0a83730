"""The searchable patient list on the left of the main window, and its Qt item models.

The list is read in the background (it says "Loading patients…" meanwhile), so the window
paints at once and a change to a patient never holds up the window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
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

from models.records import services
from models.records.services import Changes
from models.records.tables import PatientRead
from ui.shell.context import AppContext
from ui.shell.tab_loading import LOADING_STYLE
from ui.shell.workers import BackgroundTask, run_in_background

Index = QModelIndex | QPersistentModelIndex

PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2


def us_date(day: dt.date | None) -> str:
    """Dates as US pharmacy staff read them (MM/DD/YYYY)."""
    return day.strftime("%m/%d/%Y") if day else ""


class PatientTableModel(QAbstractTableModel):
    """Patients as rows: name, date of birth, member id of the coverage billed today. The
    texts are worked out once per patient when the list is set, so sorting and painting
    hundreds of patients ask nothing twice."""

    HEADERS = ("Name", "Date of birth", "Member ID")

    def __init__(self, parent: QWidget | None = None,
                 today: Callable[[], dt.date] = dt.date.today):
        super().__init__(parent)
        self._patients: list[PatientRead] = []
        self._texts: list[tuple[str, str, str]] = []  # what each column shows
        self._keys: list[tuple[str, str, str]] = []  # what each column sorts by
        self._search: list[str] = []
        self.today = today

    def member_id(self, p: PatientRead) -> str:
        """The member id staff quote today: the coverage in force (primary first), else the
        one that started last, not one that ended months ago."""
        if not p.coverages:
            return ""
        day = self.today()
        current = [c for c in p.coverages if c.covers(day)]
        if current:
            return min(current, key=lambda c: c.priority != "primary").member_id
        return max(p.coverages, key=lambda c: c.start_date).member_id

    def set_patients(self, patients: list[PatientRead]) -> None:
        self.beginResetModel()
        self._patients = list(patients)
        self._texts = [(p.display_name, us_date(p.birth_date), self.member_id(p))
                       for p in self._patients]
        self._keys = [(name.lower(), p.birth_date.isoformat(), member.lower())
                      for p, (name, _born, member) in zip(self._patients, self._texts,
                                                           strict=True)]
        self._search = [
            (f"{p.last_name}, {p.first_name} {p.first_name} {p.last_name} {p.id} "
             f"{' '.join(c.member_id for c in p.coverages)} {us_date(p.birth_date)} "
             f"{p.birth_date.isoformat()}").lower() for p in self._patients]
        self.endResetModel()

    def patient_at(self, row: int) -> PatientRead:
        return self._patients[row]

    def patient_ids(self) -> list[str]:
        return [p.id for p in self._patients]

    def sort_key(self, row: int, column: int) -> str:
        return self._keys[row][column]

    def search_text(self, row: int) -> str:
        return self._search[row]

    def row_of(self, patient_id: str) -> int:
        for row, p in enumerate(self._patients):
            if p.id == patient_id:
                return row
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._patients)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row, col = index.row(), index.column()
        if not 0 <= row < len(self._patients):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[row][col]
        p = self._patients[row]
        if role == Qt.ItemDataRole.ToolTipRole:
            ids = ", ".join(c.member_id for c in p.coverages) or "no coverage"
            return f"{p.display_name} (id {p.id})\nMember ids: {ids}"
        if role == Qt.ItemDataRole.EditRole and col == 1:
            return p.birth_date.isoformat()  # sorts by date, not by month
        if role == PATIENT_ID_ROLE:
            return p.id
        if role == SEARCH_ROLE:
            return self._search[row]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None


class PatientFilterProxy(QSortFilterProxyModel):
    """Filters by a search text (name, id, member id, birth date) and optionally to the patients
    with an order in force today."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._needle = ""
        self._active: set[str] | None = None
        self.setSortRole(Qt.ItemDataRole.EditRole)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_active_ids(self, ids: set[str] | None) -> None:
        """None shows every patient; a set shows only those patients."""
        self.beginFilterChange()
        self._active = None if ids is None else set(ids)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model: PatientTableModel = self.sourceModel()  # type: ignore[assignment]
        if self._active is not None and model.patient_at(source_row).id not in self._active:
            return False
        if not self._needle:
            return True
        haystack = model.search_text(source_row)
        return all(word in haystack for word in self._needle.split())

    def lessThan(self, left: Index, right: Index) -> bool:
        model: PatientTableModel = self.sourceModel()  # type: ignore[assignment]
        column = left.column()
        return model.sort_key(left.row(), column) < model.sort_key(right.row(), column)


class PatientListPanel(QWidget):
    """Search box, "active only" switch and the patient table; tells which patient is chosen."""

    patient_selected = Signal(object)  # str | None
    patient_activated = Signal(str)  # double-click or Enter: open the patient's form
    loaded = Signal()  # after each read of the list has been shown

    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 today: Callable[[], dt.date] = dt.date.today):
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

        def load(s: Any) -> tuple[list[PatientRead], set[str] | None]:
            return (services.list_patients(s), None if active_on is None
                    else services.active_patient_ids(s, active_on))

        self._task = run_in_background(self.ctx, load, receiver=self,
                                       on_result=self._show, on_error=self._on_load_failed)

    def _show(self, data: tuple[list[PatientRead], set[str] | None]) -> None:
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
            self.ctx, lambda s: services.active_patient_ids(s, today), receiver=self,
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
