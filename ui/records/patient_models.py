"""The patient list's Qt item models: patients as rows (name, birth date, member id in force)
and the filter by search text and by "active today"."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import QWidget

from models import clock, dates
from models.records.tables import PatientRead
from ui.records.table_models import us_date

Index = QModelIndex | QPersistentModelIndex
PATIENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2


def _birth_date(word: str) -> str:
    if re.fullmatch(r"\d{1,2}/\d{1,2}/(\d{2}|\d{4})", word):
        try:
            born = dates.parse_date(word, clock.today(), past=True)
        except ValueError:
            return word
        return us_date(born) if born else word
    return word


def member_id(p: PatientRead, day: dt.date) -> str:
    """The member id staff quote on `day`: the coverage in force (primary first), else the one
    that started last, not one that ended months ago."""
    if not p.coverages:
        return ""
    current = [c for c in p.coverages if c.covers(day)]
    if current:
        return min(current, key=lambda c: c.priority != "primary").member_id
    return max(p.coverages, key=lambda c: c.start_date).member_id


@dataclass(frozen=True)
class PatientRows:
    """What each patient's row shows, sorts by and is searched by: plain Python, worked out
    with the list's read off the GUI thread (a few tens of milliseconds for 300 patients)."""

    patients: list[PatientRead]
    texts: list[tuple[str, str, str]]
    keys: list[tuple[str, str, str]]
    search: list[str]


def patient_rows(patients: list[PatientRead], day: dt.date) -> PatientRows:
    texts = [(p.display_name, us_date(p.birth_date), member_id(p, day)) for p in patients]
    keys = [(name.lower(), p.birth_date.isoformat(), member.lower())
            for p, (name, _born, member) in zip(patients, texts, strict=True)]
    search = [(f"{p.last_name}, {p.first_name} {p.first_name} {p.last_name} {p.id} "
               f"{' '.join(c.member_id for c in p.coverages)} {us_date(p.birth_date)} "
               f"{p.birth_date.isoformat()}").lower() for p in patients]
    return PatientRows(list(patients), texts, keys, search)


class PatientTableModel(QAbstractTableModel):
    """Patients as rows: name, date of birth, member id of the coverage billed today. The
    texts are worked out once per patient when the list is set, so sorting and painting
    hundreds of patients ask nothing twice."""

    HEADERS = ("Name", "Date of birth", "Member ID")

    def __init__(self, parent: QWidget | None = None,
                 today: Callable[[], dt.date] = clock.today):
        super().__init__(parent)
        self._patients: list[PatientRead] = []
        self._texts: list[tuple[str, str, str]] = []  # what each column shows
        self._keys: list[tuple[str, str, str]] = []  # what each column sorts by
        self._search: list[str] = []
        self._sorted_by: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self.today = today

    def member_id(self, p: PatientRead) -> str:
        """The member id staff quote today (see `member_id`)."""
        return member_id(p, self.today())

    def set_patients(self, patients: list[PatientRead] | PatientRows) -> None:
        """Show these patients, in the order chosen; their texts worked out beforehand
        (`patient_rows`, which the list's background read calls) or here."""
        rows = patients if isinstance(patients, PatientRows) else patient_rows(
            patients, self.today())
        self.beginResetModel()
        self._patients, self._texts = list(rows.patients), list(rows.texts)
        self._keys, self._search = list(rows.keys), list(rows.search)
        self._sort()
        self.endResetModel()

    def sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        """Put the rows in the order of `column`'s sort keys, in Python and at once: the
        filter proxy in front of this model leaves the order alone, so Qt never calls back
        into Python for each comparison (thousands of calls for 300 patients, each waiting
        for the interpreter while a background read holds it)."""
        if column == self._sorted_by[0] and order == self._sorted_by[1]:
            return
        self.layoutAboutToBeChanged.emit()
        self._sorted_by = (column, order)
        before = [p.id for p in self._patients]
        self._sort()
        new_row = {p.id: row for row, p in enumerate(self._patients)}
        old = self.persistentIndexList()
        self.changePersistentIndexList(
            old, [self.index(new_row[before[i.row()]], i.column()) for i in old])
        self.layoutChanged.emit()

    def _sort(self) -> None:
        """Reorder every per-row list by the sort column's keys (stable, as Qt sorts)."""
        column, order = self._sorted_by
        if not 0 <= column < len(self.HEADERS):
            return
        rows = sorted(range(len(self._patients)), key=lambda r: self._keys[r][column],
                      reverse=order == Qt.SortOrder.DescendingOrder)
        for name in ("_patients", "_texts", "_keys", "_search"):
            values = getattr(self, name)
            setattr(self, name, [values[r] for r in rows])

    def patient_at(self, row: int) -> PatientRead:
        return self._patients[row]

    def patient_ids(self) -> list[str]:
        return [p.id for p in self._patients]

    def search_text(self, row: int) -> str:
        return self._search[row]

    def row_of(self, patient_id: str) -> int:
        for row, p in enumerate(self._patients):
            if p.id == patient_id:
                return row
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._patients)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row, col = index.row(), index.column()
        if not 0 <= row < len(self._patients):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[row][col]
        p = self._patients[row]
        if role == Qt.ItemDataRole.ToolTipRole:
            ids = ", ".join(c.member_id for c in p.coverages) or "no coverage"
            return f"{p.display_name} (id {p.id})\nMember ids: {ids}"
        if role == PATIENT_ID_ROLE:
            return p.id
        if role == SEARCH_ROLE:
            return self._search[row]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None


class PatientFilterProxy(QSortFilterProxyModel):
    """Filters by a search text (name, id, member id, birth date) and optionally to the patients
    with an order in force today."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._needle = ""
        self._active: set[str] | None = None

    def set_search(self, text: str) -> None:
        """Words that must all match; a whole date of birth in a short form (4/12/58,
        4/12/1958) is written out (04/12/1958) so it matches the one shown."""
        self.beginFilterChange()
        words = text.strip().lower().split()
        self._needle = " ".join(_birth_date(w) for w in words)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_active_ids(self, ids: set[str] | None) -> None:
        """None shows every patient; a set shows only those patients."""
        self.beginFilterChange()
        self._active = None if ids is None else set(ids)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model: PatientTableModel = self.sourceModel()  # type: ignore[assignment]
        if self._active is not None and model.patient_at(source_row).id not in self._active:
            return False
        if not self._needle:
            return True
        haystack = model.search_text(source_row)
        return all(word in haystack for word in self._needle.split())

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The view's sort (a click on a heading): the source model puts its rows in order
        (PatientTableModel.sort_rows); this proxy keeps that order and only filters."""
        model: PatientTableModel = self.sourceModel()  # type: ignore[assignment]
        model.sort_rows(column, order)
