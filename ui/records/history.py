"""The version history of a clinical record: every saved version with who, when, why and what
changed, and the full content of the version picked."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Slot
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

from models.records import services
from ui.records.table_models import HistoryTableModel, human
from ui.shell.context import AppContext


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
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(splitter)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)

    def show_record(self, kind: str, record_id: str) -> None:
        versions = self.ctx.read(lambda s: services.history(s, kind, record_id))
        self.model.set_versions(versions)
        label = services.LABELS.get(kind, kind)
        self.heading.setText(f"<b>{label.capitalize()} {record_id}</b> — "
                             f"{len(versions)} saved version{'s' if len(versions) != 1 else ''}")
        self.view.resizeColumnsToContents()
        for col in range(self.model.columnCount() - 1):
            self.view.setColumnWidth(col, min(self.view.columnWidth(col) + 16, 260))
        self.view.horizontalHeader().setSectionResizeMode(
            self.model.columnCount() - 1, QHeaderView.ResizeMode.Stretch)
        if versions:
            self.view.selectRow(len(versions) - 1)

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

    def __init__(self, ctx: AppContext, kind: str, record_id: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"History of {services.LABELS.get(kind, kind)} {record_id}")
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
