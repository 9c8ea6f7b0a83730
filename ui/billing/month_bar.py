"""The month bar both billing views share: month arrows, the month's title, the status total
chips, month arithmetic and today's date (one place, so tests can set the day)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton

from models import clock
from models.billing.rules import STATUSES
from ui.billing.billing_models import CLAIMED, STATUS_BACKGROUND, STATUS_FOREGROUND, STATUS_PLURAL


def today() -> dt.date:
    return clock.today()


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

