"""The pharmacy-wide billing month: every patient's service days, filters, totals, CSV export.

Patients are rows and the days of the month columns; each service day is coloured and marked by
its status symbol (Print… saves the table as a PDF: reports/month_pdf.py). Filters by status,
reason and payer keep the patients having a day that matches them all; the footer adds up the
visible rows. Double-click a patient to open them.

The month is computed in the background ("Computing…" above the table meanwhile; another
month's rows never stay on screen under this month's title), and a newer request drops the
older one. The rows, filters and CSV are models/billing/month.py; the Qt models month_model.py;
the table itself (day cells, column sizing, opening a row) month_table.py.

It is over 400 lines on purpose: what is left is the one window's toolbar and filters and its
four outputs (CSV, PDF, packets, opening a patient), each a few lines over the same state.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QFontMetrics, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.billing import month
from models.billing.month import MonthFilter, PatientMonth
from models.billing.rules import REASONS, STATUSES
from models.files import write_atomic
from models.records import registry
from models.records.changes import Changes
from models.security import audit
from models.security.access import clinical_read
from models.words import plural
from ui import save_folder
from ui.billing import calendar_view
from ui.billing.billing_models import ROW_ROLE, STATUS_LABEL, STATUS_PLURAL, STATUS_SYMBOL
from ui.billing.month_bar import (
    ARROW,
    add_total_chips,
    month_arrow,
    month_title_label,
    shift_month,
    today,
)
from ui.billing.month_model import MonthFilterProxyModel, MonthTableModel
from ui.billing.month_table import MonthTable
from ui.common import show_error
from ui.shell.read_audit import record_billing_view
from ui.shell.tab_loading import LOADING_STYLE
from ui.shell.workers import BackgroundTask, run_in_background

MONTH_KEY = "month_view.month"
NO_COVERAGE = ""  # the payer filter's value for days without a primary coverage


class MonthView(QWidget):
    """The billing month of the whole pharmacy."""

    patient_activated = Signal(str)  # a patient row was double-clicked (or Enter pressed)
    data_loaded = Signal()
    csv_exported = Signal(str)  # the path written

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.month: dt.date = ctx.view_state.get(MONTH_KEY) or today().replace(day=1)
        self._generation = 0
        self._task: BackgroundTask | None = None
        self._computing = False
        self._shown_month: dt.date | None = None
        self.model = MonthTableModel(self)
        self.proxy = MonthFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self._build()
        self.proxy.rowsInserted.connect(self._show_totals)
        self.proxy.rowsRemoved.connect(self._show_totals)
        self.proxy.modelReset.connect(self._show_totals)
        self.proxy.layoutChanged.connect(self._show_totals)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.database_replaced.connect(self._on_database_replaced)
        self.month_label.setText(self.month.strftime("%B %Y"))
        self._show_totals()
        # the whole pharmacy's month is the costly view: it loads when first shown, and a
        # change made while it is hidden reloads it when it is shown again
        self._stale = True

    # --- layout -----------------------------------------------------------------------------

    def _build(self) -> None:
        arrow = ARROW
        self.prev_button = month_arrow(Qt.ArrowType.LeftArrow, "Previous month")
        self.next_button = month_arrow(Qt.ArrowType.RightArrow, "Next month")
        self.today_button = QPushButton("This month")
        self.today_button.setMinimumHeight(arrow.height())
        self.month_label = month_title_label()
        self.prev_button.clicked.connect(self._on_prev_clicked)
        self.next_button.clicked.connect(self._on_next_clicked)
        self.today_button.clicked.connect(self._on_today_clicked)

        self.status_combo = QComboBox()
        self.status_combo.setObjectName("status-filter")
        self.status_combo.addItem("All statuses", None)
        for status in STATUSES:
            self.status_combo.addItem(f"{STATUS_SYMBOL[status]} {STATUS_LABEL[status]}", status)
        self.reason_combo = QComboBox()
        self.reason_combo.setObjectName("reason-filter")
        self.reason_combo.addItem("Any reason", None)
        for reason in REASONS.values():
            self.reason_combo.addItem(f"{reason.rule} · {reason.text}", reason.code)
            self.reason_combo.setItemData(
                self.reason_combo.count() - 1, reason.sentence, Qt.ItemDataRole.ToolTipRole
            )
        self.reason_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.reason_combo.setMinimumContentsLength(26)
        self.reason_combo.view().setMinimumWidth(
            max(
                QFontMetrics(self.font()).horizontalAdvance(self.reason_combo.itemText(i))
                for i in range(self.reason_combo.count())
            )
            + 40
        )
        self.payer_combo = QComboBox()
        self.payer_combo.setObjectName("payer-filter")
        self.payer_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._fill_payers([])
        for combo in (self.status_combo, self.reason_combo, self.payer_combo):
            combo.currentIndexChanged.connect(self._on_filter_changed)
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.clicked.connect(self._on_clear_clicked)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("Save the table as shown (after the filters) as CSV")
        self.export_button.clicked.connect(self._on_export_clicked)
        self.print_button = QPushButton("Print…")
        self.print_button.setToolTip("Save the table as shown (after the filters) as a PDF to "
                                     "print")
        self.print_button.clicked.connect(self._on_print_clicked)
        self.packets_button = QPushButton("Packets for the month…")
        self.packets_button.setToolTip("One documentation packet (PDF) per patient with service "
                                       "days this month, written into a folder")
        self.packets_button.clicked.connect(self._on_packets_clicked)

        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.month_label)
        nav.addWidget(self.next_button)
        nav.addSpacing(6)
        nav.addWidget(self.today_button)
        nav.addStretch(1)
        nav.addWidget(self.packets_button)
        nav.addWidget(self.export_button)
        nav.addWidget(self.print_button)
        filters = QHBoxLayout()
        for text, combo in (
            ("Status", self.status_combo),
            ("Reason", self.reason_combo),
            ("Payer", self.payer_combo),
        ):
            label = QLabel(text)
            label.setBuddy(combo)
            filters.addWidget(label)
            filters.addWidget(combo)
            filters.addSpacing(10)
        filters.addWidget(self.clear_button)
        filters.addStretch(1)

        self.table = MonthTable(self.model, self.proxy)
        self.table.row_opened.connect(self._on_row_opened)

        self.empty_label = QLabel()
        self.empty_label.setObjectName("empty-message")
        self.empty_label.setStyleSheet("color: #555; padding: 4px;")
        self.count_label = QLabel()
        self.count_label.setObjectName("visible-count")
        self.total_labels: dict[str, QLabel] = {}
        footer = QHBoxLayout()
        footer.addWidget(self.count_label)
        footer.addWidget(self.empty_label, 1)
        self.total_labels.update(add_total_chips(
            footer, "for the patients shown", "Billable days of the patients shown already in "
            "a claim batch (☑ in the table); a new claim leaves them out unless you rebill"))
        self.expected_label = QLabel()
        self.expected_label.setObjectName("expected-revenue")
        self.expected_label.setToolTip("Expected revenue of the billable days and nursing "
                                       "visits of the patients shown (the Expected column's "
                                       "total)")
        footer.addWidget(self.expected_label)

        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #a32020;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.computing_label = QLabel()
        self.computing_label.setObjectName("computing-message")
        self.computing_label.setStyleSheet(LOADING_STYLE)
        self.computing_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(nav)
        layout.addLayout(filters)
        layout.addWidget(self.error_label)
        layout.addWidget(self.computing_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(footer)

    def _fill_payers(self, payers: list[tuple[str, str]]) -> None:
        current = self.payer_combo.currentData()
        self.payer_combo.blockSignals(True)
        self.payer_combo.clear()
        self.payer_combo.addItem("All payers", None)
        for payer_id, name in payers:
            self.payer_combo.addItem(name, payer_id)
        self.payer_combo.addItem("No primary coverage", NO_COVERAGE)
        found = self.payer_combo.findData(current)
        self.payer_combo.setCurrentIndex(max(found, 0) if current is not None else 0)
        self.payer_combo.blockSignals(False)

    # --- public -----------------------------------------------------------------------------

    def set_month(self, first: dt.date) -> None:
        self.month = first.replace(day=1)
        self.ctx.view_state[MONTH_KEY] = self.month
        self.month_label.setText(self.month.strftime("%B %Y"))
        self.reload()

    def set_filter(self, month_filter: MonthFilter) -> None:
        """Show the filter in the combo boxes and apply it."""
        for combo, value in (
            (self.status_combo, month_filter.status),
            (self.reason_combo, month_filter.reason),
            (self.payer_combo, month_filter.payer_id),
        ):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(value), 0) if value is not None else 0)
            combo.blockSignals(False)
        self._on_filter_changed()

    def visible_patients(self) -> list[PatientMonth]:
        return self.proxy.visible_rows()

    @property
    def computing(self) -> bool:
        return self._computing

    @Slot()
    def reload(self) -> None:
        if self._task is not None:
            self._task.cancel()  # skipped if not started; its answer is never shown
        self._computing = True
        self._stale = False
        self._show_computing()
        self._generation += 1
        generation, first = self._generation, self.month
        self._task = run_in_background(
            self.ctx,
            clinical_read(self.ctx.actor, lambda session: month.load_month(session, first)),
            receiver=self,
            on_result=lambda data: self._show(generation, first, data),
            on_error=lambda exc: self._on_load_failed(generation, exc),
        )

    def save_pdf(self, path: str | Path) -> Path:
        """The visible table as a PDF to print (reports/month_pdf.py)."""
        from models.records.reference import get_pharmacy
        from reports.month_pdf import render_month  # ReportLab loads when printing

        pharmacy = self.ctx.read(get_pharmacy)
        return write_atomic(path, render_month(
            dt.date(self.model.year, self.model.month, 1), self.proxy.visible_rows(),
            pharmacy.name if pharmacy else ""))

    def _on_print_clicked(self) -> None:
        from ui.claims.packet_actions import open_in_viewer

        path, _ = QFileDialog.getSaveFileName(self, "Print the month (PDF)", save_folder.suggested(
            f"billing-{self.month:%Y-%m}.pdf"), "PDF (*.pdf)")
        if path:
            save_folder.remember(path)
            try:
                open_in_viewer(self.save_pdf(path))
            except OSError as exc:
                show_error(self, exc, title="Not saved")

    def export_csv(self, path: str | Path) -> int:
        """Write the visible table, in the order shown, to `path` (replaced whole, never
        half-written; the CSV of `main.py month`); returns the number of patient rows."""
        rows = self.proxy.visible_rows()
        shown = dt.date(self.model.year, self.model.month, 1)
        write_atomic(path, month.to_csv(shown, rows))
        self.csv_exported.emit(str(path))
        return len(rows)

    # --- showing ----------------------------------------------------------------------------

    def _show_computing(self) -> None:
        """The visible "computing" state while every patient's month is evaluated."""
        if self._shown_month != self.month:
            self.model.set_month(self.month.year, self.month.month, [])
            self._shown_month = None
        self.computing_label.setText(
            f"Computing every patient's billing days for {self.month:%B %Y}…")
        self.computing_label.show()
        self._show_totals()

    def _show(self, generation: int, first: dt.date, data: month.Month) -> None:
        if generation != self._generation:
            return
        self._task = None
        self._computing = False
        if self._shown_month != first:
            record_billing_view(self.ctx, audit.MONTH, first, detail="month view")
        self._shown_month = first
        self.computing_label.hide()
        self.error_label.hide()
        self._fill_payers(data.payers)
        self.model.today = today()
        self.model.set_month(first.year, first.month, data.rows, dict(data.payers))
        self._on_filter_changed()
        self.table.measure_names()
        self.table.size_columns()
        self.data_loaded.emit()

    def _on_load_failed(self, generation: int, exc: Exception) -> None:
        if generation != self._generation:
            return
        self._task = None
        self._computing = False
        self.computing_label.hide()
        self._show_totals()
        self.error_label.setText(f"The month could not be loaded: {exc}")
        self.error_label.show()
        self.data_loaded.emit()

    @Slot()
    def _show_totals(self) -> None:
        totals = self.proxy.visible_totals()
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(
            f"{shown} of {total} patients shown" if shown != total else f"{total} patients"
        )
        if self.computing:
            self.empty_label.setText("")
        elif total == 0:
            self.empty_label.setText("No service days recorded this month.")
        elif shown == 0:
            self.empty_label.setText("No patient has a day matching these filters.")
        else:
            self.empty_label.setText("")
        for status, chip in self.total_labels.items():
            chip.setText(f"{STATUS_SYMBOL[status]} {totals[status]} {STATUS_PLURAL[status]}")
        self.expected_label.setText(f"Expected ${self.proxy.visible_expected():,.2f}")

    # --- slots ------------------------------------------------------------------------------

    @Slot()
    def _on_filter_changed(self) -> None:
        self.proxy.set_filter(
            MonthFilter(
                status=self.status_combo.currentData(),
                reason=self.reason_combo.currentData(),
                payer_id=self.payer_combo.currentData(),
            )
        )
        self._show_totals()

    @Slot()
    def _on_clear_clicked(self) -> None:
        self.set_filter(MonthFilter())

    @Slot()
    def _on_prev_clicked(self) -> None:
        self.set_month(shift_month(self.month, -1))

    @Slot()
    def _on_next_clicked(self) -> None:
        self.set_month(shift_month(self.month, 1))

    @Slot()
    def _on_today_clicked(self) -> None:
        self.set_month(today())

    @Slot(QModelIndex)
    def _on_row_opened(self, index: QModelIndex) -> None:
        row: PatientMonth | None = index.data(ROW_ROLE)
        if row is None:
            return
        # the patient's calendar opens on the month being looked at
        self.ctx.view_state[calendar_view.MONTH_KEY] = self.month
        self.patient_activated.emit(row.patient_id)

    @Slot(object)
    def _on_data_changed(self, changes: Changes) -> None:
        # the pharmacy counts: its order_signature setting changes statuses (R27)
        if changes.kinds and not changes.kinds <= {registry.PRESCRIBER.key}:
            self._reload_when_visible()

    @Slot()
    def _on_database_replaced(self) -> None:
        self._reload_when_visible()

    def _reload_when_visible(self) -> None:
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    @Slot()
    def _on_packets_clicked(self) -> None:
        from ui.claims.packet_actions import make_month_packets

        make_month_packets(self.ctx, self, self.month.year, self.month.month)

    @Slot()
    def _on_export_clicked(self) -> None:
        default = f"billing-{self.month:%Y-%m}.csv"
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the month as CSV", save_folder.suggested(default), "CSV files (*.csv)"
        )
        if not path:
            return
        save_folder.remember(path)
        try:
            count = self.export_csv(path)
        except OSError as exc:
            show_error(self, exc, title="Not exported")
            return
        self.count_label.setText(f"{plural(count, 'patient')} exported to {Path(path).name}")
