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
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPen,
    QRegularExpressionValidator,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.billing.rules import BILLABLE, HOLD, REASONS, STATUSES, DayResult
from models.claims import batches as claim_batches
from models.claims.drafts import ClaimedInfo
from models.records import services
from models.records.services import Changes
from ui.billing import fixes
from ui.billing.billing_models import (
    CLAIMED,
    DAY_ROLE,
    LONG_DATE,
    STATUS_BACKGROUND,
    STATUS_FOREGROUND,
    STATUS_LABEL,
    STATUS_PLURAL,
    STATUS_SYMBOL,
    CalendarDay,
    CalendarTableModel,
    Claimed,
    claim_warning,
    code_text,
    count_statuses,
    status_text,
)
from ui.common import show_error
from ui.shell import ops
from ui.shell.tab_loading import LOADING_STYLE, LoadsInFront
from ui.shell.workers import BackgroundTask, run_in_background

MONTH_KEY = "calendar.month"  # ctx.view_state: the month shown, remembered for this run
ACCENT = QColor("#1f5fa8")
GRID = QColor("#c9ced6")


def today() -> dt.date:
    return dt.date.today()


def payer_claim_number_dialog(parent: QWidget | None, info: ClaimedInfo) -> QInputDialog:
    """The prompt for a claim's payer claim number; its field takes only what REF*F8 can carry
    (letters, digits, dashes, at most 50), so a bad character never gets typed."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Payer claim number")
    dialog.setLabelText(f"The payer's claim number (ICN/DCN) of claim {info.account_number}, "
                        "from the remittance or the payer's portal.\nA replacement of this "
                        "claim names it (837P REF*F8, CMS-1500 box 22).")
    dialog.setTextValue(info.payer_claim_number or "")
    field = dialog.findChild(QLineEdit)
    if field is not None:
        field.setObjectName("payer-claim-number-field")
        field.setMaxLength(50)
        field.setValidator(QRegularExpressionValidator(
            claim_batches.PAYER_CLAIM_NUMBER_RE.pattern.replace("A-Z", "A-Za-z"), field))
    return dialog


def ask_payer_claim_number(parent: QWidget | None, info: ClaimedInfo) -> str | None:
    """The number typed, or None when cancelled or left empty."""
    dialog = payer_claim_number_dialog(parent, info)
    if dialog.exec() != QInputDialog.DialogCode.Accepted:
        return None
    return dialog.textValue().strip() or None


def shift_month(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(first: dt.date) -> dt.date:
    return shift_month(first, 1) - dt.timedelta(days=1)


def chip_style(status: str) -> str:
    bg, fg = STATUS_BACKGROUND[status].name(), STATUS_FOREGROUND[status].name()
    return (
        f"QLabel {{ background: {bg}; color: {fg}; border: 1px solid {fg}; "
        "border-radius: 9px; padding: 2px 10px; font-weight: 600; }"
    )


def add_total_chips(layout: QHBoxLayout, scope: str, claimed_tip: str) -> dict[str, QLabel]:
    """One chip per status and one for claimed days, added to `layout`; `scope` ends the
    tooltips ("this month", "for the patients shown")."""
    chips: dict[str, QLabel] = {}
    for status in (*STATUSES, CLAIMED):
        chip = QLabel()
        chip.setObjectName(f"total-{status}")
        chip.setStyleSheet(chip_style(status))
        chip.setToolTip(claimed_tip if status == CLAIMED else
                        f"Per diem days {STATUS_PLURAL[status]} {scope} (one per order and "
                        "day: two therapies on a day count two)")
        chips[status] = chip
        layout.addWidget(chip)
    return chips


ARROW = QSize(30, 30)


def month_arrow(direction: Qt.ArrowType, tip: str) -> QToolButton:
    """A previous/next month button, the same in the calendar and the month view."""
    button = QToolButton()
    button.setFixedSize(ARROW)
    button.setArrowType(direction)
    button.setToolTip(tip)
    return button


def month_title_label() -> QLabel:
    """The "October 2026" title between the month arrows, wide enough for any month."""
    label = QLabel()
    label.setObjectName("month-label")
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.35)
    font.setBold(True)
    label.setFont(font)
    label.setMinimumWidth(QFontMetrics(font).horizontalAdvance("September 2026") + 16)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class CalendarDayDelegate(QStyledItemDelegate):
    """Paints a day cell: the date, the status in symbol and words, one line per order."""

    PAD = 6

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        day: CalendarDay | None = index.data(DAY_ROLE)
        if day is None:
            return
        painter.save()
        rect = option.rect
        background = index.data(Qt.ItemDataRole.BackgroundRole) or option.palette.base().color()
        painter.fillRect(rect, background)
        painter.setPen(QPen(GRID, 1))
        painter.drawLine(rect.topRight(), rect.bottomRight())
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())

        inner = rect.adjusted(self.PAD, self.PAD - 2, -self.PAD, -self.PAD)
        font = QFont(option.font)
        bold = QFont(font)
        bold.setBold(True)
        fm = QFontMetrics(font)
        line = fm.height()

        # the date, circled when it is today
        painter.setFont(bold)
        number = str(day.date.day)
        if day.date == today():
            badge = QRect(inner.left() - 3, inner.top(), fm.horizontalAdvance("00") + 8, line + 2)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setBrush(ACCENT)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(badge, 9, 9)
            painter.setPen(QColor("white"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, number)
        else:
            painter.setPen(QColor("#a0a0a0") if not day.in_month else QColor("#222222"))
            painter.drawText(
                QRect(inner.left(), inner.top(), inner.width(), line + 2),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                number,
            )

        status = day.shown_status
        if status:
            fg = STATUS_FOREGROUND[status]
            y = inner.top() + line + 6
            painter.setPen(fg)
            # bold when it fits; a narrow column gets regular weight before any eliding
            text = status_text(status)
            fits_bold = QFontMetrics(bold).horizontalAdvance(text) <= inner.width()
            painter.setFont(bold if fits_bold else font)
            painter.drawText(
                QRect(inner.left(), y, inner.width(), line),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                text
                if fits_bold
                else fm.elidedText(text, Qt.TextElideMode.ElideRight, inner.width()),
            )
            painter.setFont(font)
            mixed = day.mixed
            for r in day.results:
                y += line
                if y + line > rect.bottom():
                    break
                shown = day.shown(r)
                text = f"{STATUS_SYMBOL[shown]} {code_text(r)}" if mixed else code_text(r)
                painter.setPen(STATUS_FOREGROUND[shown] if mixed else QColor("#222222"))
                painter.drawText(
                    QRect(inner.left(), y, inner.width(), line),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    fm.elidedText(text, Qt.TextElideMode.ElideRight, inner.width()),
                )

        if option.state & QStyle.StateFlag.State_Selected:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            painter.setPen(QPen(ACCENT, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(1, 1, -2, -2))
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        day: CalendarDay | None = index.data(DAY_ROLE)
        fm = QFontMetrics(option.font)
        lines = 2 + (len(day.results) if day else 1)
        return QSize(
            fm.horizontalAdvance("✖ Not billable") + 2 * self.PAD + 8,
            lines * fm.height() + 2 * self.PAD + 6,
        )


class DayPanel(QWidget):
    """The selected day in words: each order's status and the reasons, with fix buttons."""

    fix_requested = Signal(str, object)  # reason code, DayResult
    claim_number_requested = Signal(object)  # ClaimedInfo of the claim to record it for

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(12, 12, 12, 12)
        self._layout.setSpacing(10)
        self.fix_buttons: dict[tuple[str, str], QPushButton] = {}  # (order id, code) -> button
        self.show_message("Select a day to see why it is or is not billable.")

    def _clear(self) -> None:
        self.fix_buttons.clear()
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget():
                item.widget().hide()  # gone at once, not only when the deferred delete runs
                item.widget().deleteLater()

    def _label(self, text: str, *, style: str = "", name: str = "") -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if style:
            label.setStyleSheet(style)
        if name:
            label.setObjectName(name)
        self._layout.addWidget(label)
        return label

    def show_message(self, text: str) -> None:
        self._clear()
        self._label(text, style="color: #555;", name="panel-message")
        self._layout.addStretch(1)

    def text(self) -> str:
        """Everything the panel says, for tests and screen readers."""
        return "\n".join(w.text() for w in self.findChildren(QLabel) if w.isVisibleTo(self))

    def show_day(self, day: CalendarDay, payer_names: dict[str, str]) -> None:
        self._clear()
        self._label(
            day.date.strftime(LONG_DATE),
            style="font-size: 15px; font-weight: 600;",
            name="panel-title",
        )
        if not day.results:
            self._label("No service on this day.", style="color: #555;", name="panel-message")
        for r in day.results:
            self._add_result(r, payer_names, day)
        self._layout.addStretch(1)

    def _add_result(self, r: DayResult, payer_names: dict[str, str], day: CalendarDay) -> None:
        card = QFrame()
        card.setObjectName("day-card")
        card.setStyleSheet(
            "QFrame#day-card { border: 1px solid #d4d8de; border-radius: 6px; "
            "background: #ffffff; }"
        )
        box = QVBoxLayout(card)
        box.setContentsMargins(10, 8, 10, 10)
        box.setSpacing(6)
        head = QHBoxLayout()
        badge = QLabel(status_text(day.shown(r)))
        badge.setStyleSheet(chip_style(day.shown(r)))
        badge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        code = QLabel(f"<b>{code_text(r)}</b>")
        code.setToolTip("Per diem code and modifiers")
        head.addWidget(badge)
        head.addWidget(code)
        head.addStretch(1)
        box.addLayout(head)
        details = [f"Order: {r.order_id}"]
        if r.payer_id:
            details.append(f"Payer: {payer_names.get(r.payer_id, r.payer_id)}")
        if r.authorization_number:
            details.append(f"Authorization: {r.authorization_number}")
        label = QLabel("\n".join(details))
        label.setStyleSheet("color: #444;")
        label.setWordWrap(True)
        box.addWidget(label)
        info = day.claim_of(r)
        if info is not None:
            where = (f"{info.format.upper()} file: {Path(info.file_name).name}"
                     if info.file_name else "")
            # one fact a line, so a narrow panel never breaks the claim number at its dash
            claim = QLabel("\n".join(x for x in (
                f"Claimed in batch {info.batch_id} on {info.batch_created_at:%m/%d/%Y}",
                f"Claim {info.account_number}"
                + (" (replacement)" if info.frequency_code == "7" else ""),
                f"Payer's claim no. {info.payer_claim_number}" if info.payer_claim_number
                else "",
                where) if x))
            claim.setObjectName("claim-info")
            claim.setWordWrap(True)
            claim.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            claim.setStyleSheet(f"color: {STATUS_FOREGROUND[CLAIMED].name()};")
            claim.setToolTip(info.file_name)
            box.addWidget(claim)
            number = QPushButton("Payer claim number…")
            number.setObjectName("payer-claim-number")
            number.setToolTip("Record the payer's claim number (ICN/DCN) of this claim, which "
                              "its replacement names")
            number.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            number.clicked.connect(
                lambda _=False, c=info: self.claim_number_requested.emit(c))
            box.addWidget(number)
            if r.status != BILLABLE:
                warning = QLabel(claim_warning(r))
                warning.setObjectName("claim-warning")
                warning.setWordWrap(True)
                warning.setStyleSheet(f"color: {STATUS_FOREGROUND[HOLD].name()};")
                box.addWidget(warning)
        if not r.reasons:
            done = QLabel("Every rule is met; a new claim leaves this day out unless you "
                          "rebill." if info is not None else "Ready to bill: every rule is met.")
            done.setWordWrap(True)
            done.setStyleSheet("color: #17603a;")
            box.addWidget(done)
        for code_ in r.reasons:
            reason = REASONS[code_]
            sentence = QLabel(f"<b>{reason.rule}</b> &nbsp;{reason.sentence}")
            sentence.setWordWrap(True)
            sentence.setObjectName(f"reason-{code_}")
            sentence.setToolTip(f"Rule {reason.rule} ({reason.code})")
            box.addWidget(sentence)
            button = QPushButton(fixes.fix_label(code_))
            button.setObjectName(f"fix-{code_}")
            button.setToolTip(f"Open the form that fixes this: {reason.fix}")
            button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            button.clicked.connect(lambda _=False, c=code_, d=r: self.fix_requested.emit(c, d))
            box.addWidget(button)
            self.fix_buttons[(r.order_id, code_)] = button
        self._layout.addWidget(card)


