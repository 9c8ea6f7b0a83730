"""Qt item models for the per-patient record lists: orders, MAR, documents, authorizations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from models import clock
from models.records.tables import AuthorizationRead, OrderRead

Index = QModelIndex | QPersistentModelIndex

RECORD_ID_ROLE = Qt.ItemDataRole.UserRole + 1
VOIDED_BRUSH = QBrush(QColor("#8a8f98"))


def us_date(day: dt.date | None) -> str:
    """Dates as US pharmacy staff read them (MM/DD/YYYY), in every list and header."""
    return day.strftime("%m/%d/%Y") if day else ""


def hh_mm(t: dt.time | None) -> str:
    return t.strftime("%H:%M") if t else ""


def time_span(start: dt.time | None, end: dt.time | None) -> str:
    """One column for the infusion's times (09:05–12:50), so the MAR fits the window."""
    if start is None and end is None:
        return ""
    return f"{hh_mm(start) or '?'}–{hh_mm(end) or '?'}"


def plain_decimal(value: Decimal | None) -> str:
    """A decimal without exponent or trailing zeros: 30000, 0.5, 150.25."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(value: Decimal | None) -> str:
    return "" if value is None else f"${value:,.2f}"


def order_label(order: OrderRead | None, order_id: str = "") -> str:
    """How an order is named in lists and combo boxes: drug, per diem code and id."""
    if order is None:
        return order_id
    return f"{order.id} · {order.drug_name} · {order.per_diem_code}"


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return us_date(value)
    if isinstance(value, dt.time):
        return hh_mm(value)
    if isinstance(value, Decimal):
        return plain_decimal(value)
    return str(value)


def sort_key(value: Any, numeric: bool) -> Any:
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return float(value)
    if value is None:
        return -1.0 if numeric else ""
    return str(value)


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]
    numeric: bool = False
    tip: str = ""
    optional: bool = False  # hidden until chosen in the header's menu (fits 1366 px)


def _first_line(text: str | None, limit: int = 80) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


class RecordTableModel(QAbstractTableModel):
    """Rows of read objects described by `columns`; void records are greyed and italic and
    carry their void reason in the tooltip and in the last column ("Void reason")."""

    columns: Sequence[Column] = ()
    versioned = True

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._records: list[Any] = []
        self.orders: dict[str, OrderRead] = {}
        self._cols: list[Column] | None = None

    # -- content -------------------------------------------------------------------------

    def set_records(self, records: Sequence[Any], orders: dict[str, OrderRead] | None = None
                    ) -> None:
        self.beginResetModel()
        self._records = list(records)
        if orders is not None:
            self.orders = dict(orders)
        self.endResetModel()

    def record(self, row: int) -> Any:
        return self._records[row]

    def records(self) -> list[Any]:
        return list(self._records)

    def row_of(self, record_id: str) -> int:
        for i, rec in enumerate(self._records):
            if rec.id == record_id:
                return i
        return -1

    def all_columns(self) -> list[Column]:
        if self._cols is None:
            cols = list(self.columns)
            if self.versioned:
                cols.append(Column("Ver.", lambda r: f"v{r.version}", tip="Saved versions"))
                cols.append(Column("Void reason", lambda r: r.void_reason if r.voided else ""))
            self._cols = cols
        return self._cols

    @property
    def void_column(self) -> int:
        return len(self.all_columns()) - 1 if self.versioned else -1

    def order_name(self, order_id: str) -> str:
        return order_label(self.orders.get(order_id), order_id)

    # -- Qt model API --------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.all_columns())

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        cols = self.all_columns()
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(cols):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cols[section].header
        if role == Qt.ItemDataRole.ToolTipRole:  # the heading, whole, if its column is cut
            return cols[section].tip or cols[section].header
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._records):
            return None
        cols = self.all_columns()
        if index.column() >= len(cols):
            return None
        rec = self._records[index.row()]
        col = cols[index.column()]
        voided = bool(getattr(rec, "voided", False))
        if role == Qt.ItemDataRole.DisplayRole:
            return text_of(col.value(rec))
        if role == Qt.ItemDataRole.EditRole:  # the sort key: ISO dates, numbers as numbers
            return sort_key(col.value(rec), col.numeric)
        if role == Qt.ItemDataRole.ToolTipRole:
            if voided:
                return f"Void: {rec.void_reason}"
            full = text_of(col.value(rec))
            return full if len(full) > 40 else None
        if role == Qt.ItemDataRole.ForegroundRole and voided:
            return VOIDED_BRUSH
        if role == Qt.ItemDataRole.FontRole and voided:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == RECORD_ID_ROLE:
            return rec.id
        return None


def _order_end(order: Any) -> Any:
    if order.discontinued_date is not None:
        return f"discontinued {us_date(order.discontinued_date)}"
    return order.end_date


class OrdersTableModel(RecordTableModel):
    """A patient's orders (the physician's medication orders)."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.prescribers: dict[str, str] = {}

    @property
    def columns(self) -> list[Column]:  # type: ignore[override]
        return [
            Column("Order", lambda o: o.id),
            Column("Drug", lambda o: o.drug_name),
            Column("Code", lambda o: o.per_diem_code, tip="Per diem HCPCS code"),
            Column("Dose", lambda o: o.dose),
            Column("Start", lambda o: o.start_date),
            Column("End", _order_end, tip="End date, or the date it was discontinued"),
            Column("Signed", lambda o: o.signed_date or "unsigned",
                   tip="The date the prescriber signed the order (R7)"),
            Column("Prescriber", lambda o: self.prescribers.get(o.prescriber_id, o.prescriber_id)),
            Column("Rate", lambda o: money(o.per_diem_rate), numeric=True,
                   tip="Per diem rate"),
            Column("Route", lambda o: o.route, optional=True),
            Column("Frequency", lambda o: o.frequency, optional=True),
            Column("Diagnoses", lambda o: ", ".join(o.diagnosis_codes)),
        ]


