"""The patient list's Qt item models: patients as rows (name, birth date, member id in force)
and the filter by search text and by "active today"."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
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
        self.today = today

    def member_id(self, p: PatientRead) -> str:
        """The member id staff quote today: the coverage in force (primary first), else the
        one that started last, not one that ended months ago."""
        if not p.coverages:
            return ""
        day = self.today()
        current = [c for c in p.coverages if c.covers(day)]
        if current:
            return min(current, key=lambda c: c.priority != "primary").member_id
        return max(p.coverages, key=lambda c: c.start_date).member_id

    def set_patients(self, patients: list[PatientRead]) -> None:
        self.beginResetModel()
        self._patients = list(patients)
        self._texts = [(p.display_name, us_date(p.birth_date), self.member_id(p))
                       for p in self._patients]
        self._keys = [(name.lower(), p.birth_date.isoformat(), member.lower())
                      for p, (name, _born, member) in zip(self._patients, self._texts,
                                                           strict=True)]
        self._search = [
            (f"{p.last_name}, {p.first_name} {p.first_name} {p.last_name} {p.id} "
             f"{' '.join(c.member_id for c in p.coverages)} {us_date(p.birth_date)} "
             f"{p.birth_date.isoformat()}").lower() for p in self._patients]
        self.endResetModel()

    def patient_at(self, row: int) -> PatientRead:
        return self._patients[row]

    def patient_ids(self) -> list[str]:
        return [p.id for p in self._patients]

    def sort_key(self, row: int, column: int) -> str:
        return self._keys[row][column]

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
        if role == Qt.ItemDataRole.EditRole and col == 1:
            return p.birth_date.isoformat()  # sorts by date, not by month
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
        self.setSortRole(Qt.ItemDataRole.EditRole)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

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

    def lessThan(self, left: Index, right: Index) -> bool:
        model: PatientTableModel = self.sourceModel()  # type: ignore[assignment]
        column = left.column()
        return model.sort_key(left.row(), column) < model.sort_key(right.row(), column)
