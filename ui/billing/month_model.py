"""Qt item models of the pharmacy's billing month: patients as rows, the days and totals as
columns, and the proxy that keeps the patients matching the filters (models/billing/month.py
makes the rows and decides what matches)."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QFont

from models.billing.month import (
    CLAIMED,
    MonthFilter,
    PatientMonth,
    combined_shown,
    combined_status,
)
from models.billing.rules import BILLABLE, HOLD, NOT_BILLABLE, STATUSES, DayResult
from models.words import plural
from ui.billing.billing_models import (
    DAY_ROLE,
    FADED_BACKGROUND,
    FADED_FOREGROUND,
    LONG_DATE,
    ROOT,
    ROW_ROLE,
    SORT_ROLE,
    STATUS_BACKGROUND,
    STATUS_FOREGROUND,
    STATUS_LABEL,
    STATUS_PLURAL,
    STATUS_ROLE,
    STATUS_SYMBOL,
    TODAY_FOREGROUND,
    Index,
    day_tooltip,
)


class MonthTableModel(QAbstractTableModel):
    """Patients as rows; columns: patient, payer, the totals per status, the expected revenue,
    one per day."""

    FIXED = ("Patient", "Payer")
    TOTALS = (BILLABLE, HOLD, NOT_BILLABLE)
    EXPECTED_HEADER = "Expected\n$"

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[PatientMonth] = []
        self._payer_names: dict[str, str] = {}
        self.year, self.month, self.days = 2000, 1, 31
        self.today: dt.date | None = None  # its column header is marked
        # a cell's (results, status, shown status), worked out once: painting asks each
        # cell for several roles, hundreds of patients times thirty days
        self._cells: dict[tuple[int, int], tuple[list[DayResult], str | None, str | None]] = {}
        self.fade: MonthFilter | None = None  # day cells not matching it are faded

    def set_month(
        self,
        year: int,
        month: int,
        rows: list[PatientMonth],
        payer_names: dict[str, str] | None = None,
    ) -> None:
        self.beginResetModel()
        self.year, self.month = year, month
        self.days = calendar.monthrange(year, month)[1]
        self._rows = list(rows)
        self._payer_names = dict(payer_names or {})
        self._cells = {}
        self.endResetModel()

    def set_fade(self, month_filter: MonthFilter | None) -> None:
        """Fade the day cells whose orders' days all fail `month_filter` (None: none)."""
        self.fade = month_filter if month_filter is not None and month_filter.active() else None
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1,
                                                               self.columnCount() - 1),
                                  [Qt.ItemDataRole.BackgroundRole,
                                   Qt.ItemDataRole.ForegroundRole])

    # The totals and the expected revenue come before the days so they stay in sight when
    # the days scroll.
    @property
    def expected_column(self) -> int:
        return len(self.FIXED) + len(self.TOTALS)

    def day_of_column(self, column: int) -> int | None:
        day = column - self.expected_column
        return day if 1 <= day <= self.days else None

    def column_of_day(self, day: int) -> int:
        return self.expected_column + day

    def total_status(self, column: int) -> str | None:
        i = column - len(self.FIXED)
        return self.TOTALS[i] if 0 <= i < len(self.TOTALS) else None

    def patient_at(self, row: int) -> PatientMonth:
        return self._rows[row]

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.FIXED) + self.days + len(self.TOTALS) + 1

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == ROW_ROLE:
            return row
        day = self.day_of_column(col)
        if day is not None:
            return self._day_data(index.row(), row, day, role)
        if col == self.expected_column:
            return self._expected_data(row, role)
        total = self.total_status(col)
        if total is not None:
            if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
                return row.totals[total]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter)
            if role == Qt.ItemDataRole.ToolTipRole:
                return (
                    f"{row.name}: {plural(row.totals[total], 'service day')} {STATUS_PLURAL[total]}"
                    " (a day with two orders counts once per order)"
                )
            if role == Qt.ItemDataRole.ForegroundRole:
                return STATUS_FOREGROUND[total] if row.totals[total] else FADED_FOREGROUND
            return None
        text = row.name if col == 0 else row.payers
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == SORT_ROLE:
            return text.lower()
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.name} ({row.patient_id})\n{row.payers}" if col == 0 else text
        if role == Qt.ItemDataRole.FontRole and col == 0:
            font = QFont()
            font.setBold(True)
            return font
        return None

    @staticmethod
    def _expected_data(row: PatientMonth, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.expected:,.0f}"  # whole dollars: the days keep their room
        if role == SORT_ROLE:
            return float(row.expected)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{row.name}: ${row.expected:,.2f} expected for the billable days of the "
                    "month (per diem and drugs at the payer's rate, the order's or the "
                    "pharmacy's price; the payer's expected amount where its contract gives "
                    "one)")
        return None

    def _cell(self, row_index: int, row: PatientMonth, day: int
              ) -> tuple[list[DayResult], str | None, str | None]:
        cell = self._cells.get((row_index, day))
        if cell is None:
            results = row.days.get(day, [])
            # what is shown tells claimed days apart
            cell = (results, combined_status(results), combined_shown(results, row.claimed))
            self._cells[(row_index, day)] = cell
        return cell

    def day_cell(self, row_index: int, column: int) -> tuple[str, QColor, QColor] | None:
        """What a day cell paints (symbol, background, foreground), or None when the column
        is not a day or the day has no service: the month view's delegate asks this once per
        cell instead of one data() call per role."""
        day = self.day_of_column(column)
        if day is None or not 0 <= row_index < len(self._rows):
            return None
        results, _status, shown = self._cell(row_index, self._rows[row_index], day)
        if shown is None:
            return None
        if self.fade is not None and not any(self.fade.matches(r) for r in results):
            return STATUS_SYMBOL[shown], FADED_BACKGROUND, FADED_FOREGROUND
        return STATUS_SYMBOL[shown], STATUS_BACKGROUND[shown], STATUS_FOREGROUND[shown]

    def _day_data(self, row_index: int, row: PatientMonth, day: int, role: int) -> Any:
        results, status, shown = self._cell(row_index, row, day)
        if role == STATUS_ROLE:
            return status
        if role == SORT_ROLE:
            return STATUSES.index(status) if status else len(STATUSES)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole) \
                and self.fade is not None and results \
                and not any(self.fade.matches(r) for r in results):
            return FADED_BACKGROUND if role == Qt.ItemDataRole.BackgroundRole \
                else FADED_FOREGROUND
        status = shown
        if role == Qt.ItemDataRole.DisplayRole:
            return STATUS_SYMBOL[status] if status else None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return STATUS_LABEL[status] if status else "No service"
        if role == DAY_ROLE:
            return results
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if not status:
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return STATUS_BACKGROUND[status]
        if role == Qt.ItemDataRole.ForegroundRole:
            return STATUS_FOREGROUND[status]
        if role == Qt.ItemDataRole.ToolTipRole:
            date = dt.date(self.year, self.month, day)
            return day_tooltip(date, results, self._payer_names, who=row.name,
                               claimed=row.claimed)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        day = self.day_of_column(section)
        total = self.total_status(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if day is not None:
                weekday = dt.date(self.year, self.month, day).strftime("%a")[:2]
                return f"{weekday}\n{day}"
            if total is not None:
                return f"{STATUS_SYMBOL[total]}\n{STATUS_LABEL[total]}"
            if section == self.expected_column:
                return self.EXPECTED_HEADER
            return self.FIXED[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            if day is not None:
                date = dt.date(self.year, self.month, day)
                return date.strftime(LONG_DATE) + (" (today)" if date == self.today else "")
            if total is not None:
                return (f"Per diem days {STATUS_PLURAL[total]} this month: one per order and day, "
                        "so a patient on two therapies counts two a day")
            if section == self.expected_column:
                return ("Expected revenue of the billable days (per diem, drug and formula "
                        "component lines) and billable nursing visits (99601/99602), in dollars "
                        "(R32: the payer's rate, else the order's, else the pharmacy's price "
                        "list)")
        if day is None:
            return None
        date = dt.date(self.year, self.month, day)
        if role == Qt.ItemDataRole.ForegroundRole:
            if date == self.today:
                return TODAY_FOREGROUND
            return FADED_FOREGROUND if date.weekday() >= 5 else None
        if role == Qt.ItemDataRole.FontRole and date == self.today:
            font = QFont()
            font.setBold(True)
            return font
        return None


class MonthFilterProxyModel(QSortFilterProxyModel):
    """Keeps the patients with at least one service day matching every filter at once, and
    has the table model fade the day cells that do not match so the matching ones stand
    out."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._filter = MonthFilter()
        self.setSortRole(SORT_ROLE)

    @property
    def month_filter(self) -> MonthFilter:
        return self._filter

    def set_filter(self, month_filter: MonthFilter) -> None:
        self.beginFilterChange()
        self._filter = month_filter
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        # the fading is the table model's, so painting a cell asks Python once per role
        self.source().set_fade(month_filter)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        return self._filter.keeps(self.source().patient_at(source_row))

    def source(self) -> MonthTableModel:
        model = self.sourceModel()
        assert isinstance(model, MonthTableModel)
        return model

    def visible_rows(self) -> list[PatientMonth]:
        source = self.source()
        return [source.patient_at(self.mapToSource(self.index(r, 0)).row())
                for r in range(self.rowCount())]

    def visible_expected(self) -> Decimal:
        """Expected revenue of the rows shown."""
        return sum((row.expected for row in self.visible_rows()), Decimal("0.00"))

    def visible_totals(self) -> dict[str, int]:
        """Days per status of the rows shown, and CLAIMED: how many billable ones are claimed."""
        totals = dict.fromkeys((*STATUSES, CLAIMED), 0)
        for row in self.visible_rows():
            for s in STATUSES:
                totals[s] += row.totals[s]
            totals[CLAIMED] += row.claimed_count
        return totals
