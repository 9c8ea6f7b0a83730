"""The claims dialog: pick a period, format and patient, preview the drafts and their problems,
then save the good ones as one batch (837P, CMS-1500 or CSV). The file writers (ReportLab for
the CMS-1500) are imported by the saving job, off the GUI thread, when first needed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models import clock
from models.claims import batches as claim_batches
from models.claims.batches import ClaimPreview, ExportResult
from models.claims.claim import FORMATS
from models.claims.drafts import ClaimDraft
from models.records import reference
from models.words import plural
from ui import save_folder
from ui.billing.day_panel import ask_payer_claim_number
from ui.claims.draft_table import SORT_ROLE, ClaimDraftTableModel
from ui.common import DateField, mark_field, show_error
from ui.shell import ops
from ui.shell.context import AppContext
from ui.shell.ops import StepsOp, Transactions
from ui.shell.workers import BackgroundTask, run_in_background

# how each claim format (models.claims.claim.FORMATS) is offered: label, file filter, suffix
FORMAT_FILES = {"837p": ("ASC X12 837P (electronic claim)", "837P files (*.837 *.txt)", ".837"),
                "cms1500": ("CMS-1500 (02/12) PDF", "PDF files (*.pdf)", ".pdf"),
                "csv": ("CSV, one row per claim line", "CSV files (*.csv)", ".csv")}
assert set(FORMAT_FILES) == set(FORMATS)


def last_full_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


class ClaimsDialog(QDialog):
    """Preview a period's claim drafts, then save them as one batch. Work runs off the GUI
    thread, each job in its own session."""

    preview_loaded = Signal(object)  # ClaimPreview
    claims_saved = Signal(object)  # ExportResult

    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 today: dt.date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Claim drafts")
        self.resize(1000, 620)
        self.current: ClaimPreview | None = None
        self.task: BackgroundTask | None = None

        start, end = last_full_month(today or clock.today())
        self.start_field = DateField(required=True)
        self.start_field.set_date(start)
        self.end_field = DateField(required=True)
        self.end_field.set_date(end)
        self.format_box = QComboBox()
        for key in FORMATS:
            self.format_box.addItem(FORMAT_FILES[key][0], key)
        self.data_only = QCheckBox("Data only, for pre-printed red forms")
        self.data_only.setEnabled(False)
        self.patient_box = QComboBox()
        self.patient_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.patient_box.addItem("All patients", None)
        for p in ctx.read(lambda s: reference.list_patients(s)):
            self.patient_box.addItem(f"{p.display_name} ({p.id})", p.id)
        self.rebill = QCheckBox("Rebill: replace claims already written for these days")
        self.preview_button = QPushButton("&Preview")

        period = QHBoxLayout()
        period.addWidget(self.start_field)
        period.addWidget(QLabel("to"))
        period.addWidget(self.end_field)
        period.addStretch(1)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        period_label = QLabel("&Period")  # a row holding a layout gets no buddy by itself
        period_label.setBuddy(self.start_field)
        form.addRow(period_label, period)
        form.addRow("&Format", self.format_box)
        form.addRow("", self.data_only)
        form.addRow("P&atient", self.patient_box)
        form.addRow("", self.rebill)

        self.model = ClaimDraftTableModel(self)
        self.proxy = QSortFilterProxyModel(self)  # a click on any header sorts (issue 11)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the drafts' order until then
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(8, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        # the claim's panel: the selected claim's problems, with the fix PerDiem can make here
        self.claim_number_button = QPushButton("Payer claim &number…")
        self.claim_number_button.setToolTip(
            "Record the payer's claim number (ICN/DCN) of the claim this one replaces")
        self.claim_number_button.setEnabled(False)
        self.claim_number_button.clicked.connect(self._on_claim_number_clicked)
        panel = QWidget()
        panel_layout = QVBoxLayout(panel)
        panel_layout.setContentsMargins(0, 0, 0, 0)
        panel_layout.addWidget(self.details, 1)
        panel_layout.addWidget(self.claim_number_button, 0, Qt.AlignmentFlag.AlignLeft)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(panel)
        splitter.setSizes([380, 140])
        self.summary = QLabel("Choose a period and press Preview.")
        self.summary.setWordWrap(True)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.save_button = self.buttons.addButton("&Save claims...",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setEnabled(False)
        self.sent_button = self.buttons.addButton("Sen&t claims…",
                                                  QDialogButtonBox.ButtonRole.ActionRole)
        self.sent_button.clicked.connect(self.open_sent_claims)
        self.buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.preview_button.clicked.connect(self._on_preview_clicked)
        self.format_box.currentIndexChanged.connect(self._on_request_changed)
        self.patient_box.currentIndexChanged.connect(self._on_request_changed)
        self.rebill.toggled.connect(self._on_request_changed)
        self.start_field.textChanged.connect(self._on_request_changed)
        self.end_field.textChanged.connect(self._on_request_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)

        top = QHBoxLayout()
        top.addLayout(form, 1)
        top.addWidget(self.preview_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

    # --- the request ----------------------------------------------------------------------

    def fmt(self) -> str:
        return self.format_box.currentData()

    def _request(self) -> tuple[dt.date, dt.date] | None:
        problems = {w: w.problem() for w in (self.start_field, self.end_field)}
        for widget, problem in problems.items():
            mark_field(widget, problem)
        start, end = self.start_field.date(), self.end_field.date()
        if any(problems.values()) or start is None or end is None:
            self.summary.setText("Type the period as MM/DD/YYYY.")
            return None
        if end < start:
            mark_field(self.end_field, "is before the start of the period")
            self.summary.setText("The end of the period is before its start.")
            return None
        return start, end

    @Slot()
    def _on_request_changed(self, *_args: Any) -> None:
        self.data_only.setEnabled(self.fmt() == "cms1500")
        self.save_button.setEnabled(False)  # what is saved must be what was previewed
        if self.current is not None:
            self.summary.setText("The choice changed: press Preview again.")

    @Slot()
    def _on_preview_clicked(self) -> BackgroundTask | None:
        request = self._request()
        if request is None:
            return None
        start, end = request
        fmt, patient, rebill = self.fmt(), self.patient_box.currentData(), self.rebill.isChecked()
        self._busy("Drafting claims...")
        self.task = run_in_background(
            self.ctx,
            lambda s: claim_batches.prepare_claims(s, start, end, fmt=fmt, patient_id=patient,
                                                   rebill=rebill),
            receiver=self, on_result=self._on_preview_loaded, on_error=self._on_failed)
        return self.task

    def _busy(self, text: str) -> None:
        self.summary.setText(text)
        self.preview_button.setEnabled(False)
        self.save_button.setEnabled(False)

    def _on_preview_loaded(self, preview: ClaimPreview) -> None:
        self.current = preview
        self.model.set_drafts(preview.drafts)
        self.table.resizeColumnsToContents()
        self.preview_button.setEnabled(True)
        good, refused = preview.good, preview.refused
        total = sum((d.total_charge for d in good), 0)
        parts = [f"{plural(len(good), 'claim')} ready (${total:,.2f}), "
                 f"{len(refused)} refused."]
        if preview.claimed_days:
            parts.append(f"{plural(preview.claimed_days, 'billable day')} already claimed "
                         "and left out (tick Rebill to replace their claims).")
        if preview.hold_days:
            parts.append(f"{plural(preview.hold_days, 'day')} on hold wait for a fix.")
        self.summary.setText(" ".join(parts))
        self.details.setPlainText(self._all_problems(preview))
        self.save_button.setEnabled(bool(good))
        self.preview_loaded.emit(preview)

    @staticmethod
    def _all_problems(preview: ClaimPreview) -> str:
        lines = []
        for d in preview.drafts:
            notes = [f"  - {p}" for p in d.problems] + [f"  - note: {w}" for w in d.warnings]
            if notes:
                lines += [f"{'Refused' if d.problems else 'Ready'}: {d.title}", *notes]
        return "\n".join(lines) or "No problem found."

    @Slot()
    def _on_selection_changed(self, *_args: Any) -> None:
        d = self.selected_draft()
        if d is None or self.current is None:
            return
        self.claim_number_button.setEnabled("no-payer-claim-number" in d.issue_codes)
        lines = [d.title, ""]
        lines += [f"Problem: {p}" for p in d.problems]
        lines += [f"Note: {w}" for w in d.warnings]
        lines += [""] + [
            f"{ln.start:%m/%d/%Y}"
            + (f"-{ln.end:%m/%d/%Y}" if ln.end != ln.start else "")
            + f"  {ln.code}{':' + ':'.join(ln.modifiers) if ln.modifiers else ''}"
            + f"  {ln.units} unit(s)  ${ln.charge:,.2f}"
            + (f"  auth {ln.authorization_number}" if ln.authorization_number else "")
            for ln in d.lines]
        self.details.setPlainText("\n".join(lines))

    def selected_draft(self) -> ClaimDraft | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.drafts[self.proxy.mapToSource(rows[0]).row()] if rows else None

    @Slot()
    def _on_claim_number_clicked(self) -> None:
        """Issue 11: the fix of `no-payer-claim-number`, here rather than a command line:
        record the payer's number of the claim being replaced, then draft again."""
        d = self.selected_draft()
        if d is None:
            return
        number = ask_payer_claim_number(self, SimpleNamespace(  # type: ignore[arg-type]
            account_number=d.account_number, payer_claim_number=None))
        if number is None:
            return
        try:
            ops.call(self.ctx, claim_batches.set_payer_claim_number,
                     account_number=d.account_number, number=number)
        except Exception as exc:
            show_error(self, exc, "Claims")
            return
        self._on_preview_clicked()

    @Slot()
    def open_sent_claims(self) -> QDialog:
        """The claims already sent: void one, record its payer's number, write a copy."""
        from ui.claims.sent_claims import SentClaimsDialog

        self.sent_dialog = SentClaimsDialog(self.ctx, self)
        self.sent_dialog.show()
        return self.sent_dialog

    # --- saving ---------------------------------------------------------------------------

    @Slot()
    def _on_save_clicked(self) -> None:
        if self.current is None:
            return
        _, pattern, suffix = FORMAT_FILES[self.current.fmt]
        name = f"claims-{self.current.start:%Y%m%d}-{self.current.end:%Y%m%d}{suffix}"
        path, _ = QFileDialog.getSaveFileName(self, "Save claims", save_folder.suggested(name),
                                              pattern)
        if path:
            save_folder.remember(path)
            self.save_to(Path(path))

    def save_to(self, path: Path) -> BackgroundTask | None:
        """Write and record the batch previewed, off the GUI thread; its change notice (the
        claimed days) reaches every view from the write operation."""
        preview = self.current
        if preview is None:
            return None
        fmt = preview.fmt
        patient, rebill, actor, data_only = (self.patient_box.currentData(),
                                             self.rebill.isChecked(), self.ctx.actor,
                                             self.data_only.isChecked())

        def save(work: Transactions) -> ExportResult:
            from reports.claims.claim_files import renderer  # ReportLab: loaded here, when needed

            # the batch pending, its files on disk, the batch completed: one notice at the end
            return claim_batches.export_claims(
                work, actor=actor, start=preview.start, end=preview.end, fmt=fmt, out=path,
                render=renderer(fmt, data_only), patient_id=patient, rebill=rebill)

        self._busy("Saving claims...")
        self.task = StepsOp(self.ctx, save).run_in_background(
            receiver=self, on_result=self._on_saved, on_error=self._on_failed)
        return self.task

    def _on_saved(self, result: ExportResult) -> None:
        self.preview_button.setEnabled(True)
        self.current = None
        written = len(result.written)
        if written:
            text = (f"{written} claim{'s' if written != 1 else ''} saved to {result.where} "
                    f"(batch {result.batch_id}), total ${result.total_charge:,.2f}.")
        else:
            text = "No claim was saved: the days were claimed meanwhile or have problems."
        if result.refused:
            text += f" {len(result.refused)} refused (listed below)."
        self.summary.setText(text)
        self.model.set_drafts(result.preview.drafts)
        self.details.setPlainText(self._all_problems(result.preview))
        self.claims_saved.emit(result)

    def _on_failed(self, exc: Exception) -> None:
        self.preview_button.setEnabled(True)
        self.summary.setText("Nothing was saved.")
        show_error(self, exc, "Claims")


def open_claims_dialog(ctx: AppContext, parent: QWidget | None = None) -> ClaimsDialog:
    dialog = ClaimsDialog(ctx, parent)
    dialog.show()
    return dialog

