"""How the billing calendar's grid looks: the table of weeks, and the delegate painting a day
cell (the date, circled when it is today; the day's status in symbol and words; one line per
order)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from models.vocab import ACCESS_DAYS
from ui.billing import month_bar
from ui.billing.billing_models import (
    DAY_ROLE,
    STATUS_FOREGROUND,
    STATUS_SYMBOL,
    CalendarDay,
    CalendarTableModel,
    line_text,
    status_text,
)

ACCENT = QColor("#1f5fa8")
GRID = QColor("#c9ced6")


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
        if day.date == month_bar.today():
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
                # R29: an access day's line is marked ◇ and set in italics
                text = f"{STATUS_SYMBOL[shown]} {line_text(r)}" if mixed else line_text(r)
                italic = QFont(font)
                italic.setItalic(r.basis == ACCESS_DAYS)
                painter.setFont(italic)
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


def calendar_table(model: CalendarTableModel, font: QFont) -> QTableView:
    """The month grid: a week a row, a day a column, each cell painted by the delegate; it
    fills its space and never scrolls sideways."""
    table = QTableView()
    table.setModel(model)
    table.setItemDelegate(CalendarDayDelegate(table))
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setMouseTracking(True)
    table.setStyleSheet(
        "QTableView { border: 1px solid #c9ced6; background: #ffffff; }"
        "QTableView::item:selected { background: transparent; }"
    )
    hh = table.horizontalHeader()
    hh.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    # narrow enough for all seven days in a tab beside the patient list on a 1280-pixel
    # screen: "✔ Billable" and a code fit, longer text is elided (the symbol stays) and the
    # tooltip and side panel say it in full
    bold = QFont(font)
    bold.setBold(True)
    hh.setMinimumSectionSize(
        max(QFontMetrics(bold).horizontalAdvance("✔ Billable"),
            QFontMetrics(font).horizontalAdvance("S9338 U1"))
        + 2 * CalendarDayDelegate.PAD
        + 4
    )
    hh.setHighlightSections(False)
    # a week never scrolls sideways: at the narrowest a column gives up a few pixels
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    vh = table.verticalHeader()
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    vh.setMinimumSectionSize(QFontMetrics(font).height() * 4 + 18)
    vh.hide()
    return table
