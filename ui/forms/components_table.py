"""The order form's components table (issue 15, part 3): a compound order's components besides
its drug, one row each, typed like a spreadsheet.

Keyboard-fast: typing in a cell edits it, Tab moves on and Tab from the last cell adds a row,
Ctrl+Delete removes the current row (as do the buttons, Alt+D and Alt+M). The HCPCS cell
completes from the code table (resources/codes: the B4164-B5200 parenteral nutrition family and
the others that are not per diem codes), the kind, per and NDC unit cells from their allowed
values (models/vocab.py). What the row means is decided by models/records/components.py; the
table only reads and shows rows, and marks the cells the one validation names.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, Slot
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QCompleter,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models import codes, vocab
from models.errors import FieldError, ValidationFailed
from models.records.components import Component
from ui.records.table_models import plain_decimal

# (field, header, width in characters)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("hcpcs", "HCPCS", 7), ("name", "Component", 26), ("kind", "Kind", 8),
    ("quantity", "Units", 6), ("per", "Per", 4), ("unit_charge", "Charge/unit", 9),
    ("ndc", "NDC", 12), ("ndc_quantity", "NDC qty", 7), ("ndc_unit", "NDC unit", 6),
)
FIELDS = tuple(c[0] for c in COLUMNS)
ROWS_SHOWN = 6  # the table's height in rows: a TPN formula whole
DECIMALS = {"quantity", "unit_charge", "ndc_quantity"}
BAD = QColor("#fdecea")


def code_items() -> list[str]:
    """The codes a component may carry, as the completer offers them: `B4185 Parenteral sol
    not OS 10 g lipids`, the parenteral nutrition family first."""
    found = [c for c in codes.hcpcs_codes().values() if not c.per_diem]
    found.sort(key=lambda c: (not c.code.startswith("B"), c.code))
    return [f"{c.code} {c.short_description}" for c in found]


CHOICES: dict[str, tuple[str, ...]] = {
    "kind": vocab.COMPONENT_KINDS, "per": vocab.COMPONENT_BASES,
    "ndc_unit": vocab.NDC_BILLING_UNITS,
}


class _Delegate(QStyledItemDelegate):
    """Line editors that complete a column's allowed values (HCPCS: the code table)."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        editor = QLineEdit(parent)
        name = FIELDS[index.column()]
        items = code_items() if name == "hcpcs" else list(CHOICES.get(name, ()))
        if items:
            completer = QCompleter(items, editor)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains if name == "hcpcs"
                                    else Qt.MatchFlag.MatchStartsWith)
            editor.setCompleter(completer)
        return editor

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and _removes_row(event):
            table = self.parent()
            assert isinstance(table, _Table)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.RevertModelCache)
            table.owner.remove_row()
            return True
        return super().eventFilter(editor, event)

    def setModelData(self, editor: QWidget, model: Any,
                     index: QModelIndex | QPersistentModelIndex) -> None:
        text = editor.text().strip() if isinstance(editor, QLineEdit) else ""
        name = FIELDS[index.column()]
        if name in ("hcpcs", "ndc_unit"):
            text = text.split(" ")[0].upper()  # "B4185 Parenteral sol..." -> B4185
        elif name in ("kind", "per"):
            text = text.lower()
        model.setData(index, text)


class _Table(QTableWidget):
    """Tab from the last cell adds a row, as a spreadsheet does."""

    def __init__(self, owner: ComponentsTable):
        super().__init__(0, len(COLUMNS), owner)
        self.owner = owner

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if _removes_row(event):
            self.owner.remove_row()
            return
        super().keyPressEvent(event)

    def _at_last_cell(self) -> bool:
        return (self.currentRow() == self.rowCount() - 1
                and self.currentColumn() == self.columnCount() - 1)

    def focusNextPrevChild(self, forward: bool) -> bool:
        if forward and self._at_last_cell():
            self.owner.add_row()
            return True
        return super().focusNextPrevChild(forward)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        if hint == QAbstractItemDelegate.EndEditHint.EditNextItem and self._at_last_cell():
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self.owner.add_row()
            return
        super().closeEditor(editor, hint)


