"""Choosing a record table's columns: the header's context menu lists every column with a
check box (hide what you do not need at 1366 px, show it again), and the columns a model marks
`optional` start hidden, so no record table scrolls sideways on a laptop screen (issue 16)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu, QTableView

CHOSEN = "perdiem_columns_chosen"  # set on a view once its columns were chosen


Refit = Callable[[QTableView], None]  # fits the columns again after one is shown or hidden


def install_column_menu(view: QTableView, refit: Refit) -> None:
    header = view.horizontalHeader()
    header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    header.customContextMenuRequested.connect(lambda pos: column_menu(view, refit).popup(
        header.mapToGlobal(pos)))
    header.setToolTip("Right-click to choose the columns shown")


def column_menu(view: QTableView, refit: Refit, _pos: QPoint | None = None) -> QMenu:
    """The menu of the view's columns (the last one shown cannot be hidden)."""
    menu = QMenu(view)
    model = view.model()
    shown = [c for c in range(model.columnCount()) if not view.isColumnHidden(c)]
    source = getattr(model, "sourceModel", lambda: model)()
    skip = getattr(source, "void_column", -1)  # shown with "Show voided", not here
    for col in range(model.columnCount()):
        if col == skip:
            continue
        action = menu.addAction(str(model.headerData(col, Qt.Orientation.Horizontal) or ""))
        action.setCheckable(True)
        action.setChecked(not view.isColumnHidden(col))
        action.setEnabled(not (shown == [col]))
        action.toggled.connect(lambda on, c=col: set_column_shown(view, c, on, refit))
    return menu


def set_column_shown(view: QTableView, col: int, shown: bool, refit: Refit) -> None:
    view.setProperty(CHOSEN, True)
    view.setColumnHidden(col, not shown)
    refit(view)


def hide_optional_columns(view: QTableView, columns: list) -> None:
    """The first time a view shows its model: hide the `columns` (ui.records.table_models
    Column, one per column of the view) marked optional."""
    if view.property(CHOSEN):
        return
    view.setProperty(CHOSEN, True)
    for col, column in enumerate(columns):
        if getattr(column, "optional", False):
            view.setColumnHidden(col, True)
