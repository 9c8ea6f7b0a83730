"""The billing views' shared look (status symbols, words and colours, day tooltips) and the Qt
item model of one patient's month calendar; the pharmacy month's models are month_model.py.

The models only present what models/billing/ computes (the rules' `DayResult` rows, the
month's rows and filters); they never decide a status themselves. Status is
always shown by a symbol and words as well as colour. A billable day that a claim batch already
holds (models.claims.batches.claimed_days) is shown as "Claimed", with the batch, its date and
the claim in the tooltip.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from models.billing.month import (  # noqa: F401 - count_statuses: the calendar's, from here
    CLAIMED,
    Claimed,
    combined_shown,
    combined_status,
    count_statuses,
    shown_status,
)
from models.billing.rules import BILLABLE, HOLD, NOT_BILLABLE, REASONS, DayResult
from models.claims.claim import ClaimedInfo
from models.vocab import ACCESS_DAYS

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invisible root, default parent of a flat table

LONG_DATE = "%A, %B %-d, %Y"  # Friday, November 27, 2026: as US staff write it
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


ACCESS_MARK = "◇"  # R29: an access day's code line starts with it (calendar, month tooltips)


def line_text(r: DayResult) -> str:
    """A day's code line in the calendar: the code, marked ◇ on an R29 access day."""
    return f"{ACCESS_MARK} {code_text(r)}" if r.basis == ACCESS_DAYS else code_text(r)


def basis_text(r: DayResult) -> str:
    """Which per diem basis made the day a service day (R29), in words."""
    if r.basis == ACCESS_DAYS:
        return (f"{ACCESS_MARK} Access day (R29): the payer pays every day on service, "
                "whether or not a dose was given")
    return "Infusion day: billed for a dose given that day (R1)"


def place_text(r: DayResult) -> str | None:
    """R30: the place of service when it is not the home's 12."""
    if r.place_of_service == "12":
        return None
    return f"Place of service {r.place_of_service}: infusion suite (R30, no SS)"


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
    lines.append("    " + basis_text(r))
    if place := place_text(r):
        lines.append("    " + place)
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

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._weeks)

    def columnCount(self, parent: Index = ROOT) -> int:
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
                        f"{STATUS_SYMBOL[day.shown(r)]} {line_text(r)}" if day.mixed
                        else line_text(r)
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