class InfusionsTableModel(RecordTableModel):
    """The medication administration record (MAR): one row per infusion entry."""

    @property
    def columns(self) -> list[Column]:  # type: ignore[override]
        return [
            Column("Date", lambda e: e.date),
            Column("Order", lambda e: self.order_name(e.order_id)),
            Column("Status", lambda e: e.status),
            Column("Setting", lambda e: e.setting, optional=True),
            Column("Time", lambda e: time_span(e.start_time, e.end_time),
                   tip="Start and end of the infusion"),
            Column("Dose given", self._dose, numeric=True),
            Column("Administered by", lambda e: e.administered_by),
            Column("Site", lambda e: e.site),
            Column("Reaction", lambda e: _first_line(e.reaction)),
            Column("Notes", lambda e: _first_line(e.notes)),
            Column("Lot", lambda e: e.prep_note,
                   tip="R28: the preparation note (lot) the dose was given from"),
            Column("Entry", lambda e: e.id, optional=True),
        ]

    def _dose(self, entry: Any) -> str:
        if entry.dose_given is None:
            return ""
        order = self.orders.get(entry.order_id)
        unit = order.drug_dose_unit if order and order.drug_dose_unit else ""
        return f"{plain_decimal(entry.dose_given)} {unit}".strip()


class PlansOfCareTableModel(RecordTableModel):
    @property
    def columns(self) -> list[Column]:  # type: ignore[override]
        return [
            Column("Plan", lambda p: p.id),
            Column("Order", lambda p: self.order_name(p.order_id)),
            Column("Start", lambda p: p.start_date),
            Column("End", lambda p: p.end_date),
            Column("Signed", lambda p: p.signed_date),
            Column("Summary", lambda p: _first_line(p.summary)),
        ]


class PrepNotesTableModel(RecordTableModel):
    @property
    def columns(self) -> list[Column]:  # type: ignore[override]
        return [
            Column("Note", lambda p: p.id),
            Column("Order", lambda p: self.order_name(p.order_id)),
            Column("Prepared", lambda p: p.date),
            Column("Beyond-use", lambda p: p.beyond_use_date,
                   tip="The note covers service days up to this date (R9)"),
            Column("BUD hour", lambda p: p.beyond_use_time,
                   tip="R28: an infusion given from this lot and started after this hour on "
                       "the beyond-use date is not covered"),
            Column("Pharmacist", lambda p: p.pharmacist),
            Column("Lot", lambda p: p.lot, optional=True),
            Column("Compounding", lambda p: _first_line(p.compounding)),
            Column("DUR", lambda p: _first_line(p.dur), tip="Drug utilization review"),
        ]


class DeliveriesTableModel(RecordTableModel):
    @property
    def columns(self) -> list[Column]:  # type: ignore[override]
        return [
            Column("Delivery", lambda d: d.id),
            Column("Order", lambda d: self.order_name(d.order_id)),
            Column("Date", lambda d: d.date),
            Column("Method", lambda d: d.method),
            Column("Received by", lambda d: d.received_by),
            Column("Items", lambda d: _first_line(d.items)),
        ]


class CareNotesTableModel(RecordTableModel):
    @property
    def columns(self) -> list[Column]:  # type: ignore[override]
        return [
            Column("Note", lambda n: n.id),
            Column("Date", lambda n: n.date),
            Column("Author", lambda n: n.author),
            Column("Contact", lambda n: n.contact),
            Column("Text", lambda n: _first_line(n.text, 120)),
        ]


def authorization_state(auth: AuthorizationRead, used: int, today: dt.date) -> str:
    """A word for where an authorization stands, so status is never colour alone."""
    if used >= auth.units:
        return "Used up"
    if today < auth.start_date:
        return "Not started"
    if today > auth.end_date:
        return "Expired"
    return "Active"


class AuthorizationsTableModel(RecordTableModel):
    """Prior authorizations with the units R13 has used and those left."""

    versioned = False

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.used: dict[str, int] = {}
        self.payers: dict[str, str] = {}
        self.today = clock.today()

    def set_usage(self, used: dict[str, int], payers: dict[str, str], today: dt.date) -> None:
        self.used, self.payers, self.today = dict(used), dict(payers), today

    def units_used(self, auth: AuthorizationRead) -> int:
        return self.used.get(auth.id, 0)

    def units_left(self, auth: AuthorizationRead) -> int:
        return max(auth.units - self.units_used(auth), 0)

    @property
    def columns(self) -> list[Column]:  # type: ignore[override]
        return [
            Column("Number", lambda a: a.number),
            Column("Payer", lambda a: self.payers.get(a.payer_id, a.payer_id)),
            Column("Code", lambda a: a.code),
            Column("Start", lambda a: a.start_date),
            Column("End", lambda a: a.end_date),
            Column("Units", lambda a: a.units, numeric=True),
            Column("Used", self.units_used, numeric=True,
                   tip="Days that took a unit from this authorization (R13)"),
            Column("Left", self.units_left, numeric=True),
            Column("Status", lambda a: authorization_state(a, self.units_used(a), self.today)),
        ]
