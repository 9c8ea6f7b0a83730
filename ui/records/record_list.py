"""A patient's list of one kind of clinical record with New, Edit, Void, History and a
"Show voided" box; the orders, MAR and documents tabs are built from it. The records are read
in the background (the list says "Loading…" meanwhile); columns are fitted from a sample of
rows, never by measuring every cell of five years of records.

It is over 400 lines on purpose: one panel serves every clinical kind (its list, its actions,
column fitting and the column menu), so each tab does not repeat them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from models.errors import DomainError
from models.records import clinical, reference, registry
from models.records.registry import ClinicalKind
from models.security.access import clinical_read
from ui.common import show_error
from ui.forms import kit, record_forms
from ui.records.column_menu import hide_optional_columns, install_column_menu
from ui.records.history import HistoryDialog
from ui.records.table_models import RECORD_ID_ROLE, RecordTableModel
from ui.shell import ops
from ui.shell.context import AppContext
from ui.shell.tab_loading import LOADING_STYLE
from ui.shell.workers import BackgroundTask, run_in_background

# rows measured to fit a column: the first ones shown; a longer cell further down is cut
# with "…" and shows whole in its tooltip (ElidedTextTips)
SAMPLE_ROWS = 40
MAX_COLUMN_WIDTH = 220
MIN_CUT_WIDTH = 90
SHORT_COLUMN_WIDTH = 104
PLURALS = {registry.INFUSION: "infusion entries", registry.DELIVERY: "deliveries",
           registry.PLAN_OF_CARE: "plans of care"}


def configure_table(view: QTableView) -> None:
    """The look every record table shares: whole rows, no editing, quiet grid."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setTabKeyNavigation(False)  # Tab moves on to the next control, as in the forms
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setShowGrid(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 12)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setItemDelegate(ElidedTextTips(view))
    install_column_menu(view, fit_columns)


class ElidedTextTips(QStyledItemDelegate):
    """Shows a cell's whole text as its tooltip when the column is too narrow for it, so a
    column squeezed to fit the window never hides anything (a model's own tooltip wins)."""

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView,  # noqa: N802 - Qt's name
                  option: QStyleOptionViewItem, index: QModelIndex) -> bool:
        if event.type() == QEvent.Type.ToolTip and index.isValid() \
                and index.data(Qt.ItemDataRole.ToolTipRole) is None:
            text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
            margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
            if text and option.fontMetrics.horizontalAdvance(text) + margin > option.rect.width():
                QToolTip.showText(event.globalPos(), text, view)
                return True
        return super().helpEvent(event, view, option, index)


class ColumnFitter(QObject):
    """Keeps a table's columns inside its width: each column gets the width of its contents,
    and when they add up to more than the view has, the widest are cut back (never below
    their heading) so the table does not scroll sideways; cut text ends in "…" and shows
    whole in a tooltip."""

    def __init__(self, view: QTableView):
        super().__init__(view)
        self.view = view
        self.natural: dict[int, int] = {}
        self.viewport = view.viewport()  # its width changes with the vertical scrollbar
        self.viewport.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # compare before asking the view anything: events still arrive while it is destroyed
        if event.type() == QEvent.Type.Resize and watched is self.viewport:
            self.squeeze()
        return False

    def measure(self) -> None:
        view = self.view
        model, metrics = view.model(), view.horizontalHeader().fontMetrics()
        rows = range(min(model.rowCount(), SAMPLE_ROWS))

        def heading(col: int) -> int:  # the words only: a short column needs no room for
            text = str(model.headerData(col, Qt.Orientation.Horizontal) or "")  # the arrow
            return metrics.horizontalAdvance(text) + 14

        def cells(col: int) -> int:  # the delegate's own size of the rows shown first
            return max((view.sizeHintForIndex(model.index(row, col)).width() for row in rows),
                       default=0)

        self.natural = {col: min(max(cells(col), heading(col)) + 10, MAX_COLUMN_WIDTH)
                        for col in range(model.columnCount()) if not view.isColumnHidden(col)}
        self.squeeze()

    def squeeze(self) -> None:
        if not self.natural:
            return
        room = self.view.viewport().width()
        # dates, times, codes and other short values are never cut, long text down to
        # MIN_CUT_WIDTH (the heading may end in "…"; its tooltip and the cells' tell all)
        floors = {col: min(w, MIN_CUT_WIDTH) if w > SHORT_COLUMN_WIDTH else w
                  for col, w in self.natural.items()}
        cap = max(self.natural.values())
        if sum(self.natural.values()) > room:  # the widest give way first, down to a floor
            low, high = 0, cap
            while low < high:
                mid = (low + high + 1) // 2
                if sum(max(floors[c], min(w, mid)) for c, w in self.natural.items()) <= room:
                    low = mid
                else:
                    high = mid - 1
            cap = low
        for col, width in self.natural.items():  # the last one then stretches to the edge
            self.view.setColumnWidth(col, max(floors[col], min(width, cap)))


