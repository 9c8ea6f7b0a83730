"""Qt item models for the billing views: one patient's month calendar and the pharmacy month.

The models only present `models.billing.rules.DayResult` rows computed by the services; they never
decide a status themselves. Status is always shown by a symbol and words as well as colour.
A billable day that a claim batch already holds (models.claims.batches.claimed_days) is shown
as "Claimed", with the batch, its date and the claim in the tooltip.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from models.billing.rules import BILLABLE, HOLD, NOT_BILLABLE, REASONS, STATUSES, DayResult
from models.claims.drafts import ClaimedInfo

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()  # the invisible root, default parent of a flat table

# Not a rule status: how a billable day looks once a claim batch holds it.
CLAIMED = "claimed"
LONG_DATE = "%A, %B %-d, %Y"  # Friday, November 27, 2026: as US staff write it
Claimed = dict[tuple[str, dt.date], ClaimedInfo]  # (order id, date) -> the claim billing it

STATUS_SYMBOL = {BILLABLE: "✔", HOLD: "⚠", NOT_BILLABLE: "✖", CLAIMED: "☑"}
STATUS_LABEL = {BILLABLE: "Billable", HOLD: "Hold", NOT_BILLABLE: "Not billable",
                CLAIMED: "Claimed"}
STATUS_PLURAL = {BILLABLE: "billable", HOLD: "on hold", NOT_BILLABLE: "not billable",
                 CLAIMED: "claimed"}
# Green / amber / grey tints that stay apart for red-green colour blindness (they differ in
# lightness and hue), always paired with the symbols above.
STATUS_BACKGROUND = {
    BILLABLE: QColor("#d5eddc"),
    HOLD: QColor("#fbe1ae"),
    NOT_BILLABLE: QColor("#e3e3e3"),
    CLAIMED: QColor("#dde8f5"),
}
STATUS_FOREGROUND = {
    BILLABLE: QColor("#17603a"),
    HOLD: QColor("#7a4700"),
    NOT_BILLABLE: QColor("#444444"),
    CLAIMED: QColor("#1d4f86"),
}
FADED_BACKGROUND = QColor("#f6f6f6")
FADED_FOREGROUND = QColor("#9a9a9a")
TODAY_FOREGROUND = QColor("#1f5fa8")

DAY_ROLE = Qt.ItemDataRole.UserRole + 1  # CalendarDay / list[DayResult] of a cell
SORT_ROLE = Qt.ItemDataRole.UserRole + 2  # a value that sorts the column sensibly
ROW_ROLE = Qt.ItemDataRole.UserRole + 3  # the PatientMonth of a month-view row
STATUS_ROLE = Qt.ItemDataRole.UserRole + 4  # the cell's combined status, or None


def status_text(status: str) -> str:
    return f"{STATUS_SYMBOL[status]} {STATUS_LABEL[status]}"


def combined_status(results: list[DayResult]) -> str | None:
    """One status for a cell holding several orders' days: a hold needs someone's attention
    first, then anything billable, else the day is not billable."""
    statuses = {r.status for r in results}
    for status in (HOLD, BILLABLE, NOT_BILLABLE):
        if status in statuses:
            return status
    return None


def shown_status(r: DayResult, claimed: Claimed | None) -> str:
    """The rule status, or CLAIMED for a billable day already in a claim batch."""
    if r.status == BILLABLE and claimed and (r.order_id, r.date) in claimed:
        return CLAIMED
    return r.status


def combined_shown(results: list[DayResult], claimed: Claimed | None) -> str | None:
    """combined_status, where a billable day is "claimed" only when all its billable orders
    are: a day with something left to bill still reads billable."""
    shown = {shown_status(r, claimed) for r in results}
    for status in (HOLD, BILLABLE, CLAIMED, NOT_BILLABLE):
        if status in shown:
            return status
    return None


def claim_text(info: ClaimedInfo) -> str:
    """E.g. "Claimed in batch 3 on 11/02/2026, claim 2610-P1001-UHC"."""
    text = (f"Claimed in batch {info.batch_id} on {info.batch_created_at:%m/%d/%Y}, "
            f"claim {info.account_number}")
    return text + (" (replacement)" if info.frequency_code == "7" else "")


def claim_warning(r: DayResult) -> str:
    """What to do about a day that was claimed but no longer passes the rules."""
    return (f"This day was claimed but is now {STATUS_PLURAL[r.status]}: check it, and rebill "
            "the month if the claim must change.")


def code_text(r: DayResult) -> str:
    """The per diem code and its modifiers as a claim line shows them, e.g. `S9338 SS U1`."""
    return " ".join((r.code, *r.modifiers))


def result_lines(r: DayResult, payer_names: dict[str, str] | None = None,
                 claimed: Claimed | None = None) -> list[str]:
    """A day result in words: status, code, order, payer, authorization, the claim holding it
    and the reasons."""
    head = f"{status_text(shown_status(r, claimed))} — {code_text(r)} (order {r.order_id})"
    details = []
    if r.payer_id:
        details.append((payer_names or {}).get(r.payer_id, r.payer_id))
    if r.authorization_number:
        details.append(f"authorization {r.authorization_number}")
    lines = [head]
    if details:
        lines.append("    " + ", ".join(details))
    info = (claimed or {}).get((r.order_id, r.date))
    if info is not None:
        lines.append(f"    {claim_text(info)}")
        if r.status != BILLABLE:
            lines.append(f"    {claim_warning(r)}")
    lines += [f"    • {REASONS[c].sentence} ({REASONS[c].rule})" for c in r.reasons]
    return lines


def day_tooltip(
    day: dt.date, results: list[DayResult], payer_names: dict[str, str], who: str = "",
    claimed: Claimed | None = None,
) -> str:
    title = day.strftime(LONG_DATE)
    lines = [f"{who} — {title}" if who else title]
    for r in results:
        lines += result_lines(r, payer_names, claimed)
    return "\n".join(lines)


def count_statuses(results: list[DayResult]) -> dict[str, int]:
    """Service days per status; a day with two orders is two per diem days (two claim lines)."""
    counts = Counter(r.status for r in results)
    return {s: counts.get(s, 0) for s in STATUSES}


def count_claimed(results: list[DayResult], claimed: Claimed | None) -> int:
    """Billable service days already in a claim batch (a part of the billable count)."""
    return sum(1 for r in results if shown_status(r, claimed) == CLAIMED)


# --- one patient's month --------------------------------------------------------------------


@dataclass
class CalendarDay:
    date: dt.date
    in_month: bool
    results: list[DayResult] = field(default_factory=list)
    claimed: Claimed = field(default_factory=dict)  # only this day's claimed orders

    @property
    def status(self) -> str | None:
        """The rules' status of the day."""
        return combined_status(self.results)

    @property
    def shown_status(self) -> str | None:
        """The status as shown: CLAIMED once every billable order of the day is claimed."""
        return combined_shown(self.results, self.claimed)

    def shown(self, r: DayResult) -> str:
        return shown_status(r, self.claimed)

    def claim_of(self, r: DayResult) -> ClaimedInfo | None:
        return self.claimed.get((r.order_id, r.date))

    @property
    def mixed(self) -> bool:
        """Its orders show different statuses, so each order line carries its own symbol."""
        return len({self.shown(r) for r in self.results}) > 1


