"""The sent claims: every recorded claim in a table that sorts on every column, and the claim's
panel with what can be done to a claim already sent: record the payer's claim number, void it
(frequency 8, issue 11 item 3), write a copy (issue 11 item 6). Work runs off the GUI thread."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import (
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from models.claims import batches as claim_batches
from models.claims.copies import FORMAT_NAMES, CopyResult, copy_claim
from models.claims.sent import SentClaim, VoidResult, list_sent_claims, void_claim
from models.words import plural
from ui import save_folder
from ui.billing.day_panel import ask_payer_claim_number
from ui.claims.rows_model import SORT_ROLE, Index, RowsTableModel
from ui.common import show_error
from ui.shell import ops
from ui.shell.context import AppContext
from ui.shell.ops import WriteOp
from ui.shell.workers import BackgroundTask, run_in_background

# the file dialog's filters, by format: what the user picks there says the format
FILTERS = {"837p": "ASC X12 837P (*.837 *.txt)", "cms1500": "CMS-1500 PDF (*.pdf)",
           "cms1500-data": "CMS-1500 data only, for red forms (*.pdf)",
           "csv": "CSV (*.csv)"}
SUFFIX = {"837p": ".837", "cms1500": ".pdf", "cms1500-data": ".pdf", "csv": ".csv"}


class SentClaimTableModel(RowsTableModel):
    """One row per recorded claim; each column sorts by its value (dates and money as such)."""

    HEADERS = ("Claim", "Kind", "State", "Patient", "Payer", "Month", "Total", "Batch",
               "Sent", "Format", "Payer claim no.")

    @property
    def claims(self) -> list[SentClaim]:
        return self.rows

    def set_claims(self, claims: list[SentClaim]) -> None:
        self.set_rows(claims)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        c = self.claims[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (c.account_number, c.kind, c.state, c.patient_name, c.payer_name,
                    f"{c.month:%b %Y}", f"${c.total_charge:,.2f}", str(c.batch_id),
                    f"{c.sent_at:%Y-%m-%d %H:%M}", c.format.upper(),
                    c.payer_claim_number or "")[col]
        if role == SORT_ROLE:
            return (c.account_number, c.kind, c.state, c.patient_name, c.payer_name,
                    c.month.toordinal(), float(c.total_charge), c.batch_id,
                    c.sent_at.isoformat(), c.format, c.payer_claim_number or "")[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (6, 7):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class SentClaimsDialog(QDialog):
    """Every claim sent, newest first; the selected one can be voided or copied."""

    claims_loaded = Signal()
    voided = Signal(object)  # VoidResult
    copied = Signal(object)  # CopyResult

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.task: BackgroundTask | None = None
        self.setWindowTitle("Sent claims")
        self.resize(1000, 520)
        self.model = SentClaimTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(7, Qt.SortOrder.DescendingOrder)  # newest batch first
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.details = QLabel("Select a claim.")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.claim_number_button = QPushButton("Payer claim &number…")
        self.void_button = QPushButton("&Void claim…")
        self.void_button.setToolTip("Send a void (frequency 8) naming the payer's claim number; "
                                    "the claim's days can then be billed again")
        self.copy_button = QPushButton("&Copy…")
        self.copy_button.setToolTip("Write the claim again, in any format, exactly as it was "
                                    "sent and marked as a copy; nothing is billed or recorded")
        for b in (self.claim_number_button, self.void_button, self.copy_button):
            b.setEnabled(False)
        self.claim_number_button.clicked.connect(self._on_claim_number_clicked)
        self.void_button.clicked.connect(self._on_void_clicked)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        actions = QHBoxLayout()
        actions.addWidget(self.claim_number_button)
        actions.addWidget(self.void_button)
        actions.addWidget(self.copy_button)
        actions.addStretch(1)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addLayout(actions)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        ctx.data_changed.connect(self._on_data_changed)
        self.reload()

    @Slot(object)
    def _on_data_changed(self, _changes: object) -> None:
        self.reload()  # a claim number, a void or another workstation's batch

    def reload(self) -> BackgroundTask:
        self.task = run_in_background(self.ctx, list_sent_claims, receiver=self,
                                      on_result=self._on_loaded,
                                      on_error=lambda exc: show_error(self, exc, "Sent claims"))
        return self.task

    def _on_loaded(self, claims: list[SentClaim]) -> None:
        chosen = self.selected()
        self.model.set_claims(claims)
        self.table.resizeColumnsToContents()
        if chosen is not None:
            self.select(chosen.account_number, chosen.id)
        self._on_selection_changed()
        self.claims_loaded.emit()

    def select(self, account_number: str, claim_id: int | None = None) -> None:
        for row in range(self.proxy.rowCount()):
            c = self.model.claims[self.proxy.mapToSource(self.proxy.index(row, 0)).row()]
            if c.account_number == account_number and claim_id in (None, c.id):
                self.table.selectRow(row)
                return

    def selected(self) -> SentClaim | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.claims[self.proxy.mapToSource(rows[0]).row()]

    @Slot()
    def _on_selection_changed(self, *_args: Any) -> None:
        c = self.selected()
        in_force = c is not None and c.state == "in force"
        self.claim_number_button.setEnabled(c is not None and c.frequency_code != "8")
        self.void_button.setEnabled(in_force and c is not None and c.has_snapshot)
        self.copy_button.setEnabled(c is not None and c.has_snapshot)
        if c is None:
            self.details.setText("Select a claim.")
            return
        text = (f"{c.kind.capitalize()} claim {c.account_number}: {c.patient_name}, "
                f"{c.payer_name}, {c.month:%B %Y}, ${c.total_charge:,.2f}; sent in batch "
                f"{c.batch_id} on {c.sent_at:%m/%d/%Y} ({c.file_name}). State: {c.state}.")
        if in_force and not c.payer_claim_number:
            text += (" A void needs the payer's claim number (ICN/DCN): record it with Payer "
                     "claim number… first.")
        if not c.has_snapshot:
            text += " Recorded before PerDiem kept what it sent: it cannot be written again."
        self.details.setText(text)

    @Slot()
    def _on_claim_number_clicked(self) -> None:
        c = self.selected()
        if c is None:
            return
        number = ask_payer_claim_number(self, SimpleNamespace(  # type: ignore[arg-type]
            account_number=c.account_number, payer_claim_number=c.payer_claim_number))
        if number is None:
            return
        try:
            ops.call(self.ctx, claim_batches.set_payer_claim_number,
                     account_number=c.account_number, number=number)
        except Exception as exc:
            show_error(self, exc, "Sent claims")

    @Slot()
    def _on_void_clicked(self) -> None:
        c = self.selected()
        if c is None:
            return
        path, chosen = QFileDialog.getSaveFileName(
            self, f"Void claim {c.account_number}",
            save_folder.suggested(f"void-{c.account_number}.837"), ";;".join(FILTERS.values()))
        if path:
            save_folder.remember(path)
            kind = next(k for k, v in FILTERS.items() if v == chosen) if chosen else "837p"
            self.void_to(Path(path), kind)

    def void_to(self, path: Path, kind: str) -> BackgroundTask | None:
        """Write and record the void of the selected claim as `kind` (a key of FILTERS)."""
        c = self.selected()
        if c is None:
            return None
        fmt, data_only = ("cms1500", True) if kind == "cms1500-data" else (kind, False)
        actor, account = self.ctx.actor, c.account_number

        def write(s: Session) -> VoidResult:
            from reports.claims.claim_files import renderer  # ReportLab: loaded when needed

            return void_claim(s, actor=actor, account_number=account, fmt=fmt, out=path,
                              render=renderer(fmt, data_only))

        self.summary.setText(f"Voiding claim {account}...")
        self.task = WriteOp(self.ctx, write).run_in_background(
            receiver=self, on_result=self._on_voided, on_error=self._on_failed)
        return self.task

    def _on_voided(self, result: VoidResult) -> None:
        self.summary.setText(
            f"Void of claim {result.draft.account_number} saved to {result.path} (batch "
            f"{result.batch_id}); its {plural(len(result.draft.days), 'day')} can be billed "
            "again.")
        self.voided.emit(result)

    @Slot()
    def _on_copy_clicked(self) -> None:
        c = self.selected()
        if c is None:
            return
        path, chosen = QFileDialog.getSaveFileName(
            self, f"Copy of claim {c.account_number}",
            f"copy-{c.account_number}{SUFFIX.get(c.format, '')}", ";;".join(FILTERS.values()),
            FILTERS.get(c.format, ""))
        if path:
            kind = next(k for k, v in FILTERS.items() if v == chosen) if chosen else c.format
            self.copy_to(Path(path), kind)

    def copy_to(self, path: Path, kind: str) -> BackgroundTask | None:
        """Write the selected claim again as `kind` (a key of FILTERS), a copy of what was
        sent. Nothing is recorded; it runs as a write because an 837P copy of a claim sent on
        paper takes the next interchange control number."""
        c = self.selected()
        if c is None:
            return None
        fmt, data_only = ("cms1500", True) if kind == "cms1500-data" else (kind, False)
        claim_id = c.id

        def write(s: Session) -> CopyResult:
            from reports.claims.claim_files import renderer  # ReportLab: loaded when needed

            return copy_claim(s, claim_id=claim_id, fmt=fmt, out=path,
                              render=renderer(fmt, data_only))

        self.summary.setText(f"Writing a copy of claim {c.account_number}...")
        self.task = WriteOp(self.ctx, write).run_in_background(
            receiver=self, on_result=self._on_copied, on_error=self._on_failed)
        return self.task

    def _on_copied(self, result: CopyResult) -> None:
        self.summary.setText(
            f"Copy of claim {result.draft.account_number} (sent as "
            f"{FORMAT_NAMES[result.sent_format]} in batch {result.batch_id} on "
            f"{result.sent_at:%m/%d/%Y}) saved to {result.path}; nothing was recorded.")
        self.copied.emit(result)

    def _on_failed(self, exc: Exception) -> None:
        self.summary.setText("Nothing was saved.")
        show_error(self, exc, "Sent claims")


def open_sent_claims(ctx: AppContext, parent: QWidget | None = None) -> SentClaimsDialog:
    dialog = SentClaimsDialog(ctx, parent)
    dialog.show()
    return dialog
