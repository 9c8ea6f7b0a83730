"""When another PerDiem writes to the database: who (its lock file), and the choice to open it
read-only or to wait until it is free, never a frozen window or a traceback.

The dialog asks the lock file (models/dbfile.py) once a second while it waits; it reads no
table, so the window never waits on the database. Read-only means every write operation is
refused in words (ui.shell.ops) and the title says so.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout

from models.dbfile import DatabaseInUse, WriterLock, holder

POLL_MS = 1000
REFRESH_MS = 60_000  # the app's lock is refreshed every minute (dbfile.STALE_AFTER: 10)


class DatabaseInUseDialog(QDialog):
    """Who writes to the database, with Open read-only, Wait and Quit. After `exec()`:
    Accepted with `read_only` True (the user chose it) or False (the lock is ours now)."""

    def __init__(self, lock: WriterLock, error: DatabaseInUse, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("PerDiem: database in use")
        self.lock = lock
        self.read_only = False
        self.message = QLabel(f"{error.path} is open for writing by {error.holder}.\n\n"
                              "One PerDiem writes to a database at a time. Open it read-only "
                              "to look things up, or wait until it is closed there.")
        self.message.setWordWrap(True)
        self.status = QLabel("")
        self.read_only_button = QPushButton("Open &read-only")
        self.wait_button = QPushButton("&Wait until it is free")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Quit")
        buttons.addButton(self.read_only_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.wait_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.read_only_button.clicked.connect(self._on_read_only_clicked)
        self.wait_button.clicked.connect(self._on_wait_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._on_poll)

    @Slot()
    def _on_read_only_clicked(self) -> None:
        self.read_only = True
        self.accept()

    @Slot()
    def _on_wait_clicked(self) -> None:
        self.wait_button.setEnabled(False)
        self.status.setText("Waiting: PerDiem opens the database as soon as it is closed "
                            "there.")
        self.timer.start()
        self._on_poll()

    @Slot()
    def _on_poll(self) -> None:
        if holder(self.lock.db_path) is not None:
            return
        try:
            self.lock.acquire()
        except DatabaseInUse as exc:  # taken by another in the same instant
            self.status.setText(f"Still waiting: now {exc.holder}.")
            return
        self.timer.stop()
        self.accept()


def take_writer_lock(ctx, url: str, parent=None) -> bool:
    """Make `ctx` the database's writer (its lock in `ctx.writer_lock`, refreshed every
    minute), or, when another PerDiem writes to it, ask: read-only (`ctx.read_only` says
    why) or wait. False when the user chose neither; the lock `ctx` held before is released
    only once the new one is settled."""
    from models.db import sqlite_path

    path = sqlite_path(url)
    lock = WriterLock(path, ctx.actor) if path is not None else None
    read_only = None
    if lock is not None:
        try:
            lock.acquire()
        except DatabaseInUse as exc:
            dialog = DatabaseInUseDialog(lock, exc, parent)
            if dialog.exec() != DatabaseInUseDialog.DialogCode.Accepted:
                return False
            if dialog.read_only:
                read_only, lock = f"{exc.holder} writes to it", None
    previous = getattr(ctx, "writer_lock", None)
    if previous is not None:
        previous.release()
    ctx.writer_lock, ctx.read_only = lock, read_only
    if lock is not None:
        timer = QTimer(ctx)
        timer.setInterval(REFRESH_MS)
        timer.timeout.connect(lock.refresh)
        timer.start()
    return True