class CalendarTableModel(QAbstractTableModel):
    """A month as a grid: weeks are rows, Monday..Sunday are columns."""

    HEADERS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._weeks: list[list[CalendarDay]] = []
        self._payer_names: dict[str, str] = {}
        self.year = self.month = 0

    def set_month(
        self,
        year: int,
        month: int,
        results: list[DayResult],
        payer_names: dict[str, str] | None = None,
        claimed: Claimed | None = None,
    ) -> None:
        by_day: dict[dt.date, list[DayResult]] = {}
        for r in results:
            by_day.setdefault(r.date, []).append(r)
        claims_by_day: dict[dt.date, Claimed] = {}
        for (order_id, day), info in (claimed or {}).items():
            claims_by_day.setdefault(day, {})[(order_id, day)] = info
        self.beginResetModel()
        self.year, self.month = year, month
        self._payer_names = dict(payer_names or {})
        self._weeks = [
            [
                CalendarDay(d, True, by_day.get(d, []), claims_by_day.get(d, {}))
                if d.month == month else CalendarDay(d, False)
                for d in week
            ]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
        ]
        self.endResetModel()

    def day_at(self, index: Index) -> CalendarDay | None:
        if not index.isValid() or index.row() >= len(self._weeks):
            return None
        return self._weeks[index.row()][index.column()]

    def index_of(self, day: dt.date) -> QModelIndex:
        for r, week in enumerate(self._weeks):
            for c, cell in enumerate(week):
                if cell.date == day:
                    return self.index(r, c)
        return QModelIndex()

    def results(self) -> list[DayResult]:
        return [r for week in self._weeks for d in week for r in d.results]

    def claimed_count(self) -> int:
        return sum(1 for week in self._weeks for d in week for r in d.results
                   if d.shown(r) == CLAIMED)

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._weeks)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else 7

    def flags(self, index: Index) -> Qt.ItemFlag:
        day = self.day_at(index)
        if day is None:
            return Qt.ItemFlag.NoItemFlags
        if not day.in_month:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        day = self.day_at(index)
        if day is None:
            return None
        status = day.shown_status  # colours and words; STATUS_ROLE keeps the rules' status
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            lines = [str(day.date.day)]
            if status:
                lines.append(status_text(status))
                for r in day.results:
                    lines.append(
                        f"{STATUS_SYMBOL[day.shown(r)]} {code_text(r)}" if day.mixed
                        else code_text(r)
                    )
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ToolTipRole:
            if not day.in_month:
                return None
            if not day.results:
                return day.date.strftime(LONG_DATE) + "\nNo service this day."
            return day_tooltip(day.date, day.results, self._payer_names, claimed=day.claimed)
        if role == Qt.ItemDataRole.BackgroundRole:
            if not day.in_month:
                return FADED_BACKGROUND
            return STATUS_BACKGROUND[status] if status else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if not day.in_month:
                return FADED_FOREGROUND
            return STATUS_FOREGROUND[status] if status else None
        if role == DAY_ROLE:
            return day
        if role == STATUS_ROLE:
            return day.status
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < 7 else None
        if 0 <= section < len(self._weeks):
            return f"Week {self._weeks[section][0].date.isocalendar().week}"
        return None