class ComponentsTable(QWidget):
    """The components of a compound order as rows; `components()` reads them back."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("components")
        self.table = _Table(self)
        self.table.setObjectName("componentsTable")
        self.table.setHorizontalHeaderLabels([c[1] for c in COLUMNS])
        self.table.setItemDelegate(_Delegate(self.table))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 8)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        width = self.table.fontMetrics().averageCharWidth()
        for i, (_name, title, chars) in enumerate(COLUMNS):
            header.resizeSection(i, max(chars, len(title) + 1) * width + 14)
        header.setSectionResizeMode(FIELDS.index("name"), QHeaderView.ResizeMode.Stretch)
        # six rows show at once (a longer formula scrolls): the order form fits 1366x768
        self.table.setFixedHeight(self.table.verticalHeader().defaultSectionSize() * ROWS_SHOWN
                                  + header.sizeHint().height() + 2 * self.table.frameWidth())
        self.table.setToolTip("Each component besides the drug is its own claim line (R21): "
                              "units per billed day, or per bag hung that day. Tab from the "
                              "last cell adds a row; Ctrl+Delete removes one.")
        self.add_button = QPushButton("A&dd component")
        self.add_button.setObjectName("addComponent")
        self.remove_button = QPushButton("Re&move component")
        self.remove_button.setObjectName("removeComponent")
        for button in (self.add_button, self.remove_button):
            button.setAutoDefault(False)  # Enter saves the form, as in every field
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    # -- rows -------------------------------------------------------------------------------

    @Slot()
    def add_row(self, values: dict[str, str] | None = None) -> None:
        """A new row (kind nutrient, per day unless given), its HCPCS cell current."""
        values = values if isinstance(values, dict) else {}
        row = self.table.rowCount()
        self.table.insertRow(row)
        defaults = {"kind": "nutrient", "per": "day"}
        for col, name in enumerate(FIELDS):
            self.table.setItem(row, col, QTableWidgetItem(values.get(name, defaults.get(name,
                                                                                     ""))))
        self.table.setFocus()
        self.table.setCurrentCell(row, 0)
        if self.table.state() != QAbstractItemView.State.EditingState:
            self.table.editItem(self.table.item(row, 0))

    @Slot()
    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row < 0 and self.table.rowCount():
            row = self.table.rowCount() - 1
        if row >= 0:
            self.table.removeRow(row)
            if self.table.rowCount():
                self.table.setCurrentCell(min(row, self.table.rowCount() - 1), 0)

    def set_components(self, components: list[Any]) -> None:
        self.table.setRowCount(0)
        for row, raw in enumerate(components):
            c = raw if isinstance(raw, Component) else Component.model_validate(raw)
            self.table.insertRow(row)
            for col, name in enumerate(FIELDS):
                self.table.setItem(row, col, QTableWidgetItem(_text(getattr(c, name), name)))

    def _cell(self, row: int, name: str) -> str:
        item = self.table.item(row, FIELDS.index(name))
        return item.text().strip() if item is not None else ""

    def _empty(self, row: int) -> bool:
        return not any(self._cell(row, n) for n in FIELDS if n not in ("kind", "per"))

    # -- values -----------------------------------------------------------------------------

    def components(self) -> tuple[list[Component], list[FieldError]]:
        """The rows as components (blank rows left out), and what cannot be read as typed (a
        quantity that is no number), named `components[i].field`."""
        editor = self.table.indexWidget(self.table.currentIndex())
        if editor is not None:  # the cell being typed in counts (Save clicked, or Enter)
            self.table.commitData(editor)
        out: list[Component] = []
        errors: list[FieldError] = []
        for row in range(self.table.rowCount()):
            if self._empty(row):
                continue
            at = f"components[{len(out)}]."
            values: dict[str, Any] = {}
            for name in FIELDS:
                text = self._cell(row, name)
                if name in DECIMALS and text:
                    try:
                        values[name] = Decimal(text.replace(",", "").lstrip("$"))
                    except InvalidOperation:
                        errors.append(FieldError(at + name, f'"{text}" is not a number'))
                else:
                    values[name] = text or None
            values["name"] = values["name"] or ""
            values["hcpcs"] = values["hcpcs"] or ""
            out.append(Component(**{k: v for k, v in values.items() if v is not None}))
        return out, errors

    def rows(self) -> list[int]:
        """The table rows that hold a component, in the order `components()` reads them."""
        return [r for r in range(self.table.rowCount()) if not self._empty(r)]

    def mark(self, errors: list[FieldError]) -> None:
        """Colour the cells the validation names, each with its problem as tooltip."""
        for row in range(self.table.rowCount()):
            for col in range(self.table.columnCount()):
                item = self.table.item(row, col)
                if item is not None:
                    item.setBackground(QBrush())
                    item.setToolTip("")
        rows = self.rows()
        for err in errors:
            index, name = component_field(err.field)
            if index is None or index >= len(rows) or name not in FIELDS:
                continue
            item = self.table.item(rows[index], FIELDS.index(name))
            if item is not None:
                item.setBackground(BAD)
                item.setToolTip(err.problem)


def _removes_row(event: QKeyEvent) -> bool:
    return (event.key() == Qt.Key.Key_Delete
            and bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier))


def component_field(field: str) -> tuple[int | None, str]:
    """`components[2].hcpcs` -> (2, "hcpcs"); anything else (None, field)."""
    if not field.startswith("components[") or "]." not in field:
        return None, field
    head, name = field.split("].", 1)
    return int(head[len("components["):]), name


def component_label(field: str) -> str | None:
    """How the form names a component's field: `Component 3 HCPCS`."""
    index, name = component_field(field)
    if index is None:
        return None
    header = dict((c[0], c[1]) for c in COLUMNS).get(name, name)
    return f"Component {index + 1} {header}"


def _text(value: Any, name: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f") if name == "unit_charge" else plain_decimal(value)
    return str(value)


class ComponentsPart:
    """What the order form adds for its components table (mixed in before RecordForm): the
    table in its group box, reading it, and naming and marking its cells' problems."""

    components: ComponentsTable
    record: Any

    def components_box(self) -> QGroupBox:
        self.components = ComponentsTable(self)  # type: ignore[arg-type]
        parts = QVBoxLayout()
        parts.setContentsMargins(6, 6, 6, 6)
        parts.addWidget(self.components)
        box = QGroupBox("Components besides the drug (compound order: each its own claim "
                        "line, R21)")
        box.setLayout(parts)
        return box

    def read_components(self) -> list[Component]:
        components, problems = self.components.components()
        if problems:
            raise ValidationFailed(problems)
        return components

    def label(self, name: str) -> str:
        return component_label(name) or super().label(name)  # type: ignore[misc]

    def show_problems(self, errors: list[FieldError]) -> None:
        super().show_problems(errors)  # type: ignore[misc]
        self.components.mark(errors)

    def clear_marks(self) -> None:
        super().clear_marks()  # type: ignore[misc]
        self.components.mark([])

    def unchanged(self, data: Any) -> bool:
        """Components compared as values (a saved one is a Component, a typed one too)."""
        if self.record is None:
            return False
        saved = type(data).model_validate(self.record).model_dump()
        return all(saved[k] == v for k, v in data.model_dump().items() if k != "id")
