"""The authorizations tab: a patient's prior authorizations with the units used and left,
counted by rule R13 from each authorization's start (models.records.services.authorization_usage),
in the background: the tab says "Computing units used…" meanwhile."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget
from sqlmodel import Session

from models import clock
from models.records import services
from models.records.services import Changes
from ui.forms import record_forms
from ui.records.record_list import configure_table, fit_columns
from ui.records.table_models import AuthorizationsTableModel
from ui.shell.context import AppContext
from ui.shell.tab_loading import LOADING_STYLE, LoadsInFront
from ui.shell.workers import BackgroundTask, run_in_background

# what can change the units used: a day uses a unit unless it is not billable (R1-R4, R13)
USAGE_KINDS = ("authorization", "infusion", "order", "patient", "payer")


def load_authorizations(s: Session, patient_id: str) -> tuple:
    """The patient's authorizations, the units each has used (R13) and the payers' names."""
    return (services.list_authorizations(s, patient_id),
            services.authorization_usage(s, patient_id),
            {p.id: p.name for p in services.list_payers(s)})


class AuthorizationsTab(QWidget, LoadsInFront):
    loaded = Signal()  # after each read has been shown

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: str | None = None
        self._shown_patient: str | None = None
        self._task: BackgroundTask | None = None
        self.model = AuthorizationsTableModel(self)
        self.view = QTableView()
        self.view.setObjectName("authorization_table")
        self.view.setModel(self.model)
        configure_table(self.view)
        self.new_button = QPushButton("New authorization…")
        self.edit_button = QPushButton("Edit…")
        self.summary = QLabel()
        self.summary.setObjectName("authorizationSummary")
        note = QLabel("Units are service days: each billable or held day of a payer that "
                      "requires authorization takes one unit from the earliest authorization "
                      "covering it that still has units (R13).")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        for b in (self.new_button, self.edit_button):
            b.setMinimumWidth(88)
            buttons.addWidget(b)
        buttons.addSpacing(12)
        buttons.addWidget(self.summary)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(note)

        self.new_button.clicked.connect(self._on_new_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.view.doubleClicked.connect(self._on_row_double_clicked)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.database_replaced.connect(self._on_database_replaced)
        self.set_patient(None)

    def set_patient(self, patient_id: str | None) -> None:
        self.patient_id = patient_id
        self.reload()

    @property
    def loading(self) -> bool:
        return self._task is not None

    def reload(self) -> None:
        if self.deferred():
            return
        if self._task is not None:
            self._task.cancel()  # its answer would be for another patient or older data
            self._task = None
        pid = self.patient_id
        if pid is None:
            self._show(None, ([], {}, {}))
            return
        if pid != self._shown_patient:
            self.model.set_records([])
            self._shown_patient = None
        self.summary.setStyleSheet(LOADING_STYLE)
        self.summary.setText("Computing units used…")
        self._update_buttons()
        self._task = run_in_background(
            self.ctx, lambda s: load_authorizations(s, pid), receiver=self,
            on_result=lambda data: self._show(pid, data), on_error=self._on_load_failed)

    def _show(self, pid: str | None, data: tuple) -> None:
        self._task = None
        auths, used, payers = data
        self._shown_patient = pid
        self.model.set_usage(used, payers, clock.today())
        self.model.set_records(auths)
        fit_columns(self.view)
        left = sum(self.model.units_left(a) for a in auths)
        self.summary.setStyleSheet("color: #555;")
        self.summary.setText(
            f"{len(auths)} authorization{'s' if len(auths) != 1 else ''}, "
            f"{left} unit{'s' if left != 1 else ''} left" if pid else "")
        self._update_buttons()
        self.loaded.emit()

    def _on_load_failed(self, exc: Exception) -> None:
        self._task = None
        self.summary.setStyleSheet("color: #a32020;")
        self.summary.setText(f"Could not be loaded: {exc}")
        self.loaded.emit()

    def selected_record(self):
        rows = self.view.selectionModel().selectedRows()
        return self.model.record(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        self.new_button.setEnabled(self.patient_id is not None)
        self.edit_button.setEnabled(not self.loading and self.selected_record() is not None)

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        self._update_buttons()

    @Slot()
    def _on_new_clicked(self) -> None:
        if self.patient_id is not None:
            record_forms.open_record_form(self.ctx, self, "authorization",
                                          patient_id=self.patient_id)

    @Slot()
    def _on_edit_clicked(self) -> None:
        auth = self.selected_record()
        if auth is not None and self.patient_id is not None:
            record_forms.open_record_form(self.ctx, self, "authorization",
                                          patient_id=self.patient_id, record_id=auth.id)

    @Slot(QModelIndex)
    def _on_row_double_clicked(self, _index: QModelIndex) -> None:
        self._on_edit_clicked()

    @Slot(object)
    def _on_data_changed(self, changes: Changes) -> None:
        if self.patient_id is None or not changes.touches(*USAGE_KINDS):
            return
        if "payer" in changes.kinds or self.patient_id in changes.patient_ids:
            self.reload()

    @Slot()
    def _on_database_replaced(self) -> None:
        self.set_patient(None)