# --- the pharmacy's month -------------------------------------------------------------------


@dataclass
class PatientMonth:
    """One patient's service days in a month, by day of month."""

    patient_id: str
    name: str
    payers: str
    days: dict[int, list[DayResult]]
    totals: dict[str, int]
    claimed: Claimed = field(default_factory=dict)  # this patient's claimed days

    @property
    def claimed_count(self) -> int:
        return count_claimed(self.results, self.claimed)

    @property
    def results(self) -> list[DayResult]:
        return [r for day in sorted(self.days) for r in self.days[day]]


def patient_months(
    results: list[DayResult], names: dict[str, str], payer_names: dict[str, str],
    claimed: Claimed | None = None,
) -> list[PatientMonth]:
    """Group a month's day results into one row per patient, by name."""
    grouped: dict[str, list[DayResult]] = {}
    for r in results:
        grouped.setdefault(r.patient_id, []).append(r)
    rows = []
    for pid, rs in grouped.items():
        days: dict[int, list[DayResult]] = {}
        for r in rs:
            days.setdefault(r.date.day, []).append(r)
        payer_ids = sorted({r.payer_id for r in rs if r.payer_id})
        payers = ", ".join(payer_names.get(p, p) for p in payer_ids) or "No primary coverage"
        mine = {(r.order_id, r.date): (claimed or {})[(r.order_id, r.date)] for r in rs
                if (r.order_id, r.date) in (claimed or {})}
        rows.append(PatientMonth(pid, names.get(pid, pid), payers, days, count_statuses(rs),
                                 mine))
    rows.sort(key=lambda p: (p.name.lower(), p.patient_id))
    return rows


