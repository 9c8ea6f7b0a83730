"""Help ▸ Keyboard shortcuts: every menu command's shortcut (read off the window's actions,
so the list never goes stale) and the keys of the forms, the MAR and the date fields."""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

FORM_KEYS = [
    ("Tab / Shift+Tab", "next / previous field, in the order of the paper form"),
    ("Enter", "save the form (the MAR entry from any field)"),
    ("Esc", "cancel (asks first when something typed would be lost)"),
    ("Alt+underlined letter", "jump to that field, button or tab"),
    ("Ctrl+Tab / Ctrl+Shift+Tab", "next / previous patient tab"),
    ("Alt+O, Alt+I, Alt+D, Alt+A, Alt+B", "Orders, Infusion log, Documents, Authorizations, "
     "Billing calendar"),
    ("Page Up / Page Down", "previous / next month in the billing calendar"),
]
DATE_KEYS = [
    ("t, t-1, t+3", "today, yesterday, three days on"),
    ("1124, 11/24, 11/24/26", "a date of this year, or with a two-digit year"),
    ("+ / - (or Up / Down)", "the next / previous day"),
    ("F4 or Alt+Down", "a calendar to pick the day (Enter picks it)"),
]


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    """(keys, what) for each action with a shortcut, in menu order."""
    rows = []
    for a in actions:
        keys = a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            rows.append((keys, a.text().replace("&", "").rstrip("…").strip()))
    return rows


def _table(title: str, rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><td style='padding:2px 14px 2px 0'><b>{escape(k)}</b></td>"
                   f"<td>{escape(v)}</td></tr>" for k, v in rows)
    return f"<h3>{escape(title)}</h3><table>{body}</table>"


class ShortcutsDialog(QDialog):
    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(560, 600)
        self.text = QTextBrowser(self)
        self.text.setHtml(_table("Menus", shortcut_rows(actions))
                          + _table("Forms and tabs", FORM_KEYS)
                          + _table("Date fields", DATE_KEYS))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
