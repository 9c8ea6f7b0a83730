"""A small table editor for a price list: a row per code with its amounts (a payer's rate and
expected amount, R32; the pharmacy's usual and customary charge). The forms that hold one
(the payer's, the pharmacy's) check it with the record (models/billing/contracts.py), so this
widget only shows and collects rows: codes in capitals, blank rows left out."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

VISIBLE_ROWS = 4  # the table's height in rows; more scroll


class PriceListEditor(QWidget):
    """Rows of (code, amounts...) edited in place; `columns` are (key, heading) pairs, the
    first the code."""

    def __init__(self, columns: Sequence[tuple[str, str]], parent: QWidget | None = None,
                 tip: str = "") -> None:
        super().__init__(parent)
        self.keys = [key for key, _ in columns]
        self.table = QTableWidget(0, len(columns), self)
        self.table.setObjectName("price-table")
        self.table.setHorizontalHeaderLabels([heading for _, heading in columns])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.setToolTip(tip)
        row_height = self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height()
                                  + row_height * VISIBLE_ROWS + 4)
        self.add_button = QPushButton("Add code", self)
        self.add_button.setObjectName("add-price")
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setObjectName("remove-price")
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def set_items(self, items: Sequence[dict[str, str]]) -> None:
        self.table.setRowCount(0)
        for item in items:
            self._append([str(item.get(key) or "") for key in self.keys])

    def items(self) -> list[dict[str, str]]:
        """The rows typed, without blank ones; a blank amount is left out of its row."""
        out = []
        for row in range(self.table.rowCount()):
            values = [(self.table.item(row, col).text() if self.table.item(row, col) else "")
                      .strip() for col in range(len(self.keys))]
            if not any(values):
                continue
            values[0] = values[0].upper()
            out.append({k: v.replace("$", "").replace(",", "") if i else v
                        for i, (k, v) in enumerate(zip(self.keys, values, strict=True))
                        if v or i == 0 or i == 1})
        return out

    def _append(self, values: list[str]) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, value in enumerate(values):
            item = QTableWidgetItem(value)
            if col:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, col, item)
        return row

    @Slot()
    def _on_add_clicked(self) -> None:
        row = self._append([""] * len(self.keys))
        self.table.setCurrentCell(row, 0)  # which opens the code for typing (edit triggers)
        if self.table.state() != QAbstractItemView.State.EditingState:
            self.table.editItem(self.table.item(row, 0))

    @Slot()
    def _on_remove_clicked(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        for row in rows:
            self.table.removeRow(row)