class MonthTableModel(QAbstractTableModel):
    """Patients as rows; columns: patient, payer, the totals per status, one per day."""

    FIXED = ("Patient", "Payer")
    TOTALS = (BILLABLE, HOLD, NOT_BILLABLE)

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

    # The totals come before the days so they stay in sight when the days scroll.
    def day_of_column(self, column: int) -> int | None:
        day = column - len(self.FIXED) - len(self.TOTALS) + 1
        return day if 1 <= day <= self.days else None

    def column_of_day(self, day: int) -> int:
        return len(self.FIXED) + len(self.TOTALS) + day - 1

    def total_status(self, column: int) -> str | None:
        i = column - len(self.FIXED)
        return self.TOTALS[i] if 0 <= i < len(self.TOTALS) else None

    def patient_at(self, row: int) -> PatientMonth:
        return self._rows[row]

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.FIXED) + self.days + len(self.TOTALS)

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
        total = self.total_status(col)
        if total is not None:
            if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
                return row.totals[total]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter)
            if role == Qt.ItemDataRole.ToolTipRole:
                return (
                    f"{row.name}: {row.totals[total]} service day(s) {STATUS_PLURAL[total]}"
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
            return self.FIXED[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            if day is not None:
                date = dt.date(self.year, self.month, day)
                return date.strftime(LONG_DATE) + (" (today)" if date == self.today else "")
            if total is not None:
                return (f"Per diem days {STATUS_PLURAL[total]} this month: one per order and day, "
                        "so a patient on two therapies counts two a day")
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


@dataclass
class MonthFilter:
    """What the month view shows; None means any."""

    status: str | None = None
    reason: str | None = None
    payer_id: str | None = None  # "" selects days with no primary coverage

    def active(self) -> bool:
        return any(v is not None for v in (self.status, self.reason, self.payer_id))

    def matches(self, r: DayResult) -> bool:
        return (
            (self.status is None or r.status == self.status)
            and (self.reason is None or self.reason in r.reasons)
            and (self.payer_id is None or (r.payer_id or "") == self.payer_id)
        )


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
        self.sourceModel().set_fade(month_filter)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._filter.active():
            return True
        row: PatientMonth = self.sourceModel().patient_at(source_row)
        return any(self._filter.matches(r) for r in row.results)

    def visible_rows(self) -> list[PatientMonth]:
        source: MonthTableModel = self.sourceModel()
        return [source.patient_at(self.mapToSource(self.index(r, 0)).row())
                for r in range(self.rowCount())]

    def visible_totals(self) -> dict[str, int]:
        """Days per status of the rows shown, and CLAIMED: how many billable ones are claimed."""
        totals = dict.fromkeys((*STATUSES, CLAIMED), 0)
        for row in self.visible_rows():
            for s in STATUSES:
                totals[s] += row.totals[s]
            totals[CLAIMED] += row.claimed_count
        return totals


def month_csv_rows(proxy: MonthFilterProxyModel) -> list[list[str]]:
    """The visible month table as CSV rows: patient id, name, one column per day holding the
    day's status (statuses joined by "+" when a day's orders differ), then the totals."""
    source: MonthTableModel = proxy.sourceModel()
    dates = [dt.date(source.year, source.month, d) for d in range(1, source.days + 1)]
    header = [
        "patient_id",
        "name",
        *(d.isoformat() for d in dates),
        "billable_days",
        "hold_days",
        "not_billable_days",
    ]
    out = [header]
    for row in proxy.visible_rows():
        cells = []
        for d in dates:
            statuses = {r.status for r in row.days.get(d.day, [])}
            cells.append("+".join(s for s in STATUSES if s in statuses))
        out.append([row.patient_id, row.name, *cells, *(str(row.totals[s]) for s in STATUSES)])
    return out
