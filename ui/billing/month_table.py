"""The month view's table: one row a patient, the totals, then one narrow column a day.

How it looks and fits: the day cells painted by one delegate, the name columns measured from
their texts, the days narrowed to fit the width before the table scrolls sideways, and a row
opened by a double-click or Enter. What it shows is month_model.py's; the window around it
(month, filters, loading, footer) is month_view.py.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from models.billing.rules import STATUSES
from ui.billing.billing_models import STATUS_LABEL
from ui.billing.month_model import MonthFilterProxyModel, MonthTableModel

SELECTED = QColor("#cfe0f5")  # the selected row, as the table's stylesheet has it


class MonthDayDelegate(QStyledItemDelegate):
    """Paints the day cells (a coloured square with the status symbol) from one question to
    the table model per cell; the default delegate asked Python for seven roles a cell,
    which made a repaint of the table take a fifth of a second."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        proxy = index.model()
        assert isinstance(proxy, MonthFilterProxyModel)
        cell = proxy.source().day_cell(proxy.mapToSource(index).row(), index.column())
        rect = option.rect
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, SELECTED)
        if cell is None:
            return
        symbol, background, foreground = cell
        if not option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, background)
        painter.setPen(foreground)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, symbol)


class MonthTable(QTableView):
    """The patients of the month (`proxy` over `model`), sorted in the model's name order
    until a heading is clicked."""

    row_opened = Signal(QModelIndex)  # double-clicked, or Enter pressed on it

    def __init__(self, model: MonthTableModel, proxy: MonthFilterProxyModel,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.month_model = model
        self.name_widths = (160, 110)  # patient and payer columns (see measure_names)
        self.setModel(proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # keep the model's name order
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().hide()
        self.setStyleSheet(
            "QTableView { gridline-color: #dde1e6; selection-background-color: #cfe0f5;"
            " selection-color: #111; }"
            "QHeaderView::section { padding: 2px 4px; }"
        )
        fm = QFontMetrics(self.font())
        self.verticalHeader().setDefaultSectionSize(fm.height() + 10)
        hh = self.horizontalHeader()
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        hh.setHighlightSections(False)
        hh.setMinimumSectionSize(fm.horizontalAdvance("Mo") + 12)
        self._day_delegate = MonthDayDelegate(self)
        self.doubleClicked.connect(self.row_opened)
        self._viewport = self.viewport()  # its width changes with the vertical scrollbar
        self._viewport.installEventFilter(self)

    def measure_names(self) -> None:
        """The patient and payer columns' widths from their texts' font metrics (names are
        bold), kept until the rows change: measuring every row through the view took a
        second for 300 patients, and it ran again on every resize."""
        model = self.month_model
        rows = [model.patient_at(r) for r in range(model.rowCount())]
        bold = QFont(self.font())
        bold.setBold(True)
        names, plain = QFontMetrics(bold), QFontMetrics(self.font())
        pad = 2 * self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 14
        self.name_widths = (
            min(max(max((names.horizontalAdvance(r.name) for r in rows), default=0) + pad,
                    160), 240),
            min(max(max((plain.horizontalAdvance(r.payers) for r in rows), default=0) + pad,
                    110), 150))

    def size_columns(self) -> None:
        """Names at their measured widths, the totals at their headings', and the days as
        wide as the rest of the width allows (down to their heading; then the payer's
        name gives way, and only then does the table scroll sideways)."""
        model = self.month_model
        hh = self.horizontalHeader()
        fm = QFontMetrics(self.font())
        day_width = max(fm.horizontalAdvance("We"), fm.horizontalAdvance("30")) + 9
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.setColumnWidth(0, self.name_widths[0])
        self.setColumnWidth(1, self.name_widths[1])
        totals = [fm.horizontalAdvance(STATUS_LABEL[s]) + 20 for s in STATUSES]
        # the expected revenue: its amounts and its heading ("Expected") whole
        totals.append(max(fm.horizontalAdvance("00,000"),
                          hh.fontMetrics().horizontalAdvance("Expected")) + 16)
        if model.days:  # narrow days, down to their heading, before scrolling sideways
            least = fm.horizontalAdvance("We") + 5
            room = (self.viewport().width() - self.columnWidth(0) - self.columnWidth(1)
                    - sum(totals))
            short = least * model.days - room
            if short > 0:  # then the payer's name gives way (its tooltip has it whole)
                payer = self.columnWidth(1)
                cut = min(short, payer - 88)
                self.setColumnWidth(1, payer - max(cut, 0))
                room += max(cut, 0)
            day_width = max(min(day_width, room // model.days), least)
        hh.setMinimumSectionSize(min(day_width, hh.minimumSectionSize()))  # the style's is wider
        for day in range(1, model.days + 1):
            col = model.column_of_day(day)
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            self.setColumnWidth(col, day_width)
            self.setItemDelegateForColumn(col, self._day_delegate)
        for i, width in enumerate(totals):
            self.setColumnWidth(len(MonthTableModel.FIXED) + i, width)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Enter on a row opens it, like a double-click."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.row_opened.emit(self.currentIndex())
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """A resize of the viewport refits the days."""
        # the type first: events still arrive while the table is being destroyed
        if event.type() == QEvent.Type.Resize and watched is self._viewport:
            self.size_columns()
        return False
