"""One patient's billing calendar: a month grid of service days and why each is (not) billable.

Each day with service shows its status by colour, symbol and word, the per diem code with its
modifiers (one line per order), and a tooltip with the reasons. The side panel lists the
selected day's reasons in words, each with a button that opens the form fixing it. A billable
day already in a claim batch reads "Claimed", and the panel names the batch, its date and the
claim, and records the payer's claim number (ICN/DCN) that a replacement of the claim names.

The month is computed in the background: meanwhile the grid shows the month's dates with
"Computing the billing days…" above them (another patient's or month's days never stay on
screen), and a newer request drops the older one. Behind another tab the calendar computes
nothing until it comes to the front.

It is over 400 lines on purpose: the grid and its side panel share one month's state (the
days, the claims, the late entries and lots of R26/R28, the nursing visits of R34, the records
a fix opens).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from models.billing import loading
from models.billing.fixes import involved_record
from models.billing.rules import HOLD, DayResult
from models.billing.visit_data import billable_visits
from models.billing.visits import VisitResult
from models.claims import batches as claim_batches
from models.claims.drafts import ClaimedInfo
from models.records import clinical, recorded, reference, registry
from models.records.changes import Changes
from models.security import audit
from models.security.access import clinical_read
from ui.billing import day_panel, fixes, month_bar
from ui.billing.billing_models import (
    CLAIMED,
    STATUS_LABEL,
    STATUS_PLURAL,
    STATUS_SYMBOL,
    CalendarDay,
    CalendarTableModel,
    Claimed,
    count_statuses,
)
from ui.billing.calendar_cells import calendar_table
from ui.billing.day_panel import DayPanel
from ui.billing.month_bar import (
    ARROW,
    add_total_chips,
    month_arrow,
    month_end,
    month_title_label,
    shift_month,
)
from ui.common import show_error
from ui.shell import ops
from ui.shell.read_audit import record_billing_view
from ui.shell.tab_loading import LOADING_STYLE, LoadsInFront
from ui.shell.workers import BackgroundTask, run_in_background

MONTH_KEY = "calendar.month"  # ctx.view_state: the month shown, remembered for this run
# a month's days, payer names, claimed days, (R26) late or imported records by date, (R28) lots,
# (R34) nursing visits
MonthData = tuple[list[DayResult], dict[str, str], Claimed,
                  dict[dt.date, list[recorded.RecordedNote]], dict[tuple[str, dt.date], list[str]],
                  list[VisitResult]]


class PatientCalendar(QWidget, LoadsInFront):
    """The billing calendar tab of a patient."""

    data_loaded = Signal()  # after each (re)load has been shown
    month_changed = Signal(object)  # the first day of the month now shown
    fix_opened = Signal(str)  # the form fixing a reason was opened (reason code)

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: str | None = None
        self.month: dt.date = ctx.view_state.get(MONTH_KEY) or month_bar.today().replace(day=1)
        self._selected: dt.date | None = None
        self._generation = 0
        self._task: BackgroundTask | None = None
        self._shown: tuple[str | None, dt.date] | None = None  # (patient, month) on screen
        self._payer_names: dict[str, str] = {}
        self._notes: dict[dt.date, list[recorded.RecordedNote]] = {}  # R26, by date
        self._lots: dict[tuple[str, dt.date], list[str]] = {}  # R28, by order and date
        self.model = CalendarTableModel(self)
        self._build()
        ctx.data_changed.connect(self._on_data_changed)
        ctx.database_replaced.connect(self.reload)
        self._show_month_label()
        self._show_totals([], 0)

    # --- layout -----------------------------------------------------------------------------

    def _build(self) -> None:
        arrow = ARROW
        self.prev_button = month_arrow(Qt.ArrowType.LeftArrow, "Previous month (Page Up)")
        self.next_button = month_arrow(Qt.ArrowType.RightArrow, "Next month (Page Down)")
        self.today_button = QPushButton("Today")
        self.today_button.setToolTip("Jump to this month and select today")
        self.today_button.setMinimumHeight(arrow.height())
        self.month_label = month_title_label()
        self.prev_button.clicked.connect(self._on_prev_clicked)
        self.next_button.clicked.connect(self._on_next_clicked)
        self.today_button.clicked.connect(self._on_today_clicked)
        self.packet_button = QPushButton("Documentation packet…")
        self.packet_button.setToolTip("Print this month's documentation packet (PDF) for an "
                                      "auditor or a claim")
        self.packet_button.setMinimumHeight(arrow.height())
        self.packet_button.clicked.connect(self._on_packet_clicked)

        self.total_labels: dict[str, QLabel] = {}
        bar = QHBoxLayout()
        bar.addWidget(self.prev_button)
        bar.addWidget(self.month_label)
        bar.addWidget(self.next_button)
        bar.addSpacing(8)
        bar.addWidget(self.today_button)
        bar.addStretch(1)
        bar.addWidget(self.packet_button)
        totals = QHBoxLayout()
        totals.addWidget(QLabel("This month:"))
        self.total_labels.update(add_total_chips(
            totals, "this month", "Billable days of this month already in a claim batch "
            "(Billing ▸ Claim drafts…); a new claim leaves them out unless you rebill"))
        totals.addStretch(1)

        self.table = calendar_table(self.model, self.font())
        self.table.selectionModel().currentChanged.connect(self._on_current_changed)
        self.table.installEventFilter(self)

        self.status_label = QLabel()
        self.status_label.setObjectName("load-status")
        self.status_label.setWordWrap(True)
        self.status_label.hide()

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addLayout(bar)
        lv.addWidget(self.status_label)
        lv.addWidget(self.table, 1)
        lv.addLayout(totals)

        self.panel = DayPanel()
        self.packet_job: Any = None  # the claim packet being made (tests wait on it)
        self.panel.fix_requested.connect(self._on_fix_requested)
        self.panel.open_requested.connect(lambda i, d: fixes.open_involved(self.ctx, self, i, d))
        self.panel.visit_requested.connect(self._on_visit_requested)
        self.panel.involved = lambda c, d: self.ctx.read(lambda s: involved_record(s, c, d))
        self.panel.claim_number_requested.connect(self._on_claim_number_requested)
        self.panel.claim_packet_requested.connect(self._on_claim_packet_requested)
        scroll = QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(240)
        scroll.setFrameShape(QFrame.Shape.StyledPanel)
        scroll.setStyleSheet(
            "QScrollArea { background: #f7f8fa; } DayPanel { background: #f7f8fa; }"
        )

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([700, 290])  # in proportion: room for the panel's date on one line
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter)

    # --- public -----------------------------------------------------------------------------

    def set_patient(self, patient_id: str | None) -> None:
        if patient_id != self.patient_id:
            self._selected = None
        self.patient_id = patient_id
        remembered = self.ctx.view_state.get(MONTH_KEY)
        if remembered:
            self.month = remembered
            self._show_month_label()
        self.reload()

    def set_month(self, first: dt.date) -> None:
        self.month = first.replace(day=1)
        self.ctx.view_state[MONTH_KEY] = self.month
        self._show_month_label()
        self.month_changed.emit(self.month)
        self.reload()

    def select_day(self, day: dt.date) -> None:
        """Select `day` (switching month if needed)."""
        if day.replace(day=1) != self.month:
            self._selected = day
            self.set_month(day)
            return
        self._selected = day
        index = self.model.index_of(day)
        if index.isValid():
            self.table.setCurrentIndex(index)
        self._show_selected()

    def day(self, day: dt.date) -> CalendarDay | None:
        index = self.model.index_of(day)
        return self.model.day_at(index) if index.isValid() else None

    @property
    def computing(self) -> bool:
        return self._task is not None

    @Slot()
    def reload(self) -> None:
        if self.deferred():
            return
        if self._task is not None:
            self._task.cancel()  # skipped if not started; its answer is never shown
            self._task = None
        self._show_computing()
        self._generation += 1
        generation = self._generation
        patient_id, first = self.patient_id, self.month
        if patient_id is None:
            self._show(generation, first, ([], {}, {}, {}, {}, []))
            return
        last = month_end(first)

        def load(session: Any) -> MonthData:
            days = loading.billable_days(session, first, last, patient_id)
            claimed = claim_batches.claimed_days(session, patient_id, start=first, end=last)
            notes = recorded.day_notes(session, patient_id, first, last)  # R26
            payers = {p.id: p.name for p in reference.list_payers(session)}
            return (days, payers, claimed, notes,
                    clinical.day_lots(session, patient_id, first, last),
                    billable_visits(session, first, last, patient_id))  # R34

        self._task = run_in_background(
            self.ctx,
            clinical_read(self.ctx.actor, load),  # issue 12: none for the administrator
            receiver=self,
            on_result=lambda data: self._show(generation, first, data),
            on_error=lambda exc: self._on_load_failed(generation, exc),
        )

    # --- showing ----------------------------------------------------------------------------

    def _show_computing(self) -> None:
        """The visible "computing" state while the month is read and its rules evaluated."""
        if self.patient_id is None:
            return
        if self._shown != (self.patient_id, self.month):
            self.model.set_month(self.month.year, self.month.month, [], self._payer_names, {})
            self.panel.show_message("Computing this month's billing days…")
            for status, chip in self.total_labels.items():
                chip.setText(f"{STATUS_SYMBOL[status]} … {STATUS_PLURAL[status]}")
        self.status_label.setText(f"Computing the billing days of {self.month:%B %Y}…")
        self.status_label.setStyleSheet(LOADING_STYLE)
        self.status_label.show()

    def _show(self, generation: int, first: dt.date, data: MonthData) -> None:
        if generation != self._generation:
            return  # a newer load was started; its result will come
        self._task = None
        if self.patient_id is not None and self._shown != (self.patient_id, first):
            record_billing_view(self.ctx, audit.BILLABLE_DAYS, first, self.patient_id,
                                "billing calendar")
        self._shown = (self.patient_id, first)
        results, self._payer_names, claimed, self._notes, self._lots, visits = data
        self._visits: dict[dt.date, list[VisitResult]] = {}
        for v in visits:
            self._visits.setdefault(v.date, []).append(v)
        self.status_label.hide()
        self.model.set_month(first.year, first.month, results, self._payer_names, claimed)
        self._show_totals(results, self.model.claimed_count())
        if self.patient_id is None:
            self.panel.show_message("Choose a patient to see their billing calendar.")
        else:
            if self._selected is None or self._selected.replace(day=1) != first:
                self._selected = self._default_selection(results, first)
            index = self.model.index_of(self._selected)
            self.table.setCurrentIndex(index)
            self._show_selected()
        self.data_loaded.emit()

    def _default_selection(self, results: list[DayResult], first: dt.date) -> dt.date:
        """Today if it is in the month shown, else the first day needing attention."""
        if month_bar.today().replace(day=1) == first:
            return month_bar.today()
        for r in results:
            if r.status == HOLD:
                return r.date
        return results[0].date if results else first

    def _on_load_failed(self, generation: int, exc: Exception) -> None:
        if generation != self._generation:
            return
        self._task = None
        self.status_label.setText(f"The calendar could not be loaded: {exc}")
        self.status_label.setStyleSheet("color: #a32020;")
        self.status_label.show()
        self.data_loaded.emit()

    def _show_month_label(self) -> None:
        self.month_label.setText(self.month.strftime("%B %Y"))

    def _show_totals(self, results: list[DayResult], claimed: int) -> None:
        counts = {**count_statuses(results), CLAIMED: claimed}
        for status, chip in self.total_labels.items():
            chip.setText(f"{STATUS_SYMBOL[status]} {counts[status]} {STATUS_PLURAL[status]}")
            chip.setAccessibleName(f"{counts[status]} days {STATUS_LABEL[status]}")

    def _show_selected(self) -> None:
        index = self.table.currentIndex()
        day = self.model.day_at(index)
        if day is None or not day.in_month:
            self.panel.show_message("Select a day to see why it is or is not billable.")
            return
        self._selected = day.date
        self.panel.show_day(day, self._payer_names, self._notes.get(day.date, []), self._lots,
                            self._visits.get(day.date, []))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Page Up / Page Down in the grid turn the month (a month is the grid's page)."""
        if (
            watched is self.table
            and isinstance(event, QKeyEvent)
            and (event.type() == QEvent.Type.KeyPress)
        ):
            key = event.key()
            if key == Qt.Key.Key_PageUp:
                self._on_prev_clicked()
                return True
            if key == Qt.Key.Key_PageDown:
                self._on_next_clicked()
                return True
        return super().eventFilter(watched, event)

    # --- slots ------------------------------------------------------------------------------

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self.model.day_at(current) is not None:
            self._show_selected()

    @Slot()
    def _on_prev_clicked(self) -> None:
        self.set_month(shift_month(self.month, -1))

    @Slot()
    def _on_next_clicked(self) -> None:
        self.set_month(shift_month(self.month, 1))

    @Slot()
    def _on_today_clicked(self) -> None:
        self.select_day(month_bar.today())

    @Slot()
    def _on_packet_clicked(self) -> None:
        if self.patient_id is None:
            return
        from ui.claims.packet_actions import (
            make_packet,  # ReportLab loads only when a packet is made
        )

        make_packet(self.ctx, self, self.patient_id, self.month, month_end(self.month))

    @Slot(object)
    def _on_data_changed(self, changes: Changes) -> None:
        if self.patient_id is None:
            return
        if (
            self.patient_id in changes.patient_ids
            or changes.touches("payer")
            # the pharmacy's audit settings change statuses (R27) and late notes (R26)
            or (not changes.patient_ids and not changes.kinds <= {"prescriber"})
        ):
            self.reload()

    @Slot(str)
    def _on_visit_requested(self, visit_id: str) -> None:
        """R34: open a visit of the day panel (to complete an incomplete one)."""
        from ui.forms.record_forms import open_record_form

        if self.patient_id is not None:
            open_record_form(self.ctx, self, registry.NURSING_VISIT, patient_id=self.patient_id,
                             record_id=visit_id)

    @Slot(str, object)
    def _on_fix_requested(self, reason_code: str, day: DayResult) -> None:
        try:
            opened = fixes.open_fix(self.ctx, self, reason_code, day)
        except Exception as exc:  # the form could not open: say so, nothing was changed
            show_error(self, exc, title="Could not open the form")
            return
        if opened:
            self.fix_opened.emit(reason_code)

    @Slot(object)
    def _on_claim_packet_requested(self, info: ClaimedInfo) -> None:
        from ui.claims.packet_actions import (
            make_claim_packet,  # ReportLab loads only when a packet is made
        )

        self.packet_job = make_claim_packet(self.ctx, self, info.account_number)

    @Slot(object)
    def _on_claim_number_requested(self, info: ClaimedInfo) -> None:
        number = day_panel.ask_payer_claim_number(self, info)
        if number is None:
            return
        try:  # the saved change reloads the calendar, which then shows the number
            ops.call(self.ctx, claim_batches.set_payer_claim_number,
                     account_number=info.account_number, number=number)
        except Exception as exc:
            show_error(self, exc)
