"""The dialog shown when a database cannot be opened: why, and its backups to restore.

A damaged file (empty, not SQLite, failing SQLite's quick check) or a failed upgrade is never
a traceback and never silently an empty pharmacy: the dialog says what is wrong in the words
of the domain error, lists the backups PerDiem made of that file (daily, before an upgrade,
before a restore) that pass the check, newest first, and restores the one chosen
(models.backup.restore keeps the current file as a backup first), then opens it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)
from sqlalchemy import Engine

from models import backup, db
from models.errors import DomainError


class DatabaseProblemDialog(QDialog):
    """Why `path` was not opened, with a Restore button for its good backups. After
    `exec()` returns Accepted, `engine` is the restored database, opened."""

    def __init__(self, path: Path, error: Exception, parent=None, *,
                 key: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("PerDiem: database not opened")
        self.path = path
        self.key = key  # an encrypted database's: its copies and the restored file use it
        self.engine: Engine | None = None
        self.message = QLabel(str(error))
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backups = QListWidget()
        good = getattr(error, "backups", None)
        if good is None:
            good = [b for b in backup.list_backups(path)
                    if backup.file_problem(b.path, key=key) is None]
        for copy in good:
            item = QListWidgetItem(f"{copy.taken:%Y-%m-%d %H:%M}   {copy.path.name}")
            item.setData(Qt.ItemDataRole.UserRole, str(copy.path))
            item.setToolTip(str(copy.path))
            self.backups.addItem(item)
        if good:
            self.backups.setCurrentRow(0)
        self.restore_button = QPushButton("&Restore selected backup")
        self.restore_button.setEnabled(bool(good))
        self.restore_button.clicked.connect(self._on_restore_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(QLabel("Backups of this database that pass SQLite's check:"
                                if good else "No good backup of this database was found."))
        layout.addWidget(self.backups)
        self.outcome = QLabel("")
        self.outcome.setWordWrap(True)
        layout.addWidget(self.outcome)
        layout.addWidget(buttons)
        self.resize(640, 360)

    @Slot()
    def _on_restore_clicked(self) -> None:
        item = self.backups.currentItem()
        if item is None:
            return
        chosen = Path(item.data(Qt.ItemDataRole.UserRole))
        try:
            kept = backup.restore(self.path, chosen, db.known_revisions(), key=self.key)
            self.engine = db.open_database(f"sqlite:///{self.path}", key=self.key)
        except (DomainError, OSError) as exc:
            self.outcome.setText(f"Not restored: {exc}")
            return
        self.outcome.setText(f"Restored {chosen.name}."
                             + (f" The file it replaced is kept at {kept}." if kept else ""))
        self.accept()