def fit_columns(view: QTableView) -> None:
    fitter = view.findChild(ColumnFitter)
    if fitter is None:
        fitter = ColumnFitter(view)
    fitter.measure()


class RecordListPanel(QWidget):
    """One kind of record for the selected patient. Void records appear (greyed, with their
    reason) only while "Show voided" is ticked."""

    record_voided = Signal(str)
    loaded = Signal()  # after each read has been shown

    def __init__(self, ctx: AppContext, kind: ClinicalKind[Any, Any], model: RecordTableModel,
                 parent: QWidget | None = None, *, new_text: str = "New…",
                 on_new: Callable[[], None] | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.model = model
        self.patient_id: str | None = None
        self._on_new = on_new
        self._shown_patient: str | None = None  # whose records the table holds
        self._wanted: str | None = None  # to select once the read under way is shown
        self._task: BackgroundTask | None = None
        model.setParent(self)
        label = kind.label

        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(Qt.ItemDataRole.EditRole)
        self.view = QTableView()
        self.view.setObjectName(f"{kind.key}_table")
        self.view.setModel(self.proxy)
        configure_table(self.view)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # keep the service's order

        self.new_button = QPushButton(new_text)
        self.new_button.setToolTip(f"Add a {label}")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip(f"Change the selected {label} (you will be asked why)")
        self.void_button = QPushButton("Void…")
        self.void_button.setToolTip(f"Void the selected {label}: it stays on file with the "
                                    "reason, and billing ignores it")
        self.history_button = QPushButton("History…")
        self.history_button.setToolTip("Every saved version: who, when, why, what changed")
        self.show_voided = QCheckBox("Show voided")
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")

        self.button_row = buttons = QHBoxLayout()  # Attach scan… joins it (attachments_panel)
        buttons.setSpacing(8)
        for b in (self.new_button, self.edit_button, self.void_button, self.history_button):
            b.setMinimumWidth(88)
            buttons.addWidget(b)
        buttons.addSpacing(12)
        buttons.addWidget(self.count_label)
        buttons.addStretch(1)
        buttons.addWidget(self.show_voided)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(buttons)
        layout.addWidget(self.view)

        self.new_button.clicked.connect(self._on_new_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.void_button.clicked.connect(self._on_void_clicked)
        self.history_button.clicked.connect(self._on_history_clicked)
        self.show_voided.toggled.connect(self._on_show_voided_toggled)
        self.view.doubleClicked.connect(self._on_row_double_clicked)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._update_buttons()

    # -- loading -------------------------------------------------------------------------

    def set_patient(self, patient_id: str | None) -> None:
        self.patient_id = patient_id
        self.reload()

    @property
    def loading(self) -> bool:
        return self._task is not None

    def reload(self) -> None:
        """Read the patient's records in the background; a read already under way is
        dropped, so an answer for a patient no longer shown never lands."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        pid = self.patient_id
        if pid is None:
            self._show(None, ([], {}, None))
            return
        if pid != self._shown_patient:  # never show one patient's records under another
            self.model.set_records([], {})
            self._shown_patient = None
            self._wanted = None
        self.count_label.setText(f"Loading {self.count_text(2).split(' ', 1)[1]}…")
        self.count_label.setStyleSheet(LOADING_STYLE)
        self._update_buttons()
        kind, include_voided = self.kind, self.show_voided.isChecked()
        self._task = run_in_background(
            self.ctx, clinical_read(self.ctx.actor,  # issue 12: none for the administrator
                                    lambda s: load_records(s, kind, pid, include_voided)),
            receiver=self,
            on_result=lambda data: self._show(pid, data), on_error=self._on_load_failed)

    def _show(self, patient_id: str | None,
              data: tuple[list[Any], dict, dict[str, str] | None]) -> None:
        self._task = None
        records, orders, prescribers = data
        selected = self._wanted or (self.selected_id() if patient_id == self._shown_patient
                                    else None)
        self._wanted = None
        if prescribers is not None:
            self.model.prescribers = prescribers  # type: ignore[attr-defined]
        self.model.set_records(records, orders)
        self._shown_patient = patient_id
        void_col = self.model.void_column
        self.view.setColumnHidden(void_col, not self.show_voided.isChecked())
        header = self.view.horizontalHeader()
        if header.visualIndex(void_col) != 1:  # the reason belongs next to what was voided
            header.moveSection(header.visualIndex(void_col), 1)
        hide_optional_columns(self.view, self.model.all_columns())
        fit_columns(self.view)
        voided = sum(1 for r in records if r.voided)
        self.count_label.setStyleSheet("color: #555;")
        self.count_label.setText(self.count_text(len(records) - voided)
                                 + (f", {voided} void" if voided else ""))
        if selected:
            self.select(selected)
        self._update_buttons()
        self.loaded.emit()

    def _on_load_failed(self, exc: Exception) -> None:
        self._task = None
        self.count_label.setStyleSheet("color: #a32020;")
        self.count_label.setText(f"Could not be loaded: {exc}")
        self.loaded.emit()

    def count_text(self, n: int) -> str:
        one = self.kind.label
        return f"{n} {one if n == 1 else PLURALS.get(self.kind, one + 's')}"

    def select(self, record_id: str) -> None:
        """Select a record; one not yet in the list is selected when the read under way
        brings it (e.g. the entry just saved)."""
        if self.loading:
            self._wanted = record_id
        row = self.model.row_of(record_id)
        if row >= 0:
            self.view.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())

    def selected_id(self) -> str | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        return rows[0].data(RECORD_ID_ROLE) if rows else None

    def selected_record(self) -> Any:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.record(self.proxy.mapToSource(rows[0]).row())

    # -- actions -------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        rec = self.selected_record() if not self.loading else None
        self.new_button.setEnabled(self.patient_id is not None)
        self.edit_button.setEnabled(rec is not None and not rec.voided)
        self.void_button.setEnabled(rec is not None and not rec.voided)
        self.history_button.setEnabled(rec is not None)

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        self._update_buttons()

    @Slot()
    def _on_new_clicked(self) -> None:
        if self.patient_id is None:
            return
        if self._on_new is not None:
            self._on_new()
            return
        record_forms.open_record_form(self.ctx, self, self.kind, patient_id=self.patient_id)

    @Slot()
    def _on_edit_clicked(self) -> None:
        rec = self.selected_record()
        if rec is not None and not rec.voided and self.patient_id is not None:
            record_forms.open_record_form(self.ctx, self, self.kind,
                                          patient_id=self.patient_id, record_id=rec.id)

    @Slot(QModelIndex)
    def _on_row_double_clicked(self, _index: QModelIndex) -> None:
        rec = self.selected_record()
        if rec is None:
            return
        if rec.voided:
            self._on_history_clicked()
        else:
            self._on_edit_clicked()

    @Slot()
    def _on_void_clicked(self) -> None:
        rec = self.selected_record()
        if rec is None or rec.voided:
            return
        label = self.kind.label
        reason = kit.ask_reason(
            self, f"Void {label} {rec.id}?",
            f"The {label} {rec.id} stays on file with its history, but billing ignores it "
            "from now on. Say why it is voided:", f"Void {label}",
            "e.g. Entered for the wrong patient; duplicate of an earlier entry")
        if reason is None:
            return
        try:
            # the version shown: a record changed meanwhile is refused, not voided unseen
            ops.call(self.ctx, clinical.void_record, kind=self.kind, record_id=rec.id,
                     reason=reason, base_version=rec.version)
        except DomainError as exc:
            show_error(self, exc, title="Not voided")
            return
        self.record_voided.emit(rec.id)

    @Slot()
    def _on_history_clicked(self) -> None:
        rec = self.selected_record()
        if rec is not None:
            HistoryDialog(self.ctx, self.kind, rec.id, self).open()

    @Slot(bool)
    def _on_show_voided_toggled(self, _checked: bool) -> None:
        self.reload()


def load_records(session: Session, kind: ClinicalKind[Any, Any], patient_id: str,
                 include_voided: bool) -> tuple[list[Any], dict, dict[str, str] | None]:
    """A patient's records of `kind`, their orders by id, and for orders the prescribers'
    names (None for other kinds): what a record list shows, read on a pool thread."""
    records = clinical.list_records(session, kind, patient_id=patient_id,
                                    include_voided=include_voided)
    orders = clinical.list_records(session, registry.ORDER, patient_id=patient_id,
                                   include_voided=True)
    prescribers = ({p.id: p.display_name for p in reference.list_prescribers(session)}
                   if kind is registry.ORDER else None)
    return records, {o.id: o for o in orders}, prescribers