class PatientCalendar(QWidget, LoadsInFront):
    """The billing calendar tab of a patient."""

    data_loaded = Signal()  # after each (re)load has been shown
    month_changed = Signal(object)  # the first day of the month now shown
    fix_opened = Signal(str)  # the form fixing a reason was opened (reason code)

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patient_id: str | None = None
        self.month: dt.date = ctx.view_state.get(MONTH_KEY) or today().replace(day=1)
        self._selected: dt.date | None = None
        self._generation = 0
        self._task: BackgroundTask | None = None
        self._shown: tuple[str | None, dt.date] | None = None  # (patient, month) on screen
        self._payer_names: dict[str, str] = {}
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

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(CalendarDayDelegate(self.table))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setMouseTracking(True)
        self.table.setStyleSheet(
            "QTableView { border: 1px solid #c9ced6; background: #ffffff; }"
            "QTableView::item:selected { background: transparent; }"
        )
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # narrow enough for all seven days in a tab beside the patient list on a 1280-pixel
        # screen: "✔ Billable" and a code fit, longer text is elided (the symbol stays) and the
        # tooltip and side panel say it in full
        bold = QFont(self.font())
        bold.setBold(True)
        hh.setMinimumSectionSize(
            max(QFontMetrics(bold).horizontalAdvance("✔ Billable"),
                QFontMetrics(self.font()).horizontalAdvance("S9338 U1"))
            + 2 * CalendarDayDelegate.PAD
            + 4
        )
        hh.setHighlightSections(False)
        # a week never scrolls sideways: at the narrowest a column gives up a few pixels
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        vh = self.table.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        vh.setMinimumSectionSize(QFontMetrics(self.font()).height() * 4 + 18)
        vh.hide()
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
        self.panel.fix_requested.connect(self._on_fix_requested)
        self.panel.claim_number_requested.connect(self._on_claim_number_requested)
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
            self._show(generation, first, ([], {}, {}))
            return
        last = month_end(first)

        def load(session: Any) -> tuple[list[DayResult], dict[str, str], Claimed]:
            days = services.billable_days(session, first, last, patient_id)
            claimed = claim_batches.claimed_days(session, patient_id, start=first, end=last)
            return days, {p.id: p.name for p in services.list_payers(session)}, claimed

        self._task = run_in_background(
            self.ctx,
            load,
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

    def _show(
        self, generation: int, first: dt.date,
        data: tuple[list[DayResult], dict[str, str], Claimed],
    ) -> None:
        if generation != self._generation:
            return  # a newer load was started; its result will come
        self._task = None
        self._shown = (self.patient_id, first)
        results, self._payer_names, claimed = data
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
        if today().replace(day=1) == first:
            return today()
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
        self.panel.show_day(day, self._payer_names)

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
        self.select_day(today())

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
            or (not changes.patient_ids and not changes.kinds <= {"pharmacy", "prescriber"})
        ):
            self.reload()

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
    def _on_claim_number_requested(self, info: ClaimedInfo) -> None:
        number = ask_payer_claim_number(self, info)
        if number is None:
            return
        try:  # the saved change reloads the calendar, which then shows the number
            ops.call(self.ctx, claim_batches.set_payer_claim_number,
                     account_number=info.account_number, number=number)
        except Exception as exc:
            show_error(self, exc)
