"""The version history of a clinical record: every saved version with who, when, why and what
changed, and the full content of the version picked."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QItemSelection, QModelIndex, QObject, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.records import recorded, registry
from models.records.history import history
from models.records.registry import RecordKind
from models.records.tables import RecordVersionRead
from models.security.access import clinical_read
from models.security.permissions import PermissionDenied
from ui.records.table_models import VOIDED_BRUSH, Index, us_date
from ui.shell.context import AppContext

CLINICAL_KEYS = {k.key for k in registry.CLINICAL}


def changed_fields(before: dict | None, after: dict) -> list[str]:
    """Lines like 'beyond use date: 11/22/2026 → 11/19/2026' for fields that differ."""
    if before is None:
        return []
    lines = []
    for key, new in after.items():
        old = before.get(key)
        if old != new and key != "id":
            lines.append(f"{key.replace('_', ' ')}: {_brief(old)} → {_brief(new)}")
    return lines


def human(value: Any) -> str:
    """A stored (JSON) value as staff read it: US dates, HH:MM times, lists joined."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return us_date(dt.date.fromisoformat(text))
    if re.fullmatch(r"\d{2}:\d{2}:00", text):
        return text[:5]
    return text


def _brief(value: Any) -> str:
    return human(value) if value not in (None, "", []) else "(blank)"


class HistoryTableModel(QAbstractTableModel):
    """Every saved version of one record: who, when, why and what changed."""

    HEADERS = ("Version", "Action", "By", "When", "Reason", "What changed")

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._versions: list[RecordVersionRead] = []
        self._changes: list[list[str]] = []

    def set_versions(self, versions: Sequence[RecordVersionRead]) -> None:
        self.beginResetModel()
        self._versions = list(versions)
        self._changes = []
        previous: dict | None = None
        for v in self._versions:
            if v.action == "created":
                self._changes.append(["created"])
            elif v.action == "voided":
                self._changes.append(["voided"])
            else:
                self._changes.append(changed_fields(previous, v.data) or ["(no field changed)"])
            previous = v.data
        self.endResetModel()

    def version(self, row: int) -> RecordVersionRead:
        return self._versions[row]

    def changes(self, row: int) -> list[str]:
        return self._changes[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._versions)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._versions):
            return None
        v = self._versions[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            changes = self._changes[index.row()]
            values = (
                f"v{v.version}", v.action, v.recorded_by,
                v.recorded_at.strftime("%m/%d/%Y %H:%M"), v.reason or "",
                "; ".join(changes) if role == Qt.ItemDataRole.DisplayRole else "\n".join(changes),
            )
            return values[col] if 0 <= col < len(values) else None
        if role == Qt.ItemDataRole.ForegroundRole and v.action == "voided":
            return VOIDED_BRUSH
        return None


def describe_data(data: dict[str, Any]) -> str:
    """One 'field: value' line per field of a stored version."""
    return "\n".join(f"{key.replace('_', ' ')}: {human(value)}" for key, value in data.items())


class HistoryPanel(QWidget):
    """A table of versions (newest last) and the selected version's content below it."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = HistoryTableModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("Pick a version to see everything it held.")
        self.heading = QLabel()
        self.heading.setObjectName("historyHeading")
        self.recorded = QLabel()  # R26: first saved, late entry, imported from
        self.recorded.setObjectName("historyRecorded")
        self.recorded.setWordWrap(True)
        self.recorded.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.recorded)
        layout.addWidget(splitter)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)

    def show_record(self, kind: RecordKind[Any, Any], record_id: str) -> None:
        """The record's saved versions; a clinical record's only for an account that may open
        clinical records (issue 12: otherwise the refusal is shown, and nothing read)."""
        clinical = kind.key in CLINICAL_KEYS

        def read(s: Any) -> tuple[list[RecordVersionRead], Any]:
            return history(s, kind.key, record_id), (recorded.record_note(
                s, registry.clinical(kind.key), record_id) if clinical else None)

        try:
            versions, note = self.ctx.read(clinical_read(self.ctx.actor, read) if clinical
                                           else read)
        except PermissionDenied as exc:  # shown in place of the versions, none read
            self.model.set_versions([])
            self.show_recorded(None)
            self.heading.setText(str(exc))
            return
        self.show_recorded(note)
        self.model.set_versions(versions)
        self.heading.setText(f"<b>{kind.label.capitalize()} {record_id}</b> — "
                             f"{len(versions)} saved version{'s' if len(versions) != 1 else ''}")
        self.view.resizeColumnsToContents()
        for col in range(self.model.columnCount() - 1):
            self.view.setColumnWidth(col, min(self.view.columnWidth(col) + 16, 260))
        self.view.horizontalHeader().setSectionResizeMode(
            self.model.columnCount() - 1, QHeaderView.ResizeMode.Stretch)
        if versions:
            self.view.selectRow(len(versions) - 1)

    def show_recorded(self, note: recorded.RecordedNote | None) -> None:
        """R26: when and by whom the record was first saved, its late entry note, and the
        file it was imported from."""
        lines = []
        if note is not None and note.first_recorded_at is not None:
            who = f" by {note.first_recorded_by}" if note.first_recorded_by else ""
            lines.append(f"First recorded {note.first_recorded_at:%m/%d/%Y at %H:%M}{who}")
        if note is not None and note.late:
            lines.append(note.late)
        if note is not None and note.imported:
            lines.append(note.imported)
        self.recorded.setText("\n".join(lines))
        self.recorded.setVisible(bool(lines))

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection
                              ) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            self.detail.clear()
            return
        row = rows[0].row()
        v = self.model.version(row)
        head = [f"Version {v.version}, {v.action} by {v.recorded_by} on "
                f"{v.recorded_at.strftime('%m/%d/%Y at %H:%M')}"]
        if v.reason:
            head.append(f"Why: {v.reason}")
        changes = self.model.changes(row)
        if v.action == "edited":
            head.append("Changed:\n  " + "\n  ".join(changes))
        self.detail.setPlainText("\n".join(head) + "\n\n" + describe_data(v.data))


class HistoryDialog(QDialog):
    """The history of one record in its own window (opened with open(), never blocking)."""

    def __init__(self, ctx: AppContext, kind: RecordKind[Any, Any], record_id: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"History of {kind.label} {record_id}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(860, 520)
        self.panel = HistoryPanel(ctx, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addWidget(self.panel)
        layout.addWidget(buttons)
        self.panel.show_record(kind, record_id)
